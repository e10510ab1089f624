"""Runs the queries in ``sql/`` on a contract events table in a private DuckDB connection."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Mapping

import duckdb
import pandas as pd
import pyarrow as pa

from core import contract, db, parallel, sqlfiles
from core.policy import Policy, allowance_table, clock_days, full_days, unnamed_priorities, working_intervals

_PANDAS_TYPES = {pa.bool_(): pd.BooleanDtype(), pa.int64(): pd.Int64Dtype(), pa.int32(): pd.Int64Dtype()}
SMALL_SHARE = 0.02  # a product under 2% of tickets is "small" (the original's ~1.2% finding)
SMALL_SAMPLE = 20  # fewer tier events than this: an agent's rates are flagged as small-sample
SUMMARY_TIERS = ("TIER_1", "TIER_2", "TIER_3")
SUMMARY_PRIORITIES = ("HIGH", "MEDIUM", "LOW")
BREAKDOWN_DIMENSIONS = (
    "tier", "priority", "product", "issue_type", "issue_category", "month", "region", "country", "agent",
)
BASE_QUERIES = ("tier_events", "tickets")  # the tables the other queries read (order: these two, as Dashboard fields)
# Slowest first: two threads run them (compute_dashboard) and then finish close together.
DASHBOARD_QUERIES = (
    "breakdown", "ticket_breakdown", "agent_events", "kpis", "funnel", "attribution", "volume",
    "agents", "still_waiting", "quality", "pareto",
)


@dataclass(frozen=True)
class Filters:
    """What to keep: date_from <= event_time <= date_to, and per dimension the allowed values.

    A plain ``date`` as date_to means the end of that day (what a date picker means).

    An empty tuple allows every value. Tier events are filtered on their own row; tickets
    on their start time and their own attributes (see sql/tickets.sql).
    """

    date_from: datetime | date | None = None
    date_to: datetime | date | None = None
    tier: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    product: tuple[str, ...] = ()
    issue_type: tuple[str, ...] = ()
    issue_category: tuple[str, ...] = ()
    issue_status: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    client: tuple[str, ...] = ()
    agent: tuple[str, ...] = ()

    @classmethod
    def none(cls) -> Filters:
        return cls()

    def params(self) -> dict[str, Any]:
        """The bound parameters: $date_from, $date_to and $<dimension>_in (null = all).

        >>> Filters(product=("A",)).params()["product_in"], Filters.none().params()["tier_in"]
        (['A'], None)
        """
        out: dict[str, Any] = {"date_from": _py_datetime(self.date_from), "date_to": _end_of(self.date_to)}
        for dim in contract.DIMENSIONS:
            values = getattr(self, dim)
            out[f"{dim}_in"] = list(values) if values else None
        return out


@dataclass(frozen=True)
class Dashboard:
    """Everything the pages show, as DataFrames; each SQL file's select list is the column list.

    - kpis (sql/kpis.sql), one row: tickets, tiered_tickets, tier_events; tier_measured,
      tier_rated, tier_breached, tier_unbreached, tier_breach_rate, tier_{mean,median,p90,max}_s,
      tier_over_{mean,median}_s; the same with frt_; still_waiting, frt_overdue, tier_overdue,
      each split into _open (the ticket has no RESOLVED / CLOSED at or after the tier event) and
      _resolved_since (it was resolved or closed since, with no response in that tier);
      negative_frt, negative_tier, unknown_priority_events; [tiered_]resolution_{tickets,
      mean_s,median_s,p90_s,max_s} and the same for closing; negative_resolution,
      negative_closing, reopened_tickets, ping_pong_tickets, escalated_tickets,
      small_products, small_products_share.
    - tier_events (sql/tier_events.sql), one row per tier event: source_row, ticket_id, tier,
      status, priority, event_time, month, the dimensions, response_row, response_time,
      work_resolved_time, frt_allowance_s, tier_allowance_s, allowance_known, frt_s, tier_s,
      frt_negative, tier_negative, frt_breached, tier_breached, frt_over_s, tier_over_s,
      still_waiting, resolved_since_time (the ticket's first RESOLVED / CLOSED at or after a
      still-waiting event), waiting_on_open_ticket, age_s, frt_overdue, tier_overdue.
    - tickets (sql/tickets.sql), one row per ticket: start_time, month, open/resolved/closed
      _time and _row, resolution_s, closing_s, *_negative, events, tier_events, tiered,
      tiers_visited, highest_tier, reached_tier_1..4, escalations, ping_pong, reopened and
      the ticket's dimensions.
    - breakdown (sql/breakdown.sql): one row per (dimension, value) with the tier-event rates
      and durations; ticket_breakdown (sql/ticket_breakdown.sql): resolution / closing per
      (dimension, value); ``breakdown_by(dimension)`` joins the two for one dimension.
    - funnel: per tier tiered_tickets, tickets_reached, reach, tickets_highest, contained,
      containment, tier_events, tier_measured, breach rates, time in tier and FRT stats.
    - attribution: per tier tickets, breached_tickets, tier_time_s, pooled_share, mean_share.
    - volume: (dimension, value, tickets, ticket_share, tier_events, tier_event_share).
    - pareto: rank, product, tickets, share, cumulative_share, small, small_products_share.
    - agents: per agent tier_events, rated / breached / rates, frt_median_s, tier_median_s,
      still_waiting, small_sample; agent_events: the agent SLA report rows.
    - still_waiting: tier events with no response, those on open tickets first, then oldest
      first, with age_s, *_overdue, waiting_on_open_ticket and resolved_since_time.
    - quality: kind, ticket_id, source_row, other_row, value_s (one row per problem);
      quality_counts: problems per kind; unnamed_priorities: priorities in the data that the
      policy gives no allowance.
    """

    kpis: pd.DataFrame
    tier_events: pd.DataFrame
    tickets: pd.DataFrame
    breakdown: pd.DataFrame
    ticket_breakdown: pd.DataFrame
    funnel: pd.DataFrame
    attribution: pd.DataFrame
    volume: pd.DataFrame
    pareto: pd.DataFrame
    agents: pd.DataFrame
    agent_events: pd.DataFrame
    still_waiting: pd.DataFrame
    quality: pd.DataFrame
    quality_counts: dict[str, int] = field(default_factory=dict)
    unnamed_priorities: tuple[str, ...] = ()

    def breakdown_by(self, dimension: str) -> pd.DataFrame:
        """Tier-event metrics for one dimension, with the ticket-level times where they exist."""
        if dimension not in BREAKDOWN_DIMENSIONS:
            raise KeyError(f"no breakdown by {dimension!r}; choose one of {', '.join(BREAKDOWN_DIMENSIONS)}")
        left = self.breakdown[self.breakdown["dimension"] == dimension]
        right = self.ticket_breakdown[self.ticket_breakdown["dimension"] == dimension]
        return left.merge(right, on=["dimension", "value"], how="outer").reset_index(drop=True)


def sql_text(name: str) -> str:
    """The SQL of one query, as the app shows it under "How is this computed?"."""
    return sqlfiles.sql_text(name)


def default_params(events: pd.DataFrame, policy: Policy | None = None) -> dict[str, Any]:
    """Every parameter the queries bind, for ``events`` under ``policy`` with no filters."""
    policy = policy or Policy.default()
    end = events["event_time"].max() if len(events) else None
    return {
        **Filters.none().params(),
        "export_end": None if end is None or pd.isna(end) else _py_datetime(end),
        "clocked": policy.clock == "business" or bool(policy.pause_statuses),
        "pause_statuses": list(policy.pause_statuses),
        "small_share": SMALL_SHARE,
        "small_sample": SMALL_SAMPLE,
    }


def policy_tables(events: pd.DataFrame, policy: Policy | None = None, data_tz: str = "UTC") -> dict[str, pd.DataFrame]:
    """The small tables the SQL joins: allowances and the working intervals of the clock."""
    policy = policy or Policy.default()
    return {"allowances": allowance_table(policy), "work_days": _calendar(events, policy, data_tz)}


def run_query(
    name: str,
    events: pd.DataFrame,
    params: Mapping[str, Any] | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
) -> pd.DataFrame:
    """Run ``sql/<name>.sql`` on ``events`` in a private connection and fetch its rows.

    ``params`` override ``default_params(events)``; ``tables`` are registered by name and
    default to the default policy's tables. A table the query reads that is itself a query
    (tier_events, tickets) is computed first with the same parameters.
    """
    registered = {**policy_tables(events), **(tables or {})}
    bound = {**default_params(events), **(params or {})}
    with db.cursor() as con:
        available = _register(con, events, registered)
        return _fetch(_relation(con, name, bound, available))


def compute_dashboard(
    events: pd.DataFrame,
    policy: Policy | None = None,
    filters: Filters | None = None,
    *,
    data_tz: str = "UTC",
) -> Dashboard:
    """Every dashboard table for ``events`` under ``policy`` and ``filters``.

    tier_events and tickets are computed first (side by side), fetched as Arrow and shared
    with the other queries. Every query starts as soon as what it reads is done (a breakdown
    of tier events need not wait for tickets), two at a time, each in its own cursor of the
    side-by-side database (core.db: half the cores per query): DuckDB alone keeps the two cores
    busy only about two thirds of the time, and two full-width queries contend for them.
    """
    policy = policy or Policy.default()
    params = {**default_params(events, policy), **(filters or Filters.none()).params()}
    tables: dict[str, Any] = dict(policy_tables(events, policy, data_tz))

    def job(name: str) -> tuple[tuple[str, ...], Callable[[dict[str, Any]], Any]]:
        needs = tuple(t for t in sqlfiles.load(name).reads if t in BASE_QUERIES)
        if name in BASE_QUERIES:  # Arrow, shared with the queries that read it
            return needs, lambda got: _query_arrow(name, events, {**tables, **got}, params)
        return needs, lambda got: _pandas(_query_arrow(name, events, {**tables, **got}, params))

    # Each query starts as soon as the base table(s) it reads are done, two at a time; the
    # base tables' conversions to pandas fill in at the end.
    jobs = {name: job(name) for name in (*BASE_QUERIES, *DASHBOARD_QUERIES)}
    jobs.update({f"{name} as pandas": ((name,), lambda got, name=name: _pandas(got[name])) for name in BASE_QUERIES})
    done = parallel.pgraph(jobs, workers=2)
    results = {name: done[name] for name in DASHBOARD_QUERIES}
    tier_events, tickets = (done[f"{name} as pandas"] for name in BASE_QUERIES)
    quality = results["quality"]
    return Dashboard(
        tier_events=tier_events,
        tickets=tickets,
        quality_counts={str(k): int(v) for k, v in quality["kind"].value_counts().items()},
        unnamed_priorities=unnamed_priorities(policy, events["priority"].dropna().unique()),
        **results,
    )


def summary(
    events: pd.DataFrame,
    policy: Policy | None = None,
    quality: Mapping[str, Any] | None = None,
    *,
    data_tz: str = "UTC",
) -> dict[str, Any]:
    """The headline figures as JSON-ready data (seconds as floats, rates 0..1, NaN -> None).

    Every stats block (tier_events, frt, and each value of by_<dimension>) gives ``measured``
    (non-negative durations: what the mean, median and p90 use), ``rated`` (the measured whose
    priority has an allowance) and ``breach_rate`` = breached / rated, the app's rate (None when
    nothing is rated). A priority the policy does not name, or a blank one, has events measured
    but never rated. by_<dimension> keys: the values, and "(blank)" for events without one.
    """
    dash = compute_dashboard(events, policy, Filters.none(), data_tz=data_tz)
    k = dash.kpis.to_dict("records")[0] if len(dash.kpis) else {}
    by = dash.breakdown
    tiers = _keys(SUMMARY_TIERS, by.loc[by["dimension"] == "tier", "value"])
    reach = dict(zip(dash.funnel["tier"], dash.funnel["reach"]))
    out = {
        "rows": len(events),
        "duplicates_removed": (quality or {}).get("duplicates_removed", 0),
        "tickets": k.get("tickets", 0),
        "tiered_tickets": k.get("tiered_tickets", 0),
        "tier_events": {"count": k.get("tier_events", 0), **_stats(k, "tier", "measured", rates=False),
                        "still_waiting": k.get("still_waiting", 0),
                        "still_waiting_open": k.get("still_waiting_open", 0),
                        "still_waiting_resolved_since": k.get("still_waiting_resolved_since", 0),
                        # of the still waiting, those already past their allowance (age at the export's end)
                        "frt_overdue": k.get("frt_overdue", 0), "tier_overdue": k.get("tier_overdue", 0),
                        "frt_overdue_open": k.get("frt_overdue_open", 0),
                        "tier_overdue_open": k.get("tier_overdue_open", 0),
                        **_rates(k, "tier")},
        "frt": _stats(k, "frt", "measured"),
        "resolution": _lifecycle(k, "resolution"),
        "closing": _lifecycle(k, "closing"),
        "reach": {t: reach.get(t) for t in tiers},
        "by_tier": _groups(by, "tier", SUMMARY_TIERS),
        "by_priority": _groups(by, "priority", SUMMARY_PRIORITIES),
        **{f"by_{d}": _groups(by, d) for d in SUMMARY_MORE_DIMENSIONS},
        "quality": _quality(quality, dash, k),
    }
    return _json(out)


# --- helpers --------------------------------------------------------------------------------

def _register(con: duckdb.DuckDBPyConnection, events: pd.DataFrame, tables: Mapping[str, Any]) -> set[str]:
    con.register("events", events)
    for name, frame in tables.items():
        con.register(name, frame)
    return {"events", *tables}


def _materialize(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any], available: set[str]) -> None:
    # a temporary table: private to this cursor of the shared database (core.db), dropped with it
    query = _prepared(con, name, params, available)
    con.execute(f"create temp table {query.name} as\n{query.text}", {p: params[p] for p in query.params})
    available.add(name)


def _relation(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any], available: set[str]) -> duckdb.DuckDBPyRelation:
    query = _prepared(con, name, params, available)
    return con.sql(query.text, params={p: params[p] for p in query.params})


def _prepared(con: duckdb.DuckDBPyConnection, name: str, params: Mapping[str, Any], available: set[str]) -> sqlfiles.Query:
    """The query ``name`` once every table it reads exists and every parameter it binds is given."""
    query = sqlfiles.load(name)
    for needed in query.reads:
        if needed not in available:
            _materialize(con, needed, params, available)
    missing = [p for p in query.params if p not in params]
    if missing:
        raise KeyError(f"query {name!r} needs parameter(s) {', '.join(missing)}")
    return query


def _query_arrow(name: str, events: pd.DataFrame, tables: Mapping[str, Any], params: Mapping[str, Any]) -> pa.Table:
    """One query's result as Arrow, in a cursor of its own where ``events`` and ``tables`` are registered."""
    cursor = db.cursor(side_by_side=True)
    with cursor as con:
        available = _register(con, events, tables)
        return _relation(con, name, params, available).to_arrow_table()


def _pandas(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(types_mapper=_PANDAS_TYPES.get)


def _fetch(relation: duckdb.DuckDBPyRelation) -> pd.DataFrame:
    # Through Arrow: several times faster than .df() on wide results; nullable booleans and
    # integers keep their type instead of turning into objects / floats.
    return relation.to_arrow_table().to_pandas(types_mapper=_PANDAS_TYPES.get)


def _calendar(events: pd.DataFrame, policy: Policy, data_tz: str) -> pd.DataFrame:
    # the first and last instant of both columns (min/max skip NaT; no 2M-row concatenation)
    ends = [x for c in ("event_time", "work_resolved_time") for x in (events[c].min(), events[c].max())
            if not pd.isna(x)]
    if not ends:
        return full_days(date(2000, 1, 1), date(2000, 1, 1))
    # margins: the calendar's local dates differ from the data's by up to a day
    first, last = (min(ends) - timedelta(days=1)).date(), (max(ends) + timedelta(days=1)).date()
    if policy.clock != "business":
        return full_days(first, last)
    hours = working_intervals(policy.business_hours, first - timedelta(days=1), last + timedelta(days=1), data_tz)
    return clock_days(hours, first, last)


def _py_datetime(value: Any) -> datetime | None:
    if value is None or (not isinstance(value, (datetime, date)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day)


def _end_of(value: Any) -> datetime | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day) + timedelta(days=1, microseconds=-1)
    return _py_datetime(value)


# The summary's by_<dimension> blocks besides by_tier and by_priority: the app's other breakdowns, except
# agent (the CLI would print real names where the app shows tokens unless asked).
SUMMARY_MORE_DIMENSIONS = ("product", "issue_type", "issue_category", "month", "region", "country")
SUMMARY_BLANK = "(blank)"  # the key of the events whose value is blank (as the app's charts label them)


def _keys(always: tuple[str, ...], present: pd.Series) -> tuple[str, ...]:
    extra = sorted(v for v in present.dropna().unique() if v not in always)
    return always + tuple(extra)


def _stats(row: Mapping[str, Any], prefix: str, count: str, *, rates: bool = True) -> dict[str, Any]:
    """One metric's block; rated and breach_rate last (added later: the earlier keys keep their order)."""
    return {
        count: row.get(f"{prefix}_measured", 0),
        "breached": row.get(f"{prefix}_breached", 0),
        "mean_s": row.get(f"{prefix}_mean_s"),
        "median_s": row.get(f"{prefix}_median_s"),
        "p90_s": row.get(f"{prefix}_p90_s"),
        **(_rates(row, prefix) if rates else {}),
    }


def _rates(row: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    """The app's rate: breached / rated (measured events whose priority has an allowance; None when none is)."""
    return {"rated": row.get(f"{prefix}_rated", 0), "breach_rate": row.get(f"{prefix}_breach_rate")}


def _lifecycle(k: Mapping[str, Any], name: str) -> dict[str, Any]:
    def part(prefix: str) -> dict[str, Any]:
        return {
            "tickets": k.get(f"{prefix}{name}_tickets", 0),
            "mean_s": k.get(f"{prefix}{name}_mean_s"),
            "median_s": k.get(f"{prefix}{name}_median_s"),
            "p90_s": k.get(f"{prefix}{name}_p90_s"),
        }
    return {"all": part(""), "tiered": part("tiered_")}


def _group(row: Mapping[str, Any]) -> dict[str, Any]:
    """The tier-event and FRT blocks of one breakdown row ({}: no tier event has that value)."""
    return {"tier_events": _stats(row, "tier", "measured"), "frt": _stats(row, "frt", "measured")}


def _groups(by: pd.DataFrame, dimension: str, always: tuple[str, ...] = ()) -> dict[str, Any]:
    """by_<dimension>: ``always`` first (zeros when absent), the other values sorted, then "(blank)" if any."""
    rows = by[by["dimension"] == dimension]
    records = rows.to_dict("records")
    named = {r["value"]: r for r in records if not pd.isna(r["value"])}
    out = {v: _group(named.get(v, {})) for v in _keys(always, rows["value"])}
    for blank_row in (r for r in records if pd.isna(r["value"])):  # at most one
        blank = SUMMARY_BLANK
        while blank in out:  # a real value spelled "(blank)" keeps its own key
            blank = f"({blank})"
        out[blank] = _group(blank_row)
    return out


def _quality(given: Mapping[str, Any] | None, dash: Dashboard, k: Mapping[str, Any]) -> dict[str, Any]:
    counts = {key: v for key, v in (given or {}).items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
    return {
        **counts,
        "negative_frt": k.get("negative_frt", 0),
        "negative_time_in_tier": k.get("negative_tier", 0),
        "negative_resolution": k.get("negative_resolution", 0),
        "negative_closing": k.get("negative_closing", 0),
        "done_before_open": dash.quality_counts.get("done_before_open", 0),
        "unknown_priority_events": k.get("unknown_priority_events", 0),
        "unnamed_priorities": list(dash.unnamed_priorities),
    }


def _json(value: Any) -> Any:
    """Plain Python values only: numpy scalars unwrapped, NaN / NA / NaT -> None."""
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


__all__ = [
    "Filters", "Dashboard", "compute_dashboard", "summary", "run_query", "sql_text",
    "default_params", "policy_tables",
]
