"""Fixtures shared by the core tests."""
from __future__ import annotations

from pathlib import Path

import pytest

from core import sample


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory) -> Path:
    """The bundled sample's generator at 200 tickets, written as a CSV file."""
    path = tmp_path_factory.mktemp("s") / "sample.csv"
    path.write_bytes(sample.sample_csv_bytes(n_tickets=200))
    return path
