"""What the user reads about results: rate changes in points, KPI meanings, the results workbook's About sheet."""
from __future__ import annotations

import io
from datetime import datetime, timezone

import openpyxl
import pandas as pd
import pytest

from core import export, metrics, pipeline, privacy, sample, views
from core.policy import Override, Policy


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return privacy.clean(pipeline.prepare(sample.sample_csv_bytes(), sample.SAMPLE_FILENAME)).events


def test_rate_changes_are_percentage_points_on_scopes_named_as_elsewhere(events) -> None:
    now = metrics.compute_dashboard(events, Policy.default())
    strict = Policy(allowances=(("HIGH", 60), ("MEDIUM", 3600), ("LOW", 86400)))
    edited = metrics.compute_dashboard(events, strict)
    table = views.compare_rates(now, edited).set_index("scope")
    change = views.RATE_CHANGE["tier"]
    row = table.loc["All tier events"]
    assert row[change] == pytest.approx((row["tier SLA edited"] - row["tier SLA now"]) * 100)
    assert row[change] > 1  # stricter allowances: more breaches, by whole points
    assert {"Tier 1", "Tier 2", "Priority HIGH"} <= set(table.index)
    assert not any(s.startswith(("tier:", "priority:")) or "TIER_" in s for s in table.index)


def test_every_kpi_has_plain_words(events) -> None:
    kpis = metrics.compute_dashboard(events, Policy.default()).kpis.columns
    assert [k for k in kpis if views.known_kpi_meaning(k) is None] == []
    assert views.kpi_meaning("tier_over_median_s") == "Median overrun of breached time in tier"
    assert views.kpi_meaning("resolution_tickets") == "Tickets with a measured resolution time"


def test_the_results_workbook_says_what_its_figures_were_computed_from(events) -> None:
    dash = metrics.compute_dashboard(events, Policy.default())
    pol = Policy(allowances=(("HIGH", 3600),), overrides=(Override("HIGH", 600, "TIER_2", "frt"),),
                 pause_statuses=("ON_STANDBY",))
    flt = metrics.Filters(product=("A", "B", "C", "D"), priority=("HIGH",))
    about = views.results_about("march.csv", flt, pol, default_policy=False,
                                generated=datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc))
    book = openpyxl.load_workbook(io.BytesIO(export.workbook_bytes(
        {"About": about, "KPI summary": views.kpi_summary(dash), "Tier events": dash.tier_events.head(5)})))
    assert book.sheetnames == ["About", "KPI summary", "Tier events"]
    items = {r[0]: r[1] for r in book["About"].iter_rows(min_row=2, values_only=True)}
    assert items["File"] == "march.csv" and items["Computed"] == "2026-03-02 09:30 UTC"  # as given by the caller
    assert items["Filters"] == "Priority: HIGH · Product: A, B, C, D"  # every value, not '+1'
    assert items["SLA policy"] == "edited in TierLens: allowances HIGH 1h 00m 00s"
    assert items["Policy overrides"] == "HIGH TIER_2 frt 0h 10m 00s"
    assert items["Paused statuses"] == "ON_STANDBY" and items["Clock"] == "calendar time"
    header = [c.value for c in book["KPI summary"][1]]
    assert header == ["figure", "meaning", "value", "readable"]


def test_no_filter_and_default_policy_are_said_plainly() -> None:
    about = views.results_about("x.csv", metrics.Filters(), Policy.default(), default_policy=True,
                                generated=datetime(2026, 1, 1, tzinfo=timezone.utc)).set_index("item")["value"]
    assert about["Filters"] == "none: every event in the file"
    assert about["SLA policy"].startswith("the default: allowances HIGH 0h 30m 00s, MEDIUM 24h 00m 00s")


def test_counts_read_as_words() -> None:
    assert views.plural(1, "row") == "1 row" and views.plural(2000, "row") == "2,000 rows"
    assert views.plural(0, "ticket") == "0 tickets"


def test_downloads_and_the_results_workbook_never_carry_the_uploads_name() -> None:
    # QA: 'StMarys_Grace-Wanjiku_tickets.csv' gave 'StMarys_Grace-Wanjiku_tickets-anonymized.csv' and an About
    # sheet naming the file: a client and an agent in every shared download.
    assert views.download_name("anonymized.csv") == "tierlens-anonymized.csv"
    words = views.source_words(36, 30)
    assert words.startswith("the upload (36 rows read, 30 events used)") and ".csv" not in words
