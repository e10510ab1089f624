"""Keeping a column detected as personal is a leak the user confirms, never a 'leak check passed'."""
from __future__ import annotations

import pytest

from core import anonymize, pipeline, privacy, sample


@pytest.fixture(scope="module")
def prepared():
    return pipeline.prepare(sample.sample_csv_bytes(), sample.SAMPLE_FILENAME)


def test_the_default_plan_passes(prepared) -> None:
    assert privacy.clean(prepared).leaks.clean


def test_a_kept_personal_column_fails_the_check(prepared) -> None:
    column = "Regional Manager Name"  # personal, with no counterpart in the events table
    assert column in prepared.mapping.personal
    plan = privacy.default_plan(prepared).with_action(column, anonymize.Action.KEEP)
    leaks = privacy.clean(prepared, plan=plan).leaks
    assert not leaks.clean and column in leaks.message()


def test_a_dropped_tokenized_or_scrubbed_personal_column_passes(prepared) -> None:
    column = "Regional Manager Name"  # scrubbing a personal column replaces its names by their tokens too
    for action in (anonymize.Action.DROP, anonymize.Action.TOKENIZE, anonymize.Action.SCRUB):
        plan = privacy.default_plan(prepared).with_action(column, action, label="Regional Manager")
        assert privacy.clean(prepared, plan=plan).leaks.clean, action
