"""The headless command line: exit codes, messages on stderr without tracebacks, JSON shape."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from core import cli, sample

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


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("s") / "sample.csv"
    path.write_bytes(sample.sample_csv_bytes(n_tickets=200))
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
    (["inspect", "missing.csv"], "not found"),
    (["clean", "{file}", "--out", "x.docx"], "must end in"),
    (["analyze", "{file}", "--policy", "missing.toml"], "not found"),
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
