"""No module-level state holds user data: module globals are shared by every session of the server.

core/*.py, state.py and pages/*.py are scanned with ``ast`` for
- module-level mutable containers (dict, list, set, frames, arrays …) written at runtime: an item
  assigned or deleted, a mutating method called, or the name rebound through ``global``;
- module-level mutable containers not named as constants (UPPER_CASE): a documented constant
  is written once at import and only read;
- process-wide function caches (functools.lru_cache / cache) unless the three lines above them
  say ``user-data-free`` and why.
"""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = sorted((ROOT / "core").glob("*.py")) + [ROOT / "state.py"] + sorted((ROOT / "pages").glob("*.py"))

_MUTABLE_CALLS = {"dict", "list", "set", "bytearray", "defaultdict", "Counter", "OrderedDict", "deque",
                  "DataFrame", "Series", "array", "zeros", "ones", "empty", "full", "arange", "ChainMap"}
_MUTATORS = {"append", "extend", "insert", "pop", "popitem", "remove", "clear", "update", "setdefault", "add",
             "discard", "sort", "reverse", "fill", "resize", "appendleft", "extendleft", "popleft", "put",
             "__setitem__", "__delitem__", "drop_duplicates", "rename", "set_index", "reset_index", "fillna",
             "replace", "mask", "where", "insert", "assign"}
_CACHES = {"lru_cache", "cache", "cached"}


def _is_mutable(value: ast.expr | None) -> bool:
    if isinstance(value, (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)):
        return True
    if isinstance(value, ast.Call):
        f = value.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        return name in _MUTABLE_CALLS
    return False


def _module_mutables(tree: ast.Module) -> dict[str, int]:
    """Name -> line of each module-level assignment of a mutable container."""
    out: dict[str, int] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign) and _is_mutable(node.value):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign) and _is_mutable(node.value):
            targets = [node.target]
        for t in targets:
            if isinstance(t, ast.Name):
                out[t.id] = node.lineno
    return out


def _root_name(node: ast.expr) -> str | None:
    """The module name a subscript/attribute chain starts from: NAME[...], NAME.loc[...], NAME.attr."""
    while isinstance(node, (ast.Subscript, ast.Attribute)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _runtime_writes(tree: ast.Module, names: set[str]) -> list[tuple[str, int, str]]:
    """(name, line, how) for each write inside a function to a module-level name."""
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        body = func.body if isinstance(func.body, list) else [func.body]
        declared_global = {n for node in body for sub in ast.walk(node) if isinstance(sub, ast.Global)
                           for n in sub.names}
        local = {a.arg for a in func.args.args + func.args.kwonlyargs + func.args.posonlyargs}
        for node in (sub for stmt in body for sub in ast.walk(stmt)):
            targets: list[ast.expr] = []
            if isinstance(node, (ast.Assign, ast.Delete)):
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
                targets = [node.target]
            for t in targets:
                if isinstance(t, (ast.Subscript, ast.Attribute)):
                    name = _root_name(t)
                    if name in names and name not in local:
                        found.append((name, node.lineno, "item or attribute written"))
                elif isinstance(t, ast.Name) and t.id in declared_global:
                    found.append((t.id, node.lineno, "module global rebound"))
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _MUTATORS and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in names and node.func.value.id not in local):
                found.append((node.func.value.id, node.lineno, f".{node.func.attr}() called"))
    return found


def _process_caches(tree: ast.Module, lines: list[str]) -> list[tuple[str, int]]:
    """Module-level functions under functools caches whose comment above does not say user-data-free."""
    out = []
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for dec in node.decorator_list:
            f = dec.func if isinstance(dec, ast.Call) else dec
            name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
            if name in _CACHES:
                above = " ".join(lines[max(0, dec.lineno - 4):dec.lineno - 1])
                if "user-data-free" not in above:
                    out.append((node.name, dec.lineno))
    return out


def problems(source: str) -> list[str]:
    tree = ast.parse(source)
    mutables = _module_mutables(tree)
    out = [f"line {line}: module-level '{name}' {how} at runtime"
           for name, line, how in _runtime_writes(tree, set(mutables))]
    out += [f"line {line}: module-level mutable '{name}' is not named as a constant (UPPER_CASE)"
            for name, line in mutables.items() if name != "__all__" and name.lstrip("_") != name.lstrip("_").upper()]
    # a global rebound at runtime is shared state whatever its type
    out += [f"line {line}: module global '{name}' rebound at runtime"
            for name, line, how in _runtime_writes(tree, _module_names(tree) - set(mutables))
            if how == "module global rebound"]
    out += [f"line {line}: '{name}' has a process-wide cache; say why it is user-data-free or scope it"
            for name, line in _process_caches(tree, source.splitlines())]
    return out


def _module_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        for t in (node.targets if isinstance(node, ast.Assign) else
                  [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else []):
            if isinstance(t, ast.Name):
                names.add(t.id)
    return names


# Documented exceptions in files this test may not change: (file, problem text) -> why it is safe.
ALLOWED = {
    ("core/sqlfiles.py", "'load' has a process-wide cache"):
        "caches the project's own sql/*.sql files by query name; no user data reaches it",
    ("core/db.py", "'_DATABASE' .append()"):
        "the process's one DuckDB engine, created once; user data lives only in cursors, which are "
        "private and closed after each use (tests/core/test_db.py checks nothing stays behind)",
}


@pytest.mark.parametrize("path", SCANNED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_level_state_written_at_runtime(path: Path) -> None:
    rel = str(path.relative_to(ROOT))
    found = [p for p in problems(path.read_text(encoding="utf-8"))
             if not any(f == rel and text in p for f, text in ALLOWED)]
    assert found == []


def test_the_date_format_cache_keeps_no_cell_text() -> None:
    """Role detection reads every text column's shapes; none but date shapes may stay in the cache."""
    import pandas as pd

    from core import dates

    titles = pd.Series([f"Call Wanjiku Kamau about invoice {i} before Friday" for i in range(50)])
    before = dates._format_for_date_shape.cache_info().currsize
    dates.datetime_parse_rate(titles)
    dates.parse_datetime_column(titles)
    assert dates._format_for_date_shape.cache_info().currsize == before


# --------------------------------------------------------------------------- the scanner itself


@pytest.mark.parametrize("source, expected", [
    ("_SEEN = {}\ndef f(k, v):\n    _SEEN[k] = v\n", "'_SEEN' item or attribute written"),
    ("CACHE = []\ndef f(x):\n    CACHE.append(x)\n", "'CACHE' .append() called"),
    ("FRAMES = dict()\ndef f(k):\n    FRAMES.setdefault(k, 1)\n", "'FRAMES' .setdefault() called"),
    ("import pandas as pd\nLAST = pd.DataFrame()\ndef f(x):\n    LAST.loc[0, 'a'] = x\n", "'LAST' item or attribute"),
    ("LAST = None\ndef f(x):\n    global LAST\n    LAST = x\n", "'LAST' rebound at runtime"),
    ("seen = set()\n", "'seen' is not named as a constant"),
    ("import functools\n@functools.lru_cache(maxsize=None)\ndef f(x):\n    return x\n", "'f' has a process-wide cache"),
])
def test_the_scanner_finds_runtime_state(source: str, expected: str) -> None:
    found = problems(textwrap.dedent(source))
    assert any(expected in p for p in found), found


@pytest.mark.parametrize("source", [
    "COLOURS = {'a': 1}\ndef f(k):\n    return COLOURS[k]\n",
    "NAMES = ['a']\ndef f(names):\n    names.append(1)\n    return NAMES + names\n",
    "def f():\n    local = {}\n    local['a'] = 1\n    return local\n",
    "import functools\n# shapes of dates only (user-data-free)\n@functools.lru_cache(maxsize=64)\ndef f(x):\n    return x\n",
])
def test_the_scanner_allows_constants_and_locals(source: str) -> None:
    assert problems(source) == []
