"""Read an uploaded CSV or XLSX file's bytes into a RawTable with clean, unique headers and no duplicate rows."""
from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from core import parallel, textbytes

__all__ = [
    "DEFAULT_LIMITS",
    "InputError",
    "Limits",
    "duplicated_rows",
    "RawTable",
    "human_bytes",
    "normalize_header",
    "read_table",
]


class InputError(ValueError):
    """Unusable input: the message says what is wrong and what to do, never a cell value."""


class TooLarge(InputError):
    """The input passes a size limit (bytes, rows, cells, unpacked workbook, sheet extent).

    ``scalable`` is True when the limits that scale with the byte cap (bytes, rows, cells and an
    XLSX's unpacked size; the CLI's ``--max-mb``) could admit it: not for too many columns.
    """

    def __init__(self, message: str, *, scalable: bool = True) -> None:
        super().__init__(message)
        self.scalable = scalable


@dataclass(frozen=True)
class Limits:
    """Upper bounds that keep one upload from exhausting the machine."""

    max_bytes: int = 600 * 1024**2
    max_rows: int = 2_000_000
    max_columns: int = 500
    max_zip_entries: int = 2000
    max_uncompressed_bytes: int = 1536 * 1024**2
    max_compression_ratio: float = 200.0
    max_cells: int = 60_000_000


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class RawTable:
    """One sheet or CSV file as read: see docs/architecture.md (core.ingest) for each field."""

    frame: pd.DataFrame
    source_rows: np.ndarray
    original_headers: dict[str, str]
    renamed: tuple[tuple[str, str, str], ...]
    rows_read: int
    duplicates_removed: int
    duplicate_rows: tuple[int, ...]
    file_kind: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    header_row: int = 1
    epoch1904: bool = False
    date_cells: frozenset[str] = field(default_factory=frozenset)


def human_bytes(n: float) -> str:
    """Format a byte count for people.

    >>> human_bytes(600 * 1024**2)
    '600 MB'
    >>> human_bytes(1536)
    '1.5 KB'
    """
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            text = f"{n:.1f}".rstrip("0").rstrip(".") if unit != "bytes" else str(int(n))
            return f"{text} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- headers

# A UTF-8 byte-order mark read as cp1252/Latin-1 (once or twice) shows up as these prefixes.
_BOM_MOJIBAKE = ("Ã¯Â»Â¿", "ï»¿", "\ufeff")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"\s+")


def normalize_header(text: Any) -> str:
    """Return a header as people mean it: no byte-order mark, invisible characters or extra spaces.

    >>> normalize_header("ï»¿Sub Module")
    'Sub Module'
    >>> normalize_header("  Issue\\u00a0 Type\\u200b ")
    'Issue Type'
    >>> normalize_header(None)
    ''
    """
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    s = str(text)
    for mark in _BOM_MOJIBAKE:
        while s.startswith(mark):
            s = s[len(mark):]
    s = unicodedata.normalize("NFC", s).translate(_INVISIBLE)
    return _SPACES.sub(" ", s.replace("\u00a0", " ")).strip()


def _header_change_reason(original: str, cleaned: str) -> str | None:
    if original == cleaned:
        return None
    reasons = []
    if any(original.lstrip().startswith(m) for m in _BOM_MOJIBAKE):
        reasons.append("removed a byte-order mark left in the header")
    if any(ch in original for ch in "\u200b\u200c\u200d\u2060\u00ad") or "\ufeff" in original[1:]:
        reasons.append("removed invisible characters")
    if "\u00a0" in original or _SPACES.sub(" ", original).strip() != original.strip() or original != original.strip():
        reasons.append("tidied spaces")
    return "; ".join(reasons) or "normalized characters"


def _unique_headers(raw: Sequence[Any]) -> tuple[list[str], dict[str, str], tuple[tuple[str, str, str], ...]]:
    """Normalize headers, name blank ones by position and number duplicates case-insensitively.

    Case-insensitive because DuckDB (used downstream) treats 'ID' and 'id' as one column.
    """
    names: list[str] = []
    originals: dict[str, str] = {}
    renamed: list[tuple[str, str, str]] = []
    taken: set[str] = set()
    for pos, value in enumerate(raw, start=1):
        original = "" if value is None else str(value)
        cleaned = normalize_header(value)
        reasons = []
        if not cleaned:
            cleaned = f"Column {pos}"
            reasons.append("blank header")
        elif (why := _header_change_reason(original, cleaned)) is not None:
            reasons.append(why)
        name = cleaned
        if name.casefold() in taken:
            n = 2
            while f"{cleaned} ({n})".casefold() in taken:
                n += 1
            name = f"{cleaned} ({n})"
            reasons.append(f"duplicate of column '{cleaned}'")
        taken.add(name.casefold())
        names.append(name)
        originals[name] = original
        if reasons:
            renamed.append((original, name, "; ".join(reasons)))
    return names, originals, tuple(renamed)


def _is_header_like(fields: Sequence[Any], width: int) -> bool:
    """A header row: at least half the width filled, mostly with text rather than numbers or dates."""
    filled = [f for f in fields if f is not None and str(f).strip() != ""]
    if width == 0 or len(filled) * 2 < width:
        return False
    texty = sum(isinstance(f, str) and not _PLAIN_NUMBER.fullmatch(f.strip()) for f in filled)
    return texty * 2 >= len(filled)


# --------------------------------------------------------------------------- kind detection

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _sniff_kind(data: bytes) -> str:
    """Tell the file's kind from its first bytes; refuse anything that is not CSV text or XLSX."""
    head = data[:8]
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    if head.startswith(b"%PDF"):
        raise InputError("This file is a PDF document, not a table. Upload the data as CSV or Excel (.xlsx).")
    if head.startswith(_OLE2):
        raise InputError(
            "This file is an old-style Excel workbook (.xls) or a password-protected workbook. "
            "Open it in Excel and save it as .xlsx without a password, or export it as CSV."
        )
    for magic, what in ((b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"),
                        (b"Rar!", "a RAR archive"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
                        (b"SQLite format 3", "an SQLite database"), (b"PAR1", "a Parquet file")):
        if data.startswith(magic):
            raise InputError(f"This file is {what}, not a table. Upload the data as CSV or Excel (.xlsx).")
    if not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        sample = data[:65536]
        if sample[1::2].count(0) > len(sample) // 4 or sample[0::2].count(0) > len(sample) // 4:
            raise InputError(
                "This file looks like UTF-16 text without a byte-order mark. Save it from Excel as "
                "'CSV UTF-8' or as .xlsx and upload that."
            )
        if sample.count(0) > len(sample) // 100 or _control_share(sample) > 0.05:
            raise InputError(
                "This file looks like binary data, not a text table. Upload the data as CSV or Excel (.xlsx)."
            )
    return "csv"


_CONTROL = bytes(set(range(32)) - {9, 10, 12, 13})


def _control_share(sample: bytes) -> float:
    if not sample:
        return 0.0
    return (len(sample) - len(sample.translate(None, _CONTROL))) / len(sample)


# --------------------------------------------------------------------------- entry point


def read_table(data: bytes, filename: str, *, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS) -> RawTable:
    """Read CSV or XLSX bytes (kind decided by content, not by ``filename``) into a RawTable.

    Empty cells become nulls everywhere; other "no value" tokens (N/A, null, ?, -, 0000-00-00)
    stay text here and are treated as empty by ``core.dates`` for date columns only. Rows with
    no value at all are dropped anywhere in the file. For CSV, ``source_rows`` count records
    (a quoted field spanning lines is one row, as a spreadsheet shows it); blank lines inside
    the data are not counted, so numbers after one are approximate. ``filename`` never
    decides the parser (an .xlsx that is really CSV reads as CSV). Excel date cells come
    back as datetime64[us] (calamine applies the workbook's 1900/1904 epoch); integral
    number columns become int64, or nullable Int64 when some cells are empty.

    >>> t = read_table(b"id,name\\n1,a\\n2,b\\n1,a\\n", "x.csv")
    >>> list(t.frame.columns), t.rows_read, t.duplicates_removed, t.source_rows.tolist()
    (['id', 'name'], 3, 1, [2, 3])
    """
    del filename  # the name is not trusted: content decides the kind
    if len(data) == 0:
        raise InputError("The file is empty (0 bytes). Upload the exported CSV or Excel file again.")
    if len(data) > limits.max_bytes:
        raise TooLarge(
            f"The file is {human_bytes(len(data))}; the limit is {human_bytes(limits.max_bytes)}. "
            "Upload a shorter date range or fewer columns."
        )
    kind = _sniff_kind(data)
    if kind == "zip":
        from core import xlsx  # imports this module's helpers

        table, meta = xlsx.read(data, sheet, limits)
    else:
        table, meta = _read_csv(data, limits)
    return _finish(table, meta, limits)


@dataclass
class _Read:
    """What a reader hands to _finish besides the data columns."""

    headers: list[Any]
    header_row: int
    first_data_row: int
    file_kind: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    epoch1904: bool = False


def _finish(columns: list[pd.Series] | list[pa.ChunkedArray], meta: _Read, limits: Limits) -> RawTable:
    """Name columns, drop empty rows/columns, deduplicate and number rows.

    CSV columns arrive as Arrow arrays: empty and duplicate rows are dropped from the Arrow table,
    which is then converted to pandas once (filtering the freshly read pandas columns costs seconds at 1M).
    """
    keep = [i for i, s in enumerate(columns)
            if normalize_header(meta.headers[i]) or _has_value(s)]
    headers = [meta.headers[i] for i in keep]
    names, originals, renamed = _unique_headers(headers)
    kept = [columns[i] for i in keep]
    if kept and isinstance(kept[0], pa.ChunkedArray):
        columns.clear()  # read_table's list: `kept` holds the only references now, handed over to _finish_arrow
        return _finish_arrow(names, kept, originals, renamed, meta, limits)
    frame = pd.DataFrame(dict(zip(names, kept)), copy=False)
    n = len(frame)
    rows = np.arange(n, dtype=np.int64) + meta.first_data_row
    filled = frame.notna().any(axis=1).to_numpy() if len(names) else np.zeros(n, bool)
    if not filled.any():
        raise InputError(
            f"The file has a header row (row {meta.header_row}) but no data rows under it. "
            "Check that you exported the data and not only the column titles."
        )
    _check_dimensions(n, len(names), limits)
    if not filled.all():
        frame, rows = frame.loc[filled].reset_index(drop=True), rows[filled]
    dup = duplicated_rows(frame)
    removed = rows[dup]
    if dup.any():
        frame, rows = frame.loc[~dup].reset_index(drop=True), rows[~dup]
    date_cells = frozenset(c for c in frame.columns if meta.file_kind == "xlsx" and frame[c].dtype.kind == "M")
    return RawTable(
        frame=frame, source_rows=np.asarray(rows, dtype=np.int64), original_headers=originals, renamed=renamed,
        rows_read=int(filled.sum()), duplicates_removed=int(dup.sum()),
        duplicate_rows=tuple(int(r) for r in removed[:1000]), file_kind=meta.file_kind, encoding=meta.encoding,
        delimiter=meta.delimiter, sheet=meta.sheet, sheets=meta.sheets, header_row=meta.header_row,
        epoch1904=meta.epoch1904, date_cells=date_cells,
    )


def _has_value(column: pd.Series | pa.ChunkedArray) -> bool:
    if isinstance(column, pa.ChunkedArray):
        return column.null_count < len(column)
    return bool(column.notna().any())


def _finish_arrow(names: list[str], columns: list[pa.ChunkedArray], originals: dict[str, str],
                  renamed: tuple[tuple[str, str, str], ...], meta: _Read, limits: Limits) -> RawTable:
    """_finish for Arrow columns: the same checks, masks and result, with one row filter and one conversion.

    Empties ``columns`` so each read column is freed as soon as its filtered copy exists.
    """
    table = pa.table(dict(zip(names, columns)))
    columns.clear()
    n = table.num_rows
    rows = np.arange(n, dtype=np.int64) + meta.first_data_row
    if any(c.null_count == 0 for c in table.columns):
        filled = np.ones(n, bool)  # a column without an empty cell fills every row (0.04 s at 1M otherwise)
    else:
        filled = np.zeros(n, bool)
        for valid in (c.is_valid() for c in table.columns if c.null_count < n):
            filled |= valid.to_numpy(zero_copy_only=False)
    if not filled.any():
        raise InputError(
            f"The file has a header row (row {meta.header_row}) but no data rows under it. "
            "Check that you exported the data and not only the column titles."
        )
    _check_dimensions(n, table.num_columns, limits)
    # An empty row never equals a filled one, so duplicates found among all rows are those among the filled.
    dup_all = duplicated_rows(table)
    dup = dup_all[filled]
    removed = rows[filled][dup]
    nullable_int = [pa.types.is_integer(c.type) and c.null_count > 0 for c in table.columns]  # decided before the filter
    wanted = filled & ~dup_all
    mask = None if wanted.all() else pa.array(wanted)
    rows = rows[wanted]
    names, cols = table.column_names, table.columns
    del table

    def convert(i: int) -> pd.Series:
        col, cols[i] = cols[i], None  # each read column is dropped as soon as its filtered copy exists (peak memory)
        # one chunk, as the pandas steps after reading are several times slower on the reader's ~20 chunks
        return _pandas_column((col if mask is None else col.filter(mask)).combine_chunks(), nullable_int[i])

    frame = pd.DataFrame(dict(zip(names, parallel.pmap(convert, range(len(names))))), copy=False)
    return RawTable(
        frame=frame, source_rows=np.asarray(rows, dtype=np.int64), original_headers=originals, renamed=renamed,
        rows_read=int(filled.sum()), duplicates_removed=int(dup.sum()),
        duplicate_rows=tuple(int(r) for r in removed[:1000]), file_kind=meta.file_kind, encoding=meta.encoding,
        delimiter=meta.delimiter, sheet=meta.sheet, sheets=meta.sheets, header_row=meta.header_row,
        epoch1904=meta.epoch1904, date_cells=frozenset(),
    )


def _arrow_frame(table: pa.Table, nullable_int: list[bool] | None = None) -> pd.DataFrame:
    """The pandas frame of CSV columns: text as `str`, int64 (nullable Int64 where flagged or with nulls), float64."""
    flags = nullable_int or [pa.types.is_integer(c.type) and c.null_count > 0 for c in table.columns]
    return pd.DataFrame({name: _pandas_column(col, flag) for name, col, flag in zip(table.column_names, table.columns, flags)},
                        copy=False)


def _pandas_column(col: pa.Array | pa.ChunkedArray, nullable_int: bool) -> pd.Series:
    if nullable_int:
        return pd.Series(col.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get))
    return col.to_pandas()


def _check_dimensions(rows: int, columns: int, limits: Limits, note: str = "") -> None:
    if rows > limits.max_rows:
        raise TooLarge(f"The file has {rows:,} data rows; the limit is {limits.max_rows:,}. Upload a shorter date range.")
    if rows * max(columns, 1) > limits.max_cells:
        raise TooLarge(
            f"The file has {rows:,} rows by {columns:,} columns, more than {limits.max_cells:,} cells.{note} "
            "Remove unused columns or upload a shorter date range."
        )


def duplicated_rows(frame: pd.DataFrame | pa.Table) -> np.ndarray:
    """Boolean mask of exact duplicate rows after their first copy: DuckDB row hashes, then an exact check.

    Rows equal in every column are equal in any few of them: a hash of the few most varied
    columns first narrows the rows in question (at 1M rows x 37 columns, 0.03 s against 0.3 s
    for all columns), and only those rows are hashed whole. ``DataFrame.duplicated`` takes seconds.

    >>> duplicated_rows(pd.DataFrame({"a": [1, 2, 1], "b": ["x", None, "x"]})).tolist()
    [False, False, True]
    """
    n = len(frame)
    out = np.zeros(n, bool)
    if n == 0 or frame.shape[1] == 0:
        return out
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    rows = np.arange(n)  # the rows still in question, in order
    sub = table  # their cells
    few = _varied_columns(table)
    if len(few) < table.num_columns:
        maybe = pd.Series(_row_hashes(table.select(few))).duplicated(keep=False).to_numpy()
        if not maybe.any():
            return out
        if not maybe.all():
            # Taken out first (about 1% of the rows at 1M): hashing them where they are, with DuckDB
            # filtering a scan of the whole table, cost 6x more CPU, and the exact check reads them too.
            rows = np.flatnonzero(maybe)
            at = pa.array(rows)
            sub = pa.table(parallel.pmap(lambda col: col.take(at), table.columns), names=table.column_names)
    hashes = _row_hashes(sub)  # whole rows, of the rows in question only
    candidates = pd.Series(hashes).duplicated(keep=False).to_numpy()
    if not candidates.any():
        return out
    # Hash collisions are possible; settle the candidate rows exactly: each against the first
    # row with its hash, cell by cell in Arrow (positions in `sub`).
    cand = np.flatnonzero(candidates)
    codes, _ = pd.factorize(hashes[candidates])
    first_of_code = cand[np.unique(codes, return_index=True)[1]]
    later = first_of_code[codes] != cand
    if _rows_equal(sub, cand[later], first_of_code[codes][later]):
        out[rows[cand[later]]] = True
        return out
    # a collision (about once in 10^10 files): pandas decides among the candidates
    in_question = np.zeros(n, bool)
    in_question[rows[cand]] = True
    if isinstance(frame, pa.Table):  # CSV columns before conversion: settle them as the frame will hold them
        exact = _arrow_frame(frame.filter(pa.array(in_question))).duplicated(keep="first").to_numpy()
    else:
        exact = frame.loc[in_question].duplicated(keep="first").to_numpy()
    out[np.flatnonzero(in_question)[exact]] = True
    return out


def _varied_columns(table: pa.Table, count: int = 3, sample: int = 2000) -> list[int]:
    """Positions of the ``count`` columns with the most distinct values among the first ``sample``
    rows (leftmost first on ties): all of them for a narrow table."""
    if table.num_columns <= count + 1:
        return list(range(table.num_columns))
    head = table.slice(0, sample)
    distinct = [pc.count_distinct(c, mode="all").as_py() for c in head.columns]
    return sorted(sorted(range(len(distinct)), key=lambda i: -distinct[i])[:count])


def _rows_equal(table: pa.Table, rows: np.ndarray, others: np.ndarray) -> bool:
    """Whether row ``rows[i]`` equals row ``others[i]`` in every cell, for every i (two nulls are equal)."""
    a_at, b_at = pa.array(rows), pa.array(others)

    def equal(col: pa.ChunkedArray) -> bool:
        a, b = col.take(a_at), col.take(b_at)
        same = pc.or_kleene(pc.equal(a, b), pc.and_(pc.is_null(a), pc.is_null(b)))
        return bool(pc.all(pc.fill_null(same, False)).as_py())

    return all(parallel.pmap(equal, table.columns))  # columns in threads: Arrow's take and compare


def _row_hashes(table: pa.Table) -> np.ndarray:
    """One hash per row of ``table``, in row order."""
    from core import db

    # Positional names keep user header text out of the SQL.
    names = [f"c{i}" for i in range(table.num_columns)]
    with db.cursor() as con:
        con.register("t", table.rename_columns(names))  # rows come back in input order (core.db)
        return con.execute(f"select hash({', '.join(names)}) as h from t").fetchnumpy()["h"]


# --------------------------------------------------------------------------- CSV

_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?")
_PLAIN_NUMBER_ARROW = r"^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$"
_DELIMITERS = (",", ";", "\t", "|")
_SAMPLE = 256 * 1024


def _detect_encoding(data: bytes) -> tuple[str, int]:
    """Return (codec, bytes of BOM to skip): UTF-16 and UTF-8 by BOM, else UTF-8, else cp1252/Latin-1.

    UTF-8 is decided on the sample only (validating 500 MB in Python takes a third of a
    second); pyarrow checks every cell while reading, and _read_csv starts again with
    ``_legacy_encoding`` when a later byte is not UTF-8.
    """
    head = data[:_SAMPLE + 4]
    if data.startswith(codecs.BOM_UTF8) and _valid_utf8(head, whole=len(head) == len(data)):
        return "utf-8-sig", 3
    if data.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if data.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    if head.isascii() or _valid_utf8(head, whole=len(head) == len(data)):
        return "utf-8", 0
    return _legacy_encoding(data)


def _legacy_encoding(data: bytes) -> tuple[str, int]:
    """cp1252, or Latin-1 when the file uses one of the five bytes cp1252 leaves undefined."""
    # A UTF-8 mark on Latin-1 text (an old export tool's habit) lands in the header as 'ï»¿',
    # which normalize_header removes.
    return ("latin-1", 0) if re.search(rb"[\x81\x8d\x8f\x90\x9d]", data) else ("cp1252", 0)


def _valid_utf8(data: bytes | memoryview, *, whole: bool = True) -> bool:
    """Strict UTF-8 check in chunks so a 500 MB upload is not copied into one huge str.

    ``whole=False``: ``data`` is a prefix, so a character cut off at its end is not an error.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), 1 << 24):
            decoder.decode(view[start:start + (1 << 24)])
        decoder.decode(b"", final=whole)
    except UnicodeDecodeError:
        return False
    return True


def _split_records(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of each record: newlines inside double quotes do not end a record."""
    spans, start, quoted = [], 0, False
    for m in re.finditer(r'"|\r\n?|\n', text):  # \r alone ends lines in old Mac exports
        if m.group() == '"':
            quoted = not quoted
        elif not quoted:
            spans.append((start, m.end()))
            start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _fields(record: str, delimiter: str) -> list[str]:
    row = _raw_fields(record, delimiter)
    while row and row[-1].strip() == "":
        row.pop()  # trailing empty fields do not count towards the shape
    return row


def _choose_delimiter(records: list[str]) -> str:
    """The delimiter whose field count is most consistent across the sample (and >1), comma on a tie."""
    best, best_score = ",", (0.0, 0)
    for d in _DELIMITERS:
        counts = [len(_fields(r, d)) for r in records if r.strip()]
        if not counts:
            continue
        mode, freq = Counter(counts).most_common(1)[0]
        if mode < 2:
            continue
        score = (freq / len(counts), mode)
        if score > best_score:
            best, best_score = d, score
    return best


def _find_header(records: list[str], delimiter: str, start: int = 0, more: bool = False) -> int:
    """Index of the header record: the first header-like record with the dominant field count and data
    under it (``more``: the file goes on after ``records``).

    In a file with one data row that holds one field more than its header, the two field counts tie and
    the wider record is the data row: it has nothing under it, so the next count is tried. Taking the
    narrower count on every tie instead would make a one-field title line the header of a one-row table,
    so counts other than the dominant one are tried only from two fields up. A header that leaves the last
    column unnamed is one field narrower than the dominant count (see _narrow_header_above). With no record
    that has data under it (a header-only file), the header is found as before and reported as having no
    data rows.
    """
    rows = [_fields(r, delimiter) if i >= start else [] for i, r in enumerate(records)]
    counts = Counter(len(r) for r in rows if r)
    if not counts:
        raise InputError("The file has no rows with data. Upload the exported table, not an empty file.")
    dominant, *others = sorted(counts, key=lambda c: (counts[c], c), reverse=True)
    last = max(i for i, row in enumerate(rows) if row)
    for width in [dominant, *(c for c in others if c >= 2)]:
        for i, row in enumerate(rows):
            if len(row) >= width and (i < last or more) and _is_header_like(row, width):
                return _narrow_header_above(rows, i, width) if width == dominant else i
    for i, row in enumerate(rows):
        if len(row) >= dominant and _is_header_like(row, dominant):
            return i
    return next(i for i, row in enumerate(rows) if row)


def _narrow_header_above(rows: list[list[str]], pick: int, width: int) -> int:
    """The header of a table whose last column has no name, if one lies above ``pick``; else ``pick``.

    Such a header names every column but the last, so it is one field narrower than the ``width`` that
    most records have, and data rows with some text in them look like headers too. A record above
    ``pick`` is that header when it has at least two fields, all of them names (text that is neither a
    number nor a date), no record below it is wider than ``width``, and the record right under it does
    not read as a header itself: a title line of two names stands above a real header, which holds a
    name in a column where every row under it holds a number.

    >>> rows = [["id", "name"], ["1", "a", "x"], ["2", "b", "y"]]
    >>> _narrow_header_above(rows, 1, 3)
    0
    >>> _narrow_header_above([["Ticket report", "November"], ["id", "name", "owner"], ["1", "a", "x"]], 1, 3)
    1
    """
    if width < 3:
        return pick
    filled = [i for i, row in enumerate(rows) if row]
    for n, i in enumerate(filled):
        if i >= pick:
            break
        if len(rows[i]) != width - 1 or not all(_is_name(f) for f in rows[i]):
            continue
        below = [rows[j] for j in filled[n + 1:]]
        if all(len(r) <= width for r in below) and not _heads_numbers(below[0], below[1:]):
            return i
    return pick


_DATE_OR_NUMBER = re.compile(r"[\d\s.,:/+-]+")


def _is_name(field: str) -> bool:
    return bool(field.strip()) and not _DATE_OR_NUMBER.fullmatch(field.strip())


def _heads_numbers(record: Sequence[str], under: Sequence[Sequence[str]]) -> bool:
    """True when ``record`` holds text in a column where every row of ``under`` that has a value there holds a
    plain number (so ``record`` reads as the header of ``under``)."""
    for c, value in enumerate(record):
        column = [row[c].strip() for row in under if c < len(row) and row[c].strip()]
        if (column and value.strip() and not _PLAIN_NUMBER.fullmatch(value.strip())
                and all(_PLAIN_NUMBER.fullmatch(v) for v in column)):
            return True
    return False


def _read_csv(data: bytes, limits: Limits, encoding: tuple[str, int] | None = None) -> tuple[list[pd.Series], _Read]:
    encoding, bom = encoding or _detect_encoding(data)
    text = _decode_sample(data[bom:bom + _SAMPLE], encoding)
    complete = bom + _SAMPLE >= len(data)
    spans = _split_records(text)
    if not complete and len(spans) > 1:
        spans = spans[:-1]  # the last record of a sample may be cut off
    records = [text[a:b] for a, b in spans]
    if not any(r.strip(" \t\r\n,;|") for r in records):
        raise InputError("The file has no data: every line is empty. Upload the exported table again.")
    hint = re.fullmatch(r"sep=(.)\s*", records[0])  # Excel's "sep=;" first line names the delimiter
    # Blank lines above the table do not count towards the 200 records sampled for its shape.
    first = next(i for i, r in enumerate(records) if r.strip(" \t\r\n,;|"))
    delimiter = hint.group(1) if hint else _choose_delimiter(records[first:first + 200])
    h = _find_header(records[:first + 200], delimiter, start=max(first, 1 if hint else 0),
                     more=len(records) > first + 200 or not complete)
    header = _raw_fields(records[h], delimiter)
    sampled = [_raw_fields(r, delimiter) for r in records[h + 1:h + 200] if r.strip()]
    data_counts = Counter(len(row) for row in sampled)
    mode = max(data_counts, key=lambda c: (data_counts[c], c == len(header), c)) if data_counts else 0
    width = max(len(header), mode)
    header += [""] * (width - len(header))
    # A spreadsheet that had formatting far to the right of its data ends every line with delimiters.
    # The columns after the last header and the last value in the sampled rows are read as Arrow nulls,
    # which hold no memory and refuse any value, so they count against no cap (and _finish would drop
    # them anyway); should one hold a value further down, every column is read and counts.
    used = _used_width(header, sampled) if width <= _WIDEST else width
    _check_columns(used, limits)
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    start = bom + len(text[: spans[h][1]].encode(codec))
    meta = _Read(headers=header[:used], header_row=h + 1, first_data_row=h + 2, file_kind="csv",
                 encoding=encoding, delimiter=delimiter)
    body = memoryview(data)[start:]
    if not bytes(body[:4096]).strip(b" \t\r\n\x00,;|\xff\xfe"):
        return [pd.Series([], dtype="str") for _ in range(used)], meta
    lines = _line_breaks(body) + 1
    try:
        try:
            table = _parse_within_caps(body, codec, delimiter, width, used, lines, h + 1, limits)
        except _StrayValue as stray:
            where = f"Column {stray.column:,}" if stray.column else "A column"
            note = f" {where} has no header but holds a value further down the file, so all {width:,} columns count."
            _check_columns(width, limits, note)
            meta.headers, used = header, width
            table = _parse_within_caps(body, codec, delimiter, width, width, lines, h + 1, limits, note)
    except InputError:
        if codec == "utf-8" and not _valid_utf8(body):  # the sample was UTF-8; a later byte is not
            return _read_csv(data, limits, _legacy_encoding(data))
        raise
    return parallel.pmap(_csv_typed, table.columns[:used]), meta


# Excel's last column (XFD): no sheet saved as CSV is wider, so columns beyond it are refused even when
# empty (each empty column still costs Arrow about a kilobyte for every block it reads).
_WIDEST = 16_384


class _StrayValue(Exception):
    """A column read as empty holds a value: ``column`` is its 1-based number (None if Arrow did not say)."""

    def __init__(self, column: int | None) -> None:
        super().__init__(column)
        self.column = column


def _used_width(header: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """How many columns from the left hold a header or a value in ``rows`` (at least one).

    >>> _used_width(["id", "name", " ", ""], [["1", "", "", ""], ["2", "", "x", ""]])
    3
    """
    used = max((i + 1 for i, name in enumerate(header) if normalize_header(name)), default=1)
    for row in rows:
        used = next((i + 1 for i in range(len(row) - 1, used - 1, -1) if row[i] != ""), used)
    return used


def _check_columns(columns: int, limits: Limits, note: str = "") -> None:
    if columns > limits.max_columns:
        raise InputError(f"The file has {columns:,} columns; the limit is {limits.max_columns:,}.{note} "
                         "Remove unused columns.")


def _parse_within_caps(body: memoryview, codec: str, delimiter: str, width: int, used: int, lines: int,
                       header_row: int, limits: Limits, note: str = "") -> pa.Table:
    """Refuse a file beyond the row and cell caps for its first ``used`` columns, then parse it (_arrow_csv).

    Parsing a column as text costs ~20 bytes per cell, empty or not, so the caps are checked before:
    line breaks bound the records, which are counted exactly only when the bound exceeds a cap.
    """
    if lines > limits.max_rows or lines * used > limits.max_cells:
        _check_dimensions(_count_records(body, codec, delimiter, width), used, limits, note)
    return _arrow_csv(body, codec, delimiter, width, header_row, used)


def _line_breaks(body: memoryview) -> int:
    """max(count of b"\\n", count of b"\\r") in ``body``: numpy over 8 MB pieces in threads (0.03 s for
    340 MB where ``bytes.count`` twice takes 0.17 s)."""
    arr = np.frombuffer(body, np.uint8)
    step = 1 << 23

    def count(at: int) -> tuple[int, int]:
        piece = arr[at:at + step]
        return int(np.count_nonzero(piece == 10)), int(np.count_nonzero(piece == 13))

    counts = parallel.pmap(count, range(0, arr.size, step))
    return max(sum(n for n, _ in counts), sum(r for _, r in counts))


def _raw_fields(record: str, delimiter: str) -> list[str]:
    try:
        return next(csv.reader(io.StringIO(record.rstrip("\r\n")), delimiter=delimiter), [])
    except csv.Error:
        # A quoted line break read with the wrong delimiter sits in an unquoted field: this
        # delimiter cannot be the file's, so any count that does not match the others will do.
        return record.split(delimiter)


def _decode_sample(sample: bytes, encoding: str) -> str:
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    return codecs.getincrementaldecoder(codec)(errors="replace").decode(sample, final=False)


def _arrow_csv(body: memoryview, codec: str, delimiter: str, width: int, header_row: int,
               text_columns: int | None = None) -> pa.Table:
    """Parse every data record with pyarrow (multi-threaded C++), reporting ragged rows by number.

    The first ``text_columns`` columns (all by default) are read as text, the others as nulls: a value in
    one of those raises _StrayValue, so it is never dropped unseen.
    """
    names = [f"f{i}" for i in range(width)]
    text = width if text_columns is None else text_columns
    bad: list[Any] = []

    def on_invalid(row: Any) -> str:
        bad.append(row)
        return "skip" if row.actual_columns < row.expected_columns and not row.text.strip(delimiter + " \r\n") else "error"

    try:
        return pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(body)),
            # 4 MB blocks: enough of them for both cores even at 100k rows (34 MB); 16 MB was slower at every size.
            # Each block costs every column an array, though: thousands of (empty) columns get larger blocks.
            read_options=pacsv.ReadOptions(column_names=names, encoding=codec, block_size=max(1 << 22, width << 10)),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                              invalid_row_handler=on_invalid),
            # large_string: what pandas `str` columns hold, so the conversion to pandas copies nothing
            convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() if i < text else pa.null()
                                                               for i, n in enumerate(names)},
                                                 strings_can_be_null=True, null_values=[""],
                                                 quoted_strings_can_be_null=True),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        if text < width and "conversion error to null" in str(exc):  # its message holds the value: not passed on
            column = re.search(r"CSV column #(\d+)", str(exc))
            raise _StrayValue(int(column.group(1)) + 1 if column else None) from None
        if bad:
            found = _first_ragged_record(body, codec, delimiter, width)
            where = f"Row {found[0] + header_row} has {found[1]}" if found else f"A row has {bad[-1].actual_columns}"
            raise InputError(
                f"{where} fields but the header has {width}. "
                "Check the file's delimiter and quoting, or re-export it from the source system."
            ) from None
        raise InputError("The file could not be read as a CSV table. Re-export it as CSV (UTF-8) or Excel (.xlsx).") from exc


def _count_records(body: memoryview, codec: str, delimiter: str, width: int) -> int:
    """Data records in the body, reading one column only so memory stays small."""
    names = [f"f{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            pa.BufferReader(pa.py_buffer(body)),
            read_options=pacsv.ReadOptions(column_names=names, encoding=codec, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                              invalid_row_handler=lambda row: "skip"),
            convert_options=pacsv.ConvertOptions(include_columns=names[:1], column_types={names[0]: pa.string()}),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError):
        return 0  # the full read reports what is wrong with the file
    return table.num_rows


def _first_ragged_record(body: memoryview, codec: str, delimiter: str, width: int) -> tuple[int, int] | None:
    """(1-based record number after the header, field count) of the first non-blank record of the wrong width.

    Only runs after pyarrow refused the file, whose row numbers are not reliable when multi-threaded.
    """
    text = io.TextIOWrapper(io.BytesIO(body), encoding=codec, errors="replace", newline="")
    for number, row in enumerate(csv.reader(text, delimiter=delimiter), start=1):
        if len(row) > width or (len(row) < width and any(f.strip() for f in row)):
            return number, len(row)
    return None


def _csv_typed(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text column as is, or int64/float64 when every non-empty value is a plain number (see _arrow_frame)."""
    numbers = _plain_numbers(col)
    return col if numbers is None else numbers


def _plain_numbers(col: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """The column as int64 or float64 when every non-null value is a plain number; checks a cheap head first."""
    head = _first_values(col, 1000)
    if len(head) == 0 or not _all_plain_numbers(head):
        return None
    try:
        # Arrow's integer cast is much faster than a regex; it accepts '+7' and '007', refused below.
        ints = pc.cast(col, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # Digits too long for int64 are identifiers: keep them as text rather than lose precision.
        if not pc.any(pc.match_substring(col, ".")).as_py() or not _all_plain_numbers(col.drop_null()):
            return None
        return pc.cast(col, pa.float64())
    # '+7' and '007' (and '-07') are codes, not numbers; read from each value's first two bytes
    length, (first, second) = textbytes.leading_bytes(col, 2)
    refused = (first == ord("+")) | ((length > 1) & ((first == ord("0")) | ((first == ord("-")) & (second == ord("0")))))
    if col.null_count:
        refused &= np.asarray(col.is_valid().to_numpy(zero_copy_only=False))
    return None if refused.any() else ints


def _first_values(col: pa.ChunkedArray, n: int) -> pa.ChunkedArray:
    """The first ``n`` non-null values, chunk by chunk (``drop_null`` on the whole column copies it all)."""
    taken: list[pa.Array] = []
    count = 0
    for chunk in col.chunks:
        if count >= n:
            break
        present = chunk.drop_null()[: n - count]
        taken.append(present)
        count += len(present)
    return pa.chunked_array(taken, type=col.type)


def _all_plain_numbers(values: pa.ChunkedArray) -> bool:
    return bool(pc.all(pc.match_substring_regex(values, _PLAIN_NUMBER_ARROW)).as_py())
