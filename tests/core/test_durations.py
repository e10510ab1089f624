"""core.durations.readable: hours never wrap into days; negatives and missing values."""
from __future__ import annotations

import pytest

from core.durations import readable


@pytest.mark.parametrize("seconds, text", [
    (0, "0h 00m 00s"),
    (59, "0h 00m 59s"),
    (60, "0h 01m 00s"),
    (3600, "1h 00m 00s"),
    (124036, "34h 27m 16s"),
    (90061, "25h 01m 01s"),          # a day and more stays in hours
    (4063796.0, "1128h 49m 56s"),
    (1.999, "0h 00m 01s"),           # fractions are dropped
    (-1, "-0h 00m 01s"),
    (-3725, "-1h 02m 05s"),
    (None, ""),
    (float("nan"), ""),
])
def test_readable(seconds, text: str) -> None:
    assert readable(seconds) == text


def test_numpy_and_pandas_values() -> None:
    import numpy as np
    import pandas as pd

    assert readable(np.float64(61)) == "0h 01m 01s"
    assert readable(np.int64(61)) == "0h 01m 01s"
    assert readable(pd.NA) == ""
