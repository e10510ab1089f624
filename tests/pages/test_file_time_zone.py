"""The Prepare page: the file's time zone can be set (times re-read), and a date column that took the
order of the file's other date columns says so, with the order choice."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

import state
from tests.core import filemakers as fm
from tests.pages.conftest import APP, on_prepare, run_ok

LOCAL = fm.csv_bytes([
    ["ticket_id", "event_timestamp", "timeline_status", "escalation_level", "priority_level"],
    ["A1", "2025-07-01 09:00:00", "OPEN", "TIER_1", "HIGH"],
    ["A1", "2025-07-01 10:00:00+00:00", "IN_PROGRESS", "TIER_1", "HIGH"],
])
# event_timestamp shows month-first (a 16 and a 20 in second place); resolution_timestamp cannot tell
US = fm.csv_bytes([
    ["ticket_id", "event_timestamp", "timeline_status", "escalation_level", "priority_level", "resolution_timestamp"],
    ["U1", "08/16/2025 09:00", "OPEN", "TIER_1", "HIGH", ""],
    ["U1", "08/16/2025 09:10", "IN_PROGRESS", "TIER_1", "HIGH", "09/02/2025 09:25"],
    ["U2", "08/20/2025 10:00", "OPEN", "TIER_1", "HIGH", ""],
    ["U2", "08/20/2025 11:00", "IN_PROGRESS", "TIER_1", "HIGH", "09/05/2025 10:00"],
])


def test_the_files_time_zone_is_chosen_and_the_times_are_read_again() -> None:
    at = on_prepare("local.csv", LOCAL)
    prepared = at.session_state[state.LOADED].prepared
    assert prepared.mapping.timezone == "UTC"
    box = at.selectbox(key=f"tl_file_tz_{at.session_state[state.LOADED].dataset_id}")
    box.set_value("Africa/Nairobi")
    run_ok(at)
    next(b for b in at.button if b.label == "Re-read the times").click()
    run_ok(at)
    prepared = at.session_state[state.LOADED].prepared
    assert prepared.mapping.timezone == "Africa/Nairobi"
    # the naive time stays the local time it says; the UTC one is converted (10:00 UTC = 13:00 in Nairobi)
    assert [str(t) for t in prepared.events["event_time"]] == ["2025-07-01 09:00:00", "2025-07-01 13:00:00"]
    assert at.selectbox(key=f"tl_file_tz_{at.session_state[state.LOADED].dataset_id}").value == "Africa/Nairobi"


def test_a_column_that_took_the_files_order_says_so_and_offers_the_choice() -> None:
    at = on_prepare("us.csv", US)
    prepared = at.session_state[state.LOADED].prepared
    report = next(r for r in prepared.dates if r.column == "resolution_timestamp")
    assert (report.order, report.inferred_from) == ("month-first", ("event_timestamp",))
    assert any("resolution_timestamp" in i.value and "like 'event_timestamp'" in i.value for i in at.info)
    assert at.radio(key=f"tl_order_{at.session_state[state.LOADED].dataset_id}_resolution_timestamp")


NEGATIVE = fm.csv_bytes([
    ["ticket_id", "event_timestamp", "timeline_status", "escalation_level", "priority_level", "resolution_timestamp"],
    ["N1", "2025-07-01 09:00:00", "OPEN", "TIER_1", "HIGH", ""],
    ["N1", "2025-07-01 10:00:00", "IN_PROGRESS", "TIER_1", "HIGH", "2025-07-01 08:00:00"],  # resolved before: error
    ["N2", "2025-07-01 09:00:00", "OPEN", "TIER_1", "URGENTISH", ""],
    ["N2", "2025-07-01 09:10:00", "IN_PROGRESS", "TIER_1", "URGENTISH", "2025-07-01 09:20:00"],
])


def test_the_findings_count_is_the_quality_tables_rows() -> None:
    # QA: the count took the reading's findings only, not what the figures left out (negative
    # durations, priorities without an allowance) although the table lists them.
    at = on_prepare("negative.csv", NEGATIVE)
    table = next(d for d in at.dataframe if "first row numbers" in d.value.columns).value
    assert any("resolved before" in w for w in table["what"])
    shown = next(m for m in at.metric if m.label == "Findings").value
    assert shown == f"{len(table) - (table['what'].str.contains('renamed')).sum():,}"


def test_the_policy_page_says_when_the_working_days_zone_is_not_the_files() -> None:
    at = run_ok(AppTest.from_file(APP, default_timeout=120))  # the sample: its times are read as UTC
    run_ok(at.switch_page("pages/policy.py"))
    next(r for r in at.radio if r.label == "Count time in").set_value("business")
    run_ok(at)
    tz = next(s for s in at.selectbox if s.label == "Time zone of the working day")
    tz.set_value("Africa/Nairobi")
    run_ok(at)
    assert any("read as UTC local time" in c.value and "placed in Africa/Nairobi" in c.value for c in at.caption)
    next(s for s in at.selectbox if s.label == "Time zone of the working day").set_value("UTC")
    run_ok(at)
    assert next(s for s in at.selectbox if s.label == "Time zone of the working day").value == "UTC"
    assert not any("read as UTC local time" in c.value for c in at.caption)
