"""Two sessions never see each other's data, filters or tokens, and an upload writes nothing to disk.

AppTest gives every AppTest the same session id ("test session id"), so session-scoped caches
are shared between the two apps here; what this shows is that no result is keyed so loosely
that one dataset's figures serve another (tests/browser/test_attacks.py runs two real sessions).
"""
from __future__ import annotations

import os
import pickle
import tempfile
import time
import uuid
from pathlib import Path

from streamlit.testing.v1 import AppTest

import state
from tests.corpus import HEADER
from tests.core import filemakers as fm
from tests.pages.conftest import APP, ROOT, metric


def export_with(marker: str, priorities: list[str]) -> bytes:
    """An event log whose every agent and title carries ``marker``: one ticket per priority given."""
    rows = [HEADER]
    for t, priority in enumerate(priorities):
        for k, status in enumerate(("Open", "In Progress")):
            rows.append([f"{marker[:1]}{t}", f"{10 + t}/07/2025 0{8 + k}:00:00", status, "Tier 1", priority,
                         f"{marker} Agent{t}", f"Call {marker} about the printer"])
    return fm.csv_bytes(rows)


def _app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("pages/prepare.py").run()
    return at


def _upload(at: AppTest, name: str, data: bytes) -> None:
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _session_bytes(at: AppTest) -> bytes:
    """Everything the session holds that pickles (its dataset, filters, policy), as bytes to search."""
    out = []
    for key in list(at.session_state.keys()):
        try:
            out.append(pickle.dumps(at.session_state[key]))
        except Exception:  # widgets' values that do not pickle hold no user data of their own
            out.append(repr(at.session_state[key]).encode())
    return b"".join(out)


def _filter(at: AppTest, dimension: str, values: list[str]) -> None:
    """Set a sidebar filter as its widget would (AppTest drops the sidebar after the first run)."""
    at.session_state[f"{state.FILTER_PREFIX}{at.session_state[state.LOADED].dataset_id}_{dimension}"] = values
    at.run()
    assert not at.exception, [e.value for e in at.exception]


def test_two_sessions_keep_their_own_data_filters_and_tokens() -> None:
    alpha, bravo = f"Alpha{uuid.uuid4().hex[:8]}", f"Bravo{uuid.uuid4().hex[:8]}"
    a, b = _app(), _app()
    _upload(a, "alpha.csv", export_with(alpha, ["High", "Medium"]))
    _upload(b, "bravo.csv", export_with(bravo, ["Low", "Low", "High"]))
    a.switch_page("pages/overview.py").run()
    b.switch_page("pages/overview.py").run()
    assert metric(a, "Tickets") == "2" and metric(b, "Tickets") == "3"

    # a filter set in one session is not seen by the other, and each keeps its own figures
    _filter(a, "priority", ["MEDIUM"])
    b.run()
    assert metric(a, "Tickets") == "1" and metric(b, "Tickets") == "3"
    assert not [k for k in b.session_state.keys() if str(k).startswith(state.FILTER_PREFIX) and b.session_state[k]]
    _filter(b, "priority", ["LOW"])
    a.run()
    assert metric(b, "Tickets") == "2" and metric(a, "Tickets") == "1"

    # neither session holds the other's values: not in its frames, tokens, token map or clean copy
    held_a, held_b = _session_bytes(a), _session_bytes(b)
    assert alpha.encode() in held_a and bravo.encode() not in held_a
    assert bravo.encode() in held_b and alpha.encode() not in held_b
    token_a = a.session_state[state.LOADED].cleaned.anonymized.token_map
    token_b = b.session_state[state.LOADED].cleaned.anonymized.token_map
    assert bravo not in token_a.to_csv() and alpha not in token_b.to_csv()

    # the download page of each session offers its own file's clean copy
    from core import export
    clean_a = export.to_csv_bytes(a.session_state[state.LOADED].cleaned.anonymized.clean)
    assert bravo.encode() not in clean_a and alpha.encode() not in clean_a  # scrubbed, and not the other's


def _files_containing(marker: bytes, since: float, roots: list[Path]) -> list[str]:
    found = []
    for root in roots:
        if not root.exists():
            continue
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if d not in (".venv", ".git", "node_modules")]
            for name in filenames:
                path = Path(dirpath) / name
                try:
                    st = path.stat()
                    if st.st_mtime < since or st.st_size > 200 * 1024**2 or not path.is_file():
                        continue
                    if marker in path.read_bytes():
                        found.append(str(path))
                except OSError:
                    continue
    return found


def test_an_upload_writes_no_user_data_to_disk() -> None:
    marker = f"Disk{uuid.uuid4().hex[:10]}"
    roots = [Path(tempfile.gettempdir()), ROOT, Path.cwd(), Path.home() / ".streamlit"]
    since = time.time() - 1
    at = _app()
    _upload(at, "disk.csv", export_with(marker, ["High", "Low"]))
    for page in ("pages/overview.py", "pages/sla.py", "pages/download.py"):
        at.switch_page(page).run()
        assert not at.exception
    assert marker.encode() in _session_bytes(at)  # the data is held, in memory
    assert _files_containing(marker.encode(), since, roots) == []
