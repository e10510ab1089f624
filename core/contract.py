"""The canonical events table every layer after ingest agrees on.

One row per event (a status change in a ticket's timeline). Ingest and schema
mapping produce it; anonymization replaces personal values in it; the SQL in
``sql/`` reads only these columns.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

STATUSES = ("OPEN", "TRIAGE", "ESCALATED", "ON_STANDBY", "IN_PROGRESS", "RESOLVED", "CLOSED")
WAITING_STATUSES = ("OPEN", "ESCALATED", "ON_STANDBY", "TRIAGE")
TIERS = ("TIER_1", "TIER_2", "TIER_3", "TIER_4")
PRIORITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW")

STR = "str"
TS = "datetime64[us]"


@dataclass(frozen=True)
class Column:
    """One column of the contract: its name, dtype, whether it may be null, and meaning."""

    name: str
    dtype: str
    nullable: bool
    personal: bool
    doc: str


COLUMNS: tuple[Column, ...] = (
    Column("source_row", "int64", False, False, "row number in the uploaded file as a spreadsheet shows it"),
    Column("ticket_id", STR, False, False, "the ticket"),
    Column("event_time", TS, True, False, "when this status change happened (naive, in the chosen time zone)"),
    Column("status", STR, True, False, "canonical status (STATUSES) or null when unknown"),
    Column("status_raw", STR, True, False, "the status exactly as the file wrote it"),
    Column("tier", STR, True, False, "canonical tier (TIERS) or null when the event is in no tier"),
    Column("priority", STR, True, False, "canonical priority (PRIORITIES) or null when unknown"),
    Column("work_resolved_time", TS, True, False, "on an IN_PROGRESS row: when that piece of work was resolved"),
    Column("first_response_time", TS, True, False, "first response time stamp, when the file has one"),
    Column("created_time", TS, True, False, "when the ticket was created"),
    Column("product", STR, True, False, "product (generalized when the plan says so)"),
    Column("issue_type", STR, True, False, "issue type"),
    Column("issue_category", STR, True, False, "issue category"),
    Column("issue_status", STR, True, False, "the ticket's current status as exported"),
    Column("region", STR, True, False, "region"),
    Column("country", STR, True, False, "country"),
    Column("client", STR, True, True, "the client (school, company, requester organisation)"),
    Column("agent", STR, True, True, "the agent who handled / resolved the event"),
)

NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
DTYPES: dict[str, str] = {c.name: c.dtype for c in COLUMNS}
PERSONAL: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.personal)
DIMENSIONS: tuple[str, ...] = (
    "tier", "priority", "product", "issue_type", "issue_category", "issue_status",
    "region", "country", "client", "agent",
)
TIMESTAMPS: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.dtype == TS)


class ContractError(ValueError):
    """A frame does not have the contract's columns or types."""


def empty_frame() -> pd.DataFrame:
    """An events table with no rows and every contract column typed.

    >>> list(empty_frame().columns)[:3]
    ['source_row', 'ticket_id', 'event_time']
    >>> len(empty_frame())
    0
    """
    return pd.DataFrame({c.name: pd.Series([], dtype=c.dtype) for c in COLUMNS})


def conform(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy with exactly the contract's columns, in order, cast to their dtypes.

    Missing optional columns are added as nulls; extra columns are dropped.
    A missing required column raises ContractError naming it.
    """
    out = {}
    for c in COLUMNS:
        if c.name in frame.columns:
            s = frame[c.name]
            if c.dtype == TS:
                s = pd.to_datetime(s).astype(TS) if not str(s.dtype) == TS else s
            else:
                s = s.astype(c.dtype)
            out[c.name] = s.reset_index(drop=True)
        elif c.nullable:
            out[c.name] = pd.Series([None] * len(frame), dtype=c.dtype)
        else:
            raise ContractError(f"the events table needs a '{c.name}' column")
    return pd.DataFrame(out)


def validate(frame: pd.DataFrame) -> None:
    """Raise ContractError when ``frame`` does not follow the contract exactly."""
    missing = [n for n in NAMES if n not in frame.columns]
    if missing:
        raise ContractError(f"missing contract columns: {', '.join(missing)}")
    for c in COLUMNS:
        got = str(frame[c.name].dtype)
        if got != c.dtype:
            raise ContractError(f"column '{c.name}' has dtype {got}, expected {c.dtype}")
        if not c.nullable and frame[c.name].isna().any():
            raise ContractError(f"column '{c.name}' may not be empty")
