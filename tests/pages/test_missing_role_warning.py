"""Dashboards warn when a role their figures need is held by no column (and say where to name it)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.core import filemakers as fm

NO_WORK_RESOLVED = fm.csv_bytes([
    ["ticket_id", "event_timestamp", "timeline_status", "escalation_level", "priority_level", "Resolution Time"],
    ["A", "2025-01-01 10:00", "OPEN", "TIER_1", "HIGH", "2025-01-01 12:00"],
    ["A", "2025-01-01 11:00", "IN_PROGRESS", "TIER_1", "HIGH", "2025-01-01 12:00"],
])


def test_the_overview_says_why_nothing_is_rated(app: AppTest) -> None:
    app.switch_page("pages/overview.py").run()
    assert not [w for w in app.warning if "No column is mapped" in w.value]  # the sample has every role
    app.switch_page("pages/prepare.py").run()
    app.file_uploader[0].set_value(("no-work.csv", NO_WORK_RESOLVED, "text/csv")).run()
    app.switch_page("pages/overview.py").run()
    assert not app.exception
    warnings = [w.value for w in app.warning if "No column is mapped as the work resolved time" in w.value]
    assert len(warnings) == 1 and "Prepare page, Column mapping" in warnings[0]
