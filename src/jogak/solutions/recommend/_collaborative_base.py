"""The contract every collaborative model follows: checked interaction matrices, recency
decay, ``score_items``; and how factor models score users, folding in unknown ones."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.recommend._recency import decay_weights

__all__ = ["CollaborativeBase", "FactorBase", "check_interactions", "check_positive",
           "single_blas_thread"]


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit BLAS to one thread while implicit runs."""
    # implicit runs its own threads; a multi-threaded BLAS underneath oversubscribes the cores
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1, "blas"):
        yield


def check_interactions(X: Any, *, n_items: int | None = None) -> sp.csr_matrix:
    """``X`` as a float32 CSR users × items matrix of finite values >= 0."""
    if not sp.issparse(X):
        X = np.asarray(X)
        if X.ndim != 2:
            raise SchemaError(f"Interactions must be a 2-D users × items matrix, got shape "
                              f"{X.shape}.")
        X = sp.csr_matrix(X)
    if not (sp.issparse(X) and X.format == "csr" and X.dtype == np.float32):
        X = sp.csr_matrix(X, dtype=np.float32)
    if n_items is not None and X.shape[1] != n_items:
        raise SchemaError(f"Interaction rows must have {n_items} item columns (as in fit), got "
                          f"{X.shape[1]}.")
    if X.nnz and (not np.isfinite(X.data).all() or (X.data < 0).any()):
        raise SchemaError("Interaction values must be finite and >= 0 (ratings or counts).")
    return X


def check_positive(name: str, value: object, *, integer: bool = False) -> None:
    """ConfigError unless ``value`` is a positive number (an integer with ``integer``)."""
    kind = (int, np.integer) if integer else (int, float, np.integer, np.floating)
    if isinstance(value, bool) or not isinstance(value, kind) or not value > 0:
        raise ConfigError(f"{name} must be a positive {'integer' if integer else 'number'}, "
                          f"got {value!r}.")


class CollaborativeBase(BaseEstimator):
    """Shared ``fit`` validation and ``score_items`` contract."""

    def _validate_fit(self, X: Any) -> sp.csr_matrix:
        X = check_interactions(X)
        if X.shape[0] == 0 or X.shape[1] == 0 or X.nnz == 0:
            raise SchemaError(f"Cannot fit a recommender on an interaction matrix of shape "
                              f"{X.shape} with {X.nnz} interactions. Hint: pass at least one "
                              "user with one interaction.")
        self.n_users_, self.n_items_ = int(X.shape[0]), int(X.shape[1])
        self.item_popularity_ = np.asarray((X > 0).sum(axis=0)).ravel().astype("int64")
        return X

    @staticmethod
    def _decayed(X: sp.csr_matrix, ranks: Any, half_life: float | None) -> sp.csr_matrix:
        """``X`` with each value times its recency decay (``X`` itself without ranks)."""
        if ranks is None or half_life is None:
            return X
        ranks = sp.csr_matrix(ranks, dtype=np.float32)
        if ranks.shape != X.shape or ranks.nnz != X.nnz:
            raise SchemaError(f"ranks must have the shape and the non-zeros of the interactions "
                              f"({X.shape}, {X.nnz} non-zeros), got {ranks.shape} with "
                              f"{ranks.nnz}. Hint: build both from the same frame.")
        X, ranks = X.copy(), ranks.copy()
        X.sort_indices()
        ranks.sort_indices()
        if not (np.array_equal(ranks.indptr, X.indptr) and
                np.array_equal(ranks.indices, X.indices)):
            raise SchemaError("ranks must hold one recency rank for every interaction, in the "
                              "same cells. Hint: build both from the same frame.")
        X.data = X.data * decay_weights(ranks.data, half_life)
        return X

    def score_items(self, history: Any, users: np.ndarray | None = None, *,
                    ranks: Any = None) -> np.ndarray:
        """Score every item for each row of ``history``.

        Parameters
        ----------
        history : sparse matrix of shape (n_rows, n_items)
            Each row's known interactions (used to fold in users the model has not seen).
        users : array of int of shape (n_rows,), optional
            Training row of each history row, or -1 for a user unknown to the model.
        ranks : sparse matrix like ``history``, optional
            Recency rank of each interaction (1 = the user's latest); models with a
            ``half_life`` weigh the history by it, the others ignore it.

        Returns
        -------
        numpy.ndarray of shape (n_rows, n_items), float32
            Higher is better. Seen items are not removed here.
        """
        check_is_fitted(self)
        history = check_interactions(history, n_items=self.n_items_)
        if users is None:
            users = np.full(history.shape[0], -1, dtype=np.int64)
        users = np.asarray(users, dtype=np.int64)
        if users.shape != (history.shape[0],):
            raise SchemaError(f"users must hold one training row per history row "
                              f"({history.shape[0]}), got shape {users.shape}.")
        if (users >= self.n_users_).any():
            raise SchemaError(f"users holds rows >= n_users_ ({self.n_users_}).")
        return self._scores(history, users, ranks).astype(np.float32, copy=False)

    def _scores(self, history: sp.csr_matrix, users: np.ndarray, ranks: Any) -> np.ndarray:
        raise NotImplementedError


class FactorBase(CollaborativeBase):
    """Scores from user × item factors; users unknown to the model are folded in."""

    def _scores(self, history: sp.csr_matrix, users: np.ndarray, ranks: Any) -> np.ndarray:
        vectors = np.empty((history.shape[0], self.user_factors_.shape[1]), dtype=np.float32)
        known = users >= 0
        vectors[known] = self.user_factors_[users[known]]
        if not known.all():  # folded-in users: their history weighed as in training
            history = self._decayed(history, ranks, getattr(self, "half_life", None))
        for row in np.flatnonzero(~known):
            vectors[row] = self._fold_in(history[row])
        return vectors @ self.item_factors_.T

    def _fold_in(self, row: sp.csr_matrix) -> np.ndarray:
        raise NotImplementedError
