"""The corpus through the command line: a refused file exits 2 with one 'error: ' line and no traceback.

Every refused case runs through ``core.cli.main`` in-process for inspect, analyze and clean
(stderr captured); three run as true ``python -m core analyze`` subprocesses. Every parsed case
is analyzed too and must exit 0 with a JSON summary.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core import cli, pipeline
from tests.corpus import CASES, CASES_BY_NAME, MARKER, Case, Parsed, Rejected

ROOT = Path(__file__).resolve().parents[2]
REJECTED = [c for c in CASES if isinstance(c.expect, Rejected)]
PARSED = [c for c in CASES if isinstance(c.expect, Parsed) and c.expect.events is not None]
SUBPROCESS = ["zip bomb", "far cell declared", "binary garbage"]


def _params(cases: list[Case]) -> list:
    """Cases as parameters; a known gap (``xfail``) concerns the CLI only when the case is a refusal."""
    return [pytest.param(c, id=c.name, marks=[pytest.mark.xfail(strict=True, reason=c.xfail)]
                         if c.xfail and isinstance(c.expect, Rejected) else [])
            for c in cases]


def _write(case: Case, tmp_path: Path) -> Path:
    path = tmp_path / case.filename
    path.write_bytes(case.make_bytes())
    return path


@pytest.fixture()
def limits_of(monkeypatch):
    """Give the CLI's pipeline.prepare a case's own Limits (the CLI has no option for them)."""
    def apply(case: Case) -> None:
        if case.limits is not None:
            monkeypatch.setitem(pipeline.prepare.__kwdefaults__, "limits", case.limits)
    return apply


@pytest.mark.parametrize("command", ["inspect", "analyze", "clean"])
@pytest.mark.parametrize("case", _params(REJECTED))
def test_refused_file_exits_2_with_one_line(case: Case, command: str, tmp_path: Path, capsys, limits_of) -> None:
    limits_of(case)
    path = _write(case, tmp_path)
    argv = [command, str(path)] + (["--out", str(tmp_path / "clean.csv")] if command == "clean" else [])
    assert cli.main(argv) == cli.EXIT_INPUT
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert re.search(case.expect.message, lines[0]), lines[0]
    assert "Traceback" not in err and MARKER not in err and out == ""
    assert not (tmp_path / "clean.csv").exists()


@pytest.mark.parametrize("name", SUBPROCESS)
def test_refused_file_in_a_real_process(name: str, tmp_path: Path) -> None:
    case = CASES_BY_NAME[name]
    path = _write(case, tmp_path)
    run = subprocess.run([sys.executable, "-m", "core", "analyze", str(path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    assert re.search(case.expect.message, lines[0])


@pytest.mark.parametrize("case", _params(PARSED))
def test_parsed_file_is_analyzed(case: Case, tmp_path: Path, capsys, limits_of) -> None:
    limits_of(case)
    path = _write(case, tmp_path)
    code = cli.main(["analyze", str(path), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    doc = json.loads(out)
    assert doc["rows"] >= 1 and "quality" in doc
