"""Blend of collaborative models, exposure debiasing, fast content scoring, embedding cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.preprocessing import normalize

from jogak.errors import ConfigError
from jogak.solutions.recommend import (
    ALSRecommender,
    BlendRecommender,
    BPRRecommender,
    ContentModel,
    Recommender,
    SentenceEncoder,
    load_recommender,
)
from jogak.solutions.recommend._ranking import top_k

pytest.importorskip("implicit")

Data = tuple[pd.DataFrame, pd.DataFrame]


def _small_blend() -> BlendRecommender:
    return BlendRecommender(estimators=[("als", ALSRecommender(factors=8, iterations=5)),
                                        ("bpr", BPRRecommender(factors=8, iterations=20))],
                            weights=[3.0, 1.0])


def _z(scores: np.ndarray) -> np.ndarray:
    return (scores - scores.mean(axis=1, keepdims=True)) / scores.std(axis=1, keepdims=True)


def test_blend_is_the_weighted_mean_of_standardised_scores(hybrid: Recommender) -> None:
    matrix = hybrid.matrix_
    blend = _small_blend().fit(matrix)
    np.testing.assert_allclose(blend.weights_, [0.75, 0.25])
    rows = np.arange(5)
    als, bpr = blend.estimators_
    expected = 0.75 * _z(als.score_items(matrix[rows], rows)) + \
        0.25 * _z(bpr.score_items(matrix[rows], rows))
    np.testing.assert_allclose(blend.score_items(matrix[rows], rows), expected, atol=1e-5)
    # a user the models do not know is folded in by each model
    unknown = blend.score_items(matrix[:1], np.array([-1]))
    assert unknown.shape == (1, matrix.shape[1])
    assert np.isfinite(unknown).all()
    assert clone(blend).get_params()["weights"] == [3.0, 1.0]
    default = BlendRecommender()._named()
    assert [name for name, _ in default] == ["als", "bpr"]
    assert default[0][1].factors == 128


@pytest.mark.parametrize(("params", "match"), [
    ({"weights": [1.0]}, "weights must hold 2"),
    ({"weights": [-1.0, 2.0]}, "non-negative"),
    ({"weights": [0.0, 0.0]}, "positive sum"),
    ({"estimators": []}, "non-empty list"),
    ({"estimators": [("x", object())]}, "non-empty list"),
])
def test_blend_rejects_bad_parameters(hybrid: Recommender, params: dict[str, object],
                                      match: str) -> None:
    base = {"estimators": [("als", ALSRecommender(factors=4, iterations=2)),
                           ("bpr", BPRRecommender(factors=4, iterations=2))]}
    with pytest.raises(ConfigError, match=match):
        BlendRecommender(**{**base, **params}).fit(hybrid.matrix_)


def test_exposure_counts_the_unpenalised_top_lists(synthetic: Data, make_model) -> None:
    interactions, items = synthetic
    plain = make_model(content_weight=0.2).fit(interactions, items=items)
    debiased = make_model(content_weight=0.2, exposure_weight=0.5,
                          exposure_depth=3).fit(interactions, items=items)
    np.testing.assert_array_equal(plain.item_exposure_, 0)
    expected = np.zeros(plain.matrix_.shape[1], dtype=np.int64)
    scores = plain.blended_scores(plain.matrix_, np.arange(plain.matrix_.shape[0]))
    for user in range(plain.matrix_.shape[0]):
        row = scores[user].copy()
        row[plain.matrix_[user].indices] = -np.inf
        expected[top_k(row, 3)] += 1
    np.testing.assert_array_equal(debiased.item_exposure_, expected)
    assert debiased.item_exposure_.sum() == 3 * plain.matrix_.shape[0]
    info = np.log2(1.0 + expected)
    np.testing.assert_allclose(debiased.exposure_penalty_, (info - info.mean()) / info.std(),
                               rtol=1e-5, atol=1e-6)
    # the penalty is subtracted from the plain hybrid scores, nothing else changes
    rows = np.arange(4)
    np.testing.assert_allclose(
        debiased.blended_scores(debiased.matrix_[rows], rows),
        scores[rows] - 0.5 * debiased.exposure_penalty_, rtol=1e-5, atol=1e-5)


def test_exposure_penalty_demotes_the_most_exposed_titles(synthetic: Data, make_model) -> None:
    interactions, items = synthetic

    def counts(model: Recommender) -> np.ndarray:
        rows = np.arange(model.matrix_.shape[0])
        lists = model.top_items(model.matrix_, rows, k=10)
        return np.bincount(np.concatenate(lists), minlength=model.matrix_.shape[1])

    plain = make_model(content_weight=0.0).fit(interactions, items=items)
    spread = make_model(content_weight=0.0, exposure_weight=0.2,
                        exposure_depth=10).fit(interactions, items=items)
    before, after = counts(plain), counts(spread)
    busiest = np.argsort(-spread.item_exposure_, kind="stable")[:3]
    assert after[busiest].sum() < before[busiest].sum()
    # a strong penalty over-corrects: the never-exposed titles become everybody's list
    heavy = make_model(content_weight=0.0, exposure_weight=1.0,
                       exposure_depth=3).fit(interactions, items=items)
    assert (counts(heavy) > 0).sum() < (before > 0).sum()


@pytest.mark.parametrize(("params", "match"), [
    ({"exposure_weight": -0.1}, "exposure_weight must be a number >= 0"),
    ({"exposure_weight": True}, "exposure_weight"),
    ({"exposure_depth": 0}, "exposure_depth must be a positive integer"),
    ({"collaborative": "nope"}, "blend"),
])
def test_recommender_rejects_bad_exposure_settings(synthetic: Data, make_model,
                                                   params: dict[str, object], match: str) -> None:
    interactions, items = synthetic
    with pytest.raises(ConfigError, match=match):
        make_model(**params).fit(interactions, items=items)


def test_blend_with_exposure_survives_a_bundle_round_trip(synthetic: Data, make_model,
                                                          tmp_path: Path) -> None:
    interactions, items = synthetic
    model = make_model(collaborative=_small_blend(), content_weight=0.1, exposure_weight=0.3,
                       exposure_depth=5).fit(interactions, items=items)
    loaded = load_recommender(model.save(tmp_path / "blend"))
    assert [type(e).__name__ for e in loaded.collaborative_.estimators_] == \
        ["ALSRecommender", "BPRRecommender"]
    np.testing.assert_array_equal(loaded.item_exposure_, model.item_exposure_)
    for user in ("u0", "u7", "u33"):
        assert loaded.recommend(user, k=5)["item"].tolist() == \
            model.recommend(user, k=5)["item"].tolist()
    files = {entry["owner"] for entry in loaded.manifest_["arrays"]}
    assert {"collaborative_.estimators_.0", "collaborative_.estimators_.1"} <= files


def test_fast_content_scores_match_the_sparse_reference(hybrid: Recommender) -> None:
    content = hybrid.content_
    weights = hybrid.matrix_[:7]
    reference_profile = normalize(weights @ content.item_tfidf_)
    reference = (reference_profile @ content.item_tfidf_.T).toarray()
    np.testing.assert_allclose(content.profile_scores(weights), reference, atol=1e-5)
    items = np.array([0, 3, 5, 36, 39, 2])
    block = content.item_tfidf_[items].toarray()
    np.testing.assert_allclose(content.pairwise_similarity(items), block @ block.T, atol=1e-6)
    empty = sp.csr_matrix((1, weights.shape[1]), dtype=np.float32)
    np.testing.assert_array_equal(content.profile_scores(empty), 0.0)


def test_embedding_cache_reuses_vectors_and_keys_on_the_texts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def fake(self: SentenceEncoder, texts: list[str]) -> np.ndarray:
        calls.append(texts)
        vectors = np.zeros((len(texts), 384), dtype=np.float32)
        vectors[:, 0] = [len(text) for text in texts]
        return vectors

    monkeypatch.setattr(SentenceEncoder, "_encode", fake)
    encoder = SentenceEncoder(cache_dir=tmp_path)
    first = encoder.encode(["a heist", "a storm"])
    again = SentenceEncoder(cache_dir=tmp_path).encode(["a heist", "a storm"])
    np.testing.assert_array_equal(first, again)
    assert len(calls) == 1
    assert len(list(tmp_path.glob("*.npy"))) == 1
    SentenceEncoder(cache_dir=tmp_path).encode(["a storm", "a heist"])  # other order: new key
    assert len(calls) == 2
    SentenceEncoder(cache_dir=None).encode(["a heist"])
    assert len(calls) == 3
    assert len(list(tmp_path.glob("*.npy"))) == 2
    model = ContentModel(encoder="embedding", n_topics=2, embedding_cache=tmp_path)
    model.fit(["a heist in a bank", "a storm at sea"])
    model.fit(["a heist in a bank", "a storm at sea"])
    assert len(calls) == 4


def test_ridge_cold_start_maps_synopses_to_factors(synthetic: Data, make_model,
                                                   tmp_path: Path) -> None:
    from sklearn.linear_model import Ridge

    interactions, items = synthetic
    plain = make_model(content_weight=0.2).fit(interactions, items=items)
    mapped = make_model(content_weight=0.2, cold_start="ridge",
                        cold_start_alpha=0.5).fit(interactions, items=items)
    cold = mapped.is_cold_ & mapped.content_.has_text_
    np.testing.assert_array_equal(mapped.is_mapped_, cold)
    assert cold.sum() == 4
    assert not plain.is_mapped_.any()
    features = mapped.content_.item_tfidf_
    reference = Ridge(alpha=0.5).fit(features[~mapped.is_cold_],
                                     plain.collaborative_.item_factors_[~mapped.is_cold_])
    np.testing.assert_allclose(mapped.collaborative_.item_factors_[cold],
                               reference.predict(features[cold]), rtol=1e-4, atol=1e-5)
    # warm factors are untouched; cold titles are now scored through the mapped factors
    np.testing.assert_array_equal(mapped.collaborative_.item_factors_[~cold],
                                  plain.collaborative_.item_factors_[~cold])
    rows = np.arange(6)
    scores = mapped.blended_scores(mapped.matrix_[rows], rows)
    assert np.isfinite(scores[:, cold]).all()
    before = plain.blended_scores(plain.matrix_[rows], rows)
    assert not np.allclose(scores[:, cold], before[:, cold])
    # the mapping is saved with the factors
    loaded = load_recommender(mapped.save(tmp_path / "ridge"))
    np.testing.assert_array_equal(loaded.is_mapped_, cold)
    assert loaded.recommend("u3", k=8)["item"].tolist() == \
        mapped.recommend("u3", k=8)["item"].tolist()


def test_ridge_cold_start_needs_valid_settings(synthetic: Data, make_model) -> None:
    interactions, items = synthetic
    with pytest.raises(ConfigError, match="cold_start must be 'content' or 'ridge'"):
        make_model(cold_start="knn").fit(interactions, items=items)
    with pytest.raises(ConfigError, match="cold_start_alpha must be a positive number"):
        make_model(cold_start="ridge", cold_start_alpha=0).fit(interactions, items=items)
    # a model without factors (item-kNN) keeps scoring cold titles by content alone
    knn = make_model(collaborative="item_knn", cold_start="ridge").fit(interactions, items=items)
    assert not knn.is_mapped_.any()
    assert np.isfinite(knn.blended_scores(knn.matrix_[:1], np.array([0]))[0, knn.is_cold_]).all()


def test_a_damaged_cache_file_is_encoded_again(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SentenceEncoder, "_encode",
                        lambda self, texts: np.ones((len(texts), 384), dtype=np.float32))
    encoder = SentenceEncoder(cache_dir=tmp_path)
    target = encoder._cache_file(["a heist"])
    assert target is not None
    target.write_bytes(b"not an npy file")
    np.testing.assert_array_equal(encoder.encode(["a heist"]), 1.0)
    np.testing.assert_array_equal(np.load(target), 1.0)  # rewritten
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder should be")
    vectors = SentenceEncoder(cache_dir=blocked / "sub").encode(["a storm"])
    np.testing.assert_array_equal(vectors, 1.0)
