"""With real names shown, the sidebar's agent filter names agents as the pages do; the filter keeps tokens.

(AppTest draws the sidebar on a session's first run only, so each case is a session of its own.)
"""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

import state
from core import privacy
from tests.pages.conftest import APP


def _agent_filter(reveal: bool):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[state.REVEAL] = reveal
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    key = f"{state.FILTER_PREFIX}{at.session_state[state.LOADED].dataset_id}_agent"
    return at, at.multiselect(key=key)


def test_the_agent_filter_shows_names_only_while_they_are_revealed() -> None:
    _, hidden = _agent_filter(False)
    at, named = _agent_filter(True)
    tokens = list(hidden.options)
    assert tokens and all(t.startswith("Agent ") for t in tokens)
    cleaned = at.session_state[state.LOADED].cleaned
    back = privacy.reveal(cleaned.events[["agent"]].dropna().drop_duplicates(), cleaned.anonymized.token_map)
    assert set(named.options) == set(back["agent"]) and not set(named.options) & set(tokens)
