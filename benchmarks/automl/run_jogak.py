"""Runner for jogak's AutoML estimators, in jogak's own venv.

Single-row latency uses jogak's fast path (``predict_proba_row`` / ``predict_row`` on a dict);
the artifact is the bundle folder written by ``model.save`` and read by ``jogak.load_model``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from measure import main, package_versions

from jogak import AutoMLClassifier, AutoMLRegressor, load_model


class JogakAdapter:
    """AutoMLClassifier / AutoMLRegressor behind the measure.Adapter protocol."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.kind = config["kind"]
        self.model: Any = None
        self.classes: list[Any] = []

    def fit(self, X: pd.DataFrame, y: pd.Series) -> None:
        estimator = AutoMLRegressor if self.kind == "regression" else AutoMLClassifier
        self.model = estimator(time_budget=float(self.config["budget"]),
                               metric=self.config["metric"],
                               random_state=int(self.config["seed"]),
                               **_extra_params()).fit(X, y)
        if self.kind != "regression":
            self.classes = list(self.model.classes_)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model.predict(X))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.model.predict_proba(X))

    def predict_one(self, row: pd.DataFrame, record: dict[str, Any]) -> Any:
        if self.kind == "regression":
            return self.model.predict_row(record)
        return self.model.predict_proba_row(record)

    def save(self, path: Path) -> None:
        self.model.save(path)

    def load(self, path: Path) -> JogakAdapter:
        clone = JogakAdapter.__new__(JogakAdapter)
        clone.__dict__.update(self.__dict__, model=load_model(path))
        return clone

    def describe(self) -> dict[str, Any]:
        kind = getattr(self.model, "ensemble_kind_", None)
        ensemble = getattr(self.model, "ensemble_", None)
        return {"ensemble_kind": kind,
                "members": dict(getattr(ensemble, "weights", {}) or {}),
                "time_used": getattr(self.model, "time_used_", None),
                "is_ensemble": kind != "single",
                # the serving estimate the search held the ensemble to, and how far the limit
                # was loosened for accuracy (None: dropped), to read beside the measured latency
                "serving_cost": _estimate(getattr(self.model, "serving_cost_", None)),
                "limit_relaxed": _finite_or_none(getattr(self.model, "infer_limit_relaxed_",
                                                         None)),
                "n_repeats": getattr(self.model, "n_repeats_", None),
                # the serving limits were divided by this (see AutoML's machine_slowdown_)
                "machine_slowdown": getattr(self.model, "machine_slowdown_", None),
                "params": _extra_params()}

    def versions(self) -> dict[str, str]:
        return package_versions("jogak", "optuna", "lightgbm", "xgboost-cpu", "catboost",
                                "torch")


def _extra_params() -> dict[str, Any]:
    """Estimator parameters from ``JOGAK_BENCH_PARAMS`` (a JSON object), for A/B runs of one
    setting against the defaults; the result line records them."""
    return json.loads(os.environ.get("JOGAK_BENCH_PARAMS", "") or "{}")


def _estimate(cost: Any) -> dict[str, float] | None:
    if cost is None:
        return None
    return {"batch_seconds_per_row": float(cost.batch_seconds_per_row),
            "row_seconds": float(cost.row_seconds)}


def _finite_or_none(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


if __name__ == "__main__":
    main(JogakAdapter)
