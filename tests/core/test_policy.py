"""core.policy: defaults, allowance resolution, TOML round trips and errors, the business calendar."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from core.policy import (
    BusinessHours, Override, Policy, allowance_table, policy_from_toml, policy_to_toml,
    clock_days, full_days, unnamed_priorities, working_intervals,
)

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("policy-*.toml"))


def test_default_policy_is_the_originals() -> None:
    p = Policy.default()
    assert dict(p.allowances) == {"HIGH": 1800, "MEDIUM": 86400, "LOW": 604800}
    assert (p.clock, p.pause_statuses, p.overrides) == ("calendar", (), ())
    assert all(p.allowance("LOW", t, m) == 604800 for t in ("TIER_1", "TIER_3") for m in ("frt", "tier"))


def test_policies_are_frozen_and_hashable() -> None:
    p = Policy.default()
    with pytest.raises(AttributeError):
        p.clock = "business"  # type: ignore[misc]
    assert hash(p) == hash(Policy.default())


def test_most_specific_override_wins() -> None:
    p = replace(Policy.default(), overrides=(
        Override("HIGH", 60, metric="frt"), Override("HIGH", 120, tier="TIER_2"),
        Override("HIGH", 180, tier="TIER_2", metric="tier"), Override("CRITICAL", 10),
    ))
    assert p.allowance("HIGH", "TIER_1", "frt") == 60
    assert p.allowance("HIGH", "TIER_1", "tier") == 1800
    assert p.allowance("HIGH", "TIER_2", "frt") == 120
    assert p.allowance("HIGH", "TIER_2", "tier") == 180
    assert p.allowance("CRITICAL", "TIER_4", "tier") == 10
    assert p.allowance("UNKNOWN", "TIER_1", "tier") is None


def test_allowance_table_covers_every_tier_and_metric() -> None:
    t = allowance_table(Policy.default())
    assert list(t.columns) == ["priority", "tier", "metric", "allowance_s"]
    assert len(t) == 3 * 4 * 2 and str(t["allowance_s"].dtype) == "float64"


def test_unnamed_priorities_are_reported() -> None:
    assert unnamed_priorities(Policy.default(), ["LOW", "URGENT", "CRITICAL", None, "HIGH"]) == ("CRITICAL", "URGENT")


@pytest.mark.parametrize("policy", [
    Policy.default(),
    replace(
        Policy.default(), clock="business", pause_statuses=("ON_STANDBY", "TRIAGE"),
        business_hours=BusinessHours(days=(0, 1, 2, 3, 4, 5), start="08:30", end="18:15",
                                     timezone="Europe/London", holiday_country="GB",
                                     holiday_subdivision="SCT", custom_holidays=(date(2025, 12, 24),)),
        overrides=(Override("HIGH", 7200, tier="TIER_3", metric="tier"), Override("LOW", 90.5)),
    ),
])
def test_toml_round_trip(policy: Policy) -> None:
    text = policy_to_toml(policy)
    assert policy_from_toml(text) == policy
    assert policy_to_toml(policy_from_toml(text)) == text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_policies_load(path: Path) -> None:
    policy = policy_from_toml(path.read_text(encoding="utf-8"))
    assert policy.allowance("HIGH", "TIER_1", "frt") is not None


def test_readable_durations_and_seconds_both_read() -> None:
    p = policy_from_toml('[allowances]\nHIGH = "1h 30m"\nMEDIUM = 600\nLOW = "1w"\n')
    assert dict(p.allowances) == {"HIGH": 5400, "MEDIUM": 600, "LOW": 604800}


@pytest.mark.parametrize("text, key", [
    ("clock = 'calendar'", "allowances"),
    ("[allowances]\nHIGH = 'soon'", "allowances.HIGH"),
    ("[allowances]\nHIGH = -5", "allowances.HIGH"),
    ("colour = 'red'\n[allowances]\nHIGH = '1h'", "colour"),
    ("clock = 'lunar'\n[allowances]\nHIGH = '1h'", "clock"),
    ("pause_statuses = ['NAPPING']\n[allowances]\nHIGH = '1h'", "pause_statuses"),
    ("[allowances]\nHIGH = '1h'\n[business_hours]\ntimezone = 'Mars/Base'", "business_hours.timezone"),
    ("[allowances]\nHIGH = '1h'\n[business_hours]\nstart = '9am'", "business_hours.start"),
    ("[allowances]\nHIGH = '1h'\n[business_hours]\nstart = '18:00'", "business_hours.end"),
    ("[allowances]\nHIGH = '1h'\n[business_hours]\ndays = [7]", "business_hours.days"),
    ("[allowances]\nHIGH = '1h'\n[business_hours]\ncustom_holidays = ['25 Dec']", "business_hours.custom_holidays"),
    ("[allowances]\nHIGH = '1h'\n[business_hours]\nlunch = '12:00'", "business_hours.lunch"),
    ("[allowances]\nHIGH = '1h'\n[[overrides]]\npriority = 'HIGH'", "overrides[0].priority"),
    ("[allowances]\nHIGH = '1h'\n[[overrides]]\npriority = 'HIGH'\nallowance = '1h'\nmetric = 'mood'", "overrides.metric"),
    ("[allowances\nHIGH = '1h'", "not valid TOML"),
])
def test_bad_files_name_the_key(text: str, key: str) -> None:
    with pytest.raises(ValueError, match=key.replace("[", r"\[").replace("]", r"\]")):
        policy_from_toml(text)


def test_a_missing_holiday_calendar_is_a_clear_error() -> None:
    hours = BusinessHours(holiday_country="XX")
    with pytest.raises(ValueError, match="holiday_country"):
        working_intervals(hours, date(2025, 1, 1), date(2025, 1, 31))


def test_working_intervals_skip_weekends_and_holidays() -> None:
    hours = BusinessHours(timezone="UTC", holiday_country="KE", custom_holidays=(date(2025, 12, 24),))
    w = working_intervals(hours, date(2025, 12, 19), date(2025, 12, 29))
    # Fri 19, Mon 22, Tue 23, [24 custom, 25 Christmas, 26 Boxing Day], Mon 29
    assert [d.day for d in w["start_at"]] == [19, 22, 23, 29]
    assert list(w.columns) == ["start_at", "end_at"] and str(w["start_at"].dtype) == "datetime64[us]"


def test_working_intervals_follow_dst_into_the_datas_zone() -> None:
    hours = BusinessHours(timezone="Europe/London")
    w = working_intervals(hours, date(2025, 3, 28), date(2025, 3, 31), data_tz="UTC")
    assert w["start_at"].tolist() == [pd.Timestamp("2025-03-28 09:00"), pd.Timestamp("2025-03-31 08:00")]
    assert w["end_at"].tolist() == [pd.Timestamp("2025-03-28 17:00"), pd.Timestamp("2025-03-31 16:00")]
    nairobi = working_intervals(BusinessHours(), date(2025, 3, 31), date(2025, 3, 31), data_tz="Europe/London")
    assert nairobi["start_at"].tolist() == [pd.Timestamp("2025-03-31 07:00")]  # 09:00 EAT = 07:00 BST


def test_invalid_values_raise_on_construction() -> None:
    with pytest.raises(ValueError, match="clock"):
        Policy(allowances=(("HIGH", 1),), clock="sundial")
    with pytest.raises(ValueError, match="metric"):
        Override("HIGH", 1, metric="speed")


def test_clock_days_cut_working_hours_at_midnight() -> None:
    hours = BusinessHours(timezone="Australia/Sydney")  # 22:00-06:00 UTC in March
    w = working_intervals(hours, date(2025, 3, 3), date(2025, 3, 5))
    d = clock_days(w, date(2025, 3, 3), date(2025, 3, 5)).set_index("day")
    tue = d.loc[pd.Timestamp("2025-03-04")]
    assert (tue["s1"], tue["e1"]) == (pd.Timestamp("2025-03-04 00:00"), pd.Timestamp("2025-03-04 06:00"))
    assert (tue["s2"], tue["e2"]) == (pd.Timestamp("2025-03-04 22:00"), pd.Timestamp("2025-03-05 00:00"))
    assert d["before_us"].tolist() == [0, 8 * 3600 * 10**6, 16 * 3600 * 10**6]  # 6 h + 2 h a UTC day


def test_full_days_count_every_microsecond() -> None:
    d = full_days(date(2025, 3, 29), date(2025, 3, 31))
    assert d["before_us"].tolist() == [0, 86400 * 10**6, 2 * 86400 * 10**6]
    assert d["s2"].isna().all()
