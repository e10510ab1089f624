"""An upload whose ticket id (or event time) column is not recognised: the user names it on the
Prepare page and the file loads, instead of being refused for good.

The data here is uploaded by no other test: AppTest runs share one session id, so one session cache.
"""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

import state
from tests.core import filemakers as fm
from tests.pages.conftest import metric, on_prepare, run_ok

# 'what' holds the ticket ids (one event each here), but neither its header nor its values say so.
UNNAMED = fm.csv_bytes([
    ["what", "event time", "status"],
    ["qx", "2025-07-01 10:00", "Open"], ["qy", "2025-07-01 11:00", "Open"], ["qz", "2025-07-02 10:00", "Closed"],
])


def _picker(at: AppTest, role_label: str):
    found = [s for s in at.selectbox if s.label.startswith(role_label)]
    return found[0] if found else None


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_an_unrecognised_ticket_column_can_be_named_and_the_file_loads() -> None:
    at = on_prepare("unnamed.csv", UNNAMED)
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and "No column was recognised as the ticket id" in errors[0], errors
    assert "Pick the column below" in errors[0] and "--mapping" not in errors[0]
    picker = _picker(at, "Ticket id")
    assert picker is not None and picker.options == ["what", "event time", "status"]
    assert _button(at, "Use these columns").disabled  # nothing chosen yet
    assert at.session_state[state.LOADED].is_sample  # the sample is still what the dashboards show

    picker.set_value("what")
    run_ok(at)
    _button(at, "Use these columns").click()
    run_ok(at)
    assert not at.error, [e.value for e in at.error]
    cur = at.session_state[state.LOADED]
    assert cur.name == "unnamed.csv" and cur.prepared.mapping.roles["ticket_id"] == "what"
    assert state.PENDING not in at.session_state
    assert _picker(at, "Ticket id") is None  # the question is gone once answered
    run_ok(at.switch_page("pages/overview.py"))
    assert metric(at, "Tickets") == "3"


def test_a_column_that_does_not_work_keeps_the_question_and_the_data() -> None:
    # Picking the status column as the event time: no timestamp in it, so the file is still unusable.
    data = fm.csv_bytes([["ticket", "when it happened", "status"],
                         ["zz1", "soon", "Open"], ["zz1", "later", "Closed"]])
    at = on_prepare("no-times.csv", data)
    assert "No column was recognised as the event time" in at.error[0].value
    _picker(at, "Event time").set_value("status")
    run_ok(at)
    _button(at, "Use these columns").click()
    run_ok(at)
    errors = [e.value for e in at.error]
    assert any("could not be used with these columns" in e for e in errors), errors
    assert at.session_state[state.LOADED].is_sample
    assert _picker(at, "Event time") is not None  # still waiting for a usable column


def test_dismissing_or_another_upload_drops_the_waiting_file() -> None:
    at = on_prepare("unnamed-2.csv", UNNAMED.replace(b"q", b"r"))
    assert state.PENDING in at.session_state
    _button(at, "Dismiss").click()
    run_ok(at)
    assert state.PENDING not in at.session_state and not at.error
    assert _picker(at, "Ticket id") is None

    at.file_uploader[0].set_value(("unnamed-3.csv", UNNAMED.replace(b"q", b"s"), "text/csv"))
    run_ok(at)
    assert state.PENDING in at.session_state
    good = fm.csv_bytes([["ticket_id", "event_time", "status"],
                         ["G-1", "2025-07-01 10:00", "Open"], ["G-1", "2025-07-01 11:00", "In Progress"]])
    at.file_uploader[0].set_value(("good.csv", good, "text/csv"))
    run_ok(at)
    assert not at.error and at.session_state[state.LOADED].name == "good.csv"
    assert state.PENDING not in at.session_state  # a file that loads replaces the one waiting


def test_while_a_file_waits_the_tabs_say_which_data_they_describe() -> None:
    # The mapping, dates, quality and plan tabs still describe the data in use (the sample), not the waiting file.
    at = on_prepare("unnamed.csv", UNNAMED)
    cur = at.session_state[state.LOADED]
    headings = [m.value for m in at.markdown if m.value.startswith("#### The data in use now")]
    assert headings == [f"#### The data in use now: **{cur.name}**"] and cur.name != "unnamed.csv"
    _button(at, "Dismiss").click()
    run_ok(at)
    assert not [m for m in at.markdown if m.value.startswith("#### The data in use now")]
