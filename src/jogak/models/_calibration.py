"""Calibration of binary probabilities: reliability curve and Brier score."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd

from jogak.errors import ConfigError
from jogak.models._thresholds import _binary_inputs

__all__ = ["brier_score", "calibration_curve"]


def brier_score(y: Any, proba: Any) -> float:
    """Mean squared difference between the positive-class probability and the 0/1 outcome.

    0 is perfect; always predicting the base rate ``r`` scores ``r (1 - r)``. Rows with a NaN
    probability are left out.

    Examples
    --------
    >>> brier_score([1, 0], [0.8, 0.4])
    0.1
    """
    labels, scores = _binary_inputs(y, proba)
    return float(np.mean((scores - labels) ** 2))


def calibration_curve(y: Any, proba: Any, *, n_bins: int = 10,
                      strategy: Literal["quantile", "uniform"] = "quantile") -> pd.DataFrame:
    """Observed positive rate against mean predicted probability, per probability bin.

    Parameters
    ----------
    y : array-like of shape (n,)
        0/1 labels.
    proba : array-like of shape (n,) or (n, 2)
        Positive-class probabilities (use out-of-fold predictions).
    n_bins : int, default 10
        Number of bins (at least 2). Quantile bins that coincide (many equal scores) merge.
    strategy : {"quantile", "uniform"}, default "quantile"
        Equal-count bins, or equal-width bins on [0, 1].

    Returns
    -------
    pandas.DataFrame
        Non-empty bins in increasing order, with columns ``bin_lower, bin_upper, count,
        mean_predicted, observed_rate``. A well-calibrated model has ``observed_rate`` close
        to ``mean_predicted``.

    Examples
    --------
    >>> calibration_curve([0, 0, 1, 1], [0.1, 0.3, 0.6, 0.8], n_bins=2)[
    ...     ["count", "mean_predicted", "observed_rate"]].to_numpy().tolist()
    [[2.0, 0.2, 0.0], [2.0, 0.7, 1.0]]
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 2:
        raise ConfigError(f"n_bins must be an int >= 2, got {n_bins!r}.")
    if strategy not in ("quantile", "uniform"):
        raise ConfigError(f"strategy must be 'quantile' or 'uniform', got {strategy!r}.")
    labels, scores = _binary_inputs(y, proba)
    if strategy == "quantile":
        edges = np.unique(np.quantile(scores, np.linspace(0.0, 1.0, n_bins + 1)))
    else:
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    if edges.size < 2:  # every score equal: one bin
        edges = np.array([scores[0], scores[0]])
    # right-closed bins, the first one also closed on the left
    index = np.clip(np.searchsorted(edges, scores, side="left") - 1, 0, edges.size - 2)
    frame = pd.DataFrame({"bin": index, "p": scores, "y": labels})
    grouped = frame.groupby("bin", sort=True).agg(count=("p", "size"), mean_predicted=("p", "mean"),
                                                  observed_rate=("y", "mean"))
    bins = grouped.index.to_numpy()
    return pd.DataFrame({"bin_lower": edges[bins], "bin_upper": edges[bins + 1],
                         "count": grouped["count"].to_numpy(dtype=float),
                         "mean_predicted": grouped["mean_predicted"].to_numpy(),
                         "observed_rate": grouped["observed_rate"].to_numpy()})
