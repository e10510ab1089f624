"""core.schema: role detection per vendor, value vocabularies, the seed, ticket-level exports, TOML."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from core import contract, schema
from core.schema import canonical_priority, canonical_status, canonical_tier

ROOT = Path(__file__).resolve().parents[2]
try:
    from core.ingest import InputError
except ImportError:  # the ingest layer may land after this module
    InputError = ValueError  # type: ignore[misc,assignment]


def _frame(columns: dict[str, list]) -> pd.DataFrame:
    return pd.DataFrame(columns)


# --------------------------------------------------------------------------- vendor exports

JIRA = {
    "Summary": ["Cannot log in", "Invoice wrong", "Report slow"],
    "Issue key": ["SUP-101", "SUP-102", "SUP-103"],
    "Issue id": [10101, 10102, 10103],
    "Issue Type": ["Incident", "Service request", "Incident"],
    "Status": ["Waiting for support", "In Progress", "Resolved"],
    "Priority": ["Highest", "Medium", "Low"],
    "Resolution": ["", "", "Done"],
    "Assignee": ["Grace Wanjiru", "Sean O'Sullivan", ""],
    "Reporter": ["Ann Kim", "Bo Li", "Cy Oh"],
    "Created": ["27/Nov/26 10:15 AM", "27/Nov/26 11:00 AM", "28/Nov/26 9:05 AM"],
    "Updated": ["27/Nov/26 12:15 PM", "28/Nov/26 11:00 AM", "29/Nov/26 9:05 AM"],
    "Resolved": ["", "", "29/Nov/26 9:05 AM"],
    "Component/s": ["Finance", "Finance", "Analytics"],
    "Description": ["a", "b", "c"],
}
ZENDESK = {
    "Ticket ID": [1, 2, 3],
    "Requester": ["Ann Kim", "Bo Li", "Cy Oh"],
    "Requester id": [501, 502, 503],
    "Assignee": ["Grace Wanjiru", "Zoë Müller", "Grace Wanjiru"],
    "Group": ["Tier 1 Support", "Tier 2 Support", "Tier 1 Support"],
    "Subject": ["Login fails", "Refund", "Slow report"],
    "Status": ["Open", "Pending", "Solved"],
    "Priority": ["Urgent", "Normal", "Low"],
    "Ticket type": ["Incident", "Question", "Problem"],
    "Created at": ["2026-11-27 10:15:00", "2026-11-27 11:00:00", "2026-11-28 09:05:00"],
    "Updated at": ["2026-11-27 12:15:00", "2026-11-28 11:00:00", "2026-11-29 09:05:00"],
    "Solved at": ["", "", "2026-11-29 09:05:00"],
    "Organization": ["Greenfield Academy", "Hillside School", "Greenfield Academy"],
}
FRESHDESK = {
    "Ticket ID": [11, 12, 13],
    "Subject": ["Login fails", "Refund", "Slow report"],
    "Status": ["Open", "Waiting on Customer", "Closed"],
    "Priority": ["Urgent", "Medium", "Low"],
    "Source": ["Email", "Portal", "Phone"],
    "Type": ["Incident", "Question", "Problem"],
    "Agent": ["Grace Wanjiru", "Zoë Müller", "Grace Wanjiru"],
    "Group": ["L1", "L2", "L1"],
    "Created time": ["27/11/2026 10:15:00", "27/11/2026 11:00:00", "28/11/2026 09:05:00"],
    "Resolved time": ["", "", "29/11/2026 09:05:00"],
    "Closed time": ["", "", "30/11/2026 10:00:00"],
    "First responded time": ["27/11/2026 10:25:00", "27/11/2026 12:00:00", "28/11/2026 10:05:00"],
    "First response time (in hrs)": [0.2, 1.0, 1.0],
    "Company Name": ["Greenfield Academy", "Hillside School", "Greenfield Academy"],
    "Product": ["Finance", "Finance", "Analytics"],
    "Requester email": ["ann@example.org", "bo@example.org", "cy@example.org"],
}
SERVICENOW = {
    "number": ["INC0010001", "INC0010002", "INC0010003"],
    "opened_at": ["2026-11-27 10:15:00", "2026-11-27 11:00:00", "2026-11-28 09:05:00"],
    "state": ["New", "On Hold", "Resolved"],
    "priority": ["1 - Critical", "3 - Moderate", "4 - Low"],
    "urgency": ["1 - High", "2 - Medium", "3 - Low"],
    "category": ["Software", "Hardware", "Software"],
    "assignment_group": ["Service Desk", "Network", "Service Desk"],
    "assigned_to": ["Grace Wanjiru", "Zoë Müller", "Grace Wanjiru"],
    "caller_id": ["Ann Kim", "Bo Li", "Cy Oh"],
    "short_description": ["Login fails", "Refund", "Slow report"],
    "description": ["a", "b", "c"],
    "resolved_at": ["", "", "2026-11-29 09:05:00"],
    "closed_at": ["", "", "2026-11-30 09:05:00"],
    "resolved_by": ["", "", "Grace Wanjiru"],
    "company": ["Greenfield Academy", "Hillside School", "Greenfield Academy"],
    "u_tier": ["Tier 1", "Tier 2", "Tier 3"],
    "sys_id": ["a1", "a2", "a3"],
}


@pytest.mark.parametrize(("columns", "expected"), [
    (JIRA, {"ticket_id": "Issue key", "issue_status": "Status", "priority": "Priority",
            "created_time": "Created", "resolved_time": "Resolved", "agent": "Assignee",
            "title": "Summary", "description": "Description", "product": "Component/s",
            "issue_type": "Issue Type", "status": None, "event_time": None}),
    (ZENDESK, {"ticket_id": "Ticket ID", "issue_status": "Status", "priority": "Priority",
               "created_time": "Created at", "resolved_time": "Solved at", "agent": "Assignee",
               "client": "Organization", "title": "Subject", "issue_type": "Ticket type", "tier": "Group"}),
    (FRESHDESK, {"ticket_id": "Ticket ID", "issue_status": "Status", "priority": "Priority",
                 "created_time": "Created time", "resolved_time": "Resolved time", "closed_time": "Closed time",
                 "first_response_time": "First responded time", "agent": "Agent", "client": "Company Name",
                 "product": "Product", "issue_type": "Type", "title": "Subject", "tier": "Group"}),
    (SERVICENOW, {"ticket_id": "number", "created_time": "opened_at", "issue_status": "state",
                  "priority": "priority", "agent": "assigned_to", "title": "short_description",
                  "description": "description", "resolved_time": "resolved_at", "closed_time": "closed_at",
                  "client": "company", "tier": "u_tier", "issue_category": "category"}),
], ids=["jira", "zendesk", "freshdesk", "servicenow"])
def test_vendor_ticket_exports_are_mapped(columns: dict, expected: dict) -> None:
    mapping = schema.detect_mapping(_frame(columns))
    assert mapping.shape == "tickets"
    assert {role: mapping.roles[role] for role in expected} == expected


@pytest.mark.parametrize(("columns", "personal"), [
    (JIRA, {"Assignee": "Agent", "Reporter": "Requester"}),
    (ZENDESK, {"Assignee": "Agent", "Requester": "Requester", "Requester id": "Requester",
               "Organization": "Client"}),
    (FRESHDESK, {"Agent": "Agent", "Company Name": "Client", "Requester email": "Requester"}),
    (SERVICENOW, {"assigned_to": "Agent", "resolved_by": "Agent", "caller_id": "Requester", "company": "Client"}),
], ids=["jira", "zendesk", "freshdesk", "servicenow"])
def test_vendor_personal_columns(columns: dict, personal: dict) -> None:
    assert schema.detect_mapping(_frame(columns)).personal == personal


def test_vendor_free_text() -> None:
    assert schema.detect_mapping(_frame(SERVICENOW)).free_text == ("short_description", "description")
    assert schema.detect_mapping(_frame(JIRA)).free_text == ("Summary", "Description")


@pytest.mark.parametrize(("header", "role"), [
    ("issue_tracker", "ticket_id"), ("Ticket ID", "ticket_id"), ("Issue key", "ticket_id"), ("number", "ticket_id"),
    ("event_timestamp", "event_time"), ("Timestamp", "event_time"), ("timeline_status", "status"),
    ("escalation_level", "tier"), ("Support Tier", "tier"), ("priority_level", "priority"),
    ("resolution_timestamp", "work_resolved_time"), ("first_response_timestamp", "first_response_time"),
    ("First responded time", "first_response_time"), ("Ticket Creation Date", "created_time"),
    ("createdAt", "created_time"), ("opened_at", "created_time"), ("Solved at", "resolved_time"),
    ("closed_at", "closed_time"), ("product", "product"), ("Issue Type", "issue_type"),
    ("issue_category", "issue_category"), ("issue_status", "issue_status"), ("Region", "region"),
    ("COUNTRY", "country"), ("School Name", "client"), ("Resolved By Name", "agent"),
    ("Regional Manager Name", "manager"), ("Issue Title", "title"), ("Details", "description"),
])
def test_header_synonyms(header: str, role: str) -> None:
    assert schema.normalize_name(header) in schema.SYNONYMS[role]


# --------------------------------------------------------------------------- vocabularies

@pytest.mark.parametrize(("raw", "canonical"), [
    ("Pending Customer Response", "ON_STANDBY"), ("On Hold", "ON_STANDBY"), ("Awaiting User Info", "ON_STANDBY"),
    ("Waiting on customer", "ON_STANDBY"), ("Pending", "ON_STANDBY"), ("ON_STANDBY", "ON_STANDBY"),
    ("Active", "IN_PROGRESS"), ("Work in progress", "IN_PROGRESS"), ("In Progress", "IN_PROGRESS"),
    ("WIP", "IN_PROGRESS"), ("Assigned", "IN_PROGRESS"), ("in_progress", "IN_PROGRESS"),
    ("New", "OPEN"), ("Open", "OPEN"), ("Reopened", "OPEN"), ("Triage", "TRIAGE"), ("Under review", "TRIAGE"),
    ("Escalated", "ESCALATED"), ("Solved", "RESOLVED"), ("Resolved", "RESOLVED"), ("Fixed", "RESOLVED"),
    ("6 - Resolved", "RESOLVED"), ("Closed", "CLOSED"), ("Cancelled", "CLOSED"), ("  closed ", "CLOSED"),
    ("", None), (None, None), ("Frobnicated", schema.UNKNOWN),
])
def test_canonical_status(raw: object, canonical: str | None) -> None:
    assert canonical_status(raw) == canonical


@pytest.mark.parametrize(("raw", "canonical"), [
    ("Tier 1", "TIER_1"), ("T1", "TIER_1"), ("L1", "TIER_1"), ("Level 1", "TIER_1"), ("1st line", "TIER_1"),
    ("First line", "TIER_1"), ("TIER_1", "TIER_1"), ("Tier-2", "TIER_2"), ("2nd line", "TIER_2"),
    ("Tier 2 Support", "TIER_2"), ("L3", "TIER_3"), ("Tier III", "TIER_3"), ("tier4", "TIER_4"),
    ("UNGROUPED", None), ("", None), ("None", None), ("N/A", None), (None, None), (float("nan"), None),
    ("Billing team", schema.UNKNOWN), ("Tier 9", schema.UNKNOWN),
])
def test_canonical_tier(raw: object, canonical: str | None) -> None:
    assert canonical_tier(raw) == canonical


@pytest.mark.parametrize(("raw", "canonical"), [
    ("Critical", "CRITICAL"), ("Urgent", "CRITICAL"), ("P1", "CRITICAL"), ("Highest", "CRITICAL"),
    ("Blocker", "CRITICAL"), ("1 - Critical", "CRITICAL"), ("High", "HIGH"), ("P2", "HIGH"),
    ("2 - High", "HIGH"), ("Medium", "MEDIUM"), ("Normal", "MEDIUM"), ("P3", "MEDIUM"), ("3 - Moderate", "MEDIUM"),
    ("Low", "LOW"), ("P4", "LOW"), ("P5", "LOW"), ("Lowest", "LOW"), ("Minor", "LOW"), ("5 - Planning", "LOW"),
    ("", None), ("Whenever", schema.UNKNOWN),
])
def test_canonical_priority(raw: object, canonical: str | None) -> None:
    assert canonical_priority(raw) == canonical


def test_canonical_values_are_in_the_contract() -> None:
    assert set(schema._STATUS_WORDS.values()) <= set(contract.STATUSES)
    assert set(schema._PRIORITY_WORDS.values()) <= set(contract.PRIORITIES)


def test_unknown_values_are_listed_not_dropped() -> None:
    frame = _frame({
        "ticket": [1, 1, 2, 2], "when": ["2026-01-01 10:00"] * 4,
        "Status": ["Open", "Frobnicated", "Solved", "Open"], "Tier": ["L1", "Billing", "UNGROUPED", "L2"],
        "Priority": ["P1", "Soonish", "P3", "P3"],
    })
    m = schema.detect_mapping(frame)
    assert m.unknown_values == {"status": ("Frobnicated",), "tier": ("Billing",), "priority": ("Soonish",)}
    assert m.status_values == {"Open": "OPEN", "Solved": "RESOLVED"}
    assert m.tier_values == {"L1": "TIER_1", "L2": "TIER_2", "UNGROUPED": None}
    assert m.priority_values == {"P1": "CRITICAL", "P3": "MEDIUM"}


def test_roles_found_from_values_alone() -> None:
    frame = _frame({
        "col_a": ["T-1041", "T-1041", "T-1042", "T-1042", "T-1043"],
        "col_b": ["Open", "Solved", "New", "In Progress", "Closed"],
        "col_c": ["L1", "L2", "L1", "UNGROUPED", "L3"],
        "col_d": ["P1", "P2", "P3", "P3", "P4"],
    })
    m = schema.detect_mapping(frame)
    assert [m.roles[r] for r in ("ticket_id", "status", "tier", "priority")] == ["col_a", "col_b", "col_c", "col_d"]
    assert all(m.choice(r).how.startswith("values:") for r in ("ticket_id", "status", "tier", "priority"))
    assert all(0 < m.choice(r).confidence < 0.95 for r in ("ticket_id", "status", "tier", "priority"))


def test_time_header_with_text_values_is_not_a_time() -> None:
    frame = _frame({"Ticket ID": [1, 2], "Created": ["yesterday-ish", "no idea"]})
    assert schema.detect_mapping(frame).roles["created_time"] is None


def test_each_column_plays_one_role_and_input_is_not_mutated() -> None:
    frame = _frame(SERVICENOW)
    before = frame.copy()
    m = schema.detect_mapping(frame)
    used = [c for c in m.roles.values() if c]
    assert len(used) == len(set(used))
    pd.testing.assert_frame_equal(frame, before)
    assert {c.role for c in m.choices} == set(schema.ROLES)
    assert all(0.0 <= c.confidence <= 1.0 for c in m.choices)


def test_event_log_from_another_tool_is_events() -> None:
    frame = _frame({
        "Issue key": ["A-1", "A-1", "A-2", "A-2"], "Changed at": ["2026-01-01 10:00"] * 4,
        "To Status": ["Open", "In Progress", "New", "Done"], "Priority": ["High"] * 4,
        "Created": ["2026-01-01 09:00"] * 4,
    })
    m = schema.detect_mapping(frame)
    assert (m.shape, m.roles["event_time"], m.roles["status"]) == ("events", "Changed at", "To Status")


# --------------------------------------------------------------------------- the seed

def _seed_frame(seed_path: Path) -> pd.DataFrame:
    frame = pd.read_excel(seed_path, engine="calamine")
    names = list(frame.columns)
    names[0], names[-1] = "Sub Module", "Sub Module (2)"  # what core.ingest's header normalization does
    frame.columns = names
    return frame


@pytest.fixture(scope="module")
def seed_frame(seed_path: Path) -> pd.DataFrame:
    return _seed_frame(seed_path)


SEED_ROLES = {
    "ticket_id": "issue_tracker", "event_time": "event_timestamp", "status": "timeline_status",
    "tier": "escalation_level", "priority": "priority_level", "work_resolved_time": "resolution_timestamp",
    "first_response_time": "first_response_timestamp", "created_time": "Ticket Creation Date",
    "product": "product", "issue_type": "Issue Type", "issue_category": "issue_category",
    "issue_status": "issue_status", "region": "Region", "country": "Country", "client": "School Name",
    "agent": "Resolved By Name",
}


@pytest.mark.slow
def test_seed_every_metric_role_is_mapped(seed_frame: pd.DataFrame) -> None:
    m = schema.detect_mapping(seed_frame)
    assert m.shape == "events"
    assert {r: m.roles[r] for r in SEED_ROLES} == SEED_ROLES
    assert all(m.choice(r).confidence >= 0.9 for r in SEED_ROLES)


@pytest.mark.slow
def test_seed_vocabularies(seed_frame: pd.DataFrame) -> None:
    m = schema.detect_mapping(seed_frame)
    assert m.status_values == {s: s for s in contract.STATUSES}
    assert m.tier_values == {"TIER_1": "TIER_1", "TIER_2": "TIER_2", "TIER_3": "TIER_3", "UNGROUPED": None}
    assert m.priority_values == {"HIGH": "HIGH", "MEDIUM": "MEDIUM", "LOW": "LOW"}
    assert m.unknown_values == {}


@pytest.mark.slow
def test_seed_personal_and_free_text(seed_frame: pd.DataFrame) -> None:
    m = schema.detect_mapping(seed_frame)
    assert m.personal["School Name"] == "School"
    assert m.personal["Regional Manager Name"] == "Regional Manager"
    assert m.personal["Relationship Manager Name"] == "Relationship Manager"
    assert {m.personal[c] for c in ("Resolved By Name", "assigned_to", "assigned_by", "resolved_by")} == {"Agent"}
    assert "Agent Availability" not in m.personal and "Customer Support Type" not in m.personal
    assert m.free_text == ("Issue Title",)  # the sub-module is not free text unless the user says so


@pytest.mark.slow
def test_seed_example_mapping_file_loads(seed_frame: pd.DataFrame) -> None:
    text = (ROOT / "examples" / "mapping-seed.toml").read_text(encoding="utf-8")
    m = schema.mapping_from_toml(text, seed_frame)
    assert {r: m.roles[r] for r in SEED_ROLES} == SEED_ROLES


# --------------------------------------------------------------------------- ticket-level exports

def test_ticket_level_events_zendesk_like() -> None:
    frame = _frame({
        "Ticket ID": [7, 8],
        "Status": ["Solved", "Open"],
        "Priority": ["Urgent", "Low"],
        "Group": ["Tier 1", "Tier 2"],
        "Created at": ["2026-11-27 10:15:00", "2026-11-27 11:00:00"],
        "First reply at": ["2026-11-27 10:20:00", ""],
        "Solved at": ["2026-11-28 09:00:00", None],
        "Organization": ["Greenfield Academy", "Hillside School"],
        "Assignee": ["Grace Wanjiru", ""],
    })
    before = frame.copy()
    m = schema.detect_mapping(frame)
    assert m.shape == "tickets"
    out = schema.ticket_level_events(frame, m, source_rows=[2, 3])
    pd.testing.assert_frame_equal(frame, before)
    assert list(out["ticket_id"]) == ["7", "7", "7", "8"]
    assert list(out["status"]) == ["OPEN", "IN_PROGRESS", "RESOLVED", "OPEN"]
    assert list(out["source_row"]) == [2, 2, 2, 3]
    assert list(out["event_time"]) == ["2026-11-27 10:15:00", "2026-11-27 10:20:00", "2026-11-28 09:00:00",
                                       "2026-11-27 11:00:00"]
    assert list(out["time_column"]) == ["Created at", "First reply at", "Solved at", "Created at"]
    assert out["work_resolved_time"].tolist()[1] == "2026-11-28 09:00:00"
    assert list(out["tier"]) == ["TIER_1"] * 3 + ["TIER_2"]
    assert list(out["priority"]) == ["CRITICAL"] * 3 + ["LOW"]
    assert list(out["client"]) == ["Greenfield Academy"] * 3 + ["Hillside School"]
    assert list(out["issue_status"]) == ["Solved"] * 3 + ["Open"]
    assert out["agent"].isna().tolist() == [False, False, False, True]
    assert set(contract.NAMES) <= set(out.columns)


def test_ticket_level_events_keeps_parsed_times() -> None:
    frame = _frame({"Ticket ID": ["A", "B"],
                    "Created": pd.to_datetime(["2026-01-01 10:00", "2026-01-02 10:00"]),
                    "Closed": pd.to_datetime(["2026-01-03 10:00", None])})
    m = schema.detect_mapping(frame)
    out = schema.ticket_level_events(frame, m)
    assert list(out["status"]) == ["OPEN", "IN_PROGRESS", "CLOSED", "OPEN"]
    assert pd.api.types.is_datetime64_any_dtype(out["event_time"].dtype)


# --------------------------------------------------------------------------- overrides and TOML

def test_with_overrides_moves_a_column_and_recomputes_vocabulary() -> None:
    frame = _frame(ZENDESK)
    m = schema.detect_mapping(frame)
    changed = schema.with_overrides(m, frame=frame, status="Status")
    assert changed.roles["status"] == "Status" and changed.roles["issue_status"] is None
    assert changed.status_values == {"Open": "OPEN", "Pending": "ON_STANDBY", "Solved": "RESOLVED"}
    assert changed.choice("status") == schema.RoleChoice("status", "Status", "user", 1.0)
    assert m.roles["issue_status"] == "Status"  # the original is untouched
    assert schema.with_overrides(m, free_text=("Subject", "Group")).free_text == ("Subject", "Group")


def test_with_overrides_rejects_unknown_settings() -> None:
    m = schema.detect_mapping(_frame(ZENDESK))
    with pytest.raises(InputError, match="Unknown mapping setting"):
        schema.with_overrides(m, colour="blue")


def _same(a: schema.Mapping, b: schema.Mapping) -> None:
    for name in ("roles", "shape", "status_values", "tier_values", "priority_values", "unknown_values",
                 "date_orders", "timezone", "personal", "free_text"):
        assert getattr(a, name) == getattr(b, name), name


@pytest.mark.slow
def test_toml_round_trip_seed(seed_frame: pd.DataFrame) -> None:
    m = schema.detect_mapping(seed_frame)
    _same(schema.mapping_from_toml(schema.mapping_to_toml(m), seed_frame), m)


def test_toml_round_trip_awkward_names() -> None:
    frame = _frame({
        'Ticket "ID"': [1, 1, 2], "When\\at": ["2026-01-01 10:00"] * 3, "Sub Module": ["x", "y", "z"],
        "Status": ['Wait "for" us', "Open", "Ünïcode ✓"], "Tier": ["L1", "L2", "n/a"],
    })
    m = schema.detect_mapping(frame)
    m = schema.with_overrides(m, frame=frame, ticket_id='Ticket "ID"', event_time="When\\at",
                              date_orders={"When\\at": "day-first"}, timezone="Africa/Nairobi",
                              status_values={'Wait "for" us': "ON_STANDBY", "Open": "OPEN"},
                              free_text=("Sub Module",))
    text = schema.mapping_to_toml(m)
    back = schema.mapping_from_toml(text, frame)
    _same(back, schema.with_overrides(m, unknown_values={"status": ("Ünïcode ✓",)}))
    assert all(c.how == "mapping file" for c in back.choices)


@pytest.mark.parametrize(("text", "message"), [
    ("[roles\nticket_id = 'x'", "not valid TOML"),
    ("[roles]\nticket_number = 'Ticket ID'", "unknown role"),
    ("[roles]\nticket_id = 'Nope'", "does not have"),
    ("[roles]\nticket_id = 'Ticket ID'\nstatus = 'Ticket ID'", "two roles"),
    ("shape = 'blobs'", "shape must be"),
    ("[status_values]\nOpen = 'KINDA_OPEN'", "allowed"),
    ("[tier_values]\nL1 = 'TIER_9'", "allowed"),
    ("[personal]\nGhost = 'Agent'", "does not have"),
    ("[date_orders]\n'Created at' = 'sideways'", "date_orders"),
    ("[roles]\nticket_id = 3", "text values only"),
])
def test_bad_toml_is_an_input_error(text: str, message: str) -> None:
    frame = _frame(ZENDESK)
    with pytest.raises(InputError, match=message) as info:
        schema.mapping_from_toml(text, frame)
    assert "Greenfield" not in str(info.value) and "Grace" not in str(info.value)


def test_minimal_toml_keeps_detected_personal_columns_and_shape() -> None:
    frame = _frame(ZENDESK)
    m = schema.mapping_from_toml("[roles]\nticket_id = 'Ticket ID'\ncreated_time = 'Created at'\n", frame)
    assert m.shape == "tickets"
    assert m.personal == schema.detect_mapping(frame).personal
    assert m.free_text == ("Subject",)
    assert m.roles["agent"] == "Assignee"  # roles the file leaves out are detected
    assert m.choice("agent").how != "mapping file" and m.choice("ticket_id").how == "mapping file"


def test_header_only_frame_still_maps_by_header() -> None:
    frame = pd.DataFrame({c: pd.Series([], dtype="str") for c in ("issue_tracker", "event_timestamp",
                                                                  "timeline_status", "Ticket Creation Date")})
    m = schema.detect_mapping(frame)
    assert m.roles["event_time"] == "event_timestamp" and m.roles["status"] == "timeline_status"
    assert m.choice("event_time").confidence < 0.9
    assert len(schema.ticket_level_events(frame, m)) == 0


def test_ticket_without_first_response_is_answered_by_its_resolution() -> None:
    frame = _frame({"Ticket ID": [1, 2, 3],
                    "Created at": ["2026-01-01 10:00", "2026-01-01 11:00", "2026-01-01 12:00"],
                    "First reply at": ["", "2026-01-01 11:30", ""],
                    "Solved at": ["2026-01-02 10:00", "2026-01-02 11:00", ""]})
    out = schema.ticket_level_events(frame, schema.detect_mapping(frame))
    responses = out[out["status"] == "IN_PROGRESS"]
    assert list(responses["ticket_id"]) == ["1", "2"]  # ticket 3 is still waiting
    assert list(responses["time_column"]) == ["Solved at", "First reply at"]
    assert list(responses["event_time"]) == ["2026-01-02 10:00", "2026-01-01 11:30"]


def test_scores_and_counts_are_not_guessed_as_priority_or_ticket() -> None:
    frame = _frame({"Key": ["K-1", "K-2", "K-3", "K-4"] * 30, "CSAT": [1, 2, 3, 4] * 30, "Reopens": [0] * 120})
    m = schema.detect_mapping(frame)
    assert m.roles["priority"] is None and m.roles["ticket_id"] == "Key"


def test_with_overrides_keeps_user_vocabulary_and_only_adds_personal_columns() -> None:
    frame = _frame({**ZENDESK, "Notes from": ["x", "y", "z"], "Escalation owner": ["a", "b", "c"]})
    m = schema.with_overrides(schema.detect_mapping(frame), frame=frame, priority_values={"Urgent": "HIGH"})
    m = schema.with_overrides(m, frame=frame, agent="Escalation owner", issue_type=None)
    assert m.priority_values == {"Urgent": "HIGH"}  # priority column unchanged: the user's choice stays
    assert m.personal["Assignee"] == "Agent" and m.personal["Escalation owner"] == "Agent"
    with pytest.raises(InputError, match="not in the file"):
        schema.with_overrides(m, frame=frame, title="Nope")


@pytest.mark.parametrize("series", [
    pd.Series([5, 5, 7, -12, 10**13, 3] * 50, dtype="int64"),
    pd.Series([5, None, 7, 8] * 60, dtype="Int64"),
    pd.Series([1.0, 2.0, 2.0, float("nan")] * 80),
    pd.Series([1.5, 2.0, 2.0] * 80),
    pd.Series([None] * 30 + [1.0] * 10),
], ids=["int64", "Int64 with blanks", "whole floats", "fractions", "mostly blank"])
def test_number_columns_profile_as_their_text_would(series: pd.Series) -> None:
    # What the text path gives for the same cells written as _cell_text writes them.
    whole = series.dropna()
    as_text = whole.astype("int64").astype("str") if bool((whole == whole.round()).all()) else whole.astype("str")
    text = pd.Series(as_text.reindex(series.index), dtype="str")
    assert schema._id_profile(series) == pytest.approx(schema._id_profile(text))
    assert schema._id_profile(series, rejects_below=0.95) == pytest.approx(schema._id_profile(text))


def test_a_text_column_rejected_on_its_head_is_rejected_on_all_of_it() -> None:
    series = pd.Series(["Cashbook balance is wrong"] * 2500 + ["T-1"] * 40_000, dtype="str")
    quick = schema._id_profile(series, rejects_below=0.95)
    assert quick[0] < 0.95 and schema._id_profile(series)[0] < 0.95
