"""Turning scores into lists: top-k, per-row standardisation, MMR and long-tail re-ranking."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.preprocessing import normalize

__all__ = ["candidate_similarity", "mmr_rerank", "novelty_bonus", "rank_unseen",
           "standardise_rows", "top_k"]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest finite scores of a 1-D array, best first (ties: lower index).

    Examples
    --------
    >>> top_k(np.array([0.1, 0.9, -np.inf, 0.5]), 5).tolist()
    [1, 3, 0]
    """
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0 or k <= 0:
        return np.empty(0, dtype=np.int64)
    k = min(k, finite.size)
    values = scores[finite]
    part = np.argpartition(-values, k - 1)[:k] if k < finite.size else np.arange(finite.size)
    order = np.lexsort((finite[part], -values[part]))
    return finite[part][order].astype(np.int64)


def standardise_rows(scores: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Z-score each row over the columns in ``mask`` (all by default); constant rows give 0."""
    ref = scores if mask is None else scores[:, mask]
    if ref.shape[1] == 0:
        return np.zeros_like(scores)
    mean = ref.mean(axis=1, keepdims=True)
    std = ref.std(axis=1, keepdims=True)
    return np.divide(scores - mean, std, out=np.zeros_like(scores), where=std > 0)


def novelty_bonus(popularity: np.ndarray, n_users: int) -> np.ndarray:
    """Standardised self-information −log₂ p of each item (p = users with it / users, ≥ 1 user)."""
    share = np.maximum(popularity, 1) / max(n_users, 1)
    info = -np.log2(np.minimum(share, 1.0))
    std = info.std()
    return (info - info.mean()) / std if std > 0 else np.zeros_like(info)


def mmr_rerank(candidates: np.ndarray, relevance: np.ndarray, k: int,
               similarity: Callable[[np.ndarray], np.ndarray], lambda_: float) -> np.ndarray:
    """Maximal marginal relevance: pick ``k`` of ``candidates`` trading relevance for novelty.

    Each step takes the candidate maximising ``λ·rel − (1−λ)·max sim(to picked)``, with the
    relevance min–max scaled to [0, 1] over the candidates. ``λ = 1`` keeps the input order.

    Parameters
    ----------
    candidates : numpy.ndarray of int
        Item indices, best first.
    relevance : numpy.ndarray
        Their scores (same length).
    k : int
    similarity : callable
        ``similarity(items) -> (m, m)`` matrix of item–item similarity in [−1, 1].
    lambda_ : float
        In [0, 1].

    Returns
    -------
    numpy.ndarray of int
        The re-ranked items.

    Examples
    --------
    >>> sim = lambda items: np.array([[1, .99, 0], [.99, 1, 0], [0, 0, 1]])[np.ix_(items, items)]
    >>> mmr_rerank(np.array([0, 1, 2]), np.array([1.0, 0.9, 0.5]), 2, sim, 0.5).tolist()
    [0, 2]
    """
    candidates = np.asarray(candidates, dtype=np.int64)
    k = min(k, candidates.size)
    if lambda_ >= 1.0 or k <= 1:
        return candidates[:k]
    rel = np.asarray(relevance, dtype=np.float64)
    span = rel.max() - rel.min()
    rel = (rel - rel.min()) / span if span > 0 else np.ones_like(rel)
    sim = similarity(candidates)
    chosen = [0]
    closest = sim[0].astype(np.float64).copy()
    available = np.ones(candidates.size, dtype=bool)
    available[0] = False
    for _ in range(k - 1):
        gain = lambda_ * rel - (1.0 - lambda_) * closest
        gain[~available] = -np.inf
        pick = int(np.argmax(gain))
        chosen.append(pick)
        available[pick] = False
        closest = np.maximum(closest, sim[pick])
    return candidates[chosen]


def candidate_similarity(content: Any,
                         collaborative: Any) -> Callable[[np.ndarray], np.ndarray] | None:
    """The item–item similarity MMR re-ranks with: synopsis similarity with a content model,
    else cosine of the collaborative item factors, else item-kNN similarity; None without any."""
    if content is not None:
        return content.pairwise_similarity
    factors = getattr(collaborative, "item_factors_", None)
    if factors is not None:
        def cosine(items: np.ndarray) -> np.ndarray:
            unit = normalize(factors[items])  # only the candidates, not the catalogue
            return unit @ unit.T

        return cosine
    knn = getattr(collaborative, "similarity_", None)
    if knn is not None:
        return lambda items: np.asarray(knn[items][:, items].todense())
    return None


def rank_unseen(scores: np.ndarray, seen: np.ndarray, k: int, *, lambda_: float,
                similarity: Callable[[np.ndarray], np.ndarray] | None,
                n_candidates: int) -> np.ndarray:
    """The ``k`` best items of ``scores`` outside ``seen``, MMR re-ranked from the best
    ``n_candidates`` when ``lambda_ < 1`` and a ``similarity`` is given."""
    scores = scores.copy()
    scores[seen] = -np.inf
    if lambda_ >= 1.0 or similarity is None:
        return top_k(scores, k)
    candidates = top_k(scores, max(k, n_candidates))
    return mmr_rerank(candidates, scores[candidates], k, similarity, lambda_)
