"""Forecast metrics: errors, directional accuracy with a binomial p-value, IC/Rank IC/ICIR."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from jogak.solutions.markets._repair import MarketDataError

__all__ = ["directional_accuracy", "forecast_metrics", "information_coefficients", "ic_summary"]


def directional_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> tuple[float, int, float]:
    """Share of bars whose predicted sign matches the realised one, and its p-value.

    Bars with a zero realised or predicted move are left out. The p-value is the one-sided
    binomial test against a coin (``p = 0.5``): the chance of at least this many hits with no
    skill.

    Returns
    -------
    accuracy : float
    n : int
        Bars counted.
    p_value : float

    Examples
    --------
    >>> acc, n, p = directional_accuracy(np.array([1., -1, 1, 1]), np.array([2., -1, -3, 1]))
    >>> acc, n, round(p, 4)
    (0.75, 4, 0.3125)
    """
    true_sign, pred_sign = np.sign(y_true), np.sign(y_pred)
    counted = (true_sign != 0) & (pred_sign != 0)
    n = int(counted.sum())
    if n == 0:
        return float("nan"), 0, float("nan")
    hits = int((true_sign[counted] == pred_sign[counted]).sum())
    p_value = stats.binomtest(hits, n, 0.5, alternative="greater").pvalue
    return hits / n, n, float(p_value)


def forecast_metrics(y_true: np.ndarray, y_pred: np.ndarray, *, close: np.ndarray,
                     target: str = "return") -> dict[str, Any]:
    """Errors of return forecasts, in the space of ``target``.

    ``target="return"`` scores the returns themselves; ``"price"`` the implied prices
    ``close (1 + r)``; ``"direction"`` only the directional figures. MAPE is always on implied
    prices (returns near 0 make it meaningless on returns).

    Returns
    -------
    dict
        ``n, mse, mae, r2, mape, directional_accuracy, n_directional, p_value``.
    """
    y_true = np.asarray(y_true, dtype="float64")
    y_pred = np.asarray(y_pred, dtype="float64")
    close = np.asarray(close, dtype="float64")
    if not (len(y_true) == len(y_pred) == len(close)) or len(y_true) == 0:
        raise MarketDataError("y_true, y_pred and close must be non-empty and of equal length.")
    price_true, price_pred = close * (1 + y_true), close * (1 + y_pred)
    accuracy, n_dir, p_value = directional_accuracy(y_true, y_pred)
    out: dict[str, Any] = {"n": len(y_true), "mape": float(np.mean(
        np.abs(price_pred - price_true) / price_true)), "directional_accuracy": accuracy,
        "n_directional": n_dir, "p_value": p_value}
    if target != "direction":
        actual, forecast = (price_true, price_pred) if target == "price" else (y_true, y_pred)
        error = forecast - actual
        spread = np.sum((actual - actual.mean()) ** 2)
        out.update({"mse": float(np.mean(error**2)), "mae": float(np.mean(np.abs(error))),
                    "r2": float(1 - np.sum(error**2) / spread) if spread > 0 else float("nan")})
    return out


def information_coefficients(prediction: pd.Series, label: pd.Series,
                             dates: pd.Series | pd.Index) -> pd.DataFrame:
    """Per-date cross-sectional IC (Pearson) and Rank IC (Spearman), as Qlib computes them.

    Dates with fewer than two assets, or a constant prediction or label, are left out.

    Returns
    -------
    pandas.DataFrame
        Indexed by date, columns ``ic`` and ``rank_ic``.
    """
    frame = pd.DataFrame({"pred": np.asarray(prediction, dtype="float64"),
                          "label": np.asarray(label, dtype="float64"),
                          "date": np.asarray(dates)}).dropna()
    frame = frame[frame.groupby("date")["pred"].transform("size") >= 2]
    if frame.empty:
        raise MarketDataError("No date has two or more assets with a prediction and a label.")
    ranked = frame.assign(pred=frame.groupby("date")["pred"].rank(),
                          label=frame.groupby("date")["label"].rank())

    def pearson(group: pd.DataFrame) -> float:
        a, b = group["pred"].to_numpy(), group["label"].to_numpy()
        if a.std() == 0 or b.std() == 0:
            return float("nan")
        return float(np.corrcoef(a, b)[0, 1])

    ic = frame.groupby("date")[["pred", "label"]].apply(pearson)
    rank_ic = ranked.groupby("date")[["pred", "label"]].apply(pearson)
    return pd.DataFrame({"ic": ic, "rank_ic": rank_ic}).dropna(how="all")


def ic_summary(per_date: pd.DataFrame) -> dict[str, float]:
    """Mean IC and Rank IC, and ICIR / Rank ICIR = mean / std (ddof=1) over dates (Qlib).

    Examples
    --------
    >>> ic_summary(pd.DataFrame({"ic": [0.1, 0.0, 0.05], "rank_ic": [0.2, 0.0, 0.1]}))
    {'ic': 0.05, 'icir': 1.0, 'rank_ic': 0.1, 'rank_icir': 1.0, 'n_dates': 3}
    """
    ic, rank_ic = per_date["ic"].dropna(), per_date["rank_ic"].dropna()
    return {"ic": round(float(ic.mean()), 12), "icir": round(float(ic.mean() / ic.std()), 12),
            "rank_ic": round(float(rank_ic.mean()), 12),
            "rank_icir": round(float(rank_ic.mean() / rank_ic.std()), 12),
            "n_dates": len(per_date)}
