"""Saving and loading fitted jogak models as verified bundles (DESIGN.md §3, "Model bundle")."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from jogak.errors import BundleError
from jogak.models._artifacts import load_bundle, save_bundle
from jogak.models._thresholds import OperatingPoint

__all__ = ["load_model", "save_model"]

BUNDLE_KIND = "jogak.automl"


def _json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def model_manifest(model: Any, *, name: str | None) -> dict[str, Any]:
    """The manifest fields describing a fitted AutoML estimator."""
    leaderboard = model.leaderboard_.drop(columns=["params"], errors="ignore")
    return _json_safe({
        "kind": BUNDLE_KIND,
        "name": name or getattr(model, "target_name_", None) or "model",
        "version": 1,
        "estimator": type(model).__name__,
        "task": model.task_.value,
        "target": getattr(model, "target_name_", None),
        "metric": model.metric_,
        "classes": [str(c) for c in getattr(model, "classes_", [])],
        "feature_schema": model.schema_.to_dict(),
        "feature_names_in": [str(c) for c in model.feature_names_in_],
        "metrics": {k: {"mean": m, "std": s} for k, (m, s) in model.cv_results_.items()},
        "ensemble": {"kind": model.ensemble_kind_, "mode": model.ensemble_.mode,
                     "weights": model.ensemble_.weights},
        "leaderboard": leaderboard.head(50).to_dict(orient="records"),
        "history": model.history_,
        "seed": model.random_state,
        "time_budget": model.time_budget,
        "n_trials": model.n_trials,
        "time_used": model.time_used_,
        "n_folds": model.n_folds_,
        "log_target": getattr(model, "log_target", False),
        "data_fingerprint": getattr(model, "data_fingerprint_", None),
        "params": {k: v for k, v in model.get_params().items() if k != "callbacks"},
        "operating_points": {name: point.to_dict() for name, point
                             in getattr(model, "operating_points_", {}).items()},
        "operating_point_settings": getattr(model, "operating_point_settings_", None),
    })


def save_model(model: Any, path: str | Path, *, name: str | None = None,
               extra_manifest: Mapping[str, Any] | None = None) -> Path:
    """Write a fitted model to the bundle folder ``path`` (atomically; replaces a previous one)."""
    manifest = model_manifest(model, name=name)
    manifest.update(_json_safe(dict(extra_manifest or {})))
    callbacks = model.callbacks
    model.callbacks = ()  # progress callbacks hold terminals and closures: never pickle them
    try:
        return save_bundle(Path(path), objects={"model": model}, manifest=manifest)
    finally:
        model.callbacks = callbacks


def load_model(path: str | Path, *, allow_version_mismatch: bool = False) -> Any:
    """Load a model bundle after verifying every file's sha256 and the library versions.

    Raises
    ------
    BundleError
        When the folder is not a bundle, a file was changed, added or removed, or the bundle was
        written by incompatible library versions.
    """
    bundle = load_bundle(Path(path), allow_version_mismatch=allow_version_mismatch)
    if bundle.manifest.get("kind") != BUNDLE_KIND or "model" not in bundle.objects:
        raise BundleError(f"{path} is a bundle of kind {bundle.manifest.get('kind')!r}, expected "
                          f"{BUNDLE_KIND!r} holding a 'model' object.")
    model = bundle.objects["model"]
    model.manifest_ = bundle.manifest
    if "operating_points" in bundle.manifest:
        # the manifest is the record of a bundle's decision thresholds (readable without Python)
        model.operating_points_ = {name: OperatingPoint.from_dict(point) for name, point
                                   in bundle.manifest["operating_points"].items()}
    return model

