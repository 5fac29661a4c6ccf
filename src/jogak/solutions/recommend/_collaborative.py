"""Collaborative filtering on a users × items matrix: popularity, item-kNN, ALS and BPR.

Each model is a scikit-learn estimator whose ``fit`` takes the sparse interaction matrix and
whose ``score_items`` scores every item for rows of interaction history. Item-kNN, ALS and BPR
are trained by the ``implicit`` library (single BLAS thread, as implicit asks); what they learn
is kept as plain numpy / scipy arrays, so a saved model never needs implicit's own pickles.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import scipy.sparse as sp

from jogak.errors import ConfigError, SchemaError
from jogak.models._optional import require
from jogak.solutions.recommend._collaborative_base import (
    CollaborativeBase,
    FactorBase,
    check_positive,
    single_blas_thread,
)
from jogak.solutions.recommend._recency import check_half_life

__all__ = ["ALSRecommender", "BPRRecommender", "BlendRecommender", "ItemKNNRecommender",
           "PopularityRecommender", "recency_blend"]


class PopularityRecommender(CollaborativeBase):
    """The same list for everyone: items by how many users interacted with them.

    Attributes
    ----------
    item_popularity_ : numpy.ndarray of shape (n_items,)
        Users per item in the training matrix.

    Examples
    --------
    >>> X = sp.csr_matrix(np.array([[1, 0, 1], [1, 0, 0]]))
    >>> PopularityRecommender().fit(X).score_items(X[:1]).tolist()
    [[2.0, 0.0, 1.0]]
    """

    def fit(self, X: Any, y: object = None, *, ranks: Any = None) -> PopularityRecommender:
        """Count users per item (``ranks`` is accepted and ignored)."""
        self._validate_fit(X)
        return self

    def _scores(self, history: sp.csr_matrix, users: np.ndarray, ranks: Any) -> np.ndarray:
        return np.tile(self.item_popularity_.astype(np.float32), (history.shape[0], 1))


class ItemKNNRecommender(CollaborativeBase):
    """Item-based k-nearest neighbours: cosine similarity between item columns.

    Parameters
    ----------
    n_neighbors : int, default=100
        Neighbours kept per item.
    n_threads : int, default=1
        Threads implicit may use (0: all cores).
    half_life : float, optional
        With recency ranks, a user's title ``half_life`` titles before their latest counts half
        as much when scoring (None: every title counts 1). Similarities do not decay.

    Attributes
    ----------
    similarity_ : scipy.sparse.csr_matrix of shape (n_items, n_items)
        Cosine similarity to the ``n_neighbors`` nearest items of each item.
    """

    def __init__(self, *, n_neighbors: int = 100, n_threads: int = 1,
                 half_life: float | None = None) -> None:
        self.n_neighbors = n_neighbors
        self.n_threads = n_threads
        self.half_life = half_life

    def fit(self, X: Any, y: object = None, *, ranks: Any = None) -> ItemKNNRecommender:
        """Learn item–item cosine similarities from the binarised matrix."""
        check_positive("n_neighbors", self.n_neighbors, integer=True)
        check_half_life(self.half_life)
        X = self._validate_fit(X)
        knn = require("implicit.nearest_neighbours", extra="recommend", purpose="item-kNN")
        binary = X.copy()
        binary.data[:] = 1.0
        with single_blas_thread(), warnings.catch_warnings():
            # implicit converts to COO inside its own fit, then warns about it
            warnings.filterwarnings("ignore", message="Method expects CSR input",
                                    module="implicit")
            model = knn.CosineRecommender(K=int(self.n_neighbors),
                                          num_threads=int(self.n_threads))
            model.fit(binary, show_progress=False)
        self.similarity_ = sp.csr_matrix(model.similarity, dtype=np.float32)
        return self

    def _scores(self, history: sp.csr_matrix, users: np.ndarray, ranks: Any) -> np.ndarray:
        binary = history.copy()
        binary.data[:] = 1.0
        binary = self._decayed(binary, ranks, self.half_life)
        return np.asarray((binary @ self.similarity_).todense())


class ALSRecommender(FactorBase):
    """Implicit-feedback matrix factorisation by alternating least squares (Hu, Koren, Volinsky).

    Parameters
    ----------
    factors : int, default=64
        Latent dimensions.
    regularization : float, default=0.05
        L2 penalty.
    alpha : float, default=2.0
        Confidence per unit of interaction (confidence = alpha × value).
    iterations : int, default=15
        ALS sweeps.
    bm25 : bool, default=True
        Re-weight the matrix with BM25 first, which damps heavy users and blockbusters.
    n_threads : int, default=1
        Threads implicit may use (1 keeps results reproducible).
    random_state : int, default=0
        Seed of the factor initialisation.
    half_life : float, optional
        With recency ranks, each interaction's value is multiplied by
        ``0.5 ** ((rank − 1) / half_life)`` before weighting, so a user's factors lean towards
        their latest titles (None: no decay).

    Attributes
    ----------
    user_factors_ : numpy.ndarray of shape (n_users, factors)
    item_factors_ : numpy.ndarray of shape (n_items, factors)
    """

    def __init__(self, *, factors: int = 64, regularization: float = 0.05, alpha: float = 2.0,
                 iterations: int = 15, bm25: bool = True, n_threads: int = 1,
                 random_state: int = 0, half_life: float | None = None) -> None:
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.bm25 = bm25
        self.n_threads = n_threads
        self.random_state = random_state
        self.half_life = half_life

    def fit(self, X: Any, y: object = None, *, ranks: Any = None) -> ALSRecommender:
        """Factorise the (optionally recency-decayed, BM25-weighted) interaction matrix."""
        for name in ("factors", "iterations"):
            check_positive(name, getattr(self, name), integer=True)
        for name in ("regularization", "alpha"):
            check_positive(name, getattr(self, name))
        check_half_life(self.half_life)
        X = self._decayed(self._validate_fit(X), ranks, self.half_life)
        als = require("implicit.als", extra="recommend", purpose="the ALS recommender")
        weighted = self._weighted(X)
        with single_blas_thread():  # implicit checks the BLAS threads when it is built
            model = als.AlternatingLeastSquares(
                factors=int(self.factors), regularization=float(self.regularization),
                alpha=float(self.alpha), iterations=int(self.iterations),
                num_threads=int(self.n_threads), random_state=self.random_state)
            model.fit(weighted, show_progress=False)
        self.user_factors_ = np.ascontiguousarray(model.user_factors, dtype=np.float32)
        self.item_factors_ = np.ascontiguousarray(model.item_factors, dtype=np.float32)
        if self.bm25:  # fold-in must weight a new user's row as training did
            n_users = float(X.shape[0])
            df = np.bincount(X.indices, minlength=X.shape[1]).astype(np.float64)
            self.bm25_idf_ = (np.log(n_users) - np.log1p(df)).astype(np.float32)
            self.bm25_mean_length_ = float(np.asarray(X.sum(axis=1)).mean())
        return self

    def _weighted(self, X: sp.csr_matrix) -> sp.csr_matrix:
        if not self.bm25:
            return X
        knn = require("implicit.nearest_neighbours", extra="recommend", purpose="BM25 weights")
        return sp.csr_matrix(knn.bm25_weight(X, K1=100, B=0.8), dtype=np.float32)

    def _fold_in(self, row: sp.csr_matrix) -> np.ndarray:
        items, values = row.indices, row.data.astype(np.float64)
        Y = self.item_factors_.astype(np.float64)
        A = Y.T @ Y + self.regularization * np.eye(Y.shape[1])
        if items.size == 0:
            return np.zeros(Y.shape[1], dtype=np.float32)
        if self.bm25:  # the same weights bm25_weight(K1=100, B=0.8) gave the training rows
            norm = 0.2 + 0.8 * values.sum() / self.bm25_mean_length_
            values = values * 101.0 / (100.0 * norm + values) * self.bm25_idf_[items]
        confidence = self.alpha * values
        Yi = Y[items]
        A += (Yi * (confidence - 1.0)[:, None]).T @ Yi
        b = (Yi * confidence[:, None]).sum(axis=0)
        return np.linalg.solve(A, b).astype(np.float32)


class BPRRecommender(FactorBase):
    """Bayesian personalised ranking: factors trained on sampled (seen, unseen) item pairs.

    Parameters
    ----------
    factors : int, default=64
        Latent dimensions (implicit adds one bias column).
    learning_rate : float, default=0.05
    regularization : float, default=0.01
    iterations : int, default=100
        Epochs of sampled pairs.
    n_threads : int, default=1
        Threads implicit may use (more threads are faster but not reproducible).
    random_state : int, default=0

    Attributes
    ----------
    user_factors_ : numpy.ndarray of shape (n_users, factors + 1)
    item_factors_ : numpy.ndarray of shape (n_items, factors + 1)
        The last item column is the item bias (the users' last column is 1).
    """

    def __init__(self, *, factors: int = 64, learning_rate: float = 0.05,
                 regularization: float = 0.01, iterations: int = 100, n_threads: int = 1,
                 random_state: int = 0) -> None:
        self.factors = factors
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.iterations = iterations
        self.n_threads = n_threads
        self.random_state = random_state

    def fit(self, X: Any, y: object = None, *, ranks: Any = None) -> BPRRecommender:
        """Train the factors with stochastic gradient steps on sampled pairs (``ranks`` is
        accepted and ignored: implicit's BPR samples binary interactions)."""
        for name in ("factors", "iterations"):
            check_positive(name, getattr(self, name), integer=True)
        for name in ("learning_rate", "regularization"):
            check_positive(name, getattr(self, name))
        X = self._validate_fit(X)
        if X.shape[1] < 2:
            raise SchemaError("BPR needs at least 2 items to sample (seen, unseen) pairs.")
        bpr = require("implicit.bpr", extra="recommend", purpose="the BPR recommender")
        binary = X.copy()
        binary.data[:] = 1.0
        with single_blas_thread():
            model = bpr.BayesianPersonalizedRanking(
                factors=int(self.factors), learning_rate=float(self.learning_rate),
                regularization=float(self.regularization), iterations=int(self.iterations),
                num_threads=int(self.n_threads), random_state=self.random_state)
            model.fit(binary, show_progress=False)
        self.user_factors_ = np.ascontiguousarray(model.user_factors, dtype=np.float32)
        self.item_factors_ = np.ascontiguousarray(model.item_factors, dtype=np.float32)
        return self

    def _fold_in(self, row: sp.csr_matrix) -> np.ndarray:
        # BPR has no closed-form fold-in; a new user is the mean of their items' factors
        vector = np.zeros(self.item_factors_.shape[1], dtype=np.float32)
        if row.indices.size:
            vector[:-1] = self.item_factors_[row.indices, :-1].mean(axis=0)
        vector[-1] = 1.0
        return vector


class BlendRecommender(CollaborativeBase):
    """A weighted mix of collaborative models, each model's scores standardised per user.

    ALS and BPR err in different directions (ALS favours well-known titles, BPR spreads over
    the catalogue), so their standardised mix keeps ALS's accuracy with more of BPR's reach.

    Parameters
    ----------
    estimators : sequence of (str, estimator)
        Named unfitted models of this package (cloned in ``fit``). Default: ALS with 128
        factors and BPR, the pair tuned on a validation split of MovieLens (docs/recommend.md).
    weights : sequence of float, optional
        One non-negative weight per model (default: equal). They are normalised to sum to 1.

    Attributes
    ----------
    estimators_ : list of estimator
        The fitted models, in order.
    weights_ : numpy.ndarray of shape (n_estimators,)
    """

    def __init__(self, *, estimators: Any = None, weights: Any = None) -> None:
        self.estimators = estimators
        self.weights = weights

    def _named(self) -> list[tuple[str, Any]]:
        if self.estimators is None:
            return [("als", ALSRecommender(factors=128)), ("bpr", BPRRecommender())]
        named = list(self.estimators)
        if not named or not all(isinstance(pair, tuple) and len(pair) == 2 and
                                hasattr(pair[1], "score_items") for pair in named):
            raise ConfigError("estimators must be a non-empty list of (name, recommender) "
                              "pairs, e.g. [('als', ALSRecommender()), ('bpr', BPRRecommender())].")
        return named

    def fit(self, X: Any, y: object = None, *, ranks: Any = None) -> BlendRecommender:
        """Fit every model on the same interaction matrix (and recency ranks)."""
        from sklearn.base import clone

        named = self._named()
        weights = np.ones(len(named)) if self.weights is None else \
            np.asarray(self.weights, dtype=np.float64)
        if weights.shape != (len(named),) or not np.isfinite(weights).all() or \
                (weights < 0).any() or weights.sum() <= 0:
            raise ConfigError(f"weights must hold {len(named)} non-negative numbers with a "
                              f"positive sum, got {self.weights!r}.")
        X = self._validate_fit(X)
        self.estimators_ = [clone(estimator).fit(X, ranks=ranks) for _, estimator in named]
        self.weights_ = weights / weights.sum()
        return self

    def _scores(self, history: sp.csr_matrix, users: np.ndarray, ranks: Any) -> np.ndarray:
        total = np.zeros(history.shape, dtype=np.float32)
        for weight, estimator in zip(self.weights_, self.estimators_, strict=True):
            scores = estimator.score_items(history, users, ranks=ranks)
            mean = scores.mean(axis=1, keepdims=True)
            std = scores.std(axis=1, keepdims=True)
            total += np.float32(weight) * np.divide(scores - mean, std,
                                                    out=np.zeros_like(scores), where=std > 0)
        return total


def recency_blend(*, weights: tuple[float, float, float] = (0.3, 0.4, 0.3),
                  als_half_life: float | None = 25, knn_half_life: float | None = 10,
                  random_state: int = 0) -> BlendRecommender:
    """ALS + BPR + item-kNN, the first and last listening to recent titles more.

    The blend chosen on a validation split of MovieLens (docs/recommend.md): ALS (64 factors)
    trained on ratings decayed by recency (half-life 25 titles), BPR, and item-kNN scoring a
    user's history with a half-life of 10 titles, mixed 0.3 / 0.4 / 0.3 after standardising
    each per user. The recency ranks come from :class:`Recommender` with a ``time_col``;
    without one nothing decays.

    Examples
    --------
    >>> [name for name, _ in recency_blend().estimators]
    ['als', 'bpr', 'knn']
    """
    return BlendRecommender(estimators=[
        ("als", ALSRecommender(half_life=als_half_life, random_state=random_state)),
        ("bpr", BPRRecommender(random_state=random_state)),
        ("knn", ItemKNNRecommender(half_life=knn_half_life))], weights=list(weights))
