"""The session's dashboard cache: shared (never copied) tables that no page changes, bounded, dropped on a new load."""
from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

import state
from core import metrics, sample

PAGES = ("overview", "sla", "escalation", "products", "agents", "policy", "download", "prepare")


def _cache(at: AppTest) -> dict:
    return at.session_state[state.DASH_CACHE]


def _priority(at: AppTest, values: list[str]) -> None:
    """Pick priorities where the sidebar's widget keeps them (AppTest draws no sidebar after switch_page)."""
    at.session_state[f"{state.FILTER_PREFIX}{at.session_state[state.LOADED].dataset_id}_priority"] = values


def _tables(dash: metrics.Dashboard) -> dict[str, pd.DataFrame]:
    return {k: v for k, v in vars(dash).items() if isinstance(v, pd.DataFrame)}


def test_no_page_changes_the_cached_tables(app: AppTest) -> None:
    # Entries are handed out as they are: a page that changed one in place would change every later page.
    key, (dash, _) = next(iter(_cache(app).items()))
    before = {name: frame.copy(deep=True) for name, frame in _tables(dash).items()}
    for page in PAGES:
        app.switch_page(f"pages/{page}.py").run()
        assert not app.exception, (page, [e.value for e in app.exception])
    assert _cache(app)[key][0] is dash  # the same object, not a copy
    for name, frame in _tables(dash).items():
        pd.testing.assert_frame_equal(frame, before[name], obj=name)


def test_page_switches_reuse_the_dashboard(app: AppTest, monkeypatch) -> None:
    calls = []
    real = metrics.compute_dashboard
    monkeypatch.setattr(metrics, "compute_dashboard", lambda *a, **k: calls.append(1) or real(*a, **k))
    for page in ("overview", "sla", "overview"):
        app.switch_page(f"pages/{page}.py").run()
    assert calls == []
    app.switch_page("pages/sla.py").run()
    _priority(app, ["HIGH"])
    app.run()
    assert not app.exception
    assert calls == [1] and len(_cache(app)) == 2  # the filtered dashboard joins the unfiltered one


def test_the_cache_keeps_the_most_recently_used_within_its_bounds(app: AppTest, monkeypatch) -> None:
    monkeypatch.setattr(state, "DASH_ENTRIES", 2)
    first = next(iter(_cache(app)))
    app.switch_page("pages/overview.py").run()
    for values in (["HIGH"], ["LOW"]):
        _priority(app, values)
        app.run()
    keys = list(_cache(app))
    assert len(keys) == 2 and first not in keys  # the unfiltered one, least recently used, went first
    assert "HIGH" in keys[0][2] and "LOW" in keys[1][2]


def test_a_memory_budget_smaller_than_one_dashboard_still_keeps_the_newest(app: AppTest, monkeypatch) -> None:
    monkeypatch.setattr(state, "DASH_BUDGET_BYTES", 1)
    app.switch_page("pages/overview.py").run()
    _priority(app, ["HIGH"])
    app.run()
    assert not app.exception
    assert len(_cache(app)) == 1 and "HIGH" in next(iter(_cache(app)))[2]


def test_a_new_load_drops_the_old_dashboards(app: AppTest) -> None:
    old = set(_cache(app))
    app.switch_page("pages/prepare.py").run()
    data = b"\n".join(sample.sample_csv_bytes().splitlines()[:400]) + b"\n"
    app.file_uploader[0].set_value(("part.csv", data, "text/csv")).run()
    assert not app.exception and not app.error, [e.value for e in app.error]
    new_id = app.session_state[state.LOADED].dataset_id
    assert set(_cache(app)) and old.isdisjoint(_cache(app))
    assert all(key[0].startswith(new_id) for key in _cache(app))  # only the new data's dashboards are held


def test_a_new_anonymization_key_drops_the_old_dashboards(app: AppTest) -> None:
    old = set(_cache(app))
    app.switch_page("pages/download.py").run()
    app.text_input(key="tl_passphrase").set_value("a passphrase long enough").run()
    next(b for b in app.button if b.label == "Use passphrase").click().run()
    assert not app.exception
    app.switch_page("pages/overview.py").run()
    assert set(_cache(app)) and old.isdisjoint(_cache(app))  # the tokens changed: so did every cache key


def test_every_upload_gets_its_own_dataset_id(app: AppTest) -> None:
    first = app.session_state[state.LOADED].dataset_id
    app.switch_page("pages/prepare.py").run()
    data = b"\n".join(sample.sample_csv_bytes().splitlines()[:400]) + b"\n"
    ids = []
    for name in ("a.csv", "b.csv"):  # the same bytes twice: two loads, two datasets (fresh filters, fresh keys)
        app.file_uploader[0].set_value((name, data, "text/csv")).run()
        ids.append(app.session_state[state.LOADED].dataset_id)
    assert len({first, *ids}) == 3
