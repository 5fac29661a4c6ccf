"""A fitted forecaster of one asset's next return, saved as a verified bundle, and its strategy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError
from jogak.models._artifacts import save_bundle
from jogak.solutions.markets._bundles import load_markets_object
from jogak.solutions.markets._forecast import (
    FIXED_WEIGHTS,
    MODEL_NAMES,
    input_kind,
    learn_weights,
    make_model,
    model_inputs,
)

__all__ = ["Forecaster", "ModelStrategy", "load_forecaster", "save_forecaster"]

BUNDLE_KIND = "jogak-markets-forecaster"


class Forecaster(BaseEstimator):
    """Predicts each bar's next ``horizon``-bar return from bars up to its close.

    ``fit(bars)`` learns from every bar whose label is known; ``predict(bars)`` returns one
    prediction per bar (NaN during the features' warm-up).

    Parameters
    ----------
    model : str, default "ensemble_fixed"
        One of ``persistence, drift, linear, lightgbm, xgboost, random_forest, lstm,
        ensemble_fixed, ensemble_learned``.
    horizon : int, default 1
    features : {"indicators", "alpha158"}
    sequence_length : int, default 20
    lstm_params : dict, optional
    validation_fraction : float, default 0.2
        Share of the bars used to learn the weights of ``ensemble_learned``.
    random_state : int, default 0

    Attributes
    ----------
    models_ : dict of str to estimator
    weights_ : dict of str to float
        Ensemble weights (``{model: 1.0}`` for a single model).
    prediction_scale_ : float
        Standard deviation of the in-sample predictions (the unit of confidence).
    train_end_ : pandas.Timestamp
        The last bar any training label used; bars after it are out of sample.
    """

    def __init__(self, *, model: str = "ensemble_fixed", horizon: int = 1,
                 features: Literal["indicators", "alpha158"] = "indicators",
                 sequence_length: int = 20, lstm_params: dict[str, Any] | None = None,
                 validation_fraction: float = 0.2, random_state: int = 0) -> None:
        self.model = model
        self.horizon = horizon
        self.features = features
        self.sequence_length = sequence_length
        self.lstm_params = lstm_params
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def _inputs(self, bars: pd.DataFrame) -> dict[str, pd.DataFrame]:
        return model_inputs(bars, features=self.features, horizon=self.horizon,
                            sequence_length=self.sequence_length)

    def _members(self) -> list[str]:
        if self.model not in MODEL_NAMES:
            raise ConfigError(f"Unknown model {self.model!r}; choose from {list(MODEL_NAMES)}.")
        return list(FIXED_WEIGHTS) if self.model.startswith("ensemble") else [self.model]

    def fit(self, bars: pd.DataFrame, y: Any = None) -> Forecaster:
        """Fit on every bar with a known label and usable features."""
        members = self._members()
        if not isinstance(self.horizon, int) or self.horizon < 1:
            raise ConfigError(f"horizon must be an integer >= 1, got {self.horizon!r}.")
        inputs = self._inputs(bars)
        label = bars["close"].shift(-self.horizon) / bars["close"] - 1.0
        usable = label.notna()
        for frame in inputs.values():
            usable &= frame.notna().all(axis=1)
        rows = np.flatnonzero(usable.to_numpy())
        if len(rows) < 20:
            raise ConfigError(f"Only {len(rows)} bars have usable features and a label; a "
                              "forecaster needs at least 20. Hint: give more history.")
        target = label.to_numpy()[rows]
        lstm = {"sequence_length": self.sequence_length, **(self.lstm_params or {})}
        protos = {name: make_model(name, random_state=self.random_state, lstm_params=lstm)
                  for name in members}
        if self.model == "ensemble_learned":
            n_fit = int(len(rows) * (1 - self.validation_fraction))
            if not 2 <= n_fit < len(rows):
                raise ConfigError("validation_fraction leaves no rows for the weights.")
            columns = []
            for name in members:
                view = inputs[input_kind(name)].iloc[rows]
                fitted = clone(protos[name]).fit(view.iloc[:n_fit], target[:n_fit])
                columns.append(np.asarray(fitted.predict(view.iloc[n_fit:]), dtype="float64"))
            learned = learn_weights(np.column_stack(columns), target[n_fit:])
            self.weights_ = dict(zip(members, learned.tolist(), strict=True))
        elif self.model == "ensemble_fixed":
            self.weights_ = dict(FIXED_WEIGHTS)
        else:
            self.weights_ = {self.model: 1.0}
        self.models_ = {name: clone(protos[name]).fit(inputs[input_kind(name)].iloc[rows],
                                                      target) for name in members}
        in_sample = self._combine(inputs, rows)
        self.prediction_scale_ = float(np.std(in_sample)) or 1.0
        self.n_bars_ = len(rows)
        # the last bar whose label was learned from: later bars are out of sample
        self.train_end_ = bars.index[rows[-1] + self.horizon]
        return self

    def _combine(self, inputs: dict[str, pd.DataFrame], rows: np.ndarray) -> np.ndarray:
        total = np.zeros(len(rows))
        for name, weight in self.weights_.items():
            if weight:
                view = inputs[input_kind(name)].iloc[rows]
                total += weight * np.asarray(self.models_[name].predict(view), dtype="float64")
        return total

    def predict(self, bars: pd.DataFrame) -> pd.Series:
        """Predicted ``horizon``-bar return at every bar (NaN where features are missing)."""
        check_is_fitted(self, "models_")
        inputs = self._inputs(bars)
        usable = pd.Series(True, index=bars.index)
        for name in self.weights_:
            usable &= inputs[input_kind(name)].notna().all(axis=1)
        rows = np.flatnonzero(usable.to_numpy())
        out = np.full(len(bars), np.nan)
        if len(rows):
            out[rows] = self._combine(inputs, rows)
        return pd.Series(out, index=bars.index, name="predicted_return")


def save_forecaster(forecaster: Forecaster, path: str | Path, *,
                    metrics: dict[str, Any] | None = None) -> Path:
    """Write a fitted forecaster as a verified bundle folder (manifest + sha256)."""
    check_is_fitted(forecaster, "models_")
    manifest = {"kind": BUNDLE_KIND, "name": f"markets-{forecaster.model}",
                "task": "regression", "target": f"next {forecaster.horizon}-bar return",
                "params": {k: v for k, v in forecaster.get_params().items()
                           if isinstance(v, str | int | float | dict | type(None))},
                "weights": forecaster.weights_, "n_bars": forecaster.n_bars_,
                "train_end": str(forecaster.train_end_),
                "seed": forecaster.random_state,
                "walk_forward": dict(metrics or {})}
    return save_bundle(path, objects={"forecaster": forecaster}, manifest=manifest)


def load_forecaster(path: str | Path) -> Forecaster:
    """Load a forecaster bundle after verifying its hashes and library versions.

    Raises
    ------
    BundleError
        Not a forecaster bundle, tampered with, or written by other library versions.
    """
    forecaster: Forecaster = load_markets_object(
        path, kind=BUNDLE_KIND, key="forecaster", what="forecaster",
        command="jogak markets forecast DATA --save PATH")
    return forecaster


@dataclass(frozen=True, kw_only=True)
class ModelStrategy:
    """Long when the forecast return exceeds ``threshold``, short (or flat) below ``-threshold``.

    The decision's magnitude (the confidence used by risk sizing) is the forecast divided by
    the standard deviation of the forecaster's in-sample forecasts.
    """

    forecaster: BaseEstimator
    threshold: float = 0.0
    allow_short: bool = False

    def decisions(self, bars: pd.DataFrame) -> pd.Series:
        """Signed confidence per bar; 0 where there is no forecast."""
        forecast = self.forecaster.predict(bars).fillna(0.0)
        scale = getattr(self.forecaster, "prediction_scale_", 1.0)
        side = np.where(forecast > self.threshold, 1.0,
                        np.where((forecast < -self.threshold) & self.allow_short, -1.0, 0.0))
        return pd.Series(side * np.abs(forecast.to_numpy()) / scale, index=bars.index,
                         name="decision")

