"""An event log whose ticket id column no synonym matches (QA: the real export with `issue_tracker` renamed).

Without a recognised ticket id, nothing can be seen to repeat; the shape used to be decided as
"tickets" (one row per ticket) on that ground alone, the status column moved to issue_status, and
naming the ticket id afterwards (Prepare page, or ticket_id in a saved mapping file) never decided
the shape again: 28,892 implied events instead of 14,648 and no rated tier event on the real file.
"""
from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from core import cli, ingest, metrics, pipeline, policy, sample, schema
from tests.core import filemakers as fm

WAITING = ("OPEN", "ESCALATED", "ON_STANDBY", "TRIAGE")
RENAMED = "Vorgang"  # no synonym of any role; its values (hash-like) are not id-like either


def _renamed(frame: pd.DataFrame) -> pd.DataFrame:
    """The export with the ticket id column renamed and its ids replaced by hash-like strings."""
    ids = {v: hashlib.sha1(str(v).encode()).hexdigest()[:16] for v in frame["issue_tracker"].dropna().unique()}
    return frame.assign(issue_tracker=frame["issue_tracker"].map(ids)).rename(columns={"issue_tracker": RENAMED})


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


@pytest.fixture(scope="module")
def original() -> bytes:
    return sample.sample_csv_bytes(n_tickets=300)


@pytest.fixture(scope="module")
def renamed(original: bytes) -> bytes:
    frame = pd.read_csv(io.BytesIO(original), dtype=str, keep_default_na=False)
    return _csv(_renamed(frame))


def _figures(p: pipeline.Prepared) -> dict:
    """Events used, tickets, tier events and the tier SLA figures of one prepared upload."""
    ev = p.events
    tier = metrics.summary(ev, policy.Policy.default(), p.quality.counts(), data_tz=p.mapping.timezone)["tier_events"]
    return {"events": len(ev), "tickets": int(ev["ticket_id"].nunique()),
            "tier_events": int((ev["status"].isin(WAITING) & ev["tier"].notna()).sum()),
            "rated": tier["measured"], "breached": tier["breached"], "still_waiting": tier["still_waiting"]}


def _named(data: bytes, name: str, **also: object) -> pipeline.Prepared:
    """The app's path: the upload stops for its ticket id, the user names it (state.load_pending)."""
    with pytest.raises(pipeline.MissingRoles) as caught:
        pipeline.prepare(data, name)
    err = caught.value
    assert err.missing == ("ticket_id",)
    mapping = schema.with_overrides(err.mapping, frame=err.raw.frame, ticket_id=RENAMED, **also)
    return pipeline.prepare_from_raw(err.raw, mapping)


# --------------------------------------------------------------------------- detection


def test_without_a_ticket_id_a_status_and_an_event_time_make_an_event_log(renamed: bytes) -> None:
    with pytest.raises(pipeline.MissingRoles) as caught:
        pipeline.prepare(renamed, "renamed.csv")
    m = caught.value.mapping
    assert m.roles["ticket_id"] is None and m.roles["created_time"] == "Ticket Creation Date"
    assert m.shape == "events"
    assert (m.roles["status"], m.roles["issue_status"]) == ("timeline_status", "issue_status")


def test_ticket_exports_without_a_recognised_id_are_still_tickets() -> None:
    frame = pd.DataFrame({"Vorgang": ["f3a9", "c0d1"], "Status": ["Open", "Solved"],
                          "Created at": ["2026-01-01 10:00", "2026-01-02 10:00"],
                          "Solved at": ["", "2026-01-03 10:00"]})
    m = schema.detect_mapping(frame)
    assert (m.shape, m.roles["ticket_id"], m.roles["issue_status"], m.roles["status"]) == (
        "tickets", None, "Status", None)


# --------------------------------------------------------------------------- the app's path


def test_naming_the_ticket_id_gives_the_figures_of_the_original(original: bytes, renamed: bytes) -> None:
    expected = _figures(pipeline.prepare(original, "sample.csv"))
    assert expected["rated"] > 0 and expected["events"] < 10 * 300  # the sample's ~7.6 events per ticket
    p = _named(renamed, "renamed.csv")
    assert p.mapping.shape == "events" and p.mapping.roles["status"] == "timeline_status"
    assert _figures(p) == expected
    assert p.quality.duplicates_removed == pipeline.prepare(original, "sample.csv").quality.duplicates_removed


def test_setting_the_status_by_hand_is_honoured(original: bytes, renamed: bytes) -> None:
    expected = _figures(pipeline.prepare(original, "sample.csv"))
    p = _named(renamed, "renamed.csv")
    again = schema.with_overrides(p.mapping, frame=p.raw.frame, status="timeline_status")
    assert (again.shape, again.roles["status"]) == ("events", "timeline_status")
    assert _figures(pipeline.prepare_from_raw(p.raw, again)) == expected


# A file whose event time is not recognised either ('Geändert'): detected as a ticket export with
# its status read as the ticket's current status, until the user names its columns.
LOG = [["Vorgang", "Geändert", "Status", "Created at", "Priority"],
       ["a1f3", "2026-01-01 10:00", "Open", "2026-01-01 10:00", "High"],
       ["a1f3", "2026-01-01 10:20", "In Progress", "2026-01-01 10:00", "High"],
       ["a1f3", "2026-01-01 12:00", "Resolved", "2026-01-01 10:00", "High"],
       ["b7c2", "2026-01-02 09:00", "Open", "2026-01-02 09:00", "Low"],
       ["b7c2", "2026-01-02 09:30", "In Progress", "2026-01-02 09:00", "Low"]]


def _log_frame() -> pd.DataFrame:
    return ingest.read_table(fm.csv_bytes(LOG), "log.csv").frame


def test_naming_repeating_ids_and_the_event_time_turns_a_ticket_guess_into_an_event_log() -> None:
    frame = _log_frame()
    m = schema.detect_mapping(frame)
    assert (m.shape, m.roles["status"], m.roles["issue_status"]) == ("tickets", None, "Status")
    named = schema.with_overrides(m, frame=frame, ticket_id="Vorgang", event_time="Geändert")
    assert named.shape == "events"
    assert (named.roles["status"], named.roles["issue_status"]) == ("Status", None)
    assert named.status_values == {"In Progress": "IN_PROGRESS", "Open": "OPEN", "Resolved": "RESOLVED"}
    raw = ingest.read_table(fm.csv_bytes(LOG), "log.csv")
    ev = pipeline.prepare_from_raw(raw, named).events
    assert len(ev) == 5 and ev["status"].tolist() == ["OPEN", "IN_PROGRESS", "RESOLVED", "OPEN", "IN_PROGRESS"]


def test_a_status_named_by_the_user_makes_the_rows_status_changes() -> None:
    frame = _log_frame()
    m = schema.with_overrides(schema.detect_mapping(frame), frame=frame, event_time="Geändert", status="Status")
    assert (m.shape, m.roles["status"], m.roles["issue_status"]) == ("events", "Status", None)


def test_a_shape_the_user_sets_is_kept() -> None:
    frame = _log_frame()
    m = schema.with_overrides(schema.detect_mapping(frame), frame=frame, ticket_id="Vorgang",
                              event_time="Geändert", shape="tickets")
    assert (m.shape, m.shape_given, m.roles["issue_status"], m.roles["status"]) == ("tickets", True, "Status", None)
    later = schema.with_overrides(m, frame=frame, created_time="Created at")
    assert later.shape == "tickets"  # a shape once set is not re-decided by later corrections


def test_unique_ids_named_for_a_ticket_export_keep_it_a_ticket_export() -> None:
    frame = pd.DataFrame({"Vorgang": ["f3a9", "c0d1"], "Status": ["Open", "Solved"],
                          "Created at": ["2026-01-01 10:00", "2026-01-02 10:00"]})
    m = schema.with_overrides(schema.detect_mapping(frame), frame=frame, ticket_id="Vorgang")
    assert (m.shape, m.roles["issue_status"], m.roles["status"]) == ("tickets", "Status", None)


# --------------------------------------------------------------------------- mapping files


def test_a_mapping_saved_without_a_ticket_id_leaves_the_shape_to_be_decided() -> None:
    frame = _log_frame()
    text = schema.mapping_to_toml(schema.detect_mapping(frame))
    assert '\nshape = ' not in text and '# shape = "tickets"' in text
    edited = text.replace('\nticket_id = ""', '\nticket_id = "Vorgang"').replace(
        '\nevent_time = ""', '\nevent_time = "Geändert"').replace(
        '\nissue_status = "Status"', '\nissue_status = ""').replace('\nstatus = ""', '\nstatus = "Status"')
    m = schema.mapping_from_toml(edited, frame)
    assert (m.shape, m.shape_given, m.roles["status"]) == ("events", False, "Status")
    assert schema.mapping_from_toml(edited.replace('# shape = "tickets"', 'shape = "tickets"'), frame).shape_given


def test_a_mapping_file_that_names_a_status_and_an_event_time_reads_events() -> None:
    frame = pd.DataFrame({"Vorgang": ["f3a9", "c0d1"], "When": ["2026-01-01 10:00", "2026-01-02 10:00"],
                          "Status": ["Open", "Open"], "Created at": ["2026-01-01 10:00", "2026-01-02 10:00"]})
    text = "[roles]\nticket_id = 'Vorgang'\nevent_time = 'When'\nstatus = 'Status'\ncreated_time = 'Created at'\n"
    assert schema.mapping_from_toml(text, frame).shape == "events"


# --------------------------------------------------------------------------- the command line


def test_cli_saved_mapping_followed_literally_gives_the_original_analysis(original: bytes, renamed: bytes,
                                                                          tmp_path: Path, capsys) -> None:
    orig_file, file, saved = tmp_path / "orig.csv", tmp_path / "renamed.csv", tmp_path / "m.toml"
    orig_file.write_bytes(original)
    file.write_bytes(renamed)
    assert cli.main(["analyze", str(orig_file), "--json"]) == cli.EXIT_OK
    expected = json.loads(capsys.readouterr().out)
    assert cli.main(["inspect", str(file), "--save-mapping", str(saved)]) == cli.EXIT_INPUT
    capsys.readouterr()
    text = saved.read_text(encoding="utf-8")
    assert '\nstatus = "timeline_status"' in text and '\nshape = "tickets"' not in text
    saved.write_text(text.replace('\nticket_id = ""\n', f'\nticket_id = "{RENAMED}"\n'), encoding="utf-8")
    assert cli.main(["analyze", str(file), "--json", "--mapping", str(saved)]) == cli.EXIT_OK
    got = json.loads(capsys.readouterr().out)
    for key in ("rows", "duplicates_removed", "tickets", "tiered_tickets", "tier_events", "frt", "resolution",
                "closing", "reach"):
        assert got[key] == expected[key], key
    assert got["tier_events"]["measured"] > 0


# --------------------------------------------------------------------------- the real export


@pytest.mark.slow
def test_the_real_export_with_its_ticket_id_renamed(seed_path: Path) -> None:
    """QA's reproduction: 14,648 events, 5,809 tier events, 34.2% tier breaches, as with the original."""
    frame = pd.read_excel(seed_path, engine="calamine")
    p = _named(_csv(_renamed(frame)), "renamed.csv")
    got = _figures(p)
    assert (got["events"], got["tickets"], got["tier_events"]) == (14_648, 2_227, 5_809)
    assert (got["breached"], got["rated"]) == (1_107, 3_238)
    assert f"{got['breached'] / got['rated']:.1%}" == "34.2%"
