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
