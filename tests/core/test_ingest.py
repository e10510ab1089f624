"""core.ingest: encodings, delimiters, headers, duplicates, row numbers, hostile files, the real export."""
from __future__ import annotations

import csv
import dataclasses
import io
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import pyarrow as pa

from core import ingest
from core.dates import parse_datetime_column
from core.ingest import DEFAULT_LIMITS, InputError, Limits, normalize_header, read_table
from tests.core import filemakers as fm

ROWS = [["Ticket", "Status", "When"], ["101", "OPEN", "16/07/2025 07:06:15"], ["102", "CLOSED", "17/07/2025 08:00"]]
SECRET = "Wanjiku Kamau"  # a cell value that must never appear in an error message


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ï»¿Sub Module", "Sub Module"),
        ("\ufeffSub Module", "Sub Module"),
        ("Ã¯Â»Â¿Sub Module", "Sub Module"),
        ("Issue\u00a0Type", "Issue Type"),
        ("  Issue   Type ", "Issue Type"),
        ("Zero\u200bWidth", "ZeroWidth"),
        ("Line\nBreak", "Line Break"),
        ("", ""),
        (None, ""),
        (2025.0, "2025"),
        ("priority_level", "priority_level"),
    ],
)
def test_normalize_header(raw: object, expected: str) -> None:
    assert normalize_header(raw) == expected


def test_headers_are_unique_and_changes_are_reported() -> None:
    data = fm.csv_bytes([["ï»¿Sub Module", "", "ID", "id", "Sub Module", "Sub Module (2)"], list("abcdef")])
    t = read_table(data, "x.csv")
    assert list(t.frame.columns) == ["Sub Module", "Column 2", "ID", "id (2)", "Sub Module (2)", "Sub Module (2) (2)"]
    reasons = {new: why for _, new, why in t.renamed}
    assert "byte-order mark" in reasons["Sub Module"]
    assert reasons["Column 2"] == "blank header"
    assert "duplicate of column 'id'" in reasons["id (2)"]
    assert t.original_headers["Sub Module"] == "ï»¿Sub Module"
    assert t.original_headers["Sub Module (2)"] == "Sub Module"


# --------------------------------------------------------------------------- CSV


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [
        ("utf-8", False, ","),
        ("utf-8", True, ","),
        ("utf-16-le", True, "\t"),
        ("utf-16-be", True, "\t"),
        ("cp1252", False, ";"),
        ("latin-1", False, "|"),
    ],
)
def test_csv_encodings_and_delimiters(encoding: str, bom: bool, delimiter: str) -> None:
    rows = [["Client", "Price €" if encoding != "latin-1" else "Price £", "Note"],
            ["Café Olé", "12", "naïve"], ["Zoë", "7", "a;b|c"]]
    data = fm.csv_bytes(rows, delimiter=delimiter, encoding=encoding if not encoding.startswith("utf-16") else "utf-16",
                        bom=bom and encoding == "utf-8")
    if encoding == "utf-16-be":
        data = ("\ufeff" + data.decode("utf-16")).encode("utf-16-be")
    t = read_table(data, "export.txt")
    assert t.delimiter == delimiter
    assert t.frame.columns[1] in ("Price €", "Price £")
    assert t.frame["Client"].tolist() == ["Café Olé", "Zoë"]
    assert t.frame["Note"].tolist() == ["naïve", "a;b|c"]
    assert t.frame.iloc[:, 1].tolist() == [12, 7]
    # Latin-1 text without C1 control bytes reads the same as cp1252, which is tried first.
    expected = {"utf-8": "utf-8-sig" if bom else "utf-8", "latin-1": "cp1252"}.get(encoding, encoding)
    assert t.encoding == expected


def test_latin1_bytes_undefined_in_cp1252() -> None:
    data = "id,name\n1,caf\x81\n".encode("latin-1")
    assert read_table(data, "x.csv").encoding == "latin-1"


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_cp1252_byte_after_the_utf8_sample_rereads_the_file_as_cp1252(bom: bytes) -> None:
    # The encoding is decided on the first 256 KB; pyarrow then refuses the later byte, and
    # the whole file is read again as cp1252 instead of failing or mangling that row.
    filler = "".join(f"{i},plain text {i}\n" for i in range(30_000)).encode("ascii")
    assert len(filler) > 300 * 1024
    data = bom + b"id,name\n" + filler + "99999,Caf\u00e9 \u20ac\n".encode("cp1252")
    t = read_table(data, "x.csv")
    assert t.encoding == "cp1252"
    assert t.frame["name"].iloc[-1] == "Caf\u00e9 \u20ac"
    assert len(t.frame) == 30_001


def test_quoted_fields_with_newlines_and_quotes_count_records() -> None:
    data = b'id,title,n\n1,"two\nlines, and ""quotes""",5\n2,plain,6\n'
    t = read_table(data, "x.csv")
    assert t.frame["title"].tolist() == ['two\nlines, and "quotes"', "plain"]
    assert t.source_rows.tolist() == [2, 3]  # records, not physical lines


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_endings(newline: str) -> None:
    data = f'id,note{newline}1,a{newline}2,"two\nlines"{newline}'.encode()
    t = read_table(data, "x.csv")
    assert t.frame["note"].tolist() == ["a", "two\nlines"] and t.source_rows.tolist() == [2, 3]


def test_excel_sep_line_names_the_delimiter() -> None:
    t = read_table(b"sep=;\r\nid;amount\r\n1;2,5\r\n2;3,0\r\n", "x.csv")
    assert t.delimiter == ";" and t.header_row == 2
    assert t.frame.to_dict("list") == {"id": [1, 2], "amount": ["2,5", "3,0"]}


def test_a_large_csv_is_read_vectorised() -> None:
    n = 100_000
    frame = pd.DataFrame({"id": np.arange(n), "status": np.where(np.arange(n) % 2, "OPEN", "CLOSED"),
                          "when": "16/07/2025 07:06:15", "agent": [f"Agent {i % 97}" for i in range(n)]})
    data = frame.to_csv(index=False).encode()
    t = read_table(data, "big.csv")  # speed is measured by `make bench`, never here
    assert t.rows_read == n and t.duplicates_removed == 0 and str(t.frame["id"].dtype) == "int64"


def test_title_lines_above_the_header_are_skipped() -> None:
    data = b"Ticket report\nGenerated 2025-11-01\n\nid,status,owner\n1,OPEN,A\n2,CLOSED,B\n"
    t = read_table(data, "x.csv")
    assert list(t.frame.columns) == ["id", "status", "owner"]
    assert t.header_row == 4
    assert t.source_rows.tolist() == [5, 6]


def test_trailing_empty_rows_and_columns_are_dropped() -> None:
    data = b"id,name,,\n1,a,,\n2,b,,\n,,,\n,,,\n"
    t = read_table(data, "x.csv")
    assert list(t.frame.columns) == ["id", "name"]
    assert len(t.frame) == 2 and t.rows_read == 2


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (["1", "2", "30"], "int64"),
        (["1", "", "30"], "Int64"),
        (["1.5", "-2", "0.25"], "float64"),
        (["007", "8", "9"], "str"),
        (["+5", "6", "7"], "str"),
        (["1,5", "2", "3"], "str"),
        (["12345678901234567890", "1", "2"], "str"),
        (["1e5", "2", "3"], "str"),
        (["N/A", "2", "3"], "str"),
    ],
)
def test_plain_number_columns_become_numeric(values: list[str], dtype: str) -> None:
    data = fm.csv_bytes([["v", "k"], *[[v, str(i)] for i, v in enumerate(values)]])
    assert str(read_table(data, "x.csv").frame["v"].dtype) == dtype


def test_empty_cells_are_null_and_tokens_stay_text() -> None:
    t = read_table(b"a,b\nx,\nN/A,y\n", "x.csv")
    assert t.frame["b"].isna().tolist() == [True, False]
    assert t.frame["a"].tolist() == ["x", "N/A"]


def test_duplicates_removed_with_their_row_numbers() -> None:
    data = fm.csv_bytes([["id", "s"], ["1", "a"], ["2", "b"], ["1", "a"], ["3", "c"], ["2", "b"], ["1", "a"]])
    t = read_table(data, "x.csv")
    assert t.rows_read == 6 and t.duplicates_removed == 3
    assert t.duplicate_rows == (4, 6, 7)
    assert t.source_rows.tolist() == [2, 3, 5]
    assert t.frame["id"].tolist() == [1, 2, 3]
    assert t.frame.index.tolist() == [0, 1, 2]


def test_ragged_row_is_reported_by_line_number() -> None:
    data = b"id,name\n1,a\n2,b,extra,more\n"
    with pytest.raises(InputError, match=r"Row 3 has 4 fields but the header has 2"):
        read_table(data, "x.csv")


# --------------------------------------------------------------------------- tiny files: which record is the header

ONE_EVENT = {"ticket": ["T1"], "status": ["OPEN"], "time": ["2025-07-16 07:06:15"]}


@pytest.mark.parametrize(
    ("text", "header_row", "expected"),
    [
        # the trailing empty field many exports end their lines with: its empty column is dropped
        ("ticket,status,time\r\nT1,OPEN,2025-07-16 07:06:15,\r\n", 1, ONE_EVENT),
        # one field more than the header: 3 and 4 fields tie, and the wider record has no data under it
        ("ticket,status,time\r\nT1,OPEN,2025-07-16 07:06:15,late\r\n", 1, {**ONE_EVENT, "Column 4": ["late"]}),
        ("ticket,status,owner\r\nT1,OPEN,Ann Otieno,late\r\n", 1,
         {"ticket": ["T1"], "status": ["OPEN"], "owner": ["Ann Otieno"], "Column 4": ["late"]}),
        # title lines tie with a one-row table too (two records of one field, two of three): the
        # narrower count must not win a tie, or 'Ticket report' becomes the header
        ("Ticket report\r\nGenerated 2025-11-01\r\n\r\nticket,status,time\r\nT1,OPEN,2025-07-16 07:06:15\r\n", 4,
         ONE_EVENT),
        ("Ticket report\r\nticket,status,time\r\nT1,OPEN,2025-07-16 07:06:15,late\r\n", 2,
         {**ONE_EVENT, "Column 4": ["late"]}),
    ],
    ids=["trailing empty field", "one more field", "one more field, no dates", "title lines above",
         "title line above, one more field"],
)
def test_a_file_with_one_data_row_keeps_its_header(text: str, header_row: int, expected: dict) -> None:
    t = read_table(text.encode(), "x.csv")
    assert t.header_row == header_row
    assert t.frame.to_dict("list") == expected
    assert t.source_rows.tolist() == [header_row + 1] and t.rows_read == 1


# --------------------------------------------------------------------------- a header one field narrower than its data

def _narrow(n: int) -> str:
    """A header naming two columns over ``n`` rows of three: the export's last column has no name."""
    return "id,name\n" + "".join(f"{i},{c},{c}{c}\n" for i, c in zip(range(1, n + 1), "abcde"))


def _narrow_expected(n: int) -> dict:
    return {"id": list(range(1, n + 1)), "name": list("abcde"[:n]), "Column 3": [c * 2 for c in "abcde"[:n]]}


@pytest.mark.parametrize(
    ("title", "header_row", "n"),
    [*((title, row, n) for title, row in [("", 1), ("Ticket report\n", 2), ("Ticket report\n\n", 3)] for n in (1, 2, 5)),
     # not with one data row: the title and the header (two fields each) then outnumber the one row of
     # three, and the title is taken as the header, as before this rule (known, left as it was)
     *(("Ticket report,November 2025\n", 2, n) for n in (2, 5))],
    ids=[*(f"{t}-{n}" for t in ["no title", "title line", "title and blank line"] for n in (1, 2, 5)),
         "two-field title line-2", "two-field title line-5"],
)
def test_a_header_one_field_narrower_than_its_rows_is_the_header(title: str, header_row: int, n: int) -> None:
    t = read_table((title + _narrow(n)).encode(), "x.csv")
    assert t.header_row == header_row
    assert t.frame.to_dict("list") == _narrow_expected(n)
    assert t.source_rows.tolist() == list(range(header_row + 1, header_row + 1 + n)) and t.rows_read == n
    assert ("", "Column 3", "blank header") in t.renamed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the first data rows are all numbers (not header-like): the first text row must not become the header
        ("id,score\n1,2,3\n4,5,6\n7,a,b\n8,c,d\n",
         {"id": [1, 4, 7, 8], "score": ["2", "5", "a", "c"], "Column 3": ["3", "6", "b", "d"]}),
        # the unnamed column is blank on some rows (their trailing delimiter does not count as a field)
        ("id,name\n1,a,x\n2,b,\n3,c,z\n", {"id": [1, 2, 3], "name": ["a", "b", "c"], "Column 3": ["x", None, "z"]}),
    ],
    ids=["numeric rows first", "unnamed column partly blank"],
)
def test_a_narrow_header_over_varied_rows(text: str, expected: dict) -> None:
    t = read_table(text.encode(), "x.csv")
    assert t.header_row == 1
    got = {k: [None if pd.isna(v) else v for v in vals] for k, vals in t.frame.to_dict("list").items()}
    assert got == expected


@pytest.mark.parametrize(
    ("text", "header_row", "columns"),
    [
        # a title of two text fields over a header one field wider is still a title: the record under it
        # has text where every row under that holds a number, so that record is the header
        ("Ticket report,November 2025\nid,status,owner\n1,OPEN,A\n2,CLOSED,B\n3,OPEN,C\n", 2,
         ["id", "status", "owner"]),
        ("Ticket report,November 2025\n\nid,status,owner\n1,OPEN,A\n", 3, ["id", "status", "owner"]),
        ("Ticket report\nGenerated 2025-11-01\n\nid,status,owner\n1,OPEN,A\n2,CLOSED,B\n", 4,
         ["id", "status", "owner"]),
        # a title with a date in it is no header
        ("Export,2025-11-01\nid,status,owner\nT1,OPEN,A\nT2,CLOSED,B\n", 2, ["id", "status", "owner"]),
    ],
    ids=["two-field title", "two-field title, one row", "title lines", "title with a date"],
)
def test_title_lines_over_a_full_header_are_still_skipped(text: str, header_row: int, columns: list[str]) -> None:
    t = read_table(text.encode(), "x.csv")
    assert t.header_row == header_row and list(t.frame.columns) == columns


@pytest.mark.parametrize("title", [[], [["Weekly export"], []]], ids=["no title", "title line"])
def test_xlsx_header_one_cell_narrower_than_its_rows(title: list) -> None:
    rows = [*title, ["id", "name"], [1, "a", "aa"], [2, "b", "bb"], [3, "c", "cc"]]
    t = read_table(fm.xlsx_bytes({"S": rows}), "x.xlsx")
    assert t.header_row == len(title) + 1
    assert t.frame.to_dict("list") == _narrow_expected(3)


# --------------------------------------------------------------------------- empty trailing columns and the caps

EXPORT_HEADER = ["ticket", "status", "opened", "agent", "title"]
SMALL_CAP = Limits(max_cells=5_000)  # 400 rows x 5 columns fit; 400 rows x 305 columns do not


def _export(rows: int = 400, *, empty: int = 0, stray: tuple[int, int, str] | None = None) -> bytes:
    """A ticket export whose lines end with ``empty`` empty fields (a spreadsheet formatted far to the right);
    ``stray`` = (data row, 1-based column, value) puts one value in one of those columns."""
    lines = [EXPORT_HEADER + [""] * empty]
    for i in range(rows):
        title = "Printer, jammed\nagain" if i % 50 == 0 else "Screen frozen"
        lines.append([f"T{i // 2}", ("OPEN", "CLOSED")[i % 2], f"16/07/2025 {i % 24:02d}:{i % 60:02d}",
                      f"Agent {i % 7}", title] + [""] * empty)
    if stray:
        row, column, value = stray
        lines[row][column - 1] = value
    return fm.csv_bytes(lines)


def _text_columns_parsed(monkeypatch) -> list[int]:
    """Record how many columns each pyarrow parse of the body reads as text (the rest must be empty)."""
    seen: list[int] = []
    parse = ingest._arrow_csv

    def spy(body, codec, delimiter, width, header_row, text_columns=None):
        seen.append(width if text_columns is None else text_columns)
        return parse(body, codec, delimiter, width, header_row, text_columns)

    monkeypatch.setattr(ingest, "_arrow_csv", spy)
    return seen


def _assert_same_table(got: ingest.RawTable, expected: ingest.RawTable) -> None:
    pd.testing.assert_frame_equal(got.frame, expected.frame)
    np.testing.assert_array_equal(got.source_rows, expected.source_rows)
    for name in (f.name for f in dataclasses.fields(got) if f.name not in ("frame", "source_rows")):
        assert getattr(got, name) == getattr(expected, name), name


@pytest.mark.parametrize("empty", [300, 600], ids=["beyond the cell cap", "beyond the column cap"])
def test_empty_trailing_columns_count_against_no_cap(empty: int, monkeypatch) -> None:
    plain = read_table(_export(), "x.csv", limits=SMALL_CAP)
    parsed = _text_columns_parsed(monkeypatch)
    padded = read_table(_export(empty=empty), "x.csv", limits=SMALL_CAP)  # 5 + 600 columns > 500 as well
    _assert_same_table(padded, plain)
    assert parsed == [5]  # one parse; the empty columns were never held as text


@pytest.mark.parametrize("value", ["late", " "])
@pytest.mark.parametrize("row", [10, 300], ids=["in the sampled rows", "below them"])
def test_a_value_in_an_empty_trailing_column_is_kept(row: int, value: str, monkeypatch) -> None:
    parsed = _text_columns_parsed(monkeypatch)
    t = read_table(_export(empty=300, stray=(row, 205, value)), "x.csv")  # the default caps hold 400 x 305 cells
    # seen in the sample: read as far as that column; seen only by the parse: every column read again
    assert parsed == ([205] if row == 10 else [5, 305])
    assert list(t.frame.columns) == [*EXPORT_HEADER, "Column 6"]
    assert t.frame["Column 6"].isna().sum() == 399 and t.frame["Column 6"].iloc[row - 1] == value
    pd.testing.assert_frame_equal(t.frame[EXPORT_HEADER], read_table(_export(), "x.csv").frame)


@pytest.mark.parametrize(
    ("empty", "column", "limits", "message"),
    [
        (600, 405, DEFAULT_LIMITS,
         r"^The file has 605 columns; the limit is 500\. Column 405 has no header but holds a value further down "
         r"the file, so all 605 columns count\. Remove unused columns\.$"),
        (300, 205, SMALL_CAP,
         r"^The file has 400 rows by 305 columns, more than 5,000 cells\. Column 205 has no header but holds a "
         r"value further down the file, so all 305 columns count\. Remove unused columns or upload a shorter date range\.$"),
    ],
    ids=["columns", "cells"],
)
def test_a_value_far_right_beyond_a_cap_is_refused_not_dropped(empty: int, column: int, limits: Limits, message: str,
                                                              monkeypatch) -> None:
    parsed = _text_columns_parsed(monkeypatch)
    with pytest.raises(InputError, match=message) as err:
        read_table(_export(empty=empty, stray=(300, column, SECRET)), "x.csv", limits=limits)
    assert SECRET not in str(err.value)
    assert parsed == [5]  # refused after the cheap parse, before one at the full width


@pytest.mark.parametrize("empty", [0, 300])
def test_filled_cells_beyond_the_cap_are_refused_before_parsing(empty: int, monkeypatch) -> None:
    # 400 rows x 20 filled columns (8,000 cells against 5,000), with or without empty columns after them
    rows = [[f"h{j}" for j in range(20)] + [""] * empty] + [[f"v{i}.{j}" for j in range(20)] + [""] * empty
                                                             for i in range(400)]
    parsed = _text_columns_parsed(monkeypatch)
    with pytest.raises(InputError, match=r"^The file has 400 rows by 20 columns, more than 5,000 cells\. Remove"):
        read_table(fm.csv_bytes(rows), "x.csv", limits=SMALL_CAP)
    assert parsed == []


# --------------------------------------------------------------------------- XLSX


def test_xlsx_types_header_detection_and_row_numbers() -> None:
    rows = [["Weekly export"], [],
            ["Ticket", "Opened", "Score", "Name", "Mixed"],
            [1, datetime(2025, 7, 16, 7, 6, 15), 1.5, "A", datetime(2025, 7, 16, 8, 0)],
            [2, datetime(2025, 7, 17, 8, 0), None, "B", "later"],
            [2, datetime(2025, 7, 17, 8, 0), None, "B", "later"]]
    t = read_table(fm.xlsx_bytes({"Data": rows}), "x.xlsx")
    assert t.file_kind == "xlsx" and t.sheet == "Data" and t.header_row == 3
    assert t.source_rows.tolist() == [4, 5]
    assert t.duplicate_rows == (6,)
    f = t.frame
    assert str(f["Opened"].dtype) == "datetime64[us]" and t.date_cells == frozenset({"Opened"})
    assert f["Opened"].iloc[0] == pd.Timestamp("2025-07-16 07:06:15")
    assert str(f["Ticket"].dtype) == "int64"
    assert str(f["Score"].dtype) == "float64"
    assert f["Mixed"].tolist() == ["2025-07-16 08:00:00", "later"]  # dates in mixed columns as ISO text


def test_xlsx_epoch1904_is_reported_and_dates_are_right() -> None:
    rows = [["id", "when"], [1, datetime(2025, 7, 16, 7, 6, 15)]]
    t = read_table(fm.xlsx_bytes({"S": rows}, epoch1904=True), "x.xlsx")
    assert t.epoch1904 is True
    assert t.frame["when"].iloc[0] == pd.Timestamp("2025-07-16 07:06:15")


def test_xlsx_sheet_choice_and_empty_sheet_message() -> None:
    data = fm.xlsx_bytes({"Cover": [], "Events": [["id", "s"], [1, "a"]], "Notes": [["x", "y"], ["1", "2"]]})
    assert read_table(data, "x.xlsx", sheet="Events").frame["id"].tolist() == [1]
    assert read_table(data, "x.xlsx", sheet="notes").sheets == ("Cover", "Events", "Notes")
    with pytest.raises(InputError, match=r"Sheet 'Cover' is empty.*'Events', 'Notes'"):
        read_table(data, "x.xlsx")
    with pytest.raises(InputError, match=r"no sheet 'Nope'.*'Cover', 'Events', 'Notes'"):
        read_table(data, "x.xlsx", sheet="Nope")


def test_hand_made_xlsx_reads() -> None:
    t = read_table(fm.raw_xlsx(fm.sheet_xml(fm.small_sheet())), "x.xlsx")
    assert t.frame.to_dict("list") == {"id": [1, 2], "name": ["a", "b"]}


# --------------------------------------------------------------------------- content decides the kind


def test_xlsx_named_csv_reads_as_xlsx_and_csv_named_xlsx_as_csv() -> None:
    xlsx = fm.raw_xlsx(fm.sheet_xml(fm.small_sheet()))
    assert read_table(xlsx, "export.csv").file_kind == "xlsx"
    t = read_table(fm.csv_bytes(ROWS), "export.xlsx")
    assert t.file_kind == "csv" and len(t.frame) == 2


# --------------------------------------------------------------------------- hostile and unusable files


HOSTILE = {
    "empty": (b"", r"empty \(0 bytes\)"),
    "header only": (b"id,name,when\r\n", r"no data rows"),
    "header only under a title line": (b"Ticket report\r\nid,name,when\r\n", r"header row \(row 2\) but no data rows"),
    "xlsx header only": (fm.xlsx_bytes({"S": [["id", "name"]]}), r"no data rows"),
    "utf-16 without a mark": ("id,name\n1,a\n".encode("utf-16-le"), r"UTF-16 text without a byte-order mark"),
    "blank lines only": (b"\n\n,,\n  \n", r"no data"),
    "pdf named csv": (fm.pdf_bytes(), r"PDF document"),
    "ole2 (xls or encrypted xlsx)": (fm.ole2_bytes(), r"\.xls\).*password"),
    "binary garbage": (fm.garbage_bytes(), r"binary data"),
    "word document": (fm.docx_bytes(), r"Word document"),
    "plain zip": (fm.plain_zip_bytes(), r"zip archive"),
    "truncated workbook": (fm.raw_xlsx(fm.sheet_xml(fm.small_sheet()))[:300], r"may be damaged"),
    "workbook with broken xml": (fm.raw_xlsx("<worksheet><sheetData><row><c r=\"A1\"><v>1</v></c></row><row><c r=\"A2\"><v>2<"), r"may be damaged"),
    "far cell declared": (fm.far_cell_xlsx(declare=True), r"declares a range of 1,048,576 rows by 16,384"),
    "far cell undeclared": (fm.far_cell_xlsx(declare=False), r"uses a range of 1,048,576 rows by 16,384"),
    "far cell, r after a newline": (fm.raw_xlsx(fm.sheet_xml(fm.small_sheet() + '<row r="9"><c\nr="XFD9"><v>1</v></c></row>')),
                                    r"uses a range of 9 rows by 16,384"),
    "far row, r after a tab": (fm.raw_xlsx(fm.sheet_xml(fm.small_sheet() + '<row\tr="3000000"><c\tr="A3000000"><v>1</v></c></row>')),
                               r"uses a range of 3,000,000 rows by 2"),
    "many entries": (fm.many_entries_xlsx(), r"2,50\d parts; the limit is 2,000"),
    "path traversal": (fm.traversal_xlsx(), r"unsafe path"),
    "billion laughs in sheet": (fm.billion_laughs_xlsx("sheet"), r"entity declarations"),
    "billion laughs in workbook": (fm.billion_laughs_xlsx("workbook"), r"entity declarations"),
    "billion laughs in shared strings": (
        fm.raw_xlsx(fm.sheet_xml(fm.small_sheet()), extra={"xl/sharedStrings.xml": fm.BILLION_LAUGHS.encode()}),
        r"entity declarations"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_or_unusable_file_is_refused_clearly(name: str) -> None:
    data, pattern = HOSTILE[name]
    with pytest.raises(InputError, match=pattern) as err:
        read_table(data, "upload.csv")
    assert SECRET not in str(err.value)


def test_zip_bomb_is_refused_before_inflating() -> None:
    with pytest.raises(InputError, match=r"compressed [\d,]+ to 1"):
        read_table(fm.zip_bomb_xlsx(), "bomb.xlsx")


def test_limits_are_enforced_in_human_units() -> None:
    data = fm.csv_bytes([["id", "name"], *[[str(i), SECRET] for i in range(80)]])
    with pytest.raises(InputError, match=r"is 1\.\d KB; the limit is 1 KB") as err:
        read_table(data, "x.csv", limits=Limits(max_bytes=1024))
    assert SECRET not in str(err.value)
    with pytest.raises(InputError, match=r"80 data rows; the limit is 10"):
        read_table(data, "x.csv", limits=Limits(max_rows=10))
    with pytest.raises(InputError, match=r"80 rows by 2 columns, more than 100 cells"):
        read_table(data, "x.csv", limits=Limits(max_cells=100))
    with pytest.raises(InputError, match=r"3 columns; the limit is 2"):
        read_table(b"a,b,c\n1,2,3\n", "x.csv", limits=Limits(max_columns=2))
    assert DEFAULT_LIMITS.max_bytes == 600 * 1024**2 and DEFAULT_LIMITS.max_cells == 60_000_000


def test_input_bytes_are_not_needed_after_reading() -> None:
    data = bytearray(fm.csv_bytes(ROWS))
    t = read_table(bytes(data), "x.csv")
    data[:] = b"x" * len(data)
    assert t.frame["Status"].tolist() == ["OPEN", "CLOSED"]


# --------------------------------------------------------------------------- the real export


@pytest.fixture(scope="module")
def seed_table(seed_bytes: bytes):
    return read_table(seed_bytes, "anonymized_portfolio_data.xlsx")


def test_real_export_reads(seed_table) -> None:
    t = seed_table
    assert t.rows_read == 16_194
    # data/README.md says 1,546 duplicate rows, but only 19 rows are exact duplicates over all
    # 37 columns (pandas' own DataFrame.duplicated agrees); near-duplicates are not removed here.
    assert t.duplicates_removed == 19
    assert len(t.frame) == 16_194 - 19
    assert t.frame.columns[0] == "Sub Module" and t.frame.columns[-1] == "Sub Module (2)"
    assert ("ï»¿Sub Module", "Sub Module", "removed a byte-order mark left in the header") in t.renamed
    assert {"event_timestamp", "first_response_timestamp", "resolution_timestamp"} <= t.date_cells
    assert str(t.frame["event_timestamp"].dtype) == "datetime64[us]"
    assert t.source_rows[0] == 2 and t.header_row == 1


def _cell_text(value: object, column: int) -> str:
    if isinstance(value, datetime):
        if column != EVENT_TIMESTAMP:
            return value.strftime("%Y-%m-%d %H:%M:%S")
        if value.day % 3 == 0:  # by value, so duplicate rows stay identical
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return value.strftime("%d/%m/%Y %H:%M" if value.second == 0 else "%d/%m/%Y %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if column == ISSUE_TITLE and value:
        return f"{value} – réseau coupé"  # Latin-1 letters; the dash is cp1252 only
    return str(value)


EVENT_TIMESTAMP, ISSUE_TITLE = 14, 1


def _seed_as_latin1_csv(seed_path: Path) -> bytes:
    """The export as its source system wrote it: cp1252, a UTF-8 mark glued to the header, three date formats."""
    import python_calamine

    rows = python_calamine.CalamineWorkbook.from_path(str(seed_path)).get_sheet_by_index(0).to_python()
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(rows[0])  # its first header already holds the mark as 'ï»¿'
    writer.writerows([_cell_text(v, i) for i, v in enumerate(row)] for row in rows[1:])
    return buf.getvalue().encode("cp1252")


def test_real_export_as_latin1_csv_gives_the_same_instants(seed_table, seed_path: Path) -> None:
    t = read_table(_seed_as_latin1_csv(seed_path), "export.csv")
    assert t.encoding in ("cp1252", "latin-1")
    assert t.frame.columns[0] == "Sub Module" and t.frame.columns[-1] == "Sub Module (2)"
    assert t.duplicates_removed == seed_table.duplicates_removed
    np.testing.assert_array_equal(t.source_rows, seed_table.source_rows)
    parsed, report = parse_datetime_column(t.frame["event_timestamp"], source_rows=t.source_rows,
                                           column="event_timestamp")
    assert report.order == "day-first" and report.failed == 0
    assert set(report.formats) == {"DD/MM/YYYY HH:MM:SS", "DD/MM/YYYY HH:MM", "YYYY-MM-DD HH:MM:SS"}
    pd.testing.assert_series_equal(parsed, seed_table.frame["event_timestamp"], check_names=False)



def _frames_with_duplicates() -> list[pd.DataFrame]:
    rng = np.random.default_rng(3)
    n = 400
    return [
        pd.DataFrame({
            "id": rng.integers(0, 40, n),
            "text": pd.Series(rng.choice(["a", "b", None, "ä"], n), dtype="str"),
            "x": np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 3, n).astype(float)),
            "when": pd.to_datetime(rng.integers(0, 3, n), unit="D").where(rng.random(n) > 0.1),
            "count": pd.array(np.where(rng.random(n) < 0.3, None, rng.integers(0, 2, n)), dtype="Int64"),
        }),
        pd.DataFrame({"only": pd.Series(["x", None, "x", None, "y"], dtype="str")}),
        _wide_frame_whose_varied_columns_repeat(rng),
    ]


def _wide_frame_whose_varied_columns_repeat(rng: np.random.Generator) -> pd.DataFrame:
    # The first rows make a, b and c the most varied columns (duplicated_rows hashes those first);
    # the later rows repeat them with differences only in the other columns, or not at all.
    n = 3000
    key = np.concatenate([np.arange(2000), rng.integers(0, 2000, n - 2000)])
    frame = pd.DataFrame({
        "a": key, "b": pd.Series([f"t{k}" for k in key], dtype="str"), "c": key * 0.5,
        "d": rng.integers(0, 2, n), "e": pd.Series(rng.choice(["x", "y", None], n), dtype="str"),
        "f": np.zeros(n), "g": pd.Series(["same"] * n, dtype="str"),
    })
    frame.loc[2000:, ["d", "e"]] = frame.loc[key[2000:], ["d", "e"]].to_numpy()  # exact copies ...
    frame.loc[2500:, "f"] = 1.0  # ... and near copies that differ in one column only
    return frame


@pytest.mark.parametrize("frame", _frames_with_duplicates(), ids=["mixed types", "one column", "wide"])
def test_duplicated_rows_equals_pandas(frame: pd.DataFrame) -> None:
    expected = frame.duplicated(keep="first").to_numpy()
    assert expected.any()
    assert ingest.duplicated_rows(frame).tolist() == expected.tolist()
    as_arrow = pa.Table.from_pandas(frame, preserve_index=False)
    assert ingest.duplicated_rows(as_arrow).tolist() == expected.tolist()


@pytest.mark.parametrize("frame", _frames_with_duplicates(), ids=["mixed types", "one column", "wide"])
def test_duplicated_rows_survives_hash_collisions(frame: pd.DataFrame, monkeypatch) -> None:
    # Every row gets the same hash: the cell-by-cell check finds rows that differ, and the
    # exact fallback still keeps exactly the rows pandas keeps.
    monkeypatch.setattr(ingest, "_row_hashes", lambda table: np.zeros(table.num_rows, np.uint64))
    expected = frame.duplicated(keep="first").to_numpy()
    assert ingest.duplicated_rows(frame).tolist() == expected.tolist()


def test_duplicated_rows_settles_collisions_among_the_rows_taken_out(monkeypatch) -> None:
    # The few varied columns hash truly, so only some rows stay in question and are taken out;
    # every whole-row hash then collides: positions must map back from the rows taken out.
    frame = _wide_frame_whose_varied_columns_repeat(np.random.default_rng(11))
    real = ingest._row_hashes

    def colliding(table: pa.Table) -> np.ndarray:
        if table.num_columns < frame.shape[1]:
            return real(table)
        assert table.num_rows < len(frame)  # the rows in question only
        return np.zeros(table.num_rows, np.uint64)

    monkeypatch.setattr(ingest, "_row_hashes", colliding)
    expected = frame.duplicated(keep="first").to_numpy()
    assert expected.any()
    assert ingest.duplicated_rows(frame).tolist() == expected.tolist()
