"""Our chain, timed stage by stage: upload bytes -> prepare -> anonymize -> every dashboard table."""
from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterator

import pandas as pd

from core import export, metrics, pipeline, privacy
from core.policy import Policy

# (stage, module, function): each call of the function is timed while a run is measured.
# The functions are looked up on their module at call time by the chain, so wrapping the
# module attribute sees every call; a name that no longer exists is skipped and its time
# lands in the "other" stages.
STAGE_FUNCTIONS = (
    ("read", "core.ingest", "read_table"),
    ("roles", "core.schema", "detect_mapping"),
    ("fanout_dedup", "core.pipeline", "_drop_fanout"),
    ("dates", "core.pipeline", "_parse_dates"),
    ("events", "core.pipeline", "_build_events"),
    ("anonymize_events", "core.anonymize", "anonymize_events_first"),
    ("anonymize_wide", "core.anonymize", "_anonymize_wide"),
    ("leak_check", "core.anonymize", "leak_check"),
    ("metrics", "core.metrics", "compute_dashboard"),
)
# Stage order of the report. The first ones add up to the end-to-end time (upload bytes to every
# dashboard table); *_other are the parts of prepare() / clean() outside the named calls. The
# anonymized download table and its leak check run after the dashboards ("after_" stages), in
# their own thread in the app while the user reads the dashboards; their end is clean_file_s.
E2E_STAGES = ("read", "roles", "fanout_dedup", "dates", "events", "prepare_other",
              "anonymize_events", "clean_other", "metrics", "after_anonymize_wide", "after_leak_check")
HIGH_ONLY = metrics.Filters(priority=("HIGH",))


@dataclass
class StageClock:
    """Seconds spent in each instrumented function during the current run."""

    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    missing: list[str] = field(default_factory=list)


@contextlib.contextmanager
def instrumented() -> Iterator[StageClock]:
    """Wrap the STAGE_FUNCTIONS with timers for the duration of the block."""
    clock = StageClock()
    saved = []
    for stage, module_name, name in STAGE_FUNCTIONS:
        module = importlib.import_module(module_name)
        original = getattr(module, name, None)
        if original is None:
            clock.missing.append(f"{module_name}.{name}")
            continue

        def timed(*args, __f=original, __stage=stage, **kwargs):
            t0 = time.perf_counter()
            try:
                return __f(*args, **kwargs)
            finally:
                clock.seconds[__stage] += time.perf_counter() - t0

        functools.update_wrapper(timed, original)
        setattr(module, name, timed)
        saved.append((module, name, original))
    try:
        yield clock
    finally:
        for module, name, original in saved:
            setattr(module, name, original)


@dataclass
class Run:
    """One end-to-end run: seconds to the dashboards and to the clean file, seconds per stage, and what it produced."""

    total_s: float  # upload bytes to every dashboard table (the end-to-end figure)
    clean_file_s: float  # upload bytes to the anonymized download table with its leak check done
    cpu_s: float  # CPU seconds of this process (all threads) to the clean file: less sensitive to a busy machine
    stages: dict[str, float]
    prepared: pipeline.Prepared
    cleaned: privacy.Cleaned
    dashboard: metrics.Dashboard


def end_to_end(data: bytes, filename: str, policy: Policy | None = None) -> Run:
    """Upload bytes to every dashboard table, as the app does on an upload (state.load_upload):
    prepare, tokenize the events, compute the opening dashboard; then the anonymized wide table
    and its leak check (in the app they run in a thread while the user reads the dashboards;
    here they are waited for, and timed as clean_file_s)."""
    policy = policy or Policy.default()
    with instrumented() as clock:
        c0 = time.process_time()
        t0 = time.perf_counter()
        prepared = pipeline.prepare(data, filename)
        t1 = time.perf_counter()
        cleaned = privacy.clean(prepared, background=True)
        t2 = time.perf_counter()
        dashboard = metrics.compute_dashboard(cleaned.events, policy, metrics.Filters.none())
        t3 = time.perf_counter()
        cleaned.start()
        _ = cleaned.leaks
        t4 = time.perf_counter()
        cpu = time.process_time() - c0
    s = dict(clock.seconds)
    stages = {k: s.get(k, 0.0) for k in ("read", "roles", "fanout_dedup", "dates", "events")}
    stages["prepare_other"] = (t1 - t0) - sum(stages.values())
    stages["anonymize_events"] = s.get("anonymize_events", 0.0)
    stages["clean_other"] = (t2 - t1) - s.get("anonymize_events", 0.0)
    stages["metrics"] = s.get("metrics", 0.0)
    stages["after_anonymize_wide"] = s.get("anonymize_wide", 0.0)
    stages["after_leak_check"] = s.get("leak_check", 0.0)
    return Run(t3 - t0, t4 - t0, cpu, stages, prepared, cleaned, dashboard)


def timed(fn, *args, **kwargs) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return time.perf_counter() - t0, out


def filter_change(events: pd.DataFrame, policy: Policy | None = None) -> tuple[float, float]:
    """(wall, CPU) seconds for a page's tables after the user picks priority HIGH (events already loaded)."""
    c0 = time.process_time()
    seconds = timed(metrics.compute_dashboard, events, policy or Policy.default(), HIGH_ONLY)[0]
    return seconds, time.process_time() - c0


def export_times(clean: pd.DataFrame, repeat: int, xlsx_rows: int | None) -> dict[str, Any]:
    """Seconds to write the anonymized wide table as CSV and Parquet (median of ``repeat``) and XLSX (once).

    XLSX is written for at most ``xlsx_rows`` rows (it is slow) and scaled to the full table
    and to export.XLSX_ROW_LIMIT; a table over the limit must be refused (ExportError).
    """
    out: dict[str, Any] = {"rows": len(clean)}
    for kind, writer in (("csv", export.to_csv_bytes), ("parquet", export.to_parquet_bytes)):
        runs = []
        for _ in range(repeat):
            seconds, data = timed(writer, clean)
            runs.append(seconds)
            out[f"{kind}_mb"] = round(len(data) / 2**20, 1)
            del data
        out[f"{kind}_runs"] = runs
    limit = export.XLSX_ROW_LIMIT
    out["xlsx_row_limit"] = limit
    if len(clean) > limit:
        try:
            export.to_xlsx_bytes(clean)
            out["xlsx_refused_over_limit"] = False
        except export.ExportError:
            out["xlsx_refused_over_limit"] = True
    rows = min(len(clean), limit, xlsx_rows if xlsx_rows is not None else len(clean))
    if rows:
        seconds, data = timed(export.to_xlsx_bytes, clean.iloc[:rows])
        out.update(xlsx_rows_written=rows, xlsx_written_s=seconds, xlsx_mb=round(len(data) / 2**20, 1),
                   xlsx_s_per_1000_rows=seconds / rows * 1000)
        del data
    gc.collect()
    return out


def tier_check(tier_events: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per tier: tier events, responded, FRT / time-in-tier breaches, median FRT (to compare the references)."""
    out = {}
    for tier, g in tier_events.groupby("tier", sort=True):
        frt = g["frt_s"].astype("float64")
        out[str(tier)] = {
            "tier_events": int(len(g)),
            "responded": int(g["response_time"].notna().sum()),
            "frt_breached": int(g["frt_breached"].fillna(False).astype(bool).sum()),
            "tier_breached": int(g["tier_breached"].fillna(False).astype(bool).sum()),
            "frt_median_s": float(frt[frt >= 0].median()) if (frt >= 0).any() else None,
        }
    return out
