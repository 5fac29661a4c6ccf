"""Bundles for the registry tests: small hand-made ones, and one tiny trained model."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from jogak.models._artifacts import save_bundle
from jogak.registry import Registry


@pytest.fixture
def make_bundle(tmp_path: Path) -> Callable[..., Path]:
    """Write a small bundle (a dict object) whose content differs by ``tag``."""

    def make(tag: str = "a", *, task: str = "binary") -> Path:
        path = tmp_path / f"bundle-{tag}-{uuid.uuid4().hex[:6]}"
        return save_bundle(path, objects={"model": {"tag": tag}},
                           manifest={"kind": "test", "name": tag, "task": task,
                                     "target": "y", "metrics": {"auc": {"mean": 0.8,
                                                                        "std": 0.01}}})

    return make


@pytest.fixture(scope="session")
def trained_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from jogak.testing._serve import make_served_bundle

    return make_served_bundle(tmp_path_factory.mktemp("trained") / "bundle", seed=0)


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry(tmp_path / "home") as reg:
        yield reg
