"""The Download page warns of a kept column whose values look like people's names (QA privacy pass)."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.core.test_name_like_columns import CSV
from tests.pages.conftest import APP, run_ok


def test_the_download_page_warns_of_a_kept_column_of_names() -> None:
    at = run_ok(AppTest.from_file(APP, default_timeout=120))
    run_ok(at.switch_page("pages/prepare.py"))
    at.file_uploader[0].set_value(("handlers.csv", CSV.encode(), "text/csv"))
    run_ok(at)
    run_ok(at.switch_page("pages/download.py"))
    warnings = [w.value for w in at.warning]
    assert any("'Handler' (3 of 4 distinct values)" in w and "Omondi" not in w for w in warnings), warnings
    assert any("Leak check passed" in s.value for s in at.success)


def test_the_sample_has_no_such_warning() -> None:
    at = run_ok(AppTest.from_file(APP, default_timeout=120))
    run_ok(at.switch_page("pages/download.py"))
    assert not any("look like people's names" in w.value for w in at.warning)
