"""What the pages say about the cards' parts, unrated priorities and the business-hours clock (QA display pass)."""
from __future__ import annotations

from datetime import time

import pytest

from core import metrics, pipeline, privacy, views
from core.policy import BusinessHours, Policy
from tests.pages.qa_files import F2_WAITING, F4_DATAERR


def _load(data: bytes, name: str, pol: Policy | None = None) -> tuple[pipeline.Prepared, metrics.Dashboard]:
    prepared = pipeline.prepare(data, name)
    events = privacy.clean(prepared).anonymized.events
    return prepared, metrics.compute_dashboard(events, pol or Policy.default(), metrics.Filters())


@pytest.fixture(scope="module")
def f2() -> tuple[pipeline.Prepared, metrics.Dashboard]:
    return _load(F2_WAITING, "f2_waiting.csv")


@pytest.fixture(scope="module")
def f4() -> tuple[pipeline.Prepared, metrics.Dashboard]:
    return _load(F4_DATAERR, "f4_dataerr.csv")


# ---- 2. the Overview's cards add up to "Tier events" ------------------------------------------------

def test_an_answered_wait_with_no_work_resolved_time_is_counted_as_not_rated(f2) -> None:
    k = f2[1].kpis.iloc[0]
    parts = views.tier_event_parts(k)
    # expected.md: 11 events; TIT 1 of 4 breached; 6 still waiting; 208 answered but with no time in tier
    assert parts == {"breached": 1, "unbreached": 3, "still_waiting": 6, "no_time": 1, "negative": 0,
                     "no_allowance": 0}
    assert sum(parts.values()) == int(k["tier_events"]) == 11
    assert views.tier_event_sum(k) == ("11 tier events = 1 breached + 3 unbreached + 6 still waiting + 1 not rated: "
                                       "1 with no time in tier (answered, but the response has no work-resolved "
                                       "time)")
    assert views.tier_event_sum(k, "frt") == "FRT: 11 tier events = 1 breached + 4 unbreached + 6 still waiting"


def test_negative_durations_and_priorities_without_allowance_are_named_with_their_counts(f4) -> None:
    k = f4[1].kpis.iloc[0]
    parts = views.tier_event_parts(k)
    # expected.md: 401 negative; 402 CRITICAL, 403 unknown, 406 blank unrated; 404 + 405 T2 breached; 407 waiting
    assert parts == {"breached": 2, "unbreached": 1, "still_waiting": 1, "no_time": 0, "negative": 1,
                     "no_allowance": 3}
    assert sum(parts.values()) == int(k["tier_events"]) == 8
    assert views.tier_event_sum(k) == ("8 tier events = 2 breached + 1 unbreached + 1 still waiting + 4 not rated: "
                                       "1 with a negative duration (data error), 3 with a priority without "
                                       "allowance")
    frt = views.tier_event_parts(k, "frt")
    assert sum(frt.values()) == 8 and frt["no_allowance"] == 3 and frt["negative"] == 0


def test_the_parts_add_up_on_the_sample(sample_dash) -> None:
    k = sample_dash.kpis.iloc[0]
    for metric in ("tier", "frt"):
        parts = views.tier_event_parts(k, metric)
        assert min(parts.values()) >= 0 and sum(parts.values()) == int(k["tier_events"])


@pytest.fixture(scope="module")
def sample_dash() -> metrics.Dashboard:
    from core import sample

    return _load(sample.sample_csv_bytes(), sample.SAMPLE_FILENAME)[1]


# ---- 3. the data-quality row on priorities counts what it names ----------------------------------

def test_each_priority_without_allowance_is_its_own_row_with_its_own_count(f4) -> None:
    prepared, dash = f4
    groups = views.unrated_priorities(prepared, dash)
    assert [(what.split(":")[0], rows) for what, rows in groups] == [
        ("Priority CRITICAL", [5]), ("Priority 'Blocker-ish' (not recognised)", [8]), ("Blank priority", [19])]
    assert all("tier events not rated" in what for what, _ in groups)
    table = views.quality_table(prepared, dash)
    rows = table[table["what"].str.contains("priority", case=False)]
    # no row counts events that its words do not name, and no event is counted twice
    assert not table["what"].str.contains("Priorities the SLA policy does not name").any()
    assert not (table["what"] == "unknown priority").any()
    unrated = rows[rows["what"].str.contains("tier events not rated")]
    assert unrated["rows"].tolist() == [1, 1, 1]
    assert unrated["first row numbers"].tolist() == ["5", "8", "19"]
    assert unrated["rows"].sum() == int(dash.kpis["unknown_priority_events"].iloc[0])


def test_no_priority_rows_when_every_priority_has_an_allowance(f2) -> None:
    prepared, dash = f2
    assert views.unrated_priorities(prepared, dash) == []
    assert not views.quality_table(prepared, dash)["what"].str.contains("priority", case=False).any()


# ---- 4. what a day of allowance means on the business-hours clock --------------------------------

def test_a_day_of_allowance_is_24_working_hours_computed_from_the_chosen_hours() -> None:
    eight = views.business_day_note(time(9), time(17))
    assert eight.startswith("On the business-hours clock an allowance counts working time: 1 day = 24 working "
                            "hours, i.e. 3 working days of 8 h")
    assert "enter 8 hours (8h in a policy file) for one working day" in eight
    assert "21 working days" in eight  # 1 week = 168 working hours
    six = views.business_day_note(time(9), time(15))
    assert "i.e. 4 working days of 6 h" in six and "enter 6 hours (6h in a policy file)" in six
    half = views.business_day_note(time(8, 30), time(16))
    assert "i.e. 3.2 working days of 7h 30m" in half and "enter 450 minutes (7h 30m in a policy file)" in half


def test_the_overview_says_which_clock_each_duration_uses() -> None:
    assert {m: views.duration_clock(Policy.default(), m) for m in ("tier", "frt", "resolution")} == \
        {"tier": "", "frt": "", "resolution": ""}
    business = Policy(Policy.default().allowances, clock="business", business_hours=BusinessHours())
    assert views.duration_clock(business, "tier") == "working time (business hours)"
    assert views.duration_clock(business, "frt") == "working time (business hours)"
    assert views.duration_clock(business, "resolution") == "calendar time"
    assert views.duration_clock(business, "closing") == "calendar time"
    paused = Policy(Policy.default().allowances, pause_statuses=("ON_STANDBY",))
    assert views.duration_clock(paused, "tier") == "calendar time, paused statuses not counted"
