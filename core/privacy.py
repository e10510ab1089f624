"""From a prepared upload to its anonymized form: the plan, the clean frame, tokenized events and the leak check."""
from __future__ import annotations

import hashlib
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Callable

import pandas as pd

from core import anonymize
from core.anonymize import Anonymized, Key, LeakReport, Plan
from core.pipeline import Prepared

# The events table's personal columns and the token label used when the mapping names none.
EVENT_LABEL_DEFAULTS = {"client": "Client", "agent": "Agent"}


class _Later:
    """Work done once: in a thread of its own after ``start()``, or by whoever asks for the result first."""

    def __init__(self, work: Callable[[], tuple[Anonymized, LeakReport]]) -> None:
        self._work, self._future = work, Future()
        self._lock, self._claimed = threading.Lock(), False

    def _claim(self) -> bool:
        with self._lock:
            first, self._claimed = not self._claimed, True
            return first

    def _run(self) -> None:
        try:
            self._future.set_result(self._work())
        except BaseException as err:  # handed to whoever waits for the result
            self._future.set_exception(err)
        self._work = None  # type: ignore[assignment]  # frees what the work held (the prepared frames)

    def start(self) -> None:
        if self._claim():
            threading.Thread(target=self._run, name="tierlens-clean", daemon=True).start()

    def result(self) -> tuple[Anonymized, LeakReport]:
        if self._claim():
            self._run()
        return self._future.result()

    def done(self) -> bool:
        return self._future.done()


@dataclass(frozen=True)
class Cleaned:
    """An anonymized dataset: the plan used, the tokenized events, and (when ready) the
    anonymized wide table with what the leak check found.

    ``events`` is ready on return. With ``clean(background=True)`` the wide table is left for
    later: ``start()`` begins it in a thread of its own, and ``anonymized`` and ``leaks`` wait
    for it (or do it, if it was never started) and raise what it raised, if anything.
    """

    plan: Plan
    events: pd.DataFrame
    plan_id: str  # changes whenever the plan or key changes: part of cache keys
    _rest: _Later = field(repr=False, compare=False)  # -> (Anonymized, LeakReport)

    def start(self) -> None:
        """Anonymize the wide table and run the leak check in a thread of their own (once)."""
        self._rest.start()

    @property
    def ready(self) -> bool:
        """Whether the wide table and its leak check are done (or failed): reading them will not wait."""
        return self._rest.done()

    @property
    def anonymized(self) -> Anonymized:
        return self._rest.result()[0]

    @property
    def leaks(self) -> LeakReport:
        return self._rest.result()[1]

    def __repr__(self) -> str:  # never waits, never shows a value
        return f"Cleaned(events={len(self.events)}, plan_id={self.plan_id}, ready={self.ready})"


def default_plan(prepared: Prepared, product_map: dict[str, str] | None = None) -> Plan:
    """Tokenize personal columns, scrub free text, generalize products when a map is given."""
    m = prepared.mapping
    return anonymize.default_plan(list(prepared.typed.columns), dict(m.personal), tuple(m.free_text),
                                  m.roles.get("product"), product_map)


def merged_plan(base: Plan, given: Plan, prepared: Prepared) -> Plan:
    """``base`` with the columns a (possibly partial) plan file names set as it says."""
    unknown = [c for c in given.actions if c not in prepared.typed.columns]
    if unknown:
        raise ValueError("the anonymization plan names columns the file does not have: " + ", ".join(unknown))
    out = base
    for column, action in given.actions.items():
        label = given.labels.get(column) or base.labels.get(column) or prepared.mapping.personal.get(column) or column
        value_map = given.generalize.get(column) or base.generalize.get(column)
        if action == anonymize.Action.GENERALIZE and value_map is None:
            values = prepared.typed[column].dropna().astype("str").unique()
            value_map = anonymize.strip_vendor_prefix_preset(values)
        out = out.with_action(column, action, label=label, value_map=value_map)
    return out


def carried_plan(previous: Plan, before: Prepared, after: Prepared) -> Plan:
    """The default plan for ``after`` (the same file under a corrected mapping), keeping every
    choice the user made in ``previous`` for a column that is still there.

    A choice is what differs from ``before``'s default plan (action, token label or value map);
    columns the user never touched take the new mapping's defaults, so a column the new mapping
    calls personal is tokenized unless the user had chosen otherwise for it.
    """
    old_default, plan = default_plan(before), default_plan(after)
    for column, action in previous.actions.items():
        if column not in plan.actions:
            continue
        label, value_map = previous.labels.get(column), previous.generalize.get(column)
        if (action, label, value_map) == (old_default.actions.get(column), old_default.labels.get(column),
                                          old_default.generalize.get(column)):
            continue
        plan = plan.with_action(column, action, label=label or plan.labels.get(column) or column,
                                value_map=value_map if value_map is not None else plan.generalize.get(column))
    return plan


def event_labels(prepared: Prepared) -> dict[str, str]:
    """Token label of each personal events column, taken from its source column's label."""
    m = prepared.mapping
    out = {}
    for col, default in EVENT_LABEL_DEFAULTS.items():
        source = m.roles.get(col)
        out[col] = m.personal.get(source, default) if source else default
    return out


def clean(prepared: Prepared, *, key: bytes | Key | None = None, plan: Plan | None = None,
          plan_toml: str | None = None, products_toml: str | None = None, background: bool = False) -> Cleaned:
    """Anonymize the upload and check the result for surviving personal values.

    ``background=True``: return as soon as the events table is tokenized; the wide table's
    anonymization and the leak check (the free-text scrubbing, most of the work) wait for
    ``Cleaned.start()``, which runs them in a thread of their own, or for the first read of
    ``anonymized`` / ``leaks``. The app computes the opening dashboard first, then starts them:
    on two cores, running both at once delays the dashboards by about as much as it saves.
    Errors in the plan are raised here either way.
    """
    product_map = anonymize.load_value_map_toml(products_toml) if products_toml else None
    if plan is None:
        plan = default_plan(prepared, product_map)
        if plan_toml:
            plan = merged_plan(plan, anonymize.plan_from_toml(plan_toml), prepared)
    first = anonymize.anonymize_events_first(prepared.typed, plan, key, events=prepared.events,
                                             event_labels=event_labels(prepared))

    def rest() -> tuple[Anonymized, LeakReport]:
        result = first.finish()
        leaks = anonymize.leak_check(result.clean, result.originals | _kept_personal_values(prepared, plan))
        # kept columns of no role (a status, tier, product or region column names no one)
        roles = set(prepared.mapping.roles.values())
        kept = [c for c in plan.columns_with(anonymize.Action.KEEP) if c in result.clean.columns and c not in roles]
        return result, replace(leaks, name_like=anonymize.name_like_columns(result.clean, kept))

    later = _Later(rest)
    if not background:
        later.result()
    return Cleaned(plan, first.events, _plan_id(plan, key), later)


def _kept_personal_values(prepared: Prepared, plan: Plan) -> frozenset[str]:
    """The values of columns detected as personal that the plan neither tokenizes nor drops.

    Tokenized columns give the leak check their values anyway; a personal column the user chose to
    keep (or scrub, or generalize) must still be checked for them, so that keeping one is a leak the
    user confirms, not a "passed".
    """
    out: set[str] = set()
    for column in prepared.mapping.personal:
        if column in prepared.typed.columns and plan.actions.get(column) not in (anonymize.Action.TOKENIZE, anonymize.Action.DROP):
            values = prepared.typed[column].dropna()
            if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
                out.update(str(v) for v in values.unique())
    return frozenset(out)


def _plan_id(plan: Plan, key: bytes | Key | None) -> str:
    h = hashlib.sha256(anonymize.plan_to_toml(plan).encode())
    if key is not None:
        # a digest of a digest: the id shows that the key changed, never the key
        secret = key if isinstance(key, bytes) else key.code("plan-id", "plan-id").encode()
        h.update(hashlib.sha256(b"tierlens-plan-id" + secret).digest())
    return h.hexdigest()[:12]


def leak_message(leaks: LeakReport) -> str:
    return leaks.message()


def reveal(frame, token_map):
    """Tokens back to real names, for the user's own session view only."""
    return anonymize.reveal(frame, token_map)
