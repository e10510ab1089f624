"""The SLA policy: allowances per priority (and tier, metric), the clock, and paused statuses."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from core import contract

METRICS = ("frt", "tier")
CLOCKS = ("calendar", "business")
MINUTE, HOUR, DAY = 60, 3600, 86400


@dataclass(frozen=True)
class BusinessHours:
    """Working days (0 = Monday) and hours in an IANA time zone, minus public and custom holidays."""

    days: tuple[int, ...] = (0, 1, 2, 3, 4)
    start: str = "09:00"
    end: str = "17:00"
    timezone: str = "Africa/Nairobi"
    holiday_country: str | None = None
    holiday_subdivision: str | None = None
    custom_holidays: tuple[date, ...] = ()

    def __post_init__(self) -> None:
        if not self.days or any(d not in range(7) for d in self.days):
            raise ValueError("business_hours.days must list weekdays 0 (Monday) .. 6 (Sunday)")
        if _clock_time(self.start, "business_hours.start") >= _clock_time(self.end, "business_hours.end"):
            raise ValueError("business_hours.end must be later than business_hours.start")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"business_hours.timezone: unknown time zone {self.timezone!r}") from None


@dataclass(frozen=True)
class Override:
    """A different allowance for one priority, optionally only in one tier and/or for one metric."""

    priority: str
    seconds: float
    tier: str | None = None
    metric: str | None = None

    def __post_init__(self) -> None:
        if self.metric is not None and self.metric not in METRICS:
            raise ValueError(f"overrides.metric must be one of {METRICS}, got {self.metric!r}")
        if self.seconds < 0:
            raise ValueError("overrides.allowance must not be negative")


@dataclass(frozen=True)
class Policy:
    """Allowances in seconds per priority; the most specific override wins (tier+metric > tier > metric)."""

    allowances: tuple[tuple[str, float], ...]
    overrides: tuple[Override, ...] = ()
    clock: str = "calendar"
    business_hours: BusinessHours = field(default_factory=BusinessHours)
    pause_statuses: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.clock not in CLOCKS:
            raise ValueError(f"clock must be one of {CLOCKS}, got {self.clock!r}")
        for priority, seconds in self.allowances:
            if seconds < 0:
                raise ValueError(f"allowances.{priority} must not be negative")
        unknown = [s for s in self.pause_statuses if s not in contract.STATUSES]
        if unknown:
            raise ValueError(f"pause_statuses: unknown status {unknown[0]!r}")

    @classmethod
    def default(cls) -> Policy:
        """The original analysis's policy: HIGH 30 min, MEDIUM 1 day, LOW 1 week, calendar time."""
        return cls(allowances=(("HIGH", 30 * MINUTE), ("MEDIUM", DAY), ("LOW", 7 * DAY)))

    def allowance(self, priority: str, tier: str | None, metric: str) -> float | None:
        """The allowance in seconds for one tier event, or None when the priority has none.

        >>> p = Policy.default()
        >>> p.allowance("HIGH", "TIER_1", "frt")
        1800
        >>> p.allowance("CRITICAL", "TIER_1", "frt") is None
        True
        """
        best, best_rank = dict(self.allowances).get(priority), -1
        for o in self.overrides:
            if o.priority != priority or (o.tier not in (None, tier)) or (o.metric not in (None, metric)):
                continue
            rank = 2 * (o.tier is not None) + (o.metric is not None)
            if rank > best_rank:
                best, best_rank = o.seconds, rank
        return best

    def priorities(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([p for p, _ in self.allowances] + [o.priority for o in self.overrides]))

    def with_allowance(self, priority: str, seconds: float) -> Policy:
        """A copy with one priority's base allowance set."""
        rest = tuple((p, s) for p, s in self.allowances if p != priority)
        return replace(self, allowances=rest + ((priority, seconds),))


def allowance_table(policy: Policy) -> pd.DataFrame:
    """One row per (priority, tier, metric) the policy covers, for the SQL to join on.

    Columns: priority (str), tier (str, every contract tier), metric ('frt' | 'tier'),
    allowance_s (float64, seconds).

    >>> allowance_table(Policy.default()).query("priority == 'HIGH' and tier == 'TIER_2'")["allowance_s"].tolist()
    [1800.0, 1800.0]
    """
    rows = [
        (p, t, m, float(policy.allowance(p, t, m)))
        for p in policy.priorities() for t in contract.TIERS for m in METRICS
        if policy.allowance(p, t, m) is not None
    ]
    frame = pd.DataFrame(rows, columns=["priority", "tier", "metric", "allowance_s"])
    return frame.astype({"priority": "str", "tier": "str", "metric": "str", "allowance_s": "float64"})


def unnamed_priorities(policy: Policy, seen: Iterable[str | None]) -> tuple[str, ...]:
    """Priorities present in the data that the policy gives no allowance (sorted).

    >>> unnamed_priorities(Policy.default(), ["HIGH", "CRITICAL", None])
    ('CRITICAL',)
    """
    named = set(policy.priorities())
    return tuple(sorted({p for p in seen if isinstance(p, str) and p not in named}))


# --- business calendar -------------------------------------------------------------------

def working_intervals(hours: BusinessHours, first: date, last: date, data_tz: str = "UTC") -> pd.DataFrame:
    """One row per working day between ``first`` and ``last`` (local dates, inclusive).

    Columns: start_at, end_at (datetime64[us], naive in ``data_tz``): that day's working
    hours, built as local wall-clock times in the calendar's zone and converted, so a
    DST change moves the instants, not the working hours.
    """
    days = pd.date_range(first, last, freq="D")
    days = days[days.day_of_week.isin(hours.days)]
    off = _holidays(hours, first.year, last.year)
    days = days[~days.normalize().isin(pd.DatetimeIndex(sorted(off)))] if off else days
    start = _to_data_zone(days + _offset(hours.start), hours.timezone, data_tz)
    end = _to_data_zone(days + _offset(hours.end), hours.timezone, data_tz)
    return pd.DataFrame({"start_at": start, "end_at": end}).astype(contract.TS)


MAX_PIECES = 3  # a working interval is shorter than 25 h, so one day meets at most 3 pieces


def clock_days(intervals: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    """The clock as one row per day of the data's zone, for an equality join on the day.

    ``intervals`` (start_at, end_at) are cut at midnight into pieces. Columns: day
    (datetime64[us], midnight), before_us (int64: working microseconds in the table before
    that day), s1, e1, s2, e2, s3, e3 (the day's pieces in order, null when fewer). Working
    time before an instant t is before_us + the overlap of [day, t] with each piece, so a
    duration is a difference of two lookups.

    >>> w = pd.DataFrame({"start_at": [pd.Timestamp("2025-03-03 22:00")], "end_at": [pd.Timestamp("2025-03-04 02:00")]})
    >>> d = clock_days(w, date(2025, 3, 3), date(2025, 3, 5))
    >>> d["before_us"].tolist(), d["s1"].notna().tolist()
    ([0, 7200000000, 14400000000], [True, True, False])
    """
    days = pd.date_range(first, last, freq="D").astype(contract.TS)
    pieces = _pieces(intervals)
    pieces = pieces[pieces["day"].isin(days)]
    slot = pieces.groupby("day").cumcount()
    if len(slot) and slot.max() >= MAX_PIECES:
        raise ValueError(f"business_hours: more than {MAX_PIECES} working periods fall on one day")
    wide = pd.DataFrame({"day": days})
    for i in range(MAX_PIECES):
        part = pieces[slot == i].rename(columns={"start": f"s{i + 1}", "end": f"e{i + 1}"})
        wide = wide.merge(part, on="day", how="left")
    per_day = pieces.assign(us=(pieces["end"] - pieces["start"]) // pd.Timedelta(microseconds=1))
    total = per_day.groupby("day")["us"].sum().reindex(days, fill_value=0)
    wide.insert(1, "before_us", (total.cumsum() - total).to_numpy(dtype="int64"))
    return wide


def full_days(first: date, last: date) -> pd.DataFrame:
    """The calendar clock in the same shape: every day is one piece from midnight to midnight."""
    days = pd.date_range(first, last + pd.Timedelta(days=1), freq="D")
    return clock_days(pd.DataFrame({"start_at": days[:-1], "end_at": days[1:]}), first, last)


def _pieces(intervals: pd.DataFrame) -> pd.DataFrame:
    start = intervals["start_at"].astype(contract.TS)
    end = intervals["end_at"].astype(contract.TS)
    parts = []
    for k in range(MAX_PIECES):
        day = start.dt.floor("D") + pd.Timedelta(days=k)
        lo, hi = start.where(start > day, day), end.where(end < day + pd.Timedelta(days=1), day + pd.Timedelta(days=1))
        keep = hi > lo
        parts.append(pd.DataFrame({"day": day[keep], "start": lo[keep], "end": hi[keep]}))
    out = pd.concat(parts, ignore_index=True).sort_values("start", kind="stable").reset_index(drop=True)
    return out.astype({"day": contract.TS, "start": contract.TS, "end": contract.TS})


def _holidays(hours: BusinessHours, first_year: int, last_year: int) -> set[date]:
    off = set(hours.custom_holidays)
    if hours.holiday_country:
        import holidays  # imported lazily: only the business clock needs it

        try:
            cal = holidays.country_holidays(
                hours.holiday_country, subdiv=hours.holiday_subdivision,
                years=range(first_year, last_year + 1),
            )
        except NotImplementedError:
            raise ValueError(
                f"business_hours.holiday_country/holiday_subdivision: no holiday calendar for "
                f"{hours.holiday_country!r}/{hours.holiday_subdivision!r}"
            ) from None
        off |= set(cal.keys())
    return off


def _to_data_zone(local: pd.DatetimeIndex, zone: str, data_tz: str) -> pd.DatetimeIndex:
    # A working hour that falls in a DST gap moves forward; an ambiguous one takes the first.
    aware = local.tz_localize(zone, ambiguous=True, nonexistent="shift_forward")
    return aware.tz_convert(data_tz).tz_localize(None)


def _offset(hhmm: str) -> pd.Timedelta:
    t = _clock_time(hhmm, "business_hours")
    return pd.Timedelta(hours=t.hour, minutes=t.minute)


def _clock_time(text: str, key: str) -> time:
    try:
        return datetime.strptime(text, "%H:%M").time()
    except (TypeError, ValueError):
        raise ValueError(f"{key}: expected a time like '09:00', got {text!r}") from None


# --- TOML ---------------------------------------------------------------------------------

_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)w)?\s*(?:(\d+(?:\.\d+)?)d)?\s*(?:(\d+(?:\.\d+)?)h)?"
                       r"\s*(?:(\d+(?:\.\d+)?)m)?\s*(?:(\d+(?:\.\d+)?)s)?\s*$")
_UNITS = (7 * DAY, DAY, HOUR, MINUTE, 1)


def parse_duration(value: Any, key: str) -> float:
    """Seconds from a number of seconds or a text like '30m', '1d', '2h 30m', '1w'.

    >>> parse_duration("1d 2h", "x"), parse_duration(90, "x")
    (93600.0, 90.0)
    """
    if isinstance(value, bool):
        raise ValueError(f"{key}: expected a duration like '30m' or a number of seconds")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"{key}: a duration must not be negative")
        return float(value)
    m = _DURATION.match(value) if isinstance(value, str) else None
    if not m or not any(m.groups()):
        raise ValueError(f"{key}: expected a duration like '30m', '1d' or '2h 30m', got {value!r}")
    return float(sum(float(g) * u for g, u in zip(m.groups(), _UNITS) if g))


def compact_duration(seconds: float) -> str:
    """The shortest text ``parse_duration`` reads back exactly.

    >>> compact_duration(1800), compact_duration(604800), compact_duration(93600)
    ('30m', '7d', '1d 2h')
    """
    if seconds != int(seconds):
        return f"{seconds}s"
    rest, parts = int(seconds), []
    for unit, name in ((DAY, "d"), (HOUR, "h"), (MINUTE, "m"), (1, "s")):
        if rest >= unit:
            parts.append(f"{rest // unit}{name}")
            rest %= unit
    return " ".join(parts) or "0s"


def policy_to_toml(policy: Policy) -> str:
    """The policy as a TOML document ``policy_from_toml`` reads back to an equal Policy."""
    lines = [f'clock = "{policy.clock}"', f"pause_statuses = {_toml_list(policy.pause_statuses)}", "",
             "[allowances]"]
    lines += [f'{p} = "{compact_duration(s)}"' for p, s in policy.allowances]
    bh = policy.business_hours
    lines += ["", "[business_hours]", f"days = [{', '.join(str(d) for d in bh.days)}]",
              f'start = "{bh.start}"', f'end = "{bh.end}"', f'timezone = "{bh.timezone}"']
    if bh.holiday_country:
        lines.append(f'holiday_country = "{bh.holiday_country}"')
    if bh.holiday_subdivision:
        lines.append(f'holiday_subdivision = "{bh.holiday_subdivision}"')
    lines.append(f"custom_holidays = [{', '.join(d.isoformat() for d in bh.custom_holidays)}]")
    for o in policy.overrides:
        lines += ["", "[[overrides]]", f'priority = "{o.priority}"']
        lines += [f'tier = "{o.tier}"'] if o.tier else []
        lines += [f'metric = "{o.metric}"'] if o.metric else []
        lines.append(f'allowance = "{compact_duration(o.seconds)}"')
    return "\n".join(lines) + "\n"


def policy_from_toml(text: str) -> Policy:
    """Read a policy written by ``policy_to_toml`` or by hand; ValueError names the bad key."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ValueError(f"the policy file is not valid TOML: {e}") from None
    _only(doc, {"clock", "pause_statuses", "allowances", "business_hours", "overrides"}, "")
    allowances = doc.get("allowances")
    if not isinstance(allowances, dict) or not allowances:
        raise ValueError("allowances: the policy needs an [allowances] table with at least one priority")
    return Policy(
        allowances=tuple((str(p), parse_duration(v, f"allowances.{p}")) for p, v in allowances.items()),
        overrides=tuple(_override(o, i) for i, o in enumerate(_list(doc, "overrides"))),
        clock=_str(doc, "clock", "calendar"),
        business_hours=_business_hours(doc.get("business_hours", {})),
        pause_statuses=tuple(_str_items(doc, "pause_statuses")),
    )


def _business_hours(table: Any) -> BusinessHours:
    if not isinstance(table, dict):
        raise ValueError("business_hours: expected a table")
    keys = {"days", "start", "end", "timezone", "holiday_country", "holiday_subdivision", "custom_holidays"}
    _only(table, keys, "business_hours.")
    days = table.get("days", [0, 1, 2, 3, 4])
    if not isinstance(days, list) or not all(isinstance(d, int) and not isinstance(d, bool) for d in days):
        raise ValueError("business_hours.days: expected a list of weekday numbers 0 (Monday) .. 6")
    custom = table.get("custom_holidays", [])
    if not isinstance(custom, list) or not all(isinstance(d, date) and not isinstance(d, datetime) for d in custom):
        raise ValueError("business_hours.custom_holidays: expected a list of dates like 2025-12-24")
    default = BusinessHours()
    return BusinessHours(
        days=tuple(days), start=_str(table, "start", default.start, "business_hours."),
        end=_str(table, "end", default.end, "business_hours."),
        timezone=_str(table, "timezone", default.timezone, "business_hours."),
        holiday_country=_str(table, "holiday_country", None, "business_hours."),
        holiday_subdivision=_str(table, "holiday_subdivision", None, "business_hours."),
        custom_holidays=tuple(custom),
    )


def _override(table: Any, i: int) -> Override:
    where = f"overrides[{i}]."
    if not isinstance(table, dict):
        raise ValueError(f"overrides[{i}]: expected a table")
    _only(table, {"priority", "tier", "metric", "allowance"}, where)
    if "priority" not in table or "allowance" not in table:
        raise ValueError(f"{where}priority / {where}allowance: both are required")
    return Override(
        priority=_str(table, "priority", None, where),
        seconds=parse_duration(table["allowance"], f"{where}allowance"),
        tier=_str(table, "tier", None, where), metric=_str(table, "metric", None, where),
    )


def _only(table: dict, allowed: set[str], prefix: str) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise ValueError(f"{prefix}{extra[0]}: unknown key (expected one of {', '.join(sorted(allowed))})")


def _str(table: dict, key: str, default: Any, prefix: str = "") -> Any:
    value = table.get(key, default)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{prefix}{key}: expected text, got {type(value).__name__}")
    return value


def _list(table: dict, key: str) -> list:
    value = table.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"{key}: expected a list")
    return value


def _str_items(table: dict, key: str) -> list[str]:
    items = _list(table, key)
    if not all(isinstance(v, str) for v in items):
        raise ValueError(f"{key}: expected a list of texts")
    return items


def _toml_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(f'"{s}"' for s in items) + "]"


__all__ = [
    "BusinessHours", "Override", "Policy", "allowance_table", "unnamed_priorities",
    "working_intervals", "clock_days", "full_days", "policy_to_toml", "policy_from_toml",
    "parse_duration", "compact_duration",
]
