"""Tiny trained bundles, a registry holding them, and clients of the service."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from jogak.registry import Registry
from jogak.serve import ServeSettings, create_app, parse_api_keys
from jogak.testing._serve import make_model_frame, make_served_bundle

ALL_KEY = "all-models-key-0123456789"
TINY_KEY = "tiny-only-key-0123456789"
OTHER_KEY = "other-only-key-0123456789"
KEYS = f"{ALL_KEY}:all,{TINY_KEY}:tiny,{OTHER_KEY}:other"
AUTH = {"Authorization": f"Bearer {ALL_KEY}"}


def rows(n_rows: int = 5, seed: int = 1) -> list[dict[str, Any]]:
    """JSON-ready feature rows (``id`` and ``const`` dropped: they are not features)."""
    frame = make_model_frame(n_rows, seed=seed).drop(columns=["target", "id", "const"])
    return json.loads(frame.to_json(orient="records"))


def frame_of(records: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records)


@pytest.fixture(scope="session")
def bundles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bundles")
    return {"binary": make_served_bundle(root / "binary", seed=0),
            "binary_v2": make_served_bundle(root / "binary_v2", seed=1, n_rows=150),
            "multiclass": make_served_bundle(root / "multiclass", task="multiclass"),
            "regression": make_served_bundle(root / "regression", task="regression")}


@pytest.fixture
def home(tmp_path: Path, bundles: dict[str, Path]) -> Path:
    """A registry with ``tiny`` (binary, production), ``multi`` and ``reg``."""
    with Registry(tmp_path / "home") as registry:
        registry.register(bundles["binary"], "tiny", alias="production")
        registry.register(bundles["multiclass"], "multi")
        registry.register(bundles["regression"], "reg")
    return tmp_path / "home"


@pytest.fixture
def make_client(home: Path) -> Iterator[Callable[..., TestClient]]:
    opened: list[TestClient] = []

    def make(**overrides: Any) -> TestClient:
        values: dict[str, Any] = {"home": home, "api_keys": parse_api_keys(KEYS),
                                  "default_model": "tiny", "reload_seconds": 3600.0}
        values.update(overrides)
        client = TestClient(create_app(ServeSettings(**values)))
        client.__enter__()
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
