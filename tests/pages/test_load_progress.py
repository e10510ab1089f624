"""state.load_upload reports every stage of a load, in order, up to the dashboards."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _script() -> None:
    import streamlit as st

    import state
    from core import sample

    seen: list[list] = []
    state.load_upload(sample.sample_csv_bytes(n_tickets=40, seed=3), "progress.csv",
                      progress=lambda stage, fraction: seen.append([stage, fraction]))
    st.session_state["seen"] = seen


def test_the_load_reports_each_stage_in_order_up_to_the_dashboards() -> None:
    at = AppTest.from_function(_script, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    seen = at.session_state["seen"]
    stages = [stage for stage, _ in seen]
    fractions = [fraction for _, fraction in seen]
    assert stages[0] == "Reading the file"
    assert stages[-1] == "Anonymizing names and computing the dashboards"  # the clean file follows in a thread
    assert "Parsing dates" in stages and "Done" not in stages
    assert fractions == sorted(fractions) and 0 < fractions[0] and fractions[-1] < 1
