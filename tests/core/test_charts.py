"""core.charts: every builder renders on the sample and on an empty dashboard; colours mean one thing."""
from __future__ import annotations

import dataclasses
import json

import altair as alt
import numpy as np
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


# ---- vectorized formatting: every builder gives what the per-value code gave ------------------
# The reference below is the per-value code the builders had before readable_many and the
# once-per-distinct-value labels (kept here only, as the oracle). Each comparison checks the
# whole frame: columns, order, dtypes and every string.

from core.durations import readable  # noqa: E402


def _ref_display_values(series, dimension):
    out = series.astype("object").where(series.notna(), charts.BLANK).astype(str)
    return out.map(charts.tier_label) if dimension == "tier" else out


def _ref_group_values(tier_events, dimension):
    if dimension == "month":
        return _ref_display_values(tier_events["month"].dt.strftime("%Y-%m"), dimension)
    return _ref_display_values(tier_events[dimension], dimension)


def _ref_outcome_words(flags):
    return flags.astype("object").map({True: "Breached", False: "Met"}).fillna("Not rated")


def _ref_durations_text(seconds):
    return [readable(v) + (" (data error)" if not pd.isna(v) and v < 0 else "") for v in seconds]


def _ref_with_readable(frame, columns):
    out = frame.copy()
    for col in columns:
        out[f"{col}_text"] = [readable(v) for v in pd.to_numeric(out[col], errors="coerce")]
    return out


def _ref_agent_event_rows(agent_events, agent=None):
    rows = agent_events if agent is None else agent_events[agent_events["agent"] == agent]
    out = rows.assign(frt_text=_ref_durations_text(rows["frt_s"]), tier_text=_ref_durations_text(rows["tier_s"]),
                      tier=[charts.tier_label(t) for t in rows["tier"]])
    return out[list(charts.EVENT_COLUMNS)].rename(columns=charts.EVENT_COLUMNS).reset_index(drop=True)



def test_still_waiting_table_flags_open_tickets_first(dash):
    sw = charts.still_waiting_table(dash.still_waiting)
    k = dash.kpis.iloc[0]
    open_ = sw["Ticket still open"]
    assert open_.sum() == k["still_waiting_open"] and (~open_).sum() == k["still_waiting_resolved_since"]
    assert open_.is_monotonic_decreasing  # every open ticket's wait before the resolved or closed ones
    assert sw.loc[open_, "Resolved or closed at"].isna().all()
    assert sw.loc[~open_, "Resolved or closed at"].notna().all()
    assert (sw.loc[~open_, "Resolved or closed at"] >= sw.loc[~open_, "Waiting since"]).all()

def _ref_tier_event_rows(tier_events):
    cols = ["ticket_id", "source_row", "tier", "status", "priority", "product", "issue_type", "region", "agent",
            "event_time", "frt_s", "tier_s", "frt_breached", "tier_breached", "still_waiting"]
    out = tier_events[cols].assign(
        frt=_ref_durations_text(tier_events["frt_s"]), time_in_tier=_ref_durations_text(tier_events["tier_s"]),
        over_by=[readable(v) for v in tier_events["tier_over_s"]],
        tier=[charts.tier_label(t) for t in tier_events["tier"]])
    return out[["ticket_id", "source_row", "tier", "status", "priority", "product", "issue_type", "region", "agent",
                "event_time", "frt", "time_in_tier", "over_by", "frt_breached", "tier_breached", "still_waiting",
                "frt_s", "tier_s"]].reset_index(drop=True)


def _ref_still_waiting_table(s):
    return pd.DataFrame({
        "Ticket": s["ticket_id"].to_numpy(),
        "Ticket still open": s["waiting_on_open_ticket"].fillna(False).astype(bool).to_numpy(),
        "Resolved or closed at": s["resolved_since_time"].to_numpy(),
        "Tier": [charts.tier_label(t) for t in s["tier"]],
        "Status": s["status"].to_numpy(), "Priority": s["priority"].to_numpy(),
        "Waiting since": s["event_time"].to_numpy(), "Age": [readable(v) for v in s["age_s"]],
        "Allowance": [readable(v) for v in s["tier_allowance_s"]],
        "Past SLA": s["tier_overdue"].fillna(False).astype(bool).to_numpy(), "Product": s["product"].to_numpy(),
        "Agent": s["agent"].to_numpy(), "Row in file": s["source_row"].to_numpy()})


def _ref_ticket_rows(tickets, flag="all"):
    col = charts.TICKET_FLAGS[flag]
    if col is None:
        rows = tickets
    elif col == "escalations":
        rows = tickets[tickets[col].fillna(0).astype("int64") > 0]
    else:
        rows = tickets[tickets[col].fillna(False).astype(bool)]
    out = rows[charts.TICKET_COLUMNS].copy()
    out.insert(7, "resolution", [readable(v) for v in rows["resolution_s"]])
    out["highest_tier"] = [charts.tier_label(t) if isinstance(t, str) else "" for t in out["highest_tier"]]
    return out.reset_index(drop=True)


def _ref_histogram_bins(seconds, groups, outcomes):
    cols = ["group", "outcome", "start_h", "end_h", "events", "range_text"]
    h = charts.hours(seconds)
    keep = h.notna() & (h >= 0)
    if not keep.any():
        return pd.DataFrame(columns=cols)
    edges = np.asarray(charts.HOUR_EDGES)
    clipped = h[keep].clip(lower=edges[0], upper=edges[-1] * 0.999)
    bins = np.clip(np.searchsorted(edges, clipped.to_numpy(), side="right") - 1, 0, len(edges) - 2)
    frame = pd.DataFrame({"group": groups[keep].to_numpy(), "outcome": outcomes[keep].to_numpy(), "bin": bins})
    counts = frame.groupby(["group", "outcome", "bin"], sort=True).size().reset_index(name="events")
    counts["start_h"] = edges[counts["bin"]]
    counts["end_h"] = edges[counts["bin"] + 1]
    counts["range_text"] = [f"{readable(a * 3600)} to {readable(b * 3600)}"
                            for a, b in zip(counts["start_h"], counts["end_h"])]
    return counts[cols]


def _ref_duration_marks(breakdown, tier_events, dimension, metric="tier"):
    rows = breakdown[breakdown["dimension"] == dimension]
    groups = _ref_display_values(rows["value"], dimension).to_numpy()
    out = []
    for label, col in (("Median", f"{metric}_median_s"), ("90th percentile", f"{metric}_p90_s")):
        secs = rows[col].astype("float64").to_numpy()
        out += [{"group": g, "mark": label, "hours": s / 3600, "text": f"{'median' if label == 'Median' else 'p90'} "
                 f"{readable(s)}"} for g, s in zip(groups, secs) if not pd.isna(s) and s > 0]
    if len(tier_events):
        te = pd.DataFrame({"group": _ref_group_values(tier_events, dimension).to_numpy(),
                           "allow": tier_events[f"{metric}_allowance_s"].astype("float64").to_numpy()})
        per = te.dropna().groupby("group")["allow"].agg(["nunique", "first"])
        out += [{"group": g, "mark": "Allowance", "hours": r["first"] / 3600, "text": f"allowance {readable(r['first'])}"}
                for g, r in per.iterrows() if r["nunique"] == 1 and r["first"] > 0]
    return pd.DataFrame(out, columns=["group", "mark", "hours", "text"])


def _messy(d: metrics.Dashboard) -> metrics.Dashboard:
    """The sample's frames with what the sample lacks: fractions, -0.5, negatives, huge and missing
    durations, missing and odd tiers, allowances that differ within a group, a shuffled index."""
    rng = np.random.default_rng(3)

    def mess(frame):
        f = frame.copy()
        n = len(f)
        for col in [c for c in f.columns if c.endswith("_s")]:
            v = f[col].astype("float64").to_numpy().copy()
            pick = rng.random(n)
            v[pick < 0.05] = np.nan
            v[(pick >= 0.05) & (pick < 0.10)] = -0.5
            v[(pick >= 0.10) & (pick < 0.15)] *= -1.37
            v[(pick >= 0.15) & (pick < 0.20)] += 0.999
            v[(pick >= 0.20) & (pick < 0.22)] = 1e12 + 0.5
            v[(pick >= 0.22) & (pick < 0.24)] = 59.9
            f[col] = v
        for col in [c for c in ("tier", "highest_tier") if c in f.columns]:
            t = f[col].astype("object").to_numpy().copy()
            t[rng.random(n) < 0.05] = None
            t[rng.random(n) < 0.03] = "tier_9_x"
            f[col] = pd.Series(t, index=f.index, dtype="str")
        return f.iloc[rng.permutation(n)].set_axis(rng.permutation(n) * 7 + 3)
    return dataclasses.replace(d, tier_events=mess(d.tier_events), agent_events=mess(d.agent_events),
                               still_waiting=mess(d.still_waiting), tickets=mess(d.tickets))


@pytest.fixture(scope="module", params=["sample", "messy", "empty"])
def any_dash(request, dash, empty) -> metrics.Dashboard:
    return {"sample": dash, "messy": _messy(dash), "empty": empty}[request.param]


def _same_frame(got, expected):
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_row_builders_match_the_per_value_code(any_dash):
    d = any_dash
    te = d.tier_events
    _same_frame(charts.tier_event_rows(te), _ref_tier_event_rows(te))
    for values in ([], ["Tier 2"], ["Tier 1", "(Blank)", "Tier 9 X"]):
        picked = charts.events_for(te, "tier", values)
        pd.testing.assert_frame_equal(picked, te[_ref_group_values(te, "tier").isin(set(values)).to_numpy()]
                                      if values and len(te) else te)
        _same_frame(charts.tier_event_rows(picked), _ref_tier_event_rows(picked))
    for metric in ("tier", "frt"):
        rows = te[te[f"{metric}_breached"].fillna(False).astype(bool)].sort_values(
            f"{metric}_over_s", ascending=False, kind="stable")
        _same_frame(charts.breached_rows(te, metric), _ref_tier_event_rows(rows))
    rated = te[(te["tier_breached"].notna() | te["frt_breached"].notna()).to_numpy()].sort_values(
        ["tier_over_s", "frt_over_s"], ascending=False, na_position="last", kind="stable")
    _same_frame(charts.rated_rows(te), _ref_tier_event_rows(rated))
    _same_frame(charts.agent_event_rows(d.agent_events), _ref_agent_event_rows(d.agent_events))
    for agent in charts.agent_options(d.agents)[:2]:
        _same_frame(charts.agent_event_rows(d.agent_events, agent), _ref_agent_event_rows(d.agent_events, agent))
    _same_frame(charts.still_waiting_table(d.still_waiting), _ref_still_waiting_table(d.still_waiting))
    for flag in charts.TICKET_FLAGS:
        _same_frame(charts.ticket_rows(d.tickets, flag), _ref_ticket_rows(d.tickets, flag))
    cols = ["frt_s", "tier_s", "tier_over_s"]
    _same_frame(charts.with_readable(te[cols], cols), _ref_with_readable(te[cols], cols))
    for col in cols:
        assert charts.durations_text(te[col]) == _ref_durations_text(te[col])


def test_chart_frames_match_the_per_value_code(any_dash):
    d = any_dash
    te = d.tier_events
    for dim in ("tier", "priority", "product", "month"):
        got = charts._group_values(te, dim)
        pd.testing.assert_series_equal(got, _ref_group_values(te, dim), check_exact=True)
        pd.testing.assert_series_equal(charts._display_values(d.breakdown["value"], dim),
                                       _ref_display_values(d.breakdown["value"], dim))
    for metric in ("tier", "frt"):
        flags = te[f"{metric}_breached"]
        pd.testing.assert_series_equal(charts._outcome_words(flags), _ref_outcome_words(flags))
        for dim in ("tier", "priority", "region"):
            secs = te[f"{metric}_s"].where(~te[f"{metric}_negative"].fillna(False))
            groups, outcomes = _ref_group_values(te, dim), _ref_outcome_words(flags)
            ref_bins = _ref_histogram_bins(secs, groups, outcomes)
            _same_frame(charts.histogram_bins(secs, groups, outcomes), ref_bins)
            ref_marks = _ref_duration_marks(d.breakdown, te, dim, metric)
            _same_frame(charts.duration_marks(d.breakdown, te, dim, metric), ref_marks)
            chart = charts.duration_histogram(te, d.breakdown, dim, metric)
            if not ref_bins.empty:
                _same_frame(chart.data, pd.concat([ref_bins.assign(kind="bin"), ref_marks.assign(kind="mark")],
                                                  ignore_index=True))
        over = te[f"{metric}_over_s"]
        _same_frame(charts.histogram_bins(over, pd.Series("all", index=over.index),
                                          pd.Series("Breached", index=over.index)),
                    _ref_histogram_bins(over, pd.Series("all", index=over.index),
                                        pd.Series("Breached", index=over.index)))


def _texts_of(column, seconds):
    assert column.tolist() == [readable(v) for v in seconds]


def test_small_frames_format_as_before(any_dash):
    """The frames built from the breakdown, the agents, the funnel and the attribution (a row per
    value): each text column is readable / tier_label of its source, value by value, as str."""
    d = any_dash
    table = charts.agent_table(d.agents)
    agents = d.agents.set_index(d.agents["agent"].astype("object").where(d.agents["agent"].notna(), charts.NO_AGENT))
    agents = agents.loc[table["Agent"]]
    _texts_of(table["Median FRT"], agents["frt_median_s"])
    _texts_of(table["Median time in tier"], agents["tier_median_s"])
    for metric in ("tier", "frt"):
        stats = charts.duration_stats(d.breakdown, "tier", metric)
        rows = d.breakdown[d.breakdown["dimension"] == "tier"]
        rows = rows.set_index(rows["value"].map(charts.tier_label)).loc[stats["Tier"]]
        for col, src in (("Mean", "mean_s"), ("Median", "median_s"), ("90th percentile", "p90_s")):
            _texts_of(stats[col], rows[f"{metric}_{src}"])
        data = charts.time_stats_frame(d.funnel, metric)
        _texts_of(data["text"], data["seconds"])
        labels = {charts.tier_label(t) for t in d.funnel["tier"]}
        assert set(data["tier"]) <= labels
        scatter = charts.agent_scatter(d.agents, d.kpis, metric).to_dict()
        shown = {r["agent"]: r["median_text"] for rows in scatter.get("datasets", {}).values() for r in rows
                 if "median_text" in r}
        medians = d.agents.set_index("agent")[f"{metric}_median_s"]
        assert shown == {a: readable(medians[a]) for a in shown}
        assert len(shown) == (len(d.agents[d.agents[f"{metric}_rated"].fillna(0) > 0]) if len(d.agents) else 0)
    funnel = charts.funnel_frame(d.funnel)
    assert funnel["tier"].tolist() == [charts.tier_label(t) for t in d.funnel["tier"]]
    attribution = charts.attribution_frame(d.attribution)
    assert attribution["tier"].tolist() == [charts.tier_label(t) for t in d.attribution["tier"]]
    _texts_of(attribution["time_text"], d.attribution["tier_time_s"])
    for frame, col in ((funnel, "tier"), (attribution, "time_text"), (table, "Median FRT")):
        assert frame.empty or str(frame[col].dtype) == "str"


# ---- QA display pass (small hand-checked exports, tests/pages/qa_files.py) --------------------------

def _qa_dash(data: bytes, name: str) -> metrics.Dashboard:
    prepared = pipeline.prepare(data, name)
    return metrics.compute_dashboard(privacy.clean(prepared).anonymized.events, policy.Policy.default(),
                                     metrics.Filters())


@pytest.fixture(scope="module")
def f1() -> metrics.Dashboard:
    from tests.pages.qa_files import F1_PINGPONG

    return _qa_dash(F1_PINGPONG, "f1_pingpong.csv")


@pytest.fixture(scope="module")
def f2() -> metrics.Dashboard:
    from tests.pages.qa_files import F2_WAITING

    return _qa_dash(F2_WAITING, "f2_waiting.csv")


def test_attribution_sentence_names_the_tier_with_the_largest_share_of_each_kind(f1):
    # f1_pingpong.csv: pooled, Tier 3 holds 81.9% of the breached tickets' tier time; per ticket, Tier 1's
    # mean share is 64.1% (Tier 3's 22.1%). The old sentence gave Tier 3's 22.1% as "a typical breached ticket".
    a = f1.attribution.set_index("tier")
    assert round(a.loc["TIER_3", "pooled_share"], 3) == 0.819 and round(a.loc["TIER_1", "mean_share"], 3) == 0.641
    text = charts.attribution_sentence(f1.attribution)
    assert text.startswith("Of the 4 tickets whose time in tiers went over their budget, 81.9% of that time was "
                           "spent in Tier 3 (Tier 1 17.7%, Tier 2 0.4%)")
    assert ("Per ticket, though, Tier 1 took the largest share: on average 64.1% of a breached ticket's tier "
            "time (Tier 3 22.1%, Tier 2 13.8%)") in text
    assert "Tier 3 took 22.1%" not in text


def test_attribution_sentence_when_both_shares_agree_and_for_one_ticket():
    a = pd.DataFrame({"tier": ["TIER_1", "TIER_2"], "tickets": [3, 1], "breached_tickets": [3, 3],
                      "tier_time_s": [7200.0, 3600.0], "pooled_share": [2 / 3, 1 / 3], "mean_share": [0.7, 0.3]})
    assert charts.attribution_sentence(a).endswith(
        "Per ticket too, Tier 1 took the largest share: on average 70.0% of a breached ticket's tier time.")
    one = a.assign(breached_tickets=1)
    assert charts.attribution_sentence(one) == ("For the 1 ticket whose time in tiers went over its budget, 66.7% "
                                                "of that time was spent in Tier 1 (Tier 2 33.3%).")


def test_funnel_labels_say_1_ticket(f1):
    labels = charts.funnel_frame(f1.funnel)["label"].tolist()
    assert labels == ["100.0%  ·  4 tickets", "50.0%  ·  2 tickets", "25.0%  ·  1 ticket"]


def _facet_layers(chart) -> list[dict]:
    return chart.to_dict()["spec"]["layer"]


def _rows_of(chart) -> list[dict]:
    return [r for rows in chart.to_dict().get("datasets", {}).values() for r in rows]


def test_a_tier_with_no_measured_durations_says_so_instead_of_an_empty_axis(f2):
    # f2_waiting.csv: Tier 2's only tier events are still waiting. Its panel drew nothing but a y axis
    # labelled "0.000000"; it now says "no events ..." and the axis counts whole events.
    chart = charts.duration_histogram(f2.tier_events, f2.breakdown, "tier", "tier")
    rows = _rows_of(chart)
    notes = [r for r in rows if r.get("kind") == "note"]
    assert [(r["group"], r["text"]) for r in notes] == [("Tier 2", "no events with a measured time in tier")]
    assert not [r for r in rows if r.get("kind") == "mark" and r["group"] == "Tier 2"]
    assert chart.to_dict()["facet"]["row"]["sort"] == ["Tier 1", "Tier 2"]
    (bars,) = [layer for layer in _facet_layers(chart) if layer.get("mark", {}).get("type") == "bar"]
    assert bars["encoding"]["y"]["axis"]["format"] == ",d" and bars["encoding"]["y"]["axis"]["tickMinStep"] == 1
    texts = [layer for layer in _facet_layers(chart) if layer.get("mark", {}).get("type") == "text"]
    assert any(layer["encoding"]["text"]["field"] == "text" and "note" in json.dumps(layer.get("transform"))
               for layer in texts)


def test_median_and_p90_labels_sit_on_separate_lines(dash):
    chart = charts.duration_histogram(dash.tier_events, dash.breakdown, "tier", "tier")
    texts = [layer for layer in _facet_layers(chart) if layer.get("mark", {}).get("type") == "text"
             and "mark" in json.dumps(layer.get("transform"))]
    lines = {json.dumps(layer["transform"]): layer["encoding"]["y"]["value"] for layer in texts}
    assert len(lines) == 2 and len(set(lines.values())) == 2  # one text layer per label, each on its own line
    over = charts.overrun_histogram(dash.tier_events, dash.kpis, "tier").to_dict()
    ys = [layer["encoding"]["y"]["value"] for layer in over["layer"] if layer.get("mark", {}).get("type") == "text"]
    assert len(ys) == 2 and ys[0] != ys[1]


def test_many_agents_are_cut_to_the_busiest_with_a_caption(dash):
    rows, total = charts.top_values(dash.breakdown, "agent")
    every = dash.breakdown[dash.breakdown["dimension"] == "agent"]
    assert total == len(every) > charts.TOP_VALUES == len(rows)
    assert rows["tier_events"].min() >= every["tier_events"].nlargest(charts.TOP_VALUES).min()
    assert charts.top_values_caption("agent", len(rows), total) == (
        f"Showing the {charts.TOP_VALUES} agents with the most tier events, of {total}; the Agents page lists every "
        "agent.")
    months, n = charts.top_values(dash.breakdown, "month", 2)
    assert len(months) == n  # tiers, priorities and months are drawn in full
    assert charts.top_values_caption("country", 7, 7) == ""
    for dim in ("issue_category", "country", "agent"):
        drawn = charts.outcome_bars(charts.top_values(dash.breakdown, dim)[0], dim, "tier").to_dict()
        values = {r["value"] for rows in drawn.get("datasets", {}).values() for r in rows}
        assert 0 < len(values) <= charts.TOP_VALUES
