"""tier_events.sql on hand-made logs: responses, ties, waiting, breaches, negatives, clocks, pauses."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import pytest

from core import metrics
from core.policy import BusinessHours, Override, Policy

from .eventlog import log

HOUR = 3600.0


def tier_events(events: pd.DataFrame, policy: Policy | None = None) -> pd.DataFrame:
    return metrics.compute_dashboard(events, policy or Policy.default()).tier_events


def row(frame: pd.DataFrame, source_row: int) -> dict:
    rows = frame[frame["source_row"] == source_row]
    assert len(rows) == 1, f"expected one tier event from row {source_row}"
    return rows.iloc[0].to_dict()


def test_frt_and_time_in_tier_come_from_the_next_in_progress_of_the_same_tier() -> None:
    ev = log(
        ("A", "10:00", "OPEN", "TIER_1"),                     # row 2
        ("A", "10:10", "IN_PROGRESS", "TIER_2", "HIGH", "10:15"),  # other tier: not the response
        ("A", "10:20", "IN_PROGRESS", "TIER_1", "HIGH", "11:00"),  # row 4: the response
        ("A", "10:40", "IN_PROGRESS", "TIER_1", "HIGH", "12:00"),  # later: not the first
    )
    r = row(tier_events(ev), 2)
    assert (r["response_row"], r["frt_s"], r["tier_s"]) == (4, 20 * 60, HOUR)
    assert r["frt_allowance_s"] == 1800 and r["frt_breached"] is False
    assert r["tier_breached"] is True and r["tier_over_s"] == 1800
    assert r["still_waiting"] is False and pd.isna(r["age_s"])


def test_only_waiting_statuses_in_a_real_tier_are_tier_events() -> None:
    ev = log(
        ("A", "09:00", "OPEN", None),
        ("A", "09:30", "TRIAGE", "TIER_1"),
        ("A", "09:40", "ON_STANDBY", "TIER_1"),
        ("A", "09:50", "ESCALATED", "TIER_2"),
        ("A", "10:00", "IN_PROGRESS", "TIER_1", "HIGH", "10:30"),
        ("A", "11:00", "RESOLVED", "TIER_1"),
    )
    assert tier_events(ev)["source_row"].tolist() == [3, 4, 5]


def test_a_same_timestamp_in_progress_is_not_the_response() -> None:
    ev = log(
        ("A", "12:00", "ESCALATED", "TIER_2"),                    # row 2
        ("A", "12:00", "IN_PROGRESS", "TIER_2", "HIGH", "12:05"),  # tie: ignored
        ("A", "13:00", "IN_PROGRESS", "TIER_2", "HIGH", "14:00"),  # row 4
    )
    r = row(tier_events(ev), 2)
    assert (r["response_row"], r["frt_s"], r["tier_s"]) == (4, HOUR, 2 * HOUR)


def test_responses_tied_in_time_resolve_to_the_lowest_source_row() -> None:
    ev = log(
        ("A", "12:00", "ESCALATED", "TIER_2"),
        ("A", "12:30", "IN_PROGRESS", "TIER_2", "HIGH", "15:00"),  # row 3 wins
        ("A", "12:30", "IN_PROGRESS", "TIER_2", "HIGH", "13:00"),
    )
    for _ in range(3):
        r = row(tier_events(ev), 2)
        assert (r["response_row"], r["tier_s"]) == (3, 3 * HOUR)


def test_no_later_response_is_still_waiting_aged_at_the_export_end() -> None:
    ev = log(
        ("A", "10:00", "ESCALATED", "TIER_2"),              # row 2: waits 20 min
        ("B", "10:00", "ESCALATED", "TIER_3", "MEDIUM"),    # row 3: waits 20 min, 1 day allowed
        ("C", "09:00", "OPEN", "TIER_1"),                   # row 4: waits 80 min
        ("C", "10:20", "RESOLVED", None),                   # the export's last timestamp
    )
    te = tier_events(ev)
    a, b, c = row(te, 2), row(te, 3), row(te, 4)
    assert [a["still_waiting"], b["still_waiting"], c["still_waiting"]] == [True, True, True]
    assert (a["age_s"], c["age_s"]) == (1200, 4800)
    assert [a["frt_overdue"], b["frt_overdue"], c["frt_overdue"]] == [False, False, True]
    assert pd.isna(a["frt_s"]) and pd.isna(a["frt_breached"])
    dash = metrics.compute_dashboard(ev)
    assert dash.kpis.loc[0, "still_waiting"] == 3 and dash.kpis.loc[0, "frt_overdue"] == 1
    # open tickets first, then oldest first: C was resolved at 10:20, after its wait
    assert dash.still_waiting["source_row"].tolist() == [2, 3, 4]


def test_several_entries_into_one_tier_share_its_response() -> None:
    ev = log(
        ("A", "10:00", "OPEN", "TIER_1"),
        ("A", "10:10", "TRIAGE", "TIER_1"),
        ("A", "10:30", "IN_PROGRESS", "TIER_1", "HIGH", "10:45"),
    )
    te = tier_events(ev)
    assert te["frt_s"].tolist() == [1800, 1200]
    assert te["tier_s"].tolist() == [2700, 2100]
    assert te["response_row"].tolist() == [4, 4]


def test_a_revisited_tier_is_matched_to_the_response_after_the_return() -> None:
    ev = log(
        ("A", "09:00", "OPEN", "TIER_1"),                         # row 2
        ("A", "09:10", "IN_PROGRESS", "TIER_1", "HIGH", "09:20"),  # row 3
        ("A", "09:30", "ESCALATED", "TIER_2"),                    # row 4
        ("A", "09:40", "IN_PROGRESS", "TIER_2", "HIGH", "09:50"),  # row 5
        ("A", "10:00", "ESCALATED", "TIER_1"),                    # row 6: back in tier 1
        ("A", "10:30", "IN_PROGRESS", "TIER_1", "HIGH", "11:00"),  # row 7
    )
    te = tier_events(ev)
    assert row(te, 2)["response_row"] == 3
    assert row(te, 4)["response_row"] == 5
    assert (row(te, 6)["response_row"], row(te, 6)["tier_s"]) == (7, HOUR)


@pytest.mark.parametrize("minutes, breached", [(29, False), (30, False), (31, True)])
def test_a_breach_is_strictly_greater_than_the_allowance(minutes: int, breached: bool) -> None:
    ev = log(
        ("A", "10:00:00", "OPEN", "TIER_1"),
        ("A", f"10:{minutes:02d}:00", "IN_PROGRESS", "TIER_1", "HIGH", f"10:{minutes:02d}:00"),
    )
    r = row(tier_events(ev), 2)
    assert (r["frt_breached"], r["tier_breached"]) == (breached, breached)


def test_one_second_over_is_a_breach_by_one_second() -> None:
    ev = log(("A", "10:00:00", "OPEN", "TIER_1"), ("A", "10:30:01", "IN_PROGRESS", "TIER_1", "HIGH", "10:30:01"))
    assert row(tier_events(ev), 2)["frt_over_s"] == 1


def test_negative_durations_are_flagged_not_rated_and_not_averaged() -> None:
    ev = log(
        ("A", "10:00", "OPEN", "TIER_1"),
        ("A", "10:20", "IN_PROGRESS", "TIER_1", "HIGH", "09:00"),  # resolved before the tier event
        ("B", "10:00", "OPEN", "TIER_1"),
        ("B", "10:10", "IN_PROGRESS", "TIER_1", "HIGH", "10:40"),
    )
    dash = metrics.compute_dashboard(ev)
    a = row(dash.tier_events, 2)
    assert a["tier_s"] == -HOUR and a["tier_negative"] is True and pd.isna(a["tier_breached"])
    k = dash.kpis.iloc[0]
    assert (k["negative_tier"], k["tier_measured"], k["tier_mean_s"]) == (1, 1, 2400)
    assert (k["frt_measured"], k["frt_mean_s"]) == (2, 900)
    q = dash.quality
    assert q[["kind", "ticket_id", "source_row", "other_row", "value_s"]].values.tolist() == [
        ["negative_time_in_tier", "A", 2, 3, -HOUR]
    ]
    assert dash.quality_counts == {"negative_time_in_tier": 1}


def test_a_priority_without_allowance_is_counted_not_rated() -> None:
    ev = log(
        ("A", "10:00", "OPEN", "TIER_1", "CRITICAL"),
        ("A", "12:00", "IN_PROGRESS", "TIER_1", "CRITICAL", "13:00"),
    )
    dash = metrics.compute_dashboard(ev)
    r = row(dash.tier_events, 2)
    assert r["allowance_known"] is False and pd.isna(r["frt_breached"]) and r["frt_s"] == 2 * HOUR
    k = dash.kpis.iloc[0]
    assert (k["unknown_priority_events"], k["frt_measured"], k["frt_rated"]) == (1, 1, 0)
    assert pd.isna(k["frt_breach_rate"])
    assert dash.unnamed_priorities == ("CRITICAL",)
    assert dash.quality_counts == {"unknown_priority": 1}


def test_overrides_per_tier_and_metric_pick_the_most_specific() -> None:
    policy = replace(Policy.default(), overrides=(
        Override("HIGH", 2 * HOUR, tier="TIER_2"),
        Override("HIGH", 10 * 60, metric="frt"),
        Override("HIGH", 5 * HOUR, tier="TIER_2", metric="tier"),
    ))
    ev = log(
        ("A", "10:00", "OPEN", "TIER_1"),
        ("A", "10:20", "IN_PROGRESS", "TIER_1", "HIGH", "10:25"),
        ("A", "11:00", "ESCALATED", "TIER_2"),
        ("A", "12:30", "IN_PROGRESS", "TIER_2", "HIGH", "15:00"),
    )
    te = tier_events(ev, policy)
    t1, t2 = row(te, 2), row(te, 4)
    assert (t1["frt_allowance_s"], t1["tier_allowance_s"]) == (600, 1800)
    assert (t2["frt_allowance_s"], t2["tier_allowance_s"]) == (2 * HOUR, 5 * HOUR)
    assert (t1["frt_breached"], t1["tier_breached"], t2["frt_breached"], t2["tier_breached"]) == (True, False, False, False)


# --- business hours ---------------------------------------------------------------------------

def business(**hours) -> Policy:
    return replace(Policy.default(), clock="business", business_hours=BusinessHours(**{"timezone": "UTC", **hours}))


def test_business_hours_skip_the_weekend() -> None:
    ev = log(  # Friday 16:00 -> Monday 10:00: 1 h on Friday + 1 h on Monday
        ("A", "2025-03-07 16:00", "OPEN", "TIER_1", "MEDIUM"),
        ("A", "2025-03-10 10:00", "IN_PROGRESS", "TIER_1", "MEDIUM", "2025-03-10 10:30"),
    )
    r = row(tier_events(ev, business()), 2)
    assert (r["frt_s"], r["tier_s"]) == (2 * HOUR, 2.5 * HOUR)
    assert row(tier_events(ev), 2)["frt_s"] == 66 * HOUR  # the calendar clock, for contrast


def test_business_hours_skip_custom_and_public_holidays() -> None:
    ev = log(  # Friday 16:00 -> Tuesday 10:00, Monday a holiday
        ("A", "2025-12-19 16:00", "OPEN", "TIER_1", "MEDIUM"),
        ("A", "2025-12-23 10:00", "IN_PROGRESS", "TIER_1", "MEDIUM", "2025-12-23 10:00"),
        ("B", "2025-12-24 16:00", "OPEN", "TIER_1", "MEDIUM"),  # Wed -> Mon 29th: 25th, 26th are UK holidays
        ("B", "2025-12-29 10:00", "IN_PROGRESS", "TIER_1", "MEDIUM", "2025-12-29 10:00"),
    )
    te = tier_events(ev, business(custom_holidays=(date(2025, 12, 22),), holiday_country="GB"))
    assert row(te, 2)["frt_s"] == 2 * HOUR
    assert row(te, 4)["frt_s"] == 2 * HOUR


def test_business_hours_follow_a_dst_change_in_the_calendar_zone() -> None:
    # Europe/London moves to BST on Sunday 30 March 2025: Monday's 09:00 local is 08:00 UTC.
    ev = log(
        ("A", "2025-03-28 16:00", "OPEN", "TIER_1", "MEDIUM"),  # 16:00 GMT: 1 h left on Friday
        ("A", "2025-03-31 09:00", "IN_PROGRESS", "TIER_1", "MEDIUM", "2025-03-31 09:00"),  # 10:00 BST
    )
    r = row(tier_events(ev, business(timezone="Europe/London")), 2)
    assert r["frt_s"] == 2 * HOUR


def test_business_hours_follow_the_autumn_dst_change_too() -> None:
    # BST ends on Sunday 26 October 2025: Friday's 17:00 local is 16:00 UTC, Monday's 09:00 is 09:00 UTC.
    ev = log(
        ("A", "2025-10-24 15:00", "OPEN", "TIER_1", "MEDIUM"),
        ("A", "2025-10-27 10:00", "IN_PROGRESS", "TIER_1", "MEDIUM", "2025-10-28 10:00"),
    )
    r = row(tier_events(ev, business(timezone="Europe/London")), 2)
    assert (r["frt_s"], r["tier_s"]) == (2 * HOUR, 10 * HOUR)


def test_business_hours_convert_into_the_datas_time_zone() -> None:
    # Nairobi (UTC+3) working 09:00-17:00 is 06:00-14:00 UTC in a UTC export.
    ev = log(
        ("A", "2025-03-03 05:00", "OPEN", "TIER_1", "MEDIUM"),
        ("A", "2025-03-03 15:00", "IN_PROGRESS", "TIER_1", "MEDIUM", "2025-03-03 15:00"),
    )
    policy = business(timezone="Africa/Nairobi")
    assert row(tier_events(ev, policy), 2)["frt_s"] == 8 * HOUR


def test_working_hours_that_cross_the_datas_midnight() -> None:
    # Sydney 09:00-17:00 (UTC+11 in March) is 22:00-06:00 UTC: every working day spans two UTC dates.
    ev = log(
        ("A", "2025-03-03 21:00", "OPEN", "TIER_1", "MEDIUM"),   # Tue 08:00 local: before hours
        ("A", "2025-03-03 23:00", "IN_PROGRESS", "TIER_1", "MEDIUM", "2025-03-04 01:00"),
        ("B", "2025-03-04 05:00", "OPEN", "TIER_1", "MEDIUM"),   # Tue 16:00 local: 1 h left
        ("B", "2025-03-04 23:00", "IN_PROGRESS", "TIER_1", "MEDIUM", "2025-03-04 23:00"),  # Wed 10:00
    )
    te = tier_events(ev, business(timezone="Australia/Sydney"))
    assert (row(te, 2)["frt_s"], row(te, 2)["tier_s"]) == (HOUR, 3 * HOUR)
    assert row(te, 4)["frt_s"] == 2 * HOUR


def test_a_breach_on_the_business_clock_and_a_still_waiting_age() -> None:
    ev = log(
        ("A", "2025-03-07 16:30", "OPEN", "TIER_1"),          # HIGH: 30 min allowed
        ("A", "2025-03-10 09:01", "IN_PROGRESS", "TIER_1", "HIGH", "2025-03-10 09:01"),
        ("B", "2025-03-07 16:50", "OPEN", "TIER_1"),          # still waiting at Mon 09:01
    )
    te = tier_events(ev, business())
    assert (row(te, 2)["frt_s"], row(te, 2)["frt_breached"]) == (31 * 60, True)
    assert (row(te, 4)["age_s"], row(te, 4)["frt_overdue"]) == (11 * 60, False)


# --- pauses -----------------------------------------------------------------------------------

def test_time_in_a_paused_status_is_subtracted_inside_the_interval() -> None:
    ev = log(
        ("A", "10:00", "ESCALATED", "TIER_2"),                    # row 2
        ("A", "10:30", "ON_STANDBY", None),                       # paused 10:30 .. 11:00
        ("A", "11:00", "TRIAGE", None),
        ("A", "12:00", "IN_PROGRESS", "TIER_2", "HIGH", "13:00"),
        ("A", "13:30", "ON_STANDBY", None),                       # after: no effect
        ("A", "14:00", "RESOLVED", None),
    )
    policy = replace(Policy.default(), pause_statuses=("ON_STANDBY",))
    r = row(tier_events(ev, policy), 2)
    assert (r["frt_s"], r["tier_s"]) == (1.5 * HOUR, 2.5 * HOUR)
    assert row(tier_events(ev), 2)["frt_s"] == 2 * HOUR


def test_a_paused_tier_event_starts_its_clock_when_the_pause_ends() -> None:
    ev = log(
        ("A", "10:00", "ON_STANDBY", "TIER_2"),                   # paused until the next event
        ("A", "10:40", "IN_PROGRESS", "TIER_2", "HIGH", "11:00"),
    )
    policy = replace(Policy.default(), pause_statuses=("ON_STANDBY",))
    r = row(tier_events(ev, policy), 2)
    assert (r["frt_s"], r["tier_s"]) == (0, 20 * 60)


def test_pauses_count_on_the_business_clock() -> None:
    ev = log(  # Fri 16:00 -> Mon 11:00 = 3 business hours; paused Fri 16:30 -> Mon 09:30 = 1 h of them
        ("A", "2025-03-07 16:00", "OPEN", "TIER_1", "MEDIUM"),
        ("A", "2025-03-07 16:30", "ON_STANDBY", None, "MEDIUM"),
        ("A", "2025-03-10 09:30", "TRIAGE", None, "MEDIUM"),
        ("A", "2025-03-10 11:00", "IN_PROGRESS", "TIER_1", "MEDIUM", "2025-03-10 11:00"),
    )
    policy = replace(business(), pause_statuses=("ON_STANDBY",))
    assert row(tier_events(ev, policy), 2)["frt_s"] == 2 * HOUR


def test_the_clocked_path_equals_the_calendar_path_when_always_open() -> None:
    ev = log(
        ("A", "2025-03-07 16:00", "OPEN", "TIER_1"),
        ("A", "2025-03-08 10:00:07", "IN_PROGRESS", "TIER_1", "HIGH", "2025-03-09 01:02:03"),
        ("B", "2025-03-07 09:00", "ESCALATED", "TIER_2"),
    )
    fast = tier_events(ev)
    params = {**metrics.default_params(ev), "clocked": True}
    slow = metrics.run_query("tier_events", ev, params)
    pd.testing.assert_frame_equal(fast, slow)
