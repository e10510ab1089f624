"""The pages say when the SLA policy is edited, warn of a zero allowance, and keep big results out of Excel."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

import state
from core import export
from core.policy import Policy

EDITED = Policy(allowances=(("HIGH", 3600.0), ("MEDIUM", 86400.0), ("LOW", 604800.0)))


def _captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_dashboards_say_when_the_policy_is_edited(app: AppTest) -> None:
    app.switch_page("pages/sla.py").run()
    assert "SLA policy: your edit" not in _captions(app)
    app.session_state[state.POLICY] = EDITED
    app.run()
    assert not app.exception
    assert "SLA policy: your edit" in _captions(app)


def test_a_zero_allowance_is_warned_about(app: AppTest) -> None:
    app.session_state[state.POLICY] = Policy(allowances=(("HIGH", 0.0), ("MEDIUM", 86400.0), ("LOW", 604800.0)))
    app.switch_page("pages/policy.py").run()
    assert not app.exception
    assert any("An allowance of 0 for HIGH" in w.value for w in app.warning), [w.value for w in app.warning]


def test_the_what_if_changes_are_points(app: AppTest) -> None:
    app.switch_page("pages/policy.py").run()
    table = next(d.value for d in app.dataframe if "scope" in d.value.columns)
    assert {"tier SLA change (points)", "FRT change (points)"} <= set(table.columns)
    assert "Tier 1" in set(table["scope"])


def test_results_beyond_the_excel_limit_are_offered_as_csv(app: AppTest, monkeypatch) -> None:
    monkeypatch.setattr(export, "XLSX_ROW_LIMIT", 10)
    app.switch_page("pages/download.py").run()
    assert not app.exception
    buttons = {b.proto.label: b.proto for b in app.get("download_button")}
    assert buttons["Tier events and KPI summary (.xlsx)"].disabled
    assert not buttons["Tier events (CSV)"].disabled
    assert any("more than Excel files are offered for" in i.value and "tier events" in i.value for i in app.info)
