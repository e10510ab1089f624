"""core.xlsx: the numpy pre-scan gives the regex scan's figures exactly; calamine's cells arrive in the same order.

The regex scan is kept below as the reference (``_reference_scan``, the scan as it was before numpy): every
sheet here, cut into steps of many sizes, must give the same extent, the same refusal and the same message.
"""
from __future__ import annotations

import io
import random
import re
import zipfile

import numpy as np
import pandas as pd
import pytest

from core import xlsx
from core.ingest import DEFAULT_LIMITS, InputError, Limits, read_table
from tests.core import filemakers as fm

NS_X = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _reference_scan(zf: zipfile.ZipFile, info: xlsx._SheetInfo, limits: Limits, chunk_size: int) -> xlsx._SheetInfo:
    """The pre-scan as it was before numpy: regexes over every cell reference, byte counts for tags."""
    if info.part not in zf.namelist():
        return info
    rows = cols = 0
    row_tags = carry = 0
    has_values = False
    tail = b""
    with zf.open(info.part) as f:
        first = True
        while chunk := f.read(chunk_size):
            buf = tail + chunk
            if first:
                xlsx._refuse_dtd(buf)
                if m := xlsx._DIMENSION.search(buf[:65536]):
                    end_c, end_r = (m.group(3), m.group(4)) if m.group(3) else (m.group(1), m.group(2))
                    xlsx._check_extent(info.name, int(end_r or 0), xlsx._col_number(end_c or b""), limits,
                                       declared=True)
                first = False
            has_values = has_values or bool(xlsx._HAS_VALUE.search(buf))
            cell_col, cell_row = ((xlsx._CELL_COL_SPACE, xlsx._CELL_ROW_SPACE)
                                  if buf.count(b'r="') == buf.count(b' r="') else (xlsx._CELL_COL, xlsx._CELL_ROW))
            cols = max([cols, *map(xlsx._col_number, set(cell_col.findall(buf)))])
            found = cell_row.findall(buf)
            if found:
                rows = max(rows, max(map(int, set(found))))
            # rows' own numbers count too (calamine puts r-less cells on them): added after the numpy rewrite
            numbers = re.findall(rb'\sr="([0-9]+)"', buf)
            if numbers:
                rows = max(rows, max(map(int, numbers)))
            row_tags += chunk.count(b"<row") + chunk.count(b":row ") + chunk.count(b":row>")
            rows = max(rows, row_tags)
            if xlsx._cells_without_r(chunk):
                counts = [len(xlsx._CELL_TAG.findall(piece)) for piece in xlsx._ROW_TAG.split(chunk)]
                counts[0] += carry
                cols, carry = max(cols, *counts), counts[-1]
            xlsx._check_extent(info.name, rows, cols, limits, declared=False)
            tail = buf[-64:]
    return xlsx._SheetInfo(info.name, info.part, rows, cols, has_values)


def _outcome(scan, data: bytes, limits: Limits, chunk_size: int):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        try:
            _, sheets = xlsx._workbook_sheets(zf)
            return [scan(zf, s, limits, chunk_size) for s in sheets]
        except InputError as exc:
            return f"InputError: {exc}"
        except ValueError as exc:  # e.g. a row number of thousands of digits; read() reports the file damaged
            return f"ValueError: {type(exc).__name__}"


def _assert_same_scan(data: bytes, limits: Limits = DEFAULT_LIMITS, sizes=(1, 2, 3, 5, 7, 11, 17, 64, 65, 100, 1 << 22)):
    for size in sizes:
        want = _outcome(_reference_scan, data, limits, size)
        got = _outcome(xlsx._scan_sheet, data, limits, size)
        assert got == want, (size, data)


# --------------------------------------------------------------------------- sheets by hand

def _sheet(body: str, *, prefix: str = "", dimension: str | None = None) -> bytes:
    if prefix:
        dim = f'<{prefix}dimension ref="{dimension}"/>' if dimension else ""
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<{prefix}worksheet {NS_X}>{dim}'
               f"<{prefix}sheetData>{body}</{prefix}sheetData></{prefix}worksheet>")
        return fm.raw_xlsx(xml)
    return fm.raw_xlsx(fm.sheet_xml(body, dimension=dimension))


HAND_MADE = {
    "plain": fm.small_sheet(),
    "far cell used": fm.small_sheet() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    "far cell in lower case": fm.small_sheet() + '<row r="9"><c r="xfd9"><v>1</v></c></row>',
    "four letters": fm.small_sheet() + '<row r="9"><c r="AAAA9"><v>1</v></c></row>',
    "nine digits": fm.small_sheet() + '<row r="9"><c r="A123456789"><v>1</v></c></row>',
    "leading zeros": fm.small_sheet() + '<row r="9"><c r="B000000000000000000000000000000009"><v>1</v></c></row>',
    "thousands of digits": fm.small_sheet() + f'<row r="9"><c r="B{"1" * 5000}"><v>1</v></c></row>',
    "tab before r": '<row r="1"><c\tr="C1"><v>1</v></c><c\nr="D2"><v>1</v></c></row>',
    "r after other attributes": '<row r="1" spans="1:2"><c s="1" t="n" r="E7"><v>1</v></c></row>',
    "row numbers without letters": '<row r="500000"><c r="A2"><v>1</v></c></row>',
    "reference without digits": '<row r="1"><c r="AB"><v>1</v></c><c r="A1x"><v>1</v></c></row>',
    "reference in text": '<row r="1"><c r="A1" t="inlineStr"><is><t>say r="ZZ99" and r="Q7</t></is></c></row>',
    "cells without r": "<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>" * 3,
    "rows without r": '<row><c r="A1"><v>1</v></c></row><row><c r="A2"><v>1</v></c></row>' * 3,
    "some cells without r": '<row r="1"><c r="A1"><v>1</v></c><c><v>2</v></c><c/><c t="n"><v>3</v></c></row>',
    "self-closing cells": '<row r="1"><c r="A1"/><c r="B1"/><c/></row><row r="2"><c/></row>',
    "empty sheet": "",
    "no values": '<row r="1"><c r="A1"/></row>',
}
HAND_MADE_PREFIXED = {
    "prefixed": '<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="B1"><x:v>2</x:v></x:c></x:row>',
    "prefixed without r": "<x:row><x:c><x:v>1</x:v></x:c><x:c><x:v>2</x:v></x:c></x:row>" * 4,
    "prefixed rows, far cell": '<x:row r="1"><x:c r="XFD1"><x:v>1</x:v></x:c></x:row>',
}


@pytest.mark.parametrize("name", sorted(HAND_MADE))
def test_hand_made_sheets_scan_as_before(name: str) -> None:
    _assert_same_scan(_sheet(HAND_MADE[name]))
    _assert_same_scan(_sheet(HAND_MADE[name], dimension="A1:B3"), Limits(max_rows=3, max_columns=1))


@pytest.mark.parametrize("name", sorted(HAND_MADE_PREFIXED))
def test_namespaced_sheets_scan_as_before(name: str) -> None:
    _assert_same_scan(_sheet(HAND_MADE_PREFIXED[name], prefix="x:", dimension="A1:B2"))
    _assert_same_scan(_sheet(HAND_MADE_PREFIXED[name], prefix="x:"), Limits(max_rows=2, max_columns=1))


def test_far_cell_is_refused_wherever_the_steps_cut_it() -> None:
    data = _sheet(fm.small_sheet() + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    for size in range(1, 90):
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            _, sheets = xlsx._workbook_sheets(zf)
            with pytest.raises(InputError, match=r"uses a range of [\d,]+ rows by 16,384 columns"):
                xlsx._scan_sheet(zf, sheets[0], DEFAULT_LIMITS, size)


def test_corpus_attacks_scan_as_before() -> None:
    from tests.corpus import CASES_BY_NAME

    for name in ("far cell declared", "far cell undeclared", "far cell by position (no r attributes)",
                 "workbook declaring more rows than the limit", "billion laughs behind a long comment",
                 "billion laughs in a utf-16 sheet", "first sheet empty", "formulas without cached values"):
        case = CASES_BY_NAME[name]
        _assert_same_scan(case.make_bytes(), case.limits or DEFAULT_LIMITS, sizes=(7, 4096, 1 << 22))


# --------------------------------------------------------------------------- generated sheets

def _random_ref(rng: random.Random, row: int, col: int) -> str:
    letters = ""
    n = col
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    pick = rng.random()
    if pick < 0.75:
        return f'r="{letters}{row}"'
    return rng.choice([
        f'r="{letters.lower()}{row}"', f'r="{letters}{row:08d}"', 'r="XFD1048576"', f'r="AAAA{row}"',
        f'r="{letters}{row}123456789"', f'r="{letters}"', f'r="{row}"', f"r='{letters}{row}'",
        f'r="{letters}{row}x"', "", "", f'r="{letters}9{row}"', f'r="ZZ{row}"',
    ])


def _random_sheet(rng: random.Random) -> tuple[bytes, Limits]:
    prefix = rng.choice(["", "", "", "x:"])
    rows = []
    for r in range(1, rng.randint(1, 40)):
        cells = []
        for c in range(1, rng.randint(0, 12)):
            ref = _random_ref(rng, r, c)
            space = rng.choice([" ", " ", " ", "\t", "\n"])
            attrs = f"{space}{ref}" if ref else ""
            if rng.random() < 0.2:
                attrs = f' s="1"{attrs} t="n"'
            kind = rng.random()
            if kind < 0.5:
                cells.append(f"<{prefix}c{attrs}><{prefix}v>{r * c}</{prefix}v></{prefix}c>")
            elif kind < 0.8:
                text = rng.choice(["word", "r=\"ZZ9\"", " r=\"B7\" ", "<", "row", ":c", ":row here"]).replace("<", "&lt;")
                cells.append(f'<{prefix}c{attrs} t="inlineStr"><{prefix}is><{prefix}t>{text}</{prefix}t></{prefix}is></{prefix}c>')
            else:
                cells.append(f"<{prefix}c{attrs}/>")
        row_attr = f' r="{r}"' if rng.random() < 0.8 else ""
        rows.append(f"<{prefix}row{row_attr}>{''.join(cells)}</{prefix}row>")
    dimension = rng.choice([None, "A1:C40", "A1:XFD1048576", "B2"])
    limits = rng.choice([DEFAULT_LIMITS, Limits(max_rows=20, max_columns=6), Limits(max_cells=60)])
    return _sheet("".join(rows), prefix=prefix, dimension=dimension), limits


@pytest.mark.parametrize("seed", range(40))
def test_generated_sheets_scan_as_before(seed: int) -> None:
    rng = random.Random(seed)
    data, limits = _random_sheet(rng)
    _assert_same_scan(data, limits, sizes=(1, rng.randint(2, 40), rng.randint(41, 400), 1 << 22))


# --------------------------------------------------------------------------- one step

def _step_cases(rng: random.Random) -> list[bytes]:
    tokens = [b' r="', b'\tr="', b'r="', b'"', b"A", b"z", b"XFD", b"AAAA", b"1", b"0", b"9", b"12345678",
              b"123456789", b"x", b" ", b"<c", b"<c ", b"<c>", b"<c/>", b"<row", b"<row ", b"<row>", b":row ",
              b":c", b"<x:c ", b">", b"0000000001", b"<c r=\"", b"/"]
    return [b"".join(rng.choice(tokens) for _ in range(rng.randint(0, 40))) for _ in range(400)]


@pytest.mark.parametrize("seed", range(5))
def test_one_step_gives_the_regex_figures(seed: int) -> None:
    """_fast_step answers as _regex_step does, or says it is unsure (None); never another answer."""
    rng = random.Random(seed)
    sure = 0
    for buf in _step_cases(rng):
        for tail in {0, min(len(buf), 3), min(len(buf), rng.randint(0, 64))}:
            fast = xlsx._fast_step(np.frombuffer(buf, np.uint8), tail)
            if fast is not None:
                sure += 1
                assert fast == xlsx._regex_step(buf, buf[tail:]), (buf, tail)
    assert sure > 200  # the fast way answers most of them


def test_excel_like_steps_take_the_fast_way() -> None:
    row = '<row r="{r}" spans="1:3"><c r="A{r}" s="1" t="inlineStr"><is><t>x</t></is></c><c r="B{r}"><v>{r}</v></c>' \
          '<c r="AK{r}" t="s"><v>0</v></c></row>'
    buf = "".join(row.format(r=r) for r in range(99_990, 100_010)).encode()
    for cut in range(0, 200, 7):  # a step may start or end anywhere, even inside a tag
        piece = buf[cut:len(buf) - cut]
        step = xlsx._fast_step(np.frombuffer(piece, np.uint8), 0)
        assert step is not None
        assert step == xlsx._regex_step(piece, piece)
    assert xlsx._fast_step(np.frombuffer(buf, np.uint8), 0) == (37, 100_009, 20, None)


# --------------------------------------------------------------------------- calamine's cells

def test_cells_come_row_after_row() -> None:
    data = fm.xlsx_bytes({"Sheet1": [["id", "name", "n"], [1, "a", 2.5], [2, "", None], [3, "c", 4]]})
    cells, width, start = xlsx._calamine_rows(data, "Sheet1")
    assert (width, start) == (3, 0)
    assert cells == ["id", "name", "n", 1.0, "a", 2.5, 2.0, "", "", 3.0, "c", 4.0]


def test_an_area_below_the_first_row_keeps_its_row_numbers() -> None:
    body = ('<row r="3"><c r="C3" t="inlineStr"><is><t>id</t></is></c><c r="D3" t="inlineStr"><is><t>v</t></is></c>'
            '</row><row r="4"><c r="C4"><v>1</v></c><c r="D4"><v>2</v></c></row>'
            '<row r="6"><c r="C6"><v>3</v></c></row>')
    data = _sheet(body)
    cells, width, start = xlsx._calamine_rows(data, "Sheet1")
    assert (width, start) == (2, 2)
    assert cells == ["id", "v", 1.0, 2.0, "", "", 3.0, ""]
    raw = read_table(data, "x.xlsx")
    assert raw.header_row == 3 and raw.source_rows.tolist() == [4, 6]
    assert raw.frame["id"].tolist() == [1, 3]


def test_header_under_a_row_of_numbers() -> None:
    raw = read_table(fm.xlsx_bytes({"Sheet1": [[1, 2], ["ticket id", "status"], ["T1", "Open"]]}), "x.xlsx")
    assert raw.header_row == 2 and raw.source_rows.tolist() == [3]
    assert list(raw.frame.columns) == ["ticket id", "status"]


def test_cells_of_every_kind_keep_their_types() -> None:
    from datetime import datetime

    rows = [["a", "b", "c", "d"], [1, True, datetime(2025, 1, 2), "x"], [2.5, False, "t", None], [None, None, None, 3]]
    raw = read_table(fm.xlsx_bytes({"Sheet1": rows}), "x.xlsx")
    assert [str(t) for t in raw.frame.dtypes] == ["float64", "boolean", "str", "str"]
    assert raw.frame["c"].tolist()[:2] == ["2025-01-02", "t"] and raw.frame["d"].tolist()[2] == "3"


# --------------------------------------------------------------------------- columns by blocks of rows

def _column_cases() -> dict[str, list]:
    from datetime import date, datetime, time, timedelta

    n = 23
    return {
        "text": [f"t{i}" for i in range(n)],
        "text with empties": ["" if i % 3 else f"t{i}" for i in range(n)],
        "all empty": [""] * n,
        "numbers": [float(i) for i in range(n)],
        "numbers with empties": ["" if i % 4 == 1 else i * 1.5 for i in range(n)],
        "integral numbers with empties": ["" if i % 4 == 1 else float(i) for i in range(n)],
        "ints and floats": [i if i % 2 else i + 0.25 for i in range(n)],
        "number then text in a later block": [float(i) for i in range(n - 1)] + ["late text"],
        "text then a number in a later block": [f"t{i}" for i in range(n - 1)] + [3.0],
        "empties then numbers": [""] * (n - 3) + [1.0, 2.0, 3.0],
        "numeric-looking text among numbers": [1.0, "", "1.5"] + [2.0] * (n - 3),
        "booleans": [bool(i % 2) for i in range(n)],
        "booleans among numbers": [1.0] * (n - 1) + [True],
        "dates": [datetime(2025, 1, 1 + i % 28, 10, 30) for i in range(n)],
        "dates and days": [datetime(2025, 1, 2, 3) if i % 2 else date(2025, 1, 3) for i in range(n)],
        "mixed": [1.0, "x", datetime(2025, 1, 2), True, time(1, 2), timedelta(hours=1)] + [""] * (n - 6),
        "none": [None] * n,
        "numbers and none": [None if i % 2 else float(i) for i in range(n)],
    }


@pytest.mark.parametrize("block", [1, 2, 5, 2048])
def test_columns_by_blocks_equal_column_by_column(monkeypatch, block: int) -> None:
    monkeypatch.setattr(xlsx, "_BLOCK_ROWS", block)
    cases = _column_cases()
    names = sorted(cases)
    header = list(names)
    rows = [header] + [[cases[name][r] for name in names] for r in range(len(cases[names[0]]))]
    cells = [v for row in rows for v in row]
    width = len(names)
    whole = []
    one_column = xlsx._excel_column
    monkeypatch.setattr(xlsx, "_excel_column", lambda values, epoch1904: whole.append(values) or one_column(values, epoch1904))
    got = xlsx._excel_columns(cells, width, width, False)
    slow = {names[i] for i in range(width) if cells[width + i::width] in whole}
    assert not slow & {"text", "text with empties", "numbers", "numbers with empties", "ints and floats", "none"}
    assert {"dates", "mixed", "booleans", "numeric-looking text among numbers"} <= slow
    for i, name in enumerate(names):
        want = one_column(cells[width + i::width], False)
        assert str(got[i].dtype) == str(want.dtype), name
        assert got[i].equals(want), name
        assert [None if pd.isna(v) else v for v in got[i].tolist()] == \
               [None if pd.isna(v) else v for v in want.tolist()], name


def test_columns_of_a_header_alone() -> None:
    got = xlsx._excel_columns(["a", "b"], 2, 2, False)
    assert [len(s) for s in got] == [0, 0] and [str(s.dtype) for s in got] == ["str", "str"]


@pytest.mark.parametrize("size", [7, 64, 1 << 22])  # r-less cells are counted per step: steps hold tags whole
def test_a_far_row_number_with_cells_without_r_is_refused_before_calamine(size: int, monkeypatch) -> None:
    # calamine puts r-less cells on their row's number: 500 of them on row 1,048,576 would be
    # half a billion cells. The row's own number counts towards the extent.
    far = '<row r="1048576">' + "<c><v>1</v></c>" * 500 + "</row>"
    data = _sheet(fm.small_sheet() + far, dimension="A1:B3")
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        _, sheets = xlsx._workbook_sheets(zf)
        with pytest.raises(InputError, match=r"uses a range of 1,048,576 rows by [\d,]+ columns"):
            xlsx._scan_sheet(zf, sheets[0], DEFAULT_LIMITS, size)

    def never(*args, **kwargs):
        raise AssertionError("calamine must not see this workbook")

    monkeypatch.setattr(xlsx, "_calamine_rows", never)
    with pytest.raises(InputError, match="beyond the limits"):
        read_table(data, "far-row.xlsx")
