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


# ---- readable_many: the vectorized readable ----------------------------------------------------

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from core.durations import readable_many  # noqa: E402

EDGES = [0, 0.0, -0.0, 59.9, 60, -0.5, -0.999, -1, 1.999, 3599.999, 3600, -3605, 124036, 4063796, 4063796.7,
         1e9, -1e9, 1e15, 2.0 ** 53, 2.0 ** 63 - 1024, 2.0 ** 63, -2.0 ** 63, 1e30, -1e30, 5e-324, float("nan"), None]


def _same(values, as_given=None) -> None:
    """readable_many(values) is readable(v) for each v, element by element, in a str Series."""
    got = readable_many(values if as_given is None else as_given)
    expected = [readable(v) for v in values]
    assert got.tolist() == expected
    assert str(got.dtype) == "str"


def test_readable_many_edges() -> None:
    _same(EDGES)
    _same(EDGES, np.array(EDGES, dtype="float64"))
    _same(EDGES, pd.Series(EDGES, dtype="float64"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=False), st.none(),
                          st.floats(min_value=-1e7, max_value=1e7), st.sampled_from(EDGES[:-2])), max_size=60))
def test_readable_many_matches_readable_on_floats(values) -> None:
    _same(values, np.array([np.nan if v is None else v for v in values], dtype="float64"))
    _same(values)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=-2 ** 63 + 1, max_value=2 ** 63 - 1), max_size=60))
def test_readable_many_matches_readable_on_ints(values) -> None:
    _same(values, np.array(values, dtype="int64"))
    _same(values, pd.Series(values, dtype="Int64"))


def test_readable_many_random_bulk() -> None:
    rng = np.random.default_rng(7)
    floats = np.concatenate([rng.uniform(-1e6, 1e7, 20_000), rng.normal(0, 100, 5_000),
                             rng.integers(-10 ** 12, 10 ** 12, 5_000).astype("float64"),
                             10 ** rng.uniform(-3, 18, 5_000) * rng.choice([-1, 1], 5_000)])
    floats[::11] = np.nan
    _same(floats.tolist(), floats)
    ints = rng.integers(-10 ** 15, 10 ** 15, 20_000)
    _same(ints.tolist(), ints)


def test_readable_many_nullable_and_odd_inputs() -> None:
    floats = pd.Series([1.5, pd.NA, -3605, 4063796, 59.9, None], dtype="Float64")
    assert readable_many(floats).tolist() == ["0h 00m 01s", "", "-1h 00m 05s", "1128h 49m 56s", "0h 00m 59s", ""]
    ints = pd.Series([61, pd.NA, -3605, 2 ** 62 + 1], dtype="Int64")
    assert readable_many(ints).tolist() == [readable(61), "", readable(-3605), readable(2 ** 62 + 1)]
    _same([-(2 ** 63)], np.array([-(2 ** 63)], dtype="int64"))  # its absolute value overflows int64
    _same([pd.NA, 3, 2.5, None, 2 ** 60 + 1])  # objects, one int beyond a float's 53 bits
    _same([2 ** 80, -(2 ** 70), 5])  # Python ints no int64 holds
    _same([True, False])
    _same([], pd.Series([], dtype="float64"))
    _same([], [])
    _same([3.0, 7.0], (v for v in [3.0, 7.0]))


def test_readable_many_keeps_the_index_and_raises_like_readable() -> None:
    s = pd.Series([3600.0, np.nan], index=[10, 3])
    assert readable_many(s).index.tolist() == [10, 3]
    with pytest.raises(OverflowError):
        readable(float("inf"))
    with pytest.raises(OverflowError):
        readable_many([1.0, float("inf")])
