from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.recommend import (
    ALSRecommender,
    BPRRecommender,
    ItemKNNRecommender,
    PopularityRecommender,
    build_interactions,
)
from jogak.testing._recommend import make_recommendation_data

pytest.importorskip("implicit")


@pytest.fixture(scope="module")
def sparse_taste() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Users who saw 6 of the ~15 titles of their favourite cluster: room to recommend."""
    return make_recommendation_data(n_users=80, n_items=64, n_cold=0, n_per_user=6, seed=1)


def _matrix(synthetic: tuple[pd.DataFrame, pd.DataFrame]) -> tuple[sp.csr_matrix, np.ndarray]:
    interactions, items = synthetic
    data = build_interactions(interactions, user_col="user_id", item_col="item_id",
                              rating_col="rating")
    clusters = items.set_index("item_id").loc[data.item_ids, "cluster"].to_numpy()
    return data.matrix, clusters


def _in_cluster_share(model: object, X: sp.csr_matrix, clusters: np.ndarray) -> float:
    scores = model.score_items(X, np.arange(X.shape[0]))  # type: ignore[attr-defined]
    scores[X.nonzero()] = -np.inf
    top = np.argsort(-scores, axis=1)[:, :3]
    liked = np.arange(X.shape[0]) % 4  # user u%4 prefers cluster u%4 (rows are in user order)
    return float(np.mean(clusters[top] == liked[:, None]))


@pytest.mark.parametrize("estimator", [ItemKNNRecommender(n_neighbors=20),
                                       ALSRecommender(factors=8, iterations=10),
                                       BPRRecommender(factors=8, iterations=200,
                                                      learning_rate=0.05)],
                         ids=["item_knn", "als", "bpr"])
def test_collaborative_models_recommend_the_users_taste(
        estimator: object, sparse_taste: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    X, clusters = _matrix(sparse_taste)
    model = clone(estimator).fit(X)
    # random picks would land in the liked cluster 25 % of the time
    assert _in_cluster_share(model, X, clusters) > 0.7


def test_popularity_scores_are_user_counts() -> None:
    X = sp.csr_matrix(np.array([[1, 0, 3], [2, 0, 0], [1, 1, 0]], dtype=float))
    scores = PopularityRecommender().fit(X).score_items(X[:2])
    assert scores.tolist() == [[3.0, 1.0, 1.0], [3.0, 1.0, 1.0]]


def test_als_fold_in_matches_implicit_recalculate_user(
        synthetic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    from implicit.cpu.als import AlternatingLeastSquares
    from threadpoolctl import threadpool_limits

    X, _ = _matrix(synthetic)
    model = ALSRecommender(factors=6, iterations=5, bm25=False, alpha=3.0,
                           regularization=0.1).fit(X)
    with threadpool_limits(1, "blas"):
        reference = AlternatingLeastSquares(factors=6, regularization=0.1, alpha=3.0,
                                            use_cg=False, num_threads=1)
    reference.user_factors = model.user_factors_.copy()
    reference.item_factors = model.item_factors_.copy()
    for user in (0, 7, 33):
        expected = reference.recalculate_user(user, X[user])
        got = model._fold_in(X[user])
        np.testing.assert_allclose(got, np.ravel(expected), rtol=1e-3, atol=1e-4)


def test_als_fold_in_reproduces_bm25_training_weights(
        synthetic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    from implicit.nearest_neighbours import bm25_weight

    X, _ = _matrix(synthetic)
    model = ALSRecommender(factors=4, iterations=2).fit(X)
    weighted = sp.csr_matrix(bm25_weight(X, K1=100, B=0.8))
    row = X[5]
    norm = 0.2 + 0.8 * row.data.sum() / model.bm25_mean_length_
    mine = row.data * 101.0 / (100.0 * norm + row.data) * model.bm25_idf_[row.indices]
    np.testing.assert_allclose(mine, weighted[5].data, rtol=1e-5)


def test_unknown_users_are_folded_in_and_known_users_use_their_factors(
        synthetic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    X, _ = _matrix(synthetic)
    model = ALSRecommender(factors=8, iterations=5).fit(X)
    known = model.score_items(X[:1], np.array([0]))
    np.testing.assert_allclose(known[0], model.user_factors_[0] @ model.item_factors_.T,
                               rtol=1e-5)
    folded = model.score_items(X[:1])
    assert np.corrcoef(known[0], folded[0])[0, 1] > 0.5
    empty = model.score_items(sp.csr_matrix((1, X.shape[1])))
    assert np.allclose(empty, 0.0)


@pytest.mark.parametrize("estimator", [ALSRecommender(factors=8, iterations=5),
                                       BPRRecommender(factors=8, iterations=20)],
                         ids=["als", "bpr"])
def test_factor_models_are_reproducible_for_a_seed(
        estimator: object, synthetic: tuple[pd.DataFrame, pd.DataFrame],
        global_random_seed: int) -> None:
    X, _ = _matrix(synthetic)
    first = clone(estimator).set_params(random_state=global_random_seed).fit(X)
    second = clone(estimator).set_params(random_state=global_random_seed).fit(X)
    np.testing.assert_array_equal(first.item_factors_, second.item_factors_)


def test_fitting_raises_no_blas_thread_warning(
        synthetic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    X, _ = _matrix(synthetic)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ALSRecommender(factors=4, iterations=2).fit(X)
        ItemKNNRecommender(n_neighbors=5).fit(X)


@pytest.mark.parametrize(("estimator", "message"),
                         [(ALSRecommender(factors=0), "factors must be a positive integer"),
                          (ALSRecommender(alpha=-1.0), "alpha must be a positive number"),
                          (BPRRecommender(iterations=2.5), "iterations must be a positive"),
                          (ItemKNNRecommender(n_neighbors=True), "n_neighbors must be")],
                         ids=["factors", "alpha", "iterations", "bool_neighbors"])
def test_invalid_parameters_raise_config_error(estimator: object, message: str) -> None:
    X = sp.csr_matrix(np.eye(3))
    with pytest.raises(ConfigError, match=message):
        estimator.fit(X)  # type: ignore[attr-defined]


@pytest.mark.parametrize("X", [sp.csr_matrix((3, 4)), np.zeros((0, 4)),
                               sp.csr_matrix(np.array([[1.0, -2.0]]))],
                         ids=["no_interactions", "no_users", "negative"])
def test_bad_matrices_raise_schema_error(X: object) -> None:
    with pytest.raises(SchemaError):
        PopularityRecommender().fit(X)


def test_score_items_checks_the_item_count(synthetic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    X, _ = _matrix(synthetic)
    model = PopularityRecommender().fit(X)
    with pytest.raises(SchemaError, match=f"must have {X.shape[1]} item columns"):
        model.score_items(sp.csr_matrix((1, 3)))


def test_estimators_clone_with_their_parameters() -> None:
    model = ALSRecommender(factors=12, bm25=False)
    assert clone(model).get_params() == model.get_params()
