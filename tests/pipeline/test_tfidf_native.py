"""The compiled (numba) clean-up and TF-IDF pass equal the regular expressions and scikit-learn."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from jogak.pipeline import TextFeatures
from jogak.pipeline._text import DEFAULT_TEXT_PATTERNS, _clean, _lowered, clean_text

pytest.importorskip("numba")

from jogak.pipeline._clean_native import (  # noqa: E402 - after the skip
    astral_words,
    clean_codepoints,
    word_table,
)
from jogak.pipeline._tfidf_native import _codepoints, native_tfidf  # noqa: E402

EDGE = [
    "", None, np.nan, "a", "((a) b", "x (unclosed [y] z", "[a (b] c)", "_under_score__",
    "tab\tnew\nline\x0bvt\x1c\x85end", "\u00a0nbsp\u3000ideo\u2028", "a)b(c", "((()))",
    "emoji \U0001F600 and \U0001D49C astral \U00020000 cjk", "İstanbul ΣΟΦΟΣ", "] [ ] [",
    "  lead and trail  ", "٣ arabic digit ½ fraction", "\ud800 lone surrogate",
    "x" * 5000 + "(" * 2000, "밤편지 (Feat. IU) [OST] 사랑", 12345,
]


def _native_clean(values: list[object]) -> list[str]:
    lowered = _lowered(np.asarray(values, dtype=object), True)
    chars, starts = _codepoints(lowered)
    out, out_starts = clean_codepoints(chars, starts, word_table(), astral_words(chars))
    text = out.tobytes().decode("utf-32-le", "surrogatepass")
    return [text[out_starts[k]:out_starts[k + 1]] for k in range(len(lowered))]


def test_compiled_clean_up_equals_the_regular_expressions_on_edge_cases() -> None:
    assert _native_clean(EDGE) == clean_text(EDGE).tolist()


def test_compiled_clean_up_classifies_every_basic_plane_character_as_re_does() -> None:
    # each character between two letters: kept (\w), or a space (\s or a symbol), as re says
    texts = [f"a{chr(c)}b" for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    texts += [f"a{chr(c)}b" for c in (0x10000, 0x1D49C, 0x1F600, 0x20000, 0x10FFFF)]
    assert _native_clean(texts) == clean_text(texts).tolist()


def test_compiled_clean_up_equals_the_regular_expressions_on_real_titles(
        data_dir: Path) -> None:
    # Melon song titles: brackets, features, Hangul, symbols
    titles = pd.read_csv(data_dir / "melon_monthly_chart" / "melon_monthly_chart.csv.gz",
                         usecols=["song_name"])["song_name"].to_numpy(dtype=object)
    assert _native_clean(list(titles)) == clean_text(titles).tolist()


def _reference(features: TextFeatures, values: np.ndarray) -> sp.csr_matrix:
    docs = _clean(values, features.lowercase, features.patterns_)
    return sp.hstack([v.transform(docs) for v in features.vectorizers_[0]], format="csr")


def _assert_equal(out: sp.csr_matrix, expected: sp.csr_matrix) -> None:
    expected.sort_indices()
    np.testing.assert_array_equal(out.indptr, expected.indptr)
    np.testing.assert_array_equal(out.indices, expected.indices)
    np.testing.assert_allclose(out.data, expected.data, rtol=1e-13, atol=0)


def test_native_tfidf_equals_sklearn_on_tmdb_overviews(data_dir: Path) -> None:
    overviews = pd.read_csv(data_dir / "tmdb_5000_movies" / "tmdb_5000_movies.csv.gz",
                            usecols=["overview"])
    features = TextFeatures(word_ngram_range=(1, 2), char_ngram_range=(2, 4)).fit(
        overviews.iloc[::2])  # half the rows: the others hold unseen words
    native = native_tfidf(features.compiled_vectorizers()[0])
    assert native is not None
    values = overviews["overview"].to_numpy(dtype=object)
    out = native.transform(_lowered(values, True), clean=True)
    _assert_equal(out, _reference(features, values))
    _assert_equal(features.transform(overviews), _reference(features, values))
    for k in range(0, 4803, 601):  # one text at a time: the batch's row
        indices, data = native.row(_lowered(values[k:k + 1], True)[0], clean=True)
        np.testing.assert_array_equal(indices, out[k].indices)
        np.testing.assert_array_equal(data, out[k].data)


@pytest.mark.parametrize("settings", [
    {"word_ngram_range": (1, 3), "char_ngram_range": None},
    {"word_ngram_range": (2, 2), "char_ngram_range": (3, 5), "max_features": 40},
    {"word_ngram_range": (1, 1), "char_ngram_range": (1, 2), "sublinear_tf": False},
], ids=["words_only_trigrams", "bigrams_capped", "unigram_chars_plain_tf"])
def test_native_tfidf_equals_sklearn_for_other_settings(settings: dict) -> None:
    train = ["profit rose to EUR 13.1 mn (2007)", "net sales decreased by 5 %",
             "밤편지 사랑 [OST]", "profit profit profit rose", "x y z", ""]
    features = TextFeatures(**settings).fit(pd.DataFrame({"text": train}))
    values = np.asarray(EDGE + train, dtype=object)
    _assert_equal(features.transform(pd.DataFrame({"text": values})),
                  _reference(features, values))


def test_native_tfidf_is_shared_and_declines_what_it_does_not_reproduce(
        monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pd.DataFrame({"text": ["profit rose", "sales fell (a lot)", "flat"]})
    fitted = TextFeatures(char_ngram_range=(2, 4)).fit(frame).compiled_vectorizers()[0]
    assert native_tfidf(fitted) is native_tfidf(list(fitted))  # one per vectorizer objects
    assert native_tfidf([fitted[1], fitted[0]]) is None  # words after characters
    assert native_tfidf([]) is None
    # custom clean-up that keeps punctuation: the token pattern is no whitespace split
    kept = TextFeatures(patterns=[r"\d+"]).fit(frame).compiled_vectorizers()[0]
    assert native_tfidf(kept) is None
    monkeypatch.setenv("JOGAK_NATIVE_TEXT", "0")
    assert native_tfidf(fitted) is None


def test_default_patterns_are_recognised_only_as_given() -> None:
    from jogak.pipeline._text import is_default_clean
    assert is_default_clean([re.compile(p) for p in DEFAULT_TEXT_PATTERNS])
    assert not is_default_clean([re.compile(p) for p in DEFAULT_TEXT_PATTERNS[:2]])
    assert not is_default_clean([re.compile(p, re.IGNORECASE) for p in DEFAULT_TEXT_PATTERNS])


def test_native_tfidf_after_a_custom_clean_up_equals_sklearn() -> None:
    # custom patterns ending in the symbol removal: cleaned by re, counted by the native pass
    patterns = [r"\d+", r"[^\w\s]"]
    train = ["profit rose to EUR 13.1 mn (2007)", "net sales fell by 5 %", "flat (again)"]
    features = TextFeatures(patterns=patterns, char_ngram_range=(2, 3)).fit(
        pd.DataFrame({"text": train}))
    assert native_tfidf(features.compiled_vectorizers()[0]) is not None
    values = np.asarray(EDGE + train, dtype=object)
    _assert_equal(features.transform(pd.DataFrame({"text": values})),
                  _reference(features, values))


def test_a_batch_split_across_threads_equals_one_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    from jogak.pipeline import _tfidf_native
    rng = np.random.default_rng(0)
    words = ["profit", "rose", "sales", "fell", "밤편지", "(aside)", "q3", "eur", "!!"]
    texts = [" ".join(rng.choice(words, size=int(rng.integers(0, 12)))) for _ in range(3001)]
    features = TextFeatures(char_ngram_range=(2, 4)).fit(pd.DataFrame({"text": texts[:500]}))
    native = native_tfidf(features.compiled_vectorizers()[0])
    assert native is not None
    lowered = _lowered(np.asarray(texts, dtype=object), True)
    monkeypatch.setattr(_tfidf_native, "_CHUNK_ROWS", 400)
    monkeypatch.setenv("JOGAK_TEXT_THREADS", "1")
    whole = native.transform(lowered, clean=True)
    monkeypatch.setenv("JOGAK_TEXT_THREADS", "3")  # three chunks of 1,000 texts (and one)
    split = native.transform(lowered, clean=True)
    _assert_equal(split, whole)
    _assert_equal(whole, _reference(features, np.asarray(texts, dtype=object)))
