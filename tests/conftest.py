"""Shared fixtures: the real-data location and the global seed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


def _data_root() -> Path:
    configured = os.environ.get("JOGAK_DATA_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "datasets"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real datasets (``JOGAK_DATA_DIR``, default ``../shared/datasets``).

    Missing data skips the test with a message, except under ``CI=true`` where it fails.
    """
    root = _data_root()
    if not (root / "INDEX.md").exists():
        message = (f"real datasets not found at {root}; set JOGAK_DATA_DIR to the folder "
                   "holding INDEX.md")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return root


@pytest.fixture
def global_random_seed() -> int:
    """The one seed tests use (override with JOGAK_TEST_SEED)."""
    return int(os.environ.get("JOGAK_TEST_SEED", "0"))
