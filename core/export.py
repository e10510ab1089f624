"""Download bytes (CSV, XLSX, Parquet, zipped CSV) in which no cell can become a live formula."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import xlsxwriter

__all__ = [
    "ExportError", "XLSX_ROW_LIMIT", "to_csv_bytes", "to_xlsx_bytes", "to_parquet_bytes",
    "workbook_bytes", "zip_csv_bytes", "neutralize_formulas",
]

XLSX_ROW_LIMIT = 200_000  # writing XLSX costs ~0.3 s per 1,000 wide rows; beyond this offer CSV/Parquet
CONSTANT_MEMORY_ROWS = 20_000  # above this, stream rows to disk instead of holding the sheet in memory
FIXED_TIME = dt.datetime(2000, 1, 1)  # workbook created/modified time, so equal input gives equal bytes
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "us")
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
# OWASP CSV injection: cells starting with these are read as formulas by spreadsheets,
# including the fullwidth forms some spreadsheets fold to ASCII.
FORMULA_CHARS = "=+-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20"
_FORMULA_SET = pa.array(list(FORMULA_CHARS), type=pa.string())
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


class ExportError(ValueError):
    """The frame cannot be written in the asked format; the message says what to do instead."""


def neutralize_formulas(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Prefix a single quote to text cells a spreadsheet would run as a formula.

    Only the first character decides (``FORMULA_CHARS``), so the test is one vectorised
    look at each cell's first code point; cells are rewritten only when one is risky.

    >>> neutralize_formulas(pa.array(["=1+1", "ok", None, "-x"])).to_pylist()
    ["'=1+1", 'ok', None, "'-x"]
    """
    risky = pc.is_in(pc.utf8_slice_codeunits(array, start=0, stop=1), value_set=_FORMULA_SET)
    if not pc.any(risky).as_py():
        return array
    return pc.if_else(risky, pc.utf8_replace_slice(array, start=0, stop=0, replacement="'"), array)


def _kind(series: pd.Series) -> str:
    """'bool', 'number', 'date' or 'text': how a column is written."""
    dtype = series.dtype
    if dtype == object:  # object columns of plain Python values keep their real type
        dtype = {"boolean": "bool", "integer": "float64", "floating": "float64",
                 "mixed-integer-float": "float64", "datetime64": "datetime64[us]",
                 "datetime": "datetime64[us]"}.get(pd.api.types.infer_dtype(series, skipna=True), object)
        dtype = np.dtype(dtype)
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "date"
    return "text"


def _text_array(series: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The column as Arrow text, nulls null: the Arrow data a ``str`` column already holds
    (no copy), other columns converted by ``astype("str")`` first (categories, mixed objects)."""
    values = series if isinstance(series.dtype, pd.StringDtype) else series.astype("str")
    held = getattr(values.array, "_pa_array", None)  # pandas' Arrow-backed strings
    if isinstance(held, pa.ChunkedArray) and (pa.types.is_string(held.type) or pa.types.is_large_string(held.type)):
        return held
    return pa.array(values.to_numpy(dtype=object, na_value=None), type=pa.large_string())


def _csv_column(series: pd.Series) -> pa.Array:
    kind = _kind(series)
    if kind == "text":
        return neutralize_formulas(_text_array(series))
    if kind == "date":
        stamps = pa.array(pd.to_datetime(series).dt.tz_localize(None) if getattr(series.dtype, "tz", None)
                          else pd.to_datetime(series), from_pandas=True)
        whole = stamps.type.unit == "s" or pc.all(pc.equal(pc.floor_temporal(stamps, unit="second"), stamps)).as_py() is not False
        return pc.cast(stamps, pa.timestamp("s")) if whole else stamps  # no '.000000' on every value
    return pa.array(series, from_pandas=True, type=pa.bool_() if kind == "bool" else None)


def to_csv_bytes(frame: pd.DataFrame, bom: bool = False) -> bytes:
    """UTF-8 CSV with a header row; text quoted and formula-safe, numbers left as numbers.

    ``bom`` adds the byte-order mark that makes Excel read UTF-8 correctly.

    >>> to_csv_bytes(pd.DataFrame({"t": ["=HYPERLINK(1)"], "n": [-5]}))
    b'"t","n"\\n"\\'=HYPERLINK(1)",-5\\n'
    """
    # Header names are cells too: a column called '=HYPERLINK(...)' must not run either.
    names = neutralize_formulas(pa.array([str(c) for c in frame.columns], type=pa.string())).to_pylist()
    table = pa.Table.from_arrays([_csv_column(frame[c]) for c in frame.columns], names=names)
    buffer = io.BytesIO()
    if bom:
        buffer.write(b"\xef\xbb\xbf")
    if table.num_columns:
        pacsv.write_csv(table, buffer, pacsv.WriteOptions(include_header=True))
    return buffer.getvalue()


def zip_csv_bytes(frame: pd.DataFrame, name: str = "events.csv") -> bytes:
    """The CSV inside a deflated ZIP with fixed timestamps (large files, e-mail limits)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo(name, ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, to_csv_bytes(frame))
    return buffer.getvalue()


def to_parquet_bytes(frame: pd.DataFrame) -> bytes:
    """Parquet (zstd) with the frame's dtypes; no index column."""
    buffer = io.BytesIO()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), buffer, compression="zstd")
    return buffer.getvalue()


# ---------------------------------------------------------------- XLSX


def _check_sheets(sheets: dict[str, pd.DataFrame]) -> None:
    if not sheets:
        raise ExportError("a workbook needs at least one sheet")
    seen: set[str] = set()
    for name, frame in sheets.items():
        if not name or len(name) > 31 or _BAD_SHEET_CHARS.search(name) or name.casefold() in seen:
            raise ExportError(f"sheet name '{name}' is not allowed: 1-31 characters, unique, none of [ ] : * ? / \\")
        seen.add(name.casefold())
        if len(frame) > XLSX_ROW_LIMIT:
            raise ExportError(
                f"sheet '{name}' has {len(frame):,} rows; Excel downloads are limited to "
                f"{XLSX_ROW_LIMIT:,} rows. Download CSV or Parquet instead, or filter first.")


def _cells(series: pd.Series) -> tuple[list[object], str]:
    """Column values as Python objects (None = empty cell) and how to write them."""
    kind = _kind(series)
    if kind == "bool":
        return series.astype(object).where(series.notna(), None).tolist(), kind
    if kind == "number":
        values = pd.to_numeric(series).astype("float64").to_numpy()
        # Excel has no NaN or infinity: those cells stay empty (NaN is skipped when writing).
        return np.where(np.isfinite(values), values, np.nan).astype(object).tolist(), kind
    if kind == "date":
        stamps = pd.to_datetime(series)
        stamps = stamps.dt.tz_localize(None) if stamps.dt.tz is not None else stamps
        days = (stamps.to_numpy("datetime64[us]") - EXCEL_EPOCH) / np.timedelta64(1, "D")
        return days.astype(object).tolist(), kind
    return series.astype("str").to_numpy(dtype=object, na_value=None).tolist(), kind


def _write_sheet(book: xlsxwriter.Workbook, name: str, frame: pd.DataFrame, formats: dict) -> None:
    sheet = book.add_worksheet(name)
    columns = [_cells(frame[c]) for c in frame.columns]
    for col, header in enumerate(frame.columns):
        sheet.write_string(0, col, str(header), formats["header"])
        width = 20 if columns[col][1] == "date" else min(max(len(str(header)) + 2, 10), 50)
        sheet.set_column(col, col, width)
    writers = {
        "number": lambda r, c, v: sheet.write_number(r, c, v) if v == v else None,
        "date": lambda r, c, v: sheet.write_number(r, c, v, formats["date"]) if v == v else None,
        "bool": sheet.write_boolean,
        "text": sheet.write_string,  # always a text cell, even for '=...' (no formula is created)
    }
    plan = [(col, values, writers[kind]) for col, (values, kind) in enumerate(columns)]
    for row in range(len(frame)):
        for col, values, write in plan:
            value = values[row]
            if value is not None:
                write(row + 1, col, value)
    if len(frame.columns):
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(frame), len(frame.columns) - 1)


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An XLSX workbook, one sheet per frame, in order; same input, same bytes.

    Text stays text (no formulas, links or numbers are inferred from strings), dates are
    real Excel dates shown as ``yyyy-mm-dd hh:mm:ss``; more than ``XLSX_ROW_LIMIT`` rows
    in a sheet raises ExportError.
    """
    _check_sheets(sheets)
    buffer = io.BytesIO()
    large = sum(len(f) for f in sheets.values()) > CONSTANT_MEMORY_ROWS
    book = xlsxwriter.Workbook(buffer, {
        "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
        "constant_memory": large, "in_memory": not large,
    })
    book.set_properties({"created": FIXED_TIME})
    formats = {"header": book.add_format({"bold": True}), "date": book.add_format({"num_format": DATE_FORMAT})}
    for name, frame in sheets.items():
        _write_sheet(book, name, frame, formats)
    book.close()
    return buffer.getvalue()


def to_xlsx_bytes(frame: pd.DataFrame, sheet: str = "Events") -> bytes:
    """One frame as a one-sheet XLSX workbook (see ``workbook_bytes``)."""
    return workbook_bytes({sheet: frame})
