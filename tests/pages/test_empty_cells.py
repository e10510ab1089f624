"""A missing value is drawn as an empty cell, not as Streamlit's "None" (read as an agent or a region called
None), in every table; the rows themselves, their sorting and the CSV downloads are unchanged."""
from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import state
from core import charts, metrics, pipeline, policy, privacy, sample

ROOT = Path(__file__).resolve().parents[2]
RENDERING = [ROOT / "state.py", ROOT / "streamlit_app.py", *sorted((ROOT / "pages").glob("*.py"))]
PAGES = ["pages/overview.py", "pages/sla.py", "pages/escalation.py", "pages/products.py", "pages/agents.py",
         "pages/prepare.py", "pages/policy.py"]


def _dataframe_calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr in ("dataframe", "data_editor")]


@pytest.mark.parametrize("path", RENDERING, ids=lambda p: p.name)
def test_every_table_names_its_empty_cell(path: Path) -> None:
    """Also the tables no page test reaches (a branch the sample does not take), and the editable ones:
    an allowance not set yet (a priority the policy does not name) is an empty cell, not "None"."""
    for call in _dataframe_calls(path):
        keywords = {k.arg: k.value for k in call.keywords}
        assert "placeholder" in keywords, f"{path.name}:{call.lineno}: st.{call.func.attr} without placeholder="
        assert ast.unparse(keywords["placeholder"]) in ("state.EMPTY_CELL", "EMPTY_CELL"), (path.name, call.lineno)


def test_the_empty_cell_is_empty() -> None:
    assert state.EMPTY_CELL == ""


@pytest.fixture(scope="module")
def pages() -> dict[str, list]:
    """Each page once, in one session (the dashboard is computed once and kept, as in the app)."""
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    seen = {}
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        seen[page] = [(d.proto, d.value) for d in at.dataframe if d.editing_mode == "read_only"]
    return seen


@pytest.mark.parametrize("page", PAGES)
def test_tables_draw_missing_values_as_empty_cells(pages: dict, page: str) -> None:
    tables = pages[page]
    assert tables, f"{page} shows no table"
    for i, (proto, value) in enumerate(tables):
        drawn_as = proto.placeholder if proto.HasField("placeholder") else None  # None: Streamlit's "None"
        assert drawn_as == "", (page, i, list(value.columns)[:3])


def test_the_rows_drawn_keep_their_nulls_and_types(pages: dict) -> None:
    """Only the drawing changes: no null becomes a word, numbers stay numbers and dates dates (so sorting
    a column is right); the sample has events with no issue type and no region."""
    def table_with(page: str, column: str) -> pd.DataFrame:
        return next(value for _, value in pages[page] if column in value.columns)

    sla, report = table_with("pages/sla.py", "issue_type"), table_with("pages/agents.py", "Issue type")
    for frame, text, number, when in ((sla, "issue_type", "frt_s", "event_time"),
                                      (report, "Issue type", "Row in file", "Event time")):
        assert frame[text].isna().any()
        assert not frame.isin(["None", "nan", "NaN", "<NA>"]).any().any()
        assert pd.api.types.is_numeric_dtype(frame[number])
        assert pd.api.types.is_datetime64_any_dtype(frame[when])
    assert sla["frt_s"].isna().any() and pd.api.types.is_float_dtype(sla["frt_s"])
    assert table_with("pages/sla.py", "Resolved or closed at")["Resolved or closed at"].isna().any()


@pytest.fixture(scope="module")
def small_dash() -> metrics.Dashboard:
    prepared = pipeline.prepare(sample.sample_csv_bytes(n_tickets=150, seed=5), sample.SAMPLE_FILENAME)
    return metrics.compute_dashboard(privacy.clean(prepared).events, policy.Policy.default())


@pytest.mark.parametrize("fmt, rows, column", [(charts.tier_event_rows, "tier_events", "issue_type"),
                                               (charts.agent_event_rows, "agent_events", "Issue type"),
                                               (charts.ticket_rows, "tickets", "issue_type")])
def test_downloads_still_write_empty_fields(small_dash, fmt, rows: str, column: str) -> None:
    rows = getattr(small_dash, rows)
    table = fmt(rows)
    assert table[column].isna().any()
    read = list(csv.DictReader(io.StringIO(state.all_rows_csv(rows, fmt).decode("utf-8-sig"))))
    assert len(read) == len(table)
    assert [r[column] for r in read] == table[column].fillna("").tolist()
    assert not any(v in ("None", "nan", "NaN", "<NA>", "NaT") for r in read for v in r.values())
