"""Session-state keys and session-scoped cached wrappers around core: the app's only link to streamlit state."""
from __future__ import annotations

import hashlib
import logging
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

import streamlit as st

from core import ingest, metrics, pipeline, privacy, sample, schema, views
from core import policy as policy_mod

_log = logging.getLogger("tierlens")

LOADED = "tl_loaded"
POLICY = "tl_policy"
REVEAL = "tl_reveal"
UPLOAD_ERROR = "tl_upload_error"
FILTER_PREFIX = "tl_f_"
KEY = "tl_anon_key"
GOTO = "tl_goto"
PENDING = "tl_pending"
SHEET_ERROR = "tl_sheet_error"


@dataclass(frozen=True)
class Loaded:
    """One dataset in this session: the prepared upload and its anonymized form."""

    name: str
    dataset_id: str
    data_size: int
    is_sample: bool
    prepared: pipeline.Prepared
    cleaned: privacy.Cleaned
    tickets: int  # distinct tickets, counted once rather than on every rerun
    # The uploaded bytes, held only for a workbook with several sheets: the uploader forgets its
    # file on a page change, and reading another sheet needs them. Part of the dataset, so a new
    # upload, the sample or any other dataset drops them; never printed (personal data).
    workbook: bytes | None = field(default=None, repr=False, compare=False)


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
    """Prepare an upload and make it current; raise ingest.InputError and keep the old data when unusable.

    An unexpected failure further down the chain is logged here (with its traceback, server
    side only) and reported to the user as an InputError that names no cell value.
    """
    report = progress or pipeline.no_progress
    try:
        with _analysing("upload failed after reading"):
            # reading to the events table is about 60% of a load; anonymizing and the dashboards the
            # rest (so the pipeline's own "Done" is not shown: the load is not done there)
            prepared = pipeline.prepare(data, name, mapping=mapping, sheet=sheet,
                                        progress=lambda stage, fraction: fraction < 1 and report(stage, 0.6 * fraction))
            _store(data, name, prepared, is_sample=False, progress=report)
    except pipeline.MissingRoles as err:
        # the file was read: keep it (as read) so the user can name the columns on the Prepare page
        st.session_state[PENDING] = Pending(
            name, len(data), _new_dataset_id(), err.raw, err.mapping, err.missing,
            workbook=data if len(err.raw.sheets) > 1 else None)
        raise _missing_columns(err, "Pick the column below to use this file.") from None


@contextmanager
def _analysing(what_failed: str) -> Iterator[None]:
    """Unusable input stays an InputError; anything else is logged here (with its traceback,
    server side only) and becomes an InputError that names no cell value: the app stays up."""
    try:
        yield
    except ingest.InputError:
        raise
    except MemoryError:
        raise ingest.InputError("the file is too large to analyse on this server; upload a shorter period.") from None
    except Exception as err:
        _log.exception(what_failed)
        raise ingest.InputError(f"TierLens hit an internal problem while analysing it ({type(err).__name__}). "
                                "The previous data is still loaded; please report the file's shape to us.") from None


def _missing_columns(err: pipeline.MissingRoles, then: str) -> ingest.InputError:
    return ingest.InputError(f"No column was recognised as the {' and '.join(err.missing).replace('_', ' ')}. {then}")


@dataclass(frozen=True)
class Pending:
    """An upload that was read but lacks a column the analysis needs, waiting for the user to name it."""

    name: str
    size: int
    dataset_id: str
    raw: ingest.RawTable = field(repr=False)
    mapping: schema.Mapping = field(repr=False)
    missing: tuple[str, ...]
    workbook: bytes | None = field(default=None, repr=False)


def pending() -> Pending | None:
    """The upload waiting for its missing columns, if any."""
    return st.session_state.get(PENDING)


def drop_pending() -> None:
    st.session_state.pop(PENDING, None)


def load_pending(columns: dict[str, str]) -> None:
    """Go on with the pending upload, ``columns`` naming a column for each missing role; make it
    current. Raise InputError (the upload stays pending, the current data stays) when unusable."""
    p = pending()
    if p is None:
        raise InputError("there is no upload waiting for its columns; upload the file again.")
    try:
        with _analysing("pending upload failed"):
            mapping = schema.with_overrides(p.mapping, frame=p.raw.frame, **columns)
            prepared = pipeline.prepare_from_raw(p.raw, mapping)
            dataset_id = _digest(p.dataset_id.encode(), schema.mapping_to_toml(mapping).encode())
            _store_prepared(p.name, p.size, prepared, is_sample=False, dataset_id=dataset_id, workbook=p.workbook)
    except pipeline.MissingRoles as err:
        raise _missing_columns(err, "Pick the column below.") from None


def remap(mapping: schema.Mapping) -> None:
    """Re-run the chain on the current file with a user-corrected mapping."""
    cur = loaded()
    # the raw table is kept in the session, so the file is not read again
    prepared = pipeline.prepare_from_raw(cur.prepared.raw, mapping)
    plan = privacy.carried_plan(cur.cleaned.plan, cur.prepared, prepared)  # the user's plan edits survive
    _store_prepared(cur.name, cur.data_size, prepared, is_sample=cur.is_sample,
                    dataset_id=_digest(cur.dataset_id.encode(), schema.mapping_to_toml(mapping).encode()), plan=plan,
                    workbook=cur.workbook)  # the same file: its other sheets stay readable


def switch_sheet(sheet: str) -> None:
    """Read another sheet of the current workbook from its kept bytes and make it current;
    raise InputError and keep the current data (and the bytes) when it cannot be used.

    A sheet that failed is not read again for the same dataset: the page reruns on every
    widget change while the sheet picker still shows it, and a workbook can be 600 MB.
    """
    cur = loaded()
    failed = st.session_state.get(SHEET_ERROR)
    if failed is not None and failed[:2] == (cur.dataset_id, sheet):
        raise InputError(failed[2])
    if cur.workbook is None:
        raise InputError("this workbook is not held in the session; upload it again to read another sheet.")
    try:
        load_upload(cur.workbook, cur.name, sheet=sheet)
    except InputError as err:
        st.session_state[SHEET_ERROR] = (cur.dataset_id, sheet, str(err))
        raise


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
    return h.hexdigest()[:16]


def _store(data: bytes, name: str, prepared: pipeline.Prepared, *, is_sample: bool,
           progress: Callable[[str, float], None] = pipeline.no_progress) -> None:
    _store_prepared(name, len(data), prepared, is_sample=is_sample, dataset_id=_new_dataset_id(),
                    progress=progress, workbook=data if len(prepared.raw.sheets) > 1 else None)


def _new_dataset_id() -> str:
    """A new id for each load (cache and widget keys), so each sheet of one workbook is a dataset of its own.

    Not a hash of the upload: hashing 340 MB took 0.4 s of every large upload, and nothing needs two
    uploads of one file to share an id (each load starts with fresh filters and computes its dashboards).
    """
    return uuid.uuid4().hex[:16]


def _store_prepared(name, size, prepared, *, is_sample, dataset_id, plan=None,
                    progress: Callable[[str, float], None] = pipeline.no_progress,
                    workbook: bytes | None = None) -> None:
    # The opening dashboard (current policy, no filter) is computed into the session cache
    # first; the anonymized download table and its leak check then run in a thread of their
    # own while the user reads the dashboards (the Download page waits for them and reports a
    # failure there). On two cores, running both at once delayed the dashboards by ~0.5 s at 1M.
    progress("Anonymizing names and computing the dashboards", 0.65)
    cleaned = privacy.clean(prepared, key=st.session_state.get(KEY), plan=plan, background=True)
    tickets = int(prepared.events["ticket_id"].nunique())
    _drop_dashboards()  # before the new one is computed: the old data's tables are not held beside it
    try:
        _prefetch_dashboard(dataset_id + cleaned.plan_id, prepared.mapping.timezone, cleaned.events)
    except Exception:  # only a head start: the page computes (and reports) it again when shown
        _log.exception("opening dashboard could not be computed ahead")
    cleaned.start()
    st.session_state[LOADED] = Loaded(name, dataset_id, size, is_sample, prepared, cleaned, tickets, workbook)
    st.session_state.pop(PENDING, None)  # any dataset that loads replaces an upload still waiting for columns
    clear_filters()


def _prefetch_dashboard(data_id: str, data_tz: str, events) -> None:
    """Fill the session's dashboard cache for what the first page shows: the policy, no filter."""
    pol = st.session_state.get(POLICY) or policy_mod.Policy.default()
    flt = _filters_from(_options(data_id, events))
    _dashboard(data_id, policy_mod.policy_to_toml(pol), repr(flt), data_tz, events, pol, flt)


def loaded() -> Loaded:
    """The session's current dataset.

    A deep link that is the server's first request makes Streamlit run the page script
    without the router (the legacy pages-folder mode, until some run calls st.navigation):
    then hand over to the router, which sets the session up.
    """
    if LOADED not in st.session_state:
        st.session_state[GOTO] = _calling_page()
        st.switch_page("streamlit_app.py")
    return st.session_state[LOADED]


def _calling_page() -> str | None:
    """The pages/ script that called us (the page a deep link asked for), as 'pages/x.py'."""
    import inspect
    from pathlib import Path

    for frame in inspect.stack()[1:]:
        path = Path(frame.filename)
        if path.parent.name == "pages" and path.suffix == ".py":
            return f"pages/{path.name}"
    return None


def resume_deep_link() -> None:
    """After the router has set the session up, go to the page a first-request deep link asked for."""
    target = st.session_state.pop(GOTO, None)
    if target:
        st.switch_page(target)


def set_plan(plan) -> None:
    cur = loaded()
    cleaned = privacy.clean(cur.prepared, key=st.session_state.get(KEY), plan=plan)
    _drop_dashboards()
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
    """Forget every filter (a new dataset's widgets start empty: their keys hold its id)."""
    for k in [k for k in st.session_state if str(k).startswith(FILTER_PREFIX)]:
        del st.session_state[k]


def reset_filters() -> None:
    """The "Reset filters" button: every sidebar filter back to all values and the whole date range.

    The widgets' values are set, not deleted: a deleted key leaves the browser's widget holding its
    old choice, which it sends back on the next page (the filter came back).
    """
    for dim in views.FILTER_DIMENSIONS:
        if filter_key(dim) in st.session_state:
            st.session_state[filter_key(dim)] = []
    opts = options()
    if filter_key("date") in st.session_state and opts.get("date_min") and opts.get("date_max"):
        st.session_state[filter_key("date")] = (opts["date_min"], opts["date_max"])


def filters() -> metrics.Filters:
    """The sidebar's filters as core understands them."""
    values = {dim: tuple(st.session_state.get(filter_key(dim)) or ()) for dim in views.FILTER_DIMENSIONS}
    return _filters_from(options(), values, tuple(st.session_state.get(filter_key("date")) or ()))


def _filters_from(opts: dict, values: dict | None = None, dates: tuple = ()) -> metrics.Filters:
    """Filters for chosen values and dates (none chosen: everything, the whole date range)."""
    full = (opts.get("date_min"), opts.get("date_max"))
    return views.make_filters(values or {dim: () for dim in views.FILTER_DIMENSIONS}, dates or full, full)


# ---- cached computations (session scoped, keyed by data id + parameters) ------------------

# The dashboards of this session, newest last: {(data id, policy TOML, filters, zone): Dashboard}. Kept in
# session state rather than st.cache_data, which pickles every value it stores and unpickles a copy on every
# hit: at 1M events a dashboard pickles to ~170 MB, so each filter change paid ~0.5 s and each page ~0.1-0.3 s
# to copy it, and 24 entries could hold 4 GB. The entries are shared, never copied: pages and core only read
# them (core never mutates its input frames; tests/pages/test_dashboard_cache.py checks the pages).
DASH_CACHE = "tl_dash_cache"
DASH_ENTRIES = 24  # at most this many dashboards per session ...
# ... and at most about this much memory (the newest one is always kept): at 1M events a session holds
# ~2.4 GB besides (measured in the app: 2.67 GB after two filter changes), and the target is 3 GB
DASH_BUDGET_BYTES = 384 * 2**20


def _dashboard(data_id: str, policy_toml: str, filters_key: str, data_tz: str, events, pol, flt) -> metrics.Dashboard:
    """The dashboard for these parameters, from the session's cache or computed (and cached) now."""
    cache: dict = st.session_state.setdefault(DASH_CACHE, {})
    key = (data_id, policy_toml, filters_key, data_tz)
    hit = cache.pop(key, None)  # (dashboard, its bytes)
    if hit is None:
        dash = metrics.compute_dashboard(events, pol, flt, data_tz=data_tz)
        hit = (dash, _nbytes(dash))
    cache[key] = hit  # (re)inserted last: the most recently used
    while len(cache) > 1 and (len(cache) > DASH_ENTRIES or sum(n for _, n in cache.values()) > DASH_BUDGET_BYTES):
        del cache[next(iter(cache))]  # the least recently used
    return hit[0]


def _nbytes(dash: metrics.Dashboard) -> int:
    """Memory held by a dashboard's tables (Arrow-backed text counts its buffers; no per-value walk)."""
    return sum(int(v.memory_usage(index=True, deep=True).sum()) for v in vars(dash).values() if hasattr(v, "memory_usage"))


def _drop_dashboards() -> None:
    """Forget every cached dashboard (a new dataset or anonymization plan makes them stale)."""
    st.session_state.pop(DASH_CACHE, None)


def dashboard(pol: policy_mod.Policy | None = None, flt: metrics.Filters | None = None) -> metrics.Dashboard:
    """The dashboard tables for the current data, policy and filters (cached per session)."""
    cur = loaded()
    pol = pol or policy()
    flt = flt if flt is not None else filters()
    return _dashboard(cur.dataset_id + cur.cleaned.plan_id, policy_mod.policy_to_toml(pol), repr(flt),
                      cur.prepared.mapping.timezone, cur.cleaned.events, pol, flt)


@st.cache_data(scope="session", max_entries=4, show_spinner=False)
def _options(dataset_id: str, _events) -> dict[str, list[str]]:
    return views.filter_options(_events)


def options() -> dict[str, list[str]]:
    cur = loaded()
    return _options(cur.dataset_id + cur.cleaned.plan_id, cur.cleaned.events)


def reveal_on() -> bool:
    return bool(st.session_state.get(REVEAL))


def shown(frame):
    """A table as the user chose to see it: tokens by default, real names only on request."""
    if not reveal_on():
        return frame
    try:
        anonymized = clean_copy().anonymized
    except CleanCopyFailed as err:
        st.warning(f"Real names cannot be shown: {err}", icon=":material/warning:")
        return frame
    return privacy.reveal(frame, anonymized.token_map)


class CleanCopyFailed(Exception):
    """The anonymized download table or its leak check failed (the dashboards are not affected)."""


def clean_copy() -> privacy.Cleaned:
    """The current dataset's anonymization once its download table and leak check are done
    (waiting for them if they are still running); CleanCopyFailed, with a message for the
    user, if they failed. The failure itself is logged server side, with its traceback."""
    cleaned = loaded().cleaned
    try:
        _ = cleaned.leaks
    except Exception as err:
        _log.error("anonymized copy failed", exc_info=err)
        raise CleanCopyFailed(
            f"TierLens hit an internal problem while preparing the anonymized copy ({type(err).__name__}). "
            "The dashboards are not affected. Upload the file again; if it happens again, please report "
            "the file's shape to us.") from None
    return cleaned


InputError = ingest.InputError



def filter_label(dimension: str, values: list[str]) -> Callable[[str], str]:
    """How the sidebar names a filter's values: agents by the name shown on the pages while real
    names are revealed (the filter still keeps the token), everything else as it is."""
    if dimension != "agent" or not reveal_on() or not values:
        return str
    import pandas as pd
    from core import charts

    tokens = pd.DataFrame({"agent": values})
    names = charts.labels_for(tokens["agent"], shown(tokens)["agent"])
    return lambda v: names.get(v, v)


def filters_summary() -> str:
    """A short human description of the active filters ('' when none)."""
    return views.describe_filters(filters())


# ---- shared widgets (kept here so pages stay free of helpers that import streamlit) --------

def how_computed(definition: str, *sql_names: str) -> None:
    """An expander with the definition in words and the SQL files' text."""
    with st.expander("How is this computed?", icon=":material/help:"):
        st.markdown(definition)
        for name in sql_names:
            st.caption(f"sql/{name}.sql")
            st.code(metrics.sql_text(name), language="sql")


# Rows drawn in one table: a page that sent all 297k tier events of a 1M-event upload spent ~0.5 s making
# them into Arrow and the browser received ~60-80 MB, on every rerun (even inside a closed expander).
TABLE_ROWS = 10_000

# What a table draws for a missing value. Streamlit draws the word "None" (in grey), which a support manager
# reads as a value: an agent or a region called None. Every st.dataframe passes this as its ``placeholder``:
# only the drawing changes, in the browser, so no row is converted (the 1M-row case stays as fast), sorting a
# column still sorts numbers as numbers and dates as dates, and the CSV downloads keep their empty fields.
EMPTY_CELL = ""


def drill(label: str, rows, *, key: str, fmt: Callable | None = None, height: int = 320) -> None:
    """An expander with the rows behind a figure (anonymized unless the user revealed names).

    ``fmt`` turns any slice of ``rows`` into the table to show (row by row, so only the rows drawn are
    formatted); see ``rows_table`` for the limit on rows drawn.
    """
    with st.expander(f"{label} ({views.plural(len(rows), 'row')})", icon=":material/table_rows:"):
        rows_table(rows, key=key, fmt=fmt, height=height, file_stem=label.split(":")[0])


def rows_table(rows, *, key: str, file_stem: str, fmt: Callable | None = None, height: int = 320,
               column_config: dict | None = None, what: str = "rows") -> None:
    """A table of ``rows`` (formatted by ``fmt``), its first TABLE_ROWS drawn, all of them downloadable.

    Missing values are drawn as empty cells (EMPTY_CELL), not as "None". Beyond the limit a caption says
    so. A button downloads every row as CSV, built on click and always with tokens (a download never holds
    real names, even while they are shown); the tables' own export is off (.streamlit/config.toml,
    client.disableDataExport).
    """
    total = len(rows)
    head = rows if total <= TABLE_ROWS else rows.iloc[:TABLE_ROWS]
    st.dataframe(shown(fmt(head) if fmt else head), hide_index=True, width="stretch", height=height, key=key,
                 column_config=column_config, placeholder=EMPTY_CELL)
    if total > TABLE_ROWS:
        st.caption(f"The first {TABLE_ROWS:,} of {total:,} {what} are listed here, in this order (sorting a column "
                   f"sorts these); download all {total:,} to sort or search every one.")
    if total:
        st.download_button(f"Download all {total:,} {what} (CSV)" if total > TABLE_ROWS else "Download as CSV",
                           lambda: all_rows_csv(rows, fmt), file_name=views.download_name(_slug(file_stem) + ".csv"),
                           mime="text/csv", icon=":material/download:", key=f"{key}_all", on_click="ignore",
                           help="With tokens, never real names.")


def all_rows_csv(rows, fmt: Callable | None = None) -> bytes:
    """Every row of a table as CSV (formatted by ``fmt``), with tokens: what the "Download all" button gives."""
    from core import export

    return export.to_csv_bytes(fmt(rows) if fmt else rows)


def _slug(text: str) -> str:
    """'Tier events behind this chart' -> 'tier-events-behind-this-chart' (for a file name)."""
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split()) or "rows"


def empty_state(message: str) -> None:
    st.info(message + " Widen the filters in the sidebar or reset them.", icon=":material/filter_alt_off:")


def policy_version() -> str:
    """Changes when the active policy changes, so the editors start again from it."""
    return hashlib.sha256(policy_mod.policy_to_toml(policy()).encode()).hexdigest()[:8]


# Static reference lists, the same for everyone (user-data-free).
@st.cache_data(show_spinner=False, max_entries=1)
def time_zones() -> list[str]:
    return views.time_zones()


# Static reference list (user-data-free).
@st.cache_data(show_spinner=False, max_entries=1)
def holiday_countries() -> dict[str, str]:
    return views.holiday_countries()


# ---- downloads (generated on click, from the session's own data) -------------------------

def lazy_export(kind: str) -> Callable[[], bytes]:
    """A callable producing one download's bytes when the user clicks."""
    from core import export

    cur = loaded()
    clean = cur.cleaned.anonymized.clean
    if kind in ("results.xlsx", "tier_events.csv"):
        dash = dashboard()
        if kind == "tier_events.csv":
            return lambda: export.to_csv_bytes(dash.tier_events)
        pol, flt = policy(), filters()
        about = views.results_about(views.source_words(cur.prepared.raw.rows_read, len(cur.prepared.events)),
                                    flt, pol, default_policy=policy_is_default(),
                                    generated=datetime.now(timezone.utc))
        return lambda: export.workbook_bytes({"About": about, "KPI summary": views.kpi_summary(dash),
                                              "Tier events": dash.tier_events})
    if kind == "token_map.csv":
        token_map = cur.cleaned.anonymized.token_map
        return lambda: export.to_csv_bytes(token_map)
    writers = {"xlsx": export.to_xlsx_bytes, "csv": export.to_csv_bytes, "parquet": export.to_parquet_bytes,
               "csv.zip": export.zip_csv_bytes}
    writer = writers[kind]
    return lambda: writer(clean)


def set_passphrase(phrase: str) -> None:
    from core.anonymize import Key

    set_key(Key.from_passphrase(phrase))


def has_key() -> bool:
    return st.session_state.get(KEY) is not None


def page_header(title: str) -> tuple[Loaded, metrics.Dashboard]:
    """A dashboard page's title and data caption (with the active filters); returns the data and its dashboard."""
    st.title(title)
    cur = loaded()
    dash = dashboard()
    active = filters_summary()
    st.caption(views.dataset_caption(cur) + (f" · filtered: {active}" if active else "")
               + ("" if policy_is_default() else " · **SLA policy: your edit** (see the SLA policy page)"))
    for message in views.missing_role_warnings(cur.prepared):
        st.warning(message + " (Prepare page, Column mapping).", icon=":material/rule:")
    return cur, dash


def policy_is_default() -> bool:
    """Whether the session's SLA policy is the default one (the pages say so when it is not)."""
    return policy_mod.policy_to_toml(policy()) == policy_mod.policy_to_toml(policy_mod.Policy.default())
