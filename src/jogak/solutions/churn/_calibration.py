"""Calibration maps fitted on out-of-fold probabilities, stored as plain numbers (JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from scipy.special import expit, logit
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from jogak.errors import ConfigError

__all__ = ["CalibrationMethod", "apply_calibration", "cross_fitted", "fit_calibration"]

CalibrationMethod = Literal["sigmoid", "isotonic", "none"]
_EPS = 1e-6


def fit_calibration(proba: np.ndarray, y: np.ndarray, method: CalibrationMethod
                    ) -> dict[str, Any]:
    """A calibration map from probabilities to observed rates, as a JSON-ready dict.

    ``sigmoid`` (Platt on the log-odds): ``p' = expit(a * logit(p) + b)``; ``isotonic``: a
    non-decreasing step function (interpolated between its knots); ``none``: identity.
    """
    if method == "none":
        return {"method": "none"}
    scores = np.clip(np.asarray(proba, dtype=float), _EPS, 1 - _EPS)
    labels = np.asarray(y, dtype=int)
    if method == "sigmoid":
        fitted = LogisticRegression(C=1e6, max_iter=1000).fit(logit(scores)[:, None], labels)
        return {"method": "sigmoid", "a": float(fitted.coef_[0, 0]),
                "b": float(fitted.intercept_[0])}
    if method == "isotonic":
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(scores, labels)
        return {"method": "isotonic", "x": iso.X_thresholds_.tolist(),
                "y": iso.y_thresholds_.tolist()}
    raise ConfigError(f"calibration must be 'sigmoid', 'isotonic' or 'none', got {method!r}.")


def apply_calibration(proba: np.ndarray, calibration: Mapping[str, Any]) -> np.ndarray:
    """Calibrated probabilities (NaN stays NaN)."""
    scores = np.asarray(proba, dtype=float)
    method = calibration.get("method")
    if method == "none":
        return scores.copy()
    clipped = np.clip(scores, _EPS, 1 - _EPS)
    if method == "sigmoid":
        out = expit(float(calibration["a"]) * logit(clipped) + float(calibration["b"]))
    elif method == "isotonic":
        out = np.interp(clipped, np.asarray(calibration["x"], float),
                        np.asarray(calibration["y"], float))
    else:
        raise ConfigError(f"Unknown calibration method {method!r}.")
    return np.where(np.isnan(scores), np.nan, out)


def cross_fitted(proba: np.ndarray, y: np.ndarray, method: CalibrationMethod, *,
                 n_splits: int = 5, random_state: int = 0) -> np.ndarray:
    """Each row calibrated by a map fitted on the other folds: an honest view of calibration."""
    labels = np.asarray(y, dtype=int)
    out = np.asarray(proba, dtype=float).copy()
    if method == "none":
        return out
    splits = min(n_splits, int(np.bincount(labels).min()))
    if splits < 2:
        return apply_calibration(out, fit_calibration(out, labels, method))
    folds = StratifiedKFold(n_splits=splits, shuffle=True, random_state=random_state)
    calibrated = np.empty_like(out)
    for train, test in folds.split(out, labels):
        calibrated[test] = apply_calibration(out[test], fit_calibration(out[train],
                                                                        labels[train], method))
    return calibrated
