"""Runner for the simple baselines: LightGBM defaults, RandomForest(300) and a constant predictor.

Runs in jogak's venv (it has LightGBM and scikit-learn); none of it uses jogak.
``options.model`` picks the baseline: ``lightgbm_default``, ``rf300`` or ``constant``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from measure import main, package_versions
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline


class FrameCoder(TransformerMixin, BaseEstimator):
    """Datetimes to days; strings to categories learned in fit (``"category"``) or their codes."""

    def __init__(self, *, output: str = "category") -> None:
        self.output = output

    def fit(self, X: pd.DataFrame, y: object = None) -> FrameCoder:
        self.dates_ = [c for c in X.columns if pd.api.types.is_datetime64_any_dtype(X[c])]
        self.categories_ = {c: sorted(X[c].dropna().unique().tolist()) for c in X.columns
                            if not pd.api.types.is_numeric_dtype(X[c]) and c not in self.dates_}
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        out = X.copy()
        for column in self.dates_:
            out[column] = out[column].astype("datetime64[s]").astype("int64") / 86_400.0
            out.loc[X[column].isna(), column] = np.nan
        for column, levels in self.categories_.items():
            coded = pd.Categorical(out[column], categories=levels)
            out[column] = coded if self.output == "category" else np.where(
                coded.codes < 0, np.nan, coded.codes.astype(np.float64))
        return out


def _build(name: str, kind: str, seed: int) -> Pipeline:
    classify = kind != "regression"
    if name == "lightgbm_default":
        from lightgbm import LGBMClassifier, LGBMRegressor

        learner = (LGBMClassifier if classify else LGBMRegressor)(random_state=seed, verbose=-1)
        return make_pipeline(FrameCoder(output="category"), learner)
    if name == "rf300":
        forest = RandomForestClassifier if classify else RandomForestRegressor
        return make_pipeline(FrameCoder(output="codes"), SimpleImputer(strategy="median"),
                             forest(n_estimators=300, n_jobs=-1, random_state=seed))
    if name == "constant":
        return make_pipeline(DummyClassifier(strategy="prior") if classify else DummyRegressor())
    raise ValueError(f"Unknown baseline {name!r}; expected lightgbm_default, rf300 or constant.")


class BaselineAdapter:
    """A scikit-learn pipeline behind the measure.Adapter protocol."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.name = config["options"]["model"]
        self.kind = config["kind"]
        self.seed = int(config["seed"])
        self.model: Pipeline | None = None
        self.classes: list[Any] = []

    def fit(self, X: pd.DataFrame, y: pd.Series) -> None:
        self.model = _build(self.name, self.kind, self.seed).fit(X, y)
        if self.kind != "regression":
            self.classes = list(self.model.classes_)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.model.predict(X)

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.model.predict_proba(X)

    def predict_one(self, row: pd.DataFrame, record: dict[str, Any]) -> Any:
        return self.predict(row) if self.kind == "regression" else self.predict_proba(row)

    def save(self, path: Path) -> None:
        path.mkdir(parents=True)
        joblib.dump(self.model, path / "model.joblib")

    def load(self, path: Path) -> BaselineAdapter:
        clone = BaselineAdapter.__new__(BaselineAdapter)
        # A baseline's own artifact, written by this run a moment ago: no bundle to verify.
        model = joblib.load(path / "model.joblib")  # noqa: TID251
        clone.__dict__.update(self.__dict__, model=model)
        return clone

    def describe(self) -> dict[str, Any]:
        return {"estimator": type(self.model.steps[-1][1]).__name__, "is_ensemble": False}

    def versions(self) -> dict[str, str]:
        return package_versions("lightgbm") if self.name == "lightgbm_default" else (
            package_versions())


if __name__ == "__main__":
    main(BaselineAdapter)
