"""Build CSV and XLSX test files (ordinary and hostile) as bytes at test time."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from typing import Any, Iterable, Sequence

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
)


def csv_bytes(rows: Iterable[Sequence[Any]], *, delimiter: str = ",", encoding: str = "utf-8",
              bom: bool = False, newline: str = "\r\n") -> bytes:
    """Rows written as CSV text in ``encoding``, with a byte-order mark when asked."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    text = buf.getvalue()
    if bom:
        text = "\ufeff" + text
    return text.encode(encoding)


def xlsx_bytes(sheets: dict[str, list[list[Any]]], *, epoch1904: bool = False) -> bytes:
    """A real workbook written by openpyxl; datetimes become date cells."""
    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook()
    if epoch1904:
        wb.epoch = CALENDAR_MAC_1904
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, datetime):
                    cell.number_format = "dd/mm/yyyy hh:mm:ss"
                elif isinstance(cell.value, date):
                    cell.number_format = "dd/mm/yyyy"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def raw_xlsx(sheet_xml: str | bytes, *, workbook_xml: str = _WORKBOOK,
             extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal workbook assembled by hand, so tests can put anything into its parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", workbook_xml)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, body in (extra or {}).items():
            zf.writestr(name, body)
    return out.getvalue()


def sheet_xml(cells: str, *, dimension: str | None = "A1:B3", prolog: str = _SHEET_HEAD) -> str:
    """Worksheet XML around ``cells`` (the <row> elements)."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{prolog}<worksheet {_NS}>{dim}<sheetData>{cells}</sheetData></worksheet>"


def inline_row(r: int, values: Sequence[str | int]) -> str:
    cells = []
    for i, v in enumerate(values):
        ref = f"{chr(65 + i)}{r}"
        if isinstance(v, int):
            cells.append(f'<c r="{ref}"><v>{v}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
    return f'<row r="{r}">{"".join(cells)}</row>'


def small_sheet() -> str:
    return inline_row(1, ["id", "name"]) + inline_row(2, [1, "a"]) + inline_row(3, [2, "b"])


def far_cell_xlsx(*, declare: bool = True) -> bytes:
    """A tiny workbook whose one far cell (XFD1048576) would make calamine allocate ~17 billion cells."""
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    dimension = "A1:XFD1048576" if declare else "A1:B3"  # the undeclared one lies about its extent
    return raw_xlsx(sheet_xml(small_sheet() + far, dimension=dimension))


def zip_bomb_xlsx(mb: int = 40) -> bytes:
    """A workbook whose sheet inflates ~1000 to 1 (blank space inside the XML)."""
    body = sheet_xml(small_sheet()).replace("<sheetData>", "<sheetData>" + " " * (mb * 1024 * 1024))
    return raw_xlsx(body)


def many_entries_xlsx(n: int = 2500) -> bytes:
    return raw_xlsx(sheet_xml(small_sheet()), extra={f"xl/media/pad{i}.xml": b"<a/>" for i in range(n)})


def traversal_xlsx() -> bytes:
    return raw_xlsx(sheet_xml(small_sheet()), extra={"../../etc/evil.xml": b"<a/>"})


def billion_laughs_xlsx(part: str = "sheet") -> bytes:
    sheet = sheet_xml(small_sheet(), prolog=BILLION_LAUGHS)
    if part == "sheet":
        return raw_xlsx(sheet)
    return raw_xlsx(sheet_xml(small_sheet()), workbook_xml=BILLION_LAUGHS + _WORKBOOK.split("?>", 1)[1])


def ole2_bytes() -> bytes:
    """The first bytes of an OLE2 compound file (old .xls, or an encrypted .xlsx)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"\x00" * 1024


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


def plain_zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("export.csv", "id,name\n1,a\n")
    return out.getvalue()


def pdf_bytes() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def garbage_bytes(n: int = 4096) -> bytes:
    import random

    rng = random.Random(7)
    return bytes(rng.randrange(256) for _ in range(n))
