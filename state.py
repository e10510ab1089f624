"""Session-state keys and session-scoped cached wrappers around core: the app's only link to streamlit state."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from typing import Callable

import streamlit as st

from core import ingest, metrics, pipeline, privacy, sample, schema
from core import policy as policy_mod

LOADED = "tl_loaded"
POLICY = "tl_policy"
REVEAL = "tl_reveal"
UPLOAD_ERROR = "tl_upload_error"
FILTER_PREFIX = "tl_f_"
KEY = "tl_anon_key"


@dataclass(frozen=True)
class Loaded:
    """One dataset in this session: the prepared upload and its anonymized form."""

    name: str
    dataset_id: str
    data_size: int
    is_sample: bool
    prepared: pipeline.Prepared
    cleaned: privacy.Cleaned


def init() -> None:
    """Session defaults; the first visit opens on the bundled sample export."""
    st.session_state.setdefault(POLICY, policy_mod.Policy.default())
    st.session_state.setdefault(REVEAL, False)
    if LOADED not in st.session_state:
        with st.spinner("Loading the sample export…"):
            load_sample()


# The sample is our own generated data, identical for everyone: caching its bytes globally
# holds no user data (user-data-free).
@st.cache_data(show_spinner=False, max_entries=1)
def _sample_bytes() -> bytes:
    return sample.sample_csv_bytes()


def load_sample() -> None:
    data = _sample_bytes()
    _store(data, sample.SAMPLE_FILENAME, pipeline.prepare(data, sample.SAMPLE_FILENAME), is_sample=True)


def load_upload(data: bytes, name: str, *, mapping: schema.Mapping | None = None,
                sheet: str | None = None, progress: Callable[[str, float], None] | None = None) -> None:
    """Prepare an upload and make it current; raise ingest.InputError and keep the old data when unusable."""
    prepared = pipeline.prepare(data, name, mapping=mapping, sheet=sheet,
                                progress=progress or pipeline._noop)
    _store(data, name, prepared, is_sample=False)


def remap(mapping: schema.Mapping) -> None:
    """Re-run the chain on the current file with a user-corrected mapping."""
    cur = loaded()
    data = cur.prepared.raw  # the raw table is kept; the bytes are not
    prepared = pipeline.prepare_from_raw(data, mapping)
    _store_prepared(cur.name, cur.data_size, prepared, is_sample=cur.is_sample,
                    dataset_id=_digest(cur.dataset_id.encode(), schema.mapping_to_toml(mapping).encode()))


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.hexdigest()[:16]


def _store(data: bytes, name: str, prepared: pipeline.Prepared, *, is_sample: bool) -> None:
    _store_prepared(name, len(data), prepared, is_sample=is_sample, dataset_id=_digest(data))


def _store_prepared(name, size, prepared, *, is_sample, dataset_id) -> None:
    cleaned = privacy.clean(prepared, key=st.session_state.get(KEY))
    st.session_state[LOADED] = Loaded(name, dataset_id, size, is_sample, prepared, cleaned)
    clear_filters()


def loaded() -> Loaded:
    return st.session_state[LOADED]


def set_plan(plan) -> None:
    cur = loaded()
    cleaned = privacy.clean(cur.prepared, key=st.session_state.get(KEY), plan=plan)
    st.session_state[LOADED] = replace(cur, cleaned=cleaned)


def set_key(key: bytes | None) -> None:
    st.session_state[KEY] = key
    set_plan(loaded().cleaned.plan)


# ---- policy and filters -------------------------------------------------------------

def policy() -> policy_mod.Policy:
    return st.session_state[POLICY]


def set_policy(p: policy_mod.Policy) -> None:
    st.session_state[POLICY] = p


def filter_key(dimension: str) -> str:
    return f"{FILTER_PREFIX}{loaded().dataset_id}_{dimension}"


def clear_filters() -> None:
    for k in [k for k in st.session_state if str(k).startswith(FILTER_PREFIX)]:
        del st.session_state[k]


def filters() -> metrics.Filters:
    """The sidebar's filters as core understands them."""
    values = {}
    for dim in metrics.FILTER_DIMENSIONS:
        chosen = st.session_state.get(filter_key(dim)) or ()
        values[dim] = tuple(chosen)
    dr = st.session_state.get(filter_key("date")) or ()
    start, end = (tuple(dr) + (None, None))[:2] if dr else (None, None)
    return metrics.Filters.from_dates(start, end, **values)


# ---- cached computations (session scoped, keyed by data id + parameters) ------------------

@st.cache_data(scope="session", max_entries=24, show_spinner=False)
def _dashboard(dataset_id: str, policy_toml: str, filters_key: str, _events, _policy, _filters):
    return metrics.compute_dashboard(_events, _policy, _filters)


def dashboard(pol: policy_mod.Policy | None = None, flt: metrics.Filters | None = None) -> metrics.Dashboard:
    """The dashboard tables for the current data, policy and filters (cached per session)."""
    cur = loaded()
    pol = pol or policy()
    flt = flt if flt is not None else filters()
    return _dashboard(cur.dataset_id + cur.cleaned.plan_id, policy_mod.policy_to_toml(pol), repr(flt),
                      cur.cleaned.anonymized.events, pol, flt)


@st.cache_data(scope="session", max_entries=4, show_spinner=False)
def _options(dataset_id: str, _events) -> dict[str, list[str]]:
    return metrics.filter_options(_events)


def options() -> dict[str, list[str]]:
    cur = loaded()
    return _options(cur.dataset_id + cur.cleaned.plan_id, cur.cleaned.anonymized.events)


def reveal_on() -> bool:
    return bool(st.session_state.get(REVEAL))


def shown(frame):
    """A table as the user chose to see it: tokens by default, real names only on request."""
    if not reveal_on():
        return frame
    return privacy.reveal(frame, loaded().cleaned.anonymized.token_map)


InputError = ingest.InputError


def filters_summary() -> str:
    """A short human description of the active filters ('' when none)."""
    return loaded_filters_summary(filters())


def loaded_filters_summary(flt: metrics.Filters) -> str:
    return metrics.describe_filters(flt)
