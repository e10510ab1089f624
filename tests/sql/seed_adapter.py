"""Builds a contract events table from the real export, for tests only (core.pipeline does it for users)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from core import contract

RENAMES = {
    "issue_tracker": "ticket_id",
    "event_timestamp": "event_time",
    "timeline_status": "status",
    "escalation_level": "tier",
    "priority_level": "priority",
    "resolution_timestamp": "work_resolved_time",
    "first_response_timestamp": "first_response_time",
    "Ticket Creation Date": "created_time",
    "Issue Type": "issue_type",
    "Region": "region",
    "Country": "country",
    "School Name": "client",
    "Resolved By Name": "agent",
}


def read_seed(path: Path) -> tuple[pd.DataFrame, int]:
    """The export's rows after removing exact duplicates, with their Excel row numbers."""
    raw = pd.read_excel(path, engine="calamine")
    raw.insert(0, "__row", range(2, len(raw) + 2))  # header is Excel row 1
    dedup = raw.drop_duplicates(subset=[c for c in raw.columns if c != "__row"], keep="first")
    return dedup, len(raw) - len(dedup)


def seed_events(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """(contract events, the deduplicated raw rows keyed by source_row, duplicates removed)."""
    raw, removed = read_seed(path)
    frame = raw.rename(columns={**RENAMES, "__row": "source_row"})
    frame["ticket_id"] = frame["ticket_id"].astype("int64").astype(str)
    frame["tier"] = frame["tier"].where(frame["tier"] != "UNGROUPED")
    frame["status_raw"] = frame["status"]
    events = contract.conform(frame)
    contract.validate(events)
    return events, raw.rename(columns={"__row": "source_row"}), removed
