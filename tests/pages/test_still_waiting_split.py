"""Overview and SLA show still-waiting tier events split into open tickets and tickets resolved or closed since."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core import findings, metrics, pipeline, policy, privacy, sample
from tests.pages.conftest import metric

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dash() -> metrics.Dashboard:
    prepared = pipeline.prepare(sample.sample_csv_bytes(), sample.SAMPLE_FILENAME)
    events = privacy.clean(prepared).anonymized.events
    return metrics.compute_dashboard(events, policy.Policy.default(), metrics.Filters())


def _metric_element(at: AppTest, label: str):
    (found,) = [m for m in at.metric if m.label == label]
    return found


def test_overview_card_splits_still_waiting(dash) -> None:
    k = dash.kpis.iloc[0]
    assert 0 < k["still_waiting_open"] < k["still_waiting"]  # the sample has both kinds
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    card = _metric_element(at, "Still waiting")
    assert card.value == f"{int(k['still_waiting']):,}"
    assert card.delta == f"{int(k['still_waiting_open']):,} on open tickets"
    captions = [c.value for c in at.caption]
    assert f"{int(k['still_waiting_resolved_since']):,} on tickets resolved or closed since" in captions
    assert "already past SLA" not in card.delta  # the figure QA read as live overdue waits
    assert f"{int(k['tier_overdue_open']):,} of them past SLA" in card.help
    shown = findings.unanswered_waits(dash)
    assert any(m.value == shown.detail for m in at.markdown)  # the finding, under "What the data says"


def test_sla_page_splits_the_metrics_and_flags_the_table(dash) -> None:
    k = dash.kpis.iloc[0]
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/sla.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert metric(at, "No response yet") == f"{int(k['still_waiting']):,}"
    assert metric(at, "On open tickets") == f"{int(k['still_waiting_open']):,}"
    assert metric(at, "Resolved or closed since") == f"{int(k['still_waiting_resolved_since']):,}"
    assert _metric_element(at, "On open tickets").delta == f"{int(k['tier_overdue_open']):,} past SLA"
    assert metric(at, "Already past their SLA") == f"{int(k['tier_overdue']):,}"
    assert any(m.value == findings.unanswered_waits(dash).detail for m in at.markdown)
    (table,) = [d.value for d in at.dataframe if "Ticket still open" in d.value.columns]
    assert table["Ticket still open"].sum() == int(k["still_waiting_open"])
    assert table["Ticket still open"].is_monotonic_decreasing  # open tickets first
    assert table.loc[~table["Ticket still open"], "Resolved or closed at"].notna().all()
