"""How recent each interaction is within its user's history, and the decay weights built on it.

Offline splits that hold out each user's latest titles (and real users) reward models that
listen to what a user watched last: a user's taste drifts, and titles watched together in one
session predict the next ones. Recency here is a rank, not a clock: 1 is the user's latest
title, 2 the one before, so heavy and light users decay alike and no time unit is assumed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from jogak.errors import ConfigError

__all__ = ["check_half_life", "decay_weights", "history_ranks", "recency_ranks"]


def recency_ranks(frame: pd.DataFrame, *, user_col: str, item_col: str, time_col: str,
                  user_ids: np.ndarray, item_ids: np.ndarray) -> sp.csr_matrix:
    """Rank of each (user, item) pair in its user's history, 1 = latest, shape users × items.

    A pair seen several times takes its latest time; ties share the best rank. Rows and columns
    follow ``user_ids`` and ``item_ids`` (the interaction matrix's order); pairs whose ids are
    not there are left out.

    Examples
    --------
    >>> frame = pd.DataFrame({"u": [1, 1, 1, 2], "i": ["a", "b", "a", "b"], "t": [1, 2, 3, 5]})
    >>> recency_ranks(frame, user_col="u", item_col="i", time_col="t",
    ...               user_ids=np.array([1, 2]), item_ids=np.array(["a", "b"])).toarray()
    array([[1., 2.],
           [0., 1.]], dtype=float32)
    """
    latest = frame.groupby([user_col, item_col], sort=False, observed=True)[time_col].max()
    latest = latest.reset_index()
    rank = latest.groupby(user_col, sort=False)[time_col].rank(method="min", ascending=False)
    users = pd.Index(user_ids).get_indexer(latest[user_col])
    items = pd.Index(item_ids).get_indexer(latest[item_col])
    keep = (users >= 0) & (items >= 0)
    matrix = sp.csr_matrix((rank.to_numpy(dtype=np.float32)[keep], (users[keep], items[keep])),
                           shape=(len(user_ids), len(item_ids)), dtype=np.float32)
    matrix.sort_indices()
    return matrix


def history_ranks(history: sp.csr_matrix, users: np.ndarray | None,
                  ranks: sp.csr_matrix | None) -> Any:
    """Recency ranks of the history rows that are a known user's training history.

    ``ranks`` holds the training ranks (:func:`recency_ranks`); a row whose user is known and
    whose items are exactly that user's training items takes them, any other row ranks 1
    everywhere (no decay). None without ``ranks`` or ``users``.
    """
    if ranks is None or users is None:
        return None
    out = history.copy()
    out.data = np.ones_like(out.data)
    for j, user in enumerate(np.asarray(users, dtype=np.int64)):
        if user < 0:
            continue
        a, b = history.indptr[j], history.indptr[j + 1]
        c, d = ranks.indptr[user], ranks.indptr[user + 1]
        if b - a == d - c and np.array_equal(history.indices[a:b], ranks.indices[c:d]):
            out.data[a:b] = ranks.data[c:d]
    return out


def decay_weights(ranks: np.ndarray, half_life: float | None) -> np.ndarray:
    """``0.5 ** ((rank − 1) / half_life)``: the latest title weighs 1, ``half_life`` titles
    back weigh ½; ``None`` weighs everything 1.

    Examples
    --------
    >>> decay_weights(np.array([1.0, 11.0, 21.0]), 10).tolist()
    [1.0, 0.5, 0.25]
    """
    ranks = np.asarray(ranks, dtype=np.float64)
    if half_life is None:
        return np.ones_like(ranks, dtype=np.float32)
    return np.power(0.5, (np.maximum(ranks, 1.0) - 1.0) / float(half_life)).astype(np.float32)


def check_half_life(value: object) -> None:
    """Raise ConfigError unless ``value`` is None or a positive number."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not value > 0:
        raise ConfigError(f"half_life must be None (no decay) or a positive number of titles, "
                          f"got {value!r}.")
