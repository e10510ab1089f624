"""Excel attacks uploaded through the real app in Chromium: each is refused, the server stays healthy, the data stays.

Also two real sessions (two browser contexts) uploading different files: neither sees the
other's data, filters or downloads, and the server writes none of it to disk.
"""
from __future__ import annotations

import os
import re
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.corpus import CASES, HEADER, good_csv
from tests.core import filemakers as fm

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
ATTACKS = [c for c in CASES if c.excel_attack]
MINE = "mine.csv"


def _idle(page, settle_ms: int = 500) -> None:
    page.wait_for_timeout(settle_ms)  # let a rerun triggered by the last action start
    page.wait_for_selector(IDLE, timeout=120_000)


def _health(app_url: str) -> str:
    return urllib.request.urlopen(f"{app_url}/_stcore/health", timeout=10).read().decode().strip()


def _metric(page, label: str) -> str:
    card = page.locator("[data-testid='stMetric']").filter(has=page.get_by_text(label, exact=True)).first
    return card.locator("[data-testid='stMetricValue']").inner_text().strip()


def _open_prepare(context, app_url: str):
    page = context.new_page()
    page.goto(app_url + "/prepare")
    _idle(page)
    if not page.locator("input[type=file]").count():
        # the server's very first request hands a deep link over to the router's default page
        page.get_by_role("link", name="Prepare").click()
        _idle(page)
    page.wait_for_selector("input[type=file]", state="attached", timeout=120_000)
    return page


def _upload(page, path: Path) -> None:
    page.locator("input[type=file]").first.set_input_files(str(path))
    _idle(page, 800)


def test_each_excel_attack_is_refused_and_the_server_stays_up(app_url: str, browser, tmp_path: Path) -> None:
    assert len(ATTACKS) >= 8
    mine = tmp_path / MINE
    mine.write_bytes(good_csv())
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = _open_prepare(context, app_url)
    _upload(page, mine)
    page.wait_for_selector(f"text={MINE}", timeout=120_000)
    for case in ATTACKS:
        path = tmp_path / case.filename
        path.write_bytes(case.make_bytes())
        started = time.monotonic()
        _upload(page, path)
        alert = page.locator("[data-testid='stAlert']").filter(has_text=case.filename).filter(
            has_text="could not be used")
        alert.first.wait_for(timeout=60_000)
        text = alert.first.inner_text()
        assert re.search(case.expect.message, text), (case.name, text)
        assert f"Still showing: {MINE}" in text.replace("\n", " "), (case.name, text)
        assert _health(app_url) == "ok", case.name
        assert time.monotonic() - started < 30, f"{case.name} took {time.monotonic() - started:.0f} s"
    page.get_by_role("link", name="Overview").click()
    _idle(page)
    assert _metric(page, "Tickets") == "2"  # the previous data is still the one shown
    context.close()


def _export(marker: str, prefix: str, priorities: list[str]) -> bytes:
    rows = [HEADER]
    for t, priority in enumerate(priorities):
        for k, status in enumerate(("Open", "In Progress")):
            rows.append([f"{prefix}-{t}", f"{10 + t}/07/2025 0{8 + k}:00:00", status, "Tier 1", priority,
                         f"{marker} Agent{t}", f"Call {marker} about the printer"])
    return fm.csv_bytes(rows)


def _download_csv(page, tmp_path: Path, name: str) -> str:
    """The clean CSV as this session downloads it.

    A click on a deferred download button now and then spins for ever (about 1 in 10 here, with
    or without the file watcher): then the page is rendered again and the button clicked once
    more. The isolation checked here does not depend on it; the flake is reported separately.
    """
    for attempt in range(2):
        page.get_by_role("link", name="Download").click()
        _idle(page)
        page.wait_for_timeout(1000)
        _idle(page)
        page.get_by_text(re.compile("Leak check (passed|failed)")).first.wait_for(timeout=60_000)
        assert page.get_by_text(re.compile("Leak check passed")).count(), page.inner_text("main")[:2000]
        button = page.get_by_role("button", name="CSV", exact=True)
        button.wait_for(timeout=60_000)
        try:
            with page.expect_download(timeout=20_000) as info:
                button.click()
        except Exception:  # playwright's TimeoutError
            if attempt:
                raise
            page.get_by_role("link", name="Overview").click()
            _idle(page)
            continue
        saved = tmp_path / name
        info.value.save_as(saved)
        return saved.read_text(encoding="utf-8-sig")
    raise AssertionError("unreachable")


def _files_containing(marker: bytes, since: float) -> list[str]:
    found = []
    for root in (Path(tempfile.gettempdir()), ROOT, Path.home() / ".streamlit"):
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in (".venv", ".git")]
            for name in filenames:
                path = Path(dirpath) / name
                try:
                    st = path.stat()
                    if st.st_mtime >= since and path.is_file() and st.st_size < 200 * 1024**2 \
                            and marker in path.read_bytes():
                        found.append(str(path))
                except OSError:
                    continue
    return found


def test_two_sessions_see_only_their_own_data(app_url: str, browser, tmp_path_factory) -> None:
    uploads = tmp_path_factory.mktemp("iso-up")  # the files the browser sends; outside the scan below
    downloads = tmp_path_factory.mktemp("iso-down")
    alpha, bravo = f"Alpha{uuid.uuid4().hex[:8]}", f"Bravo{uuid.uuid4().hex[:8]}"
    (uploads / "alpha.csv").write_bytes(_export(alpha, "ALPHA", ["High", "Medium"]))
    (uploads / "bravo.csv").write_bytes(_export(bravo, "BRAVO", ["Low", "Low", "High"]))
    since = time.time()

    ctx_a = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    ctx_b = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    a, b = _open_prepare(ctx_a, app_url), _open_prepare(ctx_b, app_url)
    _upload(a, uploads / "alpha.csv")
    _upload(b, uploads / "bravo.csv")
    a.wait_for_selector("text=alpha.csv", timeout=120_000)
    b.wait_for_selector("text=bravo.csv", timeout=120_000)
    for page in (a, b):
        page.get_by_role("link", name="Overview").click()
        _idle(page)
    assert _metric(a, "Tickets") == "2" and _metric(b, "Tickets") == "3"

    # a filter in A changes A only
    a.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text="Priority").click()
    a.get_by_role("option", name="MEDIUM", exact=True).click()
    a.keyboard.press("Escape")
    _idle(a, 1200)
    b.get_by_role("link", name="Overview").click()  # a rerun in B's own session (a reload would start a new one)
    _idle(b)
    assert _metric(a, "Tickets") == "1" and _metric(b, "Tickets") == "3"
    for page, other in ((a, "bravo.csv"), (b, "alpha.csv")):
        assert other not in page.content()

    # each download holds its own tickets only, and no marker (names are tokens)
    text_a = _download_csv(a, downloads, "a.csv")
    text_b = _download_csv(b, downloads, "b.csv")
    assert "ALPHA-0" in text_a and "BRAVO-" not in text_a
    assert "BRAVO-0" in text_b and "ALPHA-" not in text_b
    assert alpha not in text_a + text_b and bravo not in text_a + text_b
    ctx_a.close()
    ctx_b.close()

    assert _health(app_url) == "ok"
    assert _files_containing(alpha.encode(), since) == []
    assert _files_containing(bravo.encode(), since) == []
