"""A corpus of hostile or broken uploads, built as bytes at test time, each with its expected outcome.

Every case is a ``Case(name, filename, make_bytes, expect)``; ``expect`` is ``Parsed(...)`` (what
core.ingest and core.pipeline must make of it) or ``Rejected(message_regex)`` (the InputError
message). tests/core/test_corpus.py checks each case through ingest and the pipeline,
tests/core/test_corpus_cli.py runs the rejected ones through ``python -m core analyze``, and
tests/pages/test_corpus_app.py and tests/browser/test_attacks.py upload a few through the app.
No file here is committed as a binary: the bytes come from tests/core/filemakers.py helpers.
"""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from core.ingest import Limits
from tests.core import filemakers as fm

# A value that must never show up in an error message, a log, a temp file or the other session.
MARKER = "Zawadi Njeri-Marker"

HEADER = ["ticket id", "event time", "status", "tier", "priority", "agent", "issue title"]
_STATUSES = ("Open", "In Progress", "Resolved", "Closed")


@dataclass(frozen=True)
class Parsed:
    """What reading must produce. Every field left at its default is not checked.

    - ``rows`` / ``columns`` / ``dtypes`` / ``values``: of ``RawTable.frame`` (after dedup);
    - ``raw``: other RawTable attributes by name (``encoding``, ``delimiter``, ``header_row`` …);
    - ``dates``: column -> expected instants as ISO text (None for empty or failed), read with
      ``core.dates.parse_datetime_column`` in ``tz`` (serials when the column is numeric);
    - ``order`` / ``failed``: column -> DateReport.order / DateReport.failed;
    - ``events``: rows in the contract events table from ``core.pipeline.prepare``
      (``None`` skips the pipeline); ``findings``: QualityReport kind -> count;
    - ``quality``: ``core.metrics.compute_dashboard(events).quality_counts`` kind -> count
      (0 means the kind is absent);
    - ``check``: a callable(prepared) for anything else (export safety, vocabularies).
    """

    rows: int | None = None
    columns: tuple[str, ...] | None = None
    dtypes: dict[str, str] = field(default_factory=dict)
    values: dict[str, list[Any]] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)
    dates: dict[str, list[str | None]] = field(default_factory=dict)
    order: dict[str, str] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    tz: str = "UTC"
    events: int | None = None
    findings: dict[str, int] = field(default_factory=dict)
    quality: dict[str, int] = field(default_factory=dict)
    check: Callable[[Any], None] | None = None


@dataclass(frozen=True)
class Rejected:
    """Reading (``stage="ingest"``) or preparing (``stage="pipeline"``) raises InputError matching ``message``."""

    message: str
    stage: str = "ingest"


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    make_bytes: Callable[[], bytes]
    expect: Parsed | Rejected
    limits: Limits | None = None  # None: the defaults
    xfail: str | None = None  # a known gap outside the files this corpus may fix: the reason
    excel_attack: bool = False  # uploaded through the real app by tests/browser/test_attacks.py

    @property
    def mime(self) -> str:
        return ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                if self.filename.endswith(".xlsx") else "text/csv")


# --------------------------------------------------------------------------- builders


def event_rows(times: list[Any], *, ids: list[Any] | None = None, statuses: list[str] | None = None,
               titles: list[str] | None = None) -> list[list[Any]]:
    """An event log under HEADER: two events per ticket unless ``ids`` says otherwise."""
    n = len(times)
    ids = ids or [f"T{i // 2 + 1}" for i in range(n)]
    statuses = statuses or [_STATUSES[i % 2] for i in range(n)]
    titles = titles or ["Printer down" for _ in range(n)]
    return [HEADER] + [[ids[i], times[i], statuses[i], "Tier 1", "High", "Ann Otieno", titles[i]]
                       for i in range(n)]


TIMES = ["16/07/2025 07:06:15", "16/07/2025 08:00:00", "17/07/2025 09:00:00", "17/07/2025 09:30:00"]
TIMES_ISO = ["2025-07-16 07:06:15", "2025-07-16 08:00:00", "2025-07-17 09:00:00", "2025-07-17 09:30:00"]


def good_csv(**kw: Any) -> bytes:
    return fm.csv_bytes(event_rows(TIMES), **kw)


def _text(rows: list[list[Any]], *, delimiter: str = ",", newline: str = "\r\n") -> str:
    return fm.csv_bytes(rows, delimiter=delimiter, newline=newline).decode("utf-8")


def _title_lines() -> bytes:
    return ("Ticket export\r\nGenerated 2025-11-01 by HelpDesk\r\n\r\n" + _text(event_rows(TIMES))).encode()


def _dtd_behind_a_comment(*, utf16: bool = False) -> bytes:
    """A billion-laughs prolog hidden behind a comment longer than any fixed-size head check."""
    prolog = '<?xml version="1.0"?>\n<!--' + "padding " * 1000 + "-->\n" + fm.BILLION_LAUGHS.split("?>", 1)[1]
    if utf16:
        sheet = fm.sheet_xml(fm.small_sheet(), prolog=prolog.replace('version="1.0"', 'version="1.0" encoding="UTF-16"'))
        return fm.raw_xlsx(sheet.encode("utf-16"))
    return fm.raw_xlsx(fm.sheet_xml(fm.small_sheet()), workbook_xml=prolog + fm._WORKBOOK.split("?>", 1)[1])


def _blank_and_duplicate_headers() -> bytes:
    rows = [["ticket id", "event time", "status", "", "Status", "STATUS"],
            ["T1", "16/07/2025 07:06:15", "Open", "x", "a", "b"],
            ["T1", "16/07/2025 08:00:00", "In Progress", "y", "c", "d"]]
    return fm.csv_bytes(rows)


def _trailing_empties() -> bytes:
    rows = [r + ["", ""] for r in event_rows(TIMES)] + [[""] * 9, [""] * 9]
    return fm.csv_bytes(rows)


def _semicolon_decimal_comma() -> bytes:
    rows = [HEADER + ["hours"]] + [r + [h] for r, h in zip(event_rows(TIMES)[1:], ["1,5", "0,25", "2", "10,75"])]
    return fm.csv_bytes(rows, delimiter=";", encoding="cp1252")


def _multiline_titles() -> bytes:
    titles = ['Screen "frozen"\nafter update', "Line one\r\nline two, with comma", "plain", "x\ny\nz"]
    return fm.csv_bytes(event_rows(TIMES, titles=titles))


def _xlsx_as_csv() -> bytes:
    return fm.xlsx_bytes({"Events": event_rows([datetime(2025, 7, 16, 7, 6, 15), datetime(2025, 7, 16, 8),
                                                  datetime(2025, 7, 17, 9), datetime(2025, 7, 17, 9, 30)])})


def _serial_workbook(serials: list[float], *, epoch1904: bool = False) -> bytes:
    return fm.xlsx_bytes({"Events": event_rows(serials)}, epoch1904=epoch1904)


def _serial_like_ids() -> bytes:
    return fm.csv_bytes(event_rows(TIMES, ids=["45854", "45854", "45855", "45855"]))


def _encrypted_zip_entries() -> bytes:
    """A workbook whose archive entries are flagged as encrypted (the zip-level password scheme)."""
    data = bytearray(fm.raw_xlsx(fm.sheet_xml(fm.small_sheet())))
    at = data.find(b"PK\x01\x02")
    while at != -1:
        data[at + 8] |= 0x1  # general purpose bit 0: encrypted
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def _lying_zip_bomb() -> bytes:
    """A zip bomb whose archive directory claims each big part inflates to 1,000 bytes."""
    import struct

    data = bytearray(fm.zip_bomb_xlsx(40))
    at = data.find(b"PK\x01\x02")
    while at != -1:
        if struct.unpack_from("<I", data, at + 24)[0] > 1024**2:
            local = struct.unpack_from("<I", data, at + 42)[0]
            struct.pack_into("<I", data, at + 24, 1000)  # central directory: uncompressed size
            struct.pack_into("<I", data, local + 22, 1000)  # local header: uncompressed size
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def _positional_wide_sheet(width: int = 2000, rows: int = 3000) -> bytes:
    """Cells without r attributes (allowed by the format) sit one after another: one wide row makes the
    reader allocate rows x width cells although no reference ever names a far column."""
    wide = "<row>" + "<c><v>1</v></c>" * width + "</row>"
    body = "".join(f"<row><c><v>{i}</v></c></row>" for i in range(rows))
    return fm.raw_xlsx(fm.sheet_xml(wide + body, dimension=None))


def _commas(rows: int, width: int = 500) -> bytes:
    """A file that is nearly all delimiters: tiny on disk, ~20 bytes per cell once parsed."""
    return ",".join(f"c{i}" for i in range(width)).encode() + b"\n" + (b"1" + b"," * (width - 1) + b"\n") * rows


def _formatted_far_right(empty: int, *, rows: int = 4, stray: int | None = None) -> bytes:
    """Saved from a spreadsheet with formatting in ``empty`` columns right of the data: every line ends with
    that many delimiters. ``stray`` (a 1-based column) holds MARKER in the last row, below the sampled rows."""
    times = [TIMES[i % len(TIMES)] for i in range(rows)]
    lines = [r + [""] * empty for r in event_rows(times)]
    if stray:
        lines[-1][stray - 1] = MARKER
    return fm.csv_bytes(lines)


def _first_sheet_empty() -> bytes:
    return fm.xlsx_bytes({"Cover": [], "Events": event_rows(TIMES)})


def _formulas_without_values() -> bytes:
    rows = (fm.inline_row(1, ["ticket id", "event time", "status", "doubled"])
            + '<row r="2"><c r="A2" t="inlineStr"><is><t>T1</t></is></c>'
              '<c r="B2" t="inlineStr"><is><t>2025-07-16 07:06:15</t></is></c>'
              '<c r="C2" t="inlineStr"><is><t>Open</t></is></c><c r="D2"><f>1+1</f></c></row>'
            + '<row r="3"><c r="A3" t="inlineStr"><is><t>T1</t></is></c>'
              '<c r="B3" t="inlineStr"><is><t>2025-07-16 08:00:00</t></is></c>'
              '<c r="C3" t="inlineStr"><is><t>Closed</t></is></c><c r="D3"><f>2+2</f></c></row>')
    return fm.raw_xlsx(fm.sheet_xml(rows, dimension="A1:D3"))


FORMULA_TITLES = ["=HYPERLINK(\"http://x.test\",\"click\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1",
                  "\r=1+1", "ok;=1+1", 'broken",=1+1,"', "\uff1d1+1", "=cmd|' /C calc'!A0"]


def _formula_payloads() -> bytes:
    times = [f"{16 + i // 2}/07/2025 {8 + i % 2:02d}:00:00" for i in range(len(FORMULA_TITLES))]
    return fm.csv_bytes(event_rows(times, titles=FORMULA_TITLES))


def _export_is_formula_safe(prepared: Any) -> None:
    """The clean CSV and XLSX downloads hold every payload as inert text."""
    import csv as csvmod

    import openpyxl

    from core import export, privacy

    clean = privacy.clean(prepared).anonymized.clean
    text = export.to_csv_bytes(clean).decode("utf-8")
    cells = [c for row in csvmod.reader(io.StringIO(text, newline="")) for c in row]
    risky = tuple("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
    assert not [c for c in cells if c.startswith(risky)], "a CSV cell would run as a formula"
    xlsx = export.to_xlsx_bytes(clean)
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        assert b"<f>" not in zf.read("xl/worksheets/sheet1.xml"), "the XLSX holds a formula element"
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    titles = [row[-1] for row in book.active.iter_rows(min_row=2)]
    assert len(titles) == len(FORMULA_TITLES)
    for cell in titles:  # a string cell is shown as text, never evaluated
        assert cell.data_type == "s", f"XLSX cell {cell.coordinate} is not plain text"


def _formula_headers() -> bytes:
    rows = event_rows(TIMES)
    rows[0] = rows[0] + ['=HYPERLINK("http://x.test","h")', "@SUM(1)"]
    rows[1:] = [r + ["a", "b"] for r in rows[1:]]
    return fm.csv_bytes(rows)


def _export_headers_are_formula_safe(prepared: Any) -> None:
    from core import export, privacy

    clean = privacy.clean(prepared).anonymized.clean
    header = next(csv.reader(io.StringIO(export.to_csv_bytes(clean).decode("utf-8"), newline="")))
    assert not [h for h in header if h.startswith(tuple("=+-@\t\r\uff1d"))], header


def _long_titles() -> bytes:
    return fm.csv_bytes(event_rows(TIMES, titles=["x" * 10_000, "ab " * 3334, "short", "y" * 10_000]))


EMOJI_RTL = ["Printer 🖨️ on fire 🔥", "الطابعة لا تعمل", "שלום עולם 👋", "mixed ltr \u202eRTL\u202c"]


def _emoji_rtl() -> bytes:
    return fm.csv_bytes(event_rows(TIMES, titles=EMOJI_RTL), bom=True)


def _control_chars() -> bytes:
    return fm.csv_bytes(event_rows(TIMES, titles=["bell\x07here", "nul-free\x1b[31mred", "vt\x0bff\x0c", "ok"]))


def _semantics(times: list[str], statuses: list[str], ids: list[str] | None = None) -> bytes:
    return fm.csv_bytes(event_rows(times, ids=ids, statuses=statuses))


def _dst_rows() -> bytes:
    # Europe/Berlin: 2025-03-30 02:00-03:00 does not exist; 2025-10-26 02:00-03:00 happens twice.
    times = ["2025-03-30 02:30:00", "2025-03-30T02:30:00+01:00", "2025-10-26 02:30:00",
             "2025-10-26T02:30:00+02:00", "2025-10-26T02:30:00+01:00", "2025-10-26T01:30:00Z"]
    return fm.csv_bytes(event_rows(times))


# --------------------------------------------------------------------------- the cases

def _limit_case_data() -> bytes:
    return good_csv()


_AT_LIMIT = len(good_csv())


def _check_vocab_unknown(prepared: Any) -> None:
    assert set(prepared.mapping.unknown_values.get("status", ())) == {"Frobbed", "Wibbled"}
    assert prepared.events["status"].isna().all()


def _check_long_titles(prepared: Any) -> None:
    assert prepared.raw.frame["issue title"].str.len().tolist() == [10_000, 10_002, 5, 10_000]


def _check_ids_stay_integers(prepared: Any) -> None:
    assert str(prepared.raw.frame["ticket id"].dtype) == "int64"
    assert prepared.events["ticket_id"].tolist() == ["45854", "45854", "45855", "45855"]


def _check_ordered(prepared: Any) -> None:
    times = prepared.events.sort_values(["ticket_id", "event_time"])["status"].tolist()
    assert times[:2] == ["OPEN", "IN_PROGRESS"]


UTF8_TEXT = ["Café Olé", "Zoë", "Žofie", "Ñandú"]

CASES: list[Case] = [
    # ---- encodings and layout
    Case("utf8 no bom", "export.csv", good_csv,
         Parsed(rows=4, columns=tuple(HEADER), raw={"encoding": "utf-8", "delimiter": ","}, events=4)),
    Case("utf8 with bom", "export.csv", lambda: fm.csv_bytes(event_rows(TIMES, titles=UTF8_TEXT), bom=True),
         Parsed(rows=4, columns=tuple(HEADER), raw={"encoding": "utf-8-sig"}, values={"issue title": UTF8_TEXT},
                events=4)),
    Case("cp1252", "export.csv",
         lambda: fm.csv_bytes(event_rows(TIMES, titles=["Café – naïve", "€5 refund", "Zoë", "plain"]), encoding="cp1252"),
         Parsed(rows=4, raw={"encoding": "cp1252"}, values={"issue title": ["Café – naïve", "€5 refund", "Zoë", "plain"]},
                events=4)),
    Case("utf16 with bom tab", "export.txt",
         lambda: fm.csv_bytes(event_rows(TIMES, titles=UTF8_TEXT), delimiter="\t", encoding="utf-16"),
         Parsed(rows=4, raw={"encoding": "utf-16-le", "delimiter": "\t"}, values={"issue title": UTF8_TEXT},
                events=4)),
    Case("semicolon decimal comma", "export.csv", _semicolon_decimal_comma,
         Parsed(rows=4, raw={"delimiter": ";"}, dtypes={"hours": "str"}, values={"hours": ["1,5", "0,25", "2", "10,75"]},
                events=4)),
    Case("tab separated", "export.tsv", lambda: good_csv(delimiter="\t"),
         Parsed(rows=4, columns=tuple(HEADER), raw={"delimiter": "\t"}, events=4)),
    Case("pipe separated", "export.txt", lambda: good_csv(delimiter="|"),
         Parsed(rows=4, columns=tuple(HEADER), raw={"delimiter": "|"}, events=4)),
    Case("multi-line quoted titles", "export.csv", _multiline_titles,
         Parsed(rows=4, values={"issue title": ['Screen "frozen"\nafter update', "Line one\r\nline two, with comma",
                                                "plain", "x\ny\nz"]},
                raw={"source_rows": [2, 3, 4, 5]}, events=4)),
    Case("title lines above the header", "export.csv", _title_lines,
         Parsed(rows=4, columns=tuple(HEADER), raw={"header_row": 4, "source_rows": [5, 6, 7, 8]}, events=4)),
    Case("a thousand blank lines above the header", "export.csv", lambda: b"\r\n" * 1000 + good_csv(),
         Parsed(rows=4, columns=tuple(HEADER), raw={"header_row": 1001}, events=4)),
    Case("blank and duplicate headers", "export.csv", _blank_and_duplicate_headers,
         Parsed(rows=2, columns=("ticket id", "event time", "status", "Column 4", "Status (2)", "STATUS (3)"))),
    Case("trailing empty rows and columns", "export.csv", _trailing_empties,
         Parsed(rows=4, columns=tuple(HEADER), events=4)),
    Case("header only", "export.csv", lambda: fm.csv_bytes([HEADER]), Rejected(r"header row \(row 1\) but no data rows")),
    Case("zero bytes", "export.csv", lambda: b"", Rejected(r"empty \(0 bytes\)")),
    Case("xlsx named csv", "export.csv", _xlsx_as_csv,
         Parsed(rows=4, raw={"file_kind": "xlsx"}, dtypes={"event time": "datetime64[us]"},
                dates={"event time": TIMES_ISO}, order={"event time": "native"}, events=4)),
    Case("csv named xlsx", "export.xlsx", good_csv, Parsed(rows=4, raw={"file_kind": "csv"}, events=4)),
    Case("binary garbage", "export.csv", fm.garbage_bytes, Rejected(r"binary data, not a text table")),
    Case("pdf named csv", "export.csv", fm.pdf_bytes, Rejected(r"PDF document, not a table")),
    # ---- dates
    Case("mixed day-first and iso formats", "export.csv",
         lambda: fm.csv_bytes(event_rows(["16/07/2025 07:06:15", "16/07/2025 08:00", "2025-07-17 09:00:00",
                                          "18/07/2025 10:00"])),
         Parsed(dates={"event time": ["2025-07-16 07:06:15", "2025-07-16 08:00:00", "2025-07-17 09:00:00",
                                      "2025-07-18 10:00:00"]}, order={"event time": "day-first"}, events=4)),
    Case("all ambiguous dates", "export.csv",
         lambda: fm.csv_bytes(event_rows(["01/07/2025 07:06", "02/07/2025 08:00", "03/07/2025 09:00",
                                          "12/07/2025 10:00"])),
         Parsed(dates={"event time": ["2025-07-01 07:06:00", "2025-07-02 08:00:00", "2025-07-03 09:00:00",
                                      "2025-07-12 10:00:00"]}, order={"event time": "ambiguous"},
                findings={"dates_ambiguous": 4}, events=4)),
    Case("us dates with am/pm", "export.csv",
         lambda: fm.csv_bytes(event_rows(["07/16/2025 07:06 AM", "07/16/2025 1:06 PM", "7/17/2025 09:00 PM",
                                          "07/18/2025 12:00 AM"])),
         Parsed(dates={"event time": ["2025-07-16 07:06:00", "2025-07-16 13:06:00", "2025-07-17 21:00:00",
                                      "2025-07-18 00:00:00"]}, order={"event time": "month-first"}, events=4)),
    Case("conflicting day and month order", "export.csv",
         lambda: fm.csv_bytes(event_rows(["13/01/2025 07:06", "01/13/2025 08:00", "14/01/2025 09:00",
                                          "15/01/2025 10:00"])),
         Parsed(dates={"event time": ["2025-01-13 07:06:00", None, "2025-01-14 09:00:00", "2025-01-15 10:00:00"]},
                order={"event time": "conflicting"}, failed={"event time": 1},
                findings={"dates_conflicting": 3, "unparsed_dates": 1, "excluded_no_event_time": 1}, events=3)),
    Case("iso with z, offsets and naive", "export.csv",
         lambda: fm.csv_bytes(event_rows(["2025-07-16T07:06:15Z", "2025-07-16T10:06:15+03:00",
                                          "2025-07-16 08:00:00", "2025-07-16T05:00:00-0200"])),
         Parsed(dates={"event time": ["2025-07-16 07:06:15", "2025-07-16 07:06:15", "2025-07-16 08:00:00",
                                      "2025-07-16 07:00:00"]}, order={"event time": "iso"}, events=4)),
    Case("impossible utc offsets", "export.csv",
         lambda: fm.csv_bytes(event_rows(["2025-07-16T10:00:00+99:99", "2025-07-16T10:00:00+15:00",
                                          "2025-07-16T10:00:00+14:00", "2025-07-16T10:00:00-12:00"])),
         Parsed(dates={"event time": [None, None, "2025-07-15 20:00:00", "2025-07-16 22:00:00"]},
                failed={"event time": 2}, findings={"unparsed_dates": 2}, events=2)),
    Case("dst gap and overlap local times", "export.csv", _dst_rows,
         Parsed(tz="Europe/Berlin",
                # naive values are taken as already local, never localized: a gap or overlap time stays as written
                dates={"event time": ["2025-03-30 02:30:00", "2025-03-30 03:30:00", "2025-10-26 02:30:00",
                                      "2025-10-26 02:30:00", "2025-10-26 02:30:00", "2025-10-26 02:30:00"]},
                failed={"event time": 0}, events=6)),
    Case("excel serials in general cells incl 59 60 61", "export.xlsx",
         lambda: _serial_workbook([59, 60, 61, 45854.5, 45855.25, 45856]),
         Parsed(dtypes={"event time": "float64"},
                dates={"event time": ["1900-02-28 00:00:00", None, "1900-03-01 00:00:00", "2025-07-16 12:00:00",
                                      "2025-07-17 06:00:00", "2025-07-18 00:00:00"]},
                order={"event time": "serial"}, failed={"event time": 1}, events=5)),
    Case("excel serials in a 1904 workbook", "export.xlsx",
         lambda: _serial_workbook([44392.5, 44393.25, 44394, 44395], epoch1904=True),
         Parsed(raw={"epoch1904": True},
                dates={"event time": ["2025-07-16 12:00:00", "2025-07-17 06:00:00", "2025-07-18 00:00:00",
                                      "2025-07-19 00:00:00"]}, order={"event time": "serial"}, events=4)),
    Case("id column that looks like serials", "export.csv", _serial_like_ids,
         Parsed(dtypes={"ticket id": "int64"}, values={"ticket id": [45854, 45854, 45855, 45855]}, events=4,
                check=_check_ids_stay_integers)),
    Case("null tokens in dates", "export.csv",
         lambda: fm.csv_bytes(event_rows(["16/07/2025 07:06", "N/A", "?", "-", "0000-00-00", "17/07/2025 07:00"])),
         Parsed(dates={"event time": ["2025-07-16 07:06:00", None, None, None, None, "2025-07-17 07:00:00"]},
                failed={"event time": 0}, findings={"excluded_no_event_time": 4}, events=2)),
    # ---- Excel attacks and oddities
    Case("zip bomb", "bomb.xlsx", fm.zip_bomb_xlsx, Rejected(r"compressed [\d,]+ to 1"), excel_attack=True),
    Case("far cell declared", "far.xlsx", fm.far_cell_xlsx,
         Rejected(r"declares a range of 1,048,576 rows by 16,384 columns"), excel_attack=True),
    Case("far cell undeclared", "far2.xlsx", lambda: fm.far_cell_xlsx(declare=False),
         Rejected(r"uses a range of 1,048,576 rows by 16,384 columns"), excel_attack=True),
    Case("far cell by position (no r attributes)", "wide.xlsx", _positional_wide_sheet,
         Rejected(r"uses a range of 3,001 rows by 2,000 columns"), excel_attack=True),
    Case("thousands of archive entries", "many.xlsx", fm.many_entries_xlsx,
         Rejected(r"holds 2,50\d parts; the limit is 2,000"), excel_attack=True),
    Case("path traversal entry", "evil.xlsx", fm.traversal_xlsx, Rejected(r"unsafe path"), excel_attack=True),
    Case("billion laughs", "lol.xlsx", fm.billion_laughs_xlsx, Rejected(r"XML entity declarations"),
         excel_attack=True),
    Case("billion laughs behind a long comment", "lol2.xlsx", _dtd_behind_a_comment,
         Rejected(r"XML entity declarations"), excel_attack=True),
    Case("billion laughs in a utf-16 sheet", "lol3.xlsx", lambda: _dtd_behind_a_comment(utf16=True),
         Rejected(r"XML entity declarations")),
    Case("password protected workbook", "locked.xlsx", fm.ole2_bytes, Rejected(r"password-protected workbook"),
         excel_attack=True),
    Case("zip bomb with lying sizes", "bomb2.xlsx", _lying_zip_bomb, Rejected(r"may be damaged"), excel_attack=True),
    Case("zip-encrypted workbook entries", "locked2.xlsx", _encrypted_zip_entries, Rejected(r"encrypted"),
         excel_attack=True),
    Case("first sheet empty", "export.xlsx", _first_sheet_empty,
         Rejected(r"Sheet 'Cover' is empty\. Sheets with data: 'Events'")),
    Case("formulas without cached values", "export.xlsx", _formulas_without_values,
         Parsed(rows=2, columns=("ticket id", "event time", "status", "doubled"),
                values={"doubled": [None, None]}, events=2)),
    # ---- values
    Case("formula payloads", "export.csv", _formula_payloads,
         Parsed(rows=len(FORMULA_TITLES), values={"issue title": FORMULA_TITLES}, events=len(FORMULA_TITLES),
                check=_export_is_formula_safe)),
    Case("formula payloads in headers", "export.csv", _formula_headers,
         Parsed(rows=4, events=4, check=_export_headers_are_formula_safe)),
    Case("10000-character titles", "export.csv", _long_titles, Parsed(rows=4, events=4, check=_check_long_titles)),
    Case("emoji and rtl text", "export.csv", _emoji_rtl, Parsed(rows=4, values={"issue title": EMOJI_RTL}, events=4)),
    Case("control characters", "export.csv", _control_chars,
         Parsed(rows=4, values={"issue title": ["bell\x07here", "nul-free\x1b[31mred", "vt\x0bff\x0c", "ok"]},
                events=4)),
    Case("at the size limit", "export.csv", _limit_case_data, Parsed(rows=4, events=4),
         limits=Limits(max_bytes=_AT_LIMIT)),
    Case("just over the size limit", "export.csv", _limit_case_data,
         Rejected(rf"The file is {_AT_LIMIT} bytes; the limit is {_AT_LIMIT - 1} bytes"),
         limits=Limits(max_bytes=_AT_LIMIT - 1)),
    Case("garbage over the size limit", "export.csv", lambda: fm.garbage_bytes(4096),
         Rejected(r"The file is 4 KB; the limit is 1 KB"), limits=Limits(max_bytes=1024)),  # size before content
    Case("delimiters beyond the cell cap", "export.csv", lambda: _commas(300),
         Rejected(r"The file has 300 rows by 500 columns, more than 100,000 cells"), limits=Limits(max_cells=100_000)),
    Case("formatting in 600 empty columns right of the data", "export.csv", lambda: _formatted_far_right(600),
         Parsed(rows=4, columns=tuple(HEADER), events=4)),  # 607 fields a line, but nothing lost: not refused
    Case("a value far right below the sampled rows", "export.csv",
         lambda: _formatted_far_right(600, rows=250, stray=507),
         Rejected(r"The file has 607 columns; the limit is 500\. Column 507 has no header but holds a value further "
                  r"down the file, so all 607 columns count\. Remove unused columns\.")),
    Case("empty columns beyond Excel's last column", "export.csv", lambda: _formatted_far_right(16_400),
         Rejected(r"The file has 16,407 columns; the limit is 500\. Remove unused columns\.")),
    Case("too many columns", "export.csv",
         lambda: fm.csv_bytes([[f"c{i}" for i in range(600)], [str(i) for i in range(600)]]),
         Rejected(r"The file has 600 columns; the limit is 500")),
    Case("workbook declaring more rows than the limit", "tall.xlsx",
         lambda: fm.raw_xlsx(fm.sheet_xml(fm.small_sheet(), dimension="A1:B5000")),
         Rejected(r"declares a range of 5,000 rows by 2 columns"), limits=Limits(max_rows=100)),
    # ---- semantics
    Case("no ticket id column", "export.csv",
         lambda: fm.csv_bytes([["what", "event time", "status"], ["x", "2025-07-01 10:00", "Open"],
                               ["y", "2025-07-01 11:00", "Closed"]]),
         Rejected(r"No column was recognised as the ticket id", stage="pipeline")),
    Case("no timestamp parses", "export.csv",
         lambda: fm.csv_bytes(event_rows(["soon", "later", "never", "someday"])),
         Rejected(r"No column was recognised as the event time", stage="pipeline")),
    Case("no timestamp parses though the column looks like dates", "export.csv",
         lambda: fm.csv_bytes(event_rows(["31/31/2025 10:00", "32/13/2025 11:00", "40/40/2025 10:00",
                                          "33/33/2025 10:00"])),
         Rejected(r"No row has an event time that could be read \(column 'event time'\)", stage="pipeline")),
    Case("every ticket id blank", "export.csv",
         lambda: fm.csv_bytes(event_rows(TIMES, ids=["  ", " ", "\t", "  "])),
         Rejected(r"No row has a ticket id \(column '.*' is empty\)", stage="pipeline")),
    Case("every row a duplicate", "export.csv", lambda: fm.csv_bytes([HEADER] + [event_rows(TIMES)[1]] * 6),
         Parsed(rows=1, raw={"rows_read": 6, "duplicates_removed": 5}, findings={"exact_duplicates_removed": 5},
                events=1)),
    Case("no known status", "export.csv",
         lambda: _semantics(TIMES, ["Frobbed", "Wibbled", "Frobbed", "Wibbled"]),
         Parsed(rows=4, findings={"unknown_status": 4}, events=4, check=_check_vocab_unknown)),
    Case("one ticket only", "export.csv",
         lambda: _semantics(TIMES, ["Open", "In Progress", "Resolved", "Closed"], ids=["ONLY"] * 4),
         Parsed(rows=4, events=4, quality={"negative_resolution": 0, "negative_closing": 0})),
    Case("events out of order", "export.csv",
         lambda: _semantics(list(reversed(TIMES)), ["Closed", "Resolved", "In Progress", "Open"], ids=["T1"] * 4),
         Parsed(rows=4, events=4, check=_check_ordered, quality={"negative_resolution": 0, "negative_closing": 0})),
    Case("negative and zero durations", "export.csv",
         lambda: _semantics(["16/07/2025 09:00:00", "16/07/2025 08:00:00", "16/07/2025 10:00:00",
                             "17/07/2025 09:00:00", "17/07/2025 09:00:00", "17/07/2025 09:00:00"],
                            ["Open", "Resolved", "Closed", "Open", "Resolved", "Closed"], ids=["N1"] * 3 + ["Z1"] * 3),
         Parsed(rows=6, events=6, quality={"negative_resolution": 1, "negative_closing": 0})),
]

CASES_BY_NAME = {c.name: c for c in CASES}
assert len(CASES_BY_NAME) == len(CASES), "case names must be unique"
