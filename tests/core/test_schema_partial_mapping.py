"""A mapping file that names only some roles: the roles it leaves out are detected."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from core import cli, ingest, sample, schema


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return ingest.read_table(sample.sample_csv_bytes(), "sample.csv").frame


def test_left_out_roles_are_detected(frame: pd.DataFrame) -> None:
    detected = schema.detect_mapping(frame)
    m = schema.mapping_from_toml('[roles]\nagent = "assigned_to"\n', frame)
    assert m.roles == {**detected.roles, "agent": "assigned_to"}
    assert m.shape == detected.shape == "events"
    assert m.choice("agent").how == "mapping file"
    # filled roles say how detection found them (inspect shows it)
    assert m.choice("ticket_id") == detected.choice("ticket_id")
    assert m.choice("ticket_id").how != "mapping file"


def test_a_column_the_file_gives_a_role_is_not_detected_for_another(frame: pd.DataFrame) -> None:
    detected = schema.detect_mapping(frame)
    m = schema.mapping_from_toml(f'[roles]\nclient = "{detected.roles["agent"]}"\n', frame)
    assert m.roles["client"] == detected.roles["agent"] and m.roles["agent"] is None
    assert m.roles["ticket_id"] == detected.roles["ticket_id"]  # the other left-out roles are detected


def test_an_empty_role_is_none(frame: pd.DataFrame) -> None:
    m = schema.mapping_from_toml('[roles]\nagent = ""\ntier = ""\n', frame)
    assert m.roles["agent"] is None and m.roles["tier"] is None
    assert m.roles["ticket_id"] == schema.detect_mapping(frame).roles["ticket_id"]


# A regression guard (it passed before too): a saved file names every role, so nothing is detected.
def test_a_saved_file_round_trips(frame: pd.DataFrame) -> None:
    detected = schema.detect_mapping(frame)
    edited = replace(detected, roles={**detected.roles, "agent": None, "tier": None})
    m = schema.mapping_from_toml(schema.mapping_to_toml(edited), frame)
    assert m.roles == edited.roles and m.shape == edited.shape
    assert all(c.how == "mapping file" for c in m.choices)


def test_a_detected_status_of_a_ticket_export_is_the_current_status() -> None:
    tickets = pd.DataFrame({"Ticket ID": ["1", "2", "3"], "Status": ["Open", "Pending", "Solved"],
                            "Created at": ["2026-11-27 10:15", "2026-11-27 11:00", "2026-11-28 09:05"],
                            "Changed at": ["2026-11-27 12:15", "2026-11-28 11:00", "2026-11-29 09:05"]},
                           dtype="str")
    m = schema.mapping_from_toml('[roles]\nticket_id = "Ticket ID"\n', tickets)
    assert m.shape == "tickets" and m.roles["status"] is None and m.roles["issue_status"] == "Status"
    # a status the file names is the event status
    m = schema.mapping_from_toml('[roles]\nstatus = "Status"\n', tickets)
    assert m.shape == "events" and m.roles["status"] == "Status"


def test_cli_partial_mapping_gives_the_figures_of_no_mapping(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "sample.csv"
    data.write_bytes(sample.sample_csv_bytes())
    mapping = tmp_path / "m.toml"
    mapping.write_text('[roles]\nagent = "Resolved By Name"\n', encoding="utf-8")
    assert cli.main(["analyze", str(data)]) == 0
    plain = capsys.readouterr().out
    assert cli.main(["analyze", str(data), "--mapping", str(mapping)]) == 0
    assert capsys.readouterr().out == plain and "2,000 tickets" in plain
