"""The benchmark harness's code paths on a tiny file (2,000 events); nothing here times anything."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bench import data as bench_data
from bench import run as bench_run
from bench import worker

SIZE = "2k"


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> tuple[Path, dict]:
    data_dir = tmp_path_factory.mktemp("bench-data")
    settings = bench_run.Settings(quick=True, sizes=(SIZE,), xlsx_size=SIZE, seed=7, data_dir=data_dir,
                                  in_process=True, runs=1)
    return data_dir, bench_run.run(settings, log=lambda *a: None)


def test_sizes_are_exact_and_cached(small) -> None:
    data_dir, _ = small
    ds = bench_data.ensure(SIZE, "csv", 7, data_dir, log=pytest.fail)  # cached: no generation again
    assert ds.events == 2000
    assert ds.read_bytes().count(b"\n") >= 2001  # header + rows (a title may hold no newline)


def test_results_have_the_documented_keys(small, tmp_path) -> None:
    _, results = small
    assert {"machine", "run", "sizes", f"xlsx_{SIZE}", "targets"} <= set(results)
    size = results["sizes"][SIZE]
    for key in ("ours_s", "clean_file_s", "floor_s", "original_s", "peak_rss_mb", "stages", "filter_change_s",
                "ours_over_floor", "original_over_ours"):
        assert size[key] is not None, key
    assert size["clean_file_s"] > size["ours_s"]  # the clean file is finished after the dashboards
    for stage in ("read_s", "roles_s", "dates_s", "anonymize_events_s", "metrics_s", "after_anonymize_wide_s",
                  "after_leak_check_s", "export_csv_s", "export_parquet_s", "export_xlsx_s"):
        assert stage in size["stages"], stage
    assert size["missing_stage_functions"] == [], "a timed core function was renamed: update bench/ours.py"
    assert results[f"xlsx_{SIZE}"]["ingest_s"] is not None
    app = size["app"]  # the app's pages ran on the upload (AppTest), each once
    assert app["upload_s"] > 0 and set(app["first_visit_s"]) == set(app["again_s"]) >= {"overview", "sla", "agents"}
    assert app["filter_sla_s"] > 0 and app["slowest_first_visit"] in app["first_visit_s"]
    out = tmp_path / "latest.json"
    bench_run.save(results, out)
    assert json.loads(out.read_text())["sizes"][SIZE]["events"] == 2000


def test_ours_floor_and_original_agree_on_the_tier_metrics(small) -> None:
    _, results = small
    size = results["sizes"][SIZE]
    assert size["tier_metrics_agree"] is True
    assert sum(t["tier_events"] for t in size["tier_metrics"].values()) == size["rows"]["tier_events"] > 0


def test_table_and_targets_print(small) -> None:
    _, results = small
    text = bench_run.table(results)
    assert "ours, end to end" in text and "original's way" in text
    assert {t["target"] for t in results["targets"]} >= {t.name for t in bench_run.TARGETS}


def test_a_worker_in_a_fresh_process_reports_its_peak_memory(small) -> None:
    data_dir, _ = small
    ds = bench_data.ensure(SIZE, "csv", 7, data_dir)
    spec = {"kind": "floor", "path": str(ds.path), "filename": ds.filename, "repeat": 1}
    settings = bench_run.Settings(quick=True, sizes=(SIZE,), xlsx_size=None, seed=7, data_dir=data_dir)
    out = bench_run._worker(spec, settings, 120, log=lambda *a: None)
    assert out["kind"] == "floor" and len(out["runs_s"]) == 1 and out["peak_rss_mb"] > 0
    assert sys.executable  # the worker ran under this interpreter


def test_a_stopped_reference_reports_a_lower_bound() -> None:
    ds = bench_data.Dataset(SIZE, Path("x.csv"), "csv", 1_000_000, 7)
    stopped = {"runs_s": [], "stage_runs": [], "kind": "original", "stopped_after_s": 35.0}
    ours = {"runs_s": [2.0], "stage_runs": [{"read": 1.0}], "file_mb": 1.0, "peak_rss_mb": 10.0,
            "peak_rss_with_extras_mb": 10.0}
    floor = {"runs_s": [1.0], "stage_runs": [{"read": 0.5}], "peak_rss_mb": 5.0}
    out = bench_run.summarize_size(ds, ours, floor, stopped, 20.0)
    assert out["original_stopped"] and out["original_s"] == 20.0 and out["original_over_ours"] == 10.0
    assert "> 20.00 s" in bench_run.table({"sizes": {"1M": out}, "targets": []})


def test_worker_main_prints_one_json_line(small, capsys) -> None:
    data_dir, _ = small
    ds = bench_data.ensure(SIZE, "csv", 7, data_dir)
    worker.main([json.dumps({"kind": "original", "path": str(ds.path), "filename": ds.filename, "repeat": 1})])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert json.loads(last)["kind"] == "original"


def test_a_single_cold_run_is_marked_as_such() -> None:
    # quick mode measures 1M once: the verdict says it is a cold run, not the median the target means
    def results(runs: list[float]) -> dict:
        return {"sizes": {"1M": {"ours_s": runs[len(runs) // 2], "ours_over_floor": 5.2, "peak_rss_mb": 2000.0,
                                 "runs": {"ours_s": runs}}}}
    one = {t["figure"]: t for t in bench_run.check_targets(results([5.3]))}
    three = {t["figure"]: t for t in bench_run.check_targets(results([5.3, 3.4, 3.4]))}
    assert one["sizes.1M.ours_s"]["one_run"] and one["sizes.1M.ours_over_floor"]["one_run"]
    assert not one["sizes.1M.peak_rss_mb"]["one_run"]  # a peak is a peak, cold or not
    assert not three["sizes.1M.ours_s"]["one_run"]
