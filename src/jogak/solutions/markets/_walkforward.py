"""Walk-forward evaluation of return forecasts: expanding or rolling windows with a gap."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import clone

from jogak.errors import ConfigError
from jogak.solutions.markets._forecast import (
    BASE_MODELS,
    FIXED_WEIGHTS,
    MODEL_NAMES,
    input_kind,
    learn_weights,
    make_model,
    model_inputs,
)
from jogak.solutions.markets._forecast_metrics import forecast_metrics

__all__ = ["WalkForward", "WalkForwardResult", "walk_forward"]


@dataclass(frozen=True, kw_only=True)
class WalkForward:
    """Time-ordered train/test splits, never random.

    Parameters
    ----------
    n_splits : int, default 5
        Consecutive test blocks covering the end of the series.
    mode : {"expanding", "rolling"}, default "expanding"
        Training starts at the first row, or keeps only the last ``train_size`` rows.
    test_size : int, optional
        Rows per test block; the last ``n_splits`` blocks split the rows after ``min_train``
        evenly when omitted.
    train_size : int, optional
        Rows per training window in rolling mode (required there).
    gap : int, default 0
        Rows dropped between training and test. With a ``horizon``-bar label, use
        ``gap >= horizon - 1`` so that no training label overlaps the test period (checked
        by :func:`walk_forward`).
    min_train : int, default 100
    """

    n_splits: int = 5
    mode: Literal["expanding", "rolling"] = "expanding"
    test_size: int | None = None
    train_size: int | None = None
    gap: int = 0
    min_train: int = 100

    def __post_init__(self) -> None:
        if self.mode not in ("expanding", "rolling"):
            raise ConfigError(f"mode must be 'expanding' or 'rolling', got {self.mode!r}.")
        if self.n_splits < 1 or self.gap < 0 or self.min_train < 2:
            raise ConfigError("n_splits must be >= 1, gap >= 0 and min_train >= 2; got "
                              f"{self.n_splits}, {self.gap}, {self.min_train}.")
        if self.mode == "rolling" and (self.train_size is None or self.train_size < 2):
            raise ConfigError("mode='rolling' needs train_size >= 2.")
        if self.test_size is not None and self.test_size < 1:
            raise ConfigError(f"test_size must be >= 1, got {self.test_size}.")

    def split(self, n_rows: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """(train, test) row positions for ``n_rows`` rows in time order.

        Examples
        --------
        >>> [(tr.tolist(), te.tolist()) for tr, te in
        ...  WalkForward(n_splits=2, test_size=2, gap=1, min_train=2).split(8)]
        [([0, 1, 2], [4, 5]), ([0, 1, 2, 3, 4], [6, 7])]
        """
        first_test = self.min_train + self.gap
        test_size = self.test_size or (n_rows - first_test) // self.n_splits
        if test_size < 1 or n_rows - self.n_splits * test_size < first_test:
            raise ConfigError(f"{n_rows} rows are too few for {self.n_splits} test blocks of "
                              f"{test_size} after {self.min_train} training rows and a gap of "
                              f"{self.gap}. Hint: lower n_splits, test_size or min_train.")
        splits = []
        for k in range(self.n_splits):
            start = n_rows - (self.n_splits - k) * test_size
            end = start + test_size
            train_end = start - self.gap
            train_start = 0 if self.mode == "expanding" else max(0,
                                                                 train_end - self.train_size)
            splits.append((np.arange(train_start, train_end), np.arange(start, end)))
        return splits


@dataclass(frozen=True)
class WalkForwardResult:
    """Out-of-sample predictions and metrics of every model.

    Attributes
    ----------
    predictions : pandas.DataFrame
        Indexed by timestamp (test rows only): ``actual``, ``close``, ``fold`` and one column per
        model (predicted ``horizon``-bar return).
    metrics : pandas.DataFrame
        One row per model: ``n, mse, mae, r2, mape, directional_accuracy, n_directional,
        p_value, mae_ratio`` (MAE over the persistence MAE, on returns).
    weights : pandas.DataFrame
        The learned ensemble's weights per fold (empty when not evaluated).
    lstm_history : list of list of dict
        The LSTM's train/validation loss per epoch, per fold.
    """

    predictions: pd.DataFrame
    metrics: pd.DataFrame
    weights: pd.DataFrame
    lstm_history: list[list[dict[str, float]]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready metrics and mean learned weights."""
        metrics = self.metrics.astype(object).where(self.metrics.notna(), None)
        return {"metrics": metrics.to_dict(orient="index"),
                "learned_weights": self.weights.mean().to_dict() if len(self.weights) else {}}


def walk_forward(bars: pd.DataFrame, *, models: Sequence[str] = MODEL_NAMES,
                 splitter: WalkForward | None = None, horizon: int = 1,
                 target: Literal["return", "price", "direction"] = "return",
                 features: Literal["indicators", "alpha158"] = "indicators",
                 sequence_length: int = 20, lstm_params: dict[str, Any] | None = None,
                 validation_fraction: float = 0.2, random_state: int = 0,
                 progress: Callable[[str], None] | None = None) -> WalkForwardResult:
    """Fit and score each model on consecutive time-ordered folds.

    The label at bar t is the return from close t to close t + ``horizon``. Base models are
    refitted on each training window; ``ensemble_fixed`` averages LSTM 0.4, random forest,
    XGBoost and LightGBM 0.2 each (S4); ``ensemble_learned`` fits the four on the first
    ``1 - validation_fraction`` of the training window, learns non-negative weights summing to
    1 on the rest, and applies them to the models refitted on the whole window.

    Parameters
    ----------
    bars : pandas.DataFrame
        Repaired OHLCV bars of one asset.
    models : sequence of str
        Any of ``persistence, drift, linear, lightgbm, xgboost, random_forest, lstm,
        ensemble_fixed, ensemble_learned``.
    splitter : WalkForward, optional
        Default: 5 expanding folds with ``gap = horizon - 1``.
    horizon : int, default 1
    target : {"return", "price", "direction"}
        The space the errors are reported in (see :func:`forecast_metrics`).
    features : {"indicators", "alpha158"}
    sequence_length : int, default 20
        Bars per LSTM window.
    lstm_params : dict, optional
        Passed to :class:`LSTMRegressor` (e.g. ``{"epochs": 5}``).
    validation_fraction : float, default 0.2
        Share of each training window used to learn the ensemble weights.
    random_state : int, default 0
    progress : callable, optional
        Called with a short message before each fold and model.

    Returns
    -------
    WalkForwardResult

    Raises
    ------
    ConfigError
        Unknown models, a gap shorter than ``horizon - 1``, or too few rows.
    """
    unknown = sorted(set(models) - set(MODEL_NAMES))
    if unknown or not models:
        raise ConfigError(f"Unknown models {unknown}; choose from {list(MODEL_NAMES)}.")
    if target not in ("return", "price", "direction"):
        raise ConfigError(f"target must be 'return', 'price' or 'direction', got {target!r}.")
    if horizon < 1:
        raise ConfigError(f"horizon must be >= 1, got {horizon}.")
    splitter = splitter or WalkForward(gap=horizon - 1)
    if splitter.gap < horizon - 1:
        raise ConfigError(f"gap={splitter.gap} lets training labels overlap the test period; "
                          f"a {horizon}-bar label needs gap >= {horizon - 1}.")
    ensembles = [m for m in models if m.startswith("ensemble")]
    needed = list(dict.fromkeys([m for m in models if m in BASE_MODELS] + (
        list(FIXED_WEIGHTS) if ensembles else []) + ["persistence"]))
    lstm = {"sequence_length": sequence_length, **(lstm_params or {})}
    inputs = model_inputs(bars, features=features, horizon=horizon,
                          sequence_length=sequence_length)
    label = bars["close"].shift(-horizon) / bars["close"] - 1.0
    usable = label.notna()
    for frame in inputs.values():
        usable &= frame.notna().all(axis=1)
    rows = np.flatnonzero(usable.to_numpy())
    y = label.to_numpy()[rows]
    data = {kind: frame.iloc[rows] for kind, frame in inputs.items()}
    protos = {name: make_model(name, random_state=random_state, lstm_params=lstm)
              for name in needed}
    out = {name: np.full(len(rows), np.nan) for name in needed + ensembles}
    fold = np.full(len(rows), -1)
    weight_rows, histories = [], []
    for k, (train, test) in enumerate(splitter.split(len(rows))):
        fold[test] = k
        fitted_preds: dict[str, np.ndarray] = {}
        for name in needed:
            if progress is not None:
                progress(f"fold {k + 1}: {name}")
            view = data[input_kind(name)]
            model = clone(protos[name]).fit(view.iloc[train], y[train])
            fitted_preds[name] = np.asarray(model.predict(view.iloc[test]), dtype="float64")
            if name == "lstm":
                histories.append(model.history_)
        for name in needed:
            out[name][test] = fitted_preds[name]
        if "ensemble_fixed" in ensembles:
            out["ensemble_fixed"][test] = sum(w * fitted_preds[n]
                                              for n, w in FIXED_WEIGHTS.items())
        if "ensemble_learned" in ensembles:
            weights = _inner_weights(protos, data, y, train, validation_fraction, progress, k)
            weight_rows.append(weights)
            out["ensemble_learned"][test] = sum(weights[n] * fitted_preds[n] for n in weights)
    tested = fold >= 0
    index = bars.index[rows][tested]
    predictions = pd.DataFrame({"actual": y[tested], "close": bars["close"].to_numpy()[rows][
        tested], "fold": fold[tested], **{n: out[n][tested] for n in list(models)}},
        index=index)
    persistence_pred = out["persistence"][tested]
    return WalkForwardResult(predictions, _score(predictions, list(models), target,
                                                 persistence_pred),
                             pd.DataFrame(weight_rows), histories)


def _inner_weights(protos: dict[str, Any], data: dict[str, pd.DataFrame], y: np.ndarray,
                   train: np.ndarray, validation_fraction: float,
                   progress: Callable[[str], None] | None, k: int) -> dict[str, float]:
    n_fit = int(len(train) * (1 - validation_fraction))
    if n_fit < 2 or n_fit >= len(train):
        raise ConfigError("validation_fraction leaves no rows to fit or to learn the weights.")
    inner_fit, inner_val = train[:n_fit], train[n_fit:]
    columns = []
    for name in FIXED_WEIGHTS:
        if progress is not None:
            progress(f"fold {k + 1}: {name} (for the learned weights)")
        view = data[input_kind(name)]
        model = clone(protos[name]).fit(view.iloc[inner_fit], y[inner_fit])
        columns.append(np.asarray(model.predict(view.iloc[inner_val]), dtype="float64"))
    weights = learn_weights(np.column_stack(columns), y[inner_val])
    return dict(zip(FIXED_WEIGHTS, weights.tolist(), strict=True))


def _score(predictions: pd.DataFrame, models: list[str], target: str,
           persistence: np.ndarray) -> pd.DataFrame:
    actual = predictions["actual"].to_numpy()
    close = predictions["close"].to_numpy()
    base_mae = float(np.mean(np.abs(persistence - actual)))
    rows = {}
    for name in models:
        pred = predictions[name].to_numpy()
        scores = forecast_metrics(actual, pred, close=close, target=target)
        scores["mae_ratio"] = float(np.mean(np.abs(pred - actual))) / base_mae if base_mae else (
            float("nan"))
        rows[name] = scores
    return pd.DataFrame.from_dict(rows, orient="index")
