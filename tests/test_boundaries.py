"""The house layers hold: core never imports streamlit, pages never compute, SQL lives in sql/."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = sorted((ROOT / "core").glob("*.py"))
PAGES = sorted((ROOT / "pages").glob("*.py")) + [ROOT / "streamlit_app.py"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_never_imports_streamlit(path: Path) -> None:
    assert "streamlit" not in _imports(path)


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_pages_do_not_compute(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not {"duckdb", "pandas", "numpy", "pyarrow"} & _imports(path), "pages render; core computes"
    leaks = re.findall(r"duckdb\.|\.groupby\(|\.merge\(|pd\.read_|\bselect\b[^\"\n]*\bfrom\b", text, re.I)
    assert not leaks, f"computation in a page: {leaks}"


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_no_inline_sql_in_core(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"(\"\"\"|''')\s*(with|select)\b", text, re.I), "SQL belongs in sql/*.sql"


def test_only_state_module_imports_streamlit_outside_pages() -> None:
    allowed = {"streamlit_app.py", "state.py"}
    for path in ROOT.glob("*.py"):
        if path.name not in allowed:
            assert "streamlit" not in _imports(path), path.name


def test_no_global_cache_of_user_data() -> None:
    """User data is cached per session only: no cache_resource, no unscoped cache_data."""
    for path in [ROOT / "state.py", *PAGES]:
        text = path.read_text(encoding="utf-8")
        assert "cache_resource" not in text, path.name
        for m in re.finditer(r"st\.cache_data\(([^)]*)\)", text):
            if "user-data-free" in text[max(0, m.start() - 200):m.start()]:
                continue
            assert 'scope="session"' in m.group(1) and "max_entries" in m.group(1), (path.name, m.group(0))
