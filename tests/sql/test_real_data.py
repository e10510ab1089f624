"""The real export under the default policy reproduces the figures the original analysis published.

Published (product.md / metrics.md): ~34% of tier events breached tier SLA (1,103 of 3,247
with a time in tier), ~30% breached FRT, average FRT ~34h27m, average time in Tier 1/2/3
~30h18m / 39h51m / 43h38m, 1,815 tiered tickets of which ~76% reached Tier 2 and ~42% Tier 3,
small products ~1.2% of tickets.

Why ours differ slightly: about a third of the export's timestamps lost their seconds, so an
IN_PROGRESS written in the same minute as its tier event now ties with it. metrics.md says a
tie is not a response, so we take the next IN_PROGRESS instead: 9 tier events the original
measured in seconds (it had full precision) are still waiting for us, and ~20 others are
matched to a later response, hours away. That adds ~12 min to the average FRT and ~20 min to
Tier 1's average; the rest is seconds lost per row (99.7% of the rows agree within 2 min).
Reach: the file itself (with or without its duplicate rows) has 1,406 of 1,815 tiered tickets
in Tier 2 (77.5%) and 773 in Tier 3 (42.6%) by metrics.md's definition (any event in the
tier); no variant we tried (waiting events only, measured events only) gives 76.0%, so the
published "about 76%" looks rounded from another cut; we assert within 2 points.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from core import metrics
from core.durations import readable

from .seed_adapter import seed_events

pytestmark = pytest.mark.slow


def hms(h: int, m: int, s: int = 0) -> float:
    return h * 3600 + m * 60 + s


@pytest.fixture(scope="module")
def seed(seed_path: Path) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    return seed_events(seed_path)


@pytest.fixture(scope="module")
def dash(seed) -> metrics.Dashboard:
    return metrics.compute_dashboard(seed[0])


def test_headline_figures_match_the_published_ones(seed, dash: metrics.Dashboard) -> None:
    k = dash.kpis.to_dict("records")[0]
    f = dash.funnel.set_index("tier")
    print(
        f"\ntier events with time in tier {k['tier_measured']} (published 3,247), breached "
        f"{k['tier_breached']} (1,103), rate {k['tier_breach_rate']:.1%} (~34%)"
        f"\nFRT breach rate {k['frt_breach_rate']:.1%} (~30%), mean FRT {readable(k['frt_mean_s'])} (34h 27m)"
        f"\ntime in tier 1/2/3 {' / '.join(readable(f.loc[t, 'tier_mean_s']) for t in ('TIER_1', 'TIER_2', 'TIER_3'))}"
        f" (30h 18m / 39h 51m / 43h 38m)"
        f"\ntiered tickets {k['tiered_tickets']} (1,815), reach T2 {f.loc['TIER_2', 'reach']:.1%} (~76%),"
        f" T3 {f.loc['TIER_3', 'reach']:.1%} (~42%), small products {k['small_products_share']:.2%} (~1.2%)"
        f"\nmean resolution {readable(k['resolution_mean_s'])}, mean closing {readable(k['closing_mean_s'])};"
        f" still waiting {k['still_waiting']}; negative resolution {k['negative_resolution']},"
        f" closing {k['negative_closing']}; duplicates removed {seed[2]}"
    )
    assert k["tickets"] == 2227 and k["tiered_tickets"] == 1815
    assert k["tier_measured"] == pytest.approx(3247, abs=15)
    assert k["tier_breached"] == pytest.approx(1103, abs=15)
    assert k["tier_breach_rate"] == pytest.approx(0.34, abs=0.01)
    assert k["frt_breach_rate"] == pytest.approx(0.30, abs=0.01)
    assert k["frt_mean_s"] == pytest.approx(hms(34, 27, 16), rel=0.01)
    assert f.loc["TIER_1", "tier_mean_s"] == pytest.approx(hms(30, 18), rel=0.015)
    assert f.loc["TIER_2", "tier_mean_s"] == pytest.approx(hms(39, 51), rel=0.01)
    assert f.loc["TIER_3", "tier_mean_s"] == pytest.approx(hms(43, 38), rel=0.01)
    assert f.loc["TIER_2", "reach"] == pytest.approx(0.76, abs=0.02)
    assert f.loc["TIER_3", "reach"] == pytest.approx(0.42, abs=0.01)
    assert k["small_products_share"] == pytest.approx(0.012, abs=0.001)


def test_per_row_results_agree_with_the_files_own_columns(seed, dash: metrics.Dashboard) -> None:
    """Cross-check only: the file's frt_seconds / flags are never inputs."""
    raw = seed[1][["source_row", "frt_seconds", "time_in_tier_seconds", "frt_breached", "tier_sla_breached"]]
    te = dash.tier_events.merge(raw, on="source_row", suffixes=("", "_file"))
    # every row the file measured is a tier event here (the same definition)
    assert raw["frt_seconds"].notna().sum() == te["frt_seconds"].notna().sum()
    both = te.dropna(subset=["tier_s", "time_in_tier_seconds"])
    within = ((both["tier_s"] - both["time_in_tier_seconds"]).abs() <= 120).mean()
    flags = (both["tier_breached"].astype(bool) == both["tier_sla_breached"].astype(bool)).mean()
    f_both = te.dropna(subset=["frt_s", "frt_seconds"])
    f_flags = (f_both["frt_breached"].astype(bool) == f_both["frt_breached_file"].astype(bool)).mean()
    print(f"\ntime in tier within 2 min of the file's: {within:.1%} of {len(both)}; tier flag agrees "
          f"{flags:.1%}; FRT flag agrees {f_flags:.1%} of {len(f_both)}")
    assert within > 0.99 and flags > 0.99 and f_flags > 0.99


def test_summary_of_the_seed_is_json_ready(seed) -> None:
    s = metrics.summary(seed[0], quality={"duplicates_removed": seed[2]})
    assert s["duplicates_removed"] == seed[2] and s["tiered_tickets"] == 1815
    assert s["reach"]["TIER_1"] == 1.0 and s["quality"]["negative_resolution"] == 6


def test_the_clocked_path_reproduces_calendar_time_on_the_seed(seed) -> None:
    """The business-hours machinery with an always-open calendar must change nothing."""
    fast = metrics.run_query("tier_events", seed[0])
    slow = metrics.run_query("tier_events", seed[0], {"clocked": True})
    pd.testing.assert_frame_equal(fast, slow)


def test_an_open_logged_after_the_resolution_is_not_a_reopening(dash: metrics.Dashboard) -> None:
    """8 tickets of the export were resolved or closed hours before their first OPEN was logged: data
    errors listed in the quality report, not reopenings (the simpler rule counted 123 reopened tickets)."""
    k = dash.kpis.to_dict("records")[0]
    assert dash.quality_counts["done_before_open"] == 8
    assert k["reopened_tickets"] == 115
    listed = set(dash.quality.loc[dash.quality["kind"] == "done_before_open", "ticket_id"])
    assert not listed & set(dash.tickets.loc[dash.tickets["reopened"], "ticket_id"])
