"""Item-side corrections that spread recommendations over the catalogue.

Both are learned once, in ``fit``, from the scores the model gives its training users:

- **exposure penalty**: an item's standardised log₂(1 + how many training users' top-``depth``
  lists hold it). It damps the titles the model itself piles onto, not merely popular ones.
- **per-item standardisation** (hubness reduction): an item's score for a user, measured
  against that item's scores over all training users. A blockbuster that scores high for
  everybody ranks for the users it suits *more than the others*; a niche title that scores
  moderately but far above its own usual reaches the few users it suits. Mixed in with weight
  γ: ``(1 − γ)·s + γ·(s − mean_i) / std_i``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from jogak.solutions.recommend._ranking import top_k

__all__ = ["ItemStatistics", "exposure_penalty", "item_statistics", "item_zscores"]


@dataclass(frozen=True)
class ItemStatistics:
    """What the training users' scores say about each item.

    Attributes
    ----------
    exposure : numpy.ndarray of int, shape (n_items,)
        Training users whose top ``depth`` unseen items hold the item.
    mean, std : numpy.ndarray of float32, shape (n_items,)
        Mean and standard deviation of the item's finite scores over the training users
        (0 and 1 where the item has none).
    """

    exposure: np.ndarray
    mean: np.ndarray
    std: np.ndarray


def item_statistics(score_rows: Callable[[np.ndarray], np.ndarray], matrix: sp.csr_matrix, *,
                    depth: int, batch: int = 256) -> ItemStatistics:
    """Exposure counts and per-item score moments over every row of ``matrix``.

    Parameters
    ----------
    score_rows : callable
        ``score_rows(rows) -> (len(rows), n_items)`` scores of training rows (``-inf`` for items
        that cannot be scored).
    matrix : scipy.sparse.csr_matrix of shape (n_users, n_items)
        The training interactions (seen items do not count towards exposure).
    depth : int
        List length over which exposure is counted.
    batch : int, default=256
        Rows scored at a time (bounds the memory to ``batch × n_items`` floats).
    """
    n_users, n_items = matrix.shape
    counts = np.zeros(n_items, dtype=np.int64)
    total = np.zeros(n_items, dtype=np.float64)
    squares = np.zeros(n_items, dtype=np.float64)
    finite_rows = np.zeros(n_items, dtype=np.int64)
    for start in range(0, n_users, batch):
        rows = np.arange(start, min(start + batch, n_users))
        scores = np.asarray(score_rows(rows), dtype=np.float64)
        finite = np.isfinite(scores)
        values = np.where(finite, scores, 0.0)
        total += values.sum(axis=0)
        squares += (values * values).sum(axis=0)
        finite_rows += finite.sum(axis=0)
        for j, user in enumerate(rows):
            row = scores[j].copy()
            row[matrix.indices[matrix.indptr[user]:matrix.indptr[user + 1]]] = -np.inf
            counts[top_k(row, depth)] += 1
    seen = finite_rows > 0
    mean = np.divide(total, finite_rows, out=np.zeros(n_items), where=seen)
    variance = np.divide(squares, finite_rows, out=np.zeros(n_items), where=seen) - mean ** 2
    std = np.sqrt(np.maximum(variance, 0.0))
    std = np.where(std > 1e-9, std, 1.0)
    return ItemStatistics(counts, mean.astype(np.float32), std.astype(np.float32))


def exposure_penalty(counts: np.ndarray) -> np.ndarray:
    """Standardised log₂(1 + exposure) of each item (all zeros when exposure is constant).

    Examples
    --------
    >>> [round(float(v), 3) for v in exposure_penalty(np.array([0, 0, 3]))]
    [-0.707, -0.707, 1.414]
    """
    info = np.log2(1.0 + np.asarray(counts, dtype=np.float64))
    std = info.std()
    return (np.zeros_like(info) if std == 0 else (info - info.mean()) / std).astype(np.float32)


def item_zscores(scores: np.ndarray, stats: ItemStatistics, weight: float) -> np.ndarray:
    """``(1 − weight)·scores + weight·(scores − mean) / std``, per item (column).

    Examples
    --------
    >>> stats = ItemStatistics(np.zeros(2), np.array([2.0, 0.0]), np.array([1.0, 0.5]))
    >>> item_zscores(np.array([[2.0, 1.0]]), stats, 1.0).tolist()
    [[0.0, 2.0]]
    """
    if weight == 0:
        return scores
    standardised = (scores - stats.mean) / stats.std
    mixed = (1.0 - weight) * np.where(np.isfinite(scores), scores, 0.0) + weight * standardised
    return np.where(np.isfinite(scores), mixed, scores).astype(scores.dtype, copy=False)
