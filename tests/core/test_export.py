"""Tests for core.export: exact bytes, formula safety, types, limits, and no personal data in any format."""
from __future__ import annotations

import html
import io
import re
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from core import anonymize as an
from core import export as ex

sys.path.insert(0, str(Path(__file__).parent))
import pii_fixtures as pii  # noqa: E402
from pii_fixtures import surviving  # noqa: E402

KEY = b"K" * 32


def small() -> pd.DataFrame:
    return pd.DataFrame({
        "title": ["ok", '=HYPERLINK("http://x.example","y")', None, "\uff0b1", "@SUM(A1)", "-x", "\tx", 'a,b "q"'],
        "n": [-5, 44, 0, 1, 2, 3, 4, 5],
        "f": [1.5, None, -2.0, 0.25, 3.0, 4.0, 5.0, 6.0],
        "when": pd.to_datetime(["2025-07-16 07:06:15", None, "2025-07-21 08:57:00"]
                               + ["2025-01-01 00:00:00"] * 5).astype("datetime64[us]"),
    })


def xlsx_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n).decode("utf-8") for n in archive.namelist()}


def xlsx_text(data: bytes) -> str:
    """Every string of every sheet (shared or inline), unescaped."""
    parts = xlsx_parts(data)
    xml = " ".join(v for k, v in parts.items() if k.startswith("xl/worksheets/") or k == "xl/sharedStrings.xml")
    return html.unescape(" ".join(re.findall(r"<t[^>]*>([^<]*)</t>", xml)))


# ---------------------------------------------------------------- CSV

CSV_GOLDEN = (
    b'"title","n","f","when"\n'
    b'"ok",-5,1.5,2025-07-16 07:06:15\n'
    b'"\'=HYPERLINK(""http://x.example"",""y"")",44,,\n'
    b",0,-2,2025-07-21 08:57:00\n"
    b'"\'\xef\xbc\x8b1",1,0.25,2025-01-01 00:00:00\n'
    b'"\'@SUM(A1)",2,3,2025-01-01 00:00:00\n'
    b'"\'-x",3,4,2025-01-01 00:00:00\n'
    b'"\'\tx",4,5,2025-01-01 00:00:00\n'
    b'"a,b ""q""",5,6,2025-01-01 00:00:00\n'
)


def test_csv_exact_bytes():
    assert ex.to_csv_bytes(small()) == CSV_GOLDEN
    assert ex.to_csv_bytes(small(), bom=True) == b"\xef\xbb\xbf" + CSV_GOLDEN


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "\nx",
                                  "\uff1d1", "\uff0b1", "\uff0d1", "\uff201"])
def test_csv_neutralizes_formula_starts(text):
    out = ex.to_csv_bytes(pd.DataFrame({"t": [text]})).decode("utf-8")
    assert out.splitlines()[1].startswith("\"'") or out.split("\n", 1)[1].startswith("\"'")


# Every leading character the formula test could meet: ASCII, the fullwidth block, and
# look-alikes that are not formula starts (small/superscript signs, minus sign, quotes).
LEADS = ([chr(c) for c in range(1, 128)] + [chr(c) for c in range(0xFF00, 0xFF60)]
         + ["\uFE62", "\uFE63", "\uFE66", "\u207A", "\u2212", "\u2018", "\u00A0", "\u3000", "\U0001F600", "\u00e9"])
FORMULA_REFERENCE = re.compile("[=+\\-@\t\r\n\uFF1D\uFF0B\uFF0D\uFF20]")  # the original rule, as a regex


def test_neutralize_formulas_table_of_leading_characters():
    values = [v for ch in LEADS for v in (ch, ch + "1+1", ch + "=x", " " + ch)] + ["", None, "'=x", " =x", "x=1"]
    expected = [None if v is None else ("'" + v if FORMULA_REFERENCE.match(v) else v) for v in values]
    out = ex.neutralize_formulas(pa.array(values, type=pa.large_string()))
    assert out.to_pylist() == expected
    assert sum(a != b for a, b in zip(expected, values)) == 3 * 11  # the 11 characters, alone or leading
    chunked = ex.neutralize_formulas(pa.chunked_array([values[:100], values[100:], []], type=pa.string()))
    assert chunked.to_pylist() == expected
    safe = pa.array(["ok", None, "a=b"])
    assert ex.neutralize_formulas(safe).to_pylist() == ["ok", None, "a=b"]
    assert ex.neutralize_formulas(pa.array([], type=pa.string())).to_pylist() == []


@pytest.mark.parametrize("dtype", ["str", "string[pyarrow]", "string[python]", object, "category"])
def test_csv_text_columns_of_every_kind(dtype):
    values = ["=1", None, "ok", "\uff201", "é,\"q\"", "-"]
    frame = pd.DataFrame({"t": pd.Series(values, dtype=dtype)})
    assert ex.to_csv_bytes(frame) == b'"t"\n"\'=1"\n\n"ok"\n"\'\xef\xbc\xa01"\n"\xc3\xa9,""q"""\n"\'-"\n'
    assert ex.to_csv_bytes(frame.iloc[2:]) == b'"t"\n"ok"\n"\'\xef\xbc\xa01"\n"\xc3\xa9,""q"""\n"\'-"\n'


def test_csv_text_column_in_several_arrow_chunks():
    chunks = pa.chunked_array([["=a", None], [], ["b", "+c"]], type=pa.large_string())
    frame = pd.DataFrame({"t": pd.Series(pd.arrays.ArrowStringArray(chunks, dtype=pd.StringDtype("pyarrow", na_value=float("nan"))))})
    assert ex.to_csv_bytes(frame) == b'"t"\n"\'=a"\n\n"b"\n"\'+c"\n'


def test_csv_keeps_numbers_and_safe_text():
    frame = pd.DataFrame({"i": [-5, 44], "f": [-0.5, 1e6], "t": ["a=b", "x-1"], "b": [True, False]})
    assert ex.to_csv_bytes(frame) == b'"i","f","t","b"\n-5,-0.5,"a=b",true\n44,1000000,"x-1",false\n'


def test_csv_object_and_category_columns():
    frame = pd.DataFrame({"o": pd.Series([1, None, 2.5], dtype=object),
                          "c": pd.Categorical(["=x", "y", None])})
    assert ex.to_csv_bytes(frame) == b'"o","c"\n1,"\'=x"\n,"y"\n2.5,\n'


def test_csv_keeps_sub_second_times():
    frame = pd.DataFrame({"t": pd.to_datetime(["2025-01-01 00:00:00.250"]).astype("datetime64[us]")})
    assert ex.to_csv_bytes(frame) == b'"t"\n2025-01-01 00:00:00.250000\n'


def test_zip_csv():
    data = ex.zip_csv_bytes(small())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["events.csv"]
        assert archive.read("events.csv") == CSV_GOLDEN
        assert archive.getinfo("events.csv").date_time == (1980, 1, 1, 0, 0, 0)
    assert data == ex.zip_csv_bytes(small())


# ---------------------------------------------------------------- XLSX

SHEET_GOLDEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<dimension ref="A1:D4"/><sheetViews><sheetView tabSelected="1" workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
    '<cols><col min="1" max="3" width="10.7109375" customWidth="1"/>'
    '<col min="4" max="4" width="20.7109375" customWidth="1"/></cols><sheetData>'
    '<row r="1" spans="1:4"><c r="A1" s="1" t="s"><v>0</v></c><c r="B1" s="1" t="s"><v>1</v></c>'
    '<c r="C1" s="1" t="s"><v>2</v></c><c r="D1" s="1" t="s"><v>3</v></c></row>'
    '<row r="2" spans="1:4"><c r="A2" t="s"><v>4</v></c><c r="B2"><v>-5</v></c><c r="C2"><v>1.5</v></c>'
    '<c r="D2" s="2"><v>45854.29600694445</v></c></row>'
    '<row r="3" spans="1:4"><c r="A3" t="s"><v>5</v></c><c r="B3"><v>44</v></c></row>'
    '<row r="4" spans="1:4"><c r="B4"><v>0</v></c><c r="C4"><v>-2</v></c>'
    '<c r="D4" s="2"><v>45859.37291666667</v></c></row></sheetData><autoFilter ref="A1:D4"/>'
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
)
STRINGS_GOLDEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">'
    "<si><t>title</t></si><si><t>n</t></si><si><t>f</t></si><si><t>when</t></si><si><t>ok</t></si>"
    '<si><t>=HYPERLINK("http://x.example","y")</t></si></sst>'
)


def test_xlsx_sheet_xml_exact():
    parts = xlsx_parts(ex.to_xlsx_bytes(small()[:3]))
    assert parts["xl/worksheets/sheet1.xml"] == SHEET_GOLDEN
    assert parts["xl/sharedStrings.xml"] == STRINGS_GOLDEN
    assert "2000-01-01T00:00:00Z" in parts["docProps/core.xml"]


def test_xlsx_deterministic():
    assert ex.to_xlsx_bytes(small()) == ex.to_xlsx_bytes(small())


@pytest.mark.parametrize("constant_memory", [False, True])
def test_xlsx_formulas_stay_text_and_types_survive(monkeypatch, constant_memory):
    if constant_memory:
        monkeypatch.setattr(ex, "CONSTANT_MEMORY_ROWS", 0)
    frame = small()
    data = ex.to_xlsx_bytes(frame, sheet="Tier events")
    sheet_xml = xlsx_parts(data)["xl/worksheets/sheet1.xml"]
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    assert "<hyperlink" not in sheet_xml
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book["Tier events"]
    assert ws["A3"].value == '=HYPERLINK("http://x.example","y")' and ws["A3"].data_type == "s"
    assert ws["B2"].value == -5 and ws["B2"].data_type == "n"
    assert ws["D2"].is_date and ws["D2"].value == pd.Timestamp("2025-07-16 07:06:15")
    assert ws["D2"].number_format == ex.DATE_FORMAT
    assert ws["C3"].value is None and ws["A4"].value is None
    back = pd.read_excel(io.BytesIO(data), engine="calamine")
    assert back["n"].tolist() == frame["n"].tolist()


def test_xlsx_row_limit(monkeypatch):
    monkeypatch.setattr(ex, "XLSX_ROW_LIMIT", 5)
    with pytest.raises(ex.ExportError, match=r"8 rows.*5 rows.*CSV or Parquet") as err:
        ex.to_xlsx_bytes(small())
    assert "HYPERLINK" not in str(err.value)


def test_workbook_sheets():
    data = ex.workbook_bytes({"Tier events": small(), "KPI summary": pd.DataFrame({"kpi": ["tickets"], "value": [3]})})
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Tier events", "KPI summary"]
    assert book["KPI summary"]["B2"].value == 3
    for bad in ({}, {"a/b": small()}, {"x" * 32: small()}, {"A": small(), "a": small()}):
        with pytest.raises(ex.ExportError):
            ex.workbook_bytes(bad)


# ---------------------------------------------------------------- Parquet


def test_parquet_round_trip():
    frame = small()
    back = pd.read_parquet(io.BytesIO(ex.to_parquet_bytes(frame)))
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    assert str(back["when"].dtype).startswith("datetime64") and back["n"].dtype == "int64"
    assert ex.to_parquet_bytes(frame) == ex.to_parquet_bytes(frame)


# ---------------------------------------------------------------- no personal data in any download


@pytest.fixture(scope="module")
def clean() -> pd.DataFrame:
    wide = pii.wide_frame()
    plan = an.default_plan(wide.columns, pii.PERSONAL, pii.FREE_TEXT, "product",
                           an.strip_vendor_prefix_preset(wide["product"]))
    return an.anonymize(wide, plan, KEY).clean


def test_raw_fixture_would_leak():
    # The checks below are meaningful: the raw fixture trips every one of them.
    raw = pii.wide_frame()
    assert len(surviving([ex.to_csv_bytes(raw).decode("utf-8")])) > 20
    assert len(surviving([xlsx_text(ex.to_xlsx_bytes(raw))])) > 20


def test_no_original_in_csv(clean):
    text = ex.to_csv_bytes(clean).decode("utf-8")
    assert surviving([text]) == []
    assert '"\'=HYPERLINK' in text  # the formula title is neutralized
    assert "\n101," in text  # numbers stay numbers


def test_no_original_in_xlsx(clean):
    data = ex.to_xlsx_bytes(clean)
    assert surviving([xlsx_text(data)]) == []
    assert "<f>" not in xlsx_parts(data)["xl/worksheets/sheet1.xml"]


def test_no_original_in_parquet(clean):
    table = pq.read_table(io.BytesIO(ex.to_parquet_bytes(clean)))
    cells = [str(v) for col in table.columns for v in col.to_pylist()]
    assert surviving(cells) == []
    assert surviving([str(table.schema.metadata)]) == []


@pytest.mark.slow
def test_seed_downloads(seed_path):
    frame = pd.read_excel(seed_path, engine="calamine")
    columns = list(frame.columns)
    columns[0], columns[-1] = "Sub Module", "Sub Module (2)"
    frame.columns = columns
    preset = an.load_value_map_toml((Path(__file__).resolve().parents[2] / "examples" / "products-seed-preset.toml").read_text())
    personal = {"School Name": "School", "Resolved By Name": "Agent",
                "Regional Manager Name": "Regional Manager", "Relationship Manager Name": "Relationship Manager"}
    plan = an.default_plan(frame.columns, personal, ("Issue Title",), "product", preset).with_action("Sub Module (2)", "drop")
    out = an.anonymize(frame, plan, KEY)
    csv = ex.to_csv_bytes(out.clean)
    xlsx = ex.to_xlsx_bytes(out.clean)
    assert b"ZERAKI_" not in csv and "ZERAKI_" not in xlsx_text(xlsx)
    back = pd.read_csv(io.BytesIO(csv))
    assert len(back) == len(frame) and an.leak_check(back.astype("str"), out.originals).found == 0
