""""Reset filters" in a real browser: the filter is gone from the widget and from every later page.

AppTest keeps no browser-side widget state, so it cannot see this: when the reset deleted the
widget's key, the browser's multiselect kept its chip and sent it back on the next page, and the
figures were filtered again while the user believed they saw everything.
"""
from __future__ import annotations

import pytest

from core import metrics, pipeline, privacy, sample
from core.policy import Policy

pytestmark = pytest.mark.browser

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _idle(page, settle_ms: int = 700) -> None:
    page.wait_for_timeout(settle_ms)
    page.wait_for_selector(IDLE, timeout=120_000)


def _tickets(flt: metrics.Filters) -> str:
    events = privacy.clean(pipeline.prepare(sample.sample_csv_bytes(), sample.SAMPLE_FILENAME)).events
    return f"{int(metrics.compute_dashboard(events, Policy.default(), flt).kpis.iloc[0]['tickets']):,}"


def test_reset_filters_clears_the_widget_and_later_pages(app_url: str, browser) -> None:
    everything, high = _tickets(metrics.Filters()), _tickets(metrics.Filters(priority=("HIGH",)))
    assert everything != high
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(app_url)
    _idle(page, 1200)

    def tickets() -> str:
        card = page.locator("[data-testid='stMetric']").filter(has_text="Tickets").first
        return card.locator("[data-testid='stMetricValue']").inner_text()

    priority = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").filter(has_text="Priority")
    assert tickets() == everything
    priority.click()
    page.get_by_role("option", name="HIGH").click()
    _idle(page)
    page.keyboard.press("Escape")
    _idle(page)
    assert tickets() == high
    page.get_by_role("button", name="Reset filters").click()
    _idle(page, 1000)
    assert tickets() == everything and "HIGH" not in priority.inner_text()
    for name in ("SLA", "Overview"):  # the next pages: the old choice must not come back
        page.get_by_role("link", name=name, exact=True).click()
        _idle(page, 1000)
    assert tickets() == everything and "HIGH" not in priority.inner_text()
    assert page.get_by_text("Filters active").count() == 0
    page.context.close()
