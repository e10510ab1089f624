"""A chart click in a real browser: the Tier 2 bar of the Escalation funnel narrows the list under it to Tier 2.

The page tests (tests/pages/test_chart_clicks.py) send the selection message through AppTest's
private API; this one clicks the rendered Vega chart, so a change in how Streamlit delivers a
selection shows here.
"""
from __future__ import annotations

import re

import pytest

from core import charts, metrics, pipeline, privacy, sample
from core.policy import Policy

pytestmark = pytest.mark.browser

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
PICKED = re.compile(r"Showing the tickets that reached (Tier \d)")


def _idle(page, settle_ms: int = 600) -> None:
    page.wait_for_timeout(settle_ms)
    page.wait_for_selector(IDLE, timeout=120_000)


def _expected_rows() -> dict[str, int]:
    """Per tier, the rows the funnel's list shows once that tier is clicked (the bundled sample, no filters)."""
    data = sample.sample_csv_bytes()
    events = privacy.clean(pipeline.prepare(data, sample.SAMPLE_FILENAME)).events
    dash = metrics.compute_dashboard(events, Policy.default(), metrics.Filters())
    labels = [f"Tier {n}" for n in range(1, 5)]  # as the chart labels the tiers
    return {label: len(charts.tickets_reaching(dash.tickets, [label])) for label in labels}


def test_clicking_the_tier_2_bar_lists_the_tickets_that_reached_tier_2(app_url: str, browser) -> None:
    expected = _expected_rows()
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(app_url)
    _idle(page)
    page.get_by_role("link", name="Escalation").click()
    _idle(page)
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box = chart.bounding_box()
    assert box, "the funnel chart is not on the page"
    # The bars are horizontal, one row per tier, Tier 1 on top at 100 %; a point a quarter of the way
    # across lies on every bar that reaches 25 %. Click down the chart until Tier 2's bar takes it
    # (Tier 1's list is every tiered ticket; Tier 2's is a real narrowing).
    unfiltered = page.get_by_text(re.compile(r"Tiered tickets behind the funnel \(")).first.inner_text()
    assert unfiltered.endswith(f"({expected['Tier 1']:,} rows)"), (unfiltered, expected)
    seen = []
    for frac in (0.25, 0.35, 0.45, 0.55, 0.65):
        page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * frac)
        _idle(page, 900)
        found = page.get_by_text(PICKED)
        seen.append(PICKED.search(found.first.inner_text()).group(1) if found.count() else None)
        if seen[-1] == "Tier 2":
            break
    assert seen[-1] == "Tier 2", f"clicks down the funnel picked {seen}"
    label = page.get_by_text(re.compile(r"Tiered tickets behind the funnel: Tier 2")).first.inner_text()
    assert label.endswith(f"({expected['Tier 2']:,} rows)"), (label, expected)
    assert expected["Tier 2"] < expected["Tier 1"]
    context.close()
