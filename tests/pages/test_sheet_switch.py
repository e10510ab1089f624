"""A workbook with several sheets: another sheet can be read at any time, even after a page change.

The uploader forgets its file when the user leaves the Prepare page, so the session keeps the
bytes of a workbook with several sheets (and only of such a workbook) with the dataset.
The data here is uploaded by no other test: AppTest runs share one session id, so one session cache.
"""
from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

import state
from core import pipeline
from tests.core import filemakers as fm
from tests.corpus import HEADER, TIMES
from tests.pages.conftest import APP, metric, run_ok

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _events(prefix: str, tickets: int) -> list[list]:
    """An event log of ``tickets`` tickets, two events each, ids starting with ``prefix``."""
    rows = [HEADER]
    for t in range(tickets):
        opened, closed = TIMES[(2 * t) % 4], TIMES[(2 * t) % 4 + 1]
        rows += [[f"{prefix}{t + 1}", opened, "Open", "Tier 1", "High", "Ann Otieno", "Printer down"],
                 [f"{prefix}{t + 1}", closed, "In Progress", "Tier 1", "High", "Ann Otieno", "Printer down"]]
    return rows


def _workbook(prefix: str, *, notes: bool = False) -> bytes:
    """'March' holds 2 tickets, 'April' 3; 'Notes' (when asked) has no ticket column at all."""
    sheets = {"March": _events(f"{prefix}-M", 2), "April": _events(f"{prefix}-A", 3)}
    if notes:
        sheets["Notes"] = [["remark"], ["exported by hand"]]
    return fm.xlsx_bytes(sheets)


def _upload(at: AppTest, name: str, data: bytes, mime: str = XLSX) -> AppTest:
    at.file_uploader[0].set_value((name, data, mime))
    return run_ok(at)


def _worksheet(at: AppTest):
    found = [s for s in at.selectbox if s.label == "Worksheet"]
    return found[0] if found else None


def _pick(at: AppTest, sheet: str) -> AppTest:
    _worksheet(at).set_value(sheet)
    return run_ok(at)


def _go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    return run_ok(at)


def _tickets(at: AppTest) -> str:
    _go(at, "pages/overview.py")
    shown = metric(at, "Tickets")
    _go(at, "pages/prepare.py")
    return shown


def _loaded(at: AppTest) -> state.Loaded:
    return at.session_state[state.LOADED]


@pytest.fixture()
def at() -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    run_ok(app)
    return _go(app, "pages/prepare.py")


def test_another_sheet_is_read_after_a_page_change(at: AppTest) -> None:
    _upload(at, "two-months.xlsx", _workbook("SW1"))
    assert not at.error, [e.value for e in at.error]
    assert _worksheet(at).value == "March"
    assert _tickets(at) == "2"  # went to Overview and came back
    assert not at.session_state["tl_upload"], "the uploader should have forgotten the file"
    _pick(at, "April")
    assert not at.error and not at.info, ([e.value for e in at.error], [i.value for i in at.info])
    assert _worksheet(at).value == "April"
    assert any(m.startswith("Your upload: **two-months.xlsx**") and m.endswith(" 3 tickets") for m in at.markdown.values)
    assert _tickets(at) == "3"
    _pick(at, "March")  # the bytes are still there: back again
    assert _tickets(at) == "2"


def test_another_sheet_is_read_after_a_corrected_mapping(at: AppTest) -> None:
    _upload(at, "remapped.xlsx", _workbook("SW2"))
    before = _loaded(at).dataset_id
    [b for b in at.button if b.label == "Apply mapping"][0].click()
    run_ok(at)
    assert _loaded(at).dataset_id != before  # the chain ran again from the kept table
    _go(at, "pages/overview.py")
    _go(at, "pages/prepare.py")
    _pick(at, "April")
    assert not at.error, [e.value for e in at.error]
    assert _tickets(at) == "3"


def test_a_csv_or_single_sheet_upload_keeps_no_bytes(at: AppTest) -> None:
    _upload(at, "plain.csv", fm.csv_bytes(_events("SW3-C", 2)), "text/csv")
    assert not at.error, [e.value for e in at.error]
    assert _loaded(at).name == "plain.csv" and _loaded(at).workbook is None
    assert _worksheet(at) is None
    _upload(at, "one-sheet.xlsx", fm.xlsx_bytes({"Only": _events("SW3-S", 2)}))
    assert not at.error, [e.value for e in at.error]
    assert _loaded(at).name == "one-sheet.xlsx" and _loaded(at).workbook is None
    assert _worksheet(at) is None


def test_a_later_upload_or_the_sample_drops_the_kept_bytes(at: AppTest) -> None:
    first = _workbook("SW4")
    _upload(at, "kept.xlsx", first)
    assert _loaded(at).workbook == first
    _upload(at, "later.csv", fm.csv_bytes(_events("SW4-C", 2)), "text/csv")
    assert _loaded(at).name == "later.csv" and _loaded(at).workbook is None
    second = _workbook("SW5")
    _upload(at, "kept-again.xlsx", second)
    assert _loaded(at).workbook == second
    [b for b in at.button if b.label == "Back to the sample export"][0].click()
    run_ok(at)
    assert _loaded(at).is_sample and _loaded(at).workbook is None
    assert _worksheet(at) is None


def test_a_sheet_that_cannot_be_used_shows_why_and_keeps_the_data(at: AppTest, monkeypatch) -> None:
    _upload(at, "with-notes.xlsx", _workbook("SW6", notes=True))
    assert _tickets(at) == "2"
    real, reads = pipeline.prepare, []
    monkeypatch.setattr(pipeline, "prepare", lambda *a, **k: reads.append(k.get("sheet")) or real(*a, **k))
    _pick(at, "Notes")
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert "Sheet 'Notes' could not be used" in errors[0] and "ticket" in errors[0].lower(), errors[0]
    assert "Still showing sheet 'March' of **with-notes.xlsx**" in errors[0]
    assert _loaded(at).name == "with-notes.xlsx" and _loaded(at).prepared.raw.sheet == "March"
    assert reads == ["Notes"]
    run_ok(at)  # any rerun of the page while 'Notes' is still picked: told again, not read again
    assert [e.value for e in at.error] == errors and reads == ["Notes"]
    assert _tickets(at) == "2"  # the previous data stays
    _pick(at, "April")  # and the bytes stay: another sheet can still be read
    assert not at.error, [e.value for e in at.error]
    assert _tickets(at) == "3"
