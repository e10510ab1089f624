"""Tiny hand-made event logs for SQL tests: one tuple per event, row numbers in order."""
from __future__ import annotations

from typing import Any

import pandas as pd

from core import contract

DAY = "2025-03-03"  # a Monday


def log(*rows: tuple, **defaults: Any) -> pd.DataFrame:
    """Contract events from (ticket, time, status, tier[, priority[, work_resolved[, extras]]]).

    Times are 'HH:MM[:SS]' on DAY or full 'YYYY-MM-DD HH:MM[:SS]'; source_row starts at 2.
    ``defaults`` fill dimension columns (product, agent, ...) for every row; a dict as the
    last tuple item overrides them for that row.
    """
    records = []
    for i, row in enumerate(rows):
        extras = row[-1] if isinstance(row[-1], dict) else {}
        row = row[:-1] if extras else row
        ticket, at, status, tier, *rest = row
        priority = rest[0] if rest else "HIGH"
        resolved = rest[1] if len(rest) > 1 else None
        records.append({
            "source_row": i + 2, "ticket_id": str(ticket), "event_time": stamp(at),
            "status": status, "status_raw": status, "tier": tier, "priority": priority,
            "work_resolved_time": stamp(resolved), **defaults, **extras,
        })
    if not records:
        return contract.empty_frame()
    return contract.conform(pd.DataFrame(records))


def stamp(at: str | None) -> pd.Timestamp | None:
    if at is None:
        return None
    return pd.Timestamp(at if "-" in at else f"{DAY} {at}")
