"""Readable durations for people: hours, minutes and seconds, like the original report."""
from __future__ import annotations

import pandas as pd


def readable(seconds: float | None) -> str:
    """Seconds as '34h 27m 16s'; hours are never wrapped into days.

    Fractions of a second are dropped (truncated towards zero), as the original did;
    missing values give an empty text.

    >>> readable(124036)
    '34h 27m 16s'
    >>> readable(59.9)
    '0h 00m 59s'
    >>> readable(-3605)
    '-1h 00m 05s'
    >>> readable(None), readable(float("nan"))
    ('', '')
    >>> readable(4063796)
    '1128h 49m 56s'
    """
    if seconds is None or pd.isna(seconds):
        return ""
    sign = "-" if seconds < 0 else ""
    whole = int(abs(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours}h {minutes:02d}m {secs:02d}s"
