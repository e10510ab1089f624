"""The SLA, Escalation, Products and Agents pages run on the sample and show what core computes."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import state
from core import charts, metrics, pipeline, policy, privacy, sample, schema
from core.durations import readable
from tests.pages.conftest import metric

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def events():
    prepared = pipeline.prepare(sample.sample_csv_bytes(), sample.SAMPLE_FILENAME)
    return privacy.clean(prepared).anonymized.events


@pytest.fixture(scope="module")
def dash(events) -> metrics.Dashboard:
    return metrics.compute_dashboard(events, policy.Policy.default(), metrics.Filters())


def open_page(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    at.switch_page(page).run()
    assert not at.exception, [e.message for e in at.exception]
    return at




def frames_with(at: AppTest, *columns: str) -> list:
    """The shown tables that have all ``columns`` (AppTest does not expose a display table's key)."""
    return [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]


def test_sla_page(dash):
    at = open_page("pages/sla.py")
    k = dash.kpis.iloc[0]
    assert at.title[0].value == "SLA"
    assert metric(at, "Tier SLA breach rate") == f"{k['tier_breached'] / k['tier_rated']:.1%}" == "34.0%"
    assert metric(at, "FRT breach rate") == f"{k['frt_breached'] / k['frt_rated']:.1%}"
    assert metric(at, "Median time in tier") == readable(k["tier_median_s"])
    assert metric(at, "Median overrun") == readable(k["tier_over_median_s"])
    assert metric(at, "Already past their SLA") == f"{int(k['tier_overdue']):,}"
    assert len(at.get("vega_lite_chart")) >= 3
    # the dimension and metric controls switch the chart without errors
    at.segmented_control(key="sla_dim").set_value("Month").run()
    at.segmented_control(key="sla_metric").set_value("First response (FRT)").run()
    at.segmented_control(key="sla_scale").set_value("log").run()
    at.segmented_control(key="sla_dist_dim").set_value("Priority").run()
    assert not at.exception
    # FRT chosen under "How long it takes" moves the overrun KPIs to FRT
    at.segmented_control(key="sla_dist_metric").set_value("First response (FRT)").run()
    assert metric(at, "Median overrun") == readable(k["frt_over_median_s"])
    (table,) = frames_with(at, "Past SLA", "Age")
    assert len(table) == int(k["still_waiting"]) and table["Past SLA"].sum() == int(k["tier_overdue"])


def test_escalation_page(dash):
    at = open_page("pages/escalation.py")
    k = dash.kpis.iloc[0]
    f = dash.funnel.set_index("tier")
    assert metric(at, "Tiered tickets") == f"{int(k['tiered_tickets']):,}"
    assert metric(at, "Reached Tier 2") == f"{f.loc['TIER_2', 'reach']:.1%}"
    assert metric(at, "Reached Tier 3") == f"{f.loc['TIER_3', 'reach']:.1%}"
    assert metric(at, "Stayed in Tier 1") == f"{f.loc['TIER_1', 'containment']:.1%}"
    assert metric(at, "Reopened tickets") == f"{int(k['reopened_tickets']):,}"
    assert metric(at, "Ping-pong tickets") == f"{int(k['ping_pong_tickets']):,}"
    assert metric(at, "Escalated tickets") == f"{int(k['escalated_tickets']):,}"
    assert any(charts.attribution_sentence(dash.attribution) == m.value for m in at.markdown)
    reopened = [t for t in frames_with(at, "ticket_id", "reopened") if t["reopened"].all()]
    assert [len(t) for t in reopened] == [int(k["reopened_tickets"])]


def test_products_page(dash):
    at = open_page("pages/products.py")
    k = dash.kpis.iloc[0]
    assert metric(at, "Tickets") == f"{int(k['tickets']):,}" == "2,000"
    assert metric(at, "Products") == f"{len(dash.pareto):,}"
    assert metric(at, "Small products") == f"{int(k['small_products']):,}"
    assert metric(at, "Small products' share") == f"{k['small_products_share']:.1%}"
    at.segmented_control(key="prod_by").set_value("Month").run()
    assert not at.exception
    (ranked,) = frames_with(at, "Rank", "Cumulative share")
    assert list(ranked["Product"]) == list(dash.pareto["product"])


def test_agents_page(dash):
    at = open_page("pages/agents.py")
    (table,) = frames_with(at, "Agent", "Note")
    assert len(table) == len(dash.agents)
    # the scatter's drill-down (an expander) lists the same columns first; the report comes last
    (drill, report) = frames_with(at, "Agent", "Time in tier")
    assert len(report) == len(drill) == len(dash.agent_events)
    # drill into the busiest agent (tokens come from the app's own session)
    loaded = at.session_state[state.LOADED]
    own = metrics.compute_dashboard(loaded.cleaned.anonymized.events, policy.Policy.default(), metrics.Filters())
    top = own.agents.sort_values("tier_events", ascending=False).iloc[0]
    at.selectbox(key="ag_pick").set_value(top["agent"]).run()
    assert not at.exception
    assert metric(at, "Tier events") == f"{int(top['tier_events']):,}"
    assert metric(at, "Tier SLA breached") == f"{top['tier_breach_rate']:.1%}"
    assert metric(at, "Median FRT") == readable(top["frt_median_s"])
    (_, rows) = frames_with(at, "Agent", "Time in tier")
    assert len(rows) == int(top["tier_events"]) and set(rows["Agent"]) == {top["agent"]}
    assert {"FRT", "Time in tier", "Tier SLA breached", "Region"} <= set(rows.columns)


def test_priority_filter_changes_sla_figures(events, dash):
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90)
    at.run()
    dataset_id = at.session_state[state.LOADED].dataset_id
    key = f"{state.FILTER_PREFIX}{dataset_id}_priority"
    assert at.multiselect(key=key).label == "Priority"
    at.switch_page("pages/sla.py").run()
    # AppTest renders no sidebar after switch_page (and then drops its widget values), so the
    # filter is set through session state, exactly where the sidebar widget stores it
    at.session_state[key] = ["HIGH"]
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    high = metrics.compute_dashboard(events, policy.Policy.default(), metrics.Filters(priority=("HIGH",)))
    k, k_all = high.kpis.iloc[0], dash.kpis.iloc[0]
    expected = f"{k['tier_breached'] / k['tier_rated']:.1%}"
    assert metric(at, "Tier SLA breach rate") == expected
    assert expected != f"{k_all['tier_breached'] / k_all['tier_rated']:.1%}"
    assert metric(at, "Already past their SLA") == f"{int(k['tier_overdue']):,}"
    assert any("Priority: HIGH" in c.value for c in at.caption)


def test_escalation_explains_a_missing_tier_column():
    """With no tier column mapped the page says what is missing and where to map it, instead of empty charts."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90)
    at.run()
    cur = at.session_state[state.LOADED]
    mapping = schema.with_overrides(cur.prepared.mapping, frame=cur.prepared.raw.frame, tier=None)
    prepared = pipeline.prepare_from_raw(cur.prepared.raw, mapping)
    at.session_state[state.LOADED] = replace(cur, dataset_id="no-tier", prepared=prepared,
                                             cleaned=privacy.clean(prepared))
    at.switch_page("pages/escalation.py").run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("no support-tier column" in w.value for w in at.warning)
    assert not at.get("vega_lite_chart")
    assert at.get("page_link"), "a link to the Prepare page's column mapping"


def test_pages_show_a_friendly_empty_state():
    """Filters that leave no rows give the empty-state note on every dashboard page, not an error."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90)
    at.run()
    dataset_id = at.session_state[state.LOADED].dataset_id
    for page in ("pages/sla.py", "pages/escalation.py", "pages/products.py", "pages/agents.py"):
        at.switch_page(page).run()
        # a date range before the data starts
        at.session_state[f"{state.FILTER_PREFIX}{dataset_id}_date"] = (date(2020, 1, 1), date(2020, 1, 2))
        at.run()
        assert not at.exception, (page, [e.message for e in at.exception])
        assert any("Widen the filters" in i.value for i in at.info), page
        assert not at.get("vega_lite_chart"), page
