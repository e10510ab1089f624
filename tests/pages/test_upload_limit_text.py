"""The Prepare page states the upload limit once: its own text, with Streamlit's rounded "1GB per file" hidden."""
from __future__ import annotations

import tomllib

from streamlit.testing.v1 import AppTest

from tests.pages.conftest import ROOT


def test_the_page_states_the_configured_limit_and_hides_streamlits_rounded_one(app: AppTest) -> None:
    app.switch_page("pages/prepare.py").run()
    assert not app.exception
    limit_mb = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    assert any(f"up to **{limit_mb} MB**" in m.value for m in app.markdown)
    # the style is scoped to this uploader through the class Streamlit gives a keyed widget (st-key-<key>)
    assert [u.key for u in app.get("file_uploader")][0] == "tl_upload"
    styles = [h.value for h in app.get("html")]
    assert ('<style>.st-key-tl_upload [data-testid="stFileUploaderDropzoneInstructions"] {display: none;}</style>'
            in styles)


def test_settings_file_uploaders_take_small_files_and_say_so(app: AppTest) -> None:
    # without their own cap they would show the app-wide limit, rounded by Streamlit to "1GB per file"
    from core import views
    app.switch_page("pages/prepare.py").run()
    sizes = {u.key: u.proto.max_upload_size_mb for u in app.get("file_uploader")}
    assert sizes.pop("tl_upload") == 600
    assert sizes and set(sizes.values()) == {views.SETTINGS_FILE_MB}, sizes  # the mapping and name-map uploaders
    app.switch_page("pages/policy.py").run()
    assert [u.proto.max_upload_size_mb for u in app.get("file_uploader")] == [views.SETTINGS_FILE_MB]
