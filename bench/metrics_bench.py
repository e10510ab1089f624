"""Times a full dashboard refresh (core.metrics.compute_dashboard) on a synthetic 1M-event log."""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core import contract, metrics  # noqa: E402
from core.policy import Policy  # noqa: E402

# Each ticket walks the same 8 steps; its depth (1-3 tiers) decides which steps are in a tier.
STEPS = ("OPEN", "IN_PROGRESS", "ESCALATED", "IN_PROGRESS", "ESCALATED", "IN_PROGRESS", "RESOLVED", "CLOSED")
STEP_TIER = (1, 1, 2, 2, 3, 3, 0, 0)


def synthetic_events(n_events: int = 1_000_000, seed: int = 7) -> pd.DataFrame:
    """A contract events table of about ``n_events`` rows, built without Python loops."""
    rng = np.random.default_rng(seed)
    n_tickets = n_events // len(STEPS)
    n = n_tickets * len(STEPS)
    ticket = np.repeat(np.arange(n_tickets), len(STEPS))
    step = np.tile(np.arange(len(STEPS)), n_tickets)
    depth = np.repeat(rng.choice([1, 2, 3], size=n_tickets, p=[0.25, 0.35, 0.4]), len(STEPS))
    tier_no = np.asarray(STEP_TIER)[step]
    in_tier = (tier_no > 0) & (tier_no <= depth)
    status = np.asarray(STEPS, dtype=object)[step]
    # 5% of responses never came: the waiting event before them is still waiting
    status[(status == "IN_PROGRESS") & (rng.random(n) < 0.05)] = "ON_STANDBY"
    start = np.datetime64("2025-07-01") + rng.integers(0, 150 * 86400, n_tickets).astype("timedelta64[s]")
    gaps = rng.exponential(6 * 3600, n).astype("int64").astype("timedelta64[s]")
    event_time = np.repeat(start, len(STEPS)) + _per_ticket_cumsum(gaps, n_tickets)
    work = np.where(status == "IN_PROGRESS", event_time + rng.exponential(3600, n).astype("int64").astype("timedelta64[s]"),
                    np.datetime64("NaT"))
    tier = np.where(in_tier, np.char.add("TIER_", tier_no.astype(str)), None)
    pick = lambda values, size: np.repeat(rng.choice(values, size=size), len(STEPS))  # noqa: E731
    frame = pd.DataFrame({
        "source_row": np.arange(2, n + 2, dtype="int64"),
        "ticket_id": ticket.astype(str),
        "event_time": event_time.astype("datetime64[us]"),
        "status": status,
        "status_raw": status,
        "tier": tier,
        "priority": pick(np.array(["HIGH", "MEDIUM", "LOW"]), n_tickets),
        "work_resolved_time": work.astype("datetime64[us]"),
        "product": pick(np.array([f"Product {i}" for i in range(7)]), n_tickets),
        "issue_type": pick(np.array(["TECHNICAL", "BILLING", "TRAINING", "ACCOUNT"]), n_tickets),
        "issue_category": pick(np.array(["ISSUE", "REQUEST"]), n_tickets),
        "region": pick(np.array([f"Region {i}" for i in range(12)]), n_tickets),
        "country": pick(np.array(["Country 1", "Country 2"]), n_tickets),
        "client": pick(np.array([f"Client {i}" for i in range(800)]), n_tickets),
        "agent": np.asarray([f"Agent {i}" for i in range(60)], dtype=object)[rng.integers(0, 60, n)],
    })
    return contract.conform(frame)


def _per_ticket_cumsum(gaps: np.ndarray, n_tickets: int) -> np.ndarray:
    return gaps.reshape(n_tickets, -1).cumsum(axis=1).reshape(-1)


def time_dashboard(events: pd.DataFrame, policy: Policy, repeat: int = 3) -> list[float]:
    """Wall-clock seconds of each of ``repeat`` full refreshes."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        metrics.compute_dashboard(events, policy, metrics.Filters.none())
        times.append(time.perf_counter() - t0)
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--business", action="store_true", help="also time the business-hours clock with a pause")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    events = synthetic_events(args.events)
    print(f"built {len(events):,} synthetic events in {time.perf_counter() - t0:.2f} s")
    policies = {"calendar": Policy.default()}
    if args.business:
        from dataclasses import replace

        from core.policy import BusinessHours
        policies["business+pause"] = replace(
            Policy.default(), clock="business", pause_statuses=("ON_STANDBY",),
            business_hours=BusinessHours(holiday_country="KE"),
        )
    for label, policy in policies.items():
        times = time_dashboard(events, policy, args.repeat)
        print(f"compute_dashboard [{label}]: median {statistics.median(times):.2f} s "
              f"(runs: {', '.join(f'{t:.2f}' for t in times)}; budget 1.5 s)")


if __name__ == "__main__":
    main()
