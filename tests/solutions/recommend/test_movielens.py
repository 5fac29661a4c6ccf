"""MovieLens latest-small: the collaborative models on real ratings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.solutions.recommend import ALSRecommender, Recommender, compare_recommenders

pytest.importorskip("implicit")


@pytest.fixture(scope="module")
def ratings(data_dir: Path) -> pd.DataFrame:
    return pd.read_csv(data_dir / "movielens_latest_small" / "ratings.csv.gz")


@pytest.mark.slow
def test_als_matches_implicit_called_directly(ratings: pd.DataFrame) -> None:
    from implicit.als import AlternatingLeastSquares
    from implicit.nearest_neighbours import bm25_weight
    from threadpoolctl import threadpool_limits

    params = {"factors": 16, "iterations": 5, "regularization": 0.05, "alpha": 2.0}
    model = Recommender(user_col="userId", item_col="movieId", rating_col="rating",
                        collaborative=ALSRecommender(**params), content_weight=0.0).fit(ratings)
    assert model.matrix_.shape == (610, 9724)
    assert model.matrix_.nnz == 100_836
    with threadpool_limits(1, "blas"):
        direct = AlternatingLeastSquares(**params, num_threads=1, random_state=0)
        direct.fit(bm25_weight(model.matrix_, K1=100, B=0.8).tocsr(), show_progress=False)
    for row in (0, 100, 333, 609):
        ids, _ = direct.recommend(row, model.matrix_[row], N=10)
        assert model.recommend_items(model.user_ids_[row], 10).tolist() == \
            model.item_ids_[ids].tolist()


@pytest.mark.slow
def test_personal_models_beat_popularity_on_a_time_split(ratings: pd.DataFrame) -> None:
    common = {"user_col": "userId", "item_col": "movieId", "rating_col": "rating",
              "time_col": "timestamp", "content_weight": 0.0}
    table = compare_recommenders(ratings, {
        "popularity": Recommender(**common, collaborative="popularity"),
        "als": Recommender(**common, collaborative=ALSRecommender(factors=32, iterations=8))},
        holdout=10, k=10)
    assert table["n_test_users"].ge(600).all()  # users whose test titles exist in training
    assert table.loc["als", "map@10"] > 1.1 * table.loc["popularity", "map@10"]
    assert table.loc["als", "coverage"] > 3 * table.loc["popularity", "coverage"]
    assert table.loc["als", "entropy"] > table.loc["popularity", "entropy"] + 2
    assert np.isfinite(table.to_numpy()).all()


@pytest.mark.slow
def test_recency_blend_with_corrections_beats_als_with_twice_its_reach(
        ratings: pd.DataFrame) -> None:
    # the validation split of docs/recommend.md: the test part (last 10) is dropped first
    from jogak.solutions.recommend import leave_last_n_split

    train, _ = leave_last_n_split(ratings, user_col="userId", time_col="timestamp", n=10)
    common = {"user_col": "userId", "item_col": "movieId", "rating_col": "rating",
              "time_col": "timestamp", "content_weight": 0.0}
    table = compare_recommenders(train, {
        "als": Recommender(**common, collaborative="als"),
        "tuned": Recommender(**common, collaborative="recency_blend", item_zscore_weight=0.4,
                             exposure_weight=0.3, exposure_depth=50)}, holdout=10, k=10)
    als, tuned = table.loc["als"], table.loc["tuned"]
    assert tuned["map@10"] > 1.1 * als["map@10"]
    assert tuned["coverage"] > 2 * als["coverage"]
    assert tuned["entropy"] > als["entropy"] + 1
