"""Cross-sectional forecasts on a panel of assets: walk-forward by date, IC / Rank IC / ICIR.

The set-up follows Qlib's Alpha158 benchmark: Alpha158-style features at each date's close,
the label ``close[t+2] / close[t+1] - 1`` (a decision at t's close trades at t+1), the training
label ranked and standardised within each date (Qlib's ``CSRankNorm``), and the daily
cross-sectional IC of the predictions against the raw label.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from jogak.errors import ConfigError
from jogak.models._optional import require
from jogak.solutions.markets._alpha158 import WINDOWS, alpha158_panel, next_return_label
from jogak.solutions.markets._forecast_metrics import ic_summary, information_coefficients
from jogak.solutions.markets._repair import MarketDataError
from jogak.solutions.markets._walkforward import WalkForward

__all__ = ["PANEL_MODELS", "PanelForecastResult", "panel_walk_forward"]

PANEL_MODELS = ("momentum", "linear", "lightgbm")
MOMENTUM_BARS = 20


def _panel_model(name: str, random_state: int, n_jobs: int) -> BaseEstimator:
    if name == "linear":
        return make_pipeline(SimpleImputer(strategy="median"), StandardScaler(),
                             Ridge(alpha=100.0))
    lightgbm = require("lightgbm", extra="lightgbm", purpose="the panel lightgbm model")
    # shallow, heavily regularised trees: the cross-sectional signal is weak and noisy
    return lightgbm.LGBMRegressor(n_estimators=300, learning_rate=0.03, num_leaves=31,
                                  min_child_samples=500, subsample=0.8, subsample_freq=1,
                                  colsample_bytree=0.7, reg_lambda=10.0, n_jobs=n_jobs,
                                  random_state=random_state, verbose=-1)


def _rank_norm(values: pd.Series, dates: np.ndarray) -> np.ndarray:
    """Within-date percentile ranks, centred and scaled to unit std (Qlib's CSRankNorm)."""
    ranks = values.groupby(dates).rank(pct=True)
    return ((ranks - 0.5) * 3.46).to_numpy(dtype="float64")


@dataclass(frozen=True)
class PanelForecastResult:
    """Out-of-sample cross-sectional predictions and their information coefficients.

    Attributes
    ----------
    predictions : pandas.DataFrame
        Indexed by ``(symbol, timestamp)`` (test dates only): ``label`` (raw next return as
        Qlib defines it), ``fold`` and one column per model.
    per_date : dict of str to pandas.DataFrame
        Per model, the daily ``ic`` and ``rank_ic``.
    summary : pandas.DataFrame
        One row per model: ``ic, icir, rank_ic, rank_icir, n_dates``.
    """

    predictions: pd.DataFrame
    per_date: dict[str, pd.DataFrame]
    summary: pd.DataFrame

    def to_dict(self) -> dict[str, Any]:
        """The summary as ``{model: {metric: value}}``."""
        return {"summary": self.summary.to_dict(orient="index")}


def panel_walk_forward(panel: pd.DataFrame, *, models: Sequence[str] = PANEL_MODELS,
                       splitter: WalkForward | None = None, horizon: int = 1,
                       windows: Sequence[int] = WINDOWS, random_state: int = 0,
                       n_jobs: int = 1,
                       progress: Callable[[str], None] | None = None) -> PanelForecastResult:
    """Walk-forward, by date, cross-sectional forecasts of a panel, scored by daily IC.

    Dates are split in time order (``splitter`` counts dates, not rows); every asset of a
    training date is in training. The label of date t is the return from close t+1 to close
    t+1+``horizon``, known only at that close. With ``gap`` dates dropped between training
    and test, the last training label ends at the close of (first test date - gap +
    ``horizon``), so ``gap >= horizon`` is required: no training label ends after the first
    test decision. The default, ``horizon + 1``, drops the label's whole span (2 dates for
    Qlib's label).

    Parameters
    ----------
    panel : pandas.DataFrame
        Repaired bars indexed by ``(symbol, timestamp)`` (see :func:`load_panel`).
    models : sequence of str
        ``momentum`` (the past 20-bar return, no fitting), ``linear`` (ridge on standardised
        features, median-imputed), ``lightgbm``. The fitted models learn the label ranked
        within each date (Qlib's ``CSRankNorm``).
    splitter : WalkForward, optional
        Default: 5 expanding blocks, ``min_train=250`` dates, ``gap=horizon + 1``.
    horizon : int, default 1
    windows : sequence of int
        Alpha158 rolling windows.
    random_state : int, default 0
    n_jobs : int, default 1
        LightGBM threads.
    progress : callable, optional
        Called with a short message before each fold and model.

    Returns
    -------
    PanelForecastResult

    Raises
    ------
    ConfigError
        Unknown models, a gap shorter than ``horizon``, too few dates.
    MarketDataError
        Not a ``(symbol, timestamp)`` panel, or no date with two assets.
    """
    unknown = sorted(set(models) - set(PANEL_MODELS))
    if unknown or not models:
        raise ConfigError(f"Unknown panel models {unknown}; choose from {list(PANEL_MODELS)}.")
    if not isinstance(horizon, int | np.integer) or horizon < 1:
        raise ConfigError(f"horizon must be an integer >= 1, got {horizon!r}.")
    splitter = splitter or WalkForward(n_splits=5, min_train=250, gap=horizon + 1)
    if splitter.gap < horizon:
        raise ConfigError(f"gap={splitter.gap} dates lets training labels end after the first "
                          f"test decision; a label from t+1 to t+{horizon + 1} needs gap >= "
                          f"{horizon}.")
    if not isinstance(panel.index, pd.MultiIndex) or panel.index.nlevels != 2:
        raise MarketDataError("panel_walk_forward needs a (symbol, timestamp) MultiIndex; "
                              "use load_panel.")
    panel = panel.sort_index()
    features = alpha158_panel(panel, windows=windows)
    label = next_return_label(panel["close"], horizon=horizon, start=1)
    dates = panel.index.get_level_values(1)
    unique_dates = np.unique(dates.to_numpy())
    date_position = np.searchsorted(unique_dates, dates.to_numpy())
    momentum = panel["close"] / panel["close"].groupby(level=0).shift(MOMENTUM_BARS) - 1.0
    matrix = features.to_numpy(dtype="float32")
    labelled = label.notna().to_numpy()
    out = {name: np.full(len(panel), np.nan) for name in models}
    fold = np.full(len(panel), -1)
    for k, (train_dates, test_dates) in enumerate(splitter.split(len(unique_dates))):
        test = np.isin(date_position, test_dates)
        train = np.isin(date_position, train_dates) & labelled
        fold[test] = k
        if not train.any():
            raise ConfigError(f"Fold {k + 1} has no labelled training rows.")
        target = _rank_norm(label[train], date_position[train])
        for name in models:
            if progress is not None:
                progress(f"fold {k + 1}: {name}")
            if name == "momentum":
                out[name][test] = momentum.to_numpy()[test]
                continue
            model = _panel_model(name, random_state, n_jobs).fit(matrix[train], target)
            out[name][test] = model.predict(matrix[test])
    tested = fold >= 0
    predictions = pd.DataFrame({"label": label.to_numpy()[tested], "fold": fold[tested],
                                **{name: out[name][tested] for name in models}},
                               index=panel.index[tested])
    test_dates_of_rows = predictions.index.get_level_values(1)
    per_date = {name: information_coefficients(predictions[name], predictions["label"],
                                               test_dates_of_rows) for name in models}
    summary = pd.DataFrame.from_dict({name: ic_summary(table) for name, table in
                                      per_date.items()}, orient="index")
    return PanelForecastResult(predictions, per_date, summary)
