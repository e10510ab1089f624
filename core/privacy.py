"""From a prepared upload to its anonymized form: the plan, the clean frame, tokenized events and the leak check."""
from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import pandas as pd

from core import anonymize
from core.anonymize import Anonymized, Key, LeakReport, Plan
from core.pipeline import Prepared

# The events table's personal columns and the token label used when the mapping names none.
EVENT_LABEL_DEFAULTS = {"client": "Client", "agent": "Agent"}


@dataclass(frozen=True)
class Cleaned:
    """An anonymized dataset: the plan used, the tokenized events, and (when ready) the
    anonymized wide table with what the leak check found.

    ``events`` is ready on return; ``anonymized`` and ``leaks`` wait for the wide table
    when ``clean(background=True)`` is still working on it in its thread (and raise what it
    raised, if anything).
    """

    plan: Plan
    events: pd.DataFrame
    plan_id: str  # changes whenever the plan or key changes: part of cache keys
    _rest: Future = field(repr=False, compare=False)  # -> (Anonymized, LeakReport)

    @property
    def anonymized(self) -> Anonymized:
        return self._rest.result()[0]

    @property
    def leaks(self) -> LeakReport:
        return self._rest.result()[1]

    def __repr__(self) -> str:  # never waits, never shows a value
        return f"Cleaned(events={len(self.events)}, plan_id={self.plan_id}, ready={self._rest.done()})"


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

    ``background=True``: return as soon as the events table is tokenized, and anonymize the
    wide table and run the leak check in a thread of their own. The caller computes the
    dashboards meanwhile: the scrubbing is Python, DuckDB's queries are not, so the two share
    the cores. Errors in the plan are raised here either way.
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
        return result, anonymize.leak_check(result.clean, result.originals)

    if background:
        pool = ThreadPoolExecutor(1, thread_name_prefix="tierlens-clean")
        future = pool.submit(rest)
        pool.shutdown(wait=False)  # the thread ends with its one task
    else:
        future = Future()
        future.set_result(rest())
    return Cleaned(plan, first.events, _plan_id(plan, key), future)


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
