"""Altair charts and display tables for the dashboard pages: pure functions of Dashboard frames (no streamlit).

Every builder takes a frame from ``core.metrics.Dashboard`` and returns an Altair chart;
on a frame with no rows it returns a one-line text chart instead of failing. The small
data preparations the charts need (long forms, readable durations, histogram bins) are
separate pure functions with documented columns, so pages only render.

One colour meaning everywhere: ``BREACHED`` (vermillion) and ``MET`` (blue) from the
Okabe-Ito palette, which stays distinct for the common colour-vision deficiencies.
"""
from __future__ import annotations

import re
from typing import Iterable, Literal

import altair as alt
import numpy as np
import pandas as pd

from core import metrics, views
from core.durations import readable, readable_many

BREACHED = "#d55e00"
MET = "#0072b2"
NOT_RATED = "#a3a3a3"
MUTED = "#c4c4c4"
NEUTRAL = "#52606d"
BREACHED_LIGHT = "#f2a77a"
OUTCOME_COLOURS = {"Breached": BREACHED, "Met": MET, "Not rated": NOT_RATED}
TIER_COLOURS = {"Tier 1": "#c6c2e0", "Tier 2": "#9a8fcb", "Tier 3": "#6a51a3", "Tier 4": "#3f007d"}
STAT_COLOURS = {"Median": "#1f2933", "Mean": "#7b8794", "90th percentile": "#cbd2d9"}
METRICS = {"tier": "Tier SLA (time in tier)", "frt": "First response (FRT)"}
NOUNS = {"tier": "time in tier", "frt": "first response time"}
LABEL_LINES = {"Median": 2, "90th percentile": 14}  # pixels from a histogram panel's top: one line per label
METRIC_SHORT = {"tier": "Tier SLA", "frt": "FRT"}
DIMENSIONS = {
    "product": "Product", "issue_type": "Issue type", "priority": "Priority", "month": "Month",
    "tier": "Tier", "issue_category": "Issue category", "region": "Region", "country": "Country",
    "agent": "Agent",
}
PRIORITY_ORDER = ("CRITICAL", "HIGH", "MEDIUM", "LOW")
BLANK = "(blank)"
NO_AGENT = "(no agent)"  # how charts and tables show a tier event with no agent
SMALL_SAMPLE = metrics.SMALL_SAMPLE  # fewer tier events than this: an agent's rates are not reliable
# log-spaced histogram edges in hours: 36 s .. 10,000 h, four bins per decade
HOUR_EDGES = tuple(float(10 ** (e / 4)) for e in range(-8, 17))
HOUR_TICKS = (1 / 60, 0.5, 1, 4, 24, 168, 720)
HOUR_LABELS = ("datum.value < 1 ? round(datum.value * 60) + ' min' : "
               "format(datum.value, ',') + ' h'")
PICK = "pick"  # the click selection of the clickable charts
Scale = Literal["linear", "log"]
Metric = Literal["tier", "frt"]


# ---- shared pieces -------------------------------------------------------------------------

def outcome_scale(present: Iterable[str] = ("Breached", "Met")) -> alt.Scale:
    """The one colour scale for outcomes; ``present`` limits the legend to outcomes shown.

    >>> outcome_scale().to_dict()["range"]
    ['#d55e00', '#0072b2']
    """
    domain = [o for o in OUTCOME_COLOURS if o in set(present)]
    return alt.Scale(domain=domain, range=[OUTCOME_COLOURS[o] for o in domain])


def tier_label(tier: object) -> str:
    """'TIER_2' -> 'Tier 2'; blanks become '(blank)'.

    >>> tier_label("TIER_2"), tier_label(None)
    ('Tier 2', '(blank)')
    """
    if tier is None or (not isinstance(tier, str) and pd.isna(tier)):
        return BLANK
    return str(tier).replace("_", " ").title()


def hours(seconds: pd.Series) -> pd.Series:
    """Seconds as float hours (NaN stays NaN).

    >>> hours(pd.Series([3600, 5400])).tolist()
    [1.0, 1.5]
    """
    return pd.to_numeric(seconds, errors="coerce").astype("float64") / 3600.0


def _texts(seconds: Iterable[object]) -> pd.api.extensions.ExtensionArray | list[str]:
    """``[readable(v) for v in seconds]``, vectorized, to put in a frame by position (a plain empty
    list when there is nothing, so an empty frame's column keeps the type it always had)."""
    return readable_many(seconds).array if len(seconds) else []  # type: ignore[arg-type]


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(codes, distinct): ``values`` is ``distinct`` (objects, one missing value last, as None)
    taken at ``codes``; so a per-value function runs once per distinct value, not once per row."""
    codes, uniques = pd.factorize(values)
    return np.where(codes < 0, len(uniques), codes), pd.Series([*uniques, None], dtype="object")


def _labels(values: pd.Series, label=None) -> pd.api.extensions.ExtensionArray | list[str]:
    """``[label(v) for v in values]`` (``tier_label`` by default), calling ``label`` once per distinct
    value; a str array to put in a frame by position (an empty list when there is nothing)."""
    if not len(values):
        return []
    label = label or tier_label
    codes, distinct = _distinct(values)
    return pd.array([label(v) for v in distinct], dtype="str").take(codes)


def with_readable(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """A copy with ``<col>_text`` (readable duration) beside each seconds column.

    >>> with_readable(pd.DataFrame({"frt_s": [124036.0]}), ["frt_s"])["frt_s_text"].tolist()
    ['34h 27m 16s']
    """
    out = frame.copy()
    for col in columns:
        out[f"{col}_text"] = _texts(pd.to_numeric(out[col], errors="coerce"))
    return out


def natural_key(value: object) -> tuple:
    """Sort key that puts 'Agent 2' before 'Agent 10'.

    >>> sorted(["Agent 10", "Agent 2"], key=natural_key)
    ['Agent 2', 'Agent 10']
    """
    return tuple((0, int(p)) if p.isdigit() else (1, p.casefold()) for p in re.split(r"(\d+)", str(value)))


def value_order(dimension: str, values: Iterable[str], weights: Iterable[float] | None = None) -> list[str]:
    """Display order of a dimension's values: tiers, priorities and months in their natural
    order, anything else by ``weights`` (largest first), blanks last.

    >>> value_order("priority", ["LOW", "HIGH", "MEDIUM"])
    ['HIGH', 'MEDIUM', 'LOW']
    >>> value_order("product", ["A", "B", "(blank)"], [1, 5, 9])
    ['B', 'A', '(blank)']
    """
    vals = list(values)
    w = dict(zip(vals, weights)) if weights is not None else {}
    if dimension == "priority":
        key = lambda v: (v == BLANK, PRIORITY_ORDER.index(v) if v in PRIORITY_ORDER else 99, natural_key(v))  # noqa: E731
    elif dimension in ("tier", "month"):
        key = lambda v: (v == BLANK, natural_key(v))  # noqa: E731
    else:
        key = lambda v: (v == BLANK, -float(w.get(v, 0) or 0), natural_key(v))  # noqa: E731
    return sorted(dict.fromkeys(vals), key=key)


def empty_chart(message: str = "No rows to show under the current filters.") -> alt.Chart:
    """A small text chart standing in for a chart with no data.

    It carries the same ``pick`` selection as the clickable charts, so a page may ask for
    selection events whatever the builder returned.
    """
    return (alt.Chart(pd.DataFrame({"message": [message]}))
            .mark_text(fontSize=14, color="#6b7280")
            .encode(text="message:N")
            .add_params(alt.selection_point(name=PICK, fields=["message"]))
            .properties(height=60))


def picked_values(event: object, param: str = PICK, field: str = "value") -> tuple[str, ...]:
    """The values a user clicked in a chart, from the selection state Streamlit returns.

    >>> picked_values({"selection": {"pick": [{"value": "Tier 2"}]}}, "pick")
    ('Tier 2',)
    >>> picked_values(None), picked_values({"selection": {}})
    ((), ())
    """
    try:
        chosen = event["selection"].get(param) or []  # type: ignore[index]
    except (KeyError, TypeError, AttributeError):
        return ()
    if isinstance(chosen, dict):  # interval-like or older shapes
        chosen = [chosen]
    return tuple(str(c[field]) for c in chosen if isinstance(c, dict) and field in c)


def events_for(tier_events: pd.DataFrame, dimension: str, values: Iterable[str]) -> pd.DataFrame:
    """Rows whose shown value of ``dimension`` (as the charts label it) is one of ``values``; all of
    them when ``values`` is empty. Works on tier events and on tickets (both carry the dimension
    columns and ``month``)."""
    wanted = set(values)
    if not wanted or tier_events.empty:
        return tier_events
    return tier_events[_group_values(tier_events, dimension).isin(wanted).to_numpy()]


def merge_picks(dimension: str, *picks: Iterable[str]) -> tuple[str, ...]:
    """The values clicked in any of several charts that share one drill-down, in display order.

    >>> merge_picks("tier", ("Tier 3",), (), ("Tier 1", "Tier 3"))
    ('Tier 1', 'Tier 3')
    >>> merge_picks("tier")
    ()
    """
    return tuple(value_order(dimension, [v for p in picks for v in p]))


def tickets_reaching(tickets: pd.DataFrame, tiers: Iterable[str]) -> pd.DataFrame:
    """Tickets with any event in one of ``tiers`` (as the charts label them, e.g. 'Tier 2'), read
    from the tickets' ``reached_tier_<n>`` flags; all tickets when ``tiers`` is empty.

    >>> t = pd.DataFrame({"ticket_id": ["a", "b"], "reached_tier_1": [True, True], "reached_tier_2": [False, True]})
    >>> tickets_reaching(t, ["Tier 2"])["ticket_id"].tolist(), len(tickets_reaching(t, []))
    (['b'], 2)
    """
    wanted = set(tiers)
    if not wanted:
        return tickets
    flags = [c for c in tickets.columns if c.startswith("reached_tier_") and tier_label(c[len("reached_"):]) in wanted]
    reached = np.zeros(len(tickets), dtype=bool)
    for col in flags:
        reached |= tickets[col].fillna(False).astype(bool).to_numpy()
    return tickets[reached]


def rows_shown_as(rows: pd.DataFrame, shown: pd.DataFrame, column: str, values: Iterable[str],
                  blank: str = BLANK) -> pd.DataFrame:
    """Rows of ``rows`` whose ``column``, as the user sees it in ``shown`` (the same rows, e.g. with
    tokens replaced by revealed names), is one of ``values``; a missing value is seen as ``blank``.
    All rows when ``values`` is empty. A chart drawn from shown names is clicked by shown name, so
    the drill-down matches on what was shown, then lists the rows as they are.

    >>> rows = pd.DataFrame({"Agent": ["Agent 1", "Agent 2", None]})
    >>> shown = pd.DataFrame({"Agent": ["Ann", "Bob", None]})
    >>> rows_shown_as(rows, shown, "Agent", ["Bob", "(no agent)"], "(no agent)").index.tolist()
    [1, 2]
    """
    wanted = set(values)
    if not wanted:
        return rows
    seen = shown[column].astype("object").where(shown[column].notna(), blank).astype(str)
    return rows[seen.isin(wanted).to_numpy()]


def _count_scale(scale: Scale, floor: float = 1.0) -> alt.Scale:
    return alt.Scale(type="log", domainMin=floor) if scale == "log" else alt.Scale(type="linear", zero=True)


def _baseline(scale: Scale, channel: str = "x", floor: float = 1.0) -> dict:
    """Where bars start: zero on a linear axis, ``floor`` on a log axis (which has no zero)."""
    if scale != "log":
        return {}
    return {f"{channel}2": (alt.X2 if channel == "x" else alt.Y2)(datum=floor)}


def _log_floor(values: pd.Series) -> float:
    """The power of ten at or below the smallest positive value (1 when none).

    >>> _log_floor(pd.Series([0.3, 5.0])), _log_floor(pd.Series([12.0]))
    (0.1, 10.0)
    """
    positive = values[values > 0]
    return float(10 ** np.floor(np.log10(positive.min()))) if len(positive) else 1.0


def _display_values(series: pd.Series, dimension: str) -> pd.Series:
    """The values as charts show them: text, blanks as BLANK, tiers labelled; worked out once per
    distinct value and spread back over the rows (same index and name)."""
    if series.empty:
        out = series.astype("object").where(series.notna(), BLANK).astype(str)
        return out.map(tier_label) if dimension == "tier" else out
    codes, distinct = _distinct(series)
    shown = distinct.where(distinct.notna(), BLANK).astype(str)
    shown = shown.map(tier_label) if dimension == "tier" else shown
    return pd.Series(shown.array.take(codes), index=series.index, name=series.name)


def _step(size: int) -> alt.Step:
    # A band height per bar, not a total height: Streamlit's theme collapses discrete axes that
    # have an offset channel when the chart is given a fixed pixel height.
    return alt.Step(size)


def _pct(x: float) -> str:
    return "–" if x is None or pd.isna(x) else f"{x:.1%}"


# ---- breached vs met per dimension value -----------------------------------------------------

def outcome_counts(breakdown: pd.DataFrame, dimension: str, metric: Metric = "tier") -> pd.DataFrame:
    """Breached and met tier events per value of one dimension, in long form.

    Columns: value, outcome ('Breached' | 'Met'), events, rated, rate (the value's breach
    rate), rate_text. Only rated events count (a duration with a known allowance).
    """
    rows = breakdown[breakdown["dimension"] == dimension]
    if rows.empty:
        return pd.DataFrame(columns=["value", "outcome", "events", "rated", "rate", "rate_text"])
    rated = rows[f"{metric}_rated"].astype("float64").fillna(0)
    breached = rows[f"{metric}_breached"].astype("float64").fillna(0)
    base = pd.DataFrame({"value": _display_values(rows["value"], dimension).to_numpy(),
                         "rated": rated.to_numpy(), "breached": breached.to_numpy()})
    base["rate"] = np.where(base["rated"] > 0, base["breached"] / base["rated"].where(base["rated"] > 0), np.nan)
    base["rate_text"] = [_pct(r) for r in base["rate"]]
    out = pd.concat([base.assign(outcome="Breached", events=base["breached"]),
                     base.assign(outcome="Met", events=base["rated"] - base["breached"])], ignore_index=True)
    out["events"] = out["events"].astype("int64")
    out["rated"] = out["rated"].astype("int64")
    return out[["value", "outcome", "events", "rated", "rate", "rate_text"]]


TOP_VALUES = 25  # a breached-vs-met chart draws at most this many values of a dimension (the busiest)
ORDERED_DIMENSIONS = ("tier", "priority", "month")  # drawn in full, in their own order
DIMENSION_PLURALS = {"product": "products", "issue_type": "issue types", "issue_category": "issue categories",
                     "region": "regions", "country": "countries", "agent": "agents"}


def top_values(breakdown: pd.DataFrame, dimension: str, limit: int = TOP_VALUES) -> tuple[pd.DataFrame, int]:
    """The breakdown rows of ``dimension`` for its ``limit`` values with the most tier events (ties by
    name), so a chart of 140 agents stays readable; and how many values the dimension has. Tiers,
    priorities and months are all kept.

    >>> b = pd.DataFrame({"dimension": ["agent"] * 3, "value": ["Agent 1", "Agent 2", "Agent 3"],
    ...                   "tier_events": [5, 9, 7]})
    >>> rows, total = top_values(b, "agent", 2)
    >>> rows["value"].tolist(), total
    (['Agent 2', 'Agent 3'], 3)
    """
    rows = breakdown[breakdown["dimension"] == dimension]
    total = len(rows)
    if dimension in ORDERED_DIMENSIONS or total <= limit:
        return rows, total
    events = rows["tier_events"].astype("float64").fillna(0).to_numpy()
    order = sorted(range(total), key=lambda i: (-events[i], natural_key(rows["value"].iat[i])))
    return rows.iloc[sorted(order[:limit])], total


def top_values_caption(dimension: str, shown: int, total: int) -> str:
    """What a chart cut to its busiest values says under it ('' when it shows every value).

    >>> top_values_caption("country", 25, 31)
    'Showing the 25 countries with the most tier events, of 31; narrow the sidebar filters to see others.'
    """
    if shown >= total:
        return ""
    noun = DIMENSION_PLURALS.get(dimension, f"{DIMENSIONS.get(dimension, dimension).lower()} values")
    where = "the Agents page lists every agent" if dimension == "agent" else "narrow the sidebar filters to see others"
    return f"Showing the {shown:,} {noun} with the most tier events, of {total:,}; {where}."


def outcome_bars(breakdown: pd.DataFrame, dimension: str, metric: Metric = "tier", scale: Scale = "linear",
                 title: str | None = None) -> alt.Chart:
    """Grouped horizontal bars of breached vs met tier events per value, labelled with counts."""
    data = outcome_counts(breakdown, dimension, metric)
    if data.empty or not data["events"].sum():
        return empty_chart(f"No rated tier events by {DIMENSIONS.get(dimension, dimension).lower()}.")
    totals = data.groupby("value", sort=False)["events"].sum()
    order = value_order(dimension, totals.index, totals.to_numpy())
    if scale == "log":
        data = data[data["events"] > 0]
    noun = "tier events" if metric == "tier" else "tier events with an FRT"
    enc = dict(
        y=alt.Y("value:N", sort=order, title=DIMENSIONS.get(dimension, dimension),
                axis=alt.Axis(labelLimit=220)),
        yOffset=alt.YOffset("outcome:N", sort=list(OUTCOME_COLOURS)),
        x=alt.X("events:Q", scale=_count_scale(scale),
                title=f"{noun} ({'log scale' if scale == 'log' else 'count'})"),
        tooltip=[alt.Tooltip("value:N", title=DIMENSIONS.get(dimension, dimension)),
                 alt.Tooltip("outcome:N", title="Outcome"),
                 alt.Tooltip("events:Q", title="Tier events", format=","),
                 alt.Tooltip("rated:Q", title="Rated in this group", format=","),
                 alt.Tooltip("rate_text:N", title=f"{METRIC_SHORT[metric]} breach rate")],
    )
    pick = alt.selection_point(name=PICK, fields=["value"])
    base = alt.Chart(data).encode(**enc)
    bars = base.mark_bar(cornerRadiusEnd=2).add_params(pick).encode(
        **_baseline(scale), opacity=alt.condition(pick, alt.value(1.0), alt.value(0.3)),
        color=alt.Color("outcome:N", scale=outcome_scale(), title=None,
                        legend=alt.Legend(orient="top", direction="horizontal")))
    labels = base.mark_text(align="left", dx=3, fontSize=11, color="#374151").encode(text=alt.Text("events:Q", format=","))
    return (bars + labels).properties(
        height=_step(15), title=title or f"{METRICS[metric]}: breached vs met by "
        f"{DIMENSIONS.get(dimension, dimension).lower()}")


# ---- breach rates ------------------------------------------------------------------------------

def breach_rates(breakdown: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Tier SLA and FRT breach rates per value, long form.

    Columns: value, metric ('Tier SLA' | 'FRT'), rate, breached, rated, rate_text.
    """
    rows = breakdown[breakdown["dimension"] == dimension]
    parts = []
    for m in ("tier", "frt"):
        part = pd.DataFrame({
            "value": _display_values(rows["value"], dimension).to_numpy(),
            "metric": METRIC_SHORT[m],
            "rate": rows[f"{m}_breach_rate"].astype("float64").to_numpy(),
            "breached": rows[f"{m}_breached"].astype("float64").fillna(0).astype("int64").to_numpy(),
            "rated": rows[f"{m}_rated"].astype("float64").fillna(0).astype("int64").to_numpy(),
        })
        parts.append(part)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    out["rate_text"] = [_pct(r) for r in out["rate"]]
    return out[["value", "metric", "rate", "breached", "rated", "rate_text"]]


def breach_rate_bars(breakdown: pd.DataFrame, dimension: str = "tier") -> alt.Chart:
    """Tier SLA and FRT breach rate side by side per value (both in the breached colour family);
    clicking a bar selects its value (``PICK`` on ``value``)."""
    data = breach_rates(breakdown, dimension)
    data = data[data["rated"] > 0]
    if data.empty:
        return empty_chart("No rated tier events to compute breach rates from.")
    order = value_order(dimension, data["value"], data["rated"])
    base = alt.Chart(data).encode(
        y=alt.Y("value:N", sort=order, title=DIMENSIONS.get(dimension, dimension)),
        yOffset=alt.YOffset("metric:N", sort=["Tier SLA", "FRT"]),
        x=alt.X("rate:Q", title="breach rate (share of rated tier events)", axis=alt.Axis(format="%")),
        tooltip=[alt.Tooltip("value:N", title=DIMENSIONS.get(dimension, dimension)),
                 alt.Tooltip("metric:N", title="Metric"),
                 alt.Tooltip("rate_text:N", title="Breach rate"),
                 alt.Tooltip("breached:Q", title="Breached", format=","),
                 alt.Tooltip("rated:Q", title="Rated", format=",")],
    )
    pick = alt.selection_point(name=PICK, fields=["value"])
    bars = base.mark_bar(cornerRadiusEnd=2).add_params(pick).encode(
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.3)),
        color=alt.Color("metric:N", title=None, scale=alt.Scale(domain=["Tier SLA", "FRT"],
                                                                range=[BREACHED, BREACHED_LIGHT]),
                        legend=alt.Legend(orient="top", direction="horizontal")))
    labels = base.mark_text(align="left", dx=3, fontSize=11, color="#374151").encode(text="rate_text:N")
    return (bars + labels).properties(height=_step(15), title="Breach rate per tier")


# ---- duration distributions ------------------------------------------------------------------

_RANGE_TEXTS = tuple(f"{readable(a * 3600)} to {readable(b * 3600)}"  # each histogram bin's duration range
                     for a, b in zip(np.asarray(HOUR_EDGES)[:-1], np.asarray(HOUR_EDGES)[1:]))


def _bin_index(h: pd.Series) -> np.ndarray:
    edges = np.asarray(HOUR_EDGES)
    clipped = h.clip(lower=edges[0], upper=edges[-1] * 0.999)
    return np.clip(np.searchsorted(edges, clipped.to_numpy(), side="right") - 1, 0, len(edges) - 2)


def histogram_bins(seconds: pd.Series, groups: pd.Series, outcomes: pd.Series) -> pd.DataFrame:
    """Counts of durations in log-spaced hour bins per (group, outcome).

    Durations under 36 s fall into the first bin, over 10,000 h into the last.
    Columns: group, outcome, start_h, end_h, events, range_text.

    >>> b = histogram_bins(pd.Series([40.0, 50.0]), pd.Series(["A", "A"]), pd.Series(["Met", "Met"]))
    >>> b[["group", "events"]].values.tolist()
    [['A', 2]]
    """
    cols = ["group", "outcome", "start_h", "end_h", "events", "range_text"]
    h = hours(seconds)
    keep = h.notna() & (h >= 0)
    if not keep.any():
        return pd.DataFrame(columns=cols)
    # one count per (group, outcome, bin) cell: sorted codes of each key, combined into one integer
    # key and counted with bincount; rows with a missing group or outcome are left out
    group_codes, group_values = pd.factorize(groups[keep], sort=True)
    outcome_codes, outcome_values = pd.factorize(outcomes[keep], sort=True)
    n_bins, n_outcomes = len(HOUR_EDGES) - 1, len(outcome_values)
    known = (group_codes >= 0) & (outcome_codes >= 0)
    key = (group_codes * n_outcomes + outcome_codes) * n_bins + _bin_index(h[keep])
    counts = np.bincount(key[known], minlength=len(group_values) * n_outcomes * n_bins)
    cells = np.flatnonzero(counts)  # ascending: by group, then outcome, then bin, as a sorted groupby
    bins = cells % n_bins
    edges = np.asarray(HOUR_EDGES)
    return pd.DataFrame({
        "group": np.asarray(group_values, dtype=object)[cells // n_bins // n_outcomes],
        "outcome": np.asarray(outcome_values, dtype=object)[cells // n_bins % n_outcomes],
        "start_h": edges[bins], "end_h": edges[bins + 1], "events": counts[cells].astype("int64"),
        "range_text": [_RANGE_TEXTS[b] for b in bins]}, columns=cols)


def _group_values(tier_events: pd.DataFrame, dimension: str) -> pd.Series:
    if dimension == "month":
        return _display_values(tier_events["month"].dt.strftime("%Y-%m"), dimension)
    return _display_values(tier_events[dimension], dimension)


def _outcome_words(flags: pd.Series) -> pd.Series:
    words = lambda f: f.astype("object").map({True: "Breached", False: "Met"}).fillna("Not rated")  # noqa: E731
    if flags.empty:
        return words(flags)
    codes, distinct = _distinct(flags)
    return pd.Series(words(distinct).array.take(codes), index=flags.index, name=flags.name)


def duration_marks(breakdown: pd.DataFrame, tier_events: pd.DataFrame, dimension: str,
                   metric: Metric = "tier") -> pd.DataFrame:
    """The median, 90th percentile and (when one per group) allowance of each group, from core's figures.

    Median and p90 come from the breakdown (the SQL's quantile_cont), so the chart agrees
    with every other figure. Columns: group, mark, hours, text.
    """
    rows = breakdown[breakdown["dimension"] == dimension]
    groups = _display_values(rows["value"], dimension).to_numpy()
    out = []
    for label, col in (("Median", f"{metric}_median_s"), ("90th percentile", f"{metric}_p90_s")):
        secs = rows[col].astype("float64").to_numpy()
        out += [{"group": g, "mark": label, "hours": s / 3600, "text": f"{'median' if label == 'Median' else 'p90'} "
                 f"{readable(s)}"} for g, s in zip(groups, secs) if not pd.isna(s) and s > 0]
    if len(tier_events):
        # a group has one allowance when its known allowances' least and greatest are equal
        allow = tier_events[f"{metric}_allowance_s"].astype("float64").to_numpy()
        known = ~np.isnan(allow)
        codes, values = pd.factorize(_group_values(tier_events, dimension)[known], sort=True)
        per = pd.Series(allow[known]).groupby(codes).agg(["min", "max"])
        out += [{"group": values[c], "mark": "Allowance", "hours": r["min"] / 3600, "text": f"allowance {readable(r['min'])}"}
                for c, r in per.iterrows() if r["min"] == r["max"] and r["min"] > 0]
    return pd.DataFrame(out, columns=["group", "mark", "hours", "text"])


def duration_histogram(tier_events: pd.DataFrame, breakdown: pd.DataFrame, dimension: str = "tier",
                       metric: Metric = "tier") -> alt.FacetChart | alt.Chart:
    """Distribution of time in tier (or FRT) per tier / priority: a log-hour histogram stacked by
    outcome, one row per group, with the median (solid), 90th percentile (dashed) and the
    allowance (dotted, when the group has one) marked."""
    if tier_events.empty:
        return empty_chart("No measured tier events under the current filters.")
    groups = _group_values(tier_events, dimension)
    bins = histogram_bins(tier_events[f"{metric}_s"].where(~tier_events[f"{metric}_negative"].fillna(False)),
                          groups, _outcome_words(tier_events[f"{metric}_breached"]))
    if bins.empty:
        return empty_chart("No measured durations under the current filters.")
    # a group with tier events but no measured duration (all still waiting, say) keeps its panel, which
    # says so instead of drawing an empty plot
    empty = [g for g in pd.unique(groups.dropna()) if g not in set(bins["group"])]
    marks = duration_marks(breakdown, tier_events, dimension, metric)
    marks = marks[~marks["group"].isin(empty)]
    parts = [bins.assign(kind="bin"), marks.assign(kind="mark")]
    if empty:
        parts.append(pd.DataFrame({"group": empty, "text": f"no events with a measured {NOUNS[metric]}", "kind": "note"}))
    order = value_order(dimension, [*bins["group"].unique(), *empty])
    data = pd.concat(parts, ignore_index=True)
    x_scale = alt.Scale(type="log", domain=[HOUR_EDGES[0], float(bins["end_h"].max())])
    x_axis = alt.Axis(values=list(HOUR_TICKS), labelExpr=HOUR_LABELS, title=f"{METRICS[metric]} (hours, log scale)")
    bars = alt.Chart().transform_filter(alt.datum.kind == "bin").mark_bar(stroke="white", strokeWidth=0.3).encode(
        x=alt.X("start_h:Q", scale=x_scale, axis=x_axis), x2="end_h:Q",
        # whole events only: a panel with no bars showed its single zero tick as "0.000000"
        y=alt.Y("sum(events):Q", title="tier events", stack="zero", axis=alt.Axis(format=",d", tickMinStep=1)),
        color=alt.Color("outcome:N", scale=outcome_scale(bins["outcome"].unique()), title=None,
                        legend=alt.Legend(orient="top", direction="horizontal")),
        tooltip=[alt.Tooltip("group:N", title=DIMENSIONS.get(dimension, dimension)),
                 alt.Tooltip("range_text:N", title="Duration"),
                 alt.Tooltip("outcome:N", title="Outcome"),
                 alt.Tooltip("sum(events):Q", title="Tier events", format=",")])
    dashes = {"Median": [1, 0], "90th percentile": [6, 3], "Allowance": [2, 2]}
    present = [m for m in dashes if m in set(marks["mark"])]
    mark_style = alt.Scale(domain=present, range=[dashes[m] for m in present])
    rules = alt.Chart().transform_filter(alt.datum.kind == "mark").mark_rule(strokeWidth=1.6).encode(
        x=alt.X("hours:Q", scale=x_scale),
        strokeDash=alt.StrokeDash("mark:N", scale=mark_style, title=None,
                                  legend=alt.Legend(orient="top", direction="horizontal")),
        color=alt.value("#111827"),
        tooltip=[alt.Tooltip("group:N", title=DIMENSIONS.get(dimension, dimension)),
                 alt.Tooltip("text:N", title="Marked")])
    # the median's label on the first line, the 90th percentile's on the second: side by side they overlapped
    texts = [alt.Chart().transform_filter((alt.datum.kind == "mark") & (alt.datum.mark == mark)).mark_text(
        align="left", dx=4, baseline="top", fontSize=10, color="#111827").encode(
        x=alt.X("hours:Q", scale=x_scale), y=alt.value(y), yOffset=alt.value(0), text="text:N")
        for mark, y in LABEL_LINES.items()]
    note = alt.Chart().transform_filter(alt.datum.kind == "note").mark_text(
        align="left", baseline="middle", fontSize=12, color="#6b7280").encode(
        x=alt.value(8), y=alt.value(42), text="text:N")
    return alt.layer(bars, rules, *texts, note, data=data).properties(width=640, height=85).facet(
        row=alt.Row("group:N", sort=order, title=None, header=alt.Header(labelAngle=0, labelAlign="left",
                                                                          labelFontWeight="bold")),
        spacing=8).resolve_scale(y="independent")


def duration_stats(breakdown: pd.DataFrame, dimension: str, metric: Metric = "tier") -> pd.DataFrame:
    """Mean, median and p90 per value as readable text, for a small table beside a chart.

    Columns: <Dimension>, Measured, Mean, Median, 90th percentile, Breach rate.
    """
    rows = breakdown[breakdown["dimension"] == dimension]
    label = DIMENSIONS.get(dimension, dimension)
    out = pd.DataFrame({
        label: _display_values(rows["value"], dimension).to_numpy(),
        "Measured": rows[f"{metric}_measured"].astype("float64").fillna(0).astype("int64").to_numpy(),
        "Mean": _texts(rows[f"{metric}_mean_s"]),
        "Median": _texts(rows[f"{metric}_median_s"]),
        "90th percentile": _texts(rows[f"{metric}_p90_s"]),
        "Breach rate": [_pct(v) for v in rows[f"{metric}_breach_rate"]],
    })
    order = value_order(dimension, out[label], out["Measured"])
    return out.set_index(label).loc[order].reset_index()


def overrun_histogram(tier_events: pd.DataFrame, kpis: pd.DataFrame, metric: Metric = "tier") -> alt.Chart:
    """How far over their allowance breached tier events went: a log-hour histogram with the
    median and mean overrun (from kpis) marked."""
    over = tier_events[f"{metric}_over_s"] if len(tier_events) else pd.Series([], dtype="float64")
    breached = tier_events[f"{metric}_breached"].fillna(False).astype(bool) if len(tier_events) else over.notna()
    over = over[breached & over.notna()]
    if over.empty:
        return empty_chart("No breached tier events under the current filters.")
    bins = histogram_bins(over, pd.Series("all", index=over.index), pd.Series("Breached", index=over.index))
    k = kpis.iloc[0]
    marks = pd.DataFrame([
        {"mark": "Median", "hours": k[f"{metric}_over_median_s"] / 3600,
         "text": f"median {readable(k[f'{metric}_over_median_s'])}"},
        {"mark": "Mean", "hours": k[f"{metric}_over_mean_s"] / 3600,
         "text": f"mean {readable(k[f'{metric}_over_mean_s'])}"}]).dropna()
    marks = marks[marks["hours"] > 0]
    x_scale = alt.Scale(type="log", domain=[HOUR_EDGES[0], float(bins["end_h"].max())])
    bars = alt.Chart(bins).mark_bar(color=BREACHED, stroke="white", strokeWidth=0.3).encode(
        x=alt.X("start_h:Q", scale=x_scale, axis=alt.Axis(values=list(HOUR_TICKS), labelExpr=HOUR_LABELS,
                title=f"{METRIC_SHORT[metric]} overrun: duration − allowance (hours, log scale)")),
        x2="end_h:Q",
        y=alt.Y("events:Q", title="breached tier events", axis=alt.Axis(format=",d", tickMinStep=1)),
        y2=alt.Y2(datum=0),
        tooltip=[alt.Tooltip("range_text:N", title="Over by"), alt.Tooltip("events:Q", title="Tier events", format=",")])
    rules = alt.Chart(marks).mark_rule(strokeWidth=1.6, color="#111827").encode(
        x=alt.X("hours:Q", scale=x_scale),
        strokeDash=alt.StrokeDash("mark:N", scale=alt.Scale(domain=["Median", "Mean"], range=[[1, 0], [6, 3]]),
                                  title=None, legend=alt.Legend(orient="top", direction="horizontal")),
        tooltip=[alt.Tooltip("text:N", title="Overrun")])
    # one line each: the median's and the mean's labels overlapped when the two are close
    texts = [alt.Chart(marks[marks["mark"] == mark]).mark_text(
        align="left", dx=4, baseline="top", fontSize=11, color="#111827").encode(
        x=alt.X("hours:Q", scale=x_scale), y=alt.value(y), yOffset=alt.value(0), text="text:N")
        for mark, y in (("Median", 4), ("Mean", 18))]
    return alt.layer(bars, rules, *texts).properties(height=330, title=f"How far over: {METRIC_SHORT[metric]} breaches")


# ---- escalation ------------------------------------------------------------------------------

def funnel_frame(funnel: pd.DataFrame) -> pd.DataFrame:
    """The funnel with display columns: tier (label), reached, reach, reach_text, label, highest,
    contained, containment_text, tiered."""
    f = funnel.copy()
    out = pd.DataFrame({
        "tier": _labels(f["tier"]),
        "reached": f["tickets_reached"].astype("float64").fillna(0).astype("int64").to_numpy(),
        "reach": f["reach"].astype("float64").to_numpy(),
        "highest": f["tickets_highest"].astype("float64").fillna(0).astype("int64").to_numpy(),
        "contained": f["contained"].astype("float64").fillna(0).astype("int64").to_numpy(),
        "containment": f["containment"].astype("float64").to_numpy(),
        "tiered": f["tiered_tickets"].astype("float64").fillna(0).astype("int64").to_numpy(),
    })
    out["reach_text"] = [_pct(r) for r in out["reach"]]
    out["containment_text"] = [_pct(r) for r in out["containment"]]
    out["label"] = [f"{t}  ·  {views.plural(n, 'ticket')}" for t, n in zip(out["reach_text"], out["reached"])]
    return out


def funnel_chart(funnel: pd.DataFrame) -> alt.Chart:
    """Escalation funnel: share of tiered tickets that reached each tier, labelled with counts;
    clicking a bar selects its tier (``PICK`` on ``tier``)."""
    data = funnel_frame(funnel)
    if data.empty or not data["tiered"].max():
        return empty_chart("No tickets entered a tier under the current filters.")
    order = list(data["tier"])
    base = alt.Chart(data).encode(
        y=alt.Y("tier:N", sort=order, title=None, axis=alt.Axis(labelFontSize=13, labelFontWeight="bold")),
        x=alt.X("reach:Q", title="share of tiered tickets that reached the tier",
                axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
                scale=alt.Scale(domain=[0, 1.18])),
        tooltip=[alt.Tooltip("tier:N", title="Tier"), alt.Tooltip("reached:Q", title="Tickets reached", format=","),
                 alt.Tooltip("reach_text:N", title="Reach"),
                 alt.Tooltip("highest:Q", title="Went no higher", format=","),
                 alt.Tooltip("contained:Q", title="Stayed only in this tier", format=","),
                 alt.Tooltip("tiered:Q", title="Tiered tickets", format=",")])
    pick = alt.selection_point(name=PICK, fields=["tier"])
    bars = base.mark_bar(cornerRadiusEnd=3).add_params(pick).encode(
        opacity=alt.condition(pick, alt.value(1.0), alt.value(0.3)),
        color=alt.Color("tier:N", scale=alt.Scale(domain=list(TIER_COLOURS), range=list(TIER_COLOURS.values())),
                        legend=None))
    labels = base.mark_text(align="left", dx=6, fontSize=13, color="#1f2933").encode(text="label:N")
    return (bars + labels).properties(height=_step(46), title="How far tickets escalate")


def time_stats_frame(funnel: pd.DataFrame, metric: Metric = "tier") -> pd.DataFrame:
    """Mean, median and 90th percentile per tier, long form.

    Columns: tier, statistic, seconds, hours, text.
    """
    stats = [("Median", f"{metric}_median_s"), ("Mean", f"{metric}_mean_s")]
    if f"{metric}_p90_s" in funnel.columns:
        stats.append(("90th percentile", f"{metric}_p90_s"))
    parts = [pd.DataFrame({"tier": _labels(funnel["tier"]), "statistic": name,
                           "seconds": funnel[col].astype("float64").to_numpy()}) for name, col in stats]
    out = pd.concat(parts, ignore_index=True).dropna(subset=["seconds"])
    out["hours"] = out["seconds"] / 3600
    out["text"] = _texts(out["seconds"])
    return out.reset_index(drop=True)


def time_per_tier(funnel: pd.DataFrame, metric: Metric = "tier", scale: Scale = "linear") -> alt.Chart:
    """Median, mean (and p90) time per tier as grouped bars in hours, labelled readable; clicking
    a bar selects its tier (``PICK`` on ``tier``)."""
    data = time_stats_frame(funnel, metric)
    if data.empty:
        return empty_chart("No measured tier events under the current filters.")
    domain = [s for s in STAT_COLOURS if s in set(data["statistic"])]
    floor = _log_floor(data["hours"])
    if scale == "log":
        data = data[data["hours"] > 0]
    base = alt.Chart(data).encode(
        y=alt.Y("tier:N", title=None, sort=list(TIER_COLOURS)),
        yOffset=alt.YOffset("statistic:N", sort=domain),
        x=alt.X("hours:Q", title=f"hours{' (log scale)' if scale == 'log' else ''}", scale=_count_scale(scale, floor)),
        tooltip=[alt.Tooltip("tier:N", title="Tier"), alt.Tooltip("statistic:N", title="Statistic"),
                 alt.Tooltip("text:N", title=METRIC_SHORT[metric]),
                 alt.Tooltip("hours:Q", title="Hours", format=",.1f")])
    pick = alt.selection_point(name=PICK, fields=["tier"])
    bars = base.mark_bar(cornerRadiusEnd=2).add_params(pick).encode(
        **_baseline(scale, floor=floor), opacity=alt.condition(pick, alt.value(1.0), alt.value(0.3)),
        color=alt.Color("statistic:N", title=None, scale=alt.Scale(domain=domain,
                        range=[STAT_COLOURS[s] for s in domain]),
                        legend=alt.Legend(orient="top", direction="horizontal")))
    labels = base.mark_text(align="left", dx=3, fontSize=10, color="#374151").encode(text="text:N")
    return (bars + labels).properties(height=_step(13),
                                      title=f"{METRICS[metric]} per tier")


def attribution_frame(attribution: pd.DataFrame) -> pd.DataFrame:
    """Attribution with display columns: tier (label), share, share_text, mean_share_text,
    time_text, tickets, breached_tickets."""
    a = attribution
    out = pd.DataFrame({
        "tier": _labels(a["tier"]),
        "share": a["pooled_share"].astype("float64").to_numpy(),
        "mean_share": a["mean_share"].astype("float64").to_numpy(),
        "seconds": a["tier_time_s"].astype("float64").to_numpy(),
        "tickets": a["tickets"].astype("float64").fillna(0).astype("int64").to_numpy(),
        "breached_tickets": a["breached_tickets"].astype("float64").fillna(0).astype("int64").to_numpy(),
    })
    out["share_text"] = [_pct(s) for s in out["share"]]
    out["mean_share_text"] = [_pct(s) for s in out["mean_share"]]
    out["time_text"] = _texts(out["seconds"])
    out["order"] = [natural_key(t) for t in out["tier"]]
    out["order"] = out["order"].rank(method="first").astype("int64") if len(out) else out["order"]
    return out


def attribution_bar(attribution: pd.DataFrame) -> alt.Chart:
    """One stacked bar: the share of breached tickets' tier time that each tier used."""
    data = attribution_frame(attribution)
    if data.empty or not data["share"].fillna(0).sum():
        return empty_chart("No ticket went over its time budget under the current filters.")
    base = alt.Chart(data).encode(
        x=alt.X("share:Q", stack="zero", title="share of the time breached tickets spent in tiers",
                axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]), scale=alt.Scale(domain=[0, 1])),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("tier:N", title="Tier"), alt.Tooltip("share_text:N", title="Share of pooled time"),
                 alt.Tooltip("mean_share_text:N", title="Average share per ticket"),
                 alt.Tooltip("time_text:N", title="Time in tier (sum)"),
                 alt.Tooltip("tickets:Q", title="Breached tickets with time here", format=",")])
    tiers = [t for t in TIER_COLOURS if t in set(data["tier"])] + sorted(set(data["tier"]) - set(TIER_COLOURS))
    bars = base.mark_bar(height=40).encode(
        color=alt.Color("tier:N", title=None, scale=alt.Scale(domain=tiers, range=[TIER_COLOURS.get(t, MUTED) for t in tiers]),
                        legend=alt.Legend(orient="top", direction="horizontal")))
    text = (base.transform_window(cum="sum(share)", sort=[alt.SortField("order")])
            .transform_calculate(mid="datum.cum - datum.share / 2", label="datum.tier + ' ' + datum.share_text")
            .transform_filter(alt.datum.share >= 0.06)
            .mark_text(fontSize=13, fontWeight="bold")
            .encode(x=alt.X("mid:Q"), text="label:N",
                    color=alt.condition("datum.tier == 'Tier 1' || datum.tier == 'Tier 2'",
                                        alt.value("#1f2933"), alt.value("white"))))
    return (bars + text).properties(height=140)


# ---- volume and Pareto --------------------------------------------------------------------------

def volume_frame(volume: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Tickets and tier events per value of product, issue type or month, with share texts."""
    rows = volume[volume["dimension"] == dimension]
    out = pd.DataFrame({
        "value": _display_values(rows["value"], dimension).to_numpy(),
        "tickets": rows["tickets"].astype("float64").fillna(0).astype("int64").to_numpy(),
        "ticket_share": rows["ticket_share"].astype("float64").to_numpy(),
        "tier_events": rows["tier_events"].astype("float64").fillna(0).astype("int64").to_numpy(),
    })
    out["share_text"] = [_pct(s) for s in out["ticket_share"]]
    out["label"] = [f"{n:,} ({s})" for n, s in zip(out["tickets"], out["share_text"])]
    return out


def volume_bars(volume: pd.DataFrame, dimension: str, scale: Scale = "linear") -> alt.Chart:
    """Tickets per product / issue type (horizontal, largest first) or per month (columns, in time order)."""
    data = volume_frame(volume, dimension)
    data = data[data["tickets"] > 0] if scale == "log" else data
    if data.empty:
        return empty_chart(f"No tickets by {DIMENSIONS.get(dimension, dimension).lower()} under the current filters.")
    label = DIMENSIONS.get(dimension, dimension)
    order = value_order(dimension, data["value"], data["tickets"])
    tooltip = [alt.Tooltip("value:N", title=label), alt.Tooltip("tickets:Q", title="Tickets", format=","),
               alt.Tooltip("share_text:N", title="Share of tickets"),
               alt.Tooltip("tier_events:Q", title="Tier events", format=",")]
    count = _count_scale(scale)
    pick = alt.selection_point(name=PICK, fields=["value"])
    highlight = alt.condition(pick, alt.value(1.0), alt.value(0.3))
    if dimension == "month":
        base = alt.Chart(data).encode(x=alt.X("value:O", sort=order, title=label, axis=alt.Axis(labelAngle=0)),
                                      y=alt.Y("tickets:Q", title="tickets", scale=count), tooltip=tooltip)
        labels = base.mark_text(dy=-6, fontSize=11, color="#374151").encode(text="label:N")
        bars = base.mark_bar(color=NEUTRAL, cornerRadiusEnd=2).add_params(pick).encode(
            **_baseline(scale, "y"), opacity=highlight)
        return (bars + labels).properties(
            height=340, title=f"Tickets by {label.lower()} (started)")
    base = alt.Chart(data).encode(y=alt.Y("value:N", sort=order, title=label, axis=alt.Axis(labelLimit=220)),
                                  x=alt.X("tickets:Q", title="tickets", scale=count), tooltip=tooltip)
    labels = base.mark_text(align="left", dx=3, fontSize=11, color="#374151").encode(text="label:N")
    bars = base.mark_bar(color=NEUTRAL, cornerRadiusEnd=2).add_params(pick).encode(**_baseline(scale), opacity=highlight)
    return (bars + labels).properties(
        height=_step(26), title=f"Tickets by {label.lower()}")


def pareto_frame(pareto: pd.DataFrame) -> pd.DataFrame:
    """The Pareto table with display columns: product, rank, tickets, share_text, cumulative,
    cumulative_text, size ('Small product' | 'Product')."""
    p = pareto
    out = pd.DataFrame({
        "product": p["product"].astype("object").where(p["product"].notna(), BLANK).astype(str).to_numpy(),
        "rank": p["rank"].astype("float64").fillna(0).astype("int64").to_numpy(),
        "tickets": p["tickets"].astype("float64").fillna(0).astype("int64").to_numpy(),
        "share": p["share"].astype("float64").to_numpy(),
        "cumulative": p["cumulative_share"].astype("float64").to_numpy(),
        "size": np.where(p["small"].fillna(False).astype(bool).to_numpy(), "Small product", "Product"),
    })
    out["share_text"] = [_pct(s) for s in out["share"]]
    out["cumulative_text"] = [_pct(s) for s in out["cumulative"]]
    return out


def pareto_table(pareto: pd.DataFrame) -> pd.DataFrame:
    """Products ranked by tickets, for display: Rank, Product, Tickets, Share, Cumulative share, Size."""
    p = pareto_frame(pareto)
    return pd.DataFrame({"Rank": p["rank"], "Product": p["product"], "Tickets": p["tickets"],
                         "Share": p["share_text"], "Cumulative share": p["cumulative_text"], "Size": p["size"]})


def pareto_chart(pareto: pd.DataFrame, small_share: float = 0.02) -> alt.LayerChart | alt.Chart:
    """Tickets per product (bars, small products muted) with the cumulative share (line, right axis)."""
    data = pareto_frame(pareto)
    if data.empty:
        return empty_chart("No tickets under the current filters.")
    order = list(data.sort_values("rank")["product"])
    x = alt.X("product:N", sort=order, title="Product (most tickets first)",
              axis=alt.Axis(labelAngle=-30, labelLimit=160))
    tooltip = [alt.Tooltip("rank:Q", title="Rank"), alt.Tooltip("product:N", title="Product"),
               alt.Tooltip("tickets:Q", title="Tickets", format=","), alt.Tooltip("share_text:N", title="Share"),
               alt.Tooltip("cumulative_text:N", title="Cumulative share"), alt.Tooltip("size:N", title="Size")]
    bars = alt.Chart(data).mark_bar(cornerRadiusEnd=2).encode(
        x=x, y=alt.Y("tickets:Q", title="tickets", axis=alt.Axis(titleColor=NEUTRAL)),
        color=alt.Color("size:N", title=None, scale=alt.Scale(domain=["Product", "Small product"], range=[NEUTRAL, MUTED]),
                        legend=alt.Legend(orient="top", direction="horizontal", labelLimit=400,
                                          labelExpr=f"datum.label == 'Small product' ? 'Small product (under {small_share:.0%} of tickets)' : datum.label")),
        tooltip=tooltip)
    y2 = alt.Y("cumulative:Q", title="cumulative share of tickets", scale=alt.Scale(domain=[0, 1]),
               axis=alt.Axis(format="%", titleColor="#b45309"))
    line = alt.Chart(data).mark_line(color="#b45309", point=alt.OverlayMarkDef(color="#b45309", size=40)).encode(
        x=x, y=y2, tooltip=tooltip)
    labels = alt.Chart(data).mark_text(dy=-6, fontSize=11, color="#374151").encode(
        x=x, y=alt.Y("tickets:Q"), text=alt.Text("tickets:Q", format=","))
    return alt.layer(bars + labels, line).resolve_scale(y="independent").properties(
        height=430, title="Pareto of products: a few products carry most tickets")


# ---- agents ---------------------------------------------------------------------------------

def agent_scatter(agents: pd.DataFrame, kpis: pd.DataFrame | None = None, metric: Metric = "tier",
                  scale: Scale = "log", small_sample: int = SMALL_SAMPLE) -> alt.LayerChart | alt.Chart:
    """Each agent's breach rate against their number of rated tier events; agents with fewer than
    ``small_sample`` tier events are muted, the overall rate is a dashed rule. Clicking a point
    selects its agent as the chart shows it (``PICK`` on ``agent``: a token, or a revealed name)."""
    rated = f"{metric}_rated"
    data = pd.DataFrame({
        "agent": agents["agent"].astype("object").where(agents["agent"].notna(), NO_AGENT).astype(str).to_numpy(),
        "events": agents["tier_events"].astype("float64").fillna(0).to_numpy(),
        "rated": agents[rated].astype("float64").fillna(0).to_numpy(),
        "rate": agents[f"{metric}_breach_rate"].astype("float64").to_numpy(),
        "median_text": _texts(agents[f"{metric}_median_s"]),
        "sample": np.where(agents["small_sample"].fillna(False).astype(bool).to_numpy(),
                           f"Fewer than {small_sample} tier events (not reliable)", f"{small_sample}+ tier events"),
    })
    data = data[(data["rated"] > 0) & data["rate"].notna()]
    if data.empty:
        return empty_chart("No agents with rated tier events under the current filters.")
    data["rate_text"] = [_pct(r) for r in data["rate"]]
    domain = [f"{small_sample}+ tier events", f"Fewer than {small_sample} tier events (not reliable)"]
    pick = alt.selection_point(name=PICK, fields=["agent"])
    points = alt.Chart(data).mark_circle(size=80, stroke="white", strokeWidth=0.5).add_params(pick).encode(
        x=alt.X("rated:Q", title=f"rated tier events{' (log scale)' if scale == 'log' else ''}",
                scale=alt.Scale(type="log") if scale == "log" else alt.Scale(zero=True)),
        y=alt.Y("rate:Q", title=f"{METRIC_SHORT[metric]} breach rate", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("sample:N", title=None, scale=alt.Scale(domain=domain, range=[BREACHED, MUTED]),
                        legend=alt.Legend(orient="top", direction="horizontal", labelLimit=320)),
        opacity=alt.condition(pick, alt.Opacity("sample:N", scale=alt.Scale(domain=domain, range=[0.9, 0.6]),
                                                legend=None), alt.value(0.15)),
        tooltip=[alt.Tooltip("agent:N", title="Agent"), alt.Tooltip("events:Q", title="Tier events", format=","),
                 alt.Tooltip("rated:Q", title="Rated", format=","),
                 alt.Tooltip("rate_text:N", title=f"{METRIC_SHORT[metric]} breach rate"),
                 alt.Tooltip("median_text:N", title=f"Median {'time in tier' if metric == 'tier' else 'FRT'}"),
                 alt.Tooltip("sample:N", title="Sample")])
    layers = []
    if kpis is not None and len(kpis) and not pd.isna(kpis[f"{metric}_breach_rate"].iloc[0]):
        overall = float(kpis[f"{metric}_breach_rate"].iloc[0])
        ref = pd.DataFrame({"rate": [overall], "text": [f"all agents {overall:.1%}"]})
        layers.append(alt.Chart(ref).mark_rule(strokeDash=[6, 3], color="#374151").encode(
            y="rate:Q", tooltip=[alt.Tooltip("text:N", title="Overall")]))
        layers.append(alt.Chart(ref).mark_text(align="left", dy=-7, fontSize=11, color="#374151").encode(
            y="rate:Q", x=alt.value(4), text="text:N"))
    # points drawn last, on top: a click on a point lying on the overall rule must reach the point
    return alt.layer(*layers, points).properties(height=340, title=f"{METRIC_SHORT[metric]} breach rate per agent")


def agent_table(agents: pd.DataFrame, small_sample: int = SMALL_SAMPLE) -> pd.DataFrame:
    """The per-agent summary for display: rates as percentages (0..100), medians readable, a note
    on small samples. Sorted by tier events, most first."""
    a = agents
    note = f"fewer than {small_sample} tier events: rates are not reliable"
    out = pd.DataFrame({
        "Agent": a["agent"].astype("object").where(a["agent"].notna(), NO_AGENT).to_numpy(),
        "Tier events": a["tier_events"].astype("float64").fillna(0).astype("int64").to_numpy(),
        "Tier SLA breached %": (a["tier_breach_rate"].astype("float64") * 100).round(1).to_numpy(),
        "FRT breached %": (a["frt_breach_rate"].astype("float64") * 100).round(1).to_numpy(),
        "Median FRT": _texts(a["frt_median_s"]),
        "Median time in tier": _texts(a["tier_median_s"]),
        "Still waiting": a["still_waiting"].astype("float64").fillna(0).astype("int64").to_numpy(),
        "Note": np.where(a["small_sample"].fillna(False).astype(bool).to_numpy(), note, ""),
    })
    order = sorted(range(len(out)), key=lambda i: (-out["Tier events"].iat[i], natural_key(out["Agent"].iat[i])))
    return out.iloc[order].reset_index(drop=True)


def agent_options(agents: pd.DataFrame) -> list[str]:
    """Agent tokens for a picker, most tier events first (agents with no name left out)."""
    a = agents[agents["agent"].notna()]
    return [str(v) for v in a.sort_values("tier_events", ascending=False, kind="stable")["agent"]]


def labels_for(tokens: Iterable[str], shown: Iterable[str]) -> dict[str, str]:
    """Token -> what the user sees (the same token, or the real name when revealed).

    >>> labels_for(["Agent 1"], ["Ann"])
    {'Agent 1': 'Ann'}
    """
    return {str(t): str(s) for t, s in zip(tokens, shown)}


def durations_text(seconds: pd.Series) -> list[str]:
    """Readable durations for a table; a negative one is marked as the data error it is.

    >>> durations_text(pd.Series([3600.0, -60.0, None]))
    ['1h 00m 00s', '-0h 01m 00s (data error)', '']
    """
    texts = _duration_texts(seconds)
    return texts if isinstance(texts, list) else texts.tolist()


def _duration_texts(seconds: pd.Series) -> pd.api.extensions.ExtensionArray | list[str]:
    """``durations_text`` as a str array to put in a frame by position (an empty list when empty)."""
    if not len(seconds):
        return []
    text = readable_many(seconds).reset_index(drop=True)
    negative = (pd.to_numeric(pd.Series(seconds).reset_index(drop=True), errors="coerce") < 0).fillna(False)
    return text.where(~negative.to_numpy(dtype=bool), text + " (data error)").array


EVENT_COLUMNS = {
    "agent": "Agent", "priority": "Priority", "issue_type": "Issue type", "status": "Status",
    "product": "Product", "tier": "Tier", "region": "Region", "frt_text": "FRT", "tier_text": "Time in tier",
    "frt_breached": "FRT breached", "tier_breached": "Tier SLA breached", "still_waiting": "Still waiting",
    "event_time": "Event time", "ticket_id": "Ticket", "source_row": "Row in file",
}


def agent_event_rows(agent_events: pd.DataFrame, agent: str | None = None) -> pd.DataFrame:
    """The agent SLA report rows (one agent's, or everyone's when ``agent`` is None) with
    readable FRT and time in tier; columns named for people (see EVENT_COLUMNS)."""
    rows = events_of_agent(agent_events, agent)
    out = rows.assign(frt_text=_duration_texts(rows["frt_s"]),
                      tier_text=_duration_texts(rows["tier_s"]),
                      tier=_labels(rows["tier"]))
    return out[list(EVENT_COLUMNS)].rename(columns=EVENT_COLUMNS).reset_index(drop=True)


def events_of_agent(agent_events: pd.DataFrame, agent: str | None = None) -> pd.DataFrame:
    """One agent's rows of the agent SLA report (everyone's when ``agent`` is None), not yet formatted."""
    return agent_events if agent is None else agent_events[agent_events["agent"] == agent]


_EVENT_ROW_COLUMNS = ["ticket_id", "source_row", "tier", "status", "priority", "product", "issue_type", "region",
                      "agent", "event_time", "frt_s", "tier_s", "frt_breached", "tier_breached", "still_waiting"]


def tier_event_rows(tier_events: pd.DataFrame) -> pd.DataFrame:
    """Tier events for a drill-down: who, what, when, readable FRT / time in tier, breach flags."""
    cols = _EVENT_ROW_COLUMNS
    out = tier_events[cols].assign(
        frt=_duration_texts(tier_events["frt_s"]), time_in_tier=_duration_texts(tier_events["tier_s"]),
        over_by=_texts(tier_events["tier_over_s"]), tier=_labels(tier_events["tier"]))
    return out[["ticket_id", "source_row", "tier", "status", "priority", "product", "issue_type", "region", "agent",
                "event_time", "frt", "time_in_tier", "over_by", "frt_breached", "tier_breached", "still_waiting",
                "frt_s", "tier_s"]].reset_index(drop=True)


def breached_rows(tier_events: pd.DataFrame, metric: Metric = "tier") -> pd.DataFrame:
    """Breached tier events, longest overrun first, for the "how far over" drill-down."""
    return tier_event_rows(breached_events(tier_events, metric))


def breached_events(tier_events: pd.DataFrame, metric: Metric = "tier") -> pd.DataFrame:
    """The tier events ``breached_rows`` lists, in its order, not yet formatted (``tier_event_rows``)."""
    flags = tier_events[f"{metric}_breached"].fillna(False).astype(bool).to_numpy()
    return _rows_in_order(tier_events, flags, [f"{metric}_over_s"])


def rated_rows(tier_events: pd.DataFrame) -> pd.DataFrame:
    """Tier events that breached or met their tier SLA or FRT (those the breach charts count), for a
    drill-down: tier SLA breaches first, longest overrun first, then FRT breaches, then the rest."""
    return tier_event_rows(rated_events(tier_events))


def rated_events(tier_events: pd.DataFrame) -> pd.DataFrame:
    """The tier events ``rated_rows`` lists, in its order, not yet formatted (``tier_event_rows``)."""
    rated = tier_events["tier_breached"].notna() | tier_events["frt_breached"].notna()
    return _rows_in_order(tier_events, rated.to_numpy(), ["tier_over_s", "frt_over_s"])


def _rows_in_order(tier_events: pd.DataFrame, mask: np.ndarray, by: list[str]) -> pd.DataFrame:
    """``tier_events[mask].sort_values(by, ascending=False, na_position="last", kind="stable")``, with
    only the columns tier_event_rows reads: the order is found on the sort keys alone, and the rows
    are taken once (a 1M upload's tier events have 33 columns, most of them text)."""
    positions = np.flatnonzero(mask)
    keys = tier_events[by].iloc[positions].reset_index(drop=True)
    order = keys.sort_values(by, ascending=False, na_position="last", kind="stable").index.to_numpy()
    return tier_events[list(dict.fromkeys(_EVENT_ROW_COLUMNS + ["tier_over_s"]))].iloc[positions[order]]


def still_waiting_table(still_waiting: pd.DataFrame) -> pd.DataFrame:
    """Tier events with no response yet, in the query's order (open tickets first, then oldest):
    whether the ticket is still open or when it was resolved or closed since, readable age and
    allowance, overdue flag."""
    s = still_waiting
    return pd.DataFrame({
        "Ticket": s["ticket_id"].to_numpy(),
        "Ticket still open": s["waiting_on_open_ticket"].fillna(False).astype(bool).to_numpy(),
        "Resolved or closed at": s["resolved_since_time"].to_numpy(),
        "Tier": _labels(s["tier"]),
        "Status": s["status"].to_numpy(),
        "Priority": s["priority"].to_numpy(),
        "Waiting since": s["event_time"].to_numpy(),
        "Age": _texts(s["age_s"]),
        "Allowance": _texts(s["tier_allowance_s"]),
        "Past SLA": s["tier_overdue"].fillna(False).astype(bool).to_numpy(),
        "Product": s["product"].to_numpy(),
        "Agent": s["agent"].to_numpy(),
        "Row in file": s["source_row"].to_numpy(),
    })


TICKET_FLAGS = {"all": None, "tiered": "tiered", "escalated": "escalations", "reopened": "reopened",
                "ping_pong": "ping_pong"}
TICKET_COLUMNS = ["ticket_id", "start_time", "priority", "product", "issue_type", "highest_tier", "tiers_visited",
                  "escalations", "ping_pong", "reopened", "agent", "open_row"]


def ticket_rows(tickets: pd.DataFrame, flag: str = "all") -> pd.DataFrame:
    """Tickets for a drill-down, with readable resolution time: all of them, or those that were
    tiered, escalated, reopened or ping-ponged between tiers (``flag``, a key of TICKET_FLAGS)."""
    rows = flagged_tickets(tickets, flag)
    out = rows[TICKET_COLUMNS].copy()
    out.insert(7, "resolution", _texts(rows["resolution_s"]))
    out["highest_tier"] = _labels(out["highest_tier"], lambda t: tier_label(t) if isinstance(t, str) else "")
    return out.reset_index(drop=True)


def flagged_tickets(tickets: pd.DataFrame, flag: str = "all") -> pd.DataFrame:
    """The tickets ``ticket_rows`` lists for ``flag``, not yet formatted (``ticket_rows(rows)`` formats them)."""
    col = TICKET_FLAGS[flag]
    if col is None:
        return tickets
    if col == "escalations":
        return tickets[tickets[col].fillna(0).astype("int64") > 0]
    return tickets[tickets[col].fillna(False).astype(bool)]


def attribution_sentence(attribution: pd.DataFrame) -> str:
    """What the attribution bar says, in one or two sentences computed from it ('' when empty): the tier
    with the largest share of the breached tickets' pooled tier time, then the tier with the largest
    share per ticket (the mean of each ticket's shares), which can be another tier.

    >>> a = pd.DataFrame({"tier": ["TIER_1", "TIER_2"], "tickets": [3, 1], "breached_tickets": [3, 3],
    ...                   "tier_time_s": [7200.0, 3600.0], "pooled_share": [2 / 3, 1 / 3], "mean_share": [0.7, 0.3]})
    >>> attribution_sentence(a).split(" (")[0]
    'Of the 3 tickets whose time in tiers went over their budget, 66.7% of that time was spent in Tier 1'
    """
    if attribution.empty or not attribution["pooled_share"].fillna(0).sum():
        return ""
    a = attribution_frame(attribution)
    pooled = a.sort_values("share", ascending=False, kind="stable")
    top = pooled.iloc[0]
    n = int(a["breached_tickets"].max())
    if n == 1:
        return (f"For the 1 ticket whose time in tiers went over its budget, {top['share_text']} of that time was "
                f"spent in {top['tier']}" + _others(pooled, "share_text") + ".")
    text = (f"Of the {views.plural(n, 'ticket')} whose time in tiers went over their budget, {top['share_text']} of "
            f"that time was spent in {top['tier']}" + _others(pooled, "share_text")
            + ": shortening waits there would recover the most time. ")
    per = a.sort_values("mean_share", ascending=False, kind="stable")
    mtop = per.iloc[0]
    if mtop["tier"] == top["tier"]:
        return text + (f"Per ticket too, {mtop['tier']} took the largest share: on average {mtop['mean_share_text']} "
                       "of a breached ticket's tier time.")
    return text + (f"Per ticket, though, {mtop['tier']} took the largest share: on average "
                   f"{mtop['mean_share_text']} of a breached ticket's tier time" + _others(per, "mean_share_text")
                   + f"; {top['tier']} leads the pooled time because the breached tickets with the longest tier "
                   "time spent most of it there.")


def _others(frame: pd.DataFrame, text: str) -> str:
    """' (Tier 1 17.7%, Tier 2 0.4%)' for the rows after the first ('' when there are none)."""
    rest = ", ".join(f"{t} {v}" for t, v in zip(frame["tier"].iloc[1:], frame[text].iloc[1:]))
    return f" ({rest})" if rest else ""


def agent_row(agents: pd.DataFrame, agent: str) -> pd.Series | None:
    """One agent's summary row (None when the agent has no tier events under the filters)."""
    rows = agents[agents["agent"] == agent]
    return None if rows.empty else rows.iloc[0]
