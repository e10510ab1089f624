"""``python -m bench``: generate (or reuse) the files, measure each in fresh processes, check targets, report."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from bench import data as bench_data

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"
BIG = 1_000_000  # from this size on, quick mode measures once


@dataclass(frozen=True)
class Settings:
    """How much to measure: repeats, budgets, the XLSX export slice."""

    quick: bool
    sizes: tuple[str, ...]
    xlsx_size: str | None
    seed: int
    data_dir: Path
    in_process: bool = False  # measure in this process (tests): no fresh process, RSS not per measurement
    original_budget_big_s: float | None = None
    runs: int | None = None  # force this many runs of everything (tests)

    def repeat(self, events: int, kind: str = "csv") -> int:
        """3 runs; 1 in quick mode at 1M and for the (slow to read) XLSX file."""
        if self.runs is not None:
            return self.runs
        return 1 if self.quick and (events >= BIG or kind == "xlsx") else 3

    def original_budget(self, events: int) -> float | None:
        """Seconds after which the original's way is stopped (None: never)."""
        if events < BIG:
            return None
        if self.original_budget_big_s is not None:
            return self.original_budget_big_s
        return 20.0 if self.quick else 240.0

    @property
    def xlsx_export_rows(self) -> int | None:
        """Rows written to XLSX per size (None = the whole table, up to the limit)."""
        return 10_000 if self.quick else None


# --------------------------------------------------------------------------- measuring


def _worker(spec: dict[str, Any], settings: Settings, timeout: float | None, log: Callable) -> dict[str, Any]:
    """Run one measurement in a fresh process (or here, for tests); on timeout keep the finished runs."""
    if settings.in_process:
        from bench import worker
        return worker.measure(spec)
    cmd = [sys.executable, "-m", "bench.worker", json.dumps(spec)]
    try:
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        partial = _last_json(exc.stdout)
        log(f"  stopped after {timeout:.0f} s")
        return {**(partial or {"runs_s": []}), "kind": spec["kind"], "stopped_after_s": timeout}
    if done.returncode != 0:
        raise RuntimeError(f"bench worker {spec['kind']} on {spec['path']} failed:\n{done.stderr[-4000:]}")
    result = _last_json(done.stdout)
    if result is None:
        raise RuntimeError(f"bench worker {spec['kind']} printed no result:\n{done.stderr[-4000:]}")
    return result


def _last_json(text: str | bytes | None) -> dict[str, Any] | None:
    if not text:
        return None
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    for line in reversed(text.strip().splitlines()):
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            continue
    return None


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _stage_medians(stage_runs: list[dict[str, float]]) -> dict[str, float]:
    if not stage_runs:
        return {}
    return {f"{k}_s": statistics.median(r.get(k, 0.0) for r in stage_runs) for k in stage_runs[0]}


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def measure_size(ds: bench_data.Dataset, settings: Settings, log: Callable) -> dict[str, Any]:
    """Ours (with filter change and exports), the floor and the original's way on one CSV file."""
    repeat = settings.repeat(ds.events)
    base = {"path": str(ds.path), "filename": ds.filename, "repeat": repeat}
    log(f"[{ds.label}] ours x{repeat} (+ filter change, exports) ...")
    ours = _worker({**base, "kind": "ours", "filter_repeat": repeat if settings.runs else max(repeat, 5 if ds.events < BIG else 1),
                    "exports": True, "export_repeat": repeat, "xlsx_rows": settings.xlsx_export_rows},
                   settings, 3600, log)
    log(f"[{ds.label}] floor x{repeat} ...")
    floor = _worker({**base, "kind": "floor"}, settings, 1800, log)
    budget = settings.original_budget(ds.events)
    log(f"[{ds.label}] original's way x{repeat}" + (f" (stopped after {budget:.0f} s)" if budget else "") + " ...")
    original = _worker({**base, "kind": "original", "budget_s": budget}, settings,
                       budget + 15 if budget else 3600, log)
    app = None
    if not (settings.quick and ds.events >= BIG):
        log(f"[{ds.label}] the app's pages, once (AppTest) ...")
        app = _worker({**base, "kind": "app"}, settings, 1800, log)
    return {**summarize_size(ds, ours, floor, original, budget), "app": _app_summary(app)}


def _app_summary(app: dict[str, Any] | None) -> dict[str, Any] | None:
    """The app's script runs (bench/app_pages.py), one run each: a profile of the pages, not a target."""
    if app is None:
        return None
    keys = ("upload_s", "first_visit_s", "again_s", "filter_sla_s", "slowest_first_visit", "peak_rss_mb")
    return {k: app.get(k) for k in keys}


def summarize_size(ds: bench_data.Dataset, ours: dict, floor: dict, original: dict,
                   budget: float | None) -> dict[str, Any]:
    ours_s, floor_s = _median(ours["runs_s"]), _median(floor["runs_s"])
    stopped = not original.get("runs_s")
    original_s = budget if stopped else _median(original["runs_s"])
    stages = _stage_medians(ours["stage_runs"])
    exports = ours.get("exports", {})
    stages.update(_export_stages(exports))
    checks = {"ours": ours.get("check"), "floor": floor.get("check"), "original": original.get("check")}
    given = [c for c in checks.values() if c is not None]
    return {
        "events": ds.events,
        "file_mb": round(ours["file_mb"], 1),
        "ours_s": ours_s,
        "clean_file_s": _median(ours.get("clean_file_runs_s", [])),
        "floor_s": floor_s,
        "original_s": original_s,
        "original_stopped": stopped,
        "original_limit_s": budget,
        "ours_over_floor": _ratio(ours_s, floor_s),
        "original_over_ours": _ratio(original_s, ours_s),
        "peak_rss_mb": round(ours["peak_rss_mb"]),
        "peak_rss_with_exports_mb": round(ours["peak_rss_with_extras_mb"]),
        "floor_peak_rss_mb": round(floor["peak_rss_mb"]),
        "original_peak_rss_mb": None if stopped else round(original["peak_rss_mb"]),
        "filter_change_s": _median(ours.get("filter_runs_s", [])),
        "filter_change_cpu_s": _median(ours.get("filter_cpu_runs_s", [])),
        "stages": stages,
        "floor_stages": _stage_medians(floor["stage_runs"]),
        "original_stages": _stage_medians(original.get("stage_runs", [])),
        "ours_cpu_s": _median(ours.get("cpu_runs_s", [])),
        "runs": {"ours_s": ours["runs_s"], "clean_file_s": ours.get("clean_file_runs_s", []),
                 "ours_cpu_s": ours.get("cpu_runs_s", []), "floor_s": floor["runs_s"],
                 "original_s": original.get("runs_s", []), "filter_change_s": ours.get("filter_runs_s", []),
                 "filter_change_cpu_s": ours.get("filter_cpu_runs_s", [])},
        "load_average": {k: w.get("load_average_at_start") for k, w in
                         (("ours", ours), ("floor", floor), ("original", original))},
        "rows": ours.get("rows", {}),
        "exports": exports,
        "tier_metrics_agree": all(c == given[0] for c in given[1:]) if given else None,
        "tier_metrics": checks["ours"],
        "missing_stage_functions": ours.get("missing_stage_functions", []),
    }


def _export_stages(exports: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in ("csv", "parquet"):
        if exports.get(f"{kind}_runs"):
            out[f"export_{kind}_s"] = statistics.median(exports[f"{kind}_runs"])
    rows, written = exports.get("rows"), exports.get("xlsx_rows_written")
    if written and rows and rows <= exports.get("xlsx_row_limit", rows):
        # scaled linearly when only a slice was written (quick mode): XLSX time is per cell
        out["export_xlsx_s"] = exports["xlsx_written_s"] * rows / written
        out["export_xlsx_estimated"] = written < rows
    return out


def measure_xlsx(ds: bench_data.Dataset, settings: Settings, log: Callable) -> dict[str, Any]:
    repeat = settings.repeat(ds.events, "xlsx")
    log(f"[xlsx {ds.label}] ours x{repeat} ...")
    ours = _worker({"path": str(ds.path), "filename": ds.filename, "repeat": repeat, "kind": "ours"},
                   settings, 3600, log)
    stages = _stage_medians(ours["stage_runs"])
    return {
        "events": ds.events,
        "file_mb": round(ours["file_mb"], 1),
        "ingest_s": stages.get("read_s"),
        "ours_s": _median(ours["runs_s"]),
        "clean_file_s": _median(ours.get("clean_file_runs_s", [])),
        "peak_rss_mb": round(ours["peak_rss_mb"]),
        "stages": stages,
        "ours_cpu_s": _median(ours.get("cpu_runs_s", [])),
        "runs": {"ours_s": ours["runs_s"], "ours_cpu_s": ours.get("cpu_runs_s", [])},
        "load_average": {"ours": ours.get("load_average_at_start")},
        "tier_metrics": ours.get("check"),
    }


# --------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    name: str
    figure: str  # "<size>.<key>" path into the results
    op: str  # "<=" or ">="
    limit: float
    unit: str


TARGETS = (
    Target("1M events CSV end to end", "sizes.1M.ours_s", "<=", 5.0, "s"),
    Target("1M events: ours / floor", "sizes.1M.ours_over_floor", "<=", 3.0, "x"),
    Target("100k events CSV end to end", "sizes.100k.ours_s", "<=", 1.0, "s"),
    Target("XLSX ingest at 100k", "xlsx_100k.ingest_s", "<=", 3.0, "s"),
    Target("original's way / ours at 100k", "sizes.100k.original_over_ours", ">=", 30.0, "x"),
    Target("peak memory at 1M (end to end)", "sizes.1M.peak_rss_mb", "<=", 3072.0, "MB"),
    Target("filter change on 100k", "sizes.100k.filter_change_s", "<=", 0.3, "s"),
    Target("export CSV of 1M rows", "sizes.1M.stages.export_csv_s", "<=", 2.0, "s"),
    Target("export Parquet of 1M rows", "sizes.1M.stages.export_parquet_s", "<=", 2.0, "s"),
)


def _lookup(results: dict[str, Any], path: str) -> Any:
    node: Any = results
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def check_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Pass / fail per target (None when the figure was not measured in this run).

    ``one_run`` marks a time of our chain measured once (quick mode at 1M and for the XLSX file):
    that run is the first in its process, a cold one, not the median the target is about.
    """
    out = []
    for t in TARGETS:
        value = _lookup(results, t.figure)
        # a stopped original's time is a lower bound: its ratio still passes a ">=" target honestly
        ok = None if value is None else (value <= t.limit if t.op == "<=" else value >= t.limit)
        parts = t.figure.split(".")
        block = ".".join(parts[:2] if parts[0] == "sizes" else parts[:1])  # sizes.1M / xlsx_100k
        ours_runs = _lookup(results, f"{block}.runs.ours_s") or []
        timed_chain = parts[-1] in ("ours_s", "ours_over_floor", "ingest_s")
        out.append({"target": t.name, "figure": t.figure, "value": value, "op": t.op, "limit": t.limit, "unit": t.unit,
                    "pass": ok, "one_run": value is not None and timed_chain and len(ours_runs) == 1})
    out.append(_xlsx_offer_target(results))
    return out


def _xlsx_offer_target(results: dict[str, Any]) -> dict[str, Any]:
    """XLSX is written for tables up to XLSX_ROW_LIMIT and refused (CSV/Parquet offered) above it."""
    written, refused, limit, at_limit = [], [], None, None
    for size in results.get("sizes", {}).values():
        e = size.get("exports", {})
        limit = e.get("xlsx_row_limit", limit)
        if e.get("xlsx_rows_written"):
            written.append(True)
            at_limit = e["xlsx_s_per_1000_rows"] * e["xlsx_row_limit"] / 1000
        if "xlsx_refused_over_limit" in e:
            refused.append(e["xlsx_refused_over_limit"])
    ok = (bool(written) and all(refused)) if written and refused else None
    return {"target": "XLSX export offered up to the row limit, refused above (time at the limit, est.)",
            "figure": "sizes.*.exports", "value": at_limit, "op": "offered", "limit": limit, "unit": "s", "pass": ok}


# --------------------------------------------------------------------------- report


def machine() -> dict[str, Any]:
    import duckdb
    import numpy
    import pandas
    import pyarrow

    cpu = ""
    try:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), "")
        mem = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal"))
        mem_gb = round(mem / 2**20, 1)
    except (OSError, StopIteration):
        mem_gb = None
    return {
        "platform": platform.platform(), "python": platform.python_version(), "cpu": cpu,
        "cores": os.cpu_count(), "memory_gb": mem_gb,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "versions": {"pandas": pandas.__version__, "pyarrow": pyarrow.__version__, "duckdb": duckdb.__version__,
                     "numpy": numpy.__version__},
        "git": _git(),
    }


def _git() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    changed = [line.split(maxsplit=1)[-1] for line in git("status", "--porcelain", "--", "core", "sql").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_core_or_sql": changed}


def _s(value: float | None, lower_bound: bool = False) -> str:
    if value is None:
        return "-"
    text = f"{value:.2f} s" if value < 100 else f"{value:.0f} s"
    return f"> {text}" if lower_bound else text


def _x(value: float | None, lower_bound: bool = False) -> str:
    if value is None:
        return "-"
    return f"{'>= ' if lower_bound else ''}{value:.1f}x"


def table(results: dict[str, Any]) -> str:
    """The printed summary: one column per file, one row per figure, then the targets."""
    cols = [(label, s) for label, s in results.get("sizes", {}).items()]
    xlsx_key = next((k for k in results if k.startswith("xlsx_")), None)
    xlsx = results.get(xlsx_key) if xlsx_key else None
    headers = [f"CSV {label}" for label, _ in cols] + ([f"XLSX {xlsx_key[5:]}"] if xlsx_key else [])
    rows: list[tuple[str, list[str]]] = []
    stage_names = list(dict.fromkeys(k for _, s in cols for k in s["stages"] if k.endswith("_s")))

    def line(name: str, per_size: Callable[[dict], str], for_xlsx: Callable[[dict], str] | None = None) -> None:
        values = [per_size(s) for _, s in cols]
        if xlsx:
            values.append(for_xlsx(xlsx) if for_xlsx else "")
        rows.append((name, values))

    line("events", lambda s: f"{s['events']:,}", lambda s: f"{s['events']:,}")
    line("file", lambda s: f"{s['file_mb']:.0f} MB", lambda s: f"{s['file_mb']:.0f} MB")
    for k in stage_names:
        label = k[:-2].replace("_", " ")
        note = lambda s, k=k: " (est.)" if k == "export_xlsx_s" and s["stages"].get("export_xlsx_estimated") else ""  # noqa: E731
        line(f"  {label}", lambda s, k=k: _s(s["stages"].get(k)) + note(s),
             lambda s, k=k: _s(s["stages"].get(k)) if not k.startswith("export") else "")
    line("ours, end to end (dashboards)", lambda s: _s(s["ours_s"]), lambda s: _s(s["ours_s"]))
    line("  + clean file ready", lambda s: _s(s.get("clean_file_s")), lambda s: _s(s.get("clean_file_s")))
    line("  (CPU time, all threads)", lambda s: _s(s.get("ours_cpu_s")), lambda s: _s(s.get("ours_cpu_s")))
    line("floor", lambda s: _s(s["floor_s"]))
    line("original's way", lambda s: _s(s["original_s"], s["original_stopped"]))
    line("ours / floor", lambda s: _x(s["ours_over_floor"]))
    line("original / ours", lambda s: _x(s["original_over_ours"], s["original_stopped"]))
    line("filter change (HIGH)", lambda s: _s(s["filter_change_s"]))
    line("  (CPU time)", lambda s: _s(s.get("filter_change_cpu_s")))
    app = lambda s, f: "-" if not s.get("app") else f(s["app"])  # noqa: E731
    line("app: upload to Prepare page", lambda s: app(s, lambda a: _s(a["upload_s"])))
    line("app: slowest page, 1st visit", lambda s: app(s, lambda a: f"{a['slowest_first_visit']} "
                                                       + _s(a["first_visit_s"][a["slowest_first_visit"]])))
    line("app: slowest page, again", lambda s: app(s, lambda a: _s(max(a["again_s"].values()))))
    line("app: SLA page after HIGH", lambda s: app(s, lambda a: _s(a["filter_sla_s"])))
    line("peak RSS, end to end", lambda s: f"{s['peak_rss_mb']:,} MB", lambda s: f"{s['peak_rss_mb']:,} MB")
    line("peak RSS, + exports", lambda s: f"{s['peak_rss_with_exports_mb']:,} MB")
    line("peak RSS floor / orig.", lambda s: f"{s['floor_peak_rss_mb']:,} / "
         + (f"{s['original_peak_rss_mb']:,}" if s["original_peak_rss_mb"] else "-") + " MB")
    load = lambda s: "-" if s["load_average"]["ours"] is None else f"{s['load_average']['ours']:.1f}"  # noqa: E731
    line("load average (ours)", load, load)
    line("tier metrics agree", lambda s: {True: "yes", False: "NO", None: "-"}[s["tier_metrics_agree"]])
    width = max(len(r[0]) for r in rows) + 2
    colw = max([14] + [len(v) + 2 for _, vs in rows for v in vs])
    out = [" " * width + "".join(h.rjust(colw) for h in headers)]
    out += [name.ljust(width) + "".join(v.rjust(colw) for v in values) for name, values in rows]
    out.append("")
    for t in results.get("targets", []):
        mark = {True: "PASS", False: "FAIL", None: "n/a "}[t["pass"]]
        value = t["value"]
        shown = "-" if value is None else f"{value:,.2f} {t['unit']}"
        limit = f"{t['op']} {t['limit']:,g} {t['unit']}" if t["op"] != "offered" else f"offered up to {t['limit']:,} rows"
        cold = " [one cold run: quick mode]" if t.get("one_run") else ""
        out.append(f"  {mark}  {t['target']}: {shown} (target: {limit}){cold}")
    if any(t.get("one_run") for t in results.get("targets", [])):
        out.append("  [one cold run]: the first run in a fresh process pays for new memory (1.5-2 s at 1M); "
                   "the targets are about the median of 3 runs: `make bench`.")
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def run(settings: Settings, log: Callable = print) -> dict[str, Any]:
    started = time.perf_counter()
    results: dict[str, Any] = {
        "machine": machine(),
        "run": {"quick": settings.quick, "seed": settings.seed, "mode": "in-process" if settings.in_process
                else "fresh process per measurement",
                "started_utc": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")},
        "sizes": {},
    }
    sets = {label: bench_data.ensure(label, "csv", settings.seed, settings.data_dir, log=log) for label in settings.sizes}
    xlsx_ds = (bench_data.ensure(settings.xlsx_size, "xlsx", settings.seed, settings.data_dir, log=log)
               if settings.xlsx_size else None)
    for label, ds in sets.items():
        results["sizes"][label] = measure_size(ds, settings, log)
    if xlsx_ds is not None:
        results[f"xlsx_{settings.xlsx_size}"] = measure_xlsx(xlsx_ds, settings, log)
    results["targets"] = check_targets(results)
    results["run"]["seconds"] = round(time.perf_counter() - started, 1)
    results["run"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    return results


def _round(node: Any) -> Any:
    if isinstance(node, float):
        return round(node, 4)
    if isinstance(node, dict):
        return {k: _round(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_round(v) for v in node]
    return node


def save(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(_round(results), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description="Time TierLens against the floor and the original's way.")
    p.add_argument("--quick", action="store_true", help="one run at 1M, a 10k-row XLSX export slice (under two minutes once the files exist)")
    p.add_argument("--sizes", default="100k,1M", help="CSV sizes, comma-separated (default 100k,1M)")
    p.add_argument("--xlsx", default="100k", help="XLSX size to ingest ('none' to skip; default 100k)")
    p.add_argument("--seed", type=int, default=bench_data.SEED)
    p.add_argument("--data-dir", type=Path, default=bench_data.DATA_DIR)
    p.add_argument("--out", type=Path, default=RESULTS, help="results JSON (default bench/results/latest.json)")
    p.add_argument("--original-limit", type=float, default=None,
                   help="seconds after which the original's way at 1M is stopped (default 20 quick, 240 full)")
    p.add_argument("--fresh-data", action="store_true", help="regenerate the cached files")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = tuple(s.strip() for s in args.sizes.split(",") if s.strip())
    settings = Settings(quick=args.quick, sizes=sizes, xlsx_size=None if args.xlsx == "none" else args.xlsx,
                        seed=args.seed, data_dir=args.data_dir, original_budget_big_s=args.original_limit)
    if args.fresh_data:
        for label in sizes:
            bench_data.ensure(label, "csv", args.seed, args.data_dir, fresh=True)
        if settings.xlsx_size:
            bench_data.ensure(settings.xlsx_size, "xlsx", args.seed, args.data_dir, fresh=True)
    log = lambda *a: print(*a, file=sys.stderr, flush=True)  # noqa: E731
    results = run(settings, log)
    save(results, args.out)
    print(table(results))
    print(f"\nwritten {args.out} ({results['run']['seconds']:.0f} s)")
    return 0
