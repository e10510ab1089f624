"""One real journey in headless Chromium: upload a CSV, read a KPI, filter, download the XLSX, check it for leaks."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from core import metrics, pipeline, privacy, sample
from core.policy import Policy

pytestmark = pytest.mark.browser

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _idle(page, settle_ms: int = 600) -> None:
    page.wait_for_timeout(settle_ms)  # let a rerun triggered by the last action start
    page.wait_for_selector(IDLE, timeout=120_000)


def _metric(page, label: str) -> str:
    card = page.locator("[data-testid='stMetric']").filter(has=page.get_by_text(label, exact=True)).first
    return card.locator("[data-testid='stMetricValue']").inner_text().strip()


@pytest.fixture(scope="module")
def export_file(tmp_path_factory) -> tuple[Path, pipeline.Prepared]:
    data = sample.sample_csv_bytes(n_tickets=400, seed=11)
    path = tmp_path_factory.mktemp("upload") / "helpdesk-export.csv"
    path.write_bytes(data)
    return path, pipeline.prepare(data, path.name)


def test_upload_dashboards_filter_download(app_url: str, browser, export_file, tmp_path: Path) -> None:
    path, prepared = export_file
    events = privacy.clean(prepared).anonymized.events
    expected_all = metrics.compute_dashboard(events, Policy.default(), metrics.Filters()).kpis.iloc[0]
    expected_high = metrics.compute_dashboard(events, Policy.default(),
                                              metrics.Filters(priority=("HIGH",))).kpis.iloc[0]

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(app_url)
    _idle(page)
    assert _metric(page, "Tickets")  # the sample is shown before any upload

    page.get_by_role("link", name="Prepare").click()
    _idle(page)
    page.locator("input[type=file]").first.set_input_files(str(path))
    page.wait_for_selector(f"text={path.name}", timeout=120_000)
    _idle(page)

    page.get_by_role("link", name="Overview").click()
    _idle(page)
    assert _metric(page, "Tickets") == f"{int(expected_all['tickets']):,}"
    assert _metric(page, "Tier events") == f"{int(expected_all['tier_events']):,}"

    sidebar = page.locator("[data-testid='stSidebar']")
    sidebar.locator("[data-testid='stMultiSelect']").filter(has_text="Priority").click()
    page.get_by_role("option", name="HIGH", exact=True).click()
    page.keyboard.press("Escape")
    _idle(page, 1200)
    assert _metric(page, "Tier events") == f"{int(expected_high['tier_events']):,}"
    page.screenshot(path=str(tmp_path / "overview-filtered.png"), full_page=True)

    page.get_by_role("link", name="Download").click()
    _idle(page)
    assert page.get_by_text(re.compile("Leak check passed")).is_visible()
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=re.compile(r"Excel \(\.xlsx\)")).click()
    saved = tmp_path / "clean.xlsx"
    info.value.save_as(saved)
    context.close()

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()), read_only=True)
    cells = [str(v) for row in book.worksheets[0].iter_rows(values_only=True) for v in row if v is not None]
    text = "\n".join(cells).casefold()
    assert len(cells) > 1000
    personal = prepared.mapping.personal
    originals = {str(v) for col in personal for v in prepared.typed[col].dropna().unique() if len(str(v)) >= 4}
    originals = {v for v in originals if not v.replace(".", "").isdigit()}  # numeric ids collide with counts
    assert originals, "the upload should hold personal values to check for"
    leaked = sorted(v for v in originals if v.casefold() in text)
    assert not leaked, f"{len(leaked)} personal values survived in the downloaded XLSX"
