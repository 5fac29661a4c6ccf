from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.recommend import ContentModel
from jogak.testing._recommend import CLUSTER_WORDS

KOREAN = [
    "비 오는 밤 실종된 소녀를 찾는 형사의 추적이 시작된다",
    "연쇄 살인범을 쫓는 형사와 납치된 아이의 이야기",
    "두 연인의 결혼식을 앞두고 벌어지는 사랑 이야기",
    "우주 비행사가 외계 행성에서 로봇과 함께 살아남는다",
]


def test_search_ranks_the_matching_synopsis_first(
        synthetic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, items = synthetic
    model = ContentModel(n_topics=4).fit(items["overview"])
    scores = model.query_scores(["an astronaut on an alien planet", "a wedding and a kiss"])
    assert scores.shape == (2, len(items))
    assert items["cluster"].iloc[int(scores[0].argmax())] == 2
    assert items["cluster"].iloc[int(scores[1].argmax())] == 1
    assert np.all(scores >= 0)
    assert np.all(scores <= 1 + 1e-6)


def test_topics_recover_the_clusters_with_readable_labels(
        synthetic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, items = synthetic
    model = ContentModel(n_topics=4).fit(items["overview"])
    assert len(model.topic_labels_) == 4
    for label in model.topic_labels_:
        words = label.split(" · ")
        assert len(words) == 3
        # every label is made of one cluster's words
        assert any(set(words) <= set(cluster) for cluster in CLUSTER_WORDS), label
    np.testing.assert_allclose(model.item_topics_.sum(axis=1), 1.0, rtol=1e-5)
    # items of one cluster share a dominant topic
    for cluster in range(4):
        dominant = model.dominant_topic_[items["cluster"].to_numpy() == cluster]
        assert len(set(dominant.tolist())) == 1


def test_profile_scores_of_one_item_are_its_similarities(
        synthetic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, items = synthetic
    model = ContentModel(n_topics=4).fit(items["overview"])
    import scipy.sparse as sp

    onehot = sp.csr_matrix(([1.0], ([0], [3])), shape=(1, len(items)))
    scores = model.profile_scores(onehot)[0]
    assert scores[3] == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(model.pairwise_similarity(np.array([3, 5]))[0, 1], scores[5],
                               rtol=1e-5)


def test_empty_synopses_get_zero_vectors_and_no_topic() -> None:
    texts = ["a detective and a killer", None, "", "a wedding and a kiss", np.nan]
    model = ContentModel(n_topics=2).fit(texts)
    assert model.has_text_.tolist() == [True, False, False, True, False]
    assert model.item_tfidf_[1].nnz == 0
    assert model.dominant_topic_[1] == -1
    assert np.all(model.query_scores(["detective"])[0, [1, 2, 4]] == 0)


@pytest.mark.parametrize(("texts", "error", "message"),
                         [(["", None], SchemaError, "All 2 synopses are empty"),
                          (["the and of", "a an the"], SchemaError, "No terms left"),
                          ([1.5, "text"], SchemaError, "Synopses must be text")],
                         ids=["all_empty", "stop_words_only", "numbers"])
def test_unusable_synopses_raise_clear_errors(texts: list[object], error: type[Exception],
                                              message: str) -> None:
    with pytest.raises(error, match=message):
        ContentModel().fit(texts)


@pytest.mark.parametrize(("params", "message"),
                         [({"encoder": "bert"}, "encoder must be one of"),
                          ({"analyzer": "spacy"}, "analyzer must be one of"),
                          ({"n_topics": 0}, "n_topics must be a positive integer"),
                          ({"embedding_weight": 1.5}, "embedding_weight must be in")],
                         ids=["encoder", "analyzer", "n_topics", "weight"])
def test_invalid_parameters_raise_config_error(params: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ContentModel(**params).fit(["some text here", "other words there"])  # type: ignore[arg-type]


@pytest.mark.slow
def test_korean_text_uses_morphemes_and_finds_the_story() -> None:
    pytest.importorskip("kiwipiepy")
    model = ContentModel(n_topics=2).fit(KOREAN)
    assert model.analyzer_ == "kiwi"
    vocabulary = set(model.vectorizer_.get_feature_names_out())
    assert {"형사", "실종", "납치"} <= vocabulary  # nouns split from their particles
    scores = model.query_scores(["납치와 실종 사건을 수사하는 형사"])[0]
    assert set(np.argsort(-scores)[:2].tolist()) == {0, 1}
    # the fitted model copies like a pickle would (the analyser is dropped, then rebuilt)
    restored = copy.deepcopy(model)
    assert restored.vectorizer_.tokenizer._kiwi is None
    np.testing.assert_allclose(restored.query_scores(["외계 행성의 우주 비행사"]),
                               model.query_scores(["외계 행성의 우주 비행사"]))


def test_korean_character_ngrams_work_without_an_analyser() -> None:
    model = ContentModel(n_topics=2, analyzer="char").fit(KOREAN)
    assert model.analyzer_ == "char"
    scores = model.query_scores(["우주 비행사와 로봇"])[0]
    assert int(scores.argmax()) == 3


def test_query_topics_point_to_the_matching_topic(
        synthetic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    _, items = synthetic
    model = ContentModel(n_topics=4).fit(items["overview"])
    shares = model.query_topics(["murder detective police"])[0]
    label = model.topic_labels_[int(shares.argmax())]
    assert set(label.split(" · ")) <= set(CLUSTER_WORDS[0])
    assert clone(model).get_params() == model.get_params()
