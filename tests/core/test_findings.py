"""Findings are computed from the dashboard: they follow the data and say nothing when it is too thin."""
from __future__ import annotations

from dataclasses import replace

import pytest

from core import contract, findings, metrics, pipeline, privacy, sample
from core.policy import Policy


@pytest.fixture(scope="module")
def events():
    p = pipeline.prepare(sample.sample_csv_bytes(n_tickets=800), sample.SAMPLE_FILENAME)
    return privacy.clean(p).anonymized.events


def _dash(events, **flt):
    return metrics.compute_dashboard(events, Policy.default(), metrics.Filters(**flt))


def test_each_finding_states_the_figures_it_rests_on(events) -> None:
    dash = _dash(events)
    found = {f.key: f for f in findings.findings(dash, limit=10)}
    assert {"worst_tier", "priority_driver", "how_far_over", "escalation_reach"} <= set(found)
    worst = found["worst_tier"]
    assert f"{worst.figures['breached']:,} of {worst.figures['rated']:,}" in worst.detail
    k = dash.kpis.iloc[0]
    assert found["how_far_over"].figures["breached"] == int(k["tier_breached"])


def test_the_worst_tier_follows_the_data(events) -> None:
    dash = _dash(events)
    b = dash.breakdown.copy()
    tiers = b["dimension"] == "tier"
    b.loc[tiers & (b["value"] == "TIER_2"), "tier_breach_rate"] = 0.99
    b.loc[tiers & (b["value"] != "TIER_2"), "tier_breach_rate"] = 0.01
    headline = findings.worst_tier(replace(dash, breakdown=b)).headline
    assert headline.startswith("Tier 2 breaches most: 99%")


def test_one_tier_only_names_no_worst_tier(events) -> None:
    assert findings.worst_tier(_dash(events, tier=("TIER_1",))) is None


def test_a_stricter_policy_moves_the_overrun(events) -> None:
    loose = findings.how_far_over(_dash(events))
    strict = findings.how_far_over(metrics.compute_dashboard(
        events, Policy(allowances=(("HIGH", 60.0), ("MEDIUM", 60.0), ("LOW", 60.0))), metrics.Filters()))
    assert strict.figures["breached"] > loose.figures["breached"]


def test_no_data_no_findings() -> None:
    dash = metrics.compute_dashboard(contract.empty_frame(), Policy.default(), metrics.Filters())
    assert findings.findings(dash) == []


def _with_waits(dash, total: int, open_: int, overdue_open: int):
    k = dash.kpis.copy()
    k.loc[0, ["still_waiting", "still_waiting_open", "still_waiting_resolved_since", "tier_overdue_open"]] = [
        total, open_, total - open_, overdue_open]
    return replace(dash, kpis=k)


def test_unanswered_waits_split_open_tickets_from_resolved_ones(events) -> None:
    dash = _dash(events)
    k = dash.kpis.iloc[0]
    f = findings.unanswered_waits(dash)
    assert f.figures["open"] + f.figures["resolved_since"] == f.figures["still_waiting"] == int(k["still_waiting"])
    assert f.figures["overdue"] == int(k["tier_overdue"])
    assert f.detail.startswith(f"{int(k['still_waiting']):,} tier events never got a response in their tier: "
                               f"{int(k['still_waiting_open']):,} on open tickets")
    assert "unanswered_waits" in {x.key for x in findings.findings(dash)}


def test_unanswered_waits_in_plain_words(events) -> None:
    dash = _dash(events)
    f = findings.unanswered_waits(_with_waits(dash, 2560, 108, 105))
    assert f.headline == "108 of 2,560 unanswered tier events are on tickets still open"
    assert f.detail == ("2,560 tier events never got a response in their tier: 108 on open tickets (105 of them "
                        "past SLA), 2,452 on tickets resolved or closed since. Only the 108 can still be answered; "
                        "for the other 2,452 the ticket was resolved or closed without a response in that tier.")
    only_open = findings.unanswered_waits(_with_waits(dash, 5, 5, 2))
    assert only_open.headline == "5 tier events on open tickets still wait for a response"
    assert only_open.detail.endswith("5 on open tickets (2 of them past SLA), 0 on tickets resolved or closed since.")
    none_open = findings.unanswered_waits(_with_waits(dash, 7, 0, 0))
    assert none_open.headline == "None of the 7 unanswered tier events is on an open ticket"
    assert "0 on open tickets," in none_open.detail and "None can still be answered" in none_open.detail
    assert findings.unanswered_waits(_with_waits(dash, 0, 0, 0)) is None


def test_one_of_a_kind_is_said_in_the_singular(events) -> None:
    # QA (f4_dataerr.csv): "1 tier events on open tickets still wait for a response"
    dash = _dash(events)
    one = findings.unanswered_waits(_with_waits(dash, 1, 1, 1))
    assert one.headline == "1 tier event on an open ticket still waits for a response"
    assert one.detail.startswith("1 tier event never got a response in their tier: 1 on open tickets")
    some = findings.unanswered_waits(_with_waits(dash, 3, 1, 1))
    assert some.headline == "1 of 3 unanswered tier events is on a ticket still open"
    lone = findings.unanswered_waits(_with_waits(dash, 1, 0, 0))
    assert lone.headline == "The 1 unanswered tier event is not on an open ticket"
    assert " 1 tier events" not in one.detail + some.detail + lone.detail
