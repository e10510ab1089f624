"""core.sample: a deterministic, seed-shaped made-up export with the seed's awkward habits."""
from __future__ import annotations

import io

import pandas as pd
import pytest

from core import sample, schema

FULL = r"^\d\d/\d\d/\d{4} \d\d:\d\d:\d\d$"
SHORT = r"^\d\d/\d\d/\d{4} \d\d:\d\d$"
ISO = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$"


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return sample.generate_events()


def _parse(text: pd.Series) -> pd.Series:
    """Each of the three written formats parsed explicitly (never 'mixed', which misreads ISO)."""
    out = pd.to_datetime(text, format="%d/%m/%Y %H:%M:%S", errors="coerce")
    for fmt in ("%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S"):
        out = out.fillna(pd.to_datetime(text, format=fmt, errors="coerce"))
    return out


def test_same_bytes_twice_and_seed_matters() -> None:
    first = sample.sample_csv_bytes()
    assert first == sample.sample_csv_bytes()
    assert first != sample.sample_csv_bytes(seed=8)
    assert sample.SAMPLE_FILENAME.endswith(".csv")


def test_two_thousand_tickets_make_about_fifteen_thousand_rows() -> None:
    rows = sample.sample_csv_bytes().count(b"\n") - 1
    assert 13_000 < rows < 17_000


def test_shape_and_headers(events: pd.DataFrame) -> None:
    assert tuple(events.columns) == sample.HEADERS and len(sample.HEADERS) == 37
    assert events.columns[0] == "ï»¿Sub Module" and events.columns[-1] == "Sub Module"
    assert events["issue_tracker"].nunique() == 2000
    assert 13_000 <= len(events) <= 17_000
    assert set(events["Sub Module"]) == {"Generic Module"}
    assert events["ï»¿Sub Module"].notna().mean() == pytest.approx(0.24, abs=0.06)


def test_csv_bytes_are_utf8_comma_with_the_mojibake_header() -> None:
    data = sample.sample_csv_bytes(200)
    assert data.startswith("ï»¿Sub Module,Issue Title,".encode("utf-8"))
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8", dtype=str, keep_default_na=False)
    assert back.shape == sample.generate_events(200).shape


def test_three_timestamp_formats_and_nothing_else(events: pd.DataFrame) -> None:
    for column in ("event_timestamp", "first_response_timestamp", "resolution_timestamp", "Ticket Creation Date"):
        text = events[column].dropna()
        shares = [text.str.match(f).mean() for f in (FULL, SHORT, ISO)]
        assert all(0.25 < s < 0.42 for s in shares), column
        assert sum(shares) == pytest.approx(1.0)


def test_exact_duplicates_about_five_percent(events: pd.DataFrame) -> None:
    assert events.duplicated().mean() == pytest.approx(0.05, abs=0.015)


def test_names_emails_and_phones_inside_titles(events: pd.DataFrame) -> None:
    titles = events.drop_duplicates("issue_tracker")["Issue Title"]
    assert titles.str.contains(r"[\w.]+@[\w.-]+\.\w+", regex=True).mean() > 0.1
    assert titles.str.contains(r"\+\d{3} ?\d", regex=True).any()  # international numbers
    assert titles.str.contains(r"\b07\d\d \d{3} \d{3}\b", regex=True).any()  # local numbers
    assert titles.str.contains("O'Sullivan|Wanjiru|Müller", regex=True).any()


def test_people_are_written_the_awkward_ways(events: pd.DataFrame) -> None:
    agents = set(events["Resolved By Name"].dropna())
    assert {"Smith, John", "John Smith", "Grace Wanjiru", "Sean O'Sullivan", "Zoë Müller"} <= agents
    assert any(a.isupper() for a in agents)
    assert events["School Name"].isna().mean() == pytest.approx(0.12, abs=0.04)
    assert events["Regional Manager Name"].nunique() >= 10


def test_timeline_like_the_original(events: pd.DataFrame) -> None:
    rows = events.drop_duplicates()
    assert set(rows["timeline_status"]) == {"OPEN", "TRIAGE", "ESCALATED", "ON_STANDBY", "IN_PROGRESS",
                                            "RESOLVED", "CLOSED"}
    assert set(rows["escalation_level"]) == {"TIER_1", "TIER_2", "TIER_3", "UNGROUPED"}
    tiered = rows[rows["escalation_level"] != "UNGROUPED"].groupby("issue_tracker")["escalation_level"]
    assert tiered.agg(lambda s: "TIER_2" in set(s)).mean() == pytest.approx(0.76, abs=0.06)
    assert tiered.agg(lambda s: "TIER_3" in set(s)).mean() == pytest.approx(0.42, abs=0.06)
    assert rows["frt_breached"].mean() == pytest.approx(0.31, abs=0.07)
    assert rows["tier_sla_breached"].mean() == pytest.approx(0.34, abs=0.07)
    assert (rows["resolution_time_seconds"] < 0).any()  # resolved before opened: data errors
    assert set(rows["priority_level"]) == {"HIGH", "MEDIUM", "LOW"}
    assert rows["product"].nunique() == 7 and not rows["product"].str.startswith("ZERAKI").any()


def test_months_july_to_november_mostly_september_october(events: pd.DataFrame) -> None:
    months = _parse(events["event_timestamp"]).dt.month
    assert set(months) == {7, 8, 9, 10, 11}
    assert months.isin([9, 10]).mean() > 0.5


def test_precomputed_frt_agrees_with_the_timestamps(events: pd.DataFrame) -> None:
    rows = events[events["frt_seconds"].notna()]
    gap = (_parse(rows["first_response_timestamp"]) - _parse(rows["event_timestamp"])).dt.total_seconds()
    assert ((gap - rows["frt_seconds"]).abs() < 60).all()  # within the seconds some formats drop


def test_schema_maps_the_sample(events: pd.DataFrame) -> None:
    frame = events.set_axis(["Sub Module", *events.columns[1:-1], "Sub Module (2)"], axis=1)
    mapping = schema.detect_mapping(frame)
    assert mapping.shape == "events" and mapping.unknown_values == {}
    assert mapping.roles["ticket_id"] == "issue_tracker" and mapping.roles["agent"] == "Resolved By Name"


@pytest.mark.slow
def test_scales_linearly() -> None:
    frame = sample.generate_events(n_tickets=20_000, seed=1)  # speed: `make bench`
    assert 130_000 < len(frame) < 170_000
