"""A date column's day/month order can be chosen on the Prepare page, changed again, and handed back to the vote."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

import state
from tests.core import filemakers as fm
from tests.pages.conftest import APP, run_ok

# No day above 12: the order cannot be told from the values (read day-first until the user says).
AMBIGUOUS = fm.csv_bytes([
    ["ticket_id", "event_timestamp", "timeline_status", "escalation_level", "priority_level"],
    ["A1", "01/02/2025 09:00", "OPEN", "TIER_1", "HIGH"],
    ["A1", "01/02/2025 10:00", "IN_PROGRESS", "TIER_1", "HIGH"],
    ["A2", "03/04/2025 09:00", "OPEN", "TIER_1", "LOW"],
    ["A2", "03/04/2025 11:00", "RESOLVED", "TIER_1", "LOW"],
])


def _order(at: AppTest) -> str:
    return at.session_state[state.LOADED].prepared.mapping.date_orders.get("event_timestamp", "auto")


def _first_event(at: AppTest):
    return at.session_state[state.LOADED].prepared.events["event_time"].min()


def test_the_order_can_be_chosen_changed_and_undone() -> None:
    at = run_ok(AppTest.from_file(APP, default_timeout=120))
    run_ok(at.switch_page("pages/prepare.py"))
    at.file_uploader[0].set_value(("ambiguous.csv", AMBIGUOUS, "text/csv"))
    run_ok(at)
    assert _order(at) == "auto" and str(_first_event(at)) == "2025-02-01 09:00:00"  # read day-first
    radio = at.radio(key=f"tl_order_{at.session_state[state.LOADED].dataset_id}_event_timestamp")
    assert radio.options == ["day first (DD/MM)", "month first (MM/DD)", "decided by the values (or the file's other dates)"]
    radio.set_value("month-first")
    run_ok(at)
    next(b for b in at.button if b.label == "Re-read 'event_timestamp'").click()
    run_ok(at)
    assert _order(at) == "month-first" and str(_first_event(at)) == "2025-01-02 09:00:00"
    # the choice stays on the page: it can be changed back, or handed back to the values
    assert any("is read month-first, as you chose" in i.value for i in at.info)
    radio = at.radio(key=f"tl_order_{at.session_state[state.LOADED].dataset_id}_event_timestamp")
    assert radio.value == "month-first"
    radio.set_value("auto")
    run_ok(at)
    next(b for b in at.button if b.label == "Re-read 'event_timestamp'").click()
    run_ok(at)
    assert _order(at) == "auto" and str(_first_event(at)) == "2025-02-01 09:00:00"
    assert any("event_timestamp" in w.value for w in at.warning)  # ambiguous again, as the vote says
