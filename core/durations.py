"""Readable durations for people: hours, minutes and seconds, like the original report."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


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


_TEXT = pa.large_string()  # what pandas' str dtype holds
_TAILS = pa.array([f"h {m:02d}m {s:02d}s" for m in range(60) for s in range(60)], _TEXT)  # by seconds % 3600
_NUMERIC_KINDS = {"integer", "floating", "mixed-integer-float", "boolean", "empty"}
_EXACT_FLOAT = 2.0 ** 53  # object values at or beyond this are formatted one by one (exact big ints)


def readable_many(values: Iterable[object] | pd.Series) -> pd.Series:
    """``readable`` for every element at once: a ``str`` Series (on the input's index, if any).

    Vectorized: numpy integer arithmetic splits whole seconds into hours and the rest, pyarrow
    casts the hours to text and joins them with the sign and a looked-up 'h MMm SSs' tail. Only
    values no int64 holds (|x| >= 2**63, or infinities, which raise as ``readable`` does) and
    objects that are not numbers go through ``readable`` one by one.

    >>> readable_many([124036, 59.9, -3605, None, -0.5, float("nan")]).tolist()
    ['34h 27m 16s', '0h 00m 59s', '-1h 00m 05s', '', '-0h 00m 00s', '']
    """
    series = values if isinstance(values, pd.Series) else pd.Series(
        values if hasattr(values, "__len__") else list(values))
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_integer_dtype(dtype):
        missing = series.isna().to_numpy()
        ints = series.to_numpy(dtype="int64", na_value=0)
        negative = ints < 0
        slow = ints == np.iinfo(np.int64).min  # its absolute value does not fit
        whole = np.abs(np.where(slow, 0, ints))
    elif pd.api.types.is_float_dtype(dtype):
        floats = series.to_numpy(dtype="float64", na_value=np.nan)
        missing = np.isnan(floats)
        negative = floats < 0
        magnitude = np.abs(floats)
        slow = ~missing & ~(magnitude < 2.0 ** 63)  # huge or infinite
        whole = np.trunc(np.where(missing | slow, 0.0, magnitude)).astype("int64")
    elif dtype == object and pd.api.types.infer_dtype(series, skipna=True) in _NUMERIC_KINDS:
        numbers = pd.to_numeric(series)
        if numbers.dtype == object:  # Python ints beyond 64 bits
            return _one_by_one(series)
        out = readable_many(numbers)
        if pd.api.types.is_float_dtype(numbers.dtype):  # ints beyond 2**53 lost digits: format those exactly
            inexact = np.abs(numbers.to_numpy(dtype="float64", na_value=np.nan)) >= _EXACT_FLOAT
            if inexact.any():
                out[inexact] = [readable(v) for v in series[inexact]]
        return out
    else:
        return _one_by_one(series)
    empty = pa.scalar("", _TEXT)
    text = pc.binary_join_element_wise(
        pc.if_else(pa.array(negative), pa.scalar("-", _TEXT), empty), pc.cast(pa.array(whole // 3600), _TEXT),
        _TAILS.take(pa.array(whole % 3600)), empty)
    text = pc.if_else(pa.array(missing), empty, text)
    if slow.any():
        text = pc.replace_with_mask(text, pa.array(slow), pa.array([readable(v) for v in series[slow]], _TEXT))
    return pd.Series(pd.array(text, dtype="str"), index=series.index)


def _one_by_one(series: pd.Series) -> pd.Series:
    return pd.Series(pd.array([readable(v) for v in series], dtype="str"), index=series.index)
