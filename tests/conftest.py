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


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The local PostgreSQL (``JOGAK_TEST_POSTGRES``); skips when none answers, fails in CI."""
    url = os.environ.get("JOGAK_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    try:
        import psycopg

        with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                             connect_timeout=3):
            pass
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server here"
        message = f"no PostgreSQL answers at {url} ({type(exc).__name__}); set JOGAK_TEST_POSTGRES"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url.replace("postgresql://", "postgresql+psycopg://", 1)
