"""A deterministic, realistic made-up support-ticket event log shaped like the seed export."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

SAMPLE_FILENAME: Final[str] = "tierlens-sample-export.csv"

# The seed's 37 headers in order; the first keeps its UTF-8 byte-order mark read as
# Latin-1 and the last repeats it, because uploads really look like that.
HEADERS: Final[tuple[str, ...]] = (
    "\u00ef\u00bb\u00bfSub Module", "Issue Title", "Issue Type", "School Name", "Region", "Country",
    "County", "Regional Manager Name", "Relationship Manager Name", "Customer Support Type", "DateOnly",
    "issue_tracker", "escalation_level", "timeline_status", "event_timestamp", "first_response_timestamp",
    "resolution_timestamp", "frt_seconds", "time_in_tier_seconds", "resolution_time_seconds",
    "closing_time_seconds", "issue_category", "product", "issue_status", "assigned_by", "assigned_to",
    "resolved_by", "Resolved By Name", "Agent Availability", "priority_level", "frt_breached",
    "tier_sla_breached", "Ticket Creation Date", "FRT Duration (Readable)", "Tier Duration (Readable)",
    "Avg FRT (Readable)", "Sub Module",
)

PRIORITIES: Final[tuple[str, ...]] = ("HIGH", "MEDIUM", "LOW")
ALLOWANCE_SECONDS: Final[np.ndarray] = np.array([30 * 60, 24 * 3600, 7 * 24 * 3600])
PRODUCTS: Final[tuple[str, ...]] = ("NOVA_ANALYTICS", "NOVA_FINANCE", "NOVA_FLOW", "NOVA_LEARNING",
                                    "NOVA_BULK_SMS", "NOVA_TIMETABLE", "NOVA_NFC")
# Three small products make up about 1.2% of tickets, as in the original.
PRODUCT_P: Final[tuple[float, ...]] = (0.35, 0.31, 0.282, 0.046, 0.006, 0.004, 0.002)
YEAR: Final[int] = 2025
EXPORT_END: Final[int] = int(np.datetime64(f"{YEAR}-11-30T23:59:59", "s").astype(np.int64))

# One slot per possible event of a timeline, in time order: (status, tier 1..3).
# A ticket includes a subset of slots; excluded slots add no time.
_SLOTS: Final[tuple[tuple[str, int], ...]] = (
    ("OPEN", 1), ("IN_PROGRESS", 1),
    ("ESCALATED", 2), ("ON_STANDBY", 2), ("IN_PROGRESS", 2),
    ("TRIAGE", 3), ("ON_STANDBY", 3), ("IN_PROGRESS", 3),
    ("ESCALATED", 1), ("IN_PROGRESS", 1), ("ESCALATED", 1), ("IN_PROGRESS", 1),
    ("RESOLVED", 1), ("RESOLVED", 1), ("CLOSED", 1),
)
_STATUS = np.array([s for s, _ in _SLOTS])
_TIER = np.array([t for _, t in _SLOTS])
_IS_IP = _STATUS == "IN_PROGRESS"
_IS_WAIT = np.isin(_STATUS, ("OPEN", "ESCALATED", "ON_STANDBY", "TRIAGE"))

_FIRST = ("Grace", "Sean", "Zoë", "John", "Amina", "Peter", "Wanjiku", "Otieno", "Fatuma", "Brian", "Aisha",
          "Kevin", "Mercy", "Daniel", "Njeri", "Samuel", "Faith", "Ibrahim", "Lucy", "Moses", "Esther", "David",
          "Chiara", "José", "Siobhán", "Mwangi", "Achieng", "Hassan", "Ruth", "Tomás")
_LAST = ("Wanjiru", "O'Sullivan", "Müller", "Smith", "Kamau", "Ochieng", "Mutua", "Njoroge", "Hassan", "Akinyi",
         "Kiptoo", "Otieno", "Mwangi", "Nakato", "Mensah", "Okafor", "García", "Rossi", "Byrne", "Chebet",
         "Wekesa", "Omondi", "Abdi", "Nyambura", "Kariuki")
_AGENTS = (
    "Grace Wanjiru", "Sean O'Sullivan", "Zoë Müller", "John Smith", "PETER KAMAU", "Amina Hassan",
    "Brian Ochieng", "Mercy Akinyi", "Daniel Kiptoo", "Faith Chebet", "Kevin Omondi", "LUCY NJOROGE",
    "Moses Wekesa", "Esther Nyambura", "Ibrahim Abdi", "Ruth Mensah", "Samuel Okafor", "Njeri Kariuki",
    "José García", "Chiara Rossi", "Siobhán Byrne", "Hassan Mutua", "Achieng Otieno", "David Mwangi",
    "Tomás Nakato", "Fatuma Abdi", "Aisha Kiptoo", "Otieno Wekesa", "Wanjiku Kamau", "Mwangi Ochieng",
    "Lucy Chebet", "Kevin Mensah", "Esther Rossi", "Brian Smith", "Faith Omondi", "Samuel Byrne",
    "Mercy Wanjiru", "Daniel Hassan",
)
_SMITH = _AGENTS.index("John Smith")  # this person is also written "Smith, John" on some rows
_MANAGERS = ("Catherine Achieng", "Joseph Mwangi", "Mary O'Brien", "Ahmed Yusuf", "Beatrice Nduta",
             "Charles Kibet", "Diana Wambui", "Edward Otieno", "Florence Auma", "George Kiprono",
             "Helen Naliaka", "Isaac Mutiso", "Josephine Atieno")
_RELATIONSHIP = ("Alice Moraa", "Benson Kiprop", "Carol Wairimu", "Dennis Oduya", "Eunice Chelimo",
                 "Francis Njuguna", "Gladys Anyango", "Henry Barasa", "Irene Muthoni", "James Kilonzo",
                 "Karen Adhiambo", "Leonard Simiyu", "MARTHA NJERI", "Nelson Ouma", "Olive Jepkosgei",
                 "Patrick Gitau", "Queen Awino", "Robert Langat", "Susan Wangari", "Timothy Korir",
                 "Ursula Kemunto", "Victor Onyango", "Winnie Cherono", "Zoë Müller-Schmidt", "Liam O'Connor")
# (region, country, county, regional manager index)
_REGIONS = (("Nairobi", "Kenya", "Nairobi County", 0), ("Central", "Kenya", "Kiambu County", 1),
            ("Rift Valley", "Kenya", "Nakuru County", 2), ("Coast", "Kenya", "Mombasa County", 3),
            ("Western", "Kenya", "Kakamega County", 4), ("Nyanza", "Kenya", "Kisumu County", 5),
            ("Eastern", "Kenya", "Machakos County", 6), ("Mount Kenya", "Kenya", "Nyeri County", 7),
            ("North Rift", "Kenya", "Uasin Gishu County", 7), ("Kampala", "Uganda", "Kampala District", 8),
            ("Dar es Salaam", "Tanzania", "Ilala District", 9), ("Kigali", "Rwanda", "Gasabo District", 10),
            ("Lusaka", "Zambia", "Lusaka District", 11), ("Accra", "Ghana", "Greater Accra", 12))
_REGION_P = np.array([20, 9, 9, 8, 8, 8, 7, 6, 4, 8, 5, 3, 2, 3], dtype=float)
_PLACES = ("Greenfield", "Kilimani", "St. Bridget's", "Mount Zion", "Riverside", "Lakeview", "Umoja", "Baraka",
           "Hillside", "Karura", "Maranatha", "St. Patrick's", "Jamhuri", "Upper Hill", "Moi Forces", "Tumaini",
           "Kitengela", "Ngong Road", "Sunrise", "Valley View", "Amani", "Bishop Gatimu", "Nyali", "Olive Grove",
           "Brookhouse Park", "Kijabe", "Mama Ngina", "Precious Blood", "St. Mary's", "Highway", "Makini",
           "Good Shepherd", "Kenyatta Road", "Emmanuel", "Cedar Ridge", "Golden Elite", "Mwangaza",
           "Rosslyn", "Victory", "Starehe", "Kisumu Hills", "Lake Basin", "Elgon View", "Tana River",
           "Mukuru", "Green Pastures", "Imara", "Langata", "Thika Road", "Nakuru West", "Crystal Hill",
           "St. Joseph's", "Pioneer", "Juja Farm", "Kahawa", "Rehema", "Shalom", "Blue Ridge", "Maple Leaf",
           "Zawadi", "Kasarani", "Rongai", "Bamburi", "Eldoret Central", "Kakamega Hill", "Our Lady of Mercy")
_KINDS = ("Academy", "High School", "Girls' Secondary School", "Boys High School", "Preparatory School",
          "Junior School", "International School", "Primary School", "Mixed Day Secondary", "Schools",
          "Christian Academy", "Senior School")
_ISSUE_TYPES = (("", 0.44), ("TECHNICAL", 0.47), ("NON_TECHNICAL", 0.07), ("SUPPORT", 0.011),
                ("FEATURE_REQUEST", 0.005), ("OTHER", 0.002), ("QUESTION", 0.0015), ("IMPROVEMENT", 0.0005))
_CATEGORIES = (("", 0.49), ("ISSUE", 0.495), ("FEEDBACK", 0.015))
_SUPPORT_TYPES = (("CX", 0.48), ("TECH_SUPPORT", 0.41), ("SELF_SERVICE", 0.11))
_SUB_MODULES = ("report forms", "publish exam", "incorrect invoice", "Collections", "upload results",
                "cashbook", "Logging in", "User account setting", "merit list", "Error", "Report Form",
                "fee statement", "bulk sms delivery", "timetable clash", "gate scanning")
_TITLES = (
    "Parent {p} cannot log in to the portal",
    "Fee statement wrong for {p}, please call {ph}",
    "Report forms not generating, contact {e}",
    "Call back {p} on {ph} about the invoice",
    "{p} ({e}) unable to publish exam results",
    "Bulk SMS not delivered to {ph}",
    "Timetable clash reported by {p}",
    "Reset password for {e}",
    "Merit list missing students",
    "Cashbook balance does not match the bank",
    "NFC card not scanning at the gate",
    "Principal {p} asks for a demo, reach her at {e} or {ph}",
    "Collections report error",
    "Teacher {p} cannot upload results",
)
_DOMAINS = ("gmail.com", "yahoo.com", "school.ac.ke", "outlook.com", "elimu.co.ke")


@dataclass(frozen=True)
class _Tickets:
    """Per-ticket draws (arrays of length n)."""

    created: np.ndarray
    priority: np.ndarray
    product: np.ndarray
    tiered: np.ndarray
    school: np.ndarray
    agents: np.ndarray  # (n, 4): agent index for tiers 1..3 and the resolver
    include: np.ndarray  # (n, slots) bool


def _pick(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    values, p = zip(*table)
    return np.asarray(values, dtype=object)[rng.choice(len(values), n, p=np.asarray(p) / sum(p))]


def _created(rng: np.random.Generator, n: int) -> np.ndarray:
    """Creation times, most in September/October (the tracker was adopted in July)."""
    starts = np.array([f"{YEAR}-{m:02d}-01" for m in (7, 8, 9, 10, 11)], dtype="datetime64[D]")
    spans = np.array([17, 31, 30, 31, 20])  # July from the 15th; the export ends late November
    month = rng.choice(5, n, p=[0.09, 0.13, 0.34, 0.31, 0.13])
    day = (rng.random(n) * spans[month]).astype(int) + np.where(month == 0, 14, 0)
    hour_p = np.array([1, 1, 2, 3, 6, 9, 10, 10, 9, 9, 8, 8, 7, 6, 4, 3, 2, 2, 1, 1, 1, 1, 1, 1], dtype=float)
    hour = rng.choice(24, n, p=hour_p / hour_p.sum())
    base = starts[month].astype("datetime64[s]").astype(np.int64)
    return base + day * 86400 + hour * 3600 + rng.integers(0, 3600, n)


def _inclusion(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Which slots each ticket has, and whether the ticket is still waiting for a response."""
    u = rng.random((n, 10))
    reach2 = u[:, 0] < 0.76
    reach3 = reach2 & (u[:, 1] < 0.57)  # about 42% of tiered tickets reach Tier 3
    back1 = u[:, 2] < 0.28
    back2 = back1 & (u[:, 3] < 0.3)
    waiting = u[:, 4] < 0.03
    resolved = ~waiting & (u[:, 5] < 0.96)
    cols = [np.ones(n, bool), np.ones(n, bool), reach2, reach2 & (u[:, 6] < 0.12), reach2,
            reach3, reach3 & (u[:, 7] < 0.1), reach3, back1, back1, back2, back2,
            resolved, resolved & (u[:, 8] < 0.35), resolved & (u[:, 9] < 0.88)]
    include = np.column_stack(cols)
    # A ticket still waiting has no response after its last waiting event.
    last_ip = (_SLOTS_LEN - 1) - np.argmax((include & _IS_IP)[:, ::-1], axis=1)
    include[np.flatnonzero(waiting), last_ip[waiting]] = False
    return include, waiting


_SLOTS_LEN: Final[int] = len(_SLOTS)


def _tickets(rng: np.random.Generator, n: int) -> _Tickets:
    """Who, what and when for each ticket, and which timeline slots it goes through."""
    include, waiting = _inclusion(rng, n)
    n_schools = int(min(len(_PLACES) * len(_KINDS), max(50, n // 2)))
    popularity = 1.0 / np.arange(1, n_schools + 1) ** 0.9
    school = rng.choice(n_schools, n, p=popularity / popularity.sum())
    school[rng.random(n) < 0.12] = -1  # about one ticket in eight has no client attached
    weights = 1.0 / np.arange(1, len(_AGENTS) + 1) ** 0.7
    agents = rng.choice(len(_AGENTS), (n, 4), p=weights / weights.sum())
    return _Tickets(
        created=_created(rng, n), priority=rng.choice(3, n, p=[0.49, 0.44, 0.07]),
        product=rng.choice(len(PRODUCTS), n, p=np.asarray(PRODUCT_P) / sum(PRODUCT_P)),
        tiered=rng.random(n) < 0.84, school=school, agents=agents, include=include,
    )


def _frt(rng: np.random.Generator, allowance: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Waits before a response: lognormal around 0.36 x the allowance (a third breach), long tail."""
    median = allowance[:, None] * 0.36
    wait = median * np.exp(rng.normal(0.0, 2.0, shape))
    huge = rng.random(shape) < 0.03  # the few that breach by huge margins
    wait = np.where(huge, wait * rng.uniform(10, 60, shape), wait)
    return np.clip(wait, 5, 40 * 86400)


def _work(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """How long a piece of work took: mostly seconds to minutes, sometimes hours."""
    short = 45 * np.exp(rng.normal(0.0, 1.2, shape))
    long = 3 * 3600 * np.exp(rng.normal(0.0, 1.0, shape))
    return np.where(rng.random(shape) < 0.08, long, short) * (rng.random(shape) > 0.02)


def _slot_times(rng: np.random.Generator, t: _Tickets) -> np.ndarray:
    """Event time (epoch seconds) of every slot of every ticket."""
    n = len(t.created)
    shape = (n, _SLOTS_LEN)
    frt, work = _frt(rng, ALLOWANCE_SECONDS[t.priority], shape), _work(rng, shape)
    gap = np.where(_IS_IP, frt, work)
    gap[:, 0] = rng.integers(0, 90, n)
    # An ON_STANDBY splits the wait before the next response into two parts.
    split = rng.uniform(0.2, 0.8, n)
    for sb, ip in ((3, 4), (6, 7)):
        on = t.include[:, sb]
        gap[:, sb] = np.where(on, frt[:, ip] * split, 0)
        gap[:, ip] = np.where(on, frt[:, ip] * (1 - split), frt[:, ip])
    gap[:, 13] = 0  # the second RESOLVED row is the same moment, logged for another agent
    closing = np.where(rng.random(n) < 0.6, rng.integers(2, 16, n), 2 * 86400 * np.exp(rng.normal(0, 1.2, n)))
    gap[:, 14] = closing
    times = t.created[:, None] + np.cumsum(np.where(t.include, gap, 0).astype(np.int64), axis=1)
    # A few data errors: resolved before the ticket was opened.
    wrong = rng.random(n) < 0.006
    times[wrong, 12:14] = times[wrong, :1] - rng.integers(3600, 3 * 86400, int(wrong.sum()))[:, None]
    return times


def _stamps(seconds: np.ndarray, valid: np.ndarray, style: np.ndarray) -> pa.Array:
    """Text timestamps mixing DD/MM/YYYY HH:MM:SS, DD/MM/YYYY HH:MM and ISO, like the source CSV."""
    iso = pc.cast(pa.array(seconds.astype("datetime64[s]"), mask=~valid), pa.string())

    def part(a: int, b: int) -> pa.Array:
        return pc.utf8_slice_codeunits(iso, a, b)

    dmy = pc.binary_join_element_wise(part(8, 10), part(5, 7), part(0, 4), "/")
    full = pc.binary_join_element_wise(dmy, part(11, 19), " ")
    short = pc.binary_join_element_wise(dmy, part(11, 16), " ")
    return pc.choose(pa.array(style), full, short, iso)


def _readable(seconds: np.ndarray, valid: np.ndarray) -> pa.Array:
    """'HHh MMm SSs' as the original wrote durations."""
    s = np.where(valid, seconds, 0).astype(np.int64)
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    parts = [pc.utf8_lpad(pc.cast(pa.array(x), pa.string()), 2, "0") for x in (h, m, sec)]
    text = pc.binary_join_element_wise(parts[0], "h ", parts[1], "m ", parts[2], "s", "")
    return pc.if_else(pa.array(valid), text, pa.scalar(None, pa.string()))


def _texts(values: list[str] | tuple[str, ...], codes: np.ndarray) -> pa.Array:
    """values[codes] as an Arrow string column; code -1 or '' is blank."""
    dictionary = pa.array([v if v else None for v in values], pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(codes.astype(np.int32), mask=codes < 0), dictionary).cast(
        pa.string())


def _person(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.integers(0, len(_FIRST), n), rng.integers(0, len(_LAST), n)


def _phone(rng: np.random.Generator, n: int) -> list[str]:
    d = rng.integers(0, 10, (n, 9))
    style = rng.integers(0, 5, n)
    out = []
    for row, s in zip(d.tolist(), style.tolist()):
        x = "".join(map(str, row))
        out.append((f"+254 7{x[1:3]} {x[3:6]} {x[6:9]}", f"07{x[1:3]} {x[3:6]} {x[6:9]}", f"+2547{x[1:9]}",
                    f"0722-{x[3:6]}-{x[6:9]}", f"+44 20 {x[1:5]} {x[5:9]}")[s])
    return out


def _ascii(text: str) -> str:
    table = str.maketrans({"ë": "e", "ü": "u", "é": "e", "á": "a", "í": "i", "ó": "o", "'": "", " ": ""})
    return text.lower().translate(table)


_FIRST_ASCII: Final[tuple[str, ...]] = tuple(map(_ascii, _FIRST))
_LAST_ASCII: Final[tuple[str, ...]] = tuple(map(_ascii, _LAST))


def _titles(rng: np.random.Generator, n: int) -> list[str]:
    """Issue titles; many mention a person, an e-mail address or a phone number."""
    first, last = _person(rng, n)
    template = rng.integers(0, len(_TITLES), n)
    domain = rng.integers(0, len(_DOMAINS), n)
    phones = _phone(rng, n)
    out = []
    for f, l_, k, dm, ph in zip(first.tolist(), last.tolist(), template.tolist(), domain.tolist(), phones):
        person = f"{_FIRST[f]} {_LAST[l_]}"
        mail = f"{_FIRST_ASCII[f]}.{_LAST_ASCII[l_]}@{_DOMAINS[dm]}"
        out.append(_TITLES[k].format(p=person, e=mail, ph=ph))
    return out


def _school_columns(t: _Tickets, rng: np.random.Generator, ti: np.ndarray) -> dict[str, pa.Array]:
    n_schools = int(t.school.max()) + 1
    names = [f"{_PLACES[i % len(_PLACES)]} {_KINDS[i // len(_PLACES) % len(_KINDS)]}" for i in range(n_schools)]
    region = rng.choice(len(_REGIONS), n_schools, p=_REGION_P / _REGION_P.sum())
    rel = rng.integers(0, len(_RELATIONSHIP), n_schools)
    school = t.school[ti]
    has = school >= 0
    reg = np.where(has, region[np.maximum(school, 0)], -1)
    return {
        "School Name": _texts(names, school),
        "Region": _texts([r[0] for r in _REGIONS], reg),
        "Country": _texts([r[1] for r in _REGIONS], reg),
        "County": _texts([r[2] for r in _REGIONS], reg),
        "Regional Manager Name": _texts(_MANAGERS, np.where(has, np.array([r[3] for r in _REGIONS])[reg], -1)),
        "Relationship Manager Name": _texts(_RELATIONSHIP, np.where(has, rel[np.maximum(school, 0)], -1)),
    }


@dataclass(frozen=True)
class _Rows:
    """Per-event arrays, one entry per included slot, ordered by ticket then slot."""

    ti: np.ndarray
    slot: np.ndarray
    time: np.ndarray
    next_time: np.ndarray  # next event of the same ticket (-1 when none)
    next_ip: np.ndarray  # row index of the next IN_PROGRESS of the same ticket (-1 when none)


def _rows(t: _Tickets, times: np.ndarray) -> _Rows:
    ti, slot = np.nonzero(t.include)
    time = times[ti, slot]
    idx = np.arange(len(ti))
    same_next = np.append(ti[1:] == ti[:-1], False)
    next_time = np.where(same_next, np.append(time[1:], 0), -1)
    big = len(ti)
    ip_at = np.where(_IS_IP[slot], idx, big)
    nxt = np.minimum.accumulate(ip_at[::-1])[::-1]
    nxt = np.append(nxt[1:], big)  # strictly after this row
    ok = (nxt < big) & (ti[np.minimum(nxt, big - 1)] == ti)
    return _Rows(ti, slot, time, next_time, np.where(ok, nxt, -1))


def _timeline_columns(t: _Tickets, r: _Rows, rng: np.random.Generator) -> dict[str, pa.Array]:
    n = len(r.ti)
    status = _STATUS[r.slot]
    tiered = t.tiered[r.ti]
    tier_code = np.where(tiered, _TIER[r.slot] - 1, 3)
    is_ip, is_wait = _IS_IP[r.slot], _IS_WAIT[r.slot]
    is_res = status == "RESOLVED"
    has_ip = r.next_ip >= 0
    ip_time = np.where(has_ip, r.time[np.maximum(r.next_ip, 0)], 0)
    ip_end = np.where(has_ip, r.next_time[np.maximum(r.next_ip, 0)], -1)
    first_resp = np.select([is_wait & has_ip, is_ip, is_res], [ip_time, r.time, r.next_time], -1)
    resolution = np.where(is_ip | is_res, r.next_time, -1)
    style = rng.choice(3, (n, 4), p=[0.34, 0.33, 0.33]).astype(np.int8)
    real = is_wait & tiered & has_ip
    frt = ip_time - r.time
    tit = ip_end - r.time
    allowance = ALLOWANCE_SECONDS[t.priority[r.ti]]
    return {
        "escalation_level": _texts(("TIER_1", "TIER_2", "TIER_3", "UNGROUPED"), tier_code),
        "timeline_status": pa.array(status),
        "event_timestamp": _stamps(r.time, np.ones(n, bool), style[:, 0]),
        "first_response_timestamp": _stamps(first_resp, first_resp >= 0, style[:, 1]),
        "resolution_timestamp": _stamps(resolution, resolution >= 0, style[:, 2]),
        "Ticket Creation Date": _stamps(t.created[r.ti], np.ones(n, bool), style[:, 3]),
        "frt_seconds": pa.array(frt.astype(float), mask=~real),
        "time_in_tier_seconds": pa.array(tit.astype(float), mask=~(real & (ip_end >= 0))),
        "frt_breached": pa.array((frt > allowance).astype(float), mask=~real),
        "tier_sla_breached": pa.array((tit > allowance).astype(float), mask=~(real & (ip_end >= 0))),
        "FRT Duration (Readable)": _readable(frt, real),
        "Tier Duration (Readable)": _readable(tit, real & (ip_end >= 0)),
        "Avg FRT (Readable)": pc.fill_null(_readable(frt, real), "h m s"),
    }


def _lifecycle_columns(t: _Tickets, r: _Rows, times: np.ndarray) -> dict[str, pa.Array]:
    """On CLOSED rows: resolution time (resolved - opened) and closing time (closed - resolved)."""
    closed = _STATUS[r.slot] == "CLOSED"
    resolved_at = times[r.ti, 12]
    res = (resolved_at - times[r.ti, 0]).astype(float)
    clo = (r.time - resolved_at).astype(float)
    return {"resolution_time_seconds": pa.array(res, mask=~closed),
            "closing_time_seconds": pa.array(clo, mask=~closed)}


def _ids(index: np.ndarray) -> pa.Array:
    """Agent numbers as the tracker wrote them (from 1), blank where index is -1."""
    return pa.array(index + 1, mask=index < 0)


def _agent_columns(t: _Tickets, r: _Rows, rng: np.random.Generator) -> dict[str, pa.Array]:
    n = len(r.ti)
    status = _STATUS[r.slot]
    done = np.isin(status, ("RESOLVED", "CLOSED"))
    own = t.agents[r.ti, np.where(t.tiered[r.ti], _TIER[r.slot] - 1, 0)]
    resolver = np.where(r.slot == 13, t.agents[r.ti, 0], t.agents[r.ti, 3])
    assigned_to = np.where((status == "CLOSED") | (rng.random(n) < 0.08), -1, own)
    assigned_by = np.where(rng.random(n) < 0.03, -1, rng.integers(0, len(_AGENTS), n))
    resolved_by = np.where(done, resolver, -1)
    named = np.where(done, resolver, own)
    spellings = list(_AGENTS) + ["Smith, John"]
    named = np.where((named == _SMITH) & (rng.random(n) < 0.5), len(_AGENTS), named)
    return {"assigned_by": _ids(assigned_by), "assigned_to": _ids(assigned_to), "resolved_by": _ids(resolved_by),
            "Resolved By Name": _texts(spellings, named),
            "Agent Availability": _texts(("ONLINE", "NOT_AVAILABLE"), (rng.random(n) < 0.12).astype(int))}


def _issue_status(t: _Tickets, rng: np.random.Generator) -> np.ndarray:
    """The ticket's status at export time, consistent with its last event."""
    waiting = np.where(rng.random(len(t.created)) < 0.85, "ESCALATED", "IN_PROGRESS")
    return np.where(t.include[:, -1], "CLOSED", np.where(t.include[:, 12], "RESOLVED", waiting))


def _ticket_columns(t: _Tickets, r: _Rows, rng: np.random.Generator) -> dict[str, pa.Array]:
    n = len(t.created)
    submodule = np.where(rng.random(n) < 0.24, rng.integers(0, len(_SUB_MODULES), n), -1)
    created_day = pc.cast(pa.array(t.created.astype("datetime64[s]").astype("datetime64[D]")), pa.string())
    per_ticket = {
        HEADERS[0]: _texts(_SUB_MODULES, submodule),
        "Issue Title": pa.array(_titles(rng, n), pa.string()),
        "Issue Type": pa.array(_pick(rng, _ISSUE_TYPES, n).tolist(), pa.string()),
        "Customer Support Type": pa.array(_pick(rng, _SUPPORT_TYPES, n).tolist(), pa.string()),
        "DateOnly": created_day,
        "issue_category": pa.array(_pick(rng, _CATEGORIES, n).tolist(), pa.string()),
        "product": _texts(PRODUCTS, t.product),
        "issue_status": pa.array(_issue_status(t, rng).tolist(), pa.string()),
        "priority_level": _texts(PRIORITIES, t.priority),
    }
    take = pa.array(r.ti)
    out = {k: pc.if_else(pc.equal(v, ""), pa.scalar(None, pa.string()), v).take(take)
           for k, v in per_ticket.items()}
    out["issue_tracker"] = pa.array(r.ti + 1)
    out["Sub Module"] = pa.array(np.full(len(r.ti), "Generic Module"))
    return out


def generate_events(n_tickets: int = 2000, seed: int = 7) -> pd.DataFrame:
    """A made-up event log with the seed's 37 columns, timestamps as mixed-format text.

    About 7.6 events per ticket plus ~5% exact duplicate rows; the same arguments give
    the same frame. Vectorised: 130,000 tickets (~1M rows) take seconds.
    """
    if n_tickets < 1:
        raise ValueError("n_tickets must be at least 1")
    rng = np.random.default_rng(seed)
    tickets = _tickets(rng, n_tickets)
    times = _slot_times(rng, tickets)
    # The export is a snapshot: what would happen after it is not in the file yet.
    tickets = replace(tickets, include=tickets.include & (times <= EXPORT_END))
    rows = _rows(tickets, times)
    columns = {**_ticket_columns(tickets, rows, rng), **_school_columns(tickets, rng, rows.ti),
               **_timeline_columns(tickets, rows, rng), **_lifecycle_columns(tickets, rows, times),
               **_agent_columns(tickets, rows, rng)}
    table = pa.table({h: columns[h] for h in HEADERS})
    # About 5% of rows appear twice, as a fanning join in the original SQL produced.
    copies = 1 + (rng.random(table.num_rows) < 0.05)
    table = table.take(pa.array(np.repeat(np.arange(table.num_rows), copies)))
    frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    frame["issue_tracker"] = frame["issue_tracker"].astype("int64")
    return frame


def sample_csv_bytes(n_tickets: int = 2000, seed: int = 7) -> bytes:
    """The sample as a UTF-8, comma-separated CSV file, byte-for-byte reproducible."""
    return generate_events(n_tickets, seed).to_csv(index=False, lineterminator="\n").encode("utf-8")
