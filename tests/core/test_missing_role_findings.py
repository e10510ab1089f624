"""A role the figures need that no column holds is said in the data-quality report, not left as a silent '0 rated'."""
from __future__ import annotations

import pytest

from core import metrics, pipeline, sample
from tests.core import filemakers as fm

HEAD = ["ticket_id", "event_timestamp", "timeline_status", "escalation_level", "priority_level"]
ROWS = [["A", "2025-01-01 10:00", "OPEN", "TIER_1", "HIGH"], ["A", "2025-01-01 11:00", "IN_PROGRESS", "TIER_1", "HIGH"]]


def _kinds(prepared) -> list[str]:
    return [f.kind for f in prepared.quality.findings if f.kind.startswith("no_")]


def test_a_complete_export_has_no_such_finding() -> None:
    assert _kinds(pipeline.prepare(sample.sample_csv_bytes(), sample.SAMPLE_FILENAME)) == []


def test_without_a_work_resolved_column_time_in_tier_is_said_to_be_unmeasurable() -> None:
    # 'Resolution Time' is when the ticket was resolved, not when the tier's work was: it is not used as one
    data = fm.csv_bytes([HEAD + ["Resolution Time"], *(r + ["2025-01-01 12:00"] for r in ROWS)])
    prepared = pipeline.prepare(data, "x.csv")
    assert _kinds(prepared) == ["no_work_resolved_time_column"]
    finding = next(f for f in prepared.quality.findings if f.kind == "no_work_resolved_time_column")
    assert "time in tier" in finding.message and "column mapping" in finding.message
    assert finding.count == len(prepared.events)
    kpis = metrics.compute_dashboard(prepared.events).kpis.iloc[0]
    assert kpis["tier_events"] == 1 and kpis["tier_rated"] == 0  # what the finding explains


@pytest.mark.parametrize("dropped, kind", [(3, "no_tier_column"), (4, "no_priority_column")])
def test_without_a_tier_or_priority_column_the_report_says_what_is_lost(dropped: int, kind: str) -> None:
    head = [h for i, h in enumerate(HEAD) if i != dropped] + ["work_resolved_time"]
    rows = [[v for i, v in enumerate(r) if i != dropped] + ["2025-01-01 12:00"] for r in ROWS]
    prepared = pipeline.prepare(fm.csv_bytes([head, *rows]), "x.csv")
    assert kind in _kinds(prepared)
