"""Runner for AutoGluon-Tabular (``options.presets``), in the AutoGluon venv.

The artifact is ``clone_for_deployment`` of the fitted predictor (the best model and what it
needs, as AutoGluon recommends for deployment). Single-row predictions run after
``persist()``, AutoGluon's advice for online inference.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from autogluon.tabular import TabularPredictor
from measure import main, package_versions

LABEL = "__label__"
AG_METRIC = {"roc_auc": "roc_auc", "accuracy": "accuracy", "log_loss": "log_loss",
             "rmse": "root_mean_squared_error", "mae": "mean_absolute_error", "r2": "r2"}


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
        return {"best_model": best, "n_models": len(self.predictor.model_names()),
                "presets": self.config["options"]["presets"],
                "is_ensemble": best.startswith("WeightedEnsemble")}

    def versions(self) -> dict[str, str]:
        return package_versions("autogluon.tabular", "lightgbm", "catboost", "xgboost-cpu",
                                "torch", "fastai")


if __name__ == "__main__":
    main(AutogluonAdapter)
