"""The compiled TF-IDF transform equals scikit-learn's, in batch and on the single-row path.

Every test runs twice: through the numba pass (``_tfidf_native``) and, with
``JOGAK_NATIVE_TEXT=0``, through CompiledTfidf's numpy path.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from jogak.data import ColumnInfo, ColumnRole, ColumnRoles
from jogak.pipeline import TextFeatures, compile_row_transform
from jogak.pipeline import _tfidf as tfidf_module
from jogak.pipeline._text import _clean
from jogak.pipeline._tfidf import CompiledTfidf, compile_tfidf

TRAIN = [
    "Operating profit rose to EUR 13.1 mn from EUR 8.7 mn (2007)",
    "The company's net sales decreased by 5 % in the third quarter",
    "밤편지 사랑했지만 정말 재미있다 [OST]", "Ça va très bien, naïve café", "profit profit profit",
    "x y z", "",
]
EDGE = [
    "", None, np.nan, "   ", "!!! ??? ...", "zzzz qqqq wwww", "사랑해 밤편지는", "a", "ab",
    "naïve café 東京 ñandú", "profit rose profit rose rose", "tab\there\nnew line",
    " ".join(["operating profit"] * 3000) + " unseen " * 500, "ß" * 40,
]
SETTINGS = [
    {"word_ngram_range": (1, 2), "char_ngram_range": (2, 4)},
    {"word_ngram_range": (1, 3), "char_ngram_range": (1, 3), "sublinear_tf": False},
    {"word_ngram_range": (2, 2), "char_ngram_range": (3, 5), "max_features": 15},
]
SETTING_IDS = ["default", "unigram_chars_no_sublinear", "bigrams_only_capped"]


@pytest.fixture(autouse=True, params=["native", "numpy"])
def text_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "native":
        pytest.importorskip("numba")
        monkeypatch.delenv("JOGAK_NATIVE_TEXT", raising=False)
    else:
        monkeypatch.setenv("JOGAK_NATIVE_TEXT", "0")
    return str(request.param)


def _reference(features: TextFeatures, frame: pd.DataFrame) -> sp.csr_matrix:
    """scikit-learn's transform of each fitted vectorizer, side by side."""
    blocks = []
    for column, fitted in zip(frame.columns, features.vectorizers_, strict=True):
        docs = _clean(frame[column].to_numpy(dtype=object), features.lowercase,
                      features.patterns_)
        blocks += [vectorizer.transform(docs) for vectorizer in fitted]
    return sp.hstack(blocks, format="csr")


def _assert_same_csr(out: sp.csr_matrix, expected: sp.csr_matrix) -> None:
    assert out.shape == expected.shape
    expected = expected.tocsr()
    expected.sort_indices()
    np.testing.assert_array_equal(out.indptr, expected.indptr)
    np.testing.assert_array_equal(out.indices, expected.indices)
    np.testing.assert_array_equal(out.data, expected.data)  # bit for bit


@pytest.mark.parametrize("settings", SETTINGS, ids=SETTING_IDS)
def test_compiled_tfidf_equals_sklearn_on_edge_cases(settings: dict) -> None:
    train = pd.DataFrame({"text": TRAIN})
    features = TextFeatures(**settings).fit(train)
    frame = pd.DataFrame({"text": EDGE + TRAIN})
    out = features.transform(frame)
    assert isinstance(out, sp.csr_matrix)
    _assert_same_csr(out, _reference(features, frame))
    for fitted in features.compiled_vectorizers():
        assert all(isinstance(vectorizer, CompiledTfidf) for vectorizer in fitted)


@pytest.mark.parametrize("settings", SETTINGS, ids=SETTING_IDS)
def test_compiled_tfidf_single_document_counts_equal_sklearn(settings: dict) -> None:
    features = TextFeatures(**settings).fit(pd.DataFrame({"text": TRAIN}))
    docs = _clean(np.asarray(EDGE + TRAIN, dtype=object), True, features.patterns_)
    for vectorizer in features.vectorizers_[0]:
        compiled = compile_tfidf(vectorizer)
        assert compiled is not None
        expected = CountVectorizer.transform(vectorizer, docs).toarray()  # counts, no idf
        for i, doc in enumerate(docs):
            counts = np.bincount(compiled.indices(doc), minlength=compiled.n_terms)
            np.testing.assert_array_equal(counts, expected[i])


def test_text_row_path_equals_transform_on_edge_cases() -> None:
    train = pd.DataFrame({"text": TRAIN * 3, "note": TRAIN[::-1] * 3})
    roles = ColumnRoles(info={name: ColumnInfo(name, ColumnRole.TEXT, "str", 7, 0.0)
                              for name in train.columns})
    for svd in (None, 3):
        step = TextFeatures(word_ngram_range=(1, 2), char_ngram_range=(2, 4),
                            svd_components=svd, random_state=0)
        preprocessor = ColumnTransformer([("text", step, ["text", "note"])]).fit(train)
        row = compile_row_transform(preprocessor, roles)
        assert row.is_fully_compiled
        for a, b in zip(EDGE, EDGE[::-1], strict=True):
            record = {"text": None if a is np.nan else a, "note": None if b is np.nan else b}
            expected = preprocessor.transform(pd.DataFrame([record]))
            expected = expected.toarray() if sp.issparse(expected) else expected
            np.testing.assert_allclose(row(record), expected[0], rtol=0, atol=1e-12)


def _round_trip(value: Any) -> Any:
    buffer = io.BytesIO()
    joblib.dump(value, buffer)
    buffer.seek(0)
    return joblib.load(buffer)  # noqa: TID251 - our own object, round trip in memory


def test_compiled_tfidf_survives_pickle_without_its_cache(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOGAK_NATIVE_TEXT", "0")  # the word cache is the numpy path's
    features = TextFeatures(char_ngram_range=(2, 4)).fit(pd.DataFrame({"text": TRAIN}))
    frame = pd.DataFrame({"text": EDGE})
    before = features.transform(frame)
    compiled = features.compiled_vectorizers()[0][1]
    assert compiled.words  # words met in transform are cached
    copy = _round_trip(features)
    assert copy.compiled_vectorizers()[0][1].words == {}  # rebuilt on load, cache empty
    restored = _round_trip(compiled)
    assert restored.words == {}
    _assert_same_csr(copy.transform(frame), before)
    docs = _clean(np.asarray(EDGE, dtype=object), True, features.patterns_)
    _assert_same_csr(restored.transform(docs), before[:, -compiled.n_terms:])


def test_compiled_tfidf_word_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOGAK_NATIVE_TEXT", "0")  # the word cache is the numpy path's
    monkeypatch.setattr(tfidf_module, "CACHE_WORDS", 3)
    features = TextFeatures(char_ngram_range=(2, 3)).fit(pd.DataFrame({"text": TRAIN}))
    frame = pd.DataFrame({"text": EDGE + TRAIN})
    out = features.transform(frame)
    assert len(features.compiled_vectorizers()[0][1].words) == 3
    _assert_same_csr(out, _reference(features, frame))


def test_refit_drops_the_compiled_vectorizers() -> None:
    features = TextFeatures().fit(pd.DataFrame({"text": TRAIN}))
    first = features.compiled_vectorizers()
    features.fit(pd.DataFrame({"text": ["other words entirely", "and more"]}))
    assert features.compiled_vectorizers() is not first
    assert features.transform(pd.DataFrame({"text": ["other words"]})).nnz == 2


@pytest.mark.parametrize("params", [
    {"analyzer": "char"}, {"stop_words": ["the"]}, {"token_pattern": r"\w+"},
    {"lowercase": True}, {"norm": "l1"},
], ids=["char_analyser", "stop_words", "token_pattern", "lowercase", "l1_norm"])
def test_compile_tfidf_declines_settings_it_does_not_reproduce(params: dict) -> None:
    vectorizer = TfidfVectorizer(**{"lowercase": False, **params}).fit(TRAIN)
    assert compile_tfidf(vectorizer) is None
    assert compile_tfidf(TfidfVectorizer()) is None  # not fitted


@pytest.mark.slow
def test_compiled_tfidf_equals_sklearn_on_phrasebank(data_dir: Path) -> None:
    frame = pd.read_csv(data_dir / "financial_phrasebank" / "sentences_50agree.csv.gz")
    sentences = frame[["sentence"]]
    features = TextFeatures(word_ngram_range=(1, 2), char_ngram_range=(2, 4),
                            max_features=20000).fit(sentences.iloc[::2])
    _assert_same_csr(features.transform(sentences), _reference(features, sentences))
    roles = ColumnRoles(info={"sentence": ColumnInfo("sentence", ColumnRole.TEXT, "str",
                                                     len(frame), 0.0)})
    reduced = TextFeatures(word_ngram_range=(1, 2), char_ngram_range=(2, 4),
                           svd_components=32, random_state=0)
    for step in (features, reduced):
        preprocessor = ColumnTransformer([("text", step, ["sentence"])]).fit(sentences)
        row = compile_row_transform(preprocessor, roles)
        for record in sentences.iloc[1:400:7].to_dict("records"):
            expected = preprocessor.transform(pd.DataFrame([record]))
            expected = expected.toarray() if sp.issparse(expected) else expected
            np.testing.assert_allclose(row(record), expected[0], rtol=0, atol=1e-12)
