"""tickets.sql and the queries built on it: lifecycle, tier paths, reach, funnel, attribution."""
from __future__ import annotations

import pandas as pd
import pytest

from core import metrics

from .eventlog import log

HOUR = 3600.0


def tickets(events: pd.DataFrame) -> pd.DataFrame:
    return metrics.compute_dashboard(events).tickets.set_index("ticket_id")


def test_lifecycle_uses_first_open_last_resolved_last_closed() -> None:
    ev = log(
        ("A", "09:00", "OPEN", None),
        ("A", "09:30", "OPEN", "TIER_1"),
        ("A", "10:00", "IN_PROGRESS", "TIER_1", "HIGH", "10:30"),
        ("A", "11:00", "RESOLVED", None),
        ("A", "12:00", "RESOLVED", None),
        ("A", "12:30", "CLOSED", None),
        ("A", "13:00", "CLOSED", None),
    )
    a = tickets(ev).loc["A"]
    assert (a["open_row"], a["resolved_row"], a["closed_row"]) == (2, 6, 8)
    assert (a["resolution_s"], a["closing_s"]) == (3 * HOUR, HOUR)
    assert a["reopened"] == False  # noqa: E712 - no waiting / IN_PROGRESS after the first RESOLVED


def test_a_reopen_is_work_after_the_first_resolved_or_closed() -> None:
    ev = log(
        ("A", "09:00", "OPEN", "TIER_1"),
        ("A", "10:00", "RESOLVED", None),
        ("A", "11:00", "ESCALATED", "TIER_2"),
        ("A", "12:00", "RESOLVED", None),
        ("B", "09:00", "OPEN", "TIER_1"),
        ("B", "10:00", "RESOLVED", None),
        ("B", "10:00", "IN_PROGRESS", "TIER_1"),  # same instant: not later, not a reopen
    )
    t = tickets(ev)
    assert [bool(t.loc["A", "reopened"]), bool(t.loc["B", "reopened"])] == [True, False]
    assert t.loc["A", "resolution_s"] == 3 * HOUR


def test_tier_path_escalations_and_ping_pong() -> None:
    ev = log(
        ("UP", "09:00", "OPEN", "TIER_1"), ("UP", "10:00", "ESCALATED", "TIER_2"),
        ("UP", "11:00", "ESCALATED", "TIER_3"),
        ("PP", "09:00", "OPEN", "TIER_1"), ("PP", "10:00", "ESCALATED", "TIER_2"),
        ("PP", "11:00", "ESCALATED", "TIER_1"), ("PP", "12:00", "ESCALATED", "TIER_2"),
        ("DOWN", "09:00", "OPEN", "TIER_2"), ("DOWN", "10:00", "ESCALATED", "TIER_1"),
        ("NONE", "09:00", "OPEN", None), ("NONE", "10:00", "RESOLVED", None),
    )
    t = tickets(ev)
    got = t[["tiered", "tiers_visited", "highest_tier", "escalations", "ping_pong"]].to_dict("index")
    assert got["UP"] == {"tiered": True, "tiers_visited": 3, "highest_tier": "TIER_3", "escalations": 2, "ping_pong": False}
    assert got["PP"] == {"tiered": True, "tiers_visited": 2, "highest_tier": "TIER_2", "escalations": 2, "ping_pong": True}
    assert got["DOWN"] == {"tiered": True, "tiers_visited": 2, "highest_tier": "TIER_2", "escalations": 0, "ping_pong": False}
    assert got["NONE"]["tiered"] == False  # noqa: E712
    assert pd.isna(got["NONE"]["highest_tier"])


def test_ticket_attributes_are_the_first_non_null_value_in_time_order() -> None:
    ev = log(
        ("A", "10:00", "ESCALATED", "TIER_2", "LOW", None, {"product": "Late", "agent": "Agent 2"}),
        ("A", "09:00", "OPEN", "TIER_1", None, None, {"product": None, "agent": "Agent 1"}),
        ("A", "09:30", "TRIAGE", "TIER_1", "HIGH", None, {"product": "Early", "agent": None}),
    )
    a = tickets(ev).loc["A"]
    assert (a["priority"], a["product"], a["agent"]) == ("HIGH", "Early", "Agent 2")


def test_negative_resolution_and_closing_are_excluded_and_listed() -> None:
    ev = log(
        ("A", "10:00", "OPEN", None), ("A", "09:00", "RESOLVED", None), ("A", "11:00", "CLOSED", None),
        ("B", "10:00", "OPEN", None), ("B", "12:00", "RESOLVED", None), ("B", "11:00", "CLOSED", None),
        ("C", "10:00", "OPEN", None), ("C", "14:00", "RESOLVED", None), ("C", "15:00", "CLOSED", None),
    )
    dash = metrics.compute_dashboard(ev)
    k = dash.kpis.iloc[0]
    assert (k["negative_resolution"], k["resolution_tickets"], k["resolution_mean_s"]) == (1, 2, 3 * HOUR)
    assert (k["negative_closing"], k["closing_tickets"], k["closing_mean_s"]) == (1, 2, 1.5 * HOUR)
    q = dash.quality[["kind", "ticket_id", "source_row", "other_row", "value_s"]].values.tolist()
    assert q[1:] == [["negative_closing", "B", 6, 7, -HOUR], ["negative_resolution", "A", 2, 3, -HOUR]]
    assert q[0][:4] == ["done_before_open", "A", 2, 3] and pd.isna(q[0][4])  # A's RESOLVED precedes its OPEN


def test_a_resolution_logged_before_the_first_open_is_not_a_reopening() -> None:
    ev = log(
        # E: resolved and closed, then an OPEN logged hours later (the real export has 8 such tickets)
        ("E", "09:00", "IN_PROGRESS", "TIER_1", "LOW", "09:05"), ("E", "09:05", "RESOLVED", "TIER_1"),
        ("E", "09:06", "CLOSED", "TIER_1"), ("E", "12:00", "OPEN", "TIER_1"),
        # F: the same early RESOLVED, then a real life after the OPEN: resolved at 11:00, reopened at 12:00
        ("F", "09:00", "RESOLVED", None), ("F", "10:00", "OPEN", "TIER_1"),
        ("F", "10:30", "IN_PROGRESS", "TIER_1", "LOW", "11:00"), ("F", "11:00", "RESOLVED", "TIER_1"),
        ("F", "12:00", "OPEN", "TIER_1"),
        # G: closed before the OPEN, never resolved (no negative duration to flag it otherwise)
        ("G", "09:00", "CLOSED", None), ("G", "10:00", "OPEN", "TIER_1"),
        # H: an ordinary reopening
        ("H", "09:00", "OPEN", "TIER_1"), ("H", "09:30", "RESOLVED", "TIER_1"), ("H", "10:00", "OPEN", "TIER_1"),
    )
    dash = metrics.compute_dashboard(ev)
    t = dash.tickets.set_index("ticket_id")
    assert {i: bool(t.loc[i, "reopened"]) for i in "EFGH"} == {"E": False, "F": True, "G": False, "H": True}
    assert {i: bool(t.loc[i, "done_before_open"]) for i in "EFGH"} == {"E": True, "F": True, "G": True, "H": False}
    assert int(dash.kpis.iloc[0]["reopened_tickets"]) == 2
    listed = dash.quality.loc[dash.quality["kind"] == "done_before_open", ["ticket_id", "source_row", "other_row"]]
    # source_row: the first OPEN; other_row: the first RESOLVED / CLOSED before it
    assert listed.values.tolist() == [["E", 5, 3], ["F", 7, 6], ["G", 12, 11]]
    assert dash.quality_counts["done_before_open"] == 3


def funnel_log() -> pd.DataFrame:
    return log(
        ("T1", "09:00", "OPEN", "TIER_1"),
        ("T1", "09:10", "IN_PROGRESS", "TIER_1", "HIGH", "09:40"),           # 40 min in tier 1: breach
        ("T12", "09:00", "OPEN", "TIER_1"),
        ("T12", "09:10", "IN_PROGRESS", "TIER_1", "HIGH", "09:20"),          # 20 min in tier 1
        ("T12", "09:30", "ESCALATED", "TIER_2"),
        ("T12", "09:40", "IN_PROGRESS", "TIER_2", "HIGH", "10:30"),          # 60 min in tier 2: breach
        ("T123", "09:00", "OPEN", "TIER_1"),
        ("T123", "09:10", "IN_PROGRESS", "TIER_1", "HIGH", "09:10:30"),
        ("T123", "09:20", "ESCALATED", "TIER_3"),
        ("T123", "09:30", "IN_PROGRESS", "TIER_3", "HIGH", "09:30:30"),
        ("NONE", "09:00", "OPEN", None),
    )


def test_reach_and_containment_are_shares_of_tiered_tickets() -> None:
    f = metrics.compute_dashboard(funnel_log()).funnel.set_index("tier")
    assert f["tiered_tickets"].tolist() == [3, 3, 3]
    assert f["tickets_reached"].tolist() == [3, 1, 1]
    assert f["reach"].tolist() == pytest.approx([1, 1 / 3, 1 / 3])
    assert f.loc["TIER_1", "contained"] == 1 and f.loc["TIER_1", "containment"] == pytest.approx(1 / 3)
    assert f["tickets_highest"].tolist() == [1, 1, 1]
    assert f.loc["TIER_1", "tier_mean_s"] == pytest.approx((2400 + 1200 + 630) / 3)


def test_attribution_splits_end_to_end_breaches_by_tier() -> None:
    # Budgets (HIGH) are 30 min: T1 (40 min) and T12 (20 + 60 min) breach; T123 (1 min) does not.
    a = metrics.compute_dashboard(funnel_log()).attribution.set_index("tier")
    assert a.index.tolist() == ["TIER_1", "TIER_2"]
    assert a["breached_tickets"].tolist() == [2, 2]
    assert a["tickets"].tolist() == [2, 1]
    assert a["tier_time_s"].tolist() == [3600, 3600]
    assert a["pooled_share"].tolist() == pytest.approx([0.5, 0.5])
    assert a["mean_share"].tolist() == pytest.approx([(1 + 0.25) / 2, 0.75 / 2])


def test_volume_and_pareto_count_tickets_per_product() -> None:
    rows = [(f"P{i}", "09:00", "OPEN", "TIER_1", "HIGH", None, {"product": "Big"}) for i in range(60)]
    rows += [(f"Q{i}", "09:00", "OPEN", "TIER_1", "HIGH", None, {"product": "Mid"}) for i in range(39)]
    rows += [("S", "2025-04-01 09:00", "OPEN", None, "HIGH", None, {"product": "Small"})]
    dash = metrics.compute_dashboard(log(*rows))
    p = dash.pareto
    assert p["product"].tolist() == ["Big", "Mid", "Small"]
    assert p["cumulative_share"].tolist() == pytest.approx([0.6, 0.99, 1.0])
    assert p["small"].tolist() == [False, False, True]
    assert p["small_products_share"].iloc[0] == pytest.approx(0.01)
    assert dash.kpis.loc[0, "small_products"] == 1
    v = dash.volume.set_index(["dimension", "value"])
    assert v.loc[("product", "Small"), "tickets"] == 1 and v.loc[("product", "Small"), "tier_events"] == 0
    assert v.loc[("month", "2025-03"), "tickets"] == 99 and v.loc[("month", "2025-04"), "ticket_share"] == 0.01


def test_agents_summary_flags_small_samples() -> None:
    rows = [("A", f"09:{i:02d}", "OPEN", "TIER_1", "HIGH", None, {"agent": "Busy"}) for i in range(25)]
    rows += [("A", "10:00", "IN_PROGRESS", "TIER_1", "HIGH", "10:10", {"agent": "Busy"})]
    rows += [("B", "09:00", "OPEN", "TIER_1", "HIGH", None, {"agent": "Quiet"})]
    rows += [("B", "09:10", "IN_PROGRESS", "TIER_1", "HIGH", "09:15", {"agent": "Quiet"})]
    dash = metrics.compute_dashboard(log(*rows))
    ag = dash.agents.set_index("agent")
    assert ag.loc["Busy", "tier_events"] == 25 and not ag.loc["Busy", "small_sample"]
    assert ag.loc["Quiet", "small_sample"] and ag.loc["Quiet", "frt_median_s"] == 600
    assert ag.loc["Busy", "frt_breach_rate"] == pytest.approx(1.0)  # every wait, 36..60 min, is over 30 min
    cols = ["agent", "priority", "issue_type", "status", "product", "tier", "region", "frt_s", "tier_s",
            "frt_breached", "tier_breached", "source_row"]
    assert set(cols) <= set(dash.agent_events.columns) and len(dash.agent_events) == 26
