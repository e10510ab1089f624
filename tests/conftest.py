"""Shared fixtures: paths to the project and to the real export in ../shared/data."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = ROOT.parent / "shared" / "data" / "anonymized_portfolio_data.xlsx"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The real export; tests that need it skip with a reason where it is absent."""
    if not SEED.exists():
        pytest.skip(f"real export not found at {SEED} (it lives in ../shared/data beside the project)")
    return SEED


@pytest.fixture(scope="session")
def seed_bytes(seed_path: Path) -> bytes:
    return seed_path.read_bytes()
