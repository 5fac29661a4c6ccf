"""Top-k ranking metrics and beyond-accuracy measures of recommendation lists.

Accuracy metrics take one recommended list and the set of relevant items of one user;
``ranking_report`` averages them over users. Definitions (binary relevance):

- precision@k = hits in the top k / k
- recall@k = hits in the top k / number of relevant items
- AP@k = Σᵢ P@i · relᵢ / min(k, number of relevant items)   (MAP@k: its mean over users)
- NDCG@k = Σᵢ relᵢ / log₂(i + 1) divided by the same sum for an ideal list
- coverage = distinct items recommended / catalogue size
- entropy = −Σ p log₂ p, p = share of all recommendations that went to each item
- novelty = mean of −log₂(users who had the item / users) over recommended items
- intra-list diversity = mean over lists of the mean pairwise (1 − cosine similarity)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["average_precision_at_k", "catalogue_coverage", "entropy_diversity",
           "intra_list_diversity", "ndcg_at_k", "novelty", "precision_at_k", "ranking_report",
           "recall_at_k"]


def _hits(recommended: Sequence[object], relevant: set[object], k: int) -> np.ndarray:
    return np.array([item in relevant for item in list(recommended)[:k]], dtype=float)


def precision_at_k(recommended: Sequence[object], relevant: set[object], k: int) -> float:
    """Share of the first ``k`` slots holding a relevant item (empty slots count as misses).

    Examples
    --------
    >>> precision_at_k([1, 2, 3], {2, 9}, k=2)
    0.5
    """
    return float(_hits(recommended, relevant, k).sum() / k)


def recall_at_k(recommended: Sequence[object], relevant: set[object], k: int) -> float:
    """Share of the relevant items found in the first ``k`` (0 when nothing is relevant)."""
    if not relevant:
        return 0.0
    return float(_hits(recommended, relevant, k).sum() / len(relevant))


def average_precision_at_k(recommended: Sequence[object], relevant: set[object], k: int) -> float:
    """AP@k, normalised by ``min(k, |relevant|)``.

    Examples
    --------
    >>> average_precision_at_k([1, 2, 3], {1, 3}, k=3)  # (1/1 + 2/3) / 2
    0.8333333333333333
    """
    if not relevant:
        return 0.0
    hits = _hits(recommended, relevant, k)
    if not hits.any():
        return 0.0
    precision = np.cumsum(hits) / np.arange(1, hits.size + 1)
    return float((precision * hits).sum() / min(k, len(relevant)))


def ndcg_at_k(recommended: Sequence[object], relevant: set[object], k: int) -> float:
    """Normalised discounted cumulative gain with binary relevance.

    Examples
    --------
    >>> round(ndcg_at_k([9, 1], {1}, k=2), 4)  # 1/log2(3)
    0.6309
    """
    if not relevant:
        return 0.0
    hits = _hits(recommended, relevant, k)
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = discounts[:min(k, len(relevant))].sum()
    return float((hits * discounts[:hits.size]).sum() / ideal)


def catalogue_coverage(lists: Sequence[Sequence[object]], n_items: int) -> float:
    """Distinct recommended items over the catalogue size."""
    if n_items <= 0:
        return 0.0
    return len({item for items in lists for item in items}) / n_items


def entropy_diversity(lists: Sequence[Sequence[object]]) -> float:
    """Shannon entropy in bits of how often each item is recommended.

    Examples
    --------
    >>> entropy_diversity([[1, 2], [3, 4]])  # four items, equally often: log2(4)
    2.0
    """
    counts: dict[object, int] = {}
    for items in lists:
        for item in items:
            counts[item] = counts.get(item, 0) + 1
    if not counts:
        return 0.0
    p = np.array(list(counts.values()), dtype=float)
    p /= p.sum()
    return float(-(p * np.log2(p)).sum())


def novelty(lists: Sequence[Sequence[int]], popularity: np.ndarray, n_users: int) -> float:
    """Mean self-information −log₂(p) of recommended items, p = share of users who had them.

    Items nobody had count as one user (p = 1 / n_users), so cold titles stay finite.
    """
    items = np.array([item for lst in lists for item in lst], dtype=np.int64)
    if items.size == 0 or n_users <= 0:
        return 0.0
    share = np.maximum(popularity[items], 1) / n_users
    return float(np.mean(-np.log2(np.minimum(share, 1.0))))


def intra_list_diversity(lists: Sequence[Sequence[int]],
                         similarity: Callable[[np.ndarray], np.ndarray]) -> float:
    """Mean over lists (of ≥ 2 items) of the mean pairwise 1 − similarity."""
    values = []
    for items in lists:
        items = np.asarray(items, dtype=np.int64)
        if items.size < 2:
            continue
        sim = similarity(items)
        upper = np.triu_indices(items.size, k=1)
        values.append(float(np.mean(1.0 - sim[upper])))
    return float(np.mean(values)) if values else 0.0


def ranking_report(lists: Sequence[Sequence[int]], relevant: Sequence[set[int]], *, k: int,
                   n_items: int, popularity: np.ndarray, n_users: int,
                   similarity: Callable[[np.ndarray], np.ndarray] | None = None
                   ) -> dict[str, float]:
    """All metrics at ``k`` for parallel lists of recommendations and relevant sets."""
    report = {
        f"precision@{k}": float(np.mean([precision_at_k(r, s, k) for r, s in
                                         zip(lists, relevant, strict=True)])),
        f"recall@{k}": float(np.mean([recall_at_k(r, s, k) for r, s in
                                      zip(lists, relevant, strict=True)])),
        f"map@{k}": float(np.mean([average_precision_at_k(r, s, k) for r, s in
                                   zip(lists, relevant, strict=True)])),
        f"ndcg@{k}": float(np.mean([ndcg_at_k(r, s, k) for r, s in
                                    zip(lists, relevant, strict=True)])),
        "coverage": catalogue_coverage(lists, n_items),
        "entropy": entropy_diversity(lists),
        "novelty": novelty(lists, popularity, n_users),
    }
    if similarity is not None:
        report["intra_list_diversity"] = intra_list_diversity(lists, similarity)
    return report
