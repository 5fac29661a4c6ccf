"""Text clean-up and TF-IDF features (word and character n-grams, SVD)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from jogak.errors import ConfigError
from jogak.pipeline import TextFeatures, clean_text

TITLES = pd.DataFrame({"title": [
    "Love Me Again (Feat. IU) [OST]", "love me AGAIN!!", "밤편지 (Live)", "사랑했지만", None,
]})


def test_clean_text_removes_asides_tags_and_punctuation() -> None:
    assert clean_text(TITLES["title"]).tolist() == [
        "love me again", "love me again", "밤편지", "사랑했지만", ""]


def test_clean_text_patterns_are_configurable() -> None:
    out = clean_text(["Song (Remix) - Artist"], lowercase=False, patterns=[r" - .*$"])
    assert out.tolist() == ["Song (Remix)"]


def test_text_features_equal_tfidf_of_cleaned_text() -> None:
    features = TextFeatures().fit(TITLES)
    reference = TfidfVectorizer(lowercase=False, sublinear_tf=True).fit(clean_text(TITLES["title"]))
    out = features.transform(TITLES)
    assert sp.issparse(out)
    np.testing.assert_allclose(out.toarray(),
                               reference.transform(clean_text(TITLES["title"])).toarray())
    assert features.get_feature_names_out().tolist() == [
        f"title__w_{term}" for term in reference.get_feature_names_out()]


def test_text_features_char_ngrams_match_korean_inside_inflected_words() -> None:
    train = pd.DataFrame({"review": ["사랑했지만 잊었다", "정말 재미있다"]})
    features = TextFeatures(char_ngram_range=(2, 2)).fit(train)
    out = features.transform(pd.DataFrame({"review": ["사랑해"]})).toarray()
    names = features.get_feature_names_out()
    assert out[0, names.tolist().index("review__c_사랑")] > 0
    word_only = TextFeatures().fit(train).transform(pd.DataFrame({"review": ["사랑해"]}))
    assert word_only.nnz == 0  # no whole word in common: only character n-grams see it


def test_text_features_svd_components_capped_by_vocabulary_and_rows() -> None:
    many = pd.concat([TITLES] * 4, ignore_index=True)
    features = TextFeatures(svd_components=32, random_state=0).fit(many)
    out = features.transform(many)
    vocabulary = len(TfidfVectorizer().fit(clean_text(TITLES["title"])).vocabulary_)
    assert isinstance(out, np.ndarray)
    assert out.shape == (20, vocabulary)
    assert features.get_feature_names_out()[-1] == f"title__svd{vocabulary - 1}"
    few = TextFeatures(svd_components=32).fit(TITLES.iloc[:3])
    assert few.transform(TITLES).shape == (5, 2)
    assert TextFeatures(svd_components=32).fit(TITLES.iloc[:1]).transform(TITLES).shape == (5, 0)


def test_text_features_column_without_tokens_gives_no_columns() -> None:
    frame = pd.DataFrame({"empty": [None, "!!", "?"], "title": ["a song", "b song", "c"]})
    features = TextFeatures().fit(frame)
    out = features.transform(frame)
    assert out.shape == (3, 1)
    assert features.get_feature_names_out().tolist() == ["title__w_song"]


@pytest.mark.parametrize(("params", "message"), [
    ({"word_ngram_range": (2, 1)}, "'word_ngram_range'"),
    ({"char_ngram_range": (0, 3)}, "'char_ngram_range'"),
    ({"max_features": 0}, "'max_features'"),
    ({"patterns": ["("]}, "'patterns'"),
], ids=["word_range", "char_range", "max_features", "pattern"])
def test_text_features_reject_bad_parameters(params: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        TextFeatures(**params).fit(TITLES)
