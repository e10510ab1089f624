"""Clicking a chart on the Escalation and Agents pages narrows the rows listed under it.

AppTest has no handle on Altair marks, so ``click`` sends what the browser sends when marks
are clicked: the chart's widget id (found by its widget key) with the selection as JSON. The
session state cannot carry it instead: Streamlit refuses writes to a chart's selection key.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import state
from core import charts, metrics, policy, privacy

ROOT = Path(__file__).resolve().parents[2]


def open_page(page: str, *, reveal: bool = False) -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=90)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    at.switch_page(page).run()
    if reveal:
        # AppTest renders no sidebar after switch_page, so the toggle is set where it stores its value
        at.session_state[state.REVEAL] = True
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def own_dashboard(at: AppTest) -> metrics.Dashboard:
    """The dashboard of the app's own session (its tokens depend on the session's key)."""
    loaded = at.session_state[state.LOADED]
    return metrics.compute_dashboard(loaded.cleaned.anonymized.events, policy.Policy.default(), metrics.Filters())


def click(at: AppTest, key: str, field: str, *values: str) -> AppTest:
    """Click the marks whose ``field`` is one of ``values`` in the chart with widget key ``key``."""
    found = [c for c in at.get("vega_lite_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, f"no single chart keyed {key!r} among {[c.proto.id for c in at.get('vega_lite_chart')]}"
    assert charts.PICK in found[0].proto.selection_mode
    states = at._tree.get_widget_states()
    widget = states.widgets.add()
    widget.id = found[0].proto.id
    widget.string_value = json.dumps({"selection": {charts.PICK: [{field: v} for v in values]}})
    at._run(states)
    assert not at.exception, [e.message for e in at.exception]
    return at


def drill(at: AppTest, prefix: str):
    """(label, shown rows) of the one drill-down expander whose label starts with ``prefix``."""
    found = [e for e in at.expander if e.label.startswith(prefix)]
    assert len(found) == 1, [e.label for e in at.expander]
    return found[0].label, found[0].dataframe[0].value


def test_breach_charts_narrow_their_rows_to_the_clicked_tiers():
    at = open_page("pages/escalation.py")
    te = own_dashboard(at).tier_events
    rated = te[te["tier_breached"].notna() | te["frt_breached"].notna()]
    per_tier = rated["tier"].value_counts()
    label, rows = drill(at, "Breached or met tier events")
    assert label == f"Breached or met tier events ({len(rated):,} rows)" and len(rows) == len(rated)

    click(at, "esc_outcome_tier_linear", "value", "Tier 2")
    label, rows = drill(at, "Breached or met tier events")
    assert label == f"Breached or met tier events: Tier 2 ({per_tier['TIER_2']:,} rows)"
    assert set(rows["tier"]) == {"Tier 2"} and len(rows) == per_tier["TIER_2"] < len(rated)
    assert rows["tier_breached"].iloc[0] and rows["frt_s"].notna().all()  # longest tier SLA overrun first

    click(at, "esc_outcome_frt_linear", "value", "Tier 3")
    click(at, "esc_breach_rate", "value", "Tier 1")
    label, rows = drill(at, "Breached or met tier events")
    assert label.startswith("Breached or met tier events: Tier 1, Tier 2, Tier 3 (")  # picks of all three charts
    assert len(rows) == len(rated)

    # the scale is part of the outcome charts' keys: changing it starts them afresh
    at.segmented_control(key="esc_scale").set_value("log").run()
    label, rows = drill(at, "Breached or met tier events")
    assert label == f"Breached or met tier events: Tier 1 ({per_tier['TIER_1']:,} rows)"


def test_funnel_lists_the_tickets_that_reached_the_clicked_tier_and_times_their_tier_events():
    at = open_page("pages/escalation.py")
    dash = own_dashboard(at)
    funnel = dash.funnel.set_index("tier")
    reached = int(funnel.loc["TIER_3", "tickets_reached"])
    label, rows = drill(at, "Tiered tickets behind the funnel")
    assert len(rows) == int(dash.kpis["tiered_tickets"].iloc[0]) > reached

    click(at, "esc_funnel", "tier", "Tier 3")
    label, rows = drill(at, "Tiered tickets behind the funnel")
    assert label == f"Tiered tickets behind the funnel: Tier 3 ({reached:,} rows)"
    expected = set(dash.tickets.loc[dash.tickets["reached_tier_3"].astype(bool), "ticket_id"])
    assert set(rows["ticket_id"]) == expected and len(rows) == reached

    label, rows = drill(at, "Tier events behind these times")
    assert len(rows) == len(dash.tier_events)
    click(at, "esc_time_frt_linear", "tier", "Tier 1")
    label, rows = drill(at, "Tier events behind these times")
    assert label == f"Tier events behind these times: Tier 1 ({int(funnel.loc['TIER_1', 'tier_events']):,} rows)"
    assert set(rows["tier"]) == {"Tier 1"}
    click(at, "esc_time_tier_linear", "tier", "Tier 2")
    label, _ = drill(at, "Tier events behind these times")
    assert label.startswith("Tier events behind these times: Tier 1, Tier 2 (")


@pytest.mark.parametrize("reveal", [False, True], ids=["tokens", "revealed names"])
def test_agent_scatter_lists_the_clicked_agents_events_as_shown(reveal):
    at = open_page("pages/agents.py", reveal=reveal)
    dash = own_dashboard(at)
    label, rows = drill(at, "Tier events behind this chart")
    assert len(rows) == len(dash.agent_events)

    top = dash.agents.sort_values("tier_events", ascending=False).iloc[0]
    name = top["agent"]
    if reveal:  # the chart then shows, and a click gives, the real name
        token_map = at.session_state[state.LOADED].cleaned.anonymized.token_map
        name = privacy.reveal(dash.agents[["agent"]], token_map).loc[top.name, "agent"]
        assert name != top["agent"]
        at.session_state[state.REVEAL] = True  # again: the unrendered sidebar toggle dropped it (see open_page)
    key = f"ag_scatter_tier_log_{'named' if reveal else 'tokens'}"
    click(at, key, "agent", name)
    label, rows = drill(at, "Tier events behind this chart")
    assert label == f"Tier events behind this chart: {name} ({int(top['tier_events']):,} rows)"
    assert set(rows["Agent"]) == {name}
    assert any(f"**{name}**" in c.value for c in at.caption)
