"""What a model is monitored against: the bundle's reference profile or training rows, and the
profile of the model's own predictions on them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError
from jogak.monitor._config import DriftConfig
from jogak.monitor._drift import DriftReport, detect_drift
from jogak.monitor._profile import PREDICTION, check_profile, column_profile, prediction_signal

__all__ = ["MANIFEST_KEY", "bundle_profile", "model_predictions", "profile_drift",
           "reference_prediction_profile", "require_bundle_profile"]

#: The manifest key under which a bundle stores its reference profile.
MANIFEST_KEY = "reference_profile"


def bundle_profile(model: Any) -> Mapping[str, Any] | None:
    """The reference profile stored with ``model`` (manifest, else attribute), or None."""
    manifest = getattr(model, "manifest_", None) or {}
    profile = manifest.get(MANIFEST_KEY) if isinstance(manifest, Mapping) else None
    return profile if profile is not None else getattr(model, "reference_profile_", None)


def require_bundle_profile(model: Any, *, hint: str) -> Mapping[str, Any]:
    """:func:`bundle_profile`, or ConfigError ending in ``hint`` when the bundle has none."""
    profile = bundle_profile(model)
    if profile is None:
        raise ConfigError(f"The model bundle holds no reference profile. Hint: {hint}")
    return profile


def model_predictions(model: Any, frame: pd.DataFrame) -> np.ndarray:
    """Class probabilities (classification) or values (regression) for ``frame``."""
    if model.task_.is_classification:
        return np.asarray(model.predict_proba(frame))
    return np.asarray(model.predict(frame), dtype=np.float64)


def reference_prediction_profile(model: Any, frame: pd.DataFrame, *,
                                 n_bins: int) -> dict[str, Any] | None:
    """Profile of the model's prediction signal on the reference rows, over all of them."""
    signal: Any = prediction_signal(model_predictions(model, frame))
    return column_profile(signal, n_bins=n_bins, sample_size=len(signal),
                          max_categories=1_000_000, rng=np.random.default_rng(0))


def profile_drift(profile: Mapping[str, Any], current: pd.DataFrame, features: Sequence[str],
                  config: DriftConfig) -> tuple[DriftReport, Any]:
    """Drift of the ``features`` the profile covers, and the profile's prediction entry (or
    None)."""
    profile = check_profile(profile)
    columns = [c for c in features if c in profile["columns"]]
    drift = detect_drift(profile, current, columns=columns, config=config)
    return drift, profile["columns"].get(PREDICTION)
