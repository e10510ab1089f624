"""Detect each timestamp column's format(s) and day/month order, then parse it with explicit formats, vectorised."""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core import textbytes

__all__ = ["DateReport", "NULL_TOKENS", "SUPPORTED_FORMATS", "datetime_parse_rate", "parse_datetime_column"]

# Cells that mean "no date": counted as empty, never as failed.
NULL_TOKENS = ("", "n/a", "na", "#n/a", "null", "none", "nil", "?", "-", "--", "0000-00-00",
               "0000-00-00 00:00:00", "00/00/0000", "nat", "nan")

# Human-readable list of what the shape grammar below accepts (for docs and the UI).
SUPPORTED_FORMATS = (
    "YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD (ISO order, never swapped)",
    "DD/MM/YYYY or MM/DD/YYYY with / - or . separators, 2- or 4-digit years (order decided per column)",
    "DD Mon YYYY, DD-Mon-YYYY, Mon DD, YYYY (English month names)",
    "each optionally followed by ' ' or 'T' and HH:MM, HH:MM:SS or HH:MM:SS.ffffff (1-6 digits)",
    "12-hour times with AM/PM (with or without a space)",
    "a trailing Z, ±HH:MM, ±HHMM or ±HH offset (converted to the chosen time zone)",
    "Excel serial day numbers, when the caller says the column holds dates (serials=True)",
)

_DATE_ORDERS = ("auto", "day-first", "month-first")


@dataclass(frozen=True)
class DateReport:
    """How one column's dates were read.

    ``order`` is native | iso | day-first | month-first | ambiguous | conflicting | serial;
    ``formats`` maps a readable format ('DD/MM/YYYY HH:MM:SS') to how many values it parsed;
    ``failed_rows`` are source row numbers (first 1000) of non-empty values that did not parse.
    ``inferred_from``: set when the values could not tell day and month apart and the column took
    the order of these other date columns of the file.
    """

    column: str
    order: str
    formats: dict[str, int]
    parsed: int
    empty: int
    failed: int
    failed_rows: tuple[int, ...]
    failed_examples: tuple[str, ...]
    note: str
    inferred_from: tuple[str, ...] = ()  # the file's other date columns whose order this one took (see core.pipeline)


# --------------------------------------------------------------------------- shape grammar

# A value's shape is the value with every digit replaced by '9': a column has few distinct
# shapes, so the format of each shape is decided once, in Python, and the values are parsed
# by DuckDB with that one explicit format. No value is ever guessed on its own.
_SHAPE = re.compile(
    r"^(?:"
    r"(?P<iso>9999(?P<isep>[-/.])99?(?P=isep)99?)"
    r"|(?P<num>(?P<f1>99?)(?P<nsep>[-/.])(?P<f2>99?)(?P=nsep)(?P<ny>9999|99))"
    r"|(?P<dmon>99?(?P<msep>[- ])(?P<mon>[A-Za-z]{3,9})(?P=msep)(?P<my>9999|99))"
    r"|(?P<mond>(?P<mon2>[A-Za-z]{3,9}) 99?, (?P<my2>9999))"
    r")(?:(?P<tsep>[ T]|, )(?P<hh>99?):99(?P<sec>:99(?P<frac>\.9{1,6})?)?"
    r"(?P<ampm> ?[AaPp][Mm])?(?P<tz>Z| ?[+-]99(?::?99)?)?)?$"
)
_SERIAL_SHAPE = re.compile(r"^-?9+(?:\.9+)?$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class _Format:
    """The explicit format of one shape, for DuckDB (strptime) and for people (label)."""

    strptime: str
    label: str
    kind: str  # iso | numeric | named | serial
    offset: str  # "" | "Z" | "z": whether the value carries its own UTC offset


def _format_for_shape(shape: str, day_first: bool) -> _Format | None:
    """The one explicit format a value of this shape is read with, or None if unsupported.

    Role detection shows this every text column's shapes (titles with digits masked): only the
    shapes the date grammar accepts go on to the process-wide cache, so it never keeps cell text.
    """
    m = _SHAPE.match(shape)
    if m is None or _date_part(m, day_first)[0] is None:
        return None
    return _format_for_date_shape(shape, day_first)


# user-data-free: only date shapes reach it (digits masked as 9, separators, English month
# names, AM/PM, offsets), never other cell text; shared by all sessions on purpose.
@lru_cache(maxsize=4096)
def _format_for_date_shape(shape: str, day_first: bool) -> _Format:
    m = _SHAPE.match(shape)
    assert m is not None
    date_fmt, date_label, kind = _date_part(m, day_first)
    assert date_fmt is not None
    time_fmt, time_label, offset = _time_part(m)
    return _Format(date_fmt + time_fmt, date_label + time_label, kind, offset)


def _date_part(m: re.Match[str], day_first: bool) -> tuple[str | None, str, str]:
    if m["iso"]:
        s = m["isep"]
        return f"%Y{s}%m{s}%d", f"YYYY{s}MM{s}DD", "iso"
    if m["num"]:
        s, (yf, yl) = m["nsep"], (("%Y", "YYYY") if len(m["ny"]) == 4 else ("%y", "YY"))
        if day_first:
            return f"%d{s}%m{s}{yf}", f"DD{s}MM{s}{yl}", "numeric"
        return f"%m{s}%d{s}{yf}", f"MM{s}DD{s}{yl}", "numeric"
    mon = (m["mon"] or m["mon2"]).lower()
    if mon[:3] not in _MONTHS or (len(mon) > 3 and not _is_full_month(mon)):
        return None, "", ""
    bf, bl = ("%b", "Mon") if len(mon) == 3 else ("%B", "Month")
    if m["dmon"]:
        s, (yf, yl) = m["msep"], (("%Y", "YYYY") if len(m["my"]) == 4 else ("%y", "YY"))
        return f"%d{s}{bf}{s}{yf}", f"DD{s}{bl}{s}{yl}", "named"
    return f"{bf} %d, %Y", f"{bl} DD, YYYY", "named"


def _is_full_month(name: str) -> bool:
    import calendar

    return name in {calendar.month_name[i].lower() for i in range(1, 13)}


def _time_part(m: re.Match[str]) -> tuple[str, str, str]:
    if not m["tsep"]:
        return "", "", ""
    twelve = bool(m["ampm"])
    fmt, label = m["tsep"] + ("%I" if twelve else "%H") + ":%M", m["tsep"] + ("hh" if twelve else "HH") + ":MM"
    if m["sec"]:
        fmt, label = fmt + ":%S", label + ":SS"
    if m["frac"]:
        fmt, label = fmt + ".%f", label + "." + "f" * (len(m["frac"]) - 1)
    if twelve:
        space = " " if m["ampm"].startswith(" ") else ""
        fmt, label = fmt + space + "%p", label + space + "AM/PM"
    offset = ""
    if m["tz"]:
        space = " " if m["tz"].startswith(" ") else ""
        tz = m["tz"].strip()
        offset = "Z" if tz == "Z" else "z"
        fmt += space + ("Z" if tz == "Z" else "%z")
        label += space + ("Z" if tz == "Z" else ("±HH:MM" if ":" in tz else ("±HHMM" if len(tz) == 5 else "±HH")))
    return fmt, label, offset


# --------------------------------------------------------------------------- public API


def parse_datetime_column(
    values: pd.Series,
    *,
    source_rows: np.ndarray | pd.Series | None = None,
    order: str = "auto",
    tz: str = "UTC",
    serials: bool = False,
    epoch1904: bool = False,
    column: str = "",
) -> tuple[pd.Series, DateReport]:
    """Parse one column to naive ``datetime64[us]`` in ``tz`` and report how.

    The day/month order is decided for the whole column (``order="auto"``) by the values whose
    first or second field exceeds 12; ISO dates are never swapped. Values with a UTC offset
    are converted to ``tz``; values without one are taken as already in ``tz`` (so they are
    never localized and daylight-saving gaps or overlaps cannot arise). ``failed_rows`` are
    ``source_rows`` entries, or 0-based positions in ``values`` when none are given.

    >>> s, r = parse_datetime_column(pd.Series(["16/07/2025 07:06:15", "01/08/2025 09:00", "N/A"]))
    >>> s.tolist()[:2], r.order, r.empty
    ([Timestamp('2025-07-16 07:06:15'), Timestamp('2025-08-01 09:00:00')], 'day-first', 1)
    """
    if order not in _DATE_ORDERS:
        raise ValueError(f"order must be one of {', '.join(_DATE_ORDERS)}")
    _check_zone(tz)
    rows = _row_numbers(values, source_rows)
    index = values.index
    if values.dtype.kind == "M" or isinstance(values.dtype, pd.DatetimeTZDtype):
        return _native(values, rows, tz, column)
    if values.dtype.kind in "iuf" or str(values.dtype) in ("Int64", "Float64", "Int32"):
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        return _numeric(numbers, index, rows, serials, epoch1904, column)
    return _text(_clean_text(values), index, rows, order, tz, serials, epoch1904, column)


def datetime_parse_rate(values: pd.Series) -> float:
    """Share (0..1) of non-empty values in a sample of up to 500 that parse as dates; for role detection.

    >>> datetime_parse_rate(pd.Series(["2025-07-16", "oops", None]))
    0.5
    """
    if values.dtype.kind == "M" or isinstance(values.dtype, pd.DatetimeTZDtype):
        return 1.0 if values.notna().any() else 0.0
    if values.dtype.kind in "iufb":
        return 0.0  # bare numbers are ids or counts unless the caller says they are serials
    sample = values.dropna()
    if len(sample) > 500:
        sample = sample.iloc[np.linspace(0, len(sample) - 1, 500).astype(int)]
    _, report = parse_datetime_column(sample.reset_index(drop=True))
    denominator = report.parsed + report.failed
    return report.parsed / denominator if denominator else 0.0


# --------------------------------------------------------------------------- native and numeric input


def _check_zone(tz: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{tz}'; use an IANA name such as 'UTC' or 'Africa/Nairobi'") from None


def _row_numbers(values: pd.Series, source_rows: np.ndarray | pd.Series | None) -> np.ndarray:
    if source_rows is None:
        return np.arange(len(values), dtype=np.int64)
    rows = np.asarray(source_rows, dtype=np.int64)
    if len(rows) != len(values):
        raise ValueError("source_rows must have one entry per value")
    return rows


def _native(values: pd.Series, rows: np.ndarray, tz: str, column: str) -> tuple[pd.Series, DateReport]:
    s = values
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert(tz).dt.tz_localize(None)
    out = s.astype("datetime64[us]")
    empty = int(out.isna().sum())
    parsed = len(out) - empty
    report = DateReport(column, "native", {"date cells": parsed} if parsed else {}, parsed, empty, 0, (), (),
                        "stored as dates in the file; no format to detect")
    return out, report


def _numeric(numbers: np.ndarray, index: pd.Index, rows: np.ndarray, serials: bool, epoch1904: bool,
             column: str) -> tuple[pd.Series, DateReport]:
    empty_mask = np.isnan(numbers)
    out = _serials_to_datetime(numbers, epoch1904) if serials else np.full(len(numbers), np.datetime64("NaT", "us"))
    failed = ~empty_mask & np.isnat(out)
    parsed = int((~np.isnat(out)).sum())
    label = f"Excel serial ({'1904' if epoch1904 else '1900'} epoch)"
    note = ("numbers read as Excel serial day numbers" if serials
            else "the column holds plain numbers; they are read as dates only when the column is a date role")
    if empty_mask.all():
        note = "the column has no values"
    if serials and not epoch1904 and np.any(numbers == 60):
        note += "; serial 60 is 29 February 1900, a day that never existed (Excel's leap-year bug), so it failed"
    examples = tuple(dict.fromkeys(_number_text(x) for x in numbers[failed][:50]))[:5]
    report = DateReport(column, "serial" if serials else "ambiguous", {label: parsed} if parsed else {}, parsed,
                        int(empty_mask.sum()), int(failed.sum()), tuple(int(r) for r in rows[failed][:1000]),
                        examples, note)
    return pd.Series(out, index=index, dtype="datetime64[us]"), report


def _number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


_MAX_SERIAL = 2_958_465  # 9999-12-31


def _serials_to_datetime(serial: np.ndarray, epoch1904: bool) -> np.ndarray:
    """Excel day numbers to datetime64[us], rounded to the millisecond as Excel displays them.

    The 1900 system keeps Lotus's bug: serial 60 is 29 February 1900, a day that never
    existed, so it fails; serials below 60 count from 1899-12-31, later ones from 1899-12-30.
    Serials below 1 are times of day without a date and fail too.
    """
    serial = np.asarray(serial, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        if epoch1904:
            base = np.datetime64("1904-01-01", "us")
            valid = (serial >= 0) & (serial <= _MAX_SERIAL - 1462)
        else:
            base = np.where(serial < 60, np.datetime64("1899-12-31", "us"), np.datetime64("1899-12-30", "us"))
            valid = (serial >= 1) & (serial <= _MAX_SERIAL) & ~((serial >= 60) & (serial < 61))
    ms = np.round(np.where(valid, serial, 0) * 86_400_000).astype(np.int64)
    out = base + (ms * 1000).astype("timedelta64[us]")
    return np.where(valid, out, np.datetime64("NaT", "us"))


# --------------------------------------------------------------------------- text input


def _clean_text(values: pd.Series) -> pa.Array:
    """Trimmed text with the null tokens turned into nulls."""
    if values.dtype == object:
        values = values.map(lambda v: v if v is None or isinstance(v, str) else _object_text(v), na_action="ignore")
    arr = pa.array(values.astype("str"), from_pandas=True, type=pa.large_string())
    arr = pc.utf8_trim_whitespace(arr)
    if isinstance(arr, pa.ChunkedArray):  # a pandas column of several Arrow chunks
        arr = arr.combine_chunks()
    maybe = _maybe_null_tokens(arr)  # lower-casing and looking up every value cost 0.03 s per million
    if not len(maybe):
        return arr
    is_token = pc.is_in(pc.utf8_lower(arr.take(pa.array(maybe))), value_set=pa.array(NULL_TOKENS, pa.large_string()))
    tokens = maybe[np.asarray(pc.fill_null(is_token, False).to_numpy(zero_copy_only=False))]
    if not len(tokens):
        return arr
    mask = np.zeros(len(arr), bool)
    mask[tokens] = True
    return pc.if_else(pa.array(mask), pa.scalar(None, pa.large_string()), arr)


def _maybe_null_tokens(arr: pa.Array) -> np.ndarray:
    """Positions of the non-null values of a large_string array that could be null tokens, from their bytes.

    No token starts with a digit 1-9, or with 0 and a digit 1-9, in any case (only ASCII letters
    lower-case to a token's first letter): most dates do, and are not looked up.

    >>> _maybe_null_tokens(pa.array(["05/07/2025", "N/A", "", None, "0000-00-00", "2025-07-05"], pa.large_string())).tolist()
    [1, 2, 4]
    """
    length, (first, second) = textbytes.leading_bytes(arr, 2)
    first_1_9 = (first >= 0x31) & (first <= 0x39)
    zero_then_1_9 = (first == 0x30) & (second >= 0x31) & (second <= 0x39)
    maybe = ~(((length >= 1) & first_1_9) | ((length >= 2) & zero_then_1_9))
    if arr.null_count:
        maybe &= np.asarray(arr.is_valid().to_numpy(zero_copy_only=False))
    return np.flatnonzero(maybe)


def _object_text(v: object) -> str:
    """Text for a non-string object cell; datetimes as ISO so they are never swapped."""
    if isinstance(v, pd.Timestamp) or hasattr(v, "isoformat"):
        return v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()  # type: ignore[attr-defined]
    return str(v)


def _text(arr: pa.Array, index: pd.Index, rows: np.ndarray, order: str, tz: str, serials: bool, epoch1904: bool,
          column: str) -> tuple[pd.Series, DateReport]:
    from core import db

    sample = _sample(arr)
    day_first = order == "day-first" if order != "auto" else _sample_day_first(sample)
    with db.cursor() as con:  # rows come back in input order (core.db)
        con.register("t", pa.table({"v": arr}))
        parsed = _parse_all(con, arr, Counter(v.translate(_DIGITS) for v in sample), day_first, serials, tz, epoch1904)
        decision = _decide_order(con, arr, parsed, order, day_first)
        if decision.day_first != day_first:  # the sample pointed the wrong way: parse again the other way
            parsed = _parse_all(con, arr, parsed.shapes, decision.day_first, serials, tz, epoch1904)
            if decision.order == "conflicting":
                losers = _other_order_positions(con, arr, parsed, not decision.day_first)
                decision = replace(decision, losers=tuple(int(p) for p in losers[:1000]))
    return _text_report(arr, index, rows, parsed, decision, epoch1904, column)


_DIGITS = str.maketrans("0123456789", "9999999999")
_SAMPLE = 5_000  # a first guess only: formats it misses and the whole column's votes are found in SQL
_NUMERIC_DATE = re.compile(r"^(\d\d?)[-/.](\d\d?)[-/.]\d")


def _sample(arr: pa.Array) -> list[str]:
    present = arr.drop_null()
    return present[:: max(1, len(present) // _SAMPLE)].to_pylist()


def _sample_day_first(sample: list[str]) -> bool:
    """A first guess of the order from the sample; the whole column's votes confirm or overturn it."""
    day = month = 0
    for v in sample:
        if m := _NUMERIC_DATE.match(v):
            day += int(m[1]) > 12 >= int(m[2])
            month += int(m[2]) > 12 >= int(m[1])
    return day >= month


@dataclass
class _Parsed:
    """Per value: ``k`` the 1-based index into ``formats`` that read it (0 = none) and the instant."""

    formats: list[_Format]
    k: np.ndarray
    ts: np.ndarray
    shapes: Counter[str]


def _parse_all(con: object, arr: pa.Array, shapes: Counter[str], day_first: bool, serials: bool, tz: str,
               epoch1904: bool) -> _Parsed:
    """Parse with the sample's formats, then find the shapes of what is left and parse those rows too.

    Computing the shape of every value costs ~0.5 s per million, so it is done only for the
    (usually few) values that no format seen in the sample can read.
    """
    formats = _formats_in_use(shapes, day_first, serials, epoch1904)
    k, ts = _read(con, arr, formats, tz)
    left = np.flatnonzero(np.isnat(ts) & ~np.asarray(arr.is_null().to_numpy(zero_copy_only=False)))
    if len(left):
        rest = arr.take(pa.array(left))
        con.register("rest", pa.table({"v": rest}))  # type: ignore[attr-defined]
        more = _shapes_of(con, "rest")
        shapes = shapes + more
        extra = [f for f in _formats_in_use(more, day_first, serials, epoch1904) if f not in formats]
        if extra:
            k2, ts2 = _read(con, rest, extra, tz)
            hit = k2 > 0
            k[left[hit]] = k2[hit] + len(formats)
            ts[left[hit]] = ts2[hit]
            formats = formats + extra
    serial = [i for i, f in enumerate(formats, start=1) if f.kind == "serial"]
    if serial:
        is_serial = k == serial[0]
        numbers = pc.cast(pc.if_else(pa.array(is_serial), arr, None), pa.float64())
        ts = np.where(is_serial, _serials_to_datetime(numbers.to_numpy(zero_copy_only=False), epoch1904), ts)
    return _Parsed(formats, k, ts, shapes)


def _shapes_of(con: object, table: str) -> Counter[str]:
    # A mechanical helper query built per call, like the strptime cascade; not a report query for sql/.
    sql = (f"select translate(v, '0123456789', '9999999999') as shape, count(*) as n from {table} "
           "group by shape order by n desc, shape limit 5000")
    return Counter({shape: int(n) for shape, n in con.execute(sql).fetchall()})  # type: ignore[attr-defined]


def _formats_in_use(shapes: Counter[str], day_first: bool, serials: bool, epoch1904: bool) -> list[_Format]:
    """The distinct formats of these shapes, most frequent first (strict %y ones before %Y)."""
    weight: Counter[_Format] = Counter()
    for shape, n in shapes.items():
        if (f := _format_for_shape(shape, day_first)) is not None:
            weight[f] += n
        elif serials and _SERIAL_SHAPE.match(shape):
            weight[_Format("", f"Excel serial ({'1904' if epoch1904 else '1900'} epoch)", "serial", "")] += n
    # DuckDB's %Y also reads a 2-digit year (as year 25): try the strict %y formats first.
    return sorted(weight, key=lambda f: (f.kind == "serial", "%y" not in f.strptime, -weight[f], f.strptime))


def _parse(con: object, table: str, formats: list[_Format], tz: str) -> tuple[np.ndarray, np.ndarray]:
    """For each row of ``table``, the 1-based index of the first format that reads it (0 = none) and the instant.

    Serial numbers are only recognised here; their instants are computed in numpy afterwards.
    """
    whens, branches = [], []
    for i, f in enumerate(formats, start=1):
        if f.kind == "serial":
            whens.append(f"when regexp_full_match(v, '-?[0-9]+([.][0-9]+)?') then {i}")
        else:
            # DuckDB's %z takes any two-digit hour and minute: +99:99 is no UTC offset
            valid = " and not regexp_matches(v, $bad_offset)" if f.offset == "z" else ""
            whens.append(f"when try_strptime(v, $f{i}) is not null{valid} then {i}")
            branches.append(f"when {i} then {_instant_sql(f, i)}")
    k_sql = f"case {' '.join(whens)} else 0 end" if whens else "0"
    ts_sql = f"case k {' '.join(branches)} else null end" if branches else "null"
    sql = f"select k, ({ts_sql})::timestamp as ts from (select v, {k_sql} as k from {table})"
    params: dict[str, object] = {f"f{i}": f.strptime for i, f in enumerate(formats, start=1) if f.kind != "serial"}
    if any(f.offset for f in formats):
        params["tz"] = tz
    if any(f.offset == "z" for f in formats):
        params["bad_offset"] = _BAD_OFFSET
    result = con.execute(sql, params).fetchnumpy()  # type: ignore[attr-defined]
    k = np.ma.filled(result["k"], 0).astype(np.int64)
    ts = result["ts"]
    ts = np.ma.filled(ts, np.datetime64("NaT")) if np.ma.isMaskedArray(ts) else ts
    return k, np.asarray(ts).astype("datetime64[us]").copy()


# Real UTC offsets run from -12:00 to +14:00 with minutes below 60.
_BAD_OFFSET = r"[+-](1[5-9]|[2-9][0-9])(:?[0-9][0-9])?$|[+-][0-9][0-9]:?[6-9][0-9]$"


def _instant_sql(f: _Format, i: int) -> str:
    """DuckDB expression for a format's naive instant in $tz (offsets converted, naive values kept)."""
    parsed = f"try_strptime(v, $f{i})"
    if f.offset == "z":
        return f"timezone($tz, {parsed})"
    if f.offset == "Z":
        return f"timezone($tz, timezone('UTC', {parsed}))"
    return parsed


def _read(con: object, values: pa.Array, formats: list[_Format], tz: str) -> tuple[np.ndarray, np.ndarray]:
    """What ``_parse`` gives for a table of ``values``, trying each format only on the values not read yet.

    Zero-padded values of a fixed-width format are read first, in numpy (_read_fixed). pyarrow's
    strptime (~0.1 s per million values) reads the other numeric and ISO values; DuckDB reads
    month names, fractions of seconds, UTC offsets, serials, and every value pyarrow might read
    otherwise than DuckDB (see _by_arrow). Values no format read go through ``_parse``'s whole
    cascade once more, so a value ``_parse`` reads is never failed here.
    """
    n = len(values)
    k = np.zeros(n, np.int64)
    ts = np.full(n, np.datetime64("NaT", "us"))
    todo_mask = np.asarray(values.is_valid().to_numpy(zero_copy_only=False))
    # A value of a fixed layout is read by that format alone (no other format in the list has the
    # same separators, fields and width), so taking it before the formats listed earlier changes
    # nothing: they would have failed it.
    for i, f in enumerate(formats, start=1):
        layout = _fixed_layout(f.strptime) if _by_arrow(f) and not f.offset else None
        if layout is None or not todo_mask.any():
            continue
        at, us = _read_fixed(values, layout, todo_mask)
        k[at] = i
        ts[at] = us.view("datetime64[us]")
        todo_mask[at] = False
    todo = np.flatnonzero(todo_mask)
    rest = values if len(todo) == n else values.take(pa.array(todo))  # the values of `todo`
    for i, f in enumerate(formats, start=1):
        if not len(todo):
            break
        hit, when = _read_format(con, rest, f, tz)
        k[todo[hit]] = i
        ts[todo[hit]] = when[hit]
        if hit.any():
            todo, rest = todo[~hit], rest.filter(pa.array(~hit))
    if len(todo) and formats:
        k2, ts2 = _parse(con, _registered(con, values.take(pa.array(todo))), formats, tz)
        k[todo], ts[todo] = k2, ts2
    return k, ts


# Widths of the fields of a zero-padded value: most exports write every date this way.
_FIXED_WIDTHS = {"%Y": 4, "%m": 2, "%d": 2, "%H": 2, "%M": 2, "%S": 2}
_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], np.int32)


@dataclass(frozen=True)
class _Layout:
    """Where each field and separator of a fixed-width format's values sits (byte positions)."""

    width: int
    fields: dict[str, int]
    literals: tuple[tuple[int, int], ...]  # (position, byte)


# user-data-free: keyed by our own strptime formats (built from date shapes), never by cell text.
@lru_cache(maxsize=256)
def _fixed_layout(strptime: str) -> _Layout | None:
    """The layout of a format whose zero-padded values all have one width, or None (names, %y, AM/PM, fractions).

    >>> _fixed_layout("%d/%m/%Y %H:%M").width, _fixed_layout("%d/%m/%Y %H:%M").fields["%Y"]
    (16, 6)
    >>> _fixed_layout("%d %b %Y") is None
    True
    """
    at, fields, literals = 0, {}, []
    for part in re.split(r"(%[A-Za-z])", strptime):
        if part.startswith("%"):
            if part not in _FIXED_WIDTHS or part in fields:
                return None
            fields[part] = at
            at += _FIXED_WIDTHS[part]
        else:
            for ch in part:
                if not ch.isascii() or ch.isdigit():
                    return None
                literals.append((at, ord(ch)))
                at += 1
    if not {"%Y", "%m", "%d"} <= fields.keys():
        return None
    return _Layout(at, fields, tuple(literals))


def _read_fixed(values: pa.Array, layout: _Layout, todo: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions, microseconds since 1970) of the ``todo`` values that are exactly ``layout``: every
    field all digits and in range (a real calendar day, hour < 24, minute and second < 60, year >= 1).

    What pyarrow and DuckDB read from such a value; any other value is left to them (a second 60, a
    31 April, a one-digit day). About 0.03 s per million values, against 0.1-0.2 s through strptime
    and its checks.
    """
    width = layout.width
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not (pa.types.is_large_string(values.type) or pa.types.is_string(values.type)):
        return np.array([], np.int64), np.array([], np.int64)
    n = len(values)
    candidates = np.flatnonzero(todo & (np.diff(textbytes.offsets(values)) == width))
    if not len(candidates):
        return candidates, np.array([], np.int64)
    whole = len(candidates) == n  # every value: each block is a slice of the array, nothing is copied
    positions, micros = [], []
    for start in range(0, len(candidates), _FIXED_BLOCK):
        block = candidates[start:start + _FIXED_BLOCK]
        good, seconds = _fixed_block(values.slice(start, len(block)) if whole else values.take(pa.array(block)), layout)
        positions.append(block[good])
        micros.append(seconds[good] * 1_000_000)
    return np.concatenate(positions), np.concatenate(micros)


_FIXED_BLOCK = 1 << 18  # values per block: bounds the temporaries (about 30 MB) whatever the column's size


def _fixed_block(sub: pa.Array, layout: _Layout) -> tuple[np.ndarray, np.ndarray]:
    """(which values are valid, their seconds since 1970) for values all ``layout.width`` bytes long."""
    offsets = textbytes.offsets(sub)
    # the values' bytes side by side: one row of `width` bytes per value
    cells = np.frombuffer(sub.buffers()[2], np.uint8)[offsets[0]:offsets[-1]].reshape(len(sub), layout.width)
    digits = [at + j for field, at in layout.fields.items() for j in range(_FIXED_WIDTHS[field])]
    good = ((cells[:, digits] - np.uint8(48)) < 10).all(axis=1)  # '0'..'9' (below '0' wraps round)
    for at, byte in layout.literals:
        good &= cells[:, at] == byte

    def number(field: str) -> np.ndarray | int:
        if field not in layout.fields:
            return 0
        at = layout.fields[field]
        out = (cells[:, at] - np.uint8(48)).astype(np.int32)
        for j in range(1, _FIXED_WIDTHS[field]):
            out = out * 10 + (cells[:, at + j] - np.uint8(48))
        return out

    y, mo, d = number("%Y"), number("%m"), number("%d")
    h, mi, s = number("%H"), number("%M"), number("%S")
    good &= (y >= 1) & (mo >= 1) & (mo <= 12) & (d >= 1) & (h <= 23) & (mi <= 59) & (s <= 59)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    good &= d <= _DAYS_IN_MONTH[np.where(good, mo, 0)] + (leap & (mo == 2))
    # days since 1970-01-01 (H. Hinnant's days_from_civil); every term fits in 32 bits
    yy = y - (mo <= 2)
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * ((mo + 9) % 12) + 2) // 5 + d - 1
    days = era * 146_097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719_468
    return good, days.astype(np.int64) * 86_400 + (h * 3_600 + mi * 60 + s)


def _registered(con: object, values: pa.Array | pa.ChunkedArray, name: str = "_values") -> str:
    con.register(name, pa.table({"v": values}))  # type: ignore[attr-defined]
    return name


def _read_format(con: object, values: pa.Array, f: _Format, tz: str) -> tuple[np.ndarray, np.ndarray]:
    """Which non-null ``values`` format ``f`` reads, and their naive instants in ``tz`` (NaT elsewhere)."""
    if f.kind == "serial":  # only recognised here, as in _parse
        hit = pc.fill_null(pc.match_substring_regex(values, r"^-?[0-9]+([.][0-9]+)?$"), False)
        return np.asarray(hit.to_numpy(zero_copy_only=False)), np.full(len(values), np.datetime64("NaT", "us"))
    if not _by_arrow(f):
        k, ts = _parse(con, _registered(con, values), [f], tz)
        return k > 0, ts
    parsed = pc.strptime(values, format=f.strptime, unit="us", error_is_null=True)
    valid = parsed.is_valid()
    hit = np.asarray(valid.to_numpy(zero_copy_only=False))
    when = np.asarray(parsed.to_numpy(zero_copy_only=False)).astype("datetime64[us]")
    at = np.flatnonzero(hit)
    if not len(at):
        return hit, when
    # pyarrow (the C library's strptime) skips blanks that DuckDB refuses and rolls a 31 April or a
    # second 60 over into the next day or minute, which DuckDB refuses: DuckDB decides such values.
    us = when.view(np.int64)[at]
    canonical = pc.match_substring_regex(values.filter(valid), _canonical(f.strptime))
    suspect = ~np.asarray(pc.fill_null(canonical, False).to_numpy(zero_copy_only=False)) | (_day_of_month(us) < 4)
    if "%S" in f.strptime:
        suspect |= us // 1_000_000 % 60 < 2
    if f.offset == "Z":
        when[at] = _utc_to_zone(con, when[at], tz)
    if suspect.any():
        at = at[suspect]
        k, ts = _parse(con, _registered(con, values.take(pa.array(at))), [f], tz)
        hit[at], when[at] = k > 0, ts
    return hit, when


def _day_of_month(us: np.ndarray) -> np.ndarray:
    """Day of the month (1-31) of microsecond timestamps, in integer arithmetic (H. Hinnant's civil_from_days)."""
    z = us // 86_400_000_000 + 719_468
    doe = z - z // 146_097 * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    return doy - (153 * ((5 * doy + 2) // 153) + 2) // 5 + 1


def _by_arrow(f: _Format) -> bool:
    """Formats pyarrow reads as DuckDB does, on values of their canonical shape (see _canonical)."""
    return f.kind in ("iso", "numeric") and f.offset in ("", "Z") and "%f" not in f.strptime


_CANONICAL_FIELDS = {"%Y": "[0-9]{4}", "%y": "[0-9]{2}", "%p": "[AaPp][Mm]"}


# user-data-free: keyed by our own strptime formats (built from date shapes), never by cell text.
@lru_cache(maxsize=256)
def _canonical(strptime: str) -> str:
    """A regex for the values of a format's own shape: fields of their usual widths, separators as written."""
    parts = re.split(r"(%[A-Za-z])", strptime)
    return "^" + "".join(
        (_CANONICAL_FIELDS.get(p, "[0-9]{1,2}") if p.startswith("%") else "".join(
            c if c.isalnum() else "\\" + c for c in p)) for p in parts if p) + "$"


def _utc_to_zone(con: object, utc: np.ndarray, tz: str) -> np.ndarray:
    """Naive UTC instants as naive instants in ``tz``, converted by DuckDB as _instant_sql does."""
    if tz == "UTC":
        return utc
    con.register("_utc", pa.table({"u": pa.array(utc, pa.timestamp("us"))}))  # type: ignore[attr-defined]
    out = con.execute("select timezone($tz, timezone('UTC', u))::timestamp as ts from _utc",  # type: ignore[attr-defined]
                      {"tz": tz}).fetchnumpy()["ts"]
    out = np.ma.filled(out, np.datetime64("NaT")) if np.ma.isMaskedArray(out) else out
    return np.asarray(out).astype("datetime64[us]")


@dataclass(frozen=True)
class _Order:
    day_first: bool
    order: str
    note: str
    losers: tuple[int, ...] = ()  # positions of values that lost a conflicting vote
    loser_count: int = 0


def _decide_order(con: object, arr: pa.Array, parsed: _Parsed, order: str, day_first: bool) -> _Order:
    """One order for the whole column: values readable only day-first vote against those only month-first.

    Votes for the order used come from the parsed instants (a day above 12 could not have been
    a month); votes for the other order from re-reading the failed numeric dates that way.
    """
    numeric = [i for i, f in enumerate(parsed.formats, start=1) if f.kind == "numeric"]
    if order != "auto":
        return _Order(order == "day-first", order, f"read {order} as chosen")
    if not parsed.shapes:
        return _Order(True, "ambiguous", "the column has no values")
    if not any(f.kind == "numeric" for s in parsed.shapes if (f := _format_for_shape(s, True))):
        readable = any(_format_for_shape(s, True) for s in parsed.shapes)
        return _Order(True, "iso" if readable else "ambiguous", "" if readable else "no value looks like a date")
    is_numeric = np.zeros(len(parsed.formats) + 1, bool)
    is_numeric[numeric] = True
    ts = parsed.ts[is_numeric[parsed.k]]
    these = int((_day_of_month(ts.view(np.int64)) > 12).sum())
    others = _other_order_positions(con, arr, parsed, not day_first)
    day_votes, month_votes = (these, len(others)) if day_first else (len(others), these)
    if day_votes and month_votes:
        return _conflicting(day_votes, month_votes, day_first, others)
    if day_votes:
        return _Order(True, "day-first", f"{day_votes:,} values can only be day-first (day above 12)")
    if month_votes:
        return _Order(False, "month-first", f"{month_votes:,} values can only be month-first (day above 12 in second place)")
    return _Order(True, "ambiguous",
                  "no value has a day above 12, so day and month cannot be told apart; read as day-first "
                  "(DD/MM). Choose month-first if the file uses MM/DD")


def _other_order_positions(con: object, arr: pa.Array, parsed: _Parsed, day_first: bool) -> np.ndarray:
    """Positions of failed values that the other day/month order reads."""
    failed = np.flatnonzero(np.isnat(parsed.ts) & ~np.asarray(arr.is_null().to_numpy(zero_copy_only=False)))
    other = [f for f in _formats_in_use(parsed.shapes, day_first, False, False) if f.kind == "numeric"]
    if not len(failed) or not other:
        return np.array([], dtype=np.int64)
    k, _ = _read(con, arr.take(pa.array(failed)), other, "UTC")
    return failed[k > 0]


def _conflicting(day_votes: int, month_votes: int, used_day_first: bool, others: np.ndarray) -> _Order:
    """Both orders occur: parse with the majority and say where the minority values are."""
    day_first = day_votes >= month_votes
    note = (f"{day_votes:,} values can only be day-first and {month_votes:,} only month-first; "
            f"read as {'day' if day_first else 'month'}-first")
    # When the order used was the majority, the other order's readers are exactly the losers.
    losers = tuple(int(p) for p in others[:1000]) if day_first == used_day_first else ()
    return _Order(day_first, "conflicting", note, losers, min(day_votes, month_votes))


def _text_report(arr: pa.Array, index: pd.Index, rows: np.ndarray, parsed: _Parsed, decision: _Order,
                 epoch1904: bool, column: str) -> tuple[pd.Series, DateReport]:
    k, ts, formats = parsed.k, parsed.ts, parsed.formats
    empty_mask = np.asarray(arr.is_null().to_numpy(zero_copy_only=False))
    ok = ~np.isnat(ts)
    failed = ~empty_mask & ~ok
    counts = np.bincount(k[ok], minlength=len(formats) + 1)
    found: Counter[str] = Counter()
    for i, f in enumerate(formats, start=1):
        found[f.label] += int(counts[i])
    found = Counter({label: n for label, n in found.items() if n})
    order, note = decision.order, decision.note
    if decision.loser_count:
        shown = ", ".join(str(int(rows[p])) for p in decision.losers[:20])
        more = " …" if decision.loser_count > 20 else ""
        note += f"; {decision.loser_count:,} values in the other order did not parse (rows {shown}{more})"
    serial = any(f.kind == "serial" for f in formats)
    if serial and ok.any() and sum(n for f in formats if f.kind == "serial" for n in [found.get(f.label, 0)]) == ok.sum():
        order, note = "serial", "numbers read as Excel serial day numbers"
    if serial and not epoch1904 and pc.any(pc.equal(arr, "60")).as_py():
        note += "; serial 60 is 29 February 1900, a day that never existed (Excel's leap-year bug), so it failed"
    failed_idx = np.flatnonzero(failed)
    examples = tuple(dict.fromkeys(arr.take(pa.array(failed_idx[:200])).to_pylist()))[:5]
    report = DateReport(column, order, dict(found.most_common()), int(ok.sum()), int(empty_mask.sum()),
                        int(failed.sum()), tuple(int(r) for r in rows[failed_idx[:1000]]),
                        tuple(e[:60] for e in examples), note.strip("; "))
    return pd.Series(ts, index=index, dtype="datetime64[us]"), report
