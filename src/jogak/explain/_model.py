"""What explaining needs from a fitted AutoML model: its checked input and its output spaces."""

from __future__ import annotations

import importlib
import warnings
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.special import logit

from jogak.data import ColumnRole, ColumnRoles, Task, coerce_frame
from jogak.errors import ConfigError, MissingDependencyError, NotFittedError, SchemaError
from jogak.models import AutoMLClassifier, AutoMLRegressor

__all__ = ["FittedModel", "Space", "fitted_model", "require_shap", "sample_rows"]

Space = Literal["log_odds", "probability", "raw", "log1p"]

# Probabilities this close to 0 or 1 have no finite log-odds in float64.
_PROBA_EPS = 1e-15


def require_shap() -> ModuleType:
    """Import :mod:`shap`, or say which extra installs it."""
    try:
        with warnings.catch_warnings():
            # shap's plotting colours call a matplotlib API that matplotlib >= 3.10 deprecates
            warnings.filterwarnings("ignore", message="The set_(bad|over|under) function",
                                    category=PendingDeprecationWarning)
            return importlib.import_module("shap")
    except ImportError as exc:
        raise MissingDependencyError(
            f"SHAP explanations need the optional package 'shap' ({exc}). Hint: install it "
            "with: pip install 'jogak[explain]'") from exc


@dataclass(frozen=True)
class FittedModel:
    """A fitted ``AutoMLClassifier``/``AutoMLRegressor`` seen by the explainers."""

    estimator: Any
    task: Task
    roles: ColumnRoles
    features: list[str]
    classes: np.ndarray | None
    log_target: bool

    @property
    def predictor(self) -> Any:
        """The fitted :class:`~jogak.models.automl._predictor.EnsemblePredictor`."""
        return self.estimator.ensemble_

    @property
    def is_binary(self) -> bool:
        return self.task is Task.BINARY

    @property
    def is_multiclass(self) -> bool:
        return self.task is Task.MULTICLASS

    def validated(self, X: Any, *, what: str = "X") -> pd.DataFrame:
        """``X`` checked against the model's feature schema: training columns, order, dtypes.

        Raises
        ------
        SchemaError
            A training column is missing (named in the message), or values cannot be read.
        """
        if isinstance(X, pd.Series):
            X = X.to_frame().T
        if not isinstance(X, pd.DataFrame):
            raise SchemaError(f"{what} must be a pandas DataFrame with the training columns "
                              f"{self.features[:10]}..., got {type(X).__name__}. Hint: load the "
                              "data with jogak.data.load.")
        if len(X) == 0:
            raise SchemaError(f"{what} has no rows; there is nothing to explain.")
        frame = X.copy()
        frame.columns = [str(c) for c in frame.columns]
        absent = [c for c in self.features if c not in frame.columns]
        if absent:
            raise SchemaError(
                f"{what} lacks the model's feature column(s) {absent}: the model was trained on "
                f"{len(self.features)} columns and needs all of them (values may be missing). "
                "Hint: add the column(s), filled with NaN if unknown.")
        return self.estimator.schema_.validate(frame).frame

    def coerced(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A validated frame in the dtypes the preprocessors were fitted on."""
        return coerce_frame(frame, self.roles)

    def default_space(self) -> Space:
        """The space of a model-agnostic explanation: probabilities, or the fitted target scale."""
        if self.task.is_classification:
            return "probability"
        return "log1p" if self.log_target else "raw"

    def output(self, coerced: pd.DataFrame, space: Space) -> np.ndarray:
        """The model's prediction in ``space``: ``(n,)``, or ``(n, k)`` for multiclass."""
        raw = self.predictor.predict_raw(coerced)
        if not self.task.is_classification:
            return np.asarray(raw, dtype=np.float64)
        proba = np.clip(raw, 0.0, 1.0)
        proba = proba / proba.sum(axis=1, keepdims=True)
        if self.is_multiclass:
            return proba
        if space == "log_odds":
            return np.asarray(logit(np.clip(proba[:, 1], _PROBA_EPS, 1.0 - _PROBA_EPS)))
        return proba[:, 1]

    def predictions(self, coerced: pd.DataFrame) -> np.ndarray:
        """What ``predict_proba`` (``(n, k)``) or ``predict`` (target scale, ``(n,)``) returns."""
        raw = self.predictor.predict_raw(coerced)
        if self.task.is_classification:
            proba = np.clip(raw, 0.0, 1.0)
            return np.asarray(proba / proba.sum(axis=1, keepdims=True))
        raw = np.asarray(raw, dtype=np.float64)
        return np.expm1(raw) if self.log_target else raw

    def scores(self, coerced: pd.DataFrame) -> np.ndarray:
        """One number per row to plot or compare: positive-class probability (binary), class
        probabilities ``(n, k)`` (multiclass), or the predicted value (regression)."""
        out = self.predictions(coerced)
        return out[:, 1] if self.is_binary else out

    def numeric_view(self, coerced: pd.DataFrame) -> pd.DataFrame:
        """Numbers for numeric, boolean and date columns (seconds); NaN for the others."""
        out = {}
        for column in self.features:
            role = self.roles.info[column].role
            values = coerced[column]
            if role is ColumnRole.DATETIME:
                stamps = pd.to_datetime(values, errors="coerce")
                numbers = (stamps - pd.Timestamp("1970-01-01")).dt.total_seconds()
                out[column] = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
            elif role in (ColumnRole.NUMERIC, ColumnRole.BOOLEAN):
                out[column] = pd.to_numeric(values, errors="coerce").to_numpy(
                    dtype=np.float64, na_value=np.nan)
            else:
                out[column] = np.full(len(values), np.nan)
        return pd.DataFrame(out, index=coerced.index)


def fitted_model(model: Any) -> FittedModel:
    """Unpack a fitted AutoML estimator (or a model loaded from a bundle).

    Raises
    ------
    NotFittedError
        ``model`` has not been fitted.
    ConfigError
        ``model`` is not a jogak AutoML estimator.
    """
    if not isinstance(model, AutoMLClassifier | AutoMLRegressor):
        raise ConfigError(f"Expected a fitted jogak AutoMLClassifier or AutoMLRegressor (or a "
                          f"bundle loaded with jogak.models.load_model), got "
                          f"{type(model).__name__}.")
    if not hasattr(model, "ensemble_") or not hasattr(model, "schema_"):
        raise NotFittedError(f"This {type(model).__name__} is not fitted yet. Call 'fit' first, "
                             "or load a bundle with jogak.models.load_model.")
    features = [str(c) for c in model.schema_.names]
    classes = np.asarray(model.classes_) if model.task_.is_classification else None
    return FittedModel(estimator=model, task=model.task_, roles=model.roles_, features=features,
                       classes=classes, log_target=bool(getattr(model, "log_target", False)))


def sample_rows(frame: pd.DataFrame, n_rows: int | None, random_state: int) -> pd.DataFrame:
    """At most ``n_rows`` rows of ``frame``, drawn without replacement (all when it is smaller)."""
    if n_rows is None or len(frame) <= n_rows:
        return frame
    if n_rows < 1:
        raise ConfigError(f"The number of rows to sample must be >= 1, got {n_rows}.")
    rng = np.random.default_rng(random_state)
    picked = np.sort(rng.choice(len(frame), size=n_rows, replace=False))
    return frame.iloc[picked]
