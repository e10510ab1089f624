"""core.charts: every builder renders on the sample and on an empty dashboard; colours mean one thing."""
from __future__ import annotations

import json

import altair as alt
import pandas as pd
import pytest

from core import charts, contract, metrics, pipeline, policy, privacy, sample


@pytest.fixture(scope="module")
def dash() -> metrics.Dashboard:
    prepared = pipeline.prepare(sample.sample_csv_bytes(), sample.SAMPLE_FILENAME)
    events = privacy.clean(prepared).anonymized.events
    return metrics.compute_dashboard(events, policy.Policy.default(), metrics.Filters())


@pytest.fixture(scope="module")
def empty() -> metrics.Dashboard:
    return metrics.compute_dashboard(contract.empty_frame(), policy.Policy.default(), metrics.Filters())


def builders(d: metrics.Dashboard):
    """(name, thunk) for every chart the pages draw, with each option they use."""
    out = []
    for dim in ("product", "issue_type", "priority", "month", "tier", "region"):
        for metric in ("tier", "frt"):
            for scale in ("linear", "log"):
                out.append((f"outcome_bars[{dim},{metric},{scale}]",
                            lambda dim=dim, metric=metric, scale=scale: charts.outcome_bars(d.breakdown, dim, metric, scale)))
    for dim in ("tier", "priority"):
        for metric in ("tier", "frt"):
            out.append((f"duration_histogram[{dim},{metric}]",
                        lambda dim=dim, metric=metric: charts.duration_histogram(d.tier_events, d.breakdown, dim, metric)))
    for metric in ("tier", "frt"):
        out.append((f"overrun_histogram[{metric}]", lambda metric=metric: charts.overrun_histogram(d.tier_events, d.kpis, metric)))
        out.append((f"time_per_tier[{metric}]", lambda metric=metric: charts.time_per_tier(d.funnel, metric)))
        out.append((f"agent_scatter[{metric}]", lambda metric=metric: charts.agent_scatter(d.agents, d.kpis, metric)))
    out += [
        ("time_per_tier[log]", lambda: charts.time_per_tier(d.funnel, "tier", "log")),
        ("breach_rate_bars", lambda: charts.breach_rate_bars(d.breakdown, "tier")),
        ("funnel_chart", lambda: charts.funnel_chart(d.funnel)),
        ("attribution_bar", lambda: charts.attribution_bar(d.attribution)),
        ("pareto_chart", lambda: charts.pareto_chart(d.pareto)),
        ("agent_scatter[linear]", lambda: charts.agent_scatter(d.agents, d.kpis, "tier", "linear")),
    ]
    for dim in ("product", "issue_type", "month"):
        for scale in ("linear", "log"):
            out.append((f"volume_bars[{dim},{scale}]", lambda dim=dim, scale=scale: charts.volume_bars(d.volume, dim, scale)))
    return out


def _names(d):
    return [n for n, _ in builders(d)]


def _dataset_rows(spec: dict) -> int:
    return sum(len(v) for v in spec.get("datasets", {}).values())


@pytest.mark.parametrize("index", range(len(_names(metrics.Dashboard(*[pd.DataFrame()] * 13)))))
def test_every_builder_renders_on_sample_and_empty(dash, empty, index):
    name, build = builders(dash)[index]
    spec = build().to_dict()
    assert _dataset_rows(spec) > 1, f"{name}: sample chart has data"
    assert "$schema" in spec
    json.dumps(spec)  # serializable: no NaN-only objects or numpy leftovers break the front end
    _, build_empty = builders(empty)[index]
    spec_empty = build_empty().to_dict()
    json.dumps(spec_empty)


def test_empty_dashboard_gives_text_chart(empty):
    spec = charts.outcome_bars(empty.breakdown, "product").to_dict()
    assert spec["mark"]["type"] == "text"
    assert "No rated tier events" in json.dumps(spec)


def _walk(obj):
    """Every dict nested anywhere in a chart spec (Altair hoists a layer's params to the top)."""
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v)


def _scales(spec, found):
    found += [dict(zip(d["domain"], d["range"])) for d in _walk(spec)
              if "domain" in d and "range" in d and isinstance(d["domain"], list)]
    return found


@pytest.mark.parametrize("build", [
    lambda d: charts.outcome_bars(d.breakdown, "product", "tier"),
    lambda d: charts.outcome_bars(d.breakdown, "month", "frt", "log"),
    lambda d: charts.duration_histogram(d.tier_events, d.breakdown, "tier", "tier"),
    lambda d: charts.duration_histogram(d.tier_events, d.breakdown, "priority", "frt"),
])
def test_breached_and_met_mean_one_colour_everywhere(dash, build):
    pairs = [s for s in _scales(build(dash).to_dict(), []) if "Breached" in s or "Met" in s]
    assert pairs, "an outcome colour scale is present"
    for s in pairs:
        assert s.get("Breached", charts.BREACHED) == charts.BREACHED == "#d55e00"
        assert s.get("Met", charts.MET) == charts.MET == "#0072b2"


def test_breach_rates_use_the_breached_colour(dash):
    s = _scales(charts.breach_rate_bars(dash.breakdown).to_dict(), [])
    assert {"Tier SLA": charts.BREACHED, "FRT": charts.BREACHED_LIGHT} in s


def test_outcome_counts_match_breakdown(dash):
    data = charts.outcome_counts(dash.breakdown, "priority", "tier")
    row = dash.breakdown[(dash.breakdown["dimension"] == "priority") & (dash.breakdown["value"] == "HIGH")].iloc[0]
    got = data[data["value"] == "HIGH"].set_index("outcome")["events"]
    assert got["Breached"] == row["tier_breached"]
    assert got["Met"] == row["tier_rated"] - row["tier_breached"]
    assert data["events"].sum() == dash.kpis["tier_rated"].iloc[0]


def test_outcome_counts_tier_labels_and_order(dash):
    data = charts.outcome_counts(dash.breakdown, "tier", "frt")
    assert set(data["value"]) == {"Tier 1", "Tier 2", "Tier 3"}
    assert charts.value_order("tier", data["value"]) == ["Tier 1", "Tier 2", "Tier 3"]


def test_duration_marks_come_from_breakdown(dash):
    marks = charts.duration_marks(dash.breakdown, dash.tier_events, "priority", "tier")
    row = dash.breakdown[(dash.breakdown["dimension"] == "priority") & (dash.breakdown["value"] == "HIGH")].iloc[0]
    high = marks[marks["group"] == "HIGH"].set_index("mark")
    assert high.loc["Median", "hours"] == pytest.approx(row["tier_median_s"] / 3600)
    assert high.loc["90th percentile", "hours"] == pytest.approx(row["tier_p90_s"] / 3600)
    assert high.loc["Allowance", "hours"] == pytest.approx(0.5)  # HIGH: 30 minutes
    assert "Allowance" not in set(marks[marks["group"] == "MEDIUM"]["mark"]) or \
        marks[(marks["group"] == "MEDIUM") & (marks["mark"] == "Allowance")]["hours"].iloc[0] == pytest.approx(24)


def test_histogram_bins_count_every_measured_event(dash):
    te = dash.tier_events
    bins = charts.histogram_bins(te["tier_s"].where(~te["tier_negative"].fillna(False)), te["tier"], te["tier"])
    assert bins["events"].sum() == dash.kpis["tier_measured"].iloc[0]
    assert (bins["start_h"] < bins["end_h"]).all()


def test_time_stats_frame_readable(dash):
    data = charts.time_stats_frame(dash.funnel, "tier")
    t1 = data[(data["tier"] == "Tier 1") & (data["statistic"] == "Mean")].iloc[0]
    assert t1["text"] == charts.readable(dash.funnel["tier_mean_s"].iloc[0])
    assert t1["hours"] == pytest.approx(dash.funnel["tier_mean_s"].iloc[0] / 3600)


def test_funnel_frame_labels(dash):
    f = charts.funnel_frame(dash.funnel)
    assert list(f["tier"]) == ["Tier 1", "Tier 2", "Tier 3"]
    assert f["label"].iloc[1].startswith(f"{dash.funnel['reach'].iloc[1]:.1%}")


def test_attribution_shares_sum_to_one(dash):
    a = charts.attribution_frame(dash.attribution)
    assert a["share"].sum() == pytest.approx(1.0)


def test_agent_table_and_events(dash):
    table = charts.agent_table(dash.agents)
    assert len(table) == len(dash.agents)
    assert table["Tier events"].is_monotonic_decreasing
    small = table[table["Tier events"] < charts.SMALL_SAMPLE]
    assert (small["Note"] == "fewer than 20 tier events: rates are not reliable").all()
    top = dash.agents.sort_values("tier_events", ascending=False).iloc[0]
    assert table["Tier SLA breached %"].iloc[0] == pytest.approx(round(top["tier_breach_rate"] * 100, 1))
    options = charts.agent_options(dash.agents)
    rows = charts.agent_event_rows(dash.agent_events, options[0])
    assert len(rows) == int(top["tier_events"]) and set(rows["Agent"]) == {options[0]}
    assert list(rows.columns)[:7] == ["Agent", "Priority", "Issue type", "Status", "Product", "Tier", "Region"]
    assert len(charts.agent_event_rows(dash.agent_events)) == len(dash.agent_events)


def test_tables_on_empty(empty):
    assert charts.agent_table(empty.agents).empty
    assert charts.agent_event_rows(empty.agent_events, "Agent 1").empty
    assert charts.still_waiting_table(empty.still_waiting).empty
    assert charts.tier_event_rows(empty.tier_events).empty
    assert charts.breached_rows(empty.tier_events).empty
    for flag in charts.TICKET_FLAGS:
        assert charts.ticket_rows(empty.tickets, flag).empty
    assert charts.agent_options(empty.agents) == []


def test_still_waiting_and_ticket_rows(dash):
    sw = charts.still_waiting_table(dash.still_waiting)
    assert len(sw) == dash.kpis["still_waiting"].iloc[0]
    assert sw["Past SLA"].sum() == dash.kpis["tier_overdue"].iloc[0]
    assert sw["Age"].iloc[0] == charts.readable(dash.still_waiting["age_s"].iloc[0])
    k = dash.kpis.iloc[0]
    assert len(charts.ticket_rows(dash.tickets, "reopened")) == k["reopened_tickets"]
    assert len(charts.ticket_rows(dash.tickets, "ping_pong")) == k["ping_pong_tickets"]
    assert len(charts.ticket_rows(dash.tickets, "escalated")) == k["escalated_tickets"]
    br = charts.breached_rows(dash.tier_events, "tier")
    assert len(br) == k["tier_breached"]


def test_builders_do_not_mutate_inputs(dash):
    before = dash.breakdown.copy()
    charts.outcome_bars(dash.breakdown, "product")
    charts.duration_histogram(dash.tier_events, dash.breakdown, "tier")
    pd.testing.assert_frame_equal(before, dash.breakdown)


def test_empty_chart_is_text():
    assert isinstance(charts.empty_chart("x"), alt.Chart)
    assert charts.empty_chart("x").to_dict()["mark"]["type"] == "text"


def test_clicked_bars_narrow_the_drill_down(dash):
    event = {"selection": {charts.PICK: [{"value": "Tier 2"}]}}
    picked = charts.picked_values(event)
    rows = charts.events_for(dash.tier_events, "tier", picked)
    assert picked == ("Tier 2",) and set(rows["tier"]) == {"TIER_2"}
    assert len(rows) == int(dash.funnel.set_index("tier").loc["TIER_2", "tier_events"])
    month = charts.events_for(dash.tier_events, "month", ["2025-09"])
    assert (month["month"].dt.strftime("%Y-%m") == "2025-09").all() and len(month)
    assert charts.events_for(dash.tier_events, "product", ()) is dash.tier_events
    spec = charts.outcome_bars(dash.breakdown, "product").to_dict()
    params = spec.get("params", []) + [p for layer in spec["layer"] for p in layer.get("params", [])]
    assert charts.PICK in {p.get("name") for p in params}


def test_clicked_volume_bar_lists_its_tickets(dash):
    rows = charts.ticket_rows(charts.events_for(dash.tickets, "product", ["NOVA_FLOW"]))
    v = dash.volume[(dash.volume["dimension"] == "product") & (dash.volume["value"] == "NOVA_FLOW")]
    assert len(rows) == int(v["tickets"].iloc[0]) and set(rows["product"]) == {"NOVA_FLOW"}
    months = charts.events_for(dash.tickets, "month", ["2025-10"])
    v = dash.volume[(dash.volume["dimension"] == "month") & (dash.volume["value"] == "2025-10")]
    assert len(months) == int(v["tickets"].iloc[0])


# ---- clickable charts on the Escalation and Agents pages ---------------------------------------

def _picks(spec: object, found: list) -> list:
    """Every selection param in a chart spec."""
    found += [p for d in _walk(spec) for p in d.get("params", []) if isinstance(p, dict) and "select" in p]
    return found


CLICKABLE = [
    ("funnel_chart", lambda d: charts.funnel_chart(d.funnel), "tier"),
    ("time_per_tier[tier,linear]", lambda d: charts.time_per_tier(d.funnel, "tier", "linear"), "tier"),
    ("time_per_tier[frt,log]", lambda d: charts.time_per_tier(d.funnel, "frt", "log"), "tier"),
    ("breach_rate_bars", lambda d: charts.breach_rate_bars(d.breakdown, "tier"), "value"),
    ("outcome_bars[tier,frt,log]", lambda d: charts.outcome_bars(d.breakdown, "tier", "frt", "log"), "value"),
    ("agent_scatter[tier,log]", lambda d: charts.agent_scatter(d.agents, d.kpis, "tier", "log"), "agent"),
    ("agent_scatter[frt,linear]", lambda d: charts.agent_scatter(d.agents, d.kpis, "frt", "linear"), "agent"),
]


@pytest.mark.parametrize("build,field", [(b, f) for _, b, f in CLICKABLE], ids=[n for n, _, _ in CLICKABLE])
def test_clickable_charts_carry_the_pick_on_the_field_their_drill_down_reads(dash, empty, build, field):
    spec = build(dash).to_dict()
    picks = [p for p in _picks(spec, []) if p["name"] == charts.PICK]
    assert [p["select"] for p in picks] == [{"type": "point", "fields": [field]}]
    # the clicked marks stay bright, the others fade
    assert '"condition": {"param": "pick"' in json.dumps(spec)
    # a click on a mark gives the field the page reads back
    value = next(row[field] for rows in spec["datasets"].values() for row in rows if field in row)
    event = {"selection": {charts.PICK: [{field: value}]}}
    assert charts.picked_values(event, field=field) == (str(value),)
    # with no rows the page still asks for selections: the stand-in text chart carries the param too
    assert charts.PICK in {p["name"] for p in _picks(build(empty).to_dict(), [])}


def test_funnel_click_lists_the_tickets_that_reached_the_tier(dash):
    f = dash.funnel.set_index("tier")
    t3 = charts.tickets_reaching(dash.tickets, ["Tier 3"])
    assert len(t3) == int(f.loc["TIER_3", "tickets_reached"]) and t3["reached_tier_3"].all()
    both = charts.tickets_reaching(dash.tickets, ("Tier 2", "Tier 3"))
    expected = dash.tickets["reached_tier_2"].astype(bool) | dash.tickets["reached_tier_3"].astype(bool)
    assert set(both["ticket_id"]) == set(dash.tickets.loc[expected, "ticket_id"])
    assert charts.tickets_reaching(dash.tickets, ["Tier 4"]).empty  # no ticket reached it
    assert charts.tickets_reaching(dash.tickets, ()) is dash.tickets
    rows = charts.ticket_rows(charts.tickets_reaching(dash.tickets, ["Tier 1"]), "tiered")
    assert len(rows) == int(f.loc["TIER_1", "tickets_reached"]) < len(dash.tickets)


def test_time_charts_click_lists_the_tiers_events(dash):
    f = dash.funnel.set_index("tier")
    picked = charts.merge_picks("tier", ("Tier 3",), (), ("Tier 1", "Tier 3"))
    assert picked == ("Tier 1", "Tier 3")
    rows = charts.tier_event_rows(charts.events_for(dash.tier_events, "tier", picked))
    assert set(rows["tier"]) == {"Tier 1", "Tier 3"}
    assert len(rows) == int(f.loc["TIER_1", "tier_events"] + f.loc["TIER_3", "tier_events"])
    assert charts.merge_picks("tier") == ()


def test_breach_charts_click_lists_breached_or_met_events_of_the_tier(dash):
    te = dash.tier_events
    rated = te["tier_breached"].notna() | te["frt_breached"].notna()
    assert len(charts.rated_rows(te)) == int(rated.sum()) < len(te)  # still-waiting events have no outcome
    rows = charts.rated_rows(charts.events_for(te, "tier", ["Tier 2"]))
    assert set(rows["tier"]) == {"Tier 2"} and len(rows) == int((rated & (te["tier"] == "TIER_2")).sum())
    # tier SLA breaches first, longest overrun first; then the rest
    flags = rows["tier_breached"].fillna(False).astype(bool)
    first_met = int((~flags).to_numpy().argmax())
    assert flags.iloc[:first_met].all() and not flags.iloc[first_met:].any()
    overs = te.loc[te["tier"] == "TIER_2", "tier_over_s"].dropna().sort_values(ascending=False)
    assert rows["over_by"].iloc[0] == charts.readable(overs.iloc[0])
    assert charts.rated_rows(charts.events_for(te, "tier", ())).shape == charts.rated_rows(te).shape
    assert charts.rated_rows(dash.tier_events.iloc[:0]).empty


def test_agent_click_matches_rows_as_shown(dash):
    rows = charts.agent_event_rows(dash.agent_events)
    top = dash.agents.sort_values("tier_events", ascending=False).iloc[0]
    # tokens shown: the clicked token's tier events, exactly
    mine = charts.rows_shown_as(rows, rows, "Agent", [top["agent"]], charts.NO_AGENT)
    assert len(mine) == int(top["tier_events"]) and set(mine["Agent"]) == {top["agent"]}
    # names shown: the click gives the shown name; the rows (still tokens) are matched through it
    names = {a: f"Person {i}" for i, a in enumerate(dash.agents["agent"])}
    shown = rows.assign(Agent=rows["Agent"].map(names))
    mine = charts.rows_shown_as(rows, shown, "Agent", [names[top["agent"]]], charts.NO_AGENT)
    assert len(mine) == int(top["tier_events"]) and set(mine["Agent"]) == {top["agent"]}
    assert charts.rows_shown_as(rows, rows, "Agent", [names[top["agent"]]], charts.NO_AGENT).empty
    assert charts.rows_shown_as(rows, shown, "Agent", (), charts.NO_AGENT) is rows
    # an event with no agent is drawn as NO_AGENT and is found by it
    blank = rows.assign(Agent=rows["Agent"].where(rows.index != 0, None))
    assert charts.rows_shown_as(blank, blank, "Agent", [charts.NO_AGENT], charts.NO_AGENT).index.tolist() == [0]


def test_agent_points_are_drawn_on_top_of_the_overall_rule(dash):
    """A click on a point that lies on the dashed overall line must reach the point, not the line."""
    layers = charts.agent_scatter(dash.agents, dash.kpis, "tier").to_dict()["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["rule", "text", "circle"]
