from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from jogak.errors import BundleError, ConfigError, SchemaError
from jogak.solutions.recommend import (
    Recommender,
    UnknownIdError,
    curation_blocks,
    intra_list_diversity,
    load_recommender,
    novelty,
)
from jogak.testing._recommend import make_recommendation_data

pytest.importorskip("implicit")
Data = tuple[pd.DataFrame, pd.DataFrame]
COLD = [136, 137, 138, 139]  # the synthetic catalogue's titles without interactions


def test_hybrid_reaches_cold_titles_through_content(hybrid: Recommender) -> None:
    assert sorted(hybrid.item_ids_[hybrid.is_cold_].tolist()) == COLD
    rows = np.arange(hybrid.matrix_.shape[0])
    tops = hybrid.top_items(hybrid.matrix_, rows, k=5)
    reached = {int(hybrid.item_ids_[i]) for top in tops for i in top if hybrid.is_cold_[i]}
    assert reached == set(COLD)

    # with room to recommend (users saw 5 of ~15 titles of their favourite cluster), cold
    # titles reach the users who like their cluster: item i is in cluster i % 4, user u
    # prefers cluster u % 4
    interactions, items = make_recommendation_data(n_users=80, n_items=64, n_per_user=5, seed=2)
    roomy = clone(hybrid).fit(interactions, items=items)
    rows = np.arange(roomy.matrix_.shape[0])
    matches = [int(roomy.item_ids_[i]) % 4 == int(str(roomy.user_ids_[row])[1:]) % 4
               for row, top in zip(rows, roomy.top_items(roomy.matrix_, rows, k=5), strict=True)
               for i in top if roomy.is_cold_[i]]
    assert len(matches) >= 10
    assert np.mean(matches) >= 0.8
    frame = hybrid.recommend("u2", k=10)
    cold_rows = frame[frame["item"].isin(COLD)]
    assert len(cold_rows)
    assert (cold_rows["source"] == "content (cold title)").all()


def test_collaborative_only_model_never_recommends_cold_titles(synthetic: Data,
                                                               make_model: Callable) -> None:
    interactions, items = synthetic
    model = make_model(content_weight=0.0).fit(interactions, items=items)
    rows = np.arange(model.matrix_.shape[0])
    for top in model.top_items(model.matrix_, rows, k=10):
        assert not model.is_cold_[top].any()


def test_recommend_excludes_seen_titles_and_ranks_by_score(hybrid: Recommender,
                                                           synthetic: Data) -> None:
    interactions, _ = synthetic
    frame = hybrid.recommend("u5", k=8)
    seen = set(interactions.loc[interactions["user_id"] == "u5", "item_id"])
    assert not seen & set(frame["item"])
    assert frame["rank"].tolist() == list(range(1, 9))
    assert frame["score"].is_monotonic_decreasing
    assert list(frame.columns) == ["rank", "item", "title", "score", "topic", "source"]
    assert hybrid.recommend_items("u5", k=8).tolist() == frame["item"].tolist()


def test_unknown_user_gets_a_diverse_popular_list(hybrid: Recommender) -> None:
    frame = hybrid.recommend("stranger", k=4)
    assert (frame["source"] == "popular (unknown user)").all()
    assert not hybrid.is_cold_[hybrid._item_index().get_indexer(frame["item"])].any()
    # the diverse list covers every cluster; the plain popularity top 4 would not
    assert set(frame["item"] % 4) == {0, 1, 2, 3}
    plain = np.argsort(-hybrid.item_popularity_, kind="stable")[:4]
    assert len(set(hybrid.item_ids_[plain] % 4)) < 4


def test_new_user_with_first_titles_gets_item_to_item_recommendations(
        hybrid: Recommender) -> None:
    frame = hybrid.recommend_for_items([102, 106, "110", 999999], k=5)
    assert not {102, 106, 110} & set(frame["item"])
    assert (frame["item"] % 4 == 2).mean() >= 0.8  # the cluster of the chosen titles
    fallback = hybrid.recommend_for_items([999999], k=3)
    assert (fallback["source"] == "popular (unknown user)").all()


def test_string_user_ids_match_integer_ids(synthetic: Data, make_model: Callable) -> None:
    interactions, items = synthetic
    numbered = interactions.assign(user_id=interactions["user_id"].str[1:].astype(int))
    model = make_model().fit(numbered, items=items)
    assert model.recommend("3", k=3)["item"].tolist() == model.recommend(3, k=3)["item"].tolist()
    assert (model.recommend("3", k=3)["source"] != "popular (unknown user)").all()


def test_mmr_trades_relevance_for_diversity(synthetic: Data, make_model: Callable) -> None:
    interactions, items = synthetic
    plain = make_model(mmr_lambda=1.0).fit(interactions, items=items)
    diverse = clone(plain).set_params(mmr_lambda=0.3).fit(interactions, items=items)
    rows = np.arange(plain.matrix_.shape[0])
    similarity = plain.content_.pairwise_similarity
    ild_plain = intra_list_diversity(plain.top_items(plain.matrix_, rows, k=5), similarity)
    ild_diverse = intra_list_diversity(diverse.top_items(diverse.matrix_, rows, k=5),
                                       similarity)
    assert ild_diverse > ild_plain + 0.1


def test_long_tail_weight_raises_novelty(synthetic: Data, make_model: Callable) -> None:
    interactions, items = synthetic
    base = make_model(content_weight=0.0).fit(interactions, items=items)
    tail = clone(base).set_params(long_tail_weight=1.0).fit(interactions, items=items)
    rows = np.arange(base.matrix_.shape[0])
    n_users = base.matrix_.shape[0]
    before = novelty(base.top_items(base.matrix_, rows, k=5), base.item_popularity_, n_users)
    after = novelty(tail.top_items(tail.matrix_, rows, k=5), tail.item_popularity_, n_users)
    assert after > before


def test_similar_titles_share_the_cluster_and_exclude_the_title(hybrid: Recommender) -> None:
    frame = hybrid.similar(108, k=5)
    assert 108 not in set(frame["item"])
    assert (frame["item"] % 4 == 0).all()
    cold = hybrid.similar(137, k=5)  # a cold title: by content only
    assert (cold["source"] == "content").all()
    assert (cold["item"] % 4 == 1).mean() >= 0.8


def test_similar_unknown_title_names_a_close_match(hybrid: Recommender) -> None:
    with pytest.raises(UnknownIdError, match="Did you mean 'Title 108'"):
        hybrid.similar("Title 108?")
    with pytest.raises(SchemaError, match="not in the model's catalogue of 40 titles"):
        hybrid.similar(5)


def test_search_returns_titles_with_topics(hybrid: Recommender) -> None:
    frame = hybrid.search("a kidnapping and a missing body: find the killer", k=5)
    assert (frame["item"] % 4 == 0).all()
    assert frame["score"].is_monotonic_decreasing
    assert frame.attrs["query_topics"][0] == frame["topic"].iloc[0]


@pytest.mark.parametrize("query", ["", "   ", None], ids=["empty", "blank", "none"])
def test_search_rejects_an_empty_query(hybrid: Recommender, query: object) -> None:
    with pytest.raises(ConfigError, match="must be non-empty text"):
        hybrid.search(query)  # type: ignore[arg-type]


def test_models_without_items_cannot_search_but_recommend(synthetic: Data,
                                                          make_model: Callable) -> None:
    interactions, _ = synthetic
    model = make_model().fit(interactions)
    assert model.content_ is None
    assert (model.recommend("u1", k=3)["source"] == "collaborative").all()
    with pytest.raises(ConfigError, match="trained without synopses"):
        model.search("murder")
    with pytest.raises(ConfigError, match="need synopses"):
        curation_blocks(model)


def test_curation_blocks_group_titles_by_topic_beyond_blockbusters(hybrid: Recommender) -> None:
    blocks = curation_blocks(hybrid, n_blocks=4, per_block=3, skip_top_share=0.1)
    assert blocks["block"].nunique() == 4
    assert blocks.groupby("block").size().max() <= 3
    for _, block in blocks.groupby("block"):
        assert block["item"].mod(4).nunique() == 1  # one topic = one cluster
    top = hybrid.item_ids_[np.argsort(-hybrid.item_popularity_, kind="stable")[:4]]
    assert not set(top) & set(blocks["item"])


def test_duplicate_ratings_are_merged_and_counted(synthetic: Data, make_model: Callable) -> None:
    interactions, items = synthetic
    doubled = pd.concat([interactions, interactions.head(5)])
    model = make_model().fit(doubled, items=items)
    assert model.n_duplicates_ == 5
    assert model.matrix_.nnz == len(interactions)


def test_empty_synopses_are_counted_and_titles_still_recommended(
        synthetic: Data, make_model: Callable) -> None:
    interactions, items = synthetic
    blank = items.assign(overview=np.where(items["item_id"] < 110, "", items["overview"]))
    model = make_model().fit(interactions, items=blank)
    assert model.n_empty_texts_ == 10
    assert model.similar(104, k=3)["source"].eq("collaborative").all()


@pytest.mark.parametrize(("params", "message"),
                         [({"collaborative": "svd"}, "collaborative must be one of"),
                          ({"content_weight": 1.5}, "content_weight must be a number in"),
                          ({"mmr_lambda": -0.1}, "mmr_lambda must be a number in"),
                          ({"long_tail_weight": -1}, "long_tail_weight must be"),
                          ({"n_candidates": 0}, "n_candidates must be a positive integer")],
                         ids=["algorithm", "weight", "lambda", "long_tail", "candidates"])
def test_invalid_parameters_raise_config_error(synthetic: Data, make_model: Callable,
                                               params: dict[str, object], message: str) -> None:
    interactions, items = synthetic
    with pytest.raises(ConfigError, match=message):
        make_model(**params).fit(interactions, items=items)


def test_items_frame_problems_raise_schema_errors(synthetic: Data, make_model: Callable) -> None:
    interactions, items = synthetic
    with pytest.raises(SchemaError, match="Did you mean 'overview'"):
        make_model(text_cols=("overveiw",)).fit(interactions, items=items)
    with pytest.raises(SchemaError, match="without an id"):
        make_model().fit(interactions, items=items.assign(item_id=np.nan))
    with pytest.raises(ConfigError, match="k must be a positive integer"):
        make_model().fit(interactions, items=items).recommend("u1", k=0)


def test_save_and_load_round_trip_gives_the_same_answers(hybrid: Recommender,
                                                         tmp_path: Path) -> None:
    path = hybrid.save(tmp_path / "model")
    files = {p.name for p in path.iterdir()}
    assert "model.matrix_.npz" in files
    assert "collaborative_.item_factors_.npy" in files
    assert "model.user_ids_.json" in files  # text ids: JSON, not pickles
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["kind"] == "jogak.recommend"
    assert manifest["n_cold_items"] == 4
    assert "u1" not in (path / "manifest.json").read_text()  # no user ids in the manifest
    loaded = load_recommender(path)
    for user in ("u1", "u7", "nobody"):
        pd.testing.assert_frame_equal(loaded.recommend(user, k=5), hybrid.recommend(user, k=5))
    pd.testing.assert_frame_equal(loaded.similar(137, k=3), hybrid.similar(137, k=3))
    pd.testing.assert_frame_equal(loaded.search("alien robot", k=3),
                                  hybrid.search("alien robot", k=3))


def test_a_tampered_bundle_is_refused(hybrid: Recommender, tmp_path: Path) -> None:
    path = hybrid.save(tmp_path / "model")
    factors = path / "collaborative_.item_factors_.npy"
    data = bytearray(factors.read_bytes())
    data[-1] ^= 0xFF
    factors.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="item_factors_"):
        load_recommender(path)


def test_loading_another_bundle_kind_is_refused(tmp_path: Path) -> None:
    from jogak.models._artifacts import save_bundle

    save_bundle(tmp_path / "other", objects={"model": [1, 2]}, manifest={"kind": "other"})
    with pytest.raises(BundleError, match="expected 'jogak.recommend'"):
        load_recommender(tmp_path / "other")
