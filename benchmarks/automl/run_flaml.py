"""Runner for FLAML's AutoML with its defaults, in the FLAML venv (JOGAK_PEERS_DIR/flaml)."""

from __future__ import annotations

import pickle  # noqa: TID251 -- FLAML's documented way to save a fitted AutoML
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from flaml import AutoML
from measure import main, package_versions

FLAML_METRIC = {"roc_auc": "roc_auc", "accuracy": "accuracy", "log_loss": "log_loss",
                "rmse": "rmse", "mae": "mae", "r2": "r2"}


class FlamlAdapter:
    """flaml.AutoML behind the measure.Adapter protocol; the artifact is its pickle."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.kind = config["kind"]
        self.automl = AutoML()
        self.classes: list[Any] = []

    def fit(self, X: pd.DataFrame, y: pd.Series) -> None:
        self.automl.fit(X_train=X, y_train=y,
                        task="regression" if self.kind == "regression" else "classification",
                        metric=FLAML_METRIC[self.config["metric"]],
                        time_budget=float(self.config["budget"]), seed=int(self.config["seed"]),
                        n_jobs=-1, verbose=0)
        if self.kind != "regression":
            self.classes = list(self.automl.classes_)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.automl.predict(X))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.asarray(self.automl.predict_proba(X))

    def predict_one(self, row: pd.DataFrame, record: dict[str, Any]) -> Any:
        return self.predict(row) if self.kind == "regression" else self.predict_proba(row)

    def save(self, path: Path) -> None:
        path.mkdir(parents=True)
        with open(path / "automl.pkl", "wb") as handle:
            pickle.dump(self.automl, handle, pickle.HIGHEST_PROTOCOL)

    def load(self, path: Path) -> FlamlAdapter:
        clone = FlamlAdapter.__new__(FlamlAdapter)
        with open(path / "automl.pkl", "rb") as handle:
            clone.__dict__.update(self.__dict__, automl=pickle.load(handle))
        return clone

    def describe(self) -> dict[str, Any]:
        return {"best_estimator": self.automl.best_estimator,
                "best_config": self.automl.best_config,
                "is_ensemble": False}

    def versions(self) -> dict[str, str]:
        return package_versions("flaml", "lightgbm", "xgboost-cpu", "catboost")


if __name__ == "__main__":
    main(FlamlAdapter)
