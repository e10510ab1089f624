"""The floor: the least work that gives our tier metrics (typed pyarrow read, explicit formats, DuckDB as-of join)."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from core import sample
from core.policy import Policy, allowance_table

SQL = (Path(__file__).resolve().parent / "sql" / "floor_tier_metrics.sql").read_text(encoding="utf-8")
# The file's layout is known in advance: no sniffing, no detection.
INT_COLUMNS = ("issue_tracker", "assigned_by", "assigned_to", "resolved_by")
FLOAT_COLUMNS = ("frt_seconds", "time_in_tier_seconds", "resolution_time_seconds", "closing_time_seconds",
                 "frt_breached", "tier_sla_breached")
SCHEMA = {h: pa.int64() if h in INT_COLUMNS else pa.float64() if h in FLOAT_COLUMNS else pa.string()
          for h in sample.HEADERS}
# The same date columns as our contract parses; the writer's three formats, tried in turn.
DATE_COLUMNS = {"event_time": "event_timestamp", "work_resolved_time": "resolution_timestamp",
                "first_response_time": "first_response_timestamp", "created_time": "Ticket Creation Date"}
FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S")
ALLOWANCES = allowance_table(Policy.default())  # priority, tier, metric (frt | tier), allowance_s


def read(data: bytes) -> pa.Table:
    return pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(encoding="utf8"),
        convert_options=pacsv.ConvertOptions(column_types=SCHEMA, strings_can_be_null=True),
    )


def parse_dates(table: pa.Table) -> pa.Table:
    """The date columns parsed with explicit formats (a value takes the first format that fits)."""
    columns = {}
    for name, source in DATE_COLUMNS.items():
        text = table[source]
        columns[name] = pc.coalesce(*(pc.strptime(text, format=f, unit="s", error_is_null=True) for f in FORMATS))
    keys = {"ticket_id": table["issue_tracker"], "status": table["timeline_status"],
            "tier": table["escalation_level"], "priority": table["priority_level"]}
    return pa.table({**keys, **columns})


def tier_metrics(events: pa.Table) -> pd.DataFrame:
    with duckdb.connect() as con:
        con.register("ev", events)
        con.register("allowances", ALLOWANCES)
        return con.sql(SQL).to_arrow_table().to_pandas()


def run(data: bytes) -> tuple[float, dict[str, float], dict[str, dict[str, Any]]]:
    """(total seconds, seconds per stage, per-tier check) for one run from the file's bytes."""
    t0 = time.perf_counter()
    table = read(data)
    t1 = time.perf_counter()
    events = parse_dates(table)
    t2 = time.perf_counter()
    result = tier_metrics(events)
    t3 = time.perf_counter()
    return t3 - t0, {"read": t1 - t0, "dates": t2 - t1, "asof_metrics": t3 - t2}, check(result)


def check(result: pd.DataFrame) -> dict[str, dict[str, Any]]:
    out = {}
    for row in result.to_dict("records"):
        median = row["frt_median_s"]
        out[str(row["tier"])] = {
            "tier_events": int(row["tier_events"]), "responded": int(row["responded"]),
            "frt_breached": int(row["frt_breached"]), "tier_breached": int(row["tier_breached"]),
            "frt_median_s": None if pd.isna(median) else float(median),
        }
    return out

