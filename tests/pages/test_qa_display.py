"""The display problems of the QA pass on small hand-checked exports (tests/pages/qa_files.py), page by page.

1. the SLA page breaks down by issue category, country and agent too (the busiest agents, tokens or revealed names);
2. the Overview's cards add up to "Tier events", naming why an event is in no card;
4. the SLA policy page says what a day of allowance means on the business-hours clock, and the Overview which
   clock each duration uses;
6. "1 ticket", no red badge on 0, seconds in "Waiting since".
"""
from __future__ import annotations

import json
from datetime import time

import pytest
from streamlit.proto import Metric_pb2
from streamlit.testing.v1 import AppTest

import state
from core import charts, metrics, privacy
from core.policy import BusinessHours, Policy
from tests.pages.conftest import APP
from tests.pages.qa_files import F1_PINGPONG, F2_WAITING, F4_DATAERR

RED, GRAY = Metric_pb2.Metric.MetricColor.RED, Metric_pb2.Metric.MetricColor.GRAY
BUSINESS = Policy(Policy.default().allowances, clock="business",
                  business_hours=BusinessHours(start="09:00", end="17:00", timezone="Europe/London"))


def _open(page: str, upload: tuple[str, bytes] | None = None, *, pol: Policy | None = None,
          reveal: bool = False) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if upload is not None:
        at.switch_page("pages/prepare.py").run()
        at.file_uploader[0].set_value((upload[0], upload[1], "text/csv")).run()
        assert not at.exception, [e.value for e in at.exception]
        assert at.session_state[state.LOADED].name == upload[0]
    if pol is not None:
        at.session_state[state.POLICY] = pol
    at.switch_page(page).run()
    if reveal:  # AppTest draws no sidebar after switch_page: the toggle's value is set where it is stored
        at.session_state[state.REVEAL] = True
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def _metric(at: AppTest, label: str):
    (found,) = [m for m in at.metric if m.label == label]
    return found


def _dashboard(at: AppTest) -> metrics.Dashboard:
    loaded = at.session_state[state.LOADED]
    return metrics.compute_dashboard(loaded.cleaned.anonymized.events, at.session_state[state.POLICY],
                                     metrics.Filters(), data_tz=loaded.prepared.mapping.timezone)


def _chart_values(at: AppTest, key_part: str) -> set[str]:
    (chart,) = [c for c in at.get("vega_lite_chart") if key_part in c.proto.id]
    spec = json.loads(chart.proto.spec)
    values = {r["value"] for rows in spec.get("datasets", {}).values() for r in rows if "value" in r}
    for ds in chart.proto.datasets:  # Streamlit may send the rows apart from the spec
        values |= _arrow_values(ds)
    return values


def _arrow_values(dataset) -> set[str]:
    import pyarrow as pa

    table = pa.ipc.open_stream(dataset.data.data).read_all()
    return set(table.column("value").to_pylist()) if "value" in table.column_names else set()


# ---- 1. the SLA page's "By" --------------------------------------------------------------------

def test_sla_breaks_down_by_every_dimension_of_the_brief() -> None:
    at = _open("pages/sla.py")
    by = at.segmented_control(key="sla_dim")
    assert {"Issue category", "Country", "Agent", "Product", "Issue type", "Priority", "Month", "Tier",
            "Region"} <= set(by.options)
    dash = _dashboard(at)
    for label, dim in (("Issue category", "issue_category"), ("Country", "country")):
        at.segmented_control(key="sla_dim").set_value(label).run()
        assert not at.exception, [e.value for e in at.exception]
        expected = set(charts._display_values(dash.breakdown.loc[dash.breakdown["dimension"] == dim, "value"], dim))
        assert _chart_values(at, f"sla_outcome_{dim}_") == expected


def test_the_agent_breakdown_draws_the_busiest_agents_as_tokens_or_revealed_names() -> None:
    at = _open("pages/sla.py")
    at.segmented_control(key="sla_dim").set_value("Agent").run()
    assert not at.exception, [e.value for e in at.exception]
    dash = _dashboard(at)
    agents = dash.breakdown[dash.breakdown["dimension"] == "agent"]
    assert len(agents) > charts.TOP_VALUES  # the sample has more agents than a chart draws
    tokens = _chart_values(at, "sla_outcome_agent_")
    busiest = charts.top_values(dash.breakdown, "agent")[0]
    assert tokens == set(charts._display_values(busiest["value"], "agent")) and len(tokens) == charts.TOP_VALUES
    assert all(t.startswith("Agent ") or t == charts.BLANK for t in tokens)
    assert any(f"Showing the {charts.TOP_VALUES} agents with the most tier events, of {len(agents)}" in c
               for c in _captions(at))
    assert any("Agents are shown as tokens" in c for c in _captions(at))

    at.session_state[state.REVEAL] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    names = _chart_values(at, "sla_outcome_agent_tier_linear_named")
    token_map = at.session_state[state.LOADED].cleaned.anonymized.token_map
    assert names == set(privacy.reveal(busiest[["value"]], token_map)["value"].fillna(charts.BLANK))
    assert not names & tokens


# ---- 2. the Overview's cards add up ----------------------------------------------------------------

@pytest.mark.parametrize("name, data, tier, frt", [
    ("f2_waiting.csv", F2_WAITING,
     "11 tier events = 1 breached + 3 unbreached + 6 still waiting + 1 not rated: 1 with no time in tier "
     "(answered, but the response has no work-resolved time)",
     "FRT: 11 tier events = 1 breached + 4 unbreached + 6 still waiting"),
    ("f4_dataerr.csv", F4_DATAERR,
     "8 tier events = 2 breached + 1 unbreached + 1 still waiting + 4 not rated: 1 with a negative duration "
     "(data error), 3 with a priority without allowance",
     "FRT: 8 tier events = 1 breached + 3 unbreached + 1 still waiting + 3 not rated: 3 with a priority without "
     "allowance"),
])
def test_the_overview_cards_add_up_to_the_tier_events(name, data, tier, frt) -> None:
    at = _open("pages/overview.py", (name, data))
    cards = {m.label: int(m.value.replace(",", "")) for m in at.metric if m.value.replace(",", "").isdigit()}
    captions = _captions(at)
    assert tier in captions and frt in captions
    # the figures in the sentence are the cards' own
    assert tier.startswith(f"{cards['Tier events']} tier events = {cards['Breached tier events']} breached + "
                           f"{cards['Unbreached tier events']} unbreached + {cards['Still waiting']} still waiting")


# ---- 4. the business-hours clock ---------------------------------------------------------------------

def test_the_policy_page_says_what_a_day_of_allowance_is_in_working_hours() -> None:
    at = _open("pages/policy.py")
    assert not any("working hours" in i.value for i in at.info)  # calendar clock: nothing to explain
    at = _open("pages/policy.py", pol=BUSINESS)
    note = ("On the business-hours clock an allowance counts working time: 1 day = 24 working hours, i.e. "
            "3 working days of 8 h")
    assert any(i.value.startswith(note) for i in at.info), [i.value for i in at.info]
    assert any(note in c for c in _captions(at))  # under the allowances too
    (ends,) = [t for t in at.time_input if t.label == "Day ends"]
    ends.set_value(time(15, 0)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("i.e. 4 working days of 6 h" in i.value and "enter 6 hours" in i.value for i in at.info)
    assert any("i.e. 4 working days of 6 h" in c for c in _captions(at))


def test_the_overview_says_which_clock_each_duration_is_on() -> None:
    at = _open("pages/overview.py")
    assert not any("working time" in c or "calendar time" in c for c in _captions(at))
    at = _open("pages/overview.py", pol=BUSINESS)
    captions = _captions(at)
    assert sum("working time (business hours)" in c for c in captions) == 2  # time in tier, FRT
    assert sum(c.endswith(":material/schedule: calendar time") for c in captions) == 2  # resolution, closing


# ---- 6. small ones -------------------------------------------------------------------------------

def test_one_ticket_is_one_ticket_on_the_escalation_page() -> None:
    at = _open("pages/escalation.py", ("f1_pingpong.csv", F1_PINGPONG))
    assert _metric(at, "Reached Tier 3").delta == "1 ticket"
    assert _metric(at, "Stayed in Tier 1").delta == "1 ticket contained"
    sentence = charts.attribution_sentence(_dashboard(at).attribution)
    assert "Tier 1 took the largest share: on average 64.1%" in sentence
    assert any(m.value == sentence for m in at.markdown)


def test_no_red_badge_on_zero_open_waits() -> None:
    at = _open("pages/overview.py", ("f1_pingpong.csv", F1_PINGPONG))
    card = _metric(at, "Still waiting")
    assert card.delta == "0 on open tickets" and card.proto.color == GRAY
    assert _metric(at, "Breached tier events").proto.color == RED  # 6 of 9: red as before
    at.switch_page("pages/sla.py").run()
    assert _metric(at, "On open tickets").delta == "0 past SLA" and _metric(at, "On open tickets").proto.color == GRAY
    sample = _open("pages/overview.py")  # open waits: the badge stays red
    assert _metric(sample, "Still waiting").proto.color == RED
    lenient = Policy(tuple((p, 10.0 ** 9) for p in ("HIGH", "MEDIUM", "LOW")))
    none = _open("pages/overview.py", ("f1_pingpong.csv", F1_PINGPONG), pol=lenient)
    for label in ("Breached tier events", "Breached FRT"):
        assert _metric(none, label).value == "0" and _metric(none, label).proto.color == GRAY


def test_waiting_since_shows_the_seconds_the_age_counts() -> None:
    at = _open("pages/sla.py", ("f2_waiting.csv", F2_WAITING))
    (table,) = [d for d in at.dataframe if "Waiting since" in d.value.columns]
    config = json.loads(table.proto.columns)
    assert config["Waiting since"]["type_config"]["format"] == "YYYY-MM-DD HH:mm:ss"
    assert config["Resolved or closed at"]["type_config"]["format"] == "YYYY-MM-DD HH:mm:ss"
    rows = table.value.set_index("Ticket")
    assert str(rows.loc["202", "Waiting since"]).endswith("11:29:59") and rows.loc["202", "Age"] == "0h 30m 01s"


def test_the_prepare_page_counts_each_priority_without_allowance_on_its_own() -> None:
    at = _open("pages/prepare.py", ("f4_dataerr.csv", F4_DATAERR))
    (table,) = [d.value for d in at.dataframe if "what" in d.value.columns and "first row numbers" in d.value.columns]
    rows = table[table["what"].str.contains("no allowance")].set_index("first row numbers")
    assert rows["rows"].to_dict() == {"5": 1, "8": 1, "19": 1}
    assert rows.loc["5", "what"].startswith("Priority CRITICAL:")
    assert rows.loc["8", "what"].startswith("Priority 'Blocker-ish' (not recognised):")
    assert rows.loc["19", "what"].startswith("Blank priority")
