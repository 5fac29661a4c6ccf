"""Recency ranks and decay in the collaborative models; per-item score standardisation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.recommend import (
    ALSRecommender,
    BlendRecommender,
    BPRRecommender,
    ItemKNNRecommender,
    Recommender,
    load_recommender,
)
from jogak.solutions.recommend._debiasing import (
    ItemStatistics,
    exposure_penalty,
    item_statistics,
    item_zscores,
)
from jogak.solutions.recommend._ranking import top_k
from jogak.solutions.recommend._recency import decay_weights, recency_ranks

pytest.importorskip("implicit")

Data = tuple[pd.DataFrame, pd.DataFrame]


def _three_way() -> BlendRecommender:
    return BlendRecommender(estimators=[
        ("als", ALSRecommender(factors=8, iterations=5, half_life=3)),
        ("bpr", BPRRecommender(factors=8, iterations=20)),
        ("knn", ItemKNNRecommender(n_neighbors=10, half_life=2))], weights=[0.3, 0.4, 0.3])


def test_recency_ranks_count_back_from_each_users_latest_title() -> None:
    frame = pd.DataFrame({"u": ["a", "a", "a", "a", "b", "b", "c"],
                          "i": [1, 2, 3, 1, 2, 3, 9],
                          "t": [10, 20, 20, 5, 7, 3, 1]})
    ranks = recency_ranks(frame, user_col="u", item_col="i", time_col="t",
                          user_ids=np.array(["a", "b"]), item_ids=np.array([1, 2, 3]))
    # a: item 1 at its latest time 10, items 2 and 3 tie at 20 and share rank 1;
    # user c and item 9 are not in the given ids and are left out
    np.testing.assert_array_equal(ranks.toarray(), [[3, 1, 1], [0, 1, 2]])
    assert ranks.has_sorted_indices


def test_decay_weights_halve_every_half_life() -> None:
    np.testing.assert_allclose(decay_weights(np.array([1, 4, 7, 0]), 3), [1, 0.5, 0.25, 1])
    np.testing.assert_array_equal(decay_weights(np.array([1, 50]), None), [1, 1])


@pytest.fixture(scope="module")
def matrices() -> tuple[sp.csr_matrix, sp.csr_matrix]:
    rng = np.random.default_rng(0)
    dense = (rng.random((30, 20)) < 0.3) * rng.integers(1, 6, size=(30, 20))
    X = sp.csr_matrix(dense.astype(np.float32))
    ranks = X.copy()
    for row in range(X.shape[0]):  # a random order of each user's titles
        a, b = X.indptr[row], X.indptr[row + 1]
        ranks.data[a:b] = rng.permutation(b - a) + 1
    return X, ranks


def test_als_half_life_factorises_the_decayed_matrix(matrices) -> None:
    X, ranks = matrices
    decayed = X.copy()
    decayed.data = decayed.data * decay_weights(ranks.data, 2.0)
    with_ranks = ALSRecommender(factors=4, iterations=3, half_life=2.0).fit(X, ranks=ranks)
    by_hand = ALSRecommender(factors=4, iterations=3).fit(decayed)
    np.testing.assert_allclose(with_ranks.item_factors_, by_hand.item_factors_, atol=1e-5)
    # without ranks, or without a half-life, nothing decays
    plain = ALSRecommender(factors=4, iterations=3).fit(X)
    np.testing.assert_allclose(ALSRecommender(factors=4, iterations=3, half_life=2.0).fit(X)
                               .item_factors_, plain.item_factors_, atol=1e-6)
    np.testing.assert_allclose(ALSRecommender(factors=4, iterations=3).fit(X, ranks=ranks)
                               .item_factors_, plain.item_factors_, atol=1e-6)
    # a folded-in user is weighed like the training rows
    rows = np.arange(3)
    np.testing.assert_allclose(
        with_ranks.score_items(X[rows], np.full(3, -1), ranks=ranks[rows]),
        by_hand.score_items(decayed[rows], np.full(3, -1)), atol=1e-4)


def test_item_knn_half_life_weighs_recent_history_more(matrices) -> None:
    X, ranks = matrices
    knn = ItemKNNRecommender(n_neighbors=5, half_life=1.0).fit(X, ranks=ranks)
    rows = np.arange(6)
    binary = X[rows].copy()
    binary.data[:] = 1.0
    weighted = binary.copy()
    weighted.data = decay_weights(ranks[rows].data, 1.0)
    np.testing.assert_allclose(knn.score_items(X[rows], rows, ranks=ranks[rows]),
                               (weighted @ knn.similarity_).toarray(), atol=1e-6)
    np.testing.assert_allclose(knn.score_items(X[rows], rows),
                               (binary @ knn.similarity_).toarray(), atol=1e-6)


def test_ranks_must_match_the_interactions(matrices) -> None:
    X, ranks = matrices
    shifted = sp.csr_matrix(np.roll(ranks.toarray(), 1, axis=1))
    with pytest.raises(SchemaError, match="same cells"):
        ALSRecommender(factors=2, iterations=1, half_life=2).fit(X, ranks=shifted)
    with pytest.raises(SchemaError, match="non-zeros of the interactions"):
        ALSRecommender(factors=2, iterations=1, half_life=2).fit(X, ranks=ranks[:5])


@pytest.mark.parametrize("half_life", [0, -2.0, True, "10"], ids=["zero", "negative", "bool",
                                                                   "text"])
def test_half_life_must_be_positive(matrices, half_life: object) -> None:
    X, ranks = matrices
    with pytest.raises(ConfigError, match="half_life must be None"):
        ItemKNNRecommender(half_life=half_life).fit(X, ranks=ranks)
    with pytest.raises(ConfigError, match="half_life must be None"):
        ALSRecommender(half_life=half_life).fit(X, ranks=ranks)


def test_recommender_follows_a_users_latest_titles() -> None:
    # two tastes: items 0-4 are watched together, items 5-9 are watched together; user "x"
    # watched the first group long ago and one title of the second group last
    rows = []
    for user in range(20):
        group = range(5) if user % 2 else range(5, 10)
        rows += [{"user": f"u{user}", "item": i, "t": t} for t, i in enumerate(group)]
    rows += [{"user": "x", "item": i, "t": t} for t, i in enumerate([0, 1, 2, 5])]
    frame = pd.DataFrame(rows)

    def first(half_life: float | None) -> int:
        model = Recommender(user_col="user", item_col="item", time_col="t",
                            collaborative=ItemKNNRecommender(half_life=half_life),
                            content_weight=0.0).fit(frame)
        assert model.ranks_ is not None
        row = model.user_ids_.tolist().index("x")
        assert model.ranks_[row].toarray().max() == 4
        return int(model.recommend_items("x", 1)[0])

    assert first(None) in (3, 4)  # three old titles outvote the latest one
    assert first(0.5) in (6, 7, 8, 9)  # the latest title leads


def test_item_statistics_match_a_brute_force_count() -> None:
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(7, 6)).astype(np.float32)
    scores[:, 5] = -np.inf  # an item nothing can score
    matrix = sp.csr_matrix((rng.random((7, 6)) < 0.3).astype(np.float32))
    stats = item_statistics(lambda rows: scores[rows], matrix, depth=2, batch=3)
    expected = np.zeros(6, dtype=np.int64)
    for user in range(7):
        row = scores[user].copy()
        row[matrix[user].indices] = -np.inf
        expected[top_k(row, 2)] += 1
    np.testing.assert_array_equal(stats.exposure, expected)
    np.testing.assert_allclose(stats.mean[:5], scores[:, :5].mean(axis=0), atol=1e-5)
    np.testing.assert_allclose(stats.std[:5], scores[:, :5].std(axis=0), atol=1e-5)
    assert (stats.mean[5], stats.std[5]) == (0.0, 1.0)
    assert exposure_penalty(np.array([4, 4])).tolist() == [0.0, 0.0]


def test_item_zscores_keep_unscorable_items_out() -> None:
    stats = ItemStatistics(np.zeros(3), np.array([1.0, 0.0, 0.0], dtype=np.float32),
                           np.array([2.0, 1.0, 1.0], dtype=np.float32))
    scores = np.array([[3.0, 0.5, -np.inf]], dtype=np.float32)
    np.testing.assert_allclose(item_zscores(scores, stats, 1.0), [[1.0, 0.5, -np.inf]])
    np.testing.assert_allclose(item_zscores(scores, stats, 0.5), [[2.0, 0.5, -np.inf]])
    assert item_zscores(scores, stats, 0.0) is scores


def test_item_zscores_demote_the_titles_everybody_scores_high(synthetic: Data,
                                                              make_model) -> None:
    interactions, items = synthetic

    def counts(model: Recommender) -> np.ndarray:
        rows = np.arange(model.matrix_.shape[0])
        lists = model.top_items(model.matrix_, rows, k=5)
        return np.bincount(np.concatenate(lists), minlength=model.matrix_.shape[1])

    plain = make_model(content_weight=0.0, collaborative="als").fit(interactions, items=items)
    spread = make_model(content_weight=0.0, collaborative="als",
                        item_zscore_weight=0.3).fit(interactions, items=items)
    assert plain.item_score_mean_ is None
    assert spread.item_score_mean_.shape == (plain.matrix_.shape[1],)
    popular = np.argsort(-plain.item_popularity_, kind="stable")[:5]
    assert counts(spread)[popular].sum() < counts(plain)[popular].sum() / 3
    # like the exposure penalty, a strong weight over-corrects on a small catalogue: a few
    # titles with a low usual score become everybody's list
    heavy = make_model(content_weight=0.0, collaborative="als",
                       item_zscore_weight=0.7).fit(interactions, items=items)
    assert (counts(heavy) > 0).sum() < (counts(plain) > 0).sum()
    # the scores are the per-user standardised ones, mixed with their per-item z-scores
    rows = np.arange(5)
    base = spread._base_scores(spread.matrix_[rows], rows)
    expected = 0.7 * base + 0.3 * (base - spread.item_score_mean_) / spread.item_score_std_
    np.testing.assert_allclose(spread.blended_scores(spread.matrix_[rows], rows), expected,
                               atol=1e-4)


@pytest.mark.parametrize("weight", [-0.1, 1.5, True], ids=["negative", "above_one", "bool"])
def test_item_zscore_weight_must_be_a_share(synthetic: Data, make_model, weight: object) -> None:
    interactions, items = synthetic
    with pytest.raises(ConfigError, match="item_zscore_weight must be a number in"):
        make_model(item_zscore_weight=weight).fit(interactions, items=items)


def test_three_way_blend_with_corrections_survives_a_bundle_round_trip(
        synthetic: Data, make_model, tmp_path: Path) -> None:
    interactions, items = synthetic
    model = make_model(collaborative=_three_way(), content_weight=0.0, item_zscore_weight=0.3,
                       exposure_weight=0.4, exposure_depth=5).fit(interactions, items=items)
    loaded = load_recommender(model.save(tmp_path / "three"))
    assert sp.issparse(loaded.ranks_)
    np.testing.assert_array_equal(loaded.ranks_.toarray(), model.ranks_.toarray())
    np.testing.assert_array_equal(loaded.item_score_mean_, model.item_score_mean_)
    for user in ("u0", "u7", "u33", "nobody"):
        assert loaded.recommend_items(user, 5).tolist() == model.recommend_items(user, 5).tolist()
    # a new user's first titles have no recency: no decay, still a full list
    assert len(loaded.recommend_for_items([100, 101], k=5)) == 5
