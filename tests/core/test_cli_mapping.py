"""The command line when a required column is not recognised: the message, and inspect --save-mapping."""
from __future__ import annotations

import json
import re
import shlex
from dataclasses import replace
from pathlib import Path

import pytest

from core import cli, ingest, pipeline
from tests.core import filemakers as fm

# The ticket ids sit in a column the detector cannot name ('what'); its cells are people's names.
NO_ID_ROWS = [["what", "event time", "status"],
              ["Zanele Mokoena", "2025-07-01 10:00", "Open"],
              ["Pieter Botha", "2025-07-01 11:00", "Closed"]]
CELLS = ("Zanele", "Mokoena", "Pieter", "Botha")


@pytest.fixture()
def no_id_file(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(fm.csv_bytes(NO_ID_ROWS))
    return path


def _one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


# --------------------------------------------------------------------------- the core message


def test_the_core_message_fits_the_app_and_the_command_line() -> None:
    with pytest.raises(pipeline.MissingRoles) as caught:
        pipeline.prepare(fm.csv_bytes(NO_ID_ROWS), "x.csv")
    assert str(caught.value) == ("No column was recognised as the ticket id. "
                                 "Name the column that holds it in the column mapping.")
    with pytest.raises(pipeline.MissingRoles) as caught:
        pipeline.prepare(b"size\n3\n3\n", "x.csv")
    assert caught.value.missing == ("ticket_id", "event_time")
    assert str(caught.value) == ("No column was recognised as the ticket id and event time. "
                                 "Name the columns that hold them in the column mapping.")


def test_unknown_values_are_to_be_mapped_in_the_column_mapping() -> None:
    data = fm.csv_bytes([["ticket id", "event time", "status"], ["T1", "2025-07-01 10:00", "Open"],
                         ["T1", "2025-07-01 11:00", "Zorgified"]])
    finding = next(f for f in pipeline.prepare(data, "x.csv").quality.findings if f.kind == "unknown_status")
    assert finding.message == "Unrecognised status values (Zorgified): map them in the column mapping"


# --------------------------------------------------------------------------- the CLI's message


@pytest.mark.parametrize("command", ["inspect", "analyze", "clean"])
def test_a_missing_column_names_the_columns_and_the_next_step(command: str, no_id_file: Path, tmp_path: Path,
                                                              capsys) -> None:
    out_file = tmp_path / "clean.csv"
    argv = [command, str(no_id_file)] + (["--out", str(out_file)] if command == "clean" else [])
    assert cli.main(argv) == cli.EXIT_INPUT
    captured = capsys.readouterr()
    line = _one_error_line(captured.err)
    assert line == (
        "error: No column was recognised as the ticket id. Name the column that holds it in the column mapping. "
        "Columns in the file: 'what', 'event time', 'status'. "
        f"Next: python -m core inspect {shlex.quote(str(no_id_file))} --save-mapping mapping.toml, "
        'set ticket_id = "<column>" under [roles] in mapping.toml, then run again with --mapping mapping.toml.')
    assert "Prepare page" not in line and not any(c in line for c in CELLS)
    assert captured.out == "" and not out_file.exists()


def test_a_wide_file_lists_forty_columns(tmp_path: Path, capsys) -> None:
    path = tmp_path / "wide.csv"
    path.write_bytes(fm.csv_bytes([[f"c{i}" for i in range(50)] + ["event time"],
                                   ["x"] * 50 + ["2025-07-01 10:00"]]))
    assert cli.main(["analyze", str(path)]) == cli.EXIT_INPUT
    line = _one_error_line(capsys.readouterr().err)
    assert "'c0', 'c1'," in line and "'c39', … (51 in all). Next:" in line and "'c40'" not in line


def test_a_mapping_file_that_leaves_the_role_empty_says_where_to_set_it(no_id_file: Path, tmp_path: Path,
                                                                        capsys) -> None:
    mapping = tmp_path / "mine.toml"
    mapping.write_text('[roles]\nticket_id = ""\nevent_time = "event time"\n', encoding="utf-8")
    assert cli.main(["analyze", str(no_id_file), "--mapping", str(mapping)]) == cli.EXIT_INPUT
    line = _one_error_line(capsys.readouterr().err)
    assert line.endswith(f"'what', 'event time', 'status'. Set ticket_id = \"<column>\" under [roles] in {mapping} "
                         "and run again.")


# --------------------------------------------------------------------------- inspect --save-mapping


def test_a_saved_mapping_gives_the_same_analysis(sample_file: Path, tmp_path: Path, capsys) -> None:
    saved = tmp_path / "mapping.toml"
    assert cli.main(["inspect", str(sample_file), "--save-mapping", str(saved)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert out.rstrip().endswith(f"Column mapping written to {saved}: edit it, then pass --mapping {saved}.")
    assert saved.read_text(encoding="utf-8").startswith("# TierLens column mapping.")
    assert cli.main(["analyze", str(sample_file), "--json"]) == cli.EXIT_OK
    detected = json.loads(capsys.readouterr().out)
    assert cli.main(["analyze", str(sample_file), "--json", "--mapping", str(saved)]) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out) == detected


def test_inspect_json_names_the_saved_mapping(sample_file: Path, tmp_path: Path, capsys) -> None:
    saved = tmp_path / "mapping.toml"
    assert cli.main(["inspect", str(sample_file), "--json", "--save-mapping", str(saved)]) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out)["mapping_file"] == str(saved)
    assert saved.is_file()


def test_a_mapping_saved_despite_a_missing_column_works_once_edited(no_id_file: Path, tmp_path: Path,
                                                                    capsys) -> None:
    saved = tmp_path / "mapping.toml"
    assert cli.main(["inspect", str(no_id_file), "--save-mapping", str(saved)]) == cli.EXIT_INPUT
    captured = capsys.readouterr()
    line = _one_error_line(captured.err)
    assert line.endswith(f"The detected mapping was written to {saved}: set ticket_id = \"<column>\" under [roles] "
                         f"in it, then run again with --mapping {saved}.")
    assert captured.out == ""
    text = saved.read_text(encoding="utf-8")
    assert '\nticket_id = ""\n' in text
    saved.write_text(text.replace('\nticket_id = ""\n', '\nticket_id = "what"\n'), encoding="utf-8")
    assert cli.main(["analyze", str(no_id_file), "--mapping", str(saved)]) == cli.EXIT_OK
    assert "2 tickets" in capsys.readouterr().out


def test_following_the_message_literally_gets_the_analysis(no_id_file: Path, tmp_path: Path, monkeypatch,
                                                           capsys) -> None:
    """Run the printed command, make the printed edit, add the printed flag: the file is analysed."""
    monkeypatch.chdir(tmp_path)
    assert cli.main(["analyze", str(no_id_file), "--json"]) == cli.EXIT_INPUT
    line = _one_error_line(capsys.readouterr().err)
    step = re.search(r"Next: python -m core (.+?), set (\w+) = \"<column>\" under \[roles\] in (\S+), "
                     r"then run again with (--mapping \S+)\.$", line)
    assert step, line
    command, role, saved, flag = step.groups()
    assert cli.main(shlex.split(command)) == cli.EXIT_INPUT
    capsys.readouterr()
    path = tmp_path / saved
    path.write_text(path.read_text(encoding="utf-8").replace(f'\n{role} = ""\n', f'\n{role} = "what"\n'),
                    encoding="utf-8")
    assert cli.main(["analyze", str(no_id_file), "--json", *shlex.split(flag)]) == cli.EXIT_OK
    assert json.loads(capsys.readouterr().out)["tickets"] == 2


def test_save_mapping_into_a_missing_folder_is_refused(sample_file: Path, tmp_path: Path, capsys) -> None:
    target = tmp_path / "no such folder" / "mapping.toml"
    assert cli.main(["inspect", str(sample_file), "--save-mapping", str(target)]) == cli.EXIT_INPUT
    captured = capsys.readouterr()
    assert captured.err == (f"error: cannot write the --save-mapping file {target}: the folder {target.parent} "
                            "does not exist\n")
    assert captured.out == "" and not target.parent.exists()


# --------------------------------------------------------------------------- --max-mb help


def test_max_mb_help_follows_the_app_limit(monkeypatch, capsys) -> None:
    monkeypatch.setattr(ingest, "DEFAULT_LIMITS", replace(ingest.DEFAULT_LIMITS, max_bytes=800 * 1024**2))
    with pytest.raises(SystemExit):
        cli.main(["analyze", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "(default: 800, the app's limit)" in text and "grow in proportion above 800." in text
    assert "600" not in text
