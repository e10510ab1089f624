"""The app's own script runs on one upload, as the server runs them (Streamlit's AppTest: no browser, no network).

The end-to-end figure stops at the dashboard tables; a user then waits for the page itself: its charts and
tables built from those tables and turned into Streamlit elements (a table becomes Arrow bytes for the
browser). This measures, in one fresh process, for the uploaded file:

- ``upload_s``: the upload handed to the Prepare page until that page has run again on the new data
  (the chain, the opening dashboard, the Prepare page itself; the bytes' transfer is not included);
- ``first_visit_s``: each page's first run after the upload (the dashboard comes from the session's cache);
- ``again_s``: each page's second run (what any click on it costs, when the click changes no table);
- ``filter_sla_s``: the SLA page's run after the user picks priority HIGH (a new dashboard, then the page).

One run each: they are a profile of the pages, not targets.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("overview", "sla", "escalation", "products", "agents", "policy", "download", "prepare")


def measure(data: bytes, filename: str) -> dict[str, Any]:
    from streamlit.testing.v1 import AppTest

    import state

    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=1800)
    at.run()  # the session opens on the bundled sample, as a user's does
    at.switch_page("pages/prepare.py").run()
    t0 = time.perf_counter()
    at.file_uploader[0].set_value((filename, data, "text/csv")).run()
    upload_s = time.perf_counter() - t0
    _check(at, "upload")
    loaded = at.session_state[state.LOADED]
    if loaded.name != filename:
        raise RuntimeError(f"the upload did not load: {[e.value for e in at.error]}")
    first, again = {}, {}
    for visits in (first, again):
        for page in PAGES:
            t0 = time.perf_counter()
            at.switch_page(f"pages/{page}.py").run()
            visits[page] = time.perf_counter() - t0
            _check(at, page)
    at.switch_page("pages/sla.py").run()
    at.session_state[f"{state.FILTER_PREFIX}{loaded.dataset_id}_priority"] = ["HIGH"]
    t0 = time.perf_counter()
    at.run()
    filter_sla_s = time.perf_counter() - t0
    _check(at, "sla (HIGH)")
    return {"upload_s": upload_s, "first_visit_s": first, "again_s": again, "filter_sla_s": filter_sla_s,
            "slowest_first_visit": max(first, key=first.get)}


def _check(at: Any, where: str) -> None:
    if at.exception:
        raise RuntimeError(f"{where}: {[e.value for e in at.exception]}")
