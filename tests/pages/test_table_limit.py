"""Long tables draw their first rows only (a 1M-event upload has ~300k tier events) and download in full."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import state
from core import charts, export, metrics, pipeline, policy, privacy, sample


@pytest.fixture()
def small_limit(monkeypatch) -> int:
    monkeypatch.setattr(state, "TABLE_ROWS", 100)
    return 100


def _frames_with_rows(at: AppTest, n: int) -> list:
    return [d for d in at.dataframe if len(d.value) == n]


def test_a_long_drill_down_draws_its_first_rows_and_offers_all(app: AppTest, small_limit: int) -> None:
    app.switch_page("pages/sla.py").run()
    assert not app.exception, [e.value for e in app.exception]
    dash = app.session_state[state.DASH_CACHE]
    tier_events = next(iter(dash.values()))[0].tier_events
    total = len(tier_events)
    assert total > small_limit
    drawn = _frames_with_rows(app, small_limit)
    assert drawn, [len(d.value) for d in app.dataframe]
    expected = charts.tier_event_rows(charts.events_for(tier_events, "product", []).iloc[:small_limit])
    assert any(d.value.reset_index(drop=True).equals(expected) for d in drawn)  # the first rows, in order
    captions = " ".join(c.value for c in app.caption)
    assert f"The first {small_limit:,} of {total:,} rows are listed here" in captions
    labels = [b.proto.label for b in app.get("download_button")]
    assert f"Download all {total:,} rows (CSV)" in labels


def test_a_short_table_is_drawn_whole_without_the_note(app: AppTest) -> None:
    app.switch_page("pages/sla.py").run()
    assert not any("are listed here" in c.value for c in app.caption)
    labels = [b.proto.label for b in app.get("download_button")]
    assert not any(label.startswith("Download all") for label in labels)
    assert labels.count("Download as CSV") >= 2  # each drill-down still downloads (the grids' own export is off)


def test_the_tables_own_export_is_off() -> None:
    # It would save real names while they are shown, and only the rows drawn of a long table.
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True


def test_the_full_download_holds_every_row_formatted() -> None:
    prepared = pipeline.prepare(sample.sample_csv_bytes(), sample.SAMPLE_FILENAME)
    events = privacy.clean(prepared).events
    rows = metrics.compute_dashboard(events, policy.Policy.default()).tier_events
    data = state.all_rows_csv(rows, charts.tier_event_rows)
    assert data == export.to_csv_bytes(charts.tier_event_rows(rows))  # formula-safe, as every download
    back = pd.read_csv(io.BytesIO(data))
    assert len(back) == len(rows)
    assert list(back.columns) == list(charts.tier_event_rows(rows.iloc[:1]).columns)


def test_file_names_are_slugs() -> None:
    assert state._slug("Tier events behind this chart") == "tier-events-behind-this-chart"
    assert state._slug("Breached tier events, longest overrun first") == "breached-tier-events-longest-overrun-first"
    assert state._slug("…") == "rows"
