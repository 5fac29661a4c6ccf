"""Largest-remainder apportionment (Hamilton's method) with a deterministic tie order."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["apportion"]


def apportion(total: int, weights: Sequence[int],
              tie_order: Sequence[int] | None = None) -> list[int]:
    """Split the integer ``total`` in proportion to ``weights``; the parts sum to ``total``.

    Each part starts as the floor of its exact quota ``total * w_i / sum(w)``; the units left
    over (fewer than the number of parts) go one each to the largest remainders. Equal
    remainders are ordered by ``tie_order`` (smaller first; default: position). So every part
    is its quota rounded down or up, never further, and the result is the same on every run.

    Parameters
    ----------
    total : int
        At least 0.
    weights : sequence of int
        Each at least 0, at least one above 0.
    tie_order : sequence of int, optional
        A rank per weight for breaking ties between equal remainders.

    Returns
    -------
    list of int
        One part per weight; ``sum == total``; a zero weight gets 0.

    Examples
    --------
    >>> apportion(100, [1, 1, 1])
    [34, 33, 33]
    >>> apportion(10, [6, 3, 1], tie_order=[2, 1, 0])
    [6, 3, 1]
    """
    if total < 0 or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError(f"apportion needs total >= 0 and non-negative weights with a positive "
                         f"sum, got total={total}, weights={list(weights)}.")
    ranks = list(range(len(weights))) if tie_order is None else list(tie_order)
    if len(ranks) != len(weights):
        raise ValueError(f"tie_order has {len(ranks)} ranks for {len(weights)} weights.")
    weight_sum = sum(weights)
    parts = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    left = total - sum(parts)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], ranks[i]))[:left]:
        parts[index] += 1
    return parts
