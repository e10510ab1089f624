"""Display tables and small conversions between the app's widgets and core objects (pure; no streamlit)."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
import pandas as pd

from core import anonymize, contract, metrics, schema
from core.ingest import InputError, human_bytes
from core.pipeline import Prepared

NONE = "(none)"
# Largest settings file (mapping, policy, name map TOML) an uploader takes, in MB. Streamlit shows the
# app-wide 600 MB limit rounded to "1GB per file" otherwise; a settings file is a few kB.
SETTINGS_FILE_MB = 2
NO_TIER = "(no tier)"
ACTIONS = [a.value for a in anonymize.Action]
FILTER_DIMENSIONS = ("product", "priority", "issue_type", "issue_category", "tier", "region", "agent")
ROLE_MEANINGS = {
    "ticket_id": "the ticket", "event_time": "when the status changed", "status": "the status",
    "tier": "support tier", "priority": "priority", "work_resolved_time": "when a piece of work was resolved",
    "first_response_time": "first response", "created_time": "ticket created", "resolved_time": "ticket resolved",
    "closed_time": "ticket closed", "product": "product", "issue_type": "issue type",
    "issue_category": "issue category", "issue_status": "current ticket status", "region": "region",
    "country": "country", "client": "client (personal)", "agent": "agent (personal)",
    "manager": "manager (personal)", "title": "title (free text)", "description": "description (free text)",
}


def dataset_caption(loaded: Any) -> str:
    """One line about the current data: name, size, rows, tickets."""
    p: Prepared = loaded.prepared
    kind = "Sample export (generated, no real people)" if loaded.is_sample else "Your upload"
    return (f"{kind}: **{loaded.name}** · {human_bytes(loaded.data_size)} · {plural(p.quality.rows_read, 'row')} read · "
            f"{plural(len(p.events), 'event')} used · {plural(loaded.tickets, 'ticket')}")


# ---- column mapping ----------------------------------------------------------------------

def mapping_table(prep: Prepared) -> pd.DataFrame:
    """One row per role: the column chosen, how and how sure."""
    m = prep.mapping
    rows = []
    for role in schema.ROLES:
        c = m.choice(role)
        rows.append({"role": role, "column": m.roles.get(role) or NONE,
                     "confidence": float(c.confidence) if c else 0.0, "meaning": ROLE_MEANINGS.get(role, ""),
                     "how": c.how if c else "not found"})
    return pd.DataFrame(rows)


def column_choices(prep: Prepared) -> list[str]:
    return [NONE, *map(str, prep.raw.frame.columns)]


def unknown_values_table(prep: Prepared) -> pd.DataFrame:
    """Values of the status / tier / priority columns that were not understood, with row counts."""
    m = prep.mapping
    rows = []
    for role, values in m.unknown_values.items():
        col = m.roles.get(role)
        if not col or not values:
            continue
        counts = prep.raw.frame[col].astype("str").value_counts()
        for v in values:
            rows.append({"role": role, "value": v, "rows": int(counts.get(v, 0)), "means": NONE})
    return pd.DataFrame(rows, columns=["role", "value", "rows", "means"])


def canonical_choices() -> list[str]:
    return [NONE, NO_TIER, *contract.STATUSES, *contract.TIERS, *contract.PRIORITIES]


def mapping_from_tables(prep: Prepared, roles_table: pd.DataFrame, unknown_table: pd.DataFrame) -> schema.Mapping:
    """The mapping with the user's edits to roles and unknown values applied."""
    m = prep.mapping
    changes: dict[str, Any] = {}
    for row in roles_table.itertuples(index=False):
        col = None if row.column in (None, NONE) else str(row.column)
        if col != m.roles.get(row.role):
            changes[row.role] = col
    mapping = schema.with_overrides(m, frame=prep.raw.frame, **changes)
    return _with_vocabulary(mapping, unknown_table)


def _with_vocabulary(mapping: schema.Mapping, table: pd.DataFrame) -> schema.Mapping:
    allowed = {"status": contract.STATUSES, "tier": contract.TIERS, "priority": contract.PRIORITIES}
    vocab = {r: dict(getattr(mapping, f"{r}_values")) for r in allowed}
    unknown = {r: set(v) for r, v in mapping.unknown_values.items()}
    for row in table.itertuples(index=False):
        if row.means in (None, NONE):
            continue
        if row.means == NO_TIER and row.role == "tier":
            vocab["tier"][row.value] = None
        elif row.means in allowed.get(row.role, ()):
            vocab[row.role][row.value] = row.means
        else:
            raise InputError(f"'{row.means}' is not a {row.role}; choose one of: {', '.join(allowed[row.role])}.")
        unknown.get(row.role, set()).discard(row.value)
    return schema.with_overrides(
        mapping, status_values=vocab["status"], tier_values=vocab["tier"], priority_values=vocab["priority"],
        unknown_values={r: tuple(sorted(v)) for r, v in unknown.items()})


def mapping_toml(prep: Prepared) -> str:
    return schema.mapping_to_toml(prep.mapping)


def mapping_from_toml(prep: Prepared, data: bytes) -> schema.Mapping:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError("The mapping file is not UTF-8 text; save it as a .toml text file.")
    return schema.mapping_from_toml(text, prep.raw.frame)


# ---- dates ---------------------------------------------------------------------------

ORDER_WORDS = {"native": "Excel date cells", "iso": "ISO (year first)", "day-first": "day first",
               "month-first": "month first", "ambiguous": "ambiguous", "conflicting": "conflicting",
               "serial": "Excel serial numbers"}


def dates_table(prep: Prepared) -> pd.DataFrame:
    rows = []
    for r in prep.dates:
        rows.append({
            "column": r.column, "read as": ORDER_WORDS.get(r.order, r.order),
            "formats found": ", ".join(f"{k} ({v:,})" for k, v in r.formats.items()) or "-",
            "parsed": r.parsed, "empty": r.empty, "failed": r.failed,
            "failed rows": ", ".join(map(str, r.failed_rows[:10])),
            "failed examples": ", ".join(r.failed_examples), "note": r.note,
        })
    return pd.DataFrame(rows)


# The orders a user can choose for a date column; "auto" undoes a choice (the values vote again).
DATE_ORDER_CHOICES = {"day-first": "day first (DD/MM)", "month-first": "month first (MM/DD)",
                      "auto": "decided by the values (or the file's other dates)"}


def missing_role_warnings(prep: Prepared) -> list[str]:
    """What the figures cannot show because no column holds a role they need (see pipeline's findings)."""
    return [f.message for f in prep.quality.findings if f.kind.startswith("no_") and f.kind.endswith("_column")]


def with_date_order(prep: Prepared, column: str, order: str) -> schema.Mapping:
    """The mapping with ``column`` read in ``order`` ("auto": no choice of the user's, the values decide)."""
    orders = {k: v for k, v in prep.mapping.date_orders.items() if k != column}
    if order != "auto":
        orders[column] = order
    return schema.with_overrides(prep.mapping, date_orders=orders)


# ---- quality -------------------------------------------------------------------------

NEGATIVE_WORDS = {
    "negative_resolution": "Tickets resolved before they were opened: left out of resolution time",
    "negative_closing": "Tickets closed before they were resolved: left out of closing time",
    "done_before_open": "Tickets resolved or closed before their first OPEN: not counted as reopened",
    "negative_time_in_tier": "Tier events whose work was resolved before the event: left out of time in tier",
    "negative_frt": "Tier events answered before they happened: left out of FRT",
}


def quality_table(prep: Prepared, dash: metrics.Dashboard) -> pd.DataFrame:
    """The ingest findings plus what the metrics had to exclude (negative durations, unknown priorities)."""
    base = prep.quality.table()
    extra = []
    for kind, count in dash.quality_counts.items():
        if kind == "unknown_priority":
            continue  # one row per priority value below, each with its own count
        rows = dash.quality.loc[dash.quality["kind"] == kind, "source_row"].head(20)
        extra.append({"severity": "warning", "what": NEGATIVE_WORDS.get(kind, kind.replace("_", " ")),
                      "column": "", "rows": int(count), "first row numbers": ", ".join(map(str, rows))})
    for what, rows in unrated_priorities(prep, dash):
        extra.append({"severity": "warning", "column": prep.mapping.roles.get("priority") or "", "what": what,
                      "rows": len(rows), "first row numbers": ", ".join(map(str, rows[:20]))})
    return pd.concat([base, pd.DataFrame(extra, columns=base.columns)], ignore_index=True)


def unrated_priorities(prep: Prepared, dash: metrics.Dashboard) -> list[tuple[str, list[int]]]:
    """The tier events with no allowance (not rated), one group per value of their priority cell:
    (what it is, in words; the events' file rows, in order), most events first.

    A priority the policy does not name (CRITICAL), a value not understood ('Urgent-ish', kept blank in
    the events) and an empty cell are told apart, each with its own count; together they are the events
    counted as unknown_priority_events.
    """
    te = dash.tier_events
    if te.empty or "allowance_known" not in te.columns:
        return []
    unrated = te.loc[~te["allowance_known"].fillna(False).astype(bool).to_numpy(), ["priority", "source_row"]]
    if unrated.empty:
        return []
    priority = unrated["priority"].astype("object")
    priority = priority.where(priority.notna() & (priority.astype(str).str.strip() != ""), None)
    rows = unrated["source_row"].astype("int64")
    # a blank priority in the events may be a value that was not understood: read the file's cell
    cell = pd.Series(None, index=unrated.index, dtype="object")
    column = prep.mapping.roles.get("priority")
    blank = priority.isna().to_numpy()
    if blank.any() and column and column in prep.typed.columns:
        at = pd.Index(prep.typed_rows).get_indexer(rows[blank].to_numpy())
        found = pd.Series(prep.typed[column].astype("object").to_numpy()[at.clip(min=0)], dtype="object")
        text = found.where((at >= 0) & found.notna(), "").astype(str).str.strip()
        cell[blank] = text.where(text != "", None).to_numpy()
    kind = np.where(priority.notna(), "policy", np.where(cell.notna(), "value", "blank"))
    value = priority.where(priority.notna(), cell)
    groups = pd.DataFrame({"kind": kind, "value": value.where(value.notna(), "").to_numpy(), "row": rows.to_numpy()})
    out = []
    for (kind, shown), group in groups.groupby(["kind", "value"], sort=False):
        # the value first: the quality table's "what" column is narrow
        if kind == "policy":
            what = (f"Priority {shown}: tier events not rated (the SLA policy gives {shown} no allowance; give it "
                    "one on the SLA policy page)")
        elif kind == "value":
            what = (f"Priority '{shown}' (not recognised): tier events not rated (no allowance; map the value in "
                    "the column mapping)")
        else:
            what = "Blank priority: tier events not rated (no allowance)"
        out.append((what, sorted(int(r) for r in group["row"])))
    return sorted(out, key=lambda wr: (-len(wr[1]), wr[1][0]))


# ---- anonymization plan ---------------------------------------------------------------

def plan_table(loaded: Any) -> pd.DataFrame:
    """Every column of the upload with its action, the role it plays and what happens to it."""
    plan = loaded.cleaned.plan
    roles = {c: r for r, c in loaded.prepared.mapping.roles.items() if c}
    table = anonymize.plan_table(plan)
    table.insert(1, "role", table["column"].map(lambda c: roles.get(c, "")))
    return table[["column", "role", "action", "detail"]]


def plan_from_table(loaded: Any, table: pd.DataFrame) -> anonymize.Plan:
    plan = loaded.cleaned.plan
    personal = loaded.prepared.mapping.personal
    for row in table.itertuples(index=False):
        if plan.actions.get(row.column) == anonymize.Action(row.action):
            continue
        label = plan.labels.get(row.column) or personal.get(row.column) or str(row.column)
        value_map = None
        if row.action == anonymize.Action.GENERALIZE.value:
            values = loaded.prepared.typed[row.column].dropna().astype("str").unique()
            value_map = plan.generalize.get(row.column) or anonymize.strip_vendor_prefix_preset(values)
        plan = plan.with_action(row.column, row.action, label=label, value_map=value_map)
    return plan


# ---- filters ---------------------------------------------------------------------------

def filter_options(events: pd.DataFrame) -> dict[str, Any]:
    """Sorted distinct values per filter dimension, and the first and last event dates."""
    out: dict[str, Any] = {d: sorted(events[d].dropna().unique().tolist(), key=_natural) for d in FILTER_DIMENSIONS}
    times = events["event_time"].dropna()
    out["date_min"] = times.min().date() if len(times) else None
    out["date_max"] = times.max().date() if len(times) else None
    return out


def _natural(value: str) -> tuple:
    """'Agent 2' before 'Agent 10'."""
    import re
    return tuple(int(p) if p.isdigit() else p.casefold() for p in re.split(r"(\d+)", str(value)))


def make_filters(values: dict[str, tuple[str, ...]], date_range: tuple, full_range: tuple) -> metrics.Filters:
    """Widget values to core Filters; the full date range means no date filter."""
    start = end = None
    if len(date_range) == 2 and tuple(date_range) != tuple(full_range):
        start = datetime.combine(date_range[0], time.min)
        end = datetime.combine(date_range[1], time.min) + timedelta(days=1) - timedelta(microseconds=1)
    return metrics.Filters(date_from=start, date_to=end, **{k: tuple(v) for k, v in values.items() if v})


def describe_filters(flt: metrics.Filters, limit: int | None = 3) -> str:
    """'Product: A, B · Priority: HIGH · 2025-09-01 to 2025-09-30' ('' when nothing is filtered).

    At most ``limit`` values per dimension are named (then '+N'); ``None`` names them all.
    """
    parts = []
    if flt.date_from or flt.date_to:
        a = flt.date_from.date().isoformat() if flt.date_from else "start"
        b = flt.date_to.date().isoformat() if flt.date_to else "end"
        parts.append(f"{a} to {b}")
    for dim in contract.DIMENSIONS:
        values = getattr(flt, dim)
        if values:
            cut = len(values) if limit is None else limit
            shown = ", ".join(values[:cut]) + (f" +{len(values) - cut}" if len(values) > cut else "")
            parts.append(f"{dim.replace('_', ' ').capitalize()}: {shown}")
    return " · ".join(parts)


# ---- SLA policy editing ---------------------------------------------------------------------

UNITS = {"minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}
ALL = "(all)"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _in_units(seconds: float) -> tuple[float, str]:
    """The largest unit that divides the allowance evenly: 1800 s -> (30, 'minutes')."""
    for unit in ("weeks", "days", "hours", "minutes"):
        if seconds and seconds % UNITS[unit] == 0:
            return seconds / UNITS[unit], unit
    return seconds / 60, "minutes"


def allowances_table(pol: Any, priorities_seen: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per priority: its allowance as amount + unit (priorities in the data but not the policy included, empty)."""
    base = dict(pol.allowances)
    names = list(dict.fromkeys([*base, *[p for p in priorities_seen if p]]))
    rows = []
    for p in names:
        amount, unit = _in_units(base[p]) if p in base else (None, "hours")
        rows.append({"priority": p, "allowance": amount, "unit": unit})
    return pd.DataFrame(rows, columns=["priority", "allowance", "unit"])


def overrides_table(pol: Any) -> pd.DataFrame:
    rows = []
    for o in pol.overrides:
        amount, unit = _in_units(o.seconds)
        rows.append({"priority": o.priority, "tier": o.tier or ALL, "metric": o.metric or ALL,
                     "allowance": amount, "unit": unit})
    return pd.DataFrame(rows, columns=["priority", "tier", "metric", "allowance", "unit"])


def _seconds(amount: Any, unit: Any, where: str) -> float:
    if amount is None or pd.isna(amount):
        raise InputError(f"{where}: give an allowance (a number) or remove the row.")
    if unit not in UNITS:
        raise InputError(f"{where}: the unit must be one of {', '.join(UNITS)}.")
    if float(amount) < 0:
        raise InputError(f"{where}: an allowance cannot be negative.")
    return float(amount) * UNITS[unit]


def policy_from_tables(pol: Any, allowances: pd.DataFrame, overrides: pd.DataFrame, *, clock: str,
                       days: tuple[str, ...], start: Any, end: Any, timezone: str, country: str | None,
                       custom_holidays: str, pauses: tuple[str, ...]) -> Any:
    """The policy the user edited on the SLA policy page (raises InputError with a clear message)."""
    from core.policy import BusinessHours, Override, Policy

    base = tuple((str(r.priority), _seconds(r.allowance, r.unit, f"Priority {r.priority}"))
                 for r in allowances.itertuples(index=False)
                 if r.priority and not (r.allowance is None or pd.isna(r.allowance)))
    over = tuple(Override(str(r.priority), _seconds(r.allowance, r.unit, f"Override for {r.priority}"),
                          None if r.tier in (None, ALL) else str(r.tier),
                          None if r.metric in (None, ALL) else str(r.metric))
                 for r in overrides.itertuples(index=False) if r.priority)
    holidays_list = []
    for part in (custom_holidays or "").replace(";", ",").replace("\n", ",").split(","):
        if part.strip():
            try:
                holidays_list.append(date.fromisoformat(part.strip()))
            except ValueError:
                raise InputError(f"Custom holiday '{part.strip()}' is not a date; write it as YYYY-MM-DD.")
    try:
        hours = BusinessHours(days=tuple(WEEKDAYS.index(d) for d in days), start=start.strftime("%H:%M"),
                              end=end.strftime("%H:%M"), timezone=timezone, holiday_country=country or None,
                              custom_holidays=tuple(holidays_list))
        return Policy(allowances=base, overrides=over, clock=clock, business_hours=hours,
                      pause_statuses=tuple(pauses))
    except ValueError as err:
        raise InputError(str(err)) from None


def _hours_text(seconds: float) -> str:
    """8 h, 7h 30m (a working day's length, for sentences).

    >>> _hours_text(28800), _hours_text(27000)
    ('8 h', '7h 30m')
    """
    h, m = divmod(int(round(seconds / 60)), 60)
    return f"{h} h" if not m else f"{h}h {m:02d}m"


def business_day_note(start: Any, end: Any) -> str:
    """What a day and a week of allowance mean on the business-hours clock, for working hours
    ``start`` to ``end`` (datetime.time or 'HH:MM'): an allowance counts working time, so a day is
    24 working hours, several working days.

    >>> business_day_note("09:00", "17:00")
    'On the business-hours clock an allowance counts working time: 1 day = 24 working hours, i.e. 3 working days of 8 h (1 week = 168 working hours, 21 working days); enter 8 hours (8h in a policy file) for one working day.'
    """
    def seconds(t: Any) -> int:
        t = time.fromisoformat(t) if isinstance(t, str) else t
        return t.hour * 3600 + t.minute * 60 + t.second

    day = seconds(end) - seconds(start)
    if day <= 0:
        return ("On the business-hours clock an allowance counts working time: 1 day = 24 working hours, not one "
                "working day.")
    from core.policy import compact_duration

    per_day, per_week = 86400 / day, 604800 / day
    one = f"{day // 3600} hours" if day % 3600 == 0 else f"{day // 60} minutes"
    return ("On the business-hours clock an allowance counts working time: 1 day = 24 working hours, i.e. "
            f"{per_day:.3g} working days of {_hours_text(day)} (1 week = 168 working hours, {per_week:.3g} working "
            f"days); enter {one} ({compact_duration(day)} in a policy file) for one working day.")


def duration_clock(pol: Any, measure: str) -> str:
    """Which clock a duration on the Overview is measured on ("tier", "frt", "resolution" or "closing"),
    when the policy makes them differ ('' under plain calendar time, where all of them agree): FRT and
    time in tier follow the policy's clock and paused statuses; resolution and closing times are always
    calendar time.

    >>> from core.policy import Policy
    >>> duration_clock(Policy.default(), "tier")
    ''
    >>> business = Policy((), clock="business")
    >>> duration_clock(business, "tier"), duration_clock(business, "resolution")
    ('working time (business hours)', 'calendar time')
    """
    if pol.clock != "business" and not pol.pause_statuses:
        return ""
    if measure not in ("tier", "frt"):
        return "calendar time"
    measured = "working time (business hours)" if pol.clock == "business" else "calendar time"
    return measured + (", paused statuses not counted" if pol.pause_statuses else "")


def compare_rates(current: metrics.Dashboard, edited: metrics.Dashboard) -> pd.DataFrame:
    """Breach rates overall and per tier and priority, under the current and the edited policy.

    Rates are shares (0..1); each change is the difference in percentage points (34.0% -> 28.5% is -5.5),
    so it is never read as a relative change.
    """
    def rates(dash: metrics.Dashboard) -> dict[str, tuple[float, float]]:
        out = {}
        if len(dash.kpis):
            k = dash.kpis.iloc[0]
            out["All tier events"] = (k["tier_breach_rate"], k["frt_breach_rate"])
        b = dash.breakdown
        for dim in ("tier", "priority"):
            for r in b[b["dimension"] == dim].itertuples():
                out[_scope(dim, r.value)] = (r.tier_breach_rate, r.frt_breach_rate)
        return out

    def points(now: Any, then: Any) -> float | None:
        return None if now is None or then is None or pd.isna(now) or pd.isna(then) else (then - now) * 100

    a, b = rates(current), rates(edited)
    rows = []
    for scope in dict.fromkeys([*a, *b]):
        (ta, fa), (tb, fb) = a.get(scope, (None, None)), b.get(scope, (None, None))
        rows.append({"scope": scope, "tier SLA now": ta, "tier SLA edited": tb, RATE_CHANGE["tier"]: points(ta, tb),
                     "FRT now": fa, "FRT edited": fb, RATE_CHANGE["frt"]: points(fa, fb)})
    return pd.DataFrame(rows)


# The change columns of compare_rates (percentage points, not percent).
RATE_CHANGE = {"tier": "tier SLA change (points)", "frt": "FRT change (points)"}


def _scope(dimension: str, value: Any) -> str:
    """'Tier 1', 'Priority HIGH': a row of compare_rates as the other pages name it."""
    if pd.isna(value):
        return f"{dimension.capitalize()} (blank)"
    if dimension == "tier":
        from core.charts import tier_label
        return tier_label(value)
    return f"{dimension.capitalize()} {value}"


def zero_allowances(pol: Any) -> list[str]:
    """The allowances of 0 in a policy, named for the user ('HIGH', 'HIGH in Tier 2 (FRT)'): almost always a slip.

    >>> from core.policy import Override, Policy
    >>> zero_allowances(Policy(allowances=(("HIGH", 0), ("LOW", 60)), overrides=(Override("LOW", 0, "TIER_2", "frt"),)))
    ['HIGH', 'LOW in Tier 2 (FRT)']
    """
    from core.charts import tier_label

    named = [p for p, s in pol.allowances if s == 0]
    for o in pol.overrides:
        if o.seconds == 0:
            where = f" in {tier_label(o.tier)}" if o.tier else ""
            named.append(f"{o.priority}{where}" + (f" ({'FRT' if o.metric == 'frt' else 'time in tier'})" if o.metric else ""))
    return named


def time_zones() -> list[str]:
    """IANA time-zone names, sorted (UTC first)."""
    from zoneinfo import available_timezones
    return ["UTC", *sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))]


def holiday_countries() -> dict[str, str]:
    """Two-letter country codes the holidays package knows, with readable names ('KE' -> 'Kenya')."""
    import re

    from holidays import registry
    names = {}
    for entry in registry.COUNTRIES.values():
        class_name, code = entry[0], entry[1]
        names[code] = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", class_name)
    return dict(sorted(names.items(), key=lambda kv: kv[1]))


# ---- the Overview's cards, added up ---------------------------------------------------------

NOT_RATED_REASONS = {
    "no_time": "with no time in tier (answered, but the response has no work-resolved time)",
    "negative": "with a negative duration (data error)",
    "no_allowance": "with a priority without allowance",
}


def tier_event_parts(kpis: Any, metric: str = "tier") -> dict[str, int]:
    """Every tier event in exactly one part, for time in tier (``metric`` "tier") or FRT ("frt"), from
    one row of ``kpis``: breached, unbreached, still_waiting (no response yet) and the three reasons an
    answered event is not rated: no_time (no work-resolved time: no time in tier), negative (a data
    error) and no_allowance (a priority the policy gives no allowance). The parts add up to tier_events.

    >>> k = {"tier_events": 11, "tier_measured": 4, "tier_rated": 4, "tier_breached": 1, "still_waiting": 6,
    ...      "negative_tier": 0}
    >>> tier_event_parts(k)
    {'breached': 1, 'unbreached': 3, 'still_waiting': 6, 'no_time': 1, 'negative': 0, 'no_allowance': 0}
    """
    def n(name: str) -> int:
        value = kpis[name]
        return 0 if value is None or pd.isna(value) else int(value)

    measured, rated, breached = n(f"{metric}_measured"), n(f"{metric}_rated"), n(f"{metric}_breached")
    waiting, negative = n("still_waiting"), n(f"negative_{metric}")
    return {"breached": breached, "unbreached": rated - breached, "still_waiting": waiting,
            "no_time": n("tier_events") - waiting - measured - negative, "negative": negative,
            "no_allowance": measured - rated}


def tier_event_sum(kpis: Any, metric: str = "tier") -> str:
    """The Overview's cards added up, in words: '11 tier events = 1 breached + 3 unbreached + 6 still waiting
    + 1 not rated: 1 with no time in tier (...)', each reason for not rating an event named with its count
    (for FRT, ``metric`` "frt", the sentence starts 'FRT: ').

    >>> k = {"tier_events": 8, "tier_measured": 6, "tier_rated": 3, "tier_breached": 2, "still_waiting": 1,
    ...      "negative_tier": 1}
    >>> tier_event_sum(k)
    '8 tier events = 2 breached + 1 unbreached + 1 still waiting + 4 not rated: 1 with a negative duration (data error), 3 with a priority without allowance'
    """
    parts = tier_event_parts(kpis, metric)
    total = int(kpis["tier_events"]) if not pd.isna(kpis["tier_events"]) else 0
    text = (("" if metric == "tier" else "FRT: ") + f"{plural(total, 'tier event')} = {parts['breached']:,} breached + "
            f"{parts['unbreached']:,} unbreached + {parts['still_waiting']:,} still waiting")
    words = dict(NOT_RATED_REASONS, no_time="with no FRT") if metric == "frt" else NOT_RATED_REASONS
    reasons = [f"{parts[r]:,} {w}" for r, w in words.items() if parts[r]]
    unrated = sum(parts[r] for r in NOT_RATED_REASONS)
    if unrated:
        text += f" + {unrated:,} not rated: " + ", ".join(reasons)
    return text


# ---- downloads ---------------------------------------------------------------------------

def kpi_summary(dash: metrics.Dashboard) -> pd.DataFrame:
    """The KPI row as a sheet: figure (the field's name), what it means, value, and a readable form."""
    from core.durations import readable

    if dash.kpis.empty:
        return pd.DataFrame(columns=["figure", "meaning", "value", "readable"])
    k = dash.kpis.iloc[0]
    rows = []
    for name, value in k.items():
        v = None if pd.isna(value) else float(value)
        rows.append({"figure": name, "meaning": kpi_meaning(str(name)), "value": v,
                     "readable": readable(v) if name.endswith("_s") and v is not None
                     else (f"{v:.1%}" if name.endswith(("_rate", "_share")) and v is not None else "")})
    return pd.DataFrame(rows)


_MEASURES = {"tier": "time in tier", "frt": "first response time (FRT)", "resolution": "resolution time",
             "closing": "closing time"}
_STATS = {"mean": "Mean", "median": "Median", "p90": "90th percentile of", "max": "Longest"}
_KPI_WORDS = {
    "tickets": "Tickets", "tiered_tickets": "Tickets with at least one event in a real tier",
    "tier_events": "Tier events (waiting events inside a tier)",
    "still_waiting": "Tier events with no response in their tier yet",
    "frt_overdue": "Still-waiting tier events already past their FRT allowance",
    "tier_overdue": "Still-waiting tier events already past their time-in-tier allowance",
    "negative_frt": "Tier events with a negative FRT (data errors, left out)",
    "negative_tier": "Tier events with a negative time in tier (data errors, left out)",
    "negative_resolution": "Tickets with a negative resolution time (data errors, left out)",
    "negative_closing": "Tickets with a negative closing time (data errors, left out)",
    "unknown_priority_events": "Tier events whose priority the SLA policy gives no allowance",
    "reopened_tickets": "Tickets with activity after they were first resolved or closed",
    "ping_pong_tickets": "Tickets sent down to a lower tier and later up again",
    "escalated_tickets": "Tickets moved up to a higher tier at least once",
    "small_products": "Products under 2% of tickets", "small_products_share": "Share of tickets in those small products",
    "still_waiting_open": "Still-waiting tier events on tickets still open",
    "still_waiting_resolved_since": "Still-waiting tier events on tickets resolved or closed since",
    "frt_overdue_open": "Of those on open tickets, past their FRT allowance",
    "frt_overdue_resolved_since": "Of those on tickets resolved or closed since, past their FRT allowance",
    "tier_overdue_open": "Of those on open tickets, past their time-in-tier allowance",
    "tier_overdue_resolved_since": "Of those on tickets resolved or closed since, past their time-in-tier allowance",
}


def kpi_meaning(name: str) -> str:
    """Plain words for a KPI field ('tier_over_median_s' -> 'Median overrun of breached time in tier').

    >>> kpi_meaning("frt_breach_rate"), kpi_meaning("tiered_resolution_p90_s")
    ('Share of rated tier events whose first response time (FRT) breached', '90th percentile of resolution time (tiered tickets)')
    """
    return known_kpi_meaning(name) or name.replace("_", " ").capitalize()


def known_kpi_meaning(name: str) -> str | None:
    """``kpi_meaning`` for a field these words cover; None for one they do not (yet)."""
    if name in _KPI_WORDS:
        return _KPI_WORDS[name]
    tiered = name.startswith("tiered_")
    base = name.removeprefix("tiered_")
    measure, _, rest = base.partition("_")
    what = _MEASURES.get(measure)
    if what is None:
        return None
    suffix = " (tiered tickets)" if tiered else ""
    event = "tickets" if measure in ("resolution", "closing") else "tier events"
    words = {
        "measured": f"{event.capitalize()} with a measured {what}", "rated": f"Tier events whose {what} has an allowance",
        "breached": f"Tier events whose {what} breached", "unbreached": f"Tier events whose {what} met the allowance",
        "breach_rate": f"Share of rated tier events whose {what} breached", "tickets": f"Tickets with a measured {what}",
    }
    if rest in words:
        return words[rest] + suffix
    stat = rest.removesuffix("_s")
    if stat.startswith("over_") and stat.removeprefix("over_") in _STATS:
        return f"{_STATS[stat.removeprefix('over_')]} overrun of breached {what}{suffix}"
    if stat in _STATS:
        return f"{_STATS[stat]} {what}{suffix}"
    return None


def results_about(source: str, filters: metrics.Filters, pol: Any, *, default_policy: bool,
                  generated: datetime) -> pd.DataFrame:
    """The "About" sheet of the results workbook: what the figures were computed from and under what."""
    from core.durations import readable

    filtered = describe_filters(filters, limit=None)
    allowances = ", ".join(f"{p} {readable(s)}" for p, s in pol.allowances) or "none"
    rows = [
        ("File", source),
        ("Computed", generated.strftime("%Y-%m-%d %H:%M UTC")),
        ("Filters", filtered or "none: every event in the file"),
        ("SLA policy", ("the default" if default_policy else "edited in TierLens") + f": allowances {allowances}"),
        ("Policy overrides", "; ".join(f"{o.priority}{' ' + o.tier if o.tier else ''}{' ' + o.metric if o.metric else ''}"
                                       f" {readable(o.seconds)}" for o in pol.overrides) or "none"),
        ("Clock", "calendar time" if pol.clock == "calendar" else "business hours"),
        ("Paused statuses", ", ".join(pol.pause_statuses) or "none"),
        ("Names", "tokens (such as 'Agent 7'), never real names"),
    ]
    return pd.DataFrame(rows, columns=["item", "value"])


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 row', '2,000 rows' (``many`` when the plural is not word + 's')."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def download_name(suffix: str) -> str:
    """'anonymized.csv' -> 'tierlens-anonymized.csv'.

    Never the upload's name: a file is often named after a person or a client
    ('StMarys_Grace-Wanjiku_tickets.csv'), and a shared download would carry it.
    """
    return f"tierlens-{suffix}"


def source_words(rows_read: int, events: int) -> str:
    """What the results workbook says of its file: counts, never the file's name (see download_name)."""
    return (f"the upload ({plural(rows_read, 'row')} read, {plural(events, 'event')} used); its name is not "
            "written here, as a file name can hold a person's or a client's name")


def plan_counts(plan: anonymize.Plan) -> dict[anonymize.Action, int]:
    """How many columns each action applies to."""
    return {a: len(plan.columns_with(a)) for a in anonymize.Action}


# ---- generalization (value -> shown name) --------------------------------------------------

def generalizable_column(loaded: Any) -> str | None:
    """The column the value-map editor works on: the product column when there is one."""
    return loaded.prepared.mapping.roles.get("product")


def value_map_table(loaded: Any, column: str) -> pd.DataFrame:
    """Every distinct value of ``column`` with its shown name (itself when not generalized)."""
    current = loaded.cleaned.plan.generalize.get(column, {})
    counts = loaded.prepared.typed[column].dropna().astype("str").value_counts()
    return pd.DataFrame({"value": counts.index.astype(str), "rows": counts.to_numpy(),
                         "shown as": [current.get(v, v) for v in counts.index]})


def plan_with_value_map(loaded: Any, column: str, value_map: dict[str, str]) -> anonymize.Plan:
    """The plan with ``column`` generalized through ``value_map`` (values it omits keep their name)."""
    cleaned = {str(k): str(v).strip() or str(k) for k, v in value_map.items()}
    return loaded.cleaned.plan.with_action(column, anonymize.Action.GENERALIZE, value_map=cleaned)


def preset_value_map(loaded: Any, column: str) -> dict[str, str]:
    return anonymize.strip_vendor_prefix_preset(loaded.prepared.typed[column].dropna().astype("str").unique())


def value_map_from_table(table: pd.DataFrame) -> dict[str, str]:
    """The edited table back to a value map."""
    return dict(zip(table["value"].astype(str), table["shown as"].fillna("").astype(str)))


def value_map_from_toml(data: bytes) -> dict[str, str]:
    try:
        return anonymize.load_value_map_toml(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise InputError(f"That value map could not be read: {err}. Save it as UTF-8 TOML with a [values] "
                         "table of \"original\" = \"shown name\" lines.") from None
