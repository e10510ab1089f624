"""A one-row-per-ticket shape set against the rows (a mapping file's shape = "tickets" on an event log):
the file's word is followed, and the quality report says what it contradicts."""
from __future__ import annotations

from core import ingest, pipeline, schema
from tests.core import filemakers as fm

LOG = fm.csv_bytes([["Vorgang", "event time", "Status", "Created at"],
                    ["a1f3", "2026-01-01 10:00", "Open", "2026-01-01 10:00"],
                    ["a1f3", "2026-01-01 10:20", "In Progress", "2026-01-01 10:00"],
                    ["b7c2", "2026-01-02 09:00", "Open", "2026-01-02 09:00"]])
ROLES = "[roles]\nticket_id = 'Vorgang'\nevent_time = 'event time'\ncreated_time = 'Created at'\n"


def _prepared(toml: str) -> pipeline.Prepared:
    raw = ingest.read_table(LOG, "log.csv")
    return pipeline.prepare_from_raw(raw, schema.mapping_from_toml(toml, raw.frame))


def test_a_tickets_shape_over_repeating_ids_is_reported() -> None:
    p = _prepared("shape = 'tickets'\n" + ROLES)
    assert p.mapping.shape == "tickets"
    repeat = next(f for f in p.quality.findings if f.kind == "ticket_rows_repeat")
    assert (repeat.column, repeat.count, repeat.rows, repeat.severity) == ("Vorgang", 2, (2, 3), "warning")
    assert 'set shape = "events"' in repeat.message
    assert p.quality.count("status_not_used") == 0


def test_a_status_that_a_tickets_shape_cannot_use_is_reported() -> None:
    p = _prepared("shape = 'tickets'\n" + ROLES + "status = 'Status'\n")
    unused = next(f for f in p.quality.findings if f.kind == "status_not_used")
    assert (unused.column, unused.count, unused.severity) == ("Status", 3, "warning")


def test_the_same_file_without_a_shape_is_an_event_log_with_nothing_to_report() -> None:
    p = _prepared(ROLES + "status = 'Status'\n")
    assert p.mapping.shape == "events" and len(p.events) == 3
    assert p.quality.count("ticket_rows_repeat") == p.quality.count("status_not_used") == 0


def test_a_real_ticket_export_reports_nothing() -> None:
    data = fm.csv_bytes([["Ticket ID", "Status", "Created at", "Solved at"],
                         ["7", "Solved", "2026-01-01 10:00", "2026-01-02 10:00"],
                         ["8", "Open", "2026-01-01 11:00", ""]])
    p = pipeline.prepare(data, "zendesk.csv")
    assert p.mapping.shape == "tickets"
    assert p.quality.count("ticket_rows_repeat") == p.quality.count("status_not_used") == 0
