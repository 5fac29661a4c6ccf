"""Loaded models: each version loaded once, references re-resolved in the background, and the
new version swapped in when an alias moves."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from jogak.data._schema import FeatureSchema
from jogak.registry import ModelNotFoundError, ModelVersion, Registry

__all__ = ["LoadedModel", "ModelCache"]

logger = logging.getLogger("jogak.serve")


@dataclass(frozen=True)
class LoadedModel:
    """A model version in memory with what the routes need from it."""

    name: str
    version: int
    model: Any = field(repr=False)
    schema: FeatureSchema = field(repr=False)
    task: str
    classes: tuple[Any, ...] | None
    manifest_sha256: str
    feature_names: frozenset[str] = field(default=frozenset(), repr=False)

    @property
    def is_classifier(self) -> bool:
        return self.classes is not None

    @property
    def operating_points(self) -> dict[str, Any]:
        return dict(getattr(self.model, "operating_points_", None) or {})


def _loaded(version: ModelVersion, model: Any) -> LoadedModel:
    schema = getattr(model, "schema_", None)
    if not isinstance(schema, FeatureSchema):
        from jogak.errors import BundleError

        raise BundleError(f"{version.name}@{version.version} has no feature schema, so requests "
                          "cannot be checked; only jogak AutoML bundles can be served.")
    classes = getattr(model, "classes_", None)
    labels = None if classes is None else tuple(
        value.item() if hasattr(value, "item") else value for value in classes)
    return LoadedModel(version.name, version.version, model, schema,
                       str(version.task or getattr(model, "task_", "")), labels,
                       version.manifest_sha256, frozenset(schema.names))


class ModelCache:
    """Resolves references (``churn``, ``churn@production``, ``churn@3``) to loaded versions.

    A version is loaded once, whatever the number of references to it; :meth:`refresh`
    re-resolves every reference in use, loads versions that aliases moved to, swaps them in, and
    drops versions nothing refers to any more. Requests never wait for the registry once a
    reference has been resolved.
    """

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        self._load_locks: dict[tuple[str, int], threading.Lock] = {}
        self._loaded: dict[tuple[str, int], LoadedModel] = {}
        self._refs: dict[str, tuple[str, int]] = {}

    def cached(self, ref: str) -> LoadedModel | None:
        """The loaded version ``ref`` points to if it is in memory (no I/O), else None."""
        key = self._refs.get(ref)
        return None if key is None else self._loaded.get(key)

    def get(self, ref: str) -> LoadedModel:
        """The loaded version ``ref`` points to (loading it on first use).

        Raises
        ------
        ModelNotFoundError
            If the registry has no such model, version or alias.
        """
        key = self._refs.get(ref)
        if key is not None:
            loaded = self._loaded.get(key)
            if loaded is not None:
                return loaded
        version = self.registry.get(ref)
        loaded = self._load(version)
        with self._lock:
            self._refs[ref] = (version.name, version.version)
        return loaded

    def loaded(self) -> list[LoadedModel]:
        """The versions in memory."""
        return sorted(self._loaded.values(), key=lambda m: (m.name, m.version))

    def refresh(self) -> list[tuple[str, int, int]]:
        """Re-resolve every reference; returns the ``(ref, old, new)`` version moves."""
        moves = []
        for ref, key in list(self._refs.items()):
            try:
                version = self.registry.get(ref)
            except ModelNotFoundError:
                with self._lock:
                    self._refs.pop(ref, None)
                continue
            if (version.name, version.version) != key:
                self._load(version)
                with self._lock:
                    self._refs[ref] = (version.name, version.version)
                moves.append((ref, key[1], version.version))
                logger.info("model swapped", extra={"jogak": {
                    "event": "model_swapped", "ref": ref, "from_version": key[1],
                    "to_version": version.version}})
        with self._lock:
            used = set(self._refs.values())
            for key in [k for k in self._loaded if k not in used]:
                del self._loaded[key]
        return moves

    def _load(self, version: ModelVersion) -> LoadedModel:
        key = (version.name, version.version)
        with self._lock:
            gate = self._load_locks.setdefault(key, threading.Lock())
        with gate:  # concurrent first requests load a version once
            loaded = self._loaded.get(key)
            if loaded is None:
                _, model = self.registry.load(f"{version.name}@{version.version}")
                loaded = _loaded(version, model)
                self._loaded[key] = loaded
                logger.info("model loaded", extra={"jogak": {
                    "event": "model_loaded", "model": version.name,
                    "version": version.version}})
        return loaded
