"""Plain-language findings derived from a dashboard: every sentence is computed, none is canned."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from core.durations import readable
from core.metrics import Dashboard
from core.views import plural

MIN_EVENTS = 20  # a group smaller than this is too small to name as "the worst"


@dataclass(frozen=True)
class Finding:
    """One finding: a headline, the sentence behind it and the figures it rests on."""

    key: str
    headline: str
    detail: str
    figures: dict[str, float | int | str]


def _pct(x: float) -> str:
    return f"{x:.0%}" if x >= 0.1 or x == 0 else f"{x:.1%}"


def _label(value: object) -> str:
    """'TIER_1' -> 'Tier 1'; other values as they are."""
    text = str(value)
    return text.replace("_", " ").title() if text.startswith("TIER_") else text


def _rows(dash: Dashboard, dimension: str) -> pd.DataFrame:
    b = dash.breakdown
    return b[(b["dimension"] == dimension) & (b["tier_rated"] >= MIN_EVENTS)]


def worst_tier(dash: Dashboard) -> Finding | None:
    rows = _rows(dash, "tier")
    if len(rows) < 2:
        return None
    worst = rows.sort_values("tier_breach_rate", ascending=False).iloc[0]
    best = rows.sort_values("tier_breach_rate").iloc[0]
    return Finding(
        "worst_tier", f"{_label(worst['value'])} breaches most: {_pct(worst['tier_breach_rate'])} of its tier events",
        f"{int(worst['tier_breached']):,} of {int(worst['tier_rated']):,} tier events in {_label(worst['value'])} "
        f"went over their allowance, against {_pct(best['tier_breach_rate'])} in {_label(best['value'])}.",
        {"tier": worst["value"], "breach_rate": float(worst["tier_breach_rate"]),
         "breached": int(worst["tier_breached"]), "rated": int(worst["tier_rated"]),
         "best_tier": best["value"], "best_rate": float(best["tier_breach_rate"])})


def priority_driver(dash: Dashboard) -> Finding | None:
    rows = _rows(dash, "priority")
    total = rows["tier_breached"].sum()
    if len(rows) < 2 or total == 0:
        return None
    top = rows.sort_values("tier_breached", ascending=False).iloc[0]
    share = top["tier_breached"] / total
    event_share = top["tier_rated"] / rows["tier_rated"].sum()
    return Finding(
        "priority_driver", f"{top['value']} priority drives {_pct(share)} of breaches",
        f"{top['value']} tickets make up {_pct(event_share)} of rated tier events but {_pct(share)} of the "
        f"breaches ({int(top['tier_breached']):,} of {int(total):,}); their breach rate is "
        f"{_pct(top['tier_breach_rate'])}.",
        {"priority": top["value"], "breach_share": float(share), "event_share": float(event_share),
         "breached": int(top["tier_breached"]), "breach_rate": float(top["tier_breach_rate"])})


def how_far_over(dash: Dashboard) -> Finding | None:
    k = dash.kpis.iloc[0] if len(dash.kpis) else None
    if k is None or not k["tier_breached"]:
        return None
    median_over, worst = k["tier_over_median_s"], k["tier_max_s"]
    return Finding(
        "how_far_over", f"Half of the breaches run more than {readable(median_over)} over",
        f"Of {plural(int(k['tier_breached']), 'breached tier event')}, the median overrun is {readable(median_over)} and "
        f"the mean {readable(k['tier_over_mean_s'])}; the longest time in tier was {readable(worst)}.",
        {"breached": int(k["tier_breached"]), "median_over_s": float(median_over),
         "mean_over_s": float(k["tier_over_mean_s"]), "max_s": float(worst)})



def unanswered_waits(dash: Dashboard) -> Finding | None:
    """Still-waiting tier events split by their ticket: open (live waits) or resolved / closed since.

    Every one of them counts as still waiting and is aged at the export's end (metrics.md), but
    only those on open tickets are waits someone can still answer.
    """
    k = dash.kpis.iloc[0] if len(dash.kpis) else None
    if k is None or not k["still_waiting"]:
        return None
    total, open_, since = int(k["still_waiting"]), int(k["still_waiting_open"]), int(k["still_waiting_resolved_since"])
    overdue_open = int(k["tier_overdue_open"])
    split = f"{plural(total, 'tier event')} never got a response in their tier: {open_:,} on open tickets"
    if open_:
        split += f" ({overdue_open:,} of them past SLA)"
    split += f", {since:,} on tickets resolved or closed since."
    if not since:
        headline = ("1 tier event on an open ticket still waits for a response" if open_ == 1 else
                    f"{open_:,} tier events on open tickets still wait for a response")
    elif not open_:
        headline = ("The 1 unanswered tier event is not on an open ticket" if total == 1 else
                    f"None of the {total:,} unanswered tier events is on an open ticket")
    else:
        headline = (f"1 of {total:,} unanswered tier events is on a ticket still open" if open_ == 1 else
                    f"{open_:,} of {total:,} unanswered tier events are on tickets still open")
    if since and open_:
        split += (f" Only the {open_:,} can still be answered; for the other {since:,} the ticket was "
                  f"resolved or closed without a response in that tier.")
    elif since:
        split += " None can still be answered: each ticket was resolved or closed without a response in that tier."
    return Finding(
        "unanswered_waits", headline, split,
        {"still_waiting": total, "open": open_, "resolved_since": since, "overdue_open": overdue_open,
         "overdue": int(k["tier_overdue"])})

def averages_mislead(dash: Dashboard) -> Finding | None:
    k = dash.kpis.iloc[0] if len(dash.kpis) else None
    if k is None or not k["tier_measured"] or not k["tier_median_s"]:
        return None
    ratio = k["tier_mean_s"] / k["tier_median_s"]
    if ratio < 2:
        return None
    return Finding(
        "averages_mislead", f"The average time in tier is {ratio:.0f}x the typical one",
        f"Mean time in tier is {readable(k['tier_mean_s'])} but the median is {readable(k['tier_median_s'])}: "
        f"most tier events are handled quickly and a few very long ones pull the average up "
        f"(90th percentile {readable(k['tier_p90_s'])}).",
        {"mean_s": float(k["tier_mean_s"]), "median_s": float(k["tier_median_s"]),
         "p90_s": float(k["tier_p90_s"]), "ratio": float(ratio)})


def busiest_months(dash: Dashboard) -> Finding | None:
    v = dash.volume[dash.volume["dimension"] == "month"].sort_values("tickets", ascending=False)
    if len(v) < 3:
        return None
    top = v.head(2)
    share = float(top["ticket_share"].sum())
    names = " and ".join(_month(m) for m in sorted(top["value"]))
    return Finding(
        "busiest_months", f"{names} carried {_pct(share)} of tickets",
        f"{int(top['tickets'].sum()):,} of {plural(int(v['tickets'].sum()), 'ticket')} started in {names}; "
        f"the quietest month was {_month(v.iloc[-1]['value'])} with {int(v.iloc[-1]['tickets']):,}.",
        {"months": names, "share": share, "tickets": int(top["tickets"].sum())})


def small_products(dash: Dashboard) -> Finding | None:
    p = dash.pareto
    small = p[p["small"]]
    if small.empty or len(p) < 3:
        return None
    share = float(small["share"].sum())
    names = ", ".join(small["product"].astype(str))
    return Finding(
        "small_products", f"{plural(len(small), 'small product')} make{'s' if len(small) == 1 else ''} up "
        f"{_pct(share)} of tickets",
        f"{names} together account for {plural(int(small['tickets'].sum()), 'ticket')}; the top "
        f"{min(3, len(p))} products carry {_pct(float(p.head(3)['share'].sum()))}.",
        {"products": len(small), "share": share, "tickets": int(small["tickets"].sum())})


def escalation_reach(dash: Dashboard) -> Finding | None:
    f = dash.funnel
    if len(f) < 2 or not f["tiered_tickets"].iloc[0]:
        return None
    parts = [f"{_pct(r.reach)} reached {_label(r.tier)}" for r in f.iloc[1:].itertuples()]
    return Finding(
        "escalation_reach", f"{_pct(float(f['containment'].iloc[0]))} of tiered tickets stayed in "
        f"{_label(f['tier'].iloc[0])}",
        f"Of {plural(int(f['tiered_tickets'].iloc[0]), 'ticket')} that entered a tier, " + ", ".join(parts) + ".",
        {"tiered_tickets": int(f["tiered_tickets"].iloc[0]),
         **{f"reach_{r.tier}": float(r.reach) for r in f.itertuples()}})


def _month(value: str) -> str:
    try:
        return pd.Timestamp(str(value) + "-01").strftime("%B %Y")
    except ValueError:
        return str(value)


RULES = (worst_tier, priority_driver, how_far_over, unanswered_waits, averages_mislead, escalation_reach,
         busiest_months, small_products)


def findings(dash: Dashboard, limit: int = 6) -> list[Finding]:
    """Up to ``limit`` findings that the data supports (a rule without enough data says nothing)."""
    out = [f for rule in RULES if (f := rule(dash)) is not None]
    return out[:limit]
