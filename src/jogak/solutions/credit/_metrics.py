"""Discrimination (AUC, Gini, KS) and calibration of a probability of default."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score, roc_curve

from jogak.errors import SchemaError, TargetError

__all__ = ["calibration_table", "discrimination", "ks_statistic"]


def _checked(y: Any, pd_bad: Any) -> tuple[np.ndarray, np.ndarray]:
    target = np.asarray(y, dtype=np.float64)
    proba = np.asarray(pd_bad, dtype=np.float64)
    if target.shape != proba.shape or target.ndim != 1:
        raise SchemaError(f"y and the probabilities must be 1-D of the same length, got "
                          f"{target.shape} and {proba.shape}.")
    if not np.isin(target, (0.0, 1.0)).all():
        raise TargetError("y must be 0/1 (1 = bad).")
    if np.unique(target).size < 2:
        raise TargetError("Discrimination needs both goods and bads in y; got one class only.")
    if not np.isfinite(proba).all():
        raise SchemaError("The probabilities hold missing or infinite values.")
    return target, proba


def ks_statistic(y: Any, pd_bad: Any) -> float:
    """Kolmogorov-Smirnov statistic: the largest gap between the score CDFs of bads and goods.

    Equal to ``max(TPR - FPR)`` over all thresholds, and to the two-sample KS statistic of the
    bads' and goods' probabilities.

    Examples
    --------
    >>> ks_statistic([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    0.5
    """
    target, proba = _checked(y, pd_bad)
    fpr, tpr, _ = roc_curve(target, proba)
    return float(np.max(tpr - fpr))


def discrimination(y: Any, pd_bad: Any) -> dict[str, float]:
    """AUC, Gini (``2 * AUC - 1``) and KS of probabilities of default against 0/1 outcomes.

    Examples
    --------
    >>> discrimination([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9])
    {'auc': 0.75, 'gini': 0.5, 'ks': 0.5}
    """
    target, proba = _checked(y, pd_bad)
    auc = float(roc_auc_score(target, proba))
    return {"auc": auc, "gini": 2.0 * auc - 1.0, "ks": ks_statistic(target, proba)}


def calibration_table(y: Any, pd_bad: Any, *, n_bins: int = 10) -> tuple[pd.DataFrame,
                                                                           dict[str, float]]:
    """Predicted against observed bad rates in quantile bins of the prediction, and a summary.

    Parameters
    ----------
    y : array-like of 0/1
    pd_bad : array-like of float
        Predicted probability of bad.
    n_bins : int, default=10
        Quantile bins (ties can make fewer).

    Returns
    -------
    table : pandas.DataFrame
        ``bin, count, mean_predicted, observed_bad_rate`` per bin, lowest risk first.
    summary : dict
        ``brier``; ``ece`` (count-weighted mean gap between predicted and observed);
        ``mean_predicted`` and ``observed_bad_rate`` (calibration in the large); ``slope`` and
        ``intercept`` of the logistic recalibration ``logit(observed) ~ a + b * logit(p)``
        (1 and 0 when perfectly calibrated).
    """
    if int(n_bins) < 2:
        raise SchemaError(f"n_bins must be >= 2, got {n_bins!r}.")
    target, proba = _checked(y, pd_bad)
    ranks = pd.Series(proba).rank(method="first").to_numpy()
    bins = np.minimum((ranks - 1) * int(n_bins) // len(proba), int(n_bins) - 1).astype(int)
    frame = pd.DataFrame({"bin": bins, "p": proba, "y": target})
    table = frame.groupby("bin").agg(count=("y", "size"), mean_predicted=("p", "mean"),
                                     observed_bad_rate=("y", "mean")).reset_index()
    gap = (table["mean_predicted"] - table["observed_bad_rate"]).abs()
    slope, intercept = _recalibration(target, proba)
    summary = {
        "brier": float(np.mean((proba - target) ** 2)),
        "ece": float(np.average(gap, weights=table["count"])),
        "mean_predicted": float(proba.mean()),
        "observed_bad_rate": float(target.mean()),
        "slope": slope,
        "intercept": intercept,
    }
    return table, summary


def _recalibration(target: np.ndarray, proba: np.ndarray) -> tuple[float, float]:
    """Slope and intercept of an unpenalised logistic fit of y on logit(p) (Newton steps)."""
    p = np.clip(proba, 1e-9, 1 - 1e-9)
    design = np.column_stack([np.ones_like(p), np.log(p / (1 - p))])
    beta = np.array([0.0, 1.0])
    for _ in range(50):
        mu = 1.0 / (1.0 + np.exp(-(design @ beta)))
        gradient = design.T @ (target - mu)
        hessian = design.T @ (design * (mu * (1 - mu))[:, None])
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            break
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    return float(beta[1]), float(beta[0])
