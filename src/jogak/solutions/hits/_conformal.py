"""Split-conformal quantiles and interval coverage (Lei et al. 2018; Romano et al. 2019)."""

from __future__ import annotations

import math

import numpy as np

from jogak.errors import ConfigError

__all__ = ["blend_weight", "conformal_quantile", "interval_coverage", "least_squares_scale"]


def conformal_quantile(scores: np.ndarray, coverage: float) -> float:
    """The ``ceil((n + 1) * coverage)``-th smallest nonconformity score.

    With exchangeable calibration and test rows, ``prediction +/- quantile`` covers a new
    target with probability at least ``coverage``. Too few scores for the requested coverage
    give ``inf`` (an unbounded interval), as the theory requires.

    Examples
    --------
    >>> conformal_quantile(np.arange(1.0, 10.0), 0.8)   # n = 9: the 8th smallest
    8.0
    """
    if not 0.0 < coverage < 1.0:
        raise ConfigError(f"coverage must be in (0, 1), got {coverage!r}.")
    values = np.sort(np.asarray(scores, dtype=float)[np.isfinite(scores)])
    rank = math.ceil((values.size + 1) * coverage)
    if values.size == 0 or rank > values.size:
        return math.inf
    return float(values[rank - 1])


def interval_coverage(y: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> float:
    """Share of targets inside ``[lower, upper]``.

    Examples
    --------
    >>> interval_coverage(np.array([1, 5, 9]), np.array([0, 0, 0]), np.array([2, 6, 8]))
    0.6666666666666666
    """
    y, lower, upper = (np.asarray(a, dtype=float) for a in (y, lower, upper))
    if not y.shape == lower.shape == upper.shape or y.size == 0:
        raise ConfigError(f"y, lower and upper must be non-empty and of equal length; got "
                          f"{y.shape}, {lower.shape}, {upper.shape}.")
    return float(np.mean((y >= lower) & (y <= upper)))


def least_squares_scale(prediction: np.ndarray, target: np.ndarray) -> float:
    """The factor ``b`` minimising ``sum((target - b * prediction) ** 2)``; 1 when undefined.

    Used to re-scale ``expm1`` of a log-scale prediction (a median) towards the mean, which is
    what raw-scale RMSE rewards, from out-of-fold predictions.

    Examples
    --------
    >>> least_squares_scale(np.array([1.0, 2.0]), np.array([2.0, 4.0]))
    2.0
    """
    p, t = np.asarray(prediction, dtype=float), np.asarray(target, dtype=float)
    keep = np.isfinite(p) & np.isfinite(t)
    denominator = float(np.sum(p[keep] ** 2))
    if denominator <= 0:
        return 1.0
    scale = float(np.sum(p[keep] * t[keep]) / denominator)
    return scale if np.isfinite(scale) and scale > 0 else 1.0


def blend_weight(first: np.ndarray, second: np.ndarray, target: np.ndarray) -> float:
    """The ``w`` in [0, 1] minimising ``sum((target - w * first - (1 - w) * second) ** 2)``.

    Examples
    --------
    >>> blend_weight(np.array([2.0, 4.0]), np.array([0.0, 0.0]), np.array([1.0, 2.0]))
    0.5
    """
    a, b, t = (np.asarray(v, dtype=float) for v in (first, second, target))
    keep = np.isfinite(a) & np.isfinite(b) & np.isfinite(t)
    difference = a[keep] - b[keep]
    denominator = float(np.sum(difference ** 2))
    if denominator <= 0:
        return 0.0
    weight = float(np.sum(difference * (t[keep] - b[keep])) / denominator)
    return float(np.clip(weight, 0.0, 1.0))
