from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.recommend import (
    ContentModel,
    Recommender,
    cold_start_evaluation,
    compare_recommenders,
    evaluate_recommender,
    leave_last_n_split,
    time_split,
)

pytest.importorskip("implicit")
Data = tuple[pd.DataFrame, pd.DataFrame]


def test_leave_last_n_split_holds_out_each_users_latest(synthetic: Data) -> None:
    interactions, _ = synthetic
    train, test = leave_last_n_split(interactions, user_col="user_id", time_col="timestamp",
                                     n=3)
    assert len(train) + len(test) == len(interactions)
    assert test.groupby("user_id").size().eq(3).all()
    latest_train = train.groupby("user_id")["timestamp"].max()
    earliest_test = test.groupby("user_id")["timestamp"].min()
    assert (latest_train < earliest_test.loc[latest_train.index]).all()


def test_users_with_few_interactions_stay_in_training() -> None:
    frame = pd.DataFrame({"u": [1, 1, 2, 2, 2], "i": [1, 2, 1, 2, 3], "t": [1, 2, 1, 2, 3]})
    train, test = leave_last_n_split(frame, user_col="u", time_col="t", n=2)
    assert set(test["u"]) == {2}
    assert len(train[train["u"] == 1]) == 2


def test_time_split_cuts_at_a_quantile() -> None:
    frame = pd.DataFrame({"t": np.arange(10)})
    train, test = time_split(frame, time_col="t", test_share=0.3)
    assert train["t"].max() < test["t"].min()
    assert len(test) == 3
    with pytest.raises(ConfigError, match="test_share must be in"):
        time_split(frame, time_col="t", test_share=1.0)


def test_compare_recommenders_ranks_personal_models_above_popularity(
        synthetic: Data, make_model: Callable) -> None:
    interactions, items = synthetic
    models = {"popularity": make_model(collaborative="popularity", content_weight=0.0),
              "item_knn": make_model(collaborative="item_knn", content_weight=0.0),
              "hybrid": make_model(content_weight=0.3, mmr_lambda=0.8)}
    seen: list[str] = []
    table = compare_recommenders(interactions, models, items=items, holdout=2, k=5,
                                 progress=seen.append)
    assert seen == ["popularity", "item_knn", "hybrid"]
    assert list(table.index) == seen
    assert {"map@5", "ndcg@5", "coverage", "entropy", "novelty",
            "intra_list_diversity"} <= set(table.columns)
    assert table.loc["item_knn", "map@5"] > table.loc["popularity", "map@5"]
    assert table.loc["hybrid", "entropy"] > table.loc["popularity", "entropy"]
    assert table["n_test_users"].eq(60).all()
    assert table[["coverage"]].le(1).all().all()


def test_evaluate_recommender_rejects_test_data_of_strangers(synthetic: Data,
                                                            make_model: Callable) -> None:
    interactions, items = synthetic
    model = make_model().fit(interactions, items=items)
    strangers = pd.DataFrame({"user_id": ["x"], "item_id": [100]})
    with pytest.raises(SchemaError, match="No test interaction belongs"):
        evaluate_recommender(model, strangers)


def test_cold_start_protocol_beats_random(global_random_seed: int) -> None:
    from jogak.testing._recommend import make_recommendation_data

    interactions, items = make_recommendation_data(n_users=80, n_items=80, n_cold=0,
                                                   n_per_user=8, seed=global_random_seed)
    model = Recommender(rating_col="rating", time_col="timestamp",
                        content=ContentModel(n_topics=4), content_weight=0.3)
    result = cold_start_evaluation(interactions, items, model, share=0.25, k=5,
                                   random_state=global_random_seed)
    assert result["n_cold_titles"] == 20
    assert 0 < result["random_hit_rate"] < 1
    assert result["hit_rate"] > 1.5 * result["random_hit_rate"]
    assert result["lift"] == pytest.approx(result["hit_rate"] / result["random_hit_rate"])
    assert result["cold_in_top_k"] > 0


def test_cold_start_protocol_rejects_a_bad_share() -> None:
    with pytest.raises(ConfigError, match="share must be in"):
        cold_start_evaluation(pd.DataFrame({"user_id": [1], "item_id": [1]}),
                              pd.DataFrame({"item_id": [1], "overview": ["x"]}),
                              Recommender(), share=0.0)
