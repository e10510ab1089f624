"""Filters bound as parameters, every query on an empty table, breakdowns and the summary golden file."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from core import contract, metrics, sqlfiles

from .eventlog import log

GOLDEN = Path(__file__).parent / "golden" / "summary_small.json"


def small_log() -> pd.DataFrame:
    """Three tickets over two months, two products, two agents; checked by hand below."""
    a = {"product": "Finance", "region": "North", "agent": "Agent 1", "issue_type": "BUG"}
    b = {"product": "Learning", "region": "South", "agent": "Agent 2", "issue_type": "HOWTO"}
    return log(
        ("A", "2025-09-01 09:00", "OPEN", "TIER_1", "HIGH", None, a),                      # 2
        ("A", "2025-09-01 09:20", "IN_PROGRESS", "TIER_1", "HIGH", "2025-09-01 09:50", a),  # 3: frt 20m, tier 50m
        ("A", "2025-09-01 10:00", "ESCALATED", "TIER_2", "HIGH", None, a),                 # 4
        ("A", "2025-09-01 11:00", "IN_PROGRESS", "TIER_2", "HIGH", "2025-09-01 11:10", a),  # 5: frt 60m, tier 70m
        ("A", "2025-09-01 12:00", "RESOLVED", None, "HIGH", None, a),                      # resolution 3h
        ("A", "2025-09-01 13:00", "CLOSED", None, "HIGH", None, a),                        # closing 1h
        ("B", "2025-10-01 08:00", "OPEN", "TIER_1", "MEDIUM", None, b),                     # 8
        ("B", "2025-10-01 20:00", "IN_PROGRESS", "TIER_1", "MEDIUM", "2025-10-02 10:00", b),  # frt 12h, tier 26h
        ("B", "2025-10-02 11:00", "RESOLVED", None, "MEDIUM", None, b),                    # resolution 27h
        ("C", "2025-10-03 08:00", "OPEN", None, "LOW", None, b),
        ("C", "2025-10-03 09:00", "RESOLVED", None, "LOW", None, b),                       # resolution 1h, untiered
    )


@pytest.mark.parametrize("name", sqlfiles.names())
def test_every_query_runs_on_an_empty_contract_frame(name: str) -> None:
    result = metrics.run_query(name, contract.empty_frame())
    assert len(result) == (1 if name == "kpis" else 3 if name == "funnel" else 0)


def test_the_dashboard_and_summary_run_on_an_empty_frame() -> None:
    dash = metrics.compute_dashboard(contract.empty_frame())
    assert dash.kpis.loc[0, "tickets"] == 0 and dash.quality_counts == {}
    s = metrics.summary(contract.empty_frame())
    assert s["tickets"] == 0 and s["tier_events"]["measured"] == 0 and s["frt"]["mean_s"] is None
    json.dumps(s, allow_nan=False)


def test_every_query_file_has_a_header_and_an_order_by() -> None:
    for name in sqlfiles.names():
        q = sqlfiles.load(name)
        assert q.text.startswith(f"-- {name}: "), name
        assert "-- grain: one row" in q.text, name
        assert "order by" in q.text and "ORDER BY" not in q.text and "SELECT" not in q.text, name


def test_small_log_kpis_by_hand() -> None:
    k = metrics.compute_dashboard(small_log()).kpis.iloc[0]
    assert (k["tickets"], k["tiered_tickets"], k["tier_events"]) == (3, 2, 3)
    # tier: 50m (HIGH 30m: breach), 70m (breach), 26h (MEDIUM 1d: breach)
    assert (k["tier_measured"], k["tier_breached"], k["tier_unbreached"]) == (3, 3, 0)
    # frt: 20m (ok), 60m (breach), 12h (ok)
    assert (k["frt_measured"], k["frt_breached"], k["frt_breach_rate"]) == (3, 1, pytest.approx(1 / 3))
    assert k["frt_median_s"] == 3600 and k["frt_mean_s"] == pytest.approx((1200 + 3600 + 43200) / 3)
    assert k["resolution_mean_s"] == pytest.approx((3 + 27 + 1) * 3600 / 3)
    assert k["tiered_resolution_mean_s"] == pytest.approx(15 * 3600)
    assert k["frt_p90_s"] == pytest.approx(3600 + 0.8 * (43200 - 3600))  # quantile_cont interpolates


def test_summary_matches_the_golden_file() -> None:
    got = metrics.summary(small_log(), quality={"duplicates_removed": 2, "rows_read": 13})
    text = json.dumps(got, indent=2, sort_keys=True, allow_nan=False) + "\n"
    if not GOLDEN.exists():  # first run writes it; review by hand, then commit
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def test_summary_has_exactly_the_agreed_shape() -> None:
    s = metrics.summary(small_log())
    assert list(s) == ["rows", "duplicates_removed", "tickets", "tiered_tickets", "tier_events", "frt",
                       "resolution", "closing", "reach", "by_tier", "by_priority", "by_product", "by_issue_type",
                       "by_issue_category", "by_month", "by_region", "by_country", "quality"]
    assert list(s["tier_events"]) == ["count", "measured", "breached", "mean_s", "median_s", "p90_s", "still_waiting",
                                      "still_waiting_open", "still_waiting_resolved_since",
                                      "frt_overdue", "tier_overdue", "frt_overdue_open", "tier_overdue_open",
                                      "rated", "breach_rate"]
    assert list(s["frt"]) == ["measured", "breached", "mean_s", "median_s", "p90_s", "rated", "breach_rate"]
    te = s["tier_events"]
    assert te["still_waiting_open"] + te["still_waiting_resolved_since"] == te["still_waiting"]
    assert te["count"] == int(metrics.compute_dashboard(small_log()).kpis.loc[0, "tier_events"])
    assert list(s["resolution"]["tiered"]) == ["tickets", "mean_s", "median_s", "p90_s"]
    assert list(s["reach"]) == ["TIER_1", "TIER_2", "TIER_3"]
    assert list(s["by_priority"]["LOW"]) == ["tier_events", "frt"]
    assert s["reach"] == {"TIER_1": 1.0, "TIER_2": 0.5, "TIER_3": 0.0}


def test_summary_counts_the_still_waiting_past_their_sla() -> None:
    """Three waits aged at the export's end (2025-10-03 10:00): past SLA or not, on open tickets or not."""
    b = {"product": "Learning", "region": "South", "agent": "Agent 2", "issue_type": "HOWTO"}
    waits = log(
        ("D", "2025-10-03 08:00", "OPEN", "TIER_1", "HIGH", None, b),           # 2h > 30m, open: past SLA
        ("E", "2025-10-03 09:00", "OPEN", "TIER_1", "LOW", None, b),            # 1h <= 1w, open: not yet
        ("F", "2025-10-03 07:00", "ESCALATED", "TIER_2", "HIGH", None, b),      # 3h > 30m, resolved since
        ("F", "2025-10-03 10:00", "RESOLVED", None, "HIGH", None, b),
    )
    events = pd.concat([small_log(), waits], ignore_index=True)
    events["source_row"] = range(2, len(events) + 2)
    te = metrics.summary(events)["tier_events"]
    assert (te["still_waiting"], te["still_waiting_open"], te["still_waiting_resolved_since"]) == (3, 2, 1)
    assert (te["tier_overdue"], te["tier_overdue_open"], te["frt_overdue"], te["frt_overdue_open"]) == (2, 1, 2, 1)
    k = metrics.compute_dashboard(events).kpis.iloc[0]
    assert all(te[c] == k[c] for c in ("frt_overdue", "tier_overdue", "frt_overdue_open", "tier_overdue_open"))


# --- filters ----------------------------------------------------------------------------------

def dash(**filters) -> metrics.Dashboard:
    return metrics.compute_dashboard(small_log(), filters=metrics.Filters(**filters))


def test_no_filter_is_the_same_as_empty_lists() -> None:
    pd.testing.assert_frame_equal(dash().kpis, metrics.compute_dashboard(small_log()).kpis)


def test_a_product_filter_reaches_every_query() -> None:
    d = dash(product=("Learning",))
    assert d.tier_events["ticket_id"].unique().tolist() == ["B"]
    assert d.tickets["ticket_id"].tolist() == ["B", "C"]
    assert d.kpis.loc[0, "tickets"] == 2 and d.kpis.loc[0, "tier_events"] == 1
    assert d.pareto["product"].tolist() == ["Learning"]
    assert set(d.breakdown.loc[d.breakdown["dimension"] == "product", "value"]) == {"Learning"}
    assert d.agents["agent"].tolist() == ["Agent 2"]


def test_a_date_range_keeps_events_and_tickets_inside_it() -> None:
    d = dash(date_from=datetime(2025, 10, 1), date_to=datetime(2025, 10, 2, 23, 59))
    assert d.tier_events["source_row"].tolist() == [8]
    assert d.tickets["ticket_id"].tolist() == ["B"]


def test_tier_and_agent_filters_keep_tickets_that_touched_them() -> None:
    d = dash(tier=("TIER_2",))
    assert d.tier_events["source_row"].tolist() == [4]
    assert d.tickets["ticket_id"].tolist() == ["A"]
    d = dash(agent=("Agent 2",), priority=("LOW", "MEDIUM"))
    assert d.tickets["ticket_id"].tolist() == ["B", "C"]


def test_a_filter_value_that_matches_nothing_gives_zeroes() -> None:
    d = dash(region=("Nowhere",))
    assert d.kpis.loc[0, "tickets"] == 0 and d.kpis.loc[0, "tier_events"] == 0 and d.breakdown.empty


def test_filters_are_bound_never_formatted() -> None:
    evil = "x') or true --"
    assert dash(product=(evil,)).kpis.loc[0, "tickets"] == 0


def test_breakdowns_cover_every_dimension() -> None:
    d = metrics.compute_dashboard(small_log())
    assert set(d.breakdown["dimension"]) == set(metrics.BREAKDOWN_DIMENSIONS)
    month = d.breakdown_by("month").set_index("value")
    assert month.loc["2025-09", "tier_events"] == 2 and month.loc["2025-10", "tickets"] == 2
    prio = d.breakdown_by("priority").set_index("value")
    assert prio.loc["HIGH", "frt_breach_rate"] == 0.5 and prio.loc["MEDIUM", "tier_breached"] == 1
    with pytest.raises(KeyError, match="no breakdown by"):
        d.breakdown_by("colour")


def test_sql_text_is_the_file() -> None:
    assert metrics.sql_text("tier_events").startswith("-- tier_events:")
    with pytest.raises(KeyError):
        metrics.sql_text("../etc/passwd")


def test_inputs_are_not_mutated() -> None:
    ev = small_log()
    before = ev.copy()
    metrics.compute_dashboard(ev, filters=metrics.Filters(product=("Finance",)))
    pd.testing.assert_frame_equal(ev, before)


def test_run_query_binds_list_parameters_and_computes_what_it_reads() -> None:
    ev = small_log()
    te = metrics.run_query("tier_events", ev, {"product_in": ["Finance"], "tier_in": ["TIER_2"]})
    assert te["source_row"].tolist() == [4]
    k = metrics.run_query("kpis", ev, {"agent_in": ["Agent 2"]})  # computes tier_events and tickets first
    assert (k.loc[0, "tickets"], k.loc[0, "tier_events"]) == (2, 1)
    with pytest.raises(KeyError, match="no query named"):
        metrics.run_query("nope", ev)


def test_a_plain_date_as_date_to_includes_that_whole_day() -> None:
    from datetime import date

    d = dash(date_from=date(2025, 10, 1), date_to=date(2025, 10, 1))
    assert d.tier_events["source_row"].tolist() == [8] and d.tickets["ticket_id"].tolist() == ["B"]
