"""core.dates: formats, day/month order votes, serials, offsets, nulls, and a written date is recovered."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import dates
from core.dates import NULL_TOKENS, DateReport, datetime_parse_rate, parse_datetime_column

T = pd.Timestamp


def parse_one(value: str, **kw: object) -> pd.Timestamp:
    out, _ = parse_datetime_column(pd.Series([value], dtype="str"), **kw)
    return out.iloc[0]


# --------------------------------------------------------------------------- one value, one format


@pytest.mark.parametrize(
    ("value", "order", "expected"),
    [
        ("2025-07-16 07:06:15", "auto", T("2025-07-16 07:06:15")),
        ("2025-07-16T07:06:15", "auto", T("2025-07-16 07:06:15")),
        ("2025-07-16 07:06", "auto", T("2025-07-16 07:06")),
        ("2025-07-16", "auto", T("2025-07-16")),
        ("2025/07/16 07:06:15", "auto", T("2025-07-16 07:06:15")),
        ("2025.7.6", "auto", T("2025-07-06")),
        ("2025-07-16T07:06:15.5", "auto", T("2025-07-16 07:06:15.500")),
        ("2025-07-16 07:06:15.123456", "auto", T("2025-07-16 07:06:15.123456")),
        ("16/07/2025 07:06:15", "auto", T("2025-07-16 07:06:15")),
        ("16/07/2025 07:06", "auto", T("2025-07-16 07:06")),
        ("6/7/2025 7:06", "day-first", T("2025-07-06 07:06")),
        ("6/7/2025 7:06", "month-first", T("2025-06-07 07:06")),
        ("16-07-2025", "auto", T("2025-07-16")),
        ("16.07.2025 23:59:59", "auto", T("2025-07-16 23:59:59")),
        ("16/07/25 07:06", "auto", T("2025-07-16 07:06")),
        ("01/02/69", "day-first", T("1969-02-01")),
        ("01/02/68", "day-first", T("2068-02-01")),
        ("07/16/2025 07:06:15 PM", "auto", T("2025-07-16 19:06:15")),
        ("07/16/2025 12:06 AM", "auto", T("2025-07-16 00:06")),
        ("07/16/2025 12:06pm", "auto", T("2025-07-16 12:06")),
        ("16 Jul 2025", "auto", T("2025-07-16")),
        ("16-Jul-2025 07:06", "auto", T("2025-07-16 07:06")),
        ("16 July 2025", "auto", T("2025-07-16")),
        ("Jul 16, 2025", "auto", T("2025-07-16")),
        ("2025-07-16T07:06:15Z", "auto", T("2025-07-16 07:06:15")),
        ("2025-07-16T07:06:15+03:00", "auto", T("2025-07-16 04:06:15")),
        ("2025-07-16 07:06:15-0500", "auto", T("2025-07-16 12:06:15")),
        ("2025-07-16T07:06:15.250+01:00", "auto", T("2025-07-16 06:06:15.250")),
        ("  16/07/2025 07:06:15 ", "auto", T("2025-07-16 07:06:15")),
    ],
)
def test_each_format_gives_its_instant(value: str, order: str, expected: pd.Timestamp) -> None:
    assert parse_one(value, order=order) == expected


@pytest.mark.parametrize(
    "value",
    ["31/02/2025", "2025-13-01", "16/07/2025 24:00", "16/07/2025 07:61", "tomorrow", "16/07/2025 07:06:15 XYZ",
     "2025-07-16 07:06:15.1234567", "12345", "13/13/2025"],
)
def test_impossible_or_unsupported_values_fail(value: str) -> None:
    out, report = parse_datetime_column(pd.Series([value, "2025-07-16"], dtype="str"), source_rows=np.array([7, 8]))
    assert pd.isna(out.iloc[0]) and report.failed == 1
    assert report.failed_rows == (7,) and report.failed_examples == (value,)


def test_values_the_c_strptime_would_bend_are_read_strictly() -> None:
    # pyarrow's strptime rolls 31 April or second 60 over and skips stray blanks; DuckDB refuses them
    values = ["16/07/2025 10:00:00", "31/04/2025 10:00:00", "29/02/2025 10:00:00", "29/02/2024 10:00:00",
              "16/07/2025 10:00:60", "16/07/2025 10:00:61", "16/ 7/2025 10:00:00", "16/07/2025  10:00:00",
              "16/07/202510:00:00", "16/07/25 10:00:00"]
    out, report = parse_datetime_column(pd.Series(values, dtype="str"))
    assert [None if pd.isna(v) else str(v) for v in out] == [
        "2025-07-16 10:00:00", None, None, "2024-02-29 10:00:00", None, None, None, "2025-07-16 10:00:00", None,
        "2025-07-16 10:00:00"]
    assert report.formats == {"DD/MM/YYYY HH:MM:SS": 3, "DD/MM/YY HH:MM:SS": 1} and report.failed == 6


def test_trailing_z_values_are_converted_and_checked() -> None:
    values = ["2025-07-16T07:06:15Z", "2025-03-30T01:30:00Z", "2025-07-16T07:06:60Z", "2025-02-29T07:06:15Z"]
    out, report = parse_datetime_column(pd.Series(values, dtype="str"), tz="Europe/Berlin")
    assert out.tolist()[:2] == [T("2025-07-16 09:06:15"), T("2025-03-30 03:30:00")] and out.iloc[2:].isna().all()
    assert report.formats == {"YYYY-MM-DDTHH:MM:SSZ": 2} and report.failed == 2


def test_result_dtype_index_and_input_untouched() -> None:
    values = pd.Series(["16/07/2025 07:06", None, "x"], index=[10, 11, 12], dtype="str")
    before = values.copy()
    out, report = parse_datetime_column(values, column="event_timestamp")
    assert str(out.dtype) == "datetime64[us]" and out.index.tolist() == [10, 11, 12]
    pd.testing.assert_series_equal(values, before)
    assert isinstance(report, DateReport) and report.column == "event_timestamp"
    assert (report.parsed, report.empty, report.failed) == (1, 1, 1)
    assert report.failed_rows == (2,)  # positions when no source rows are given


# --------------------------------------------------------------------------- the order of a column


def test_day_first_column_reports_its_formats() -> None:
    values = ["16/07/2025 07:06:15", "01/08/2025 09:00", "2025-08-03 10:11:12", "02/08/2025 10:00:01"]
    out, report = parse_datetime_column(pd.Series(values))
    assert report.order == "day-first"
    assert report.formats == {"DD/MM/YYYY HH:MM:SS": 2, "DD/MM/YYYY HH:MM": 1, "YYYY-MM-DD HH:MM:SS": 1}
    assert out.tolist() == [T("2025-07-16 07:06:15"), T("2025-08-01 09:00"), T("2025-08-03 10:11:12"),
                            T("2025-08-02 10:00:01")]


def test_month_first_column() -> None:
    out, report = parse_datetime_column(pd.Series(["07/16/2025", "08/01/2025", "2025-08-03"]))
    assert report.order == "month-first"
    assert out.tolist() == [T("2025-07-16"), T("2025-08-01"), T("2025-08-03")]


def test_ambiguous_column_uses_the_given_order_and_says_so() -> None:
    values = pd.Series(["03/04/2025", "05/06/2025"])
    out, report = parse_datetime_column(values)
    assert report.order == "ambiguous" and "day-first" in report.note
    assert out.tolist() == [T("2025-04-03"), T("2025-06-05")]
    out, report = parse_datetime_column(values, order="month-first")
    assert report.order == "month-first"
    assert out.tolist() == [T("2025-03-04"), T("2025-05-06")]


def test_conflicting_column_parses_with_the_majority_and_lists_the_minority() -> None:
    values = pd.Series(["16/07/2025", "17/07/2025", "18/07/2025", "07/19/2025", "03/04/2025"])
    out, report = parse_datetime_column(values, source_rows=np.arange(2, 7))
    assert report.order == "conflicting"
    assert "3 values can only be day-first and 1 only month-first" in report.note
    assert "rows 5" in report.note
    assert report.failed_rows == (5,)
    assert out.iloc[4] == T("2025-04-03")


def test_iso_is_never_swapped_even_in_a_month_first_column() -> None:
    out, report = parse_datetime_column(pd.Series(["07/16/2025", "2025-07-03"]))
    assert report.order == "month-first"
    assert out.iloc[1] == T("2025-07-03")
    out, report = parse_datetime_column(pd.Series(["2025-07-03", "2025-01-02"]))
    assert report.order == "iso" and out.tolist() == [T("2025-07-03"), T("2025-01-02")]


# --------------------------------------------------------------------------- serials, native, offsets, nulls


@pytest.mark.parametrize(
    ("serial", "epoch1904", "expected"),
    [
        (1, False, T("1900-01-01")),
        (59, False, T("1900-02-28")),
        (60, False, pd.NaT),  # Lotus's 29 February 1900
        (61, False, T("1900-03-01")),
        (45854.296006944445, False, T("2025-07-16 07:06:15")),
        (45854.5, False, T("2025-07-16 12:00")),
        (0, True, T("1904-01-01")),
        (44392.296006944445, True, T("2025-07-16 07:06:15")),
        (0.5, False, pd.NaT),
        (-3, False, pd.NaT),
    ],
)
def test_excel_serials(serial: float, epoch1904: bool, expected: pd.Timestamp) -> None:
    out, report = parse_datetime_column(pd.Series([serial]), serials=True, epoch1904=epoch1904)
    assert (pd.isna(out.iloc[0]) and pd.isna(expected)) or out.iloc[0] == expected
    as_text, _ = parse_datetime_column(pd.Series([repr(serial)], dtype="str"), serials=True, epoch1904=epoch1904)
    assert (pd.isna(as_text.iloc[0]) and pd.isna(expected)) or as_text.iloc[0] == expected
    if pd.isna(expected) and serial == 60:
        assert "leap-year bug" in report.note


def test_numbers_are_not_dates_unless_asked() -> None:
    out, report = parse_datetime_column(pd.Series([45853.5, 12.0]))
    assert out.isna().all() and report.failed == 2 and report.order != "serial"
    _, report = parse_datetime_column(pd.Series([45853.5, 45854.0]), serials=True)
    assert report.order == "serial" and report.formats == {"Excel serial (1900 epoch)": 2}


def test_native_datetimes_pass_through() -> None:
    values = pd.Series(pd.to_datetime(["2025-07-16 07:06:15", None]))
    out, report = parse_datetime_column(values)
    assert report.order == "native" and (report.parsed, report.empty) == (1, 1)
    assert str(out.dtype) == "datetime64[us]" and out.iloc[0] == T("2025-07-16 07:06:15")
    aware = pd.Series(pd.to_datetime(["2025-07-16 07:06:15+03:00"], utc=True))
    out, _ = parse_datetime_column(aware, tz="Africa/Nairobi")
    assert out.iloc[0] == T("2025-07-16 07:06:15")


def test_offsets_are_converted_to_the_chosen_zone_and_naive_values_kept() -> None:
    values = pd.Series(["2025-07-16T07:06:15Z", "2025-07-16T07:06:15+03:00", "2025-07-16 07:06:15"])
    out, report = parse_datetime_column(values, tz="Africa/Nairobi")
    assert out.tolist() == [T("2025-07-16 10:06:15"), T("2025-07-16 07:06:15"), T("2025-07-16 07:06:15")]
    assert report.formats == {"YYYY-MM-DD HH:MM:SS": 1, "YYYY-MM-DDTHH:MM:SSZ": 1, "YYYY-MM-DDTHH:MM:SS±HH:MM": 1}
    # Across a daylight-saving change: the offset decides the instant, the zone the wall time.
    out, _ = parse_datetime_column(pd.Series(["2025-03-30T00:30:00Z", "2025-03-30T01:30:00Z"]), tz="Europe/Paris")
    assert out.tolist() == [T("2025-03-30 01:30"), T("2025-03-30 03:30")]


def test_null_tokens_are_empty_not_failed() -> None:
    values = pd.Series([*NULL_TOKENS, "NULL", " N/A ", None, np.nan, "16/07/2025"], dtype=object)
    out, report = parse_datetime_column(values)
    assert report.empty == len(values) - 1 and report.failed == 0 and report.parsed == 1


# --------------------------------------------------------------------------- a written date is recovered

DAY_FIRST = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%-d/%-m/%Y %-H:%M", "%d-%m-%Y %H:%M:%S", "%d.%m.%Y",
             "%d/%m/%y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d", "%d %b %Y %H:%M",
             "%d-%b-%Y", "%b %d, %Y", "%Y-%m-%dT%H:%M:%S.%f", "%Y-%m-%dT%H:%M:%SZ", "%Y/%m/%d %H:%M"]
MONTH_FIRST = ["%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %I:%M:%S%p", "%-m/%-d/%y", "%m-%d-%Y %H:%M",
               "%Y-%m-%d %H:%M:%S", "%d %B %Y"]


def _truncate(dt: datetime, fmt: str) -> datetime:
    """The instant a format can carry: minutes where seconds are dropped, days for dates only."""
    if not re.search(r"%-?[HI]", fmt):
        return dt.replace(hour=0, minute=0, second=0, microsecond=0)
    if "%S" not in fmt:
        return dt.replace(second=0, microsecond=0)
    return dt if "%f" in fmt else dt.replace(microsecond=0)


instants = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2068, 12, 31))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(instants, st.sampled_from(DAY_FIRST)), min_size=1, max_size=40))
def test_written_dates_are_recovered_day_first(pairs: list[tuple[datetime, str]]) -> None:
    _check_recovered(pairs, "day-first")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(instants, st.sampled_from(MONTH_FIRST)), min_size=1, max_size=40))
def test_written_dates_are_recovered_month_first(pairs: list[tuple[datetime, str]]) -> None:
    _check_recovered(pairs, "month-first")


def _check_recovered(pairs: list[tuple[datetime, str]], order: str) -> None:
    values = pd.Series([dt.strftime(fmt) for dt, fmt in pairs], dtype="str")
    out, report = parse_datetime_column(values, order=order)
    assert report.failed == 0, report.failed_examples
    assert out.tolist() == [T(_truncate(dt, fmt)) for dt, fmt in pairs]


@settings(max_examples=40, deadline=None)
@given(instants, st.integers(min_value=-12 * 4, max_value=14 * 4))
def test_offsets_are_recovered_as_utc(dt: datetime, quarters: int) -> None:
    offset = timezone(timedelta(minutes=15 * quarters))
    written = dt.replace(microsecond=0, tzinfo=offset).isoformat()
    expected = dt.replace(microsecond=0, tzinfo=offset).astimezone(timezone.utc).replace(tzinfo=None)
    assert parse_one(written) == T(expected)


# --------------------------------------------------------------------------- role detection and speed


@pytest.mark.parametrize(
    ("values", "rate"),
    [
        (["2025-07-16", "16/07/2025 07:06", None], 1.0),
        (["2025-07-16", "oops"], 0.5),
        (["OPEN", "CLOSED"], 0.0),
        ([1.0, 2.0], 0.0),
    ],
)
def test_datetime_parse_rate(values: list[object], rate: float) -> None:
    assert datetime_parse_rate(pd.Series(values)) == rate


def test_parse_rate_of_native_dates_is_one() -> None:
    assert datetime_parse_rate(pd.Series(pd.to_datetime(["2025-07-16"]))) == 1.0


def test_a_large_column_is_parsed_vectorised() -> None:
    n = 200_000
    instants_ = pd.Series(pd.to_datetime(np.random.default_rng(3).integers(1.7e9, 1.75e9, n), unit="s"))
    text = instants_.dt.strftime("%d/%m/%Y %H:%M:%S").where(np.arange(n) % 3 > 0, instants_.dt.strftime("%Y-%m-%d %H:%M:%S"))
    out, report = parse_datetime_column(text.astype("str"))  # speed: `make bench`, never here
    assert report.failed == 0 and (out == instants_.astype("datetime64[us]")).all()


# --------------------------------------------------------------------------- values the sample does not see

N_PAST_SAMPLE = 2 * dates._SAMPLE + 2  # the sample takes every other value at this size; odd positions never


def test_order_revealed_only_past_the_sample_is_used() -> None:
    values = np.full(N_PAST_SAMPLE, "03/04/2025", dtype=object)
    values[1] = "04/25/2025"
    out, report = parse_datetime_column(pd.Series(values, dtype="str"))
    assert report.order == "month-first" and report.failed == 0
    assert out.iloc[0] == T("2025-03-04") and out.iloc[1] == T("2025-04-25")


def test_format_seen_only_past_the_sample_is_read() -> None:
    values = np.full(N_PAST_SAMPLE, "2025-07-16", dtype=object)
    values[3] = "16 Jul 2025 07:06"
    out, report = parse_datetime_column(pd.Series(values, dtype="str"))
    assert report.formats == {"YYYY-MM-DD": N_PAST_SAMPLE - 1, "DD Mon YYYY HH:MM": 1}
    assert out.iloc[3] == T("2025-07-16 07:06")


def test_conflict_won_by_the_order_the_sample_missed() -> None:
    values = np.full(N_PAST_SAMPLE, "03/04/2025", dtype=object)
    values[0] = "16/07/2025"  # the sample's only decisive value says day-first
    values[1:8:2] = "07/16/2025"  # four unsampled values say month-first
    out, report = parse_datetime_column(pd.Series(values, dtype="str"), source_rows=np.arange(N_PAST_SAMPLE) + 2)
    assert report.order == "conflicting" and "read as month-first" in report.note
    assert "1 values in the other order did not parse (rows 2)" in report.note
    assert report.failed_rows == (2,) and out.iloc[1] == T("2025-07-16") and out.iloc[2] == T("2025-03-04")


def test_unknown_zone_or_order_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        parse_datetime_column(pd.Series(["2025-07-16"]), tz="Mars/Olympus")
    with pytest.raises(ValueError, match="order must be one of"):
        parse_datetime_column(pd.Series(["2025-07-16"]), order="year-first")


# --------------------------------------------------------------------------- fixed-width values read in numpy

FIXED_FORMATS = ("%d/%m/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%d.%m.%Y",
                 "%Y/%m/%d")


def _written(fmt: str, fields: dict[str, int]) -> str:
    widths = {"%Y": 4, "%m": 2, "%d": 2, "%H": 2, "%M": 2, "%S": 2}
    return re.sub(r"%[YmdHMS]", lambda m: str(fields[m.group()]).zfill(widths[m.group()]), fmt)


# any digits in every field, so impossible days, hours, minutes and seconds come up too
fields_any = st.fixed_dictionaries({"%Y": st.sampled_from([0, 1, 99, 1600, 1899, 1900, 1970, 2000, 2024, 2025, 2100, 9999])
                                           | st.integers(0, 9999),
                                    "%m": st.integers(0, 13), "%d": st.integers(0, 32), "%H": st.integers(0, 25),
                                    "%M": st.integers(0, 61), "%S": st.integers(0, 61)})


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(FIXED_FORMATS), st.lists(fields_any, min_size=1, max_size=60))
def test_fixed_width_values_read_in_numpy_are_what_duckdb_reads(fmt: str, rows: list[dict[str, int]]) -> None:
    import duckdb
    import pyarrow as pa

    values = [_written(fmt, r) for r in rows]
    arr = pa.array(values, pa.large_string())
    layout = dates._fixed_layout(fmt)
    assert layout is not None
    at, us = dates._read_fixed(arr, layout, np.ones(len(values), bool))
    read = dict(zip(at.tolist(), us.astype("datetime64[us]").tolist()))
    with duckdb.connect() as con:  # a private database, as the product's queries use
        expected = con.sql("select try_strptime(v, $f) as t from (select unnest($v) as v)",
                           params={"f": fmt, "v": values}).fetchall()
    for i, (duck,) in enumerate(expected):
        if i in read:  # what numpy reads, DuckDB reads the same way
            assert read[i] == duck, values[i]
        elif duck is not None:  # numpy leaves only values DuckDB refuses, or years it does not take (0000)
            assert rows[i]["%Y"] == 0, values[i]


def test_fixed_width_values_take_no_other_path() -> None:
    import pyarrow as pa

    arr = pa.array(["05/07/2025 10:11:12", "5/07/2025 10:11:12", "31/04/2025 10:11:12", "05/07/2025 10:11:60",
                    "05/07/2025 24:00:00", None, "29/02/2024 00:00:00", "29/02/2023 00:00:00", "05/07/2025 10:11:1x"],
                   pa.large_string())
    at, us = dates._read_fixed(arr, dates._fixed_layout("%d/%m/%Y %H:%M:%S"), np.asarray(arr.is_valid()))
    assert at.tolist() == [0, 6]
    assert us.astype("datetime64[us]").tolist() == [datetime(2025, 7, 5, 10, 11, 12), datetime(2024, 2, 29)]


def _mixed_column(draw_values: list[tuple[str, dict[str, int], bool]]) -> pd.Series:
    out = []
    for fmt, fields, padded in draw_values:
        text = _written(fmt, fields)
        out.append(text if padded else re.sub(r"\b0(\d)", r"\1", text))
    return pd.Series(out, dtype="str")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(FIXED_FORMATS + ("%d/%m/%y %H:%M", "%Y-%m-%d %H:%M:%SZ")), fields_any,
                          st.booleans()), min_size=1, max_size=50),
       st.sampled_from(["auto", "day-first", "month-first"]))
def test_the_numpy_reading_changes_no_result(values: list[tuple[str, dict[str, int], bool]], order: str) -> None:
    column = _mixed_column(values)
    fast, fast_report = parse_datetime_column(column, order=order)
    original = dates._fixed_layout
    dates._fixed_layout = lambda strptime: None  # every value through strptime, its checks and DuckDB
    try:
        slow, slow_report = parse_datetime_column(column, order=order)
    finally:
        dates._fixed_layout = original
    pd.testing.assert_series_equal(fast, slow)
    assert fast_report == slow_report


def test_a_column_of_several_arrow_chunks_is_read_with_its_null_tokens() -> None:
    import pyarrow as pa

    chunks = pa.chunked_array([pa.array(["05/07/2025 10:11", " n/a "], pa.large_string()),
                               pa.array(["2025-07-16 07:06:15", "0000-00-00", "later"], pa.large_string())])
    out, report = parse_datetime_column(pd.Series(pd.arrays.ArrowStringArray(chunks)))
    assert out.tolist()[:3] == [T("2025-07-05 10:11"), pd.NaT, T("2025-07-16 07:06:15")]
    assert (report.empty, report.failed, report.failed_examples) == (2, 1, ("later",))


@pytest.mark.parametrize("values", [
    ["05/07/2025 10:11:12", "06/07/2025 10:11:13", "31/04/2025 10:11:12", "07/07/2025 00:00:00", "08/07/2025 23:59:59"],
    ["05/07/2025 10:11:12", "5/7/2025 10:11", None, "06/07/2025 10:11:13", "07/07/2025 10:11:14", "x"],
])
def test_fixed_width_values_are_read_block_by_block(monkeypatch: pytest.MonkeyPatch, values: list[str | None]) -> None:
    import pyarrow as pa

    arr = pa.array(values, pa.large_string())
    layout = dates._fixed_layout("%d/%m/%Y %H:%M:%S")
    whole = dates._read_fixed(arr, layout, np.asarray(arr.is_valid()))
    monkeypatch.setattr(dates, "_FIXED_BLOCK", 2)  # blocks of two: slices (all fixed) or takes (mixed)
    blocks = dates._read_fixed(arr, layout, np.asarray(arr.is_valid()))
    assert [a.tolist() for a in blocks] == [a.tolist() for a in whole]
    assert len(whole[0]) == sum(1 for v in values if v and len(v) == 19 and not v.startswith("31/04"))


@pytest.mark.parametrize("value", ["05/07/2025 24:00:00", "31/04/2025 10:00", "30/02/2024 10:00", "29/02/2023 10:00",
                                   "05/07/2025 10:11:60", "5/7/2025 24:00", "31/4/2025 10:00", "2025-04-31 10:00:00",
                                   "2025-07-05T10:60"])
def test_an_instant_that_does_not_exist_is_unreadable_not_rolled_over(value: str) -> None:
    column = pd.Series([value, "13/07/2025 10:00"], dtype="str")
    out, report = parse_datetime_column(column)
    assert pd.isna(out.iloc[0]) and out.iloc[1] == T("2025-07-13 10:00")
    assert (report.failed, report.failed_examples) == (1, (value,))
