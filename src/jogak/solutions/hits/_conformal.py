"""Split-conformal quantiles and interval coverage (Lei et al. 2018; Romano et al. 2019)."""

from __future__ import annotations

import math

import numpy as np

from jogak.errors import ConfigError

__all__ = ["blend_weight", "conformal_quantile", "interval_coverage", "least_squares_scale",
           "power_back_transform"]

_SLOPES = np.round(np.arange(0.25, 2.0001, 0.01), 2)


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


def power_back_transform(log_prediction: np.ndarray, target: np.ndarray) -> tuple[float, float]:
    """The ``(c, b)`` minimising ``sum((target - c * expm1(b * log_prediction)) ** 2)``.

    A raw-scale calibration of a ``log1p``-scale model, ``c * ((1 + prediction) ** b - 1)``:
    ``b = 1`` is a constant re-scaling (:func:`least_squares_scale`, a smearing factor),
    ``b > 1`` stretches the top end and ``b < 1`` shrinks it where the log model spreads out
    titles it cannot tell apart. ``b`` is searched on a 0.01 grid over [0.25, 2] and ``c`` is
    exact for each ``b``, so the fit is deterministic. Fit it on out-of-fold predictions, never
    on fitted ones. Without a usable row it returns ``(1, 1)``.

    Examples
    --------
    >>> p = np.log1p(np.array([10.0, 100.0, 1000.0]))
    >>> c, b = power_back_transform(p, 2.0 * np.expm1(1.5 * p))
    >>> round(c, 6), b
    (2.0, 1.5)
    """
    p, t = np.asarray(log_prediction, dtype=float), np.asarray(target, dtype=float)
    if p.shape != t.shape:
        raise ConfigError(f"log_prediction and target must have equal length; got {p.shape} "
                          f"and {t.shape}.")
    keep = np.isfinite(p) & np.isfinite(t)
    p, t = np.clip(p[keep], 0.0, None), t[keep]
    best: tuple[float, float, float] = (math.inf, 1.0, 1.0)
    for slope in _SLOPES:
        basis = np.expm1(slope * p)
        size = float(np.max(basis, initial=0.0))
        if not 0.0 < size < math.inf:
            continue
        basis = basis / size  # keeps the sums finite for any target size
        scale = float(np.sum(t * basis) / np.sum(basis * basis))
        if scale <= 0:
            continue
        loss = float(np.sum((t - scale * basis) ** 2))
        if loss < best[0]:
            best = (loss, scale / size, float(slope))
    return best[1], best[2]
