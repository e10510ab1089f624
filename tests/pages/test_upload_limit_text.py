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
