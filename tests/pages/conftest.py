"""AppTest fixtures: the real router, a generous timeout for the first run on 2 cores."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "streamlit_app.py")


@pytest.fixture()
def app() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_ok(at: AppTest) -> AppTest:
    """Run the app (again) and fail on any exception it shows."""
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def on_prepare(name: str, data: bytes, mime: str = "text/csv") -> AppTest:
    """A fresh app whose user has opened the Prepare page and uploaded ``data`` as ``name``."""
    at = run_ok(AppTest.from_file(APP, default_timeout=120))
    run_ok(at.switch_page("pages/prepare.py"))
    at.file_uploader[0].set_value((name, data, mime))
    return run_ok(at)


def metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert found, f"no metric '{label}' among {[m.label for m in at.metric]}"
    return found[0]
