"""The headless command line: exit codes, messages on stderr without tracebacks, JSON shape."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core import cli, sample
from tests.core import filemakers as fm

ROOT = Path(__file__).resolve().parents[2]
PII_CSV = (
    "ticket id,event time,status,tier,priority,school name,agent,issue title\n"
    "T1,01/07/2025 09:00:00,Open,Tier 1,High,St Mary's Academy,Grace Wanjiru,Call Grace Wanjiru on +254 712 345 678\n"
    "T1,01/07/2025 09:20,In Progress,Tier 1,High,St Mary's Academy,Grace Wanjiru,Call Grace Wanjiru on +254 712 345 678\n"
    "T2,2025-07-02 10:00:00,Open,Tier 1,Low,Hillside School,Sean O'Sullivan,mail sean@example.org\n"
)


@pytest.fixture()
def pii_file(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(PII_CSV, encoding="utf-8")
    return path


def test_inspect_text_and_json(sample_file: Path, capsys) -> None:
    assert cli.main(["inspect", str(sample_file)]) == 0
    out = capsys.readouterr().out
    assert "Columns by role" in out and "ticket_id" in out and "Date columns" in out
    assert cli.main(["inspect", str(sample_file), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {r["role"] for r in doc["roles"]} >= {"ticket_id", "event_time", "status", "tier", "priority"}
    assert doc["quality"]["duplicates_removed"] > 0


def test_analyze_json_has_the_documented_keys(sample_file: Path, capsys) -> None:
    assert cli.main(["analyze", str(sample_file), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    for key in ("rows", "duplicates_removed", "tickets", "tiered_tickets", "tier_events", "frt", "resolution",
                "closing", "reach", "by_tier", "by_priority", "quality"):
        assert key in doc, key
    assert set(doc["tier_events"]) >= {"measured", "breached", "still_waiting", "mean_s", "median_s", "p90_s"}
    assert set(doc["resolution"]) == {"all", "tiered"}
    assert set(doc["by_tier"]) <= {"TIER_1", "TIER_2", "TIER_3"}
    assert 0 <= doc["reach"]["TIER_2"] <= 1


def test_analyze_with_a_policy_file_changes_breaches(sample_file: Path, tmp_path: Path, capsys) -> None:
    strict = tmp_path / "strict.toml"
    strict.write_text('[allowances]\nHIGH = "1m"\nMEDIUM = "1m"\nLOW = "1m"\n')
    cli.main(["analyze", str(sample_file), "--json"])
    base = json.loads(capsys.readouterr().out)
    code = cli.main(["analyze", str(sample_file), "--json", "--policy", str(strict)])
    out, err = capsys.readouterr()
    if code != 0:
        pytest.fail(f"policy file refused: {err}")
    tight = json.loads(out)
    assert tight["tier_events"]["breached"] > base["tier_events"]["breached"]


def test_clean_writes_a_file_without_personal_values(pii_file: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "clean.csv"
    assert cli.main(["clean", str(pii_file), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    for secret in ("Grace", "Wanjiru", "Sullivan", "St Mary", "Hillside", "712 345", "sean@example.org"):
        assert secret.lower() not in text.lower(), secret
    assert "No personal value found" in capsys.readouterr().out


def test_clean_refuses_a_plan_that_leaks(pii_file: Path, tmp_path: Path, capsys) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('[actions]\n"school name" = "keep"\n"agent" = "keep"\n"issue title" = "keep"\n')
    out = tmp_path / "clean.csv"
    code = cli.main(["clean", str(pii_file), "--out", str(out), "--plan", str(plan)])
    err = capsys.readouterr().err
    assert code == 3, err
    assert not out.exists()
    assert "Grace" not in err and "Wanjiru" not in err


@pytest.mark.parametrize("argv, message", [
    (["inspect", "missing.csv"], "cannot read the input file missing.csv: there is no such file"),
    (["clean", "{file}", "--out", "x.docx"], "must end in"),
    (["analyze", "{file}", "--policy", "missing.toml"],
     "cannot read the --policy file missing.toml: there is no such file"),
])
def test_usage_problems_exit_2_with_a_message(argv, message, pii_file: Path, capsys) -> None:
    argv = [a.replace("{file}", str(pii_file)) for a in argv]
    assert cli.main(argv) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02garbage\xff" * 50, b"%PDF-1.7\n1 0 obj\n"])
def test_unusable_input_exits_2_without_traceback(content: bytes, tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    run = subprocess.run([sys.executable, "-m", "core", "analyze", str(path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert run.stderr.startswith("error: ") and len(run.stderr.strip().splitlines()) == 1


def test_a_saved_mapping_file_is_honoured(tmp_path: Path, capsys) -> None:
    """A mapping saved by the app (TOML) fixes a role the detector would not find."""
    from core import ingest, schema

    path = tmp_path / "odd.csv"
    path.write_text("case,stamp,state,lvl,prio\nC1,2025-07-01 09:00:00,Open,Tier 1,High\n"
                    "C1,2025-07-01 09:40:00,In Progress,Tier 1,High\n", encoding="utf-8")
    frame = ingest.read_table(path.read_bytes(), path.name).frame
    mapping = schema.with_overrides(schema.detect_mapping(frame), frame=frame, ticket_id="case", event_time="stamp",
                                    status="state", tier="lvl", priority="prio")
    saved = tmp_path / "mapping.toml"
    saved.write_text(schema.mapping_to_toml(mapping), encoding="utf-8")
    assert cli.main(["analyze", str(path), "--mapping", str(saved), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["frt"]["measured"] == 1 and doc["frt"]["breached"] == 1  # 40 min > HIGH's 30 min


def test_a_broken_mapping_file_exits_2(sample_file: Path, tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[roles]\nticket_id = "no such column"\n', encoding="utf-8")
    assert cli.main(["inspect", str(sample_file), "--mapping", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "no such column" in err


# --------------------------------------------------------------------------- --max-mb

MB = 1024**2


@pytest.fixture(scope="module")
def two_mb_export(tmp_path_factory) -> tuple[Path, Path]:
    """A ~2 MB sample export and the mapping the app would save for it."""
    from core import ingest, schema

    folder = tmp_path_factory.mktemp("big")
    path = folder / "export.csv"
    path.write_bytes(sample.sample_csv_bytes(n_tickets=900))
    assert 1.5 * MB < path.stat().st_size < 2.9 * MB
    frame = ingest.read_table(path.read_bytes(), path.name).frame
    mapping = folder / "mapping.toml"
    mapping.write_text(schema.mapping_to_toml(schema.detect_mapping(frame)), encoding="utf-8")
    return path, mapping


@pytest.mark.parametrize("with_mapping", [False, True], ids=["detected", "mapping-file"])
@pytest.mark.parametrize("command", ["inspect", "analyze", "clean"])
def test_max_mb_refuses_and_admits_by_file_size(command: str, with_mapping: bool, two_mb_export, tmp_path: Path,
                                               capsys) -> None:
    path, mapping = two_mb_export
    out = tmp_path / "clean.csv"
    argv = [command, str(path)] + (["--mapping", str(mapping)] if with_mapping else []) + (
        ["--out", str(out)] if command == "clean" else [])
    assert cli.main(argv + ["--max-mb", "1"]) == cli.EXIT_INPUT
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: The file is 2"), captured.err
    assert "; the limit is 1 MB." in lines[0] and lines[0].endswith(" " + cli.max_mb_hint())
    assert captured.out == "" and not out.exists()
    code = cli.main(argv + ["--max-mb", "3"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert command != "clean" or out.stat().st_size > 0


def test_max_mb_raises_the_row_cap_in_proportion(tmp_path: Path, capsys) -> None:
    """Without the flag the app's 2,000,000 rows apply, and the refusal names --max-mb; 601 MB lifts the cap."""
    path = tmp_path / "tall.csv"
    path.write_bytes(b"ticket id\n" + b"T\n" * 2_000_001)  # 4 MB: over the row cap, far under 600 MB
    assert cli.main(["analyze", str(path)]) == cli.EXIT_INPUT
    err = capsys.readouterr().err.strip()
    assert err == ("error: The file has 2,000,001 data rows; the limit is 2,000,000. Upload a shorter date range. "
                   + cli.max_mb_hint())
    assert cli.main(["analyze", str(path), "--max-mb", "601"]) == cli.EXIT_INPUT  # 2,003,334 rows allowed now
    err = capsys.readouterr().err
    assert "data rows" not in err and "No column was recognised as the event time" in err


def test_max_mb_limits_scale_only_upwards_and_keep_the_zip_bomb_checks() -> None:
    from core.ingest import DEFAULT_LIMITS

    assert cli._limits(None) is None  # no flag: the readers' own default, the app's limits
    double = cli._limits("1200")
    assert double.max_bytes == 1200 * MB
    assert (double.max_rows, double.max_cells) == (4_000_000, 120_000_000)
    assert double.max_uncompressed_bytes == 2 * DEFAULT_LIMITS.max_uncompressed_bytes
    for limits in (double, cli._limits("100000"), cli._limits("0.5")):
        assert (limits.max_columns, limits.max_zip_entries, limits.max_compression_ratio) == (
            DEFAULT_LIMITS.max_columns, DEFAULT_LIMITS.max_zip_entries, DEFAULT_LIMITS.max_compression_ratio)
    small = cli._limits("0.5")
    assert small.max_bytes == MB // 2
    assert (small.max_rows, small.max_cells, small.max_uncompressed_bytes) == (
        DEFAULT_LIMITS.max_rows, DEFAULT_LIMITS.max_cells, DEFAULT_LIMITS.max_uncompressed_bytes)


@pytest.mark.parametrize("make, message", [
    (fm.zip_bomb_xlsx, r"compressed [\d,]+ to 1"),
    (fm.many_entries_xlsx, r"holds 2,50\d parts; the limit is 2,000"),
    (fm.far_cell_xlsx, r"declares a range of 1,048,576 rows by 16,384 columns"),
], ids=["zip bomb", "archive entries", "far cell"])
def test_a_huge_max_mb_still_refuses_workbook_attacks(make, message: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / "attack.xlsx"
    path.write_bytes(make())
    assert cli.main(["inspect", str(path), "--max-mb", "100000"]) == cli.EXIT_INPUT
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert "--max-mb" not in err  # raising it would not help


BAD_MAX_MB = "error: --max-mb must be a number of megabytes greater than 0, such as 1200 (got '{}')"


@pytest.mark.parametrize("value", ["0", "-5", "-0.1", "abc", "", "nan", "inf", "1e400", "12MB"])
@pytest.mark.parametrize("command", ["inspect", "analyze", "clean"])
def test_a_bad_max_mb_exits_2_with_a_message(command: str, value: str, pii_file: Path, tmp_path: Path,
                                            capsys) -> None:
    out = tmp_path / "clean.csv"
    argv = [command, str(pii_file), "--max-mb", value] + (["--out", str(out)] if command == "clean" else [])
    assert cli.main(argv) == cli.EXIT_INPUT
    captured = capsys.readouterr()
    assert captured.err == BAD_MAX_MB.format(value) + "\n" and captured.out == ""
    assert not out.exists()


def test_a_bad_max_mb_in_a_real_process(pii_file: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "core", "analyze", str(pii_file), "--max-mb=-1"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr == BAD_MAX_MB.format("-1") + "\n"


def _refusal(data: bytes, **limits) -> Exception:
    from core.ingest import InputError, Limits, read_table

    with pytest.raises(InputError) as caught:
        read_table(data, "x", limits=Limits(**limits))
    return caught.value


_TALL = fm.csv_bytes([["id", "name"]] + [[str(i), "x"] for i in range(40)])


@pytest.mark.parametrize("refusal, hinted", [
    (lambda: _refusal(_TALL, max_bytes=100), True),
    (lambda: _refusal(_TALL, max_rows=10), True),
    (lambda: _refusal(_TALL, max_cells=50), True),
    (lambda: _refusal(fm.xlsx_bytes({"s": [["id", "name"], [1, "a"]]}), max_uncompressed_bytes=1000), True),
    (lambda: _refusal(fm.raw_xlsx(fm.sheet_xml(fm.small_sheet(), dimension="A1:B5000")), max_rows=100), True),
    (lambda: _refusal(fm.csv_bytes([[f"c{i}" for i in range(600)], ["1"] * 600])), False),  # columns do not scale
    (lambda: _refusal(fm.far_cell_xlsx()), False),
    (lambda: _refusal(fm.far_cell_xlsx(declare=False)), False),
    (lambda: _refusal(fm.zip_bomb_xlsx()), False),
    (lambda: _refusal(fm.many_entries_xlsx()), False),
    (lambda: _refusal(b""), False),
], ids=["bytes", "rows", "cells", "unpacked", "sheet rows", "columns", "far cell", "far cell undeclared",
        "zip bomb", "entries", "empty"])
def test_only_refusals_max_mb_can_lift_name_it(refusal, hinted: bool) -> None:
    """Each real ingest refusal: the app's wording never names the flag; the CLI adds it to the size ones
    (ingest.TooLarge that the scaled limits could admit), whatever their wording."""
    err = refusal()
    message = str(err)
    assert "--max-mb" not in message
    assert cli._with_max_mb_hint(err) == (f"{message} {cli.max_mb_hint()}" if hinted else message)


def test_a_reader_that_stops_early_gets_no_traceback(sample_file: Path) -> None:
    # `python -m core analyze FILE | head -1`: the reader closes the pipe before the summary is written
    proc = subprocess.Popen([sys.executable, "-m", "core", "analyze", str(sample_file)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert "Traceback" not in err.decode(), err.decode()[-1500:]
    assert proc.returncode == 0


def test_summary_shows_a_dash_where_nothing_was_measured(tmp_path: Path, capsys) -> None:
    # one waiting tier event and no response: no time in tier, no resolution, no closing
    path = tmp_path / "waiting.csv"
    path.write_text("ticket_id,event_time,status,tier\nT1,2025-07-01 10:00:00,OPEN,TIER_1\n"
                    "T2,2025-07-01 10:00:00,OPEN,TIER_1\nT2,2025-07-01 11:00:00,IN_PROGRESS,TIER_1\n")
    assert cli.main(["analyze", str(path)]) == 0
    out = capsys.readouterr().out
    assert "time in tier: mean -, median -, p90 -" in out
    assert "Closing time (0 tickets): mean -, median -, p90 -" in out
    assert not re.search(r"(mean|median|p90) ,", out)


def test_a_fault_of_ours_is_one_line_without_cells(sample_file: Path, monkeypatch, capsys) -> None:
    # An internal error (not the input's fault) must not end in a traceback; TIERLENS_DEBUG shows it.
    from core import metrics

    def broken(*args, **kwargs):
        raise KeyError("a secret cell value")

    monkeypatch.setattr(metrics, "summary", broken)
    monkeypatch.delenv("TIERLENS_DEBUG", raising=False)
    assert cli.main(["analyze", str(sample_file)]) == cli.EXIT_INTERNAL == 70
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "internal problem (KeyError) while running analyze" in err
    assert "secret" not in err and "Traceback" not in err
    monkeypatch.setenv("TIERLENS_DEBUG", "1")
    with pytest.raises(KeyError):
        cli.main(["analyze", str(sample_file)])


def test_summary_says_how_many_still_waiting_are_past_their_sla(tmp_path: Path, capsys) -> None:
    # export end 12:00: T1 HIGH waits 2h (> 30m, open), T2 LOW 1h (open, within a week), T3 HIGH waited 3h,
    # then was resolved without a response in its tier
    path = tmp_path / "waiting.csv"
    path.write_text("ticket_id,event_time,status,tier,priority\n"
                    "T1,2025-07-01 10:00:00,OPEN,TIER_1,HIGH\nT2,2025-07-01 11:00:00,OPEN,TIER_1,LOW\n"
                    "T3,2025-07-01 09:00:00,OPEN,TIER_1,HIGH\nT3,2025-07-01 12:00:00,RESOLVED,,HIGH\n")
    assert cli.main(["analyze", str(path)]) == 0
    out = capsys.readouterr().out
    assert ("3 still waiting (2 on open tickets, 1 of them past SLA; 1 on tickets resolved or closed since)."
            in out), out
    assert cli.main(["analyze", str(path), "--json"]) == 0
    te = json.loads(capsys.readouterr().out)["tier_events"]
    assert (te["tier_overdue"], te["tier_overdue_open"], te["frt_overdue"], te["frt_overdue_open"]) == (2, 1, 2, 1)
