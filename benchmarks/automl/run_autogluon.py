"""Runner for AutoGluon-Tabular (``options.presets``), in the AutoGluon venv.

The artifact is ``clone_for_deployment`` of the fitted predictor (the best model and what it
needs, as AutoGluon recommends for deployment). Single-row predictions run after
``persist()``, AutoGluon's advice for online inference. ``describe()`` also says where the fit
time went: the DyStack sub-fit (``best_quality``), AutoGluon's own main fit, and the rest
(predictor start, saves), to explain overruns.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from autogluon.tabular import TabularPredictor
from measure import main, package_versions

LABEL = "__label__"
AG_METRIC = {"roc_auc": "roc_auc", "accuracy": "accuracy", "log_loss": "log_loss",
             "rmse": "root_mean_squared_error", "mae": "mean_absolute_error", "r2": "r2"}
TIMINGS: dict[str, float] = {}
_dynamic_stacking = TabularPredictor._dynamic_stacking


def _timed_dynamic_stacking(self: TabularPredictor, *args: Any, **kwargs: Any) -> Any:
    """best_quality's DyStack sub-fit, timed. Patched on the class (a private method, called
    once inside fit) rather than the instance, so that pickling the predictor is unaffected."""
    start = time.perf_counter()
    try:
        return _dynamic_stacking(self, *args, **kwargs)
    finally:
        TIMINGS["dystack_seconds"] = round(time.perf_counter() - start, 2)


TabularPredictor._dynamic_stacking = _timed_dynamic_stacking


class AutogluonAdapter:
    """TabularPredictor behind the measure.Adapter protocol."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.kind = config["kind"]
        self.predictor: TabularPredictor | None = None
        self.is_persisted = False
        self.classes: list[Any] = []

    def fit(self, X: pd.DataFrame, y: pd.Series) -> None:
        self.predictor = TabularPredictor(
            label=LABEL, problem_type=self.kind, eval_metric=AG_METRIC[self.config["metric"]],
            path=str(Path(self.config["workdir"]) / "ag_fit"), verbosity=0,
        ).fit(X.assign(**{LABEL: y.to_numpy()}), time_limit=float(self.config["budget"]),
              presets=self.config["options"]["presets"])
        if self.kind != "regression":
            self.classes = list(self.predictor.class_labels)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.predictor.predict(X).to_numpy()

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.predictor.predict_proba(X, as_multiclass=True)[self.classes].to_numpy()

    def predict_one(self, row: pd.DataFrame, record: dict[str, Any]) -> Any:
        if not self.is_persisted:
            self.predictor.persist()
            self.is_persisted = True
        return self.predict(row) if self.kind == "regression" else self.predict_proba(row)

    def save(self, path: Path) -> None:
        self.predictor.clone_for_deployment(str(path))

    def load(self, path: Path) -> AutogluonAdapter:
        clone = AutogluonAdapter.__new__(AutogluonAdapter)
        clone.__dict__.update(self.__dict__, predictor=TabularPredictor.load(str(path)),
                              is_persisted=False)
        return clone

    def describe(self) -> dict[str, Any]:
        best = self.predictor.model_best
        main_fit = getattr(self.predictor._learner, "_time_fit_total", None)
        overfit = getattr(self.predictor, "_stacked_overfitting_occurred", None)
        return {"best_model": best, "n_models": len(self.predictor.model_names()),
                "presets": self.config["options"]["presets"],
                "is_ensemble": best.startswith("WeightedEnsemble"),
                "main_fit_seconds": round(main_fit, 2) if main_fit is not None else None,
                "stacked_overfitting": None if overfit is None else bool(overfit), **TIMINGS}

    def versions(self) -> dict[str, str]:
        return package_versions("autogluon.tabular", "lightgbm", "catboost", "xgboost-cpu",
                                "torch", "fastai")


if __name__ == "__main__":
    main(AutogluonAdapter)
