"""The original's way: pandas read_csv, a per-value try-each-format date parser, groupby and merge_asof."""
from __future__ import annotations

import io
import time
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from bench.floor import check  # the same per-tier figures, compared across the three ways
from core.policy import Policy, allowance_table

# The three formats the export writes, tried in turn for every value (as the original script did).
FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S")
DATE_COLUMNS = ("event_timestamp", "first_response_timestamp", "resolution_timestamp", "Ticket Creation Date")
WAITING = ("OPEN", "ESCALATED", "ON_STANDBY", "TRIAGE")
TIERS = ("TIER_1", "TIER_2", "TIER_3", "TIER_4")


def parse_any(value: object) -> datetime | None:
    """One cell: the first format that reads it, else None."""
    if not isinstance(value, str):
        return None
    for fmt in FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def _allowances() -> dict[tuple[str, str, str], float]:
    table = allowance_table(Policy.default())
    return {(r.metric, r.priority, r.tier): float(r.allowance_s) for r in table.itertuples()}


def tier_metrics(df: pd.DataFrame) -> pd.DataFrame:
    """Per tier: tier events, responded, breaches and median FRT, with merge_asof and groupby."""
    tiered = df[df["escalation_level"].isin(TIERS)]
    waits = tiered[tiered["timeline_status"].isin(WAITING)][
        ["issue_tracker", "escalation_level", "priority_level", "event_timestamp"]].sort_values("event_timestamp")
    responses = tiered[tiered["timeline_status"] == "IN_PROGRESS"][
        ["issue_tracker", "escalation_level", "event_timestamp", "resolution_timestamp"]]
    responses = responses.rename(columns={"event_timestamp": "response_time"}).sort_values("response_time")
    m = pd.merge_asof(waits, responses, left_on="event_timestamp", right_on="response_time",
                      by=["issue_tracker", "escalation_level"], direction="forward", allow_exact_matches=False)
    m["frt_s"] = (m["response_time"] - m["event_timestamp"]).dt.total_seconds()
    m["tier_s"] = (m["resolution_timestamp"] - m["event_timestamp"]).dt.total_seconds()
    allow = _allowances()
    keys = list(zip(m["priority_level"], m["escalation_level"]))
    m["frt_allow"] = [allow.get(("frt", p, t), np.nan) for p, t in keys]
    m["tier_allow"] = [allow.get(("tier", p, t), np.nan) for p, t in keys]
    m["frt_breached"] = (m["frt_s"] >= 0) & (m["frt_s"] > m["frt_allow"])
    m["tier_breached"] = (m["tier_s"] >= 0) & (m["tier_s"] > m["tier_allow"])
    m["frt_ok"] = m["frt_s"].where(m["frt_s"] >= 0)
    return m.groupby("escalation_level").agg(
        tier_events=("issue_tracker", "size"), responded=("response_time", "count"),
        frt_breached=("frt_breached", "sum"), tier_breached=("tier_breached", "sum"),
        frt_median_s=("frt_ok", "median"),
    ).reset_index().rename(columns={"escalation_level": "tier"})


def run(data: bytes) -> tuple[float, dict[str, float], dict[str, dict[str, Any]]]:
    """(total seconds, seconds per stage, per-tier check) for one run from the file's bytes."""
    t0 = time.perf_counter()
    df = pd.read_csv(io.BytesIO(data))
    t1 = time.perf_counter()
    df = df.drop_duplicates()
    t2 = time.perf_counter()
    for column in DATE_COLUMNS:
        df[column] = pd.to_datetime(df[column].apply(parse_any))
    t3 = time.perf_counter()
    result = tier_metrics(df)
    t4 = time.perf_counter()
    stages = {"read": t1 - t0, "dedup": t2 - t1, "dates": t3 - t2, "merge_asof_metrics": t4 - t3}
    return t4 - t0, stages, check(result)

