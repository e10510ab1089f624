"""Map an export's columns to TierLens roles and its status/tier/priority values to canonical ones."""
from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Final, Iterable

import numpy as np
import pandas as pd

from core import contract, parallel

ROLES: Final[tuple[str, ...]] = (
    "ticket_id", "event_time", "status", "tier", "priority",
    "work_resolved_time", "first_response_time", "created_time", "resolved_time", "closed_time",
    "product", "issue_type", "issue_category", "issue_status", "region", "country",
    "client", "agent", "manager", "title", "description",
)
TIME_ROLES: Final[tuple[str, ...]] = (
    "event_time", "work_resolved_time", "first_response_time", "created_time", "resolved_time", "closed_time",
)
VOCAB_ROLES: Final[tuple[str, ...]] = ("status", "tier", "priority")
SHAPES: Final[tuple[str, ...]] = ("events", "tickets")
DATE_ORDERS: Final[tuple[str, ...]] = ("auto", "day-first", "month-first")
UNKNOWN: Final[str] = "UNKNOWN"
"""What canonical_status/tier/priority return for a value they do not understand."""

# Header synonyms, best first, already in normalized form (see normalize_name).
# The rank decides between two columns that both match a role (e.g. the seed's
# 'Resolved By Name' beats its numeric 'assigned_to' for the agent role).
SYNONYMS: Final[dict[str, tuple[str, ...]]] = {
    "ticket_id": ("issue tracker", "ticket id", "issue key", "ticket number", "ticket no", "ticket",
                  "issue id", "case number", "case id", "incident number", "request id", "number",
                  "key", "id", "ticket key", "case", "incident id", "sys id"),
    "event_time": ("event timestamp", "event time", "event date", "event datetime", "timestamp",
                   "status changed at", "status change time", "changed at", "change time", "transition time",
                   "history date", "log time", "activity time"),
    "status": ("timeline status", "event status", "new status", "to status", "status to", "status",
               "state", "incident state", "ticket status"),
    "tier": ("escalation level", "tier", "support tier", "u tier", "support level", "escalation tier",
             "tier level", "level", "support line", "line", "escalation", "service tier"),
    "priority": ("priority level", "priority", "ticket priority", "severity", "urgency", "impact"),
    "work_resolved_time": ("resolution timestamp", "work resolved time", "work resolved at",
                           "work end time", "work ended at"),
    "first_response_time": ("first response timestamp", "first response time", "first responded time",
                            "first responded at", "first response at", "first reply time", "first reply at",
                            "first response date", "responded at", "response time"),
    "created_time": ("ticket creation date", "created", "created at", "created time", "created date",
                     "creation date", "date created", "opened at", "opened", "open date", "date opened",
                     "sys created on", "created on", "submitted at", "submitted", "ticket created at",
                     "request created"),
    "resolved_time": ("resolved", "resolved at", "resolved time", "resolved date", "resolution date",
                      "solved at", "solved", "date resolved", "resolved on", "solved time", "resolution time"),
    "closed_time": ("closed", "closed at", "closed time", "closed date", "date closed", "closed on"),
    "product": ("product", "product name", "products", "component s", "components", "component",
                "application", "app", "business service", "service", "cmdb ci", "brand", "software"),
    "issue_type": ("issue type", "ticket type", "type", "request type", "work type", "incident type",
                   "case type"),
    "issue_category": ("issue category", "category", "ticket category", "subcategory", "sub category",
                       "problem category"),
    "issue_status": ("issue status", "current status", "ticket current status", "final status"),
    "region": ("region", "area", "zone", "territory", "geo", "sales region"),
    "country": ("country", "country name", "country code", "nation"),
    "client": ("school name", "school", "client", "client name", "customer", "customer name",
               "organization", "organisation", "organization name", "company", "company name",
               "account", "account name", "requester organization", "institution"),
    "agent": ("resolved by name", "agent name", "agent", "assignee", "assignee name", "assigned to",
              "assigned agent", "resolved by", "owner", "technician", "handled by", "responder",
              "solved by", "closed by"),
    "manager": ("regional manager name", "regional manager", "relationship manager name",
                "relationship manager", "account manager", "customer success manager", "manager", "csm"),
    "title": ("issue title", "title", "summary", "subject", "short description", "issue summary",
              "ticket title", "ticket subject", "headline"),
    "description": ("description", "issue description", "details", "body", "long description",
                    "comments", "comment", "notes", "work notes", "ticket description", "message"),
}

_HEADER_CONFIDENCE: Final[float] = 0.95


@dataclass(frozen=True)
class RoleChoice:
    """How one role got its column: e.g. "header synonym 'issue_tracker'", "values: ...", "user"."""

    role: str
    column: str | None
    how: str
    confidence: float


@dataclass(frozen=True)
class Mapping:
    """Which column plays which role, how raw values translate, and what is personal.

    ``*_values`` map the cell text (as ``str(value)``, whole floats without '.0')
    to a canonical value; for tiers ``None`` means "in no tier". Raw values that
    were not understood are absent from those dicts and listed in ``unknown_values``.
    """

    roles: dict[str, str | None]
    choices: tuple[RoleChoice, ...] = ()
    shape: str = "events"
    # True when the user or a mapping file set the shape: it is then never re-decided
    # (see with_overrides); a detected shape is re-decided when its deciding roles change.
    shape_given: bool = False
    status_values: dict[str, str | None] = field(default_factory=dict)
    tier_values: dict[str, str | None] = field(default_factory=dict)
    priority_values: dict[str, str | None] = field(default_factory=dict)
    unknown_values: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_orders: dict[str, str] = field(default_factory=dict)
    timezone: str = "UTC"
    personal: dict[str, str] = field(default_factory=dict)
    free_text: tuple[str, ...] = ()

    def choice(self, role: str) -> RoleChoice | None:
        """The RoleChoice for ``role`` (None when the role was never considered)."""
        return next((c for c in self.choices if c.role == role), None)


# --------------------------------------------------------------------------- names

_MOJIBAKE_BOM = "\u00ef\u00bb\u00bf"


def normalize_name(text: object) -> str:
    """Header text reduced for comparison: no BOM, lower case, words split on any punctuation.

    >>> normalize_name("ï»¿Sub Module")
    'sub module'
    >>> normalize_name("first_response_timestamp"), normalize_name("createdAt"), normalize_name("Component/s")
    ('first response timestamp', 'created at', 'component s')
    """
    s = str(text).replace(_MOJIBAKE_BOM, "").replace("\ufeff", "")
    s = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", s)
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"\s*\(\d+\)\s*$", "", s)  # 'Sub Module (2)': the ingest layer's duplicate suffix
    return " ".join(re.findall(r"[a-z0-9]+", s))


def _cell_text(series: pd.Series) -> pd.Series:
    """Non-blank cells as the text the pipeline keys vocabularies by (whole floats lose '.0')."""
    s = series.dropna()
    if pd.api.types.is_float_dtype(s.dtype) and len(s) and bool((s == np.floor(s)).all()):
        s = s.astype("int64")
    text = s.astype("str")
    return text[text.str.strip() != ""]


# --------------------------------------------------------------------------- vocabularies

_NO_VALUE: Final[frozenset[str]] = frozenset({"", "none", "n a", "na", "null", "nan", "nil", "no tier",
                                              "ungrouped", "unassigned", "not set", "unknown"})

_STATUS_WORDS: Final[dict[str, str]] = {
    # Waiting on the customer is ON_STANDBY: the clock may be paused there by policy.
    **dict.fromkeys(("on standby", "standby", "pending", "on hold", "hold", "pending customer response",
                     "pending customer", "awaiting user info", "awaiting customer", "awaiting info",
                     "waiting on customer", "waiting for customer", "waiting on user", "awaiting reply",
                     "waiting", "pending user", "customer pending", "awaiting response", "pending third party",
                     "waiting for support"), "ON_STANDBY"),
    # "Assigned" means someone owns it and is working it in most tools (ServiceNow, Freshdesk).
    **dict.fromkeys(("in progress", "active", "work in progress", "wip", "working", "assigned",
                     "in work", "being worked", "investigating", "ongoing", "responded"), "IN_PROGRESS"),
    **dict.fromkeys(("open", "new", "reopened", "re opened", "to do", "todo", "created", "submitted",
                     "unresolved", "received"), "OPEN"),
    **dict.fromkeys(("triage", "under review", "in review", "review", "triaged", "needs triage",
                     "analysis", "awaiting triage"), "TRIAGE"),
    **dict.fromkeys(("escalated", "escalation", "transferred"), "ESCALATED"),
    **dict.fromkeys(("resolved", "solved", "fixed", "done", "completed", "complete", "resolved fixed"),
                    "RESOLVED"),
    # A cancelled ticket is formally closed; it never reaches a fix.
    **dict.fromkeys(("closed", "cancelled", "canceled", "closed complete", "closed incomplete",
                     "closed skipped", "rejected", "won t do", "wont do", "duplicate", "archived"), "CLOSED"),
}

_PRIORITY_WORDS: Final[dict[str, str]] = {
    **dict.fromkeys(("critical", "urgent", "p1", "p0", "highest", "blocker", "emergency", "sev1", "sev 1",
                     "severity 1", "1"), "CRITICAL"),
    **dict.fromkeys(("high", "p2", "major", "sev2", "sev 2", "severity 2", "2"), "HIGH"),
    **dict.fromkeys(("medium", "normal", "moderate", "p3", "sev3", "sev 3", "severity 3", "3", "standard"),
                    "MEDIUM"),
    **dict.fromkeys(("low", "p4", "p5", "lowest", "minor", "trivial", "planning", "sev4", "sev 4",
                     "severity 4", "4", "5"), "LOW"),
}

_ORDINALS: Final[dict[str, int]] = {
    "1": 1, "one": 1, "first": 1, "1st": 1, "i": 1,
    "2": 2, "two": 2, "second": 2, "2nd": 2, "ii": 2,
    "3": 3, "three": 3, "third": 3, "3rd": 3, "iii": 3,
    "4": 4, "four": 4, "fourth": 4, "4th": 4, "iv": 4,
}
_TIER_PATTERNS: Final[tuple[re.Pattern[str], ...]] = (
    re.compile(r"^(?:tier|level|lvl|l|t|line|support level|support tier|escalation level)\s*"
               r"(1|2|3|4|one|two|three|four|i|ii|iii|iv)\b"),
    re.compile(r"\b(?:tier|level|lvl)\s*(1|2|3|4|one|two|three|four)\b"),
    re.compile(r"\b(1st|2nd|3rd|4th|first|second|third|fourth)\s*(?:line|level|tier)\b"),
    re.compile(r"^(?:l|t)(1|2|3|4)\b"),
)


def _value_key(raw: object) -> str:
    return normalize_name(raw) if raw is not None and not (isinstance(raw, float) and np.isnan(raw)) else ""


def canonical_status(raw: object) -> str | None:
    """Canonical status (contract.STATUSES), None for a blank, UNKNOWN when not understood.

    >>> canonical_status("Pending Customer Response"), canonical_status("WIP"), canonical_status("Solved")
    ('ON_STANDBY', 'IN_PROGRESS', 'RESOLVED')
    >>> canonical_status("Frobnicated")
    'UNKNOWN'
    """
    key = _value_key(raw)
    if key in ("", "none", "nan", "null", "n a"):
        return None
    key = re.sub(r"^\d+\s+", "", key)  # ServiceNow writes states as "6 - Resolved"
    return _STATUS_WORDS.get(key, UNKNOWN)


def canonical_tier(raw: object) -> str | None:
    """Canonical tier (contract.TIERS), None when the value means "in no tier", UNKNOWN otherwise.

    >>> [canonical_tier(v) for v in ("Tier 1", "L2", "2nd line", "TIER_3", "UNGROUPED", "")]
    ['TIER_1', 'TIER_2', 'TIER_2', 'TIER_3', None, None]
    >>> canonical_tier("Billing team")
    'UNKNOWN'
    """
    key = _value_key(raw)
    if key in _NO_VALUE:
        return None
    for pattern in _TIER_PATTERNS:
        found = pattern.search(key)
        if found:
            return f"TIER_{_ORDINALS[found.group(1)]}"
    return UNKNOWN


def canonical_priority(raw: object) -> str | None:
    """Canonical priority (contract.PRIORITIES), None for a blank, UNKNOWN when not understood.

    >>> [canonical_priority(v) for v in ("Urgent", "P2", "Normal", "Lowest", "1 - Critical", "4 - Low")]
    ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'CRITICAL', 'LOW']
    """
    key = _value_key(raw)
    if key in ("", "none", "nan", "null", "n a"):
        return None
    if key in _PRIORITY_WORDS:
        return _PRIORITY_WORDS[key]
    words = re.sub(r"^\d+\s+", "", key)  # "1 - Critical": the word wins over the number
    return _PRIORITY_WORDS.get(words, UNKNOWN)


_CANONICAL = {"status": canonical_status, "tier": canonical_tier, "priority": canonical_priority}


def _vocabulary(series: pd.Series, role: str) -> tuple[dict[str, str | None], tuple[str, ...]]:
    """Raw cell text -> canonical for every distinct value, and the values not understood."""
    known: dict[str, str | None] = {}
    unknown: list[str] = []
    # the distinct cells first: the same texts as from every row, at a fraction of the cost at 1M rows
    for raw in sorted(_cell_text(pd.Series(series.dropna().unique(), dtype=series.dtype)).unique()):
        canon = _CANONICAL[role](raw)
        if canon == UNKNOWN:
            unknown.append(raw)
        elif canon is not None or role == "tier":
            known[raw] = canon
    return known, tuple(unknown)


def _vocab_match_rate(series: pd.Series, role: str) -> float:
    """Share of non-blank cells (on a sample) whose value the role's vocabulary understands."""
    text = _cell_text(series.head(5000))
    if text.empty:
        return 0.0
    counts = text.value_counts()
    if role == "tier":  # 'no tier' labels alone do not make a tier column
        hits = sum(n for v, n in counts.items() if canonical_tier(v) not in (None, UNKNOWN))
        misses = sum(n for v, n in counts.items() if canonical_tier(v) == UNKNOWN)
        return hits / max(hits + misses, 1) if hits else 0.0
    ok = sum(n for v, n in counts.items() if _CANONICAL[role](v) not in (None, UNKNOWN))
    return ok / int(counts.sum())


# --------------------------------------------------------------------------- value checks

_DATE_LIKE = re.compile(
    r"^\s*(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}[/ -][a-z]{3,9}[/ -]\d{2,4}"
    r"|[a-z]{3,9} \d{1,2},? \d{4})"  # ISO, numeric, Jira's 27/Nov/26, 'Nov 27, 2026'
    r"([ T,]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*(am|pm)?)?\s*(z|[+-]\d{2}:?\d{2}|utc)?\s*$", re.I)


def _datetime_rate(series: pd.Series) -> float:
    """Share of non-blank values that look like date-times.

    The larger of core.dates' parse rate (when that module is there) and a cheap
    pattern check: a column's role does not depend on whether our parser already
    reads its format (an unreadable format is then reported, not hidden by a wrong role).
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return 1.0
    if pd.api.types.is_numeric_dtype(series.dtype):
        return 0.0  # Excel serials are read as dates only when the role says so
    text = _cell_text(series.head(2000)).head(300)
    looks = float(text.str.match(_DATE_LIKE).mean()) if len(text) else 0.0
    try:
        from core.dates import datetime_parse_rate
    except ImportError:
        return looks
    return max(looks, float(datetime_parse_rate(series)))


_ID_LIKE = re.compile(r"^[A-Za-z]{0,8}[-_#]?\d{1,12}$")


def _id_profile(series: pd.Series, *, rejects_below: float = 0.0) -> tuple[float, float]:
    """(share of id-looking values, rows per distinct value) for a candidate ticket id column.

    With ``rejects_below``, a text column whose first 2,000 values are id-like less often
    than that returns at once (the caller will reject it whatever the rest holds), sparing
    the pass over every row.
    """
    if pd.api.types.is_datetime64_any_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
        return 0.0, 1.0
    if pd.api.types.is_numeric_dtype(series.dtype):
        return _numeric_id_profile(series)
    if rejects_below:
        head = _cell_text(series.head(20_000)).head(2000)
        if len(head) == 2000 or len(series) <= 20_000:  # then it is exactly the full path's sample
            share = float(head.str.match(_ID_LIKE).mean()) if len(head) else 0.0
            if share < rejects_below:
                return share, 1.0
    text = _cell_text(series)
    if len(text) < max(2, 0.95 * len(series)):
        return 0.0, 1.0  # ticket ids are never blank
    sample = text.head(2000)
    return float(sample.str.match(_ID_LIKE).mean()), len(text) / max(text.nunique(), 1)


def _numeric_id_profile(series: pd.Series) -> tuple[float, float]:
    """_id_profile of a number column without writing 1M numbers as text (the same result).

    As text (see _cell_text) a whole number is id-like when it has at most 12 digits (a
    minus sign is allowed by _ID_LIKE); a column with a fraction anywhere stays float and
    its texts hold a '.', never id-like. Distinct texts are distinct numbers.
    """
    values = series.dropna()
    if len(values) < max(2, 0.95 * len(series)):
        return 0.0, 1.0
    repeat = len(values) / max(values.nunique(), 1)
    numbers = values.to_numpy(dtype=np.float64)
    if pd.api.types.is_float_dtype(series.dtype) and not bool((numbers == np.floor(numbers)).all()):
        return 0.0, repeat
    return float((np.abs(numbers[:2000]) < 1e12).mean()), repeat


# --------------------------------------------------------------------------- detection

@dataclass(frozen=True)
class _Candidate:
    score: float
    role: str
    column: str
    how: str


def _header_candidates(frame: pd.DataFrame) -> list[_Candidate]:
    out = []
    for column in frame.columns:
        name = normalize_name(column)
        for role, names in SYNONYMS.items():
            if name in names:
                rank = names.index(name)
                how = f"header synonym {str(column)!r}"
                out.append(_Candidate(_HEADER_CONFIDENCE - 0.01 * min(rank, 20), role, column, how))
    return out


def _checked(c: _Candidate, frame: pd.DataFrame) -> _Candidate | None:
    """A header match confirmed (or demoted) by what the column holds."""
    series = frame[c.column]
    if _cell_text(series.head(5000)).empty:
        # Nothing to check (a header-only file, an empty column): trust the header, less.
        return replace(c, score=c.score * 0.7, how=f"{c.how}; column is empty")
    if c.role in TIME_ROLES:
        rate = _datetime_rate(series)
        if rate < 0.5 and not pd.api.types.is_numeric_dtype(series.dtype):
            return None  # e.g. a 'Resolution' text column is not a time
        return replace(c, score=c.score * (0.6 + 0.4 * rate), how=f"{c.how}; {rate:.0%} parse as dates")
    if c.role in VOCAB_ROLES:
        rate = _vocab_match_rate(series, c.role)
        return replace(c, score=c.score * (0.7 + 0.3 * rate), how=f"{c.how}; {rate:.0%} of values understood")
    return c


def _value_candidates(frame: pd.DataFrame, named: set[str]) -> list[_Candidate]:
    """Candidates from values alone, for columns whose header matched nothing."""
    columns = [c for c in frame.columns if c not in named]
    return [c for found in parallel.pmap(lambda c: _column_candidates(frame[c], c), columns) for c in found]


def _column_candidates(series: pd.Series, column: str) -> list[_Candidate]:
    """One column's candidates from its values."""
    out = []
    text = _cell_text(series.head(5000))
    # A status, tier or priority column holds a handful of labels, not one per row; and
    # bare numbers (scores, counts) are a priority only when the header says so.
    few = 0 < text.nunique() <= 50
    numbers = bool(text.str.fullmatch(r"\d+").all())
    for role in (r for r in VOCAB_ROLES if few and not numbers):
        rate = _vocab_match_rate(series, role)
        if rate >= 0.8:
            out.append(_Candidate(0.45 + 0.4 * rate, role, column, f"values: {rate:.0%} are {role} labels"))
    share, repeat = _id_profile(series, rejects_below=0.95)
    if share >= 0.95 and repeat <= 50:  # a ticket has tens of events, not hundreds
        out.append(_Candidate(0.55, "ticket_id", column,
                              f"values: id-like, {repeat:.1f} rows per distinct value"))
    return out


def _assign(candidates: Iterable[_Candidate]) -> dict[str, _Candidate]:
    """Best candidates first; each role and each column is used once."""
    taken: dict[str, _Candidate] = {}
    used: set[str] = set()
    for c in sorted(candidates, key=lambda c: (-c.score, ROLES.index(c.role), str(c.column))):
        if c.role in taken or c.column in used:
            continue
        taken[c.role] = c
        used.add(c.column)
    return taken


def _repeats(series: pd.Series) -> bool | None:
    """Whether a ticket id column's non-blank values repeat (> 1.05 rows per value); None when all blank."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = series.dropna()  # no text to build: distinct numbers are distinct ids
    else:
        values = _cell_text(series)
    if values.empty:
        return None
    return len(values) / max(values.nunique(), 1) > 1.05


def _detect_shape(frame: pd.DataFrame, roles: dict[str, str | None], *, status_named: bool = False) -> str:
    """"events" (one row per status change) or "tickets" (one row per ticket).

    With a status and an event time it is an event log, unless the ticket ids are seen not
    to repeat and there is a created time (a ticket export with a 'last changed' column).
    Without a ticket id nothing can be seen to repeat: a status and an event time then
    mean an event log, not a ticket export. Without a status or an event time it is a
    ticket export when there is a created time and the ids (if any) do not repeat.
    ``status_named``: the user or a mapping file named the status column, so with an event
    time the rows are status changes whatever the ids do (the status role is honoured).
    """
    tid = roles.get("ticket_id")
    repeats = _repeats(frame[tid]) if tid and not frame.empty else None
    if roles.get("status") and roles.get("event_time"):
        if status_named or repeats is not False or not roles.get("created_time"):
            return "events"
        return "tickets"
    if roles.get("created_time") and not repeats:
        return "tickets"
    return "events"


_AS_CURRENT_STATUS: Final[str] = "one row per ticket, so the current status"


def _reshape_for_tickets(chosen: dict[str, _Candidate]) -> dict[str, _Candidate]:
    """In a one-row-per-ticket export the status column is the ticket's current status."""
    out = dict(chosen)
    status = out.pop("status", None)
    if status is not None and "issue_status" not in out:
        out["issue_status"] = replace(status, role="issue_status",
                                      how=f"{status.how}; {_AS_CURRENT_STATUS}")
    return out


def _detected_choices(frame: pd.DataFrame) -> dict[str, _Candidate]:
    """Each role's best column from headers and values, before the shape is taken into account."""
    # each column's checks in threads: most of their time is pyarrow work on whole columns
    named = [c for c in parallel.pmap(lambda c: _checked(c, frame), _header_candidates(frame)) if c is not None]
    return _assign(named + _value_candidates(frame, {c.column for c in named}))


def detect_mapping(frame: pd.DataFrame, chosen: dict[str, _Candidate] | None = None) -> Mapping:
    """Guess every role from header synonyms and values; every choice says how and how sure.

    Never mutates ``frame``. Roles nothing matched map to None. ``chosen``: the frame's
    ``_detected_choices`` when already computed.
    """
    chosen = _detected_choices(frame) if chosen is None else chosen
    roles = {r: (chosen[r].column if r in chosen else None) for r in ROLES}
    shape = _detect_shape(frame, roles)
    if shape == "tickets":
        chosen = _reshape_for_tickets(chosen)
        roles = {r: (chosen[r].column if r in chosen else None) for r in ROLES}
    choices = tuple(
        RoleChoice(r, chosen[r].column, chosen[r].how, round(chosen[r].score, 3)) if r in chosen
        else RoleChoice(r, None, "no column matched", 0.0)
        for r in ROLES
    )
    return _complete(Mapping(roles=roles, choices=choices, shape=shape), frame)


def _complete(mapping: Mapping, frame: pd.DataFrame | None) -> Mapping:
    """Fill vocabularies, personal and free-text columns from the roles (and frame when given)."""
    vocab: dict[str, dict[str, str | None]] = {}
    unknown: dict[str, tuple[str, ...]] = {}
    for role in VOCAB_ROLES:
        col = mapping.roles.get(role)
        if col and frame is not None:
            vocab[role], found = _vocabulary(frame[col], role)
            if found:
                unknown[role] = found
        else:
            vocab[role] = {}
    columns = list(frame.columns) if frame is not None else [c for c in mapping.roles.values() if c]
    return replace(
        mapping,
        status_values=vocab["status"], tier_values=vocab["tier"], priority_values=vocab["priority"],
        unknown_values=unknown,
        personal=personal_columns(columns, mapping.roles),
        free_text=free_text_columns(columns, mapping.roles),
    )


# --------------------------------------------------------------------------- personal data

_PERSON_LABELS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"\bregional manager\b"), "Regional Manager"),
    (re.compile(r"\brelationship manager\b"), "Relationship Manager"),
    (re.compile(r"\b(account|success|area) manager\b|\bmanager\b|\bcsm\b"), "Manager"),
    (re.compile(r"\b(requester|requestor|requested by|requested for|caller|reporter|reported by|submitter|"
                r"submitted by|raised by|logged by|contact|end user|customer email|customer contact|"
                r"requester email|opened by|created by)\b"), "Requester"),
    (re.compile(r"\b(agent|assignee|assigned to|assigned by|resolved by|solved by|closed by|owner|technician|"
                r"handled by|worked by|picked up by|responder|updated by|responded by|escalated by|escalated to|"
                r"transferred to|forwarded to|engineer|analyst|specialist|consultant|rep|representative|"
                r"support person)\b"), "Agent"),
    (re.compile(r"\bschool\b"), "School"),
    # a phone or e-mail column of no one named above ('Agent Email' is the agent's)
    (re.compile(r"\b(phone|phone number|mobile|telephone|callback|call back|whatsapp|fax|email|e mail)\b"),
     "Contact"),
    # a header that is only a person's name field (not "Product Name": whole headers only)
    (re.compile(r"^(name|full name|first name|last name|surname|person|employee|staff|staff name|user|"
                r"user name|username)$"), "Person"),
)
# Headers naming a property of a person or a team, not the person.
_NOT_A_PERSON: Final = re.compile(r"\b(availability|available|status|group|team|type|count|time|date|at|"
                                  r"timestamp|rate|level|queue|department|role|region|tier)\b")
_FREE_TEXT: Final = re.compile(r"\b(title|summary|subject|description|comments?|notes?|body|details|"
                               r"message|remarks?|resolution notes?|work notes)\b")


def _label_for(column: str, role: str | None) -> str | None:
    name = normalize_name(column)
    if role == "client":
        return "School" if "school" in name else "Client"
    if role == "agent":
        return "Agent"
    for pattern, label in _PERSON_LABELS:
        if pattern.search(name) and not _NOT_A_PERSON.search(name):
            return label
    if role == "manager":
        return "Manager"
    return None


def personal_columns(columns: Iterable[str], roles: dict[str, str | None]) -> dict[str, str]:
    """Column -> token label for people and clients; one label is one token space.

    >>> personal_columns(["School Name", "Regional Manager Name", "assigned_to", "Agent Availability"],
    ...                  {"client": "School Name"})
    {'School Name': 'School', 'Regional Manager Name': 'Regional Manager', 'assigned_to': 'Agent'}
    """
    role_of = {col: role for role, col in roles.items() if col}
    out = {}
    for column in columns:
        if role_of.get(column) in ("title", "description"):
            continue
        label = _label_for(column, role_of.get(column))
        if label:
            out[column] = label
    return out


def free_text_columns(columns: Iterable[str], roles: dict[str, str | None]) -> tuple[str, ...]:
    """Columns to scrub for names, e-mails and phone numbers: titles, descriptions, comments.

    Sub-module and other short category columns are not free text unless the user says so.
    """
    mapped = {roles.get("title"), roles.get("description")}
    return tuple(c for c in columns if c in mapped or _FREE_TEXT.search(normalize_name(c)))


# --------------------------------------------------------------------------- overrides

def _input_error(message: str) -> Exception:
    try:
        from core.ingest import InputError
    except ImportError:  # the ingest layer is written alongside; keep the contract meanwhile
        return ValueError(message)
    return InputError(message)


_FIELDS: Final[frozenset[str]] = frozenset({
    "shape", "status_values", "tier_values", "priority_values", "unknown_values", "date_orders",
    "timezone", "personal", "free_text",
})


def _reassigned(mapping: Mapping, changes: dict[str, object]) -> Mapping:
    """Roles moved as the user said; a column given to a role is taken from any other role."""
    roles = dict(mapping.roles)
    choices = {c.role: c for c in mapping.choices}
    for role in (k for k in changes if k in ROLES):
        column = changes[role]
        for other, col in roles.items():
            if column is not None and col == column and other != role:
                roles[other] = None
                choices[other] = RoleChoice(other, None, f"column given to {role} by the user", 0.0)
        roles[role] = column  # type: ignore[assignment]
        choices[role] = RoleChoice(role, column, "user", 1.0)  # type: ignore[arg-type]
    ordered = tuple(choices.get(r, RoleChoice(r, None, "no column matched", 0.0)) for r in ROLES)
    return replace(mapping, roles=roles, choices=ordered)


def _refreshed(new: Mapping, old: Mapping, frame: pd.DataFrame) -> Mapping:
    """Re-read vocabularies of re-mapped status/tier/priority columns; add newly personal columns.

    Personal and free-text columns are only ever added here, never dropped: a correction
    of roles must not switch anonymization off for a column (the user removes one explicitly).
    """
    missing = [c for c in new.roles.values() if c and c not in frame.columns]
    if missing:
        raise _input_error(f"Column(s) not in the file: {', '.join(map(repr, missing))}.")
    vocab: dict[str, object] = {}
    unknown = dict(new.unknown_values)
    for role in (r for r in VOCAB_ROLES if new.roles.get(r) != old.roles.get(r)):
        col = new.roles.get(role)
        vocab[f"{role}_values"], found = _vocabulary(frame[col], role) if col else ({}, ())
        unknown.pop(role, None)
        if found:
            unknown[role] = found
    derived = personal_columns(frame.columns, new.roles)
    personal = {**old.personal, **{c: label for c, label in derived.items() if c not in old.personal}}
    extra = [c for c in free_text_columns(frame.columns, new.roles) if c not in old.free_text]
    return replace(new, **vocab, unknown_values=unknown, personal=personal,  # type: ignore[arg-type]
                   free_text=old.free_text + tuple(extra))


def with_overrides(mapping: Mapping, *, frame: pd.DataFrame | None = None, **changes: object) -> Mapping:
    """A copy with the user's corrections: ``role=column`` (or None) and/or Mapping fields.

    With ``frame``, vocabularies of re-mapped status/tier/priority columns are re-read
    from it and newly personal columns added; without it they stay as they were, so
    pass the frame whenever a status, tier, priority or people column changes.
    Explicit field changes (``status_values=...``, ``personal=...``) are applied last.

    >>> m = Mapping(roles={r: None for r in ROLES})
    >>> with_overrides(m, ticket_id="Key").roles["ticket_id"]
    'Key'
    """
    bad = sorted(k for k in changes if k not in ROLES and k not in _FIELDS)
    if bad:
        raise _input_error(f"Unknown mapping setting(s): {', '.join(bad)}. Roles are: {', '.join(ROLES)}.")
    out = _reassigned(mapping, changes)
    if frame is not None:
        if "shape" not in changes and not mapping.shape_given and _SHAPE_ROLES.intersection(changes):
            out = _reshaped(out, frame, {r for r in changes if r in ROLES})
        out = _refreshed(out, mapping, frame)
    fields = {k: v for k, v in changes.items() if k in _FIELDS}
    if "shape" in fields:
        fields["shape_given"] = True
    return replace(out, **fields)  # type: ignore[arg-type]


# The roles a shape is decided from (see _detect_shape).
_SHAPE_ROLES: Final[frozenset[str]] = frozenset({"ticket_id", "status", "event_time", "created_time"})


def _reshaped(mapping: Mapping, frame: pd.DataFrame, by_user: set[str]) -> Mapping:
    """The shape decided again from the roles as they now are, and the status role with it.

    Called when the user (re)named a role the shape depends on. A ticket export reads its
    status column as the ticket's current status (issue_status), an event log as each
    event's status: when the shape changes, the status column detection found moves to
    the role the new shape reads it as. Roles in ``by_user`` are never moved, and a status
    column the user named makes the rows status changes (when there is an event time).
    """
    roles = dict(mapping.roles)
    choices = {c.role: c for c in mapping.choices}
    found = None  # the status column detection would use, when the status role is empty
    if not roles.get("status") and "status" not in by_user:
        found = _detected_choices(frame).get("status")
        holder = next((r for r, c in roles.items() if found and c == found.column), None)
        if holder is not None and (holder != "issue_status" or holder in by_user):
            found = None
    probe = {**roles, "status": found.column} if found else roles
    shape = _detect_shape(frame, probe, status_named="status" in by_user and bool(roles.get("status")))
    if shape == mapping.shape:
        return mapping
    if shape == "tickets" and roles.get("status") and "status" not in by_user:
        column, how = roles["status"], choices.get("status")
        roles["status"] = None
        choices["status"] = RoleChoice("status", None, "one row per ticket: no event status", 0.0)
        if not roles.get("issue_status"):
            roles["issue_status"] = column
            choices["issue_status"] = RoleChoice("issue_status", column, f"{how.how if how else 'moved'}; "
                                                 f"{_AS_CURRENT_STATUS}", how.confidence if how else 0.0)
    if shape == "events" and found:
        if roles.get("issue_status") == found.column:
            roles["issue_status"] = None
            choices["issue_status"] = RoleChoice("issue_status", None, "column read as each event's status", 0.0)
        roles["status"] = found.column
        choices["status"] = RoleChoice("status", found.column, f"{found.how}; one row per event",
                                       round(found.score, 3))
    ordered = tuple(choices.get(r, RoleChoice(r, None, "no column matched", 0.0)) for r in ROLES)
    return replace(mapping, roles=roles, choices=ordered, shape=shape)


# --------------------------------------------------------------------------- TOML

_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


def _toml_str(text: str) -> str:
    """A TOML basic string: backslash, quote and control characters escaped."""
    out = []
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_table(name: str, items: dict[str, str | None], comment: str) -> list[str]:
    lines = ["", f"# {comment}", f"[{name}]"]
    lines += [f"{_toml_str(k)} = {_toml_str(v or '')}" for k, v in items.items()]
    return lines


def mapping_to_toml(mapping: Mapping) -> str:
    """The mapping as a TOML file a person can read and edit ("" means none).

    Detection notes (how, confidence) and unknown values are written as comments.
    """
    shape = f"shape = {_toml_str(mapping.shape)}  # events | tickets"
    if not mapping.roles.get("ticket_id") and not mapping.shape_given:
        # Guessed without ticket ids (whether they repeat decides it): left to be decided
        # from the ticket id column once it is named, unless the line is uncommented.
        shape = f"# {shape}; decided from ticket_id once it is named"
    lines = ["# TierLens column mapping. Edit and load it with --mapping FILE or on the Prepare page.",
             shape,
             f"timezone = {_toml_str(mapping.timezone)}",
             "free_text = [" + ", ".join(_toml_str(c) for c in mapping.free_text) + "]",
             "", '# role = "column" ("" = not in this file)', "[roles]"]
    choices = {c.role: c for c in mapping.choices}
    for role in ROLES:
        note = choices.get(role)
        comment = f"  # {note.how} ({note.confidence:.2f})" if note and note.column else ""
        # A comment may hold any character but a control one (TOML rule): column names can.
        comment = _CONTROL.sub(" ", comment)
        lines.append(f"{role} = {_toml_str(mapping.roles.get(role) or '')}{comment}")
    lines += _toml_table("status_values", mapping.status_values, "raw status = canonical status")
    lines += _toml_table("tier_values", mapping.tier_values, 'raw tier = canonical tier ("" = in no tier)')
    lines += _toml_table("priority_values", mapping.priority_values, "raw priority = canonical priority")
    lines += _toml_table("date_orders", mapping.date_orders, "column = auto | day-first | month-first")
    lines += _toml_table("personal", mapping.personal, "column = token label (same label, same tokens)")
    for role, values in mapping.unknown_values.items():
        lines.append(f"# not understood in {role}: {len(values)} value(s); add them to [{role}_values]")
    return "\n".join(lines) + "\n"


def _str_table(doc: dict, name: str) -> dict[str, str]:
    table = doc.get(name, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        raise _input_error(f"In the mapping file, [{name}] must hold text values only.")
    return table


def _check_canonical(table: dict[str, str], allowed: tuple[str, ...], name: str, blank_ok: bool) -> dict:
    bad = sorted({v for v in table.values() if v not in allowed and not (blank_ok and v == "")})
    if bad:
        raise _input_error(f"In the mapping file, [{name}] uses {', '.join(map(repr, bad))}; "
                           f"allowed: {', '.join(allowed)}{' or an empty string' if blank_ok else ''}.")
    return {k: (v or None) for k, v in table.items()}


def _roles_from(doc: dict, frame: pd.DataFrame) -> dict[str, str | None]:
    """The roles the file names ("" = none); the roles it leaves out are absent."""
    given = _str_table(doc, "roles")
    unknown = sorted(set(given) - set(ROLES))
    if unknown:
        raise _input_error(f"The mapping file names unknown role(s) {', '.join(map(repr, unknown))}; "
                           f"known roles: {', '.join(ROLES)}.")
    roles = {r: (given[r] or None) for r in ROLES if r in given}
    missing = sorted(c for c in roles.values() if c and c not in frame.columns)
    if missing:
        raise _input_error(f"The mapping file names column(s) {', '.join(map(repr, missing))} "
                           "that this file does not have.")
    used = [c for c in roles.values() if c]
    if len(used) != len(set(used)):
        raise _input_error("The mapping file gives one column to two roles; a column plays one role.")
    return roles


def _filled_from(detected: dict[str, _Candidate], named: dict[str, str | None]) -> dict[str, _Candidate]:
    """Detection's choices for the roles the file leaves out, but not of a column the file gives a role."""
    taken = {c for c in named.values() if c}
    return {r: c for r, c in detected.items() if r not in named and c.column not in taken}


def _columns_exist(names: Iterable[object], frame: pd.DataFrame) -> None:
    extra = sorted({str(c) for c in names if c not in frame.columns})
    if extra:
        raise _input_error(f"The mapping file names column(s) {', '.join(map(repr, extra))} "
                           "that this file does not have.")


@dataclass(frozen=True)
class _Settings:
    """The mapping file's settings other than roles and vocabularies; None = not in the file."""

    shape: str | None
    timezone: str
    free_text: tuple[str, ...] | None
    personal: dict[str, str] | None
    date_orders: dict[str, str]


def _settings_from(doc: dict, frame: pd.DataFrame) -> _Settings:
    shape, timezone, free_text = doc.get("shape"), doc.get("timezone", "UTC"), doc.get("free_text")
    if shape is not None and shape not in SHAPES:
        raise _input_error(f"In the mapping file, shape must be one of {', '.join(SHAPES)}.")
    if not isinstance(timezone, str) or not isinstance(free_text, (list, type(None))):
        raise _input_error("In the mapping file, timezone must be text and free_text a list of columns.")
    orders = _str_table(doc, "date_orders")
    if any(v not in DATE_ORDERS for v in orders.values()):
        raise _input_error(f"In the mapping file, [date_orders] values must be one of {', '.join(DATE_ORDERS)}.")
    personal = _str_table(doc, "personal") if "personal" in doc else None
    _columns_exist([*(personal or {}), *orders, *(free_text or [])], frame)
    return _Settings(shape, timezone, None if free_text is None else tuple(free_text), personal, orders)


def _vocab_from(doc: dict, base: Mapping) -> dict[str, dict[str, str | None]]:
    """The file's vocabulary entries over what the frame's values suggest (the file wins)."""
    given = {
        "status": _check_canonical(_str_table(doc, "status_values"), contract.STATUSES, "status_values", False),
        "tier": _check_canonical(_str_table(doc, "tier_values"), contract.TIERS, "tier_values", True),
        "priority": _check_canonical(_str_table(doc, "priority_values"), contract.PRIORITIES,
                                     "priority_values", False),
    }
    return {r: {**getattr(base, f"{r}_values"), **given[r]} for r in VOCAB_ROLES}


def mapping_from_toml(text: str, frame: pd.DataFrame) -> Mapping:
    """Read a mapping file and check it against ``frame``'s columns.

    Vocabularies start from what ``frame`` holds; the file's entries win. Roles and settings
    the file leaves out are detected (a role set to "" is none; a detected column the file
    gives another role is not used): in particular a hand-written file without [personal]
    or free_text must not switch anonymization off. Raises ``core.ingest.InputError``
    for bad TOML, unknown roles, columns not in the frame or values outside the contract.
    """
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _input_error(f"The mapping file is not valid TOML ({exc}).") from None
    named = _roles_from(doc, frame)
    settings = _settings_from(doc, frame)
    needs_detection = len(named) < len(ROLES) or settings.personal is None or settings.free_text is None
    chosen = _detected_choices(frame) if needs_detection else {}
    # A role the file leaves out is detected (a role set to "" is none).
    filled = _filled_from(chosen, named)
    roles = {r: named[r] if r in named else (filled[r].column if r in filled else None) for r in ROLES}
    # A shape the file leaves out is decided from the roles; a status the file names is the event status.
    shape = settings.shape or _detect_shape(frame, roles, status_named=bool(named.get("status")))
    if shape == "tickets" and "status" in filled:
        # A detected status in a one-row-per-ticket export is the current status (as detect_mapping).
        filled = _reshape_for_tickets(filled) if "issue_status" not in named else \
            {r: c for r, c in filled.items() if r != "status"}
        roles = {r: named[r] if r in named else (filled[r].column if r in filled else None) for r in ROLES}
    base = _complete(Mapping(roles=roles, shape=shape, shape_given=settings.shape is not None), frame)
    vocab = _vocab_from(doc, base)
    unknown = {r: tuple(v for v in vals if v not in vocab[r]) for r, vals in base.unknown_values.items()}
    detected = detect_mapping(frame, chosen) if settings.personal is None or settings.free_text is None else base
    choices = tuple(
        RoleChoice(r, roles[r], "mapping file", 1.0 if roles[r] else 0.0) if r in named
        else RoleChoice(r, filled[r].column, filled[r].how, round(filled[r].score, 3)) if r in filled
        else RoleChoice(r, None, "no column matched", 0.0)
        for r in ROLES
    )
    return replace(
        base,
        choices=choices,
        timezone=settings.timezone, date_orders=settings.date_orders,
        personal=settings.personal if settings.personal is not None else {**detected.personal, **base.personal},
        free_text=settings.free_text if settings.free_text is not None else detected.free_text,
        status_values=vocab["status"], tier_values=vocab["tier"], priority_values=vocab["priority"],
        unknown_values={r: v for r, v in unknown.items() if v},
    )


# --------------------------------------------------------------------------- ticket-level exports

_IMPLIED: Final[tuple[tuple[str, str], ...]] = (
    ("created_time", "OPEN"), ("first_response_time", "IN_PROGRESS"),
    ("resolved_time", "RESOLVED"), ("closed_time", "CLOSED"),
)
# Where the response is taken from, in order, when a ticket has no first response time:
# a ticket that was solved was answered at the latest then, and is not "still waiting".
_RESPONSE_FROM: Final[tuple[str, ...]] = ("first_response_time", "resolved_time", "closed_time")
_COPIED: Final[tuple[str, ...]] = ("product", "issue_type", "issue_category", "issue_status",
                                   "region", "country", "client", "agent")


def _blank(series: pd.Series) -> np.ndarray:
    mask = series.isna().to_numpy()
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        mask = mask | series.astype("str").str.strip().eq("").to_numpy()
    return mask


def _ticket_base(frame: pd.DataFrame, mapping: Mapping, source_rows: np.ndarray | None) -> pd.DataFrame:
    """One row per ticket: source row, id, copied times, canonical tier/priority, dimensions."""
    roles = mapping.roles
    pos = np.arange(len(frame)) if source_rows is None else np.asarray(source_rows, dtype="int64")
    base = pd.DataFrame({"source_row": pos.astype("int64")})
    tid = roles.get("ticket_id")
    base["ticket_id"] = _cell_series(frame[tid]) if tid else pd.Series([None] * len(frame), dtype="str")
    for role in ("created_time", "first_response_time"):
        base[role] = frame[roles[role]].reset_index(drop=True) if roles.get(role) else None
    for role, vocab in (("tier", mapping.tier_values), ("priority", mapping.priority_values)):
        col = roles.get(role)
        base[role] = _cell_series(frame[col]).map(vocab.get) if col else None
    for role in _COPIED:
        base[role] = _cell_series(frame[roles[role]]) if roles.get(role) else None
    return base


def _time_source(frame: pd.DataFrame, roles: dict[str, str | None], role: str) -> tuple[pd.Series, pd.Series]:
    """(time cells, column each came from) for an implied event; null where there is none."""
    chain = _RESPONSE_FROM if role == "first_response_time" else (role,)
    times: pd.Series | None = None
    source = pd.Series([None] * len(frame), dtype=object)
    for col in (roles.get(r) for r in chain):
        if not col:
            continue
        fill = ~_blank(frame[col]) & source.isna().to_numpy()
        values = frame[col].reset_index(drop=True)
        times = values.where(fill) if times is None else times.mask(fill, values)  # keeps parsed dtypes
        source[fill] = col
    return (pd.Series([None] * len(frame), dtype=object) if times is None else times), source


def ticket_level_events(frame: pd.DataFrame, mapping: Mapping,
                        source_rows: np.ndarray | None = None) -> pd.DataFrame:
    """The event rows a one-row-per-ticket export implies, in contract column names.

    For each ticket row, one event per non-blank time: OPEN at created_time,
    IN_PROGRESS at first_response_time (or, when that is blank, at resolved_time, else
    closed_time: a solved ticket was answered by then), RESOLVED at resolved_time,
    CLOSED at closed_time. Returned columns, ordered by input row then that order:
      - ``source_row`` int64: ``source_rows[i]`` for input row i (its position i when not given)
      - ``ticket_id`` str, ``status`` canonical, ``status_raw`` the time column's name
      - ``event_time``: the time cell copied as it is in ``frame`` (raw text, or a datetime
        when the caller parsed the time columns first, which is the recommended order)
      - ``time_column``: which column ``event_time`` came from (to parse per column afterwards)
      - ``created_time``, ``first_response_time``: copied as they are; ``work_resolved_time``
        only on the IN_PROGRESS row: the ticket's resolved time (the work ended with the fix)
      - ``tier``/``priority``: canonical via the mapping's vocabularies (None when unknown)
      - ``product`` … ``agent``: the ticket's dimensions as text.
    Never mutates ``frame``.
    """
    roles = mapping.roles
    base = _ticket_base(frame, mapping, source_rows)
    resolved = frame[roles["resolved_time"]].reset_index(drop=True) if roles.get("resolved_time") else None
    parts = []
    for order, (role, status) in enumerate(_IMPLIED):
        times, source = _time_source(frame, roles, role)
        keep = source.notna().to_numpy()
        part = base[keep].assign(event_time=times[keep], status=status, status_raw=source[keep],
                                 time_column=source[keep], _order=order)
        part["work_resolved_time"] = resolved[keep] if status == "IN_PROGRESS" and resolved is not None else None
        parts.append(part)
    # Empty parts would turn parsed times back into objects; keep one for the columns.
    parts = [p for p in parts if len(p)] or parts[:1]
    out = pd.concat(parts).sort_values(["source_row", "_order"], kind="stable").drop(columns="_order")
    return out.reset_index(drop=True)


def _cell_series(series: pd.Series) -> pd.Series:
    """Cells as text (whole floats without '.0'), blanks as null, index 0..n-1."""
    text = _cell_text(series)
    out = pd.Series([None] * len(series), index=series.index, dtype="str")
    out.loc[text.index] = text
    return out.reset_index(drop=True)
