"""A handful of corpus cases uploaded through the real router with AppTest: an error box says why, the data stays."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from core import pipeline
from tests.corpus import CASES_BY_NAME, MARKER, Case, Rejected, good_csv
from tests.pages.conftest import APP, metric

CHOSEN = ["zero bytes", "pdf named csv", "zip bomb", "far cell declared", "no ticket id column",
          "just over the size limit"]
MINE = "mine.csv"


def _upload(at: AppTest, name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    at.file_uploader[0].set_value((name, data, mime)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture()
def app_with_mine() -> AppTest:
    """The app after the user replaced the sample with their own 2-ticket file."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/prepare.py").run()
    _upload(at, MINE, good_csv())
    assert not at.error
    return at


@pytest.mark.parametrize("name", CHOSEN)
def test_a_refused_upload_shows_why_and_keeps_the_data(name: str, app_with_mine: AppTest, monkeypatch) -> None:
    case: Case = CASES_BY_NAME[name]
    assert isinstance(case.expect, Rejected)
    if case.limits is not None:  # state.load_upload has no limits argument: the pipeline's default is patched
        monkeypatch.setitem(pipeline.prepare.__kwdefaults__, "limits", case.limits)
    at = _upload(app_with_mine, case.filename, case.make_bytes(), case.mime)
    errors = [e.value for e in at.error]
    assert len(errors) == 1, errors
    assert f"**{case.filename}** could not be used" in errors[0]
    assert re.search(case.expect.message, errors[0]), errors[0]
    assert f"Still showing: **{MINE}**" in errors[0]
    assert MARKER not in errors[0]
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert metric(at, "Tickets") == "2"


def test_the_app_still_works_after_refused_uploads(app_with_mine: AppTest) -> None:
    at = app_with_mine
    for name in ("binary garbage", "thousands of archive entries"):
        case = CASES_BY_NAME[name]
        _upload(at, case.filename, case.make_bytes(), case.mime)
        assert at.error and "could not be used" in at.error[0].value
    three = good_csv().replace(b"T2,", b"T3,", 1)  # T1, T2 and T3
    _upload(at, "next.csv", three)
    assert not at.error  # a good upload clears the old error
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert metric(at, "Tickets") == "3"


def test_a_failure_while_anonymizing_in_the_background_is_reported_on_the_download_page(
        app_with_mine: AppTest, monkeypatch) -> None:
    # The download table is anonymized in a thread after the opening dashboard: the new data's
    # dashboards are shown, and the Download page says what went wrong instead of offering files.
    from core import anonymize

    def broken(*args, **kwargs):
        raise RuntimeError("a bug while scrubbing")

    monkeypatch.setattr(anonymize, "_anonymize_wide", broken)
    three = good_csv().replace(b"T2,", b"T3,", 1)
    at = _upload(app_with_mine, "next.csv", three)
    assert not at.error, [e.value for e in at.error]
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert metric(at, "Tickets") == "3"
    at.switch_page("pages/download.py").run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "preparing the anonymized copy (RuntimeError)" in errors[0], errors
    assert "dashboards are not affected" in errors[0] and "scrubbing" not in errors[0]
    assert not at.get("download_button")  # nothing to download


def test_the_opening_dashboard_computed_ahead_is_only_a_head_start(app_with_mine: AppTest, monkeypatch) -> None:
    # If computing the first dashboard during the upload fails, the upload still loads; the
    # page computes it again when shown.
    from core import metrics

    real, calls = metrics.compute_dashboard, []

    def first_call_fails(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a query failed")
        return real(*args, **kwargs)

    monkeypatch.setattr(metrics, "compute_dashboard", first_call_fails)
    # data no other test uploads: AppTest runs share one session id, so one session cache
    at = _upload(app_with_mine, "next.csv", good_csv().replace(b"T2,", b"T5,", 1))
    assert not at.error, [e.value for e in at.error]
    at.switch_page("pages/overview.py").run()
    assert not at.exception
    assert metric(at, "Tickets") == "3" and len(calls) >= 2


def test_the_first_dashboard_page_uses_what_the_upload_computed_ahead(app_with_mine: AppTest, monkeypatch) -> None:
    from core import metrics

    real, calls = metrics.compute_dashboard, []
    monkeypatch.setattr(metrics, "compute_dashboard", lambda *a, **k: calls.append(1) or real(*a, **k))
    # data no other test uploads: AppTest runs share one session id, so one session cache
    at = _upload(app_with_mine, "next.csv", good_csv().replace(b"T2,", b"T4,", 1))
    assert not at.error, [e.value for e in at.error]
    assert len(calls) == 1  # computed ahead, during the upload
    at.switch_page("pages/overview.py").run()
    assert metric(at, "Tickets") == "3"
    assert len(calls) == 1  # the page found it in the session's cache
