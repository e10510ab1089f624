"""From uploaded bytes to the contract events table, its typed wide frame and the quality report."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from core import contract, dates, ingest, parallel, schema, textbytes
from core.quality import Finding, QualityReport, rows_of

Progress = Callable[[str, float], None]

# Roles whose columns hold timestamps; they are parsed by core.dates, never guessed per value.
DATE_ROLES = ("event_time", "work_resolved_time", "first_response_time", "created_time",
              "resolved_time", "closed_time")
# Contract dimension columns filled straight from a role of the same name.
TEXT_ROLES = ("product", "issue_type", "issue_category", "issue_status", "region", "country",
              "client", "agent")


@dataclass(frozen=True)
class Prepared:
    """Everything the later layers need from one upload."""

    raw: ingest.RawTable
    mapping: schema.Mapping
    typed: pd.DataFrame          # the wide frame, all duplicates removed, date-role columns parsed
    typed_rows: np.ndarray       # source row number of each row of ``typed``
    events: pd.DataFrame         # the contract events table (real values, not anonymized)
    dates: tuple[dates.DateReport, ...]
    quality: QualityReport


def no_progress(stage: str, fraction: float) -> None:
    return None


def prepare(
    data: bytes,
    filename: str,
    *,
    mapping: schema.Mapping | None = None,
    sheet: str | None = None,
    limits: ingest.Limits = ingest.DEFAULT_LIMITS,
    progress: Progress = no_progress,
) -> Prepared:
    """Read, map, parse dates and build the events table; raise ingest.InputError when unusable."""
    progress("Reading the file", 0.05)
    raw = ingest.read_table(data, filename, sheet=sheet, limits=limits)
    return prepare_from_raw(raw, mapping, progress=progress)


def prepare_from_raw(raw: ingest.RawTable, mapping: schema.Mapping | None = None, *,
                     progress: Progress = no_progress) -> Prepared:
    """The chain after reading: map roles (unless given), parse dates, build events and quality."""
    progress("Recognising columns", 0.35)
    mapping = mapping or schema.detect_mapping(raw.frame)
    _require_roles(mapping, raw)
    # the ingest result stays whole in Prepared so a re-mapping starts again from it
    deduped, fanout = _drop_fanout(raw, mapping)
    progress("Parsing dates", 0.5)
    # the events' text columns are worked out in the same threads as the dates (they read no date column)
    text_work = _event_text_work(deduped.frame, mapping)
    typed, reports, text_done = _parse_dates(deduped, mapping, text_work)
    progress("Building the events table", 0.8)
    events, findings = _build_events(typed, deduped.source_rows, mapping, dict(zip((w[0] for w in text_work), text_done)))
    if events.empty and len(typed):
        _refuse_when_nothing_is_usable(findings, mapping)
    quality = QualityReport(raw.rows_read, raw.duplicates_removed + fanout.count, len(events))
    quality = quality.with_findings(*_ingest_findings(raw), fanout, *_date_findings(reports),
                                    *_unknown_findings(typed, deduped.source_rows, mapping),
                                    *_shape_findings(typed, deduped.source_rows, mapping),
                                    *_missing_role_findings(mapping, len(events)), *findings)
    progress("Done", 1.0)
    return Prepared(raw, mapping, typed, deduped.source_rows, events, tuple(reports), quality)


# Header words of columns that describe who handled an event rather than the event itself. An
# export that joins an agents or assignment table repeats the same event once per match (the seed
# has 1,527 such copies beside its 19 exact ones); they differ only in these columns.
AGENT_SIDE_WORDS = ("agent", "assign", "support type", "availability", "team")
# Roles that define what an event is: never treated as agent-side, whatever their header says.
EVENT_ROLES = ("ticket_id", "event_time", "status", "tier", "priority", "work_resolved_time",
               "first_response_time", "created_time", "resolved_time", "closed_time")


def agent_side_columns(columns, mapping: schema.Mapping) -> tuple[str, ...]:
    """Columns that describe the handling agent (names, ids, team, availability), not the event."""
    protected = {mapping.roles.get(r) for r in EVENT_ROLES}
    picked = [c for c, label in mapping.personal.items() if label == "Agent"]
    picked += [mapping.roles["agent"]] if mapping.roles.get("agent") else []
    picked += [c for c in columns if any(w in schema.normalize_name(c) for w in AGENT_SIDE_WORDS)]
    return tuple(c for c in dict.fromkeys(picked) if c in columns and c not in protected)


def _drop_fanout(raw: ingest.RawTable, mapping: schema.Mapping) -> tuple[ingest.RawTable, Finding]:
    """Remove copies of one event that differ only in agent-side columns (a join fan-out); keep the first."""
    side = agent_side_columns(list(raw.frame.columns), mapping)
    rest = [c for c in raw.frame.columns if c not in side]
    if mapping.shape != "events" or not side or not rest or raw.frame.empty:
        return raw, Finding("fanout_duplicates_removed", "", 0, (), "")
    dup = ingest.duplicated_rows(raw.frame[rest])
    finding = Finding(
        "fanout_duplicates_removed", "", int(dup.sum()), rows_of(raw.source_rows, dup),
        f"Rows repeating an event that differ only in agent columns ({', '.join(side)}; a join in the export fanned them "
        "out): removed, the first copy is kept", "info")
    if not dup.any():
        return raw, finding
    kept = replace(raw, frame=parallel.filter_rows(raw.frame, ~dup), source_rows=raw.source_rows[~dup])
    return kept, finding


class MissingRoles(ingest.InputError):
    """No column was recognised for a role the analysis cannot do without.

    Carries the table as read and the mapping detected for it, so an interface can ask the
    user for the columns and go on with ``prepare_from_raw`` (the app's Prepare page does).
    """

    def __init__(self, message: str, raw: ingest.RawTable, mapping: schema.Mapping, missing: tuple[str, ...]):
        super().__init__(message)
        self.raw, self.mapping, self.missing = raw, mapping, missing


def required_roles(mapping: schema.Mapping) -> tuple[str, ...]:
    """The roles an upload of this shape cannot be analysed without."""
    return ("ticket_id", "created_time") if mapping.shape == "tickets" else ("ticket_id", "event_time")


def _require_roles(mapping: schema.Mapping, raw: ingest.RawTable) -> None:
    missing = tuple(r for r in required_roles(mapping) if not mapping.roles.get(r))
    if missing:
        names = " and ".join(missing).replace("_", " ")
        which = "the column that holds it" if len(missing) == 1 else "the columns that hold them"
        raise MissingRoles(f"No column was recognised as the {names}. Name {which} in the column mapping.",
                           raw, mapping, missing)


def _parse_dates(raw: ingest.RawTable, mapping: schema.Mapping,
                 also: Sequence[_TextWork] = ()) -> tuple[pd.DataFrame, list, list]:
    """Parse every date-role column, and do the ``also`` work, in parallel threads (pyarrow and DuckDB release the GIL).

    ``also``: (name, function, column) items, each function applied to its column as read; their
    results come back in order. The date columns with the most values start first, so the
    threads finish together (the shorter ``also`` items fill in at the end).
    """
    typed = raw.frame.copy(deep=False)
    columns = [mapping.roles[r] for r in DATE_ROLES if mapping.roles.get(r) and mapping.roles[r] in typed.columns]

    def parse(col: str, values: pd.Series, order: str | None = None) -> tuple[pd.Series, dates.DateReport]:
        return dates.parse_datetime_column(
            values,
            source_rows=raw.source_rows,
            order=order or mapping.date_orders.get(col, "auto"),
            tz=mapping.timezone,
            serials=pd.api.types.is_numeric_dtype(values.dtype),
            epoch1904=raw.epoch1904,
            column=col,
        )

    distinct = list(dict.fromkeys(columns))
    sources = {c: typed[c] for c in distinct}  # taken out of the frame here, not in the threads
    longest_first = sorted(distinct, key=lambda c: -int(sources[c].count()))
    jobs = [(lambda c=c: parse(c, sources[c])) for c in longest_first]
    jobs += [(lambda fn=fn, col=typed[col]: fn(col)) for _, fn, col in also]
    done = parallel.pmap(lambda job: job(), jobs)
    first = dict(zip(longest_first, done))
    file_order = _file_date_order(first, mapping)
    if file_order is not None:
        order, shown_by = file_order
        for col, (_, report) in list(first.items()):
            if report.order == "ambiguous" and mapping.date_orders.get(col, "auto") == "auto":
                parsed, again = parse(col, sources[col], order) if order == "month-first" else first[col]
                first[col] = parsed, replace(again, order=order, inferred_from=shown_by, note=(
                    f"no value has a day above 12, so the values alone cannot tell day and month apart; read "
                    f"{order} like {_quoted(shown_by)} in the same file, whose values show that order"))
    reports = []
    for col in columns:  # a column mapped to two roles is reported again, as the dates it now holds
        parsed, report = first.pop(col) if col in first else parse(col, typed[col])
        typed[col] = parsed
        reports.append(report)
    return typed, reports, done[len(longest_first):]


def _file_date_order(parsed: dict[str, tuple[pd.Series, dates.DateReport]],
                     mapping: schema.Mapping) -> tuple[str, tuple[str, ...]] | None:
    """The day/month order the file's date columns show, when those that show one all agree.

    A column shows an order when its values decided it (a day above 12) or the user chose it; a
    column whose values cannot tell (every day 12 or less) then takes it: an export writes all its
    dates one way. Columns whose values conflict, ISO or native dates, and serials show none.
    """
    shown: dict[str, list[str]] = {}
    for col, (_, report) in parsed.items():
        chosen = mapping.date_orders.get(col, "auto")
        order = chosen if chosen != "auto" else report.order
        if order in ("day-first", "month-first"):
            shown.setdefault(order, []).append(col)
    if len(shown) != 1:
        return None
    (order, columns), = shown.items()
    return order, tuple(columns)


def _quoted(columns: Sequence[str]) -> str:
    names = [f"'{c}'" for c in columns]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _text(series: pd.Series) -> pd.Series:
    """Cells as text with blanks as null; whole floats lose their '.0' (ids read from Excel)."""
    if pd.api.types.is_float_dtype(series.dtype):
        whole = series.dropna()
        if len(whole) and (whole == np.floor(whole)).all():
            series = series.astype("Int64")
    text = series if series.dtype == "str" else series.astype("str").where(series.notna())
    arr = pa.array(text, from_pandas=True)
    # blank = empty or only whitespace: only a value that is empty or starts with a space (ASCII, or
    # a byte of a non-ASCII character) can be, and only those are checked
    length, (first,) = textbytes.leading_bytes(arr, 1)
    maybe = (length == 0) | (first <= 0x20) | (first >= 0x80)
    if arr.null_count:
        maybe &= np.asarray(arr.is_valid().to_numpy(zero_copy_only=False))
    at = np.flatnonzero(maybe)
    if len(at):
        some = arr.take(pa.array(at))
        at = at[np.asarray(pc.fill_null(pc.or_(pc.equal(pc.utf8_length(some), 0), pc.utf8_is_space(some)), False)
                           .to_numpy(zero_copy_only=False))]
    if not len(at):
        return pd.Series(arr, dtype="str")
    blank = np.zeros(len(arr), bool)
    blank[at] = True
    return pd.Series(pc.if_else(pa.array(blank), pa.scalar(None, arr.type), arr), dtype="str")


def _mapped(series: pd.Series, vocab: dict[str, str | None]) -> pd.Series:
    """Raw values to canonical ones through ``vocab``; each distinct value is looked up once."""
    codes, uniques = pd.factorize(_text(series))
    canonical = pa.array([vocab.get(v) for v in uniques] + [None], type=pa.large_string())
    codes[codes < 0] = len(uniques)  # null takes the trailing None
    # an Arrow take, not a numpy object array: building `str` from a million Python objects costs more
    return pd.Series(canonical.take(pa.array(codes)), dtype="str")


_TextWork = tuple[str, Callable[[pd.Series], pd.Series], str]  # (events column, function, source column)


def _text_work(mapping: schema.Mapping) -> list[_TextWork]:
    """How each text column of an event log's events table is made from its source column."""
    roles = mapping.roles
    work: list[_TextWork] = [("ticket_id", _text, roles["ticket_id"])]
    if roles.get("status"):
        work += [("status_raw", _text, roles["status"]),
                 ("status", lambda s: _mapped(s, mapping.status_values), roles["status"])]
    if roles.get("tier"):
        work.append(("tier", lambda s: _mapped(s, mapping.tier_values), roles["tier"]))
    if roles.get("priority"):
        work.append(("priority", lambda s: _mapped(s, mapping.priority_values), roles["priority"]))
    return work + [(role, _text, roles[role]) for role in TEXT_ROLES if roles.get(role)]


def _event_text_work(frame: pd.DataFrame, mapping: schema.Mapping) -> list[_TextWork]:
    """The _text_work that can run before the dates are parsed: none for a ticket export, and none
    whose source column is a date role (that one is read as the dates it holds)."""
    if mapping.shape == "tickets" or not mapping.roles.get("ticket_id"):
        return []
    dated = {mapping.roles[r] for r in DATE_ROLES if mapping.roles.get(r)}
    return [w for w in _text_work(mapping) if w[2] in frame.columns and w[2] not in dated]


def _build_events(typed: pd.DataFrame, source_rows: np.ndarray, mapping: schema.Mapping,
                  done: dict[str, pd.Series] | None = None):
    """The contract's events table; ``done``: text columns already made (from _event_text_work)."""
    roles = mapping.roles
    if mapping.shape == "tickets":
        frame = schema.ticket_level_events(typed, mapping, source_rows=source_rows)
        return _conform_with_exclusions(frame, frame["source_row"].to_numpy())
    done = dict(done or {})
    cols: dict[str, pd.Series] = {"source_row": pd.Series(source_rows, dtype="int64")}
    for role in ("event_time", "work_resolved_time", "first_response_time", "created_time"):
        if roles.get(role):
            cols[role] = typed[roles[role]]
    work = _text_work(mapping)
    todo = [w for w in work if w[0] not in done]
    sources = {col: typed[col] for _, _, col in todo}  # taken out of the frame here, not in the threads
    # computed in threads (pyarrow C work)
    done.update(zip((name for name, _, _ in todo), parallel.pmap(lambda w: w[1](sources[w[2]]), todo)))
    cols.update({name: done[name] for name, _, _ in work})
    frame = pd.DataFrame({k: v.reset_index(drop=True) for k, v in cols.items()})
    return _conform_with_exclusions(frame, source_rows)


def _conform_with_exclusions(frame: pd.DataFrame, source_rows) -> tuple[pd.DataFrame, list[Finding]]:
    """Drop rows no figure can use (no ticket or no event time), counting them."""
    no_id = frame["ticket_id"].isna().to_numpy()
    no_time = frame["event_time"].isna().to_numpy() & ~no_id
    findings = [
        Finding("excluded_no_ticket_id", "", int(no_id.sum()), rows_of(source_rows, no_id),
                "Rows without a ticket id: left out of every figure", "error"),
        Finding("excluded_no_event_time", "", int(no_time.sum()), rows_of(source_rows, no_time),
                "Rows whose event time is empty or could not be read: left out of every figure", "error"),
    ]
    excluded = no_id | no_time
    kept = frame[~excluded] if excluded.any() else frame  # a boolean filter copies every column
    return contract.conform(kept), findings


def _refuse_when_nothing_is_usable(findings: list[Finding], mapping: schema.Mapping) -> None:
    """Every row was excluded: say which column failed instead of showing empty dashboards."""
    no_id = sum(f.count for f in findings if f.kind == "excluded_no_ticket_id")
    no_time = sum(f.count for f in findings if f.kind == "excluded_no_event_time")
    time_col = mapping.roles.get("created_time" if mapping.shape == "tickets" else "event_time")
    if no_time >= no_id:
        raise ingest.InputError(
            f"No row has an event time that could be read (column '{time_col}'). Check that it holds dates, or "
            "pick another column for the event time in the column mapping.")
    raise ingest.InputError(
        f"No row has a ticket id (column '{mapping.roles.get('ticket_id')}' is empty). Pick the column that "
        "identifies tickets in the column mapping.")


def _ingest_findings(raw: ingest.RawTable) -> list[Finding]:
    out = [Finding("exact_duplicates_removed", "", raw.duplicates_removed, tuple(raw.duplicate_rows),
                   "Exact duplicate rows removed (the first copy is kept)", "info")]
    for original, new, why in raw.renamed:
        out.append(Finding("header_renamed", new, 1, (raw.header_row,),
                           f"Header {original!r} renamed to {new!r}: {why}", "info"))
    return out


def _date_findings(reports) -> list[Finding]:
    out = []
    for r in reports:
        if r.failed:
            out.append(Finding("unparsed_dates", r.column, r.failed, tuple(r.failed_rows),
                               f"Dates that could not be read in '{r.column}'", "warning"))
        if r.order in ("ambiguous", "conflicting"):
            out.append(Finding(f"dates_{r.order}", r.column, r.parsed, (), r.note, "warning"))
        if r.inferred_from:
            out.append(Finding("dates_order_from_file", r.column, r.parsed, (), r.note, "info"))
    return out


def _shape_findings(typed: pd.DataFrame, source_rows, mapping: schema.Mapping) -> list[Finding]:
    """A one-row-per-ticket reading that the rows or the roles contradict: said, never silent.

    Detection never reads rows whose ticket ids repeat as one row per ticket, nor keeps a
    status role then; a shape or a status set by the user or a mapping file can.
    """
    if mapping.shape != "tickets":
        return []
    out = []
    tid, status = mapping.roles.get("ticket_id"), mapping.roles.get("status")
    if tid:
        ids = _text(typed[tid])
        repeated = (ids.notna() & ids.duplicated(keep=False)).to_numpy()
        out.append(Finding(
            "ticket_rows_repeat", tid, int(repeated.sum()), rows_of(source_rows, repeated),
            "Rows sharing their ticket id with another row, read as one row per ticket (each row's times became "
            'events of that ticket). If each row is one status change, set shape = "events" in the column mapping',
            "warning"))
    if status:
        used = _text(typed[status]).notna().to_numpy()
        out.append(Finding(
            "status_not_used", status, int(used.sum()), rows_of(source_rows, used),
            "Status not used: with one row per ticket the events come from the time columns (created, first "
            "response, resolved, closed). If each row is one status change, name the event time and set "
            'shape = "events" in the column mapping', "warning"))
    return out


# Roles an event log can be read without, but not measured without: what each one's absence costs.
_MEASURED_BY = {
    "tier": "no event is in a tier, so there are no tier events, no FRT and no time in tier",
    "priority": "no tier event has a priority, so none can be rated against an SLA allowance",
    "work_resolved_time": "time in tier (the response's work-resolved time minus the event's time) cannot be "
                          "measured, so no tier event is rated for the tier SLA",
}


def _missing_role_findings(mapping: schema.Mapping, events: int) -> list[Finding]:
    """A role the figures need that no column holds: said in the report, never a silent '0 rated'."""
    if mapping.shape != "events":
        return []
    return [Finding(f"no_{role}_column", "", events, (),
                    f"No column is mapped as the {role.replace('_', ' ')}: {cost}. If the file has one, name it in "
                    "the column mapping", "warning")
            for role, cost in _MEASURED_BY.items() if not mapping.roles.get(role)]


def _unknown_findings(typed: pd.DataFrame, source_rows, mapping: schema.Mapping) -> list[Finding]:
    """Rows whose status / tier / priority value is not understood (listed, never dropped silently)."""
    out = []
    for role, vocab in (("status", mapping.status_values), ("tier", mapping.tier_values),
                        ("priority", mapping.priority_values)):
        unknown = set(mapping.unknown_values.get(role, ()))
        col = mapping.roles.get(role)
        if not unknown or not col:
            continue
        mask = _text(typed[col]).isin(unknown).to_numpy()
        shown = ", ".join(sorted(unknown)[:10])
        out.append(Finding(f"unknown_{role}", col, int(mask.sum()), rows_of(source_rows, mask),
                           f"Unrecognised {role} values ({shown}): map them in the column mapping", "warning"))
    return out
