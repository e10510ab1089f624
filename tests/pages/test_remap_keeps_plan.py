"""Through the session state: correcting the column mapping keeps the user's anonymization plan edits."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script() -> None:
    from dataclasses import replace

    import streamlit as st

    import state

    state.load_sample()
    cur = state.loaded()
    state.set_plan(cur.cleaned.plan.with_action("Issue Title", "drop"))
    mapping = state.loaded().prepared.mapping
    state.remap(replace(mapping, date_orders={**mapping.date_orders, "event_timestamp": "day-first"}))
    after = state.loaded()
    st.session_state["result"] = (after.cleaned.plan.actions["Issue Title"].value,
                                  after.prepared.mapping.date_orders.get("event_timestamp"),
                                  "Issue Title" in after.cleaned.anonymized.clean.columns)


def test_remapping_keeps_a_dropped_column_dropped() -> None:
    at = AppTest.from_function(_script, default_timeout=180)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["result"] == ("drop", "day-first", False)
