"""analyze gives the app's breach rates: breached / rated, never breached / measured (QA's f4 file).

A tier event whose priority the SLA policy does not name (CRITICAL under the default policy), or
whose priority is blank or not recognised, is measured (its durations count in the averages) but
not rated: it is on neither side of a breach rate. The app (sql/kpis.sql, sql/breakdown.sql) has
always divided by the rated; these tests hold the CLI's text and JSON to the app's figures.
"""
from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pytest

from core import cli, metrics, pipeline, report

HEADER = "issue_tracker,escalation_level,timeline_status,event_timestamp,resolution_timestamp,priority_level,product,Resolved By Name\n"
# Worked by hand under the default policy (HIGH 30m, MEDIUM 1d, LOW 1w; CRITICAL not named):
#   A HIGH T1      FRT 40m breached, time in tier 60m breached
#   B HIGH T1      FRT 10m met,      time in tier 20m met
#   C CRITICAL T1  FRT 2h, tier 3h: measured, not rated
#   D blank T2     FRT 5m, tier 10m: measured, not rated (and no product)
#   E MEDIUM T1    FRT 2d breached,  time in tier 2d 1h breached
#   F Blocker-ish  (not a priority) T1 FRT 15m, tier 30m: measured, not rated
#   => measured 6 (both metrics), rated 3, breached 2: 66.7% (the old text said 2 of 6, 33.3%)
ROWS = """\
A,TIER_1,OPEN,2025-08-04 09:00:00,,HIGH,NOVA_FLOW,Grace Wanjiru
A,TIER_1,IN_PROGRESS,2025-08-04 09:40:00,2025-08-04 10:00:00,HIGH,NOVA_FLOW,Grace Wanjiru
B,TIER_1,OPEN,2025-08-05 09:00:00,,HIGH,NOVA_FLOW,Grace Wanjiru
B,TIER_1,IN_PROGRESS,2025-08-05 09:10:00,2025-08-05 09:20:00,HIGH,NOVA_FLOW,Grace Wanjiru
C,TIER_1,OPEN,2025-08-06 09:00:00,,CRITICAL,NOVA_FINANCE,Brian Ochieng
C,TIER_1,IN_PROGRESS,2025-08-06 11:00:00,2025-08-06 12:00:00,CRITICAL,NOVA_FINANCE,Brian Ochieng
D,TIER_2,ESCALATED,2025-09-01 09:00:00,,,,Brian Ochieng
D,TIER_2,IN_PROGRESS,2025-09-01 09:05:00,2025-09-01 09:10:00,,,Brian Ochieng
E,TIER_1,OPEN,2025-09-02 09:00:00,,MEDIUM,NOVA_FINANCE,Alice Moraa
E,TIER_1,IN_PROGRESS,2025-09-04 09:00:00,2025-09-04 10:00:00,MEDIUM,NOVA_FINANCE,Alice Moraa
F,TIER_1,OPEN,2025-09-03 09:00:00,,Blocker-ish,NOVA_FLOW,Alice Moraa
F,TIER_1,IN_PROGRESS,2025-09-03 09:15:00,2025-09-03 09:30:00,Blocker-ish,NOVA_FLOW,Alice Moraa
"""
AGENTS = ("Grace Wanjiru", "Brian Ochieng", "Alice Moraa")
# by_<dimension> of the JSON, against the app's breakdown (agent is left out: see test_no_agent_names)
JSON_DIMENSIONS = ("tier", "priority", "product", "issue_type", "issue_category", "month", "region", "country")


@pytest.fixture(scope="module")
def unnamed(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rates") / "unnamed.csv"
    path.write_text(HEADER + ROWS, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dash(unnamed: Path) -> metrics.Dashboard:
    """The app's figures for the same file: the same preparation, the default policy, no filters."""
    prepared = pipeline.prepare(unnamed.read_bytes(), unnamed.name)
    return metrics.compute_dashboard(prepared.events, data_tz=prepared.mapping.timezone)


def _analyze(path: Path, capsys, *more: str) -> str:
    assert cli.main(["analyze", str(path), *more]) == 0
    return capsys.readouterr().out


def _kpis(dash: metrics.Dashboard) -> dict:
    return dash.kpis.to_dict("records")[0]


def _pct(rate) -> str:
    """A rate as the text shows it: '66.7%', or '-' when nothing is rated (as the app's empty cards)."""
    return "-" if rate is None or pd.isna(rate) else f"{rate:.1%}"


def _same(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or pd.isna(b)
    return b is not None and not pd.isna(b) and a == pytest.approx(float(b))


def test_the_hand_figures(dash: metrics.Dashboard) -> None:
    """The fixture is what the comment says, in the app's own figures (so the CLI tests below mean something)."""
    k = _kpis(dash)
    assert (k["tier_measured"], k["tier_rated"], k["tier_breached"]) == (6, 3, 2)
    assert (k["frt_measured"], k["frt_rated"], k["frt_breached"]) == (6, 3, 2)
    assert dash.unnamed_priorities == ("CRITICAL",)


def test_json_overall_rates_are_the_apps(unnamed: Path, dash: metrics.Dashboard, capsys) -> None:
    doc = json.loads(_analyze(unnamed, capsys, "--json"))
    k = _kpis(dash)
    for block, prefix in ((doc["tier_events"], "tier"), (doc["frt"], "frt")):
        assert block["measured"] == k[f"{prefix}_measured"] == 6  # kept: the durations' count
        assert block["rated"] == k[f"{prefix}_rated"] == 3
        assert block["breached"] == k[f"{prefix}_breached"] == 2
        assert block["breach_rate"] == pytest.approx(k[f"{prefix}_breach_rate"]) == pytest.approx(2 / 3)
        assert block["breached"] / block["rated"] == pytest.approx(k[f"{prefix}_breach_rate"])


@pytest.mark.parametrize("dimension", JSON_DIMENSIONS)
def test_json_breakdowns_are_the_apps(unnamed: Path, dash: metrics.Dashboard, dimension: str, capsys) -> None:
    """Every value of every dimension the app breaks down by, blank values under "(blank)"."""
    doc = json.loads(_analyze(unnamed, capsys, "--json"))
    block = doc[f"by_{dimension}"]
    rows = dash.breakdown[dash.breakdown["dimension"] == dimension]
    assert len(rows) > 0
    for row in rows.to_dict("records"):
        key = metrics.SUMMARY_BLANK if pd.isna(row["value"]) else row["value"]
        assert key in block, (dimension, key)
        for part, prefix in (("tier_events", "tier"), ("frt", "frt")):
            got = block[key][part]
            for name in ("measured", "rated", "breached"):
                assert got[name] == row[f"{prefix}_{name}"], (dimension, key, part, name)
            assert _same(got["breach_rate"], row[f"{prefix}_breach_rate"]), (dimension, key, part)
            for stat in ("mean_s", "median_s", "p90_s"):
                assert _same(got[stat], row[f"{prefix}_{stat}"]), (dimension, key, part, stat)
    # the unnamed and the blank priorities: measured, never rated, no rate
    for key in ("CRITICAL", metrics.SUMMARY_BLANK):
        if dimension == "priority":
            t = block[key]["tier_events"]
            assert t["measured"] > 0 and t["rated"] == 0 and t["breached"] == 0 and t["breach_rate"] is None


def test_json_only_adds_keys(unnamed: Path, capsys) -> None:
    """Scripts written for the earlier JSON keep working: every earlier key is still there, in its order."""
    doc = json.loads(_analyze(unnamed, capsys, "--json"))
    earlier = ["rows", "duplicates_removed", "tickets", "tiered_tickets", "tier_events", "frt", "resolution",
               "closing", "reach", "by_tier", "by_priority", "quality"]
    assert [k for k in doc if k in earlier] == earlier
    stats = ["measured", "breached", "mean_s", "median_s", "p90_s"]
    assert list(doc["tier_events"])[:13] == ["count", *stats, "still_waiting", "still_waiting_open",
                                             "still_waiting_resolved_since", "frt_overdue", "tier_overdue",
                                             "frt_overdue_open", "tier_overdue_open"]
    assert list(doc["frt"])[:5] == stats
    assert list(doc["by_tier"])[:3] == ["TIER_1", "TIER_2", "TIER_3"]
    assert list(doc["by_priority"])[:3] == ["HIGH", "MEDIUM", "LOW"]
    assert list(doc["by_priority"]["LOW"]) == ["tier_events", "frt"]
    assert list(doc["by_priority"]["LOW"]["frt"])[:5] == stats


def test_no_agent_names_in_the_output(unnamed: Path, capsys) -> None:
    """The app shows agents as tokens unless asked: analyze prints no agent breakdown, so no real name."""
    for args in ((), ("--json",)):
        out = _analyze(unnamed, capsys, *args)
        assert not any(name in out for name in AGENTS)
    assert "by_agent" not in json.loads(out)


def test_text_gives_the_apps_rates_and_says_what_is_not_rated(unnamed: Path, dash: metrics.Dashboard, capsys) -> None:
    out = _analyze(unnamed, capsys)
    k = _kpis(dash)
    assert (f"Tier SLA: {k['tier_breached']} of {k['tier_rated']} rated tier events breached "
            f"({_pct(k['tier_breach_rate'])});") in out
    assert "Tier SLA: 2 of 3 rated tier events breached (66.7%);" in out
    assert f"FRT: {k['frt_breached']} of {k['frt_rated']} rated tier events breached ({_pct(k['frt_breach_rate'])})." in out
    # once for time in tier, once for FRT: how many, and which priorities
    note = ("  3 measured tier events have a priority the SLA policy does not name or none "
            "(CRITICAL 1, blank or not recognised 2): not rated.")
    assert out.count(note) == 2, out
    assert re.search(r"  time in tier: mean .*, p90 .* \(6 measured\)\n", out)
    assert re.search(r"  first response: mean .*, p90 .* \(6 measured\)\n", out)


def test_text_by_tier_and_priority_are_the_apps(unnamed: Path, dash: metrics.Dashboard, capsys) -> None:
    out = _analyze(unnamed, capsys)
    lines = {line.strip().split(":")[0]: line for line in out.splitlines() if line.startswith("  ")}
    by = dash.breakdown
    for tier in ("TIER_1", "TIER_2"):
        row = by[(by["dimension"] == "tier") & (by["value"] == tier)].to_dict("records")[0]
        assert f"tier SLA {_pct(row['tier_breach_rate'])} breached of {row['tier_rated']} rated" in lines[tier]
        assert f"FRT {_pct(row['frt_breach_rate'])} breached of {row['frt_rated']} rated" in lines[tier]
    assert "tier SLA 66.7% breached of 3 rated (2 measured not rated)" in lines["TIER_1"]  # C and F
    assert "tier SLA - breached of 0 rated (1 measured not rated)" in lines["TIER_2"]  # D alone, blank priority
    for pr in ("HIGH", "MEDIUM"):
        row = by[(by["dimension"] == "priority") & (by["value"] == pr)].to_dict("records")[0]
        assert lines[pr].strip() == (f"{pr}: tier SLA {_pct(row['tier_breach_rate'])} breached of {row['tier_rated']} "
                                     f"rated; FRT {_pct(row['frt_breach_rate'])} breached of {row['frt_rated']} rated")
    # a priority with no allowance has no rate at all (it was "tier SLA 0.0% breached of 1")
    assert lines["CRITICAL"].strip() == ("CRITICAL: no allowance in the SLA policy: not rated "
                                         "(1 measured for time in tier, 1 for FRT)")
    # a blank or unrecognised priority is not a gap in the policy: the line says which it is
    assert lines["(blank)"].strip().startswith("(blank): priority blank or not recognised, so no allowance applies: not rated")
    assert "CRITICAL: tier SLA" not in out


def test_a_policy_naming_the_priority_rates_it(unnamed: Path, tmp_path: Path, capsys) -> None:
    """Give CRITICAL an allowance (2h) and its event is rated (3h: breached); the blank ones stay unrated."""
    pol = tmp_path / "critical.toml"
    pol.write_text('[allowances]\nHIGH = "30m"\nMEDIUM = "1d"\nLOW = "1w"\nCRITICAL = "2h"\n', encoding="utf-8")
    doc = json.loads(_analyze(unnamed, capsys, "--json", "--policy", str(pol)))
    assert (doc["tier_events"]["rated"], doc["tier_events"]["breached"]) == (4, 3)
    assert doc["by_priority"]["CRITICAL"]["tier_events"]["breach_rate"] == 1.0
    out = _analyze(unnamed, capsys, "--policy", str(pol))
    assert "Tier SLA: 3 of 4 rated tier events breached (75.0%);" in out
    assert "CRITICAL: tier SLA 100.0% breached of 1 rated;" in out
    assert "(blank or not recognised 2): not rated." in out and "CRITICAL 1" not in out


def test_a_fully_rated_file_has_no_unrated_note(sample_file: Path, capsys) -> None:
    doc = json.loads(_analyze(sample_file, capsys, "--json"))
    for block in (doc["tier_events"], doc["frt"]):
        assert block["rated"] == block["measured"] and block["breach_rate"] == pytest.approx(
            block["breached"] / block["rated"])
    out = _analyze(sample_file, capsys)
    assert "not rated" not in out
    te = doc["tier_events"]
    assert f"Tier SLA: {te['breached']:,} of {te['rated']:,} rated tier events breached ({te['breach_rate']:.1%});" in out


def test_the_blank_key_is_the_same_in_the_text_and_the_json() -> None:
    assert report._BLANK == metrics.SUMMARY_BLANK
