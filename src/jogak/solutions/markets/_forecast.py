"""Forecasting models of the next-period return: baselines, linear, trees, LSTM, ensembles.

Every model predicts the ``horizon``-bar simple return from bar t's close; prices and directions
are derived from it (``close_t (1 + r)`` and ``sign(r)``). Features at bar t use bars up to t.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.optimize import nnls
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.ensemble import RandomForestRegressor
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted, validate_data

from jogak.errors import ConfigError
from jogak.models._optional import require
from jogak.solutions.markets._alpha158 import alpha158_features
from jogak.solutions.markets._indicators import indicator_frame
from jogak.solutions.markets._lstm import LSTMRegressor

__all__ = ["BASE_MODELS", "FIXED_WEIGHTS", "MODEL_NAMES", "DriftForecaster",
           "PersistenceForecaster", "forecast_features", "input_kind", "lagged_windows",
           "learn_weights", "make_model", "model_inputs"]

BASE_MODELS = ("persistence", "drift", "linear", "lightgbm", "xgboost", "random_forest", "lstm")
MODEL_NAMES = (*BASE_MODELS, "ensemble_fixed", "ensemble_learned")
#: S4's ensemble: LSTM 0.4, random forest, XGBoost and LightGBM 0.2 each.
FIXED_WEIGHTS: Mapping[str, float] = {"lstm": 0.4, "random_forest": 0.2, "xgboost": 0.2,
                                      "lightgbm": 0.2}
LAST_RETURN = "last_return"
# stationary columns fed to the LSTM windows (levels would not survive Min-Max scaling)
LSTM_COLUMNS = ("ret1", "ret5", "rsi14", "macd_hist", "bb_percent", "atr14", "volatility20",
                "sma20_ratio")


def forecast_features(bars: pd.DataFrame, *, features: Literal["indicators", "alpha158"],
                      horizon: int) -> pd.DataFrame:
    """Features at each bar's close, plus ``last_return`` (the past ``horizon``-bar return,
    which the persistence baseline repeats)."""
    if features == "indicators":
        frame = indicator_frame(bars)
    elif features == "alpha158":
        frame = alpha158_features(bars).join(indicator_frame(bars)[list(LSTM_COLUMNS)])
    else:
        raise ConfigError(f"features must be 'indicators' or 'alpha158', got {features!r}.")
    frame[LAST_RETURN] = bars["close"] / bars["close"].shift(horizon) - 1.0
    return frame


def lagged_windows(frame: pd.DataFrame, sequence_length: int) -> pd.DataFrame:
    """Each row holds the last ``sequence_length`` rows of ``frame``, oldest first.

    Examples
    --------
    >>> lagged_windows(pd.DataFrame({"a": [1.0, 2.0, 3.0]}), 2).to_numpy().tolist()
    [[nan, 1.0], [1.0, 2.0], [2.0, 3.0]]
    """
    if sequence_length < 1:
        raise ConfigError(f"sequence_length must be >= 1, got {sequence_length}.")
    parts = [frame.shift(lag).add_suffix(f"_lag{lag}")
             for lag in range(sequence_length - 1, -1, -1)]
    return pd.concat(parts, axis=1)


class PersistenceForecaster(RegressorMixin, BaseEstimator):
    """Predicts that the last ``horizon``-bar return repeats (the ``last_return`` column)."""

    def __init__(self, *, column: str = LAST_RETURN) -> None:
        self.column = column

    def fit(self, X: pd.DataFrame, y: Any = None) -> PersistenceForecaster:
        """Check the column exists."""
        if self.column not in X.columns:
            raise ConfigError(f"PersistenceForecaster needs the column {self.column!r}.")
        self.is_fitted_ = True
        return self

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """The column's values."""
        check_is_fitted(self, "is_fitted_")
        return X[self.column].to_numpy(dtype="float64")


class DriftForecaster(RegressorMixin, BaseEstimator):
    """Predicts the mean training return (a random walk with drift); ``X`` only gives the rows.

    Attributes
    ----------
    mean_ : float
        The mean of the training targets.
    n_features_in_ : int

    Examples
    --------
    >>> DriftForecaster().fit(np.zeros((3, 1)), [0.01, 0.03, 0.02]).predict(np.zeros((2, 1)))
    array([0.02, 0.02])
    """

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # the features are never read
        tags.regressor_tags.poor_score = True  # a baseline, as DummyRegressor
        return tags

    def fit(self, X: Any, y: Any) -> DriftForecaster:
        """Learn the mean of ``y``."""
        _, y = validate_data(self, X, y, y_numeric=True, ensure_all_finite=False)
        self.mean_ = float(np.mean(np.asarray(y, dtype="float64")))
        return self

    def predict(self, X: Any) -> np.ndarray:
        """The mean, once per row."""
        check_is_fitted(self, "mean_")
        X = validate_data(self, X, reset=False, ensure_all_finite=False)
        return np.full(X.shape[0], self.mean_)


def make_model(name: str, *, random_state: int = 0, n_jobs: int = 1,
               lstm_params: Mapping[str, Any] | None = None) -> BaseEstimator:
    """A fresh, unfitted estimator for one of :data:`BASE_MODELS`.

    Trees are kept small and regularised (returns are mostly noise); the LSTM takes its
    parameters from ``lstm_params``.
    """
    if name == "persistence":
        return PersistenceForecaster()
    if name == "drift":
        return DriftForecaster()
    if name == "linear":
        return make_pipeline(StandardScaler(), Ridge(alpha=10.0))
    if name == "random_forest":
        return RandomForestRegressor(n_estimators=100, min_samples_leaf=50, max_features=0.3,
                                     max_samples=0.5, random_state=random_state, n_jobs=n_jobs)
    if name == "lightgbm":
        lightgbm = require("lightgbm", extra="lightgbm", purpose="the lightgbm forecaster")
        return lightgbm.LGBMRegressor(n_estimators=200, learning_rate=0.02, num_leaves=15,
                                      min_child_samples=50, subsample=0.8, subsample_freq=1,
                                      colsample_bytree=0.5, reg_lambda=1.0,
                                      random_state=random_state, n_jobs=n_jobs, verbose=-1)
    if name == "xgboost":
        xgboost = require("xgboost", extra="xgboost", purpose="the xgboost forecaster")
        return xgboost.XGBRegressor(n_estimators=200, learning_rate=0.02, max_depth=3,
                                    min_child_weight=50, subsample=0.8, colsample_bytree=0.5,
                                    random_state=random_state, n_jobs=n_jobs)
    if name == "lstm":
        return LSTMRegressor(**{"random_state": random_state, **dict(lstm_params or {})})
    raise ConfigError(f"Unknown model {name!r}; choose from {list(MODEL_NAMES)}.")


def learn_weights(predictions: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Non-negative weights summing to 1 that best combine the columns of ``predictions``
    (least squares against ``target``); equal weights if all come out 0.

    Examples
    --------
    >>> preds = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 1.0]])
    >>> learn_weights(preds, np.array([1.0, 2.0, 3.0])).round(3).tolist()
    [1.0, 0.0]
    """
    predictions = np.asarray(predictions, dtype="float64")
    weights, _ = nnls(predictions, np.asarray(target, dtype="float64"))
    total = weights.sum()
    return weights / total if total > 0 else np.full(predictions.shape[1],
                                                     1.0 / predictions.shape[1])


def model_inputs(bars: pd.DataFrame, *, features: Literal["indicators", "alpha158"],
                 horizon: int, sequence_length: int) -> dict[str, pd.DataFrame]:
    """The inputs of each kind of model at every bar: ``"table"`` (features for linear and
    trees), ``"windows"`` (flattened windows for the LSTM) and ``"last"`` (``last_return``)."""
    base = forecast_features(bars, features=features, horizon=horizon)
    return {"table": base.drop(columns=[LAST_RETURN]),
            "windows": lagged_windows(base[list(LSTM_COLUMNS)], sequence_length),
            "last": base[[LAST_RETURN]]}


def input_kind(name: str) -> str:
    """Which of :func:`model_inputs`' frames a base model reads."""
    return {"lstm": "windows", "persistence": "last"}.get(name, "table")
