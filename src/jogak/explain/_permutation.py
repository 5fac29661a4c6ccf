"""Model-agnostic Shapley values by antithetic permutation sampling over source columns.

For each row and each permutation of the columns, the columns are switched one by one from a
background row's value to the row's own value; the change of the model output (averaged over
the background rows) is credited to the column just switched. Sums telescope, so for every
row ``base + sum(values) == f(x)`` exactly, where ``base`` is the mean output over the
background. Each permutation is paired with its reverse (antithetic sampling), which removes
most of the variance of pairwise interactions; when ``n_columns!`` permutations fit in the
budget they are all enumerated and the values are the exact (interventional) Shapley values.

This works on the validated frame, so categorical, text and date columns are switched as
whole source columns, never as encoded parts. It is shap's Permutation explainer restated for
mixed-type frames with a seeded ``numpy.random.Generator`` (shap's needs numeric arrays and
draws from numpy's global random state).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import pandas as pd

from jogak.errors import ConfigError

__all__ = ["column_permutations", "permutation_shapley"]

_BATCH_ROWS = 100_000


def column_permutations(n_columns: int, n_permutations: int,
                        rng: np.random.Generator) -> np.ndarray:
    """``(P, n_columns)`` orders: all of them when few enough, else antithetic random pairs."""
    if n_permutations < 2 or n_permutations % 2:
        raise ConfigError(f"n_permutations must be an even number >= 2, got {n_permutations!r}.")
    if math.factorial(n_columns) <= n_permutations:
        return np.array(list(itertools.permutations(range(n_columns))), dtype=np.int64)
    orders = []
    for _ in range(n_permutations // 2):
        order = rng.permutation(n_columns)
        orders.extend([order, order[::-1]])
    return np.asarray(orders, dtype=np.int64)


def permutation_shapley(predict: Callable[[pd.DataFrame], np.ndarray], X: pd.DataFrame,
                        background: pd.DataFrame, *, n_permutations: int = 10,
                        random_state: int = 0,
                        on_batch: Callable[[int], None] | None = None,
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Shapley values of ``predict`` for each row of ``X`` against ``background``.

    Parameters
    ----------
    predict : callable
        Frame -> outputs ``(m,)`` or ``(m, k)``; called on frames built from rows of ``X`` and
        ``background`` (same columns and dtypes).
    X, background : DataFrame
        Rows to explain and background rows, with the same columns.
    n_permutations : int, default=10
        Column orders per row (even: each comes with its reverse).
    random_state : int, default=0
        Seed of the orders.
    on_batch : callable, optional
        Called with the number of rows finished after each batch (progress bars).

    Returns
    -------
    values : ndarray of shape (n_rows, n_columns) or (n_rows, n_columns, k)
    base : ndarray of shape () or (k,)
        Mean output over the background.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 0.0]})
    >>> def f(data): return (data["a"] * data["b"]).to_numpy()
    >>> values, base = permutation_shapley(f, frame.iloc[[0]], frame.iloc[[1]])
    >>> values.round(6).tolist(), float(base)  # 2 columns: both orders, exact Shapley values
    ([[-1.5, 4.5]], 0.0)
    """
    if list(X.columns) != list(background.columns):
        raise ConfigError("X and background must have the same columns in the same order.")
    if len(background) == 0:
        raise ConfigError("The background sample is empty; pass at least one row.")
    n_rows, n_columns = X.shape
    rng = np.random.default_rng(random_state)
    orders = column_permutations(n_columns, n_permutations, rng)
    n_orders = len(orders)
    n_background = len(background)
    pool = pd.concat([X, background], ignore_index=True)
    base = np.asarray(predict(background.reset_index(drop=True)), dtype=np.float64).mean(axis=0)
    full = np.asarray(predict(X.reset_index(drop=True)), dtype=np.float64)
    out_shape = full.shape[1:]
    values = np.zeros((n_rows, n_columns) + out_shape)
    ranks = np.argsort(orders, axis=1)
    steps = np.arange(1, n_columns)
    # masks[p, j - 1, c]: column c holds the row's value at step j of order p
    masks = ranks[:, None, :] < steps[None, :, None]
    per_row = max(1, n_orders * len(steps) * n_background)
    batch = max(1, _BATCH_ROWS // per_row)
    background_index = n_rows + np.arange(n_background)
    for start in range(0, n_rows, batch):
        rows = np.arange(start, min(n_rows, start + batch))
        middle = np.empty((len(rows), n_orders, 0) + out_shape)
        if len(steps):
            index = np.where(masks[None, :, :, None, :], rows[:, None, None, None, None],
                             background_index[None, None, None, :, None])
            flat = index.reshape(-1, n_columns)
            frame = pd.DataFrame({column: pool[column].take(flat[:, c]).reset_index(drop=True)
                                  for c, column in enumerate(pool.columns)})
            outputs = np.asarray(predict(frame), dtype=np.float64)
            middle = outputs.reshape((len(rows), n_orders, len(steps), n_background)
                                     + out_shape).mean(axis=3)
        start_values = np.broadcast_to(base, (len(rows), n_orders, 1) + out_shape)
        end_values = np.broadcast_to(full[rows][:, None, None], (len(rows), n_orders, 1)
                                     + out_shape)
        path = np.concatenate([start_values, middle, end_values], axis=2)
        gains = np.diff(path, axis=2)
        for p, order in enumerate(orders):
            values[rows[:, None], order[None, :]] += gains[:, p]
        if on_batch is not None:
            on_batch(len(rows))
    return values / n_orders, base
