"""One measurement in this (fresh) process: ``python -m bench.worker '<json spec>'`` prints one JSON line.

The spec names the kind (ours | floor | original), the file and the repeats; the process's
peak RSS (``ru_maxrss``) is then that measurement's alone.
"""
from __future__ import annotations

import gc
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any


def peak_rss_mb() -> float:
    """High-water resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:  # not Linux: the peak is the best we have
        return peak_rss_mb()


def measure_ours(spec: dict[str, Any], data: bytes) -> dict[str, Any]:
    from bench import ours  # imports are outside every figure: the app has them loaded already

    out: dict[str, Any] = {"runs_s": [], "clean_file_runs_s": [], "cpu_runs_s": [], "stage_runs": []}
    run = None
    for _ in range(spec.get("repeat", 3)):
        run = None  # the previous run's tables are freed before the next one is built
        gc.collect()
        run = ours.end_to_end(data, spec["filename"])
        out["runs_s"].append(run.total_s)
        out["clean_file_runs_s"].append(run.clean_file_s)
        out["cpu_runs_s"].append(run.cpu_s)
        out["stage_runs"].append(run.stages)
    out["peak_rss_mb"] = peak_rss_mb()
    out["check"] = ours.tier_check(run.dashboard.tier_events)
    events = run.cleaned.events
    out["rows"] = {"file": run.prepared.raw.rows_read, "events": len(events),
                   "tier_events": len(run.dashboard.tier_events), "columns": run.prepared.raw.frame.shape[1]}
    out["missing_stage_functions"] = [f"{m}.{n}" for _, m, n in ours.STAGE_FUNCTIONS
                                      if not hasattr(sys.modules.get(m), n)]
    clean = run.cleaned.anonymized.clean
    run = None
    gc.collect()
    filters = [ours.filter_change(events) for _ in range(spec.get("filter_repeat", 0))]
    out["filter_runs_s"] = [wall for wall, _ in filters]
    out["filter_cpu_runs_s"] = [cpu for _, cpu in filters]
    if spec.get("exports"):
        out["exports"] = ours.export_times(clean, spec.get("export_repeat", 1), spec.get("xlsx_rows"))
    out["peak_rss_with_extras_mb"] = peak_rss_mb()
    return out


def measure_reference(module, spec: dict[str, Any], data: bytes) -> dict[str, Any]:
    """Runs until ``repeat`` or until another run would pass ``budget_s``; each run is also
    printed as a partial line, so a parent that stops this process keeps the finished runs."""
    out: dict[str, Any] = {"runs_s": [], "stage_runs": []}
    budget = spec.get("budget_s")
    started = time.perf_counter()
    for _ in range(spec.get("repeat", 3)):
        if budget and out["runs_s"] and time.perf_counter() - started + out["runs_s"][-1] > budget:
            out["stopped_by_budget"] = True
            break
        gc.collect()
        seconds, stages, check = module.run(data)
        out["runs_s"].append(seconds)
        out["stage_runs"].append(stages)
        out["check"] = check
        out["peak_rss_mb"] = peak_rss_mb()
        sys.stdout.write(json.dumps({"partial": True, **out}) + "\n")
        sys.stdout.flush()
    return out


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the measurement ``spec`` describes in this process and return its figures."""
    t0 = time.perf_counter()
    load = os.getloadavg()[0]
    data = Path(spec["path"]).read_bytes()
    baseline = current_rss_mb()
    kind = spec["kind"]
    if kind == "ours":
        out = measure_ours(spec, data)
    elif kind == "floor":
        from bench import floor
        out = measure_reference(floor, spec, data)
    elif kind == "original":
        from bench import original
        out = measure_reference(original, spec, data)
    elif kind == "app":
        from bench import app_pages
        out = app_pages.measure(data, spec["filename"])
        out["peak_rss_mb"] = peak_rss_mb()
    else:
        raise ValueError(f"unknown kind {kind!r}")
    out.update(kind=kind, rss_baseline_mb=baseline, load_average_at_start=load, file_mb=len(data) / 2**20,
               worker_s=time.perf_counter() - t0)
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    spec = json.loads(argv[0])
    result = measure(spec)
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
