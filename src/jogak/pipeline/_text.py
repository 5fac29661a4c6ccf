"""Free text: regular-expression clean-up, TF-IDF (word and character n-grams), optional SVD."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial
from numbers import Integral
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError
from jogak.pipeline._sparse import side_by_side
from jogak.pipeline._textmemo import remembered
from jogak.pipeline._tfidf import CompiledTfidf, compile_tfidf
from jogak.pipeline._tfidf_native import native_tfidf
from jogak.pipeline._validation import column_names, frame_columns, missing_mask

__all__ = ["DEFAULT_TEXT_PATTERNS", "TextFeatures", "clean_text"]

_NOT_WORDS = r"[^\w\s]"
DEFAULT_TEXT_PATTERNS = (
    r"\([^)]*\)",  # bracketed asides: "(Feat. IU)", "(Remastered 2011)"
    r"\[[^\]]*\]",  # tags: "[OST]", "[MV]"
    _NOT_WORDS,  # punctuation and symbols (\w keeps Hangul, CJK and accented letters)
)
"""Patterns :func:`clean_text` removes by default, in order."""

_SPACES = re.compile(r"\s+")


def clean_text(values: Any, *, lowercase: bool = True,
               patterns: Sequence[str] = DEFAULT_TEXT_PATTERNS) -> np.ndarray:
    """Clean texts: lowercase, remove each pattern (replaced by a space), collapse whitespace.

    Parameters
    ----------
    values : array-like of shape (n,)
        Texts; missing values become ``""``, other non-strings their ``str()``.
    lowercase : bool, default=True
    patterns : sequence of str, default=DEFAULT_TEXT_PATTERNS
        Regular expressions to remove, applied in order.

    Returns
    -------
    ndarray of object, shape (n,)

    Examples
    --------
    >>> clean_text(["Love Me Again (Feat. IU) [OST]", None, "  밤편지!! "]).tolist()
    ['love me again', '', '밤편지']
    """
    compiled = [re.compile(pattern) for pattern in patterns]
    return _clean(np.asarray(values, dtype=object), lowercase, compiled)


def _clean(values: np.ndarray, lowercase: bool, compiled: list[re.Pattern[str]]) -> np.ndarray:
    out = np.empty(values.shape, dtype=object)
    for i, text in enumerate(_lowered(values, lowercase)):
        for pattern in compiled:
            text = pattern.sub(" ", text)
        out[i] = _SPACES.sub(" ", text).strip()
    return out


def _lowered(values: np.ndarray, lowercase: bool) -> list[str]:
    """Each value as text (missing: ""), lowercased if asked: the clean-up's first step."""
    missing = missing_mask(values)
    return ["" if gone else (str(value).lower() if lowercase else str(value))
            for value, gone in zip(values.tolist(), missing.tolist(), strict=True)]


def is_default_clean(compiled: list[re.Pattern[str]]) -> bool:
    """Whether ``compiled`` are :data:`DEFAULT_TEXT_PATTERNS` (the compiled clean-up's steps)."""
    return [(p.pattern, p.flags) for p in compiled] == \
        [(pattern, re.UNICODE) for pattern in DEFAULT_TEXT_PATTERNS]


def _check_range(owner: BaseEstimator, name: str, value: Any, *, optional: bool) -> None:
    if value is None and optional:
        return
    ok = (isinstance(value, tuple | list) and len(value) == 2
          and all(isinstance(item, Integral) for item in value) and 1 <= value[0] <= value[1])
    if not ok:
        raise ConfigError(
            f"The {name!r} parameter of {type(owner).__name__} must be a pair (low, high) of "
            f"ints with 1 <= low <= high{' or None' if optional else ''}. Got {value!r} "
            "instead. Hint: (1, 2) for words and pairs of words, (2, 4) for characters."
        )


class TextFeatures(TransformerMixin, BaseEstimator):
    """TF-IDF of cleaned text columns, optionally reduced by truncated SVD.

    Each column gets its own vocabulary: word n-grams, plus character n-grams within word
    boundaries when ``char_ngram_range`` is set (they match Korean stems inside inflected
    words and survive typos). Without SVD the output is a sparse CSR matrix; with SVD it is
    dense. A column with no tokens in ``fit`` (all missing, or only punctuation) yields no
    output columns.

    Parameters
    ----------
    lowercase : bool, default=True
    patterns : sequence of str or None, default=None
        Clean-up patterns; None means :data:`DEFAULT_TEXT_PATTERNS`.
    word_ngram_range : tuple (int, int), default=(1, 1)
    char_ngram_range : tuple (int, int) or None, default=None
    max_features : int, default=20000
        Vocabulary size per column and analyser (most frequent terms kept).
    min_df : int, default=1
        Terms in fewer documents are dropped.
    sublinear_tf : bool, default=True
        Use ``1 + log(tf)``.
    svd_components : int or None, default=None
        Reduce each column's TF-IDF to this many components (capped by its vocabulary size and
        by the number of rows minus one; a one-row fit learns no components).
    random_state : int or None, default=None
        Seed of the randomized SVD.

    Attributes
    ----------
    vectorizers_ : list of list of TfidfVectorizer
        Per column: the fitted word (and character) vectorizers with a non-empty vocabulary.
    svds_ : list of (TruncatedSVD or None)
    n_outputs_ : list of int
        Output columns per input column.
    mean_chars_ : list of float
        Mean length of the cleaned training texts per column (what serving cost grows with).
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"title": ["Spring Day", "Spring (Live)", "Night"]})
    >>> features = TextFeatures().fit(frame)
    >>> features.get_feature_names_out().tolist()
    ['title__w_day', 'title__w_night', 'title__w_spring']
    >>> features.transform(frame).shape
    (3, 3)
    """

    def __init__(self, *, lowercase: bool = True, patterns: Sequence[str] | None = None,
                 word_ngram_range: tuple[int, int] = (1, 1),
                 char_ngram_range: tuple[int, int] | None = None, max_features: int = 20000,
                 min_df: int = 1, sublinear_tf: bool = True, svd_components: int | None = None,
                 random_state: int | None = None) -> None:
        self.lowercase = lowercase
        self.patterns = patterns
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.max_features = max_features
        self.min_df = min_df
        self.sublinear_tf = sublinear_tf
        self.svd_components = svd_components
        self.random_state = random_state

    def _check_params(self) -> None:
        _check_range(self, "word_ngram_range", self.word_ngram_range, optional=False)
        _check_range(self, "char_ngram_range", self.char_ngram_range, optional=True)
        for name in ("max_features", "min_df", "svd_components"):
            value = getattr(self, name)
            if (value is None and name == "svd_components") or (
                    isinstance(value, Integral) and int(value) >= 1):
                continue
            raise ConfigError(
                f"The {name!r} parameter of TextFeatures must be an int >= 1"
                f"{' or None' if name == 'svd_components' else ''}. Got {value!r} instead."
            )
        try:
            self.patterns_ = [re.compile(pattern) for pattern in
                              (DEFAULT_TEXT_PATTERNS if self.patterns is None else self.patterns)]
        except (re.error, TypeError) as exc:
            raise ConfigError(
                f"The 'patterns' parameter of TextFeatures must hold regular expressions: "
                f"{exc}. Hint: check the escaping of brackets."
            ) from exc

    def _vectorizers(self) -> list[TfidfVectorizer]:
        common = {"lowercase": False, "max_features": self.max_features, "min_df": self.min_df,
                  "sublinear_tf": self.sublinear_tf, "dtype": np.float64}
        out = [TfidfVectorizer(ngram_range=tuple(self.word_ngram_range), **common)]
        if self.char_ngram_range is not None:
            out.append(TfidfVectorizer(analyzer="char_wb",
                                       ngram_range=tuple(self.char_ngram_range), **common))
        return out

    def fit(self, X: Any, y: object = None) -> TextFeatures:
        """Learn vocabularies (and SVD components) per column; nothing once :meth:`freeze` d."""
        if not getattr(self, "frozen_", False):
            self.fit_transform(X, y)
        return self

    def fit_transform(self, X: Any, y: object = None, **fit_params: Any) -> Any:
        """Fit and return the features of ``X`` in one pass over the text (frozen: transform)."""
        if getattr(self, "frozen_", False):
            return self.transform(X)
        self._check_params()
        self.__dict__.pop("_compiled", None)
        columns = frame_columns(self, X, reset=True)
        self.vectorizers_, self.svds_, self.n_outputs_, self.mean_chars_ = [], [], [], []
        blocks = []
        for values in columns:
            docs = _clean(values, self.lowercase, self.patterns_)
            self.mean_chars_.append(float(np.mean([len(doc) for doc in docs])) if len(docs)
                                    else 0.0)
            fitted, matrices = [], []
            for vectorizer in self._vectorizers():
                try:
                    matrices.append(vectorizer.fit_transform(docs))
                except ValueError:  # empty vocabulary: this analyser found no terms
                    continue
                fitted.append(vectorizer)
            matrix = sp.hstack(matrices, format="csr") if matrices else sp.csr_matrix(
                (len(docs), 0))
            block, keep = self._reduce(matrix)
            self.vectorizers_.append(fitted if keep else [])
            blocks.append(block)
        self.compiled_vectorizers()  # now, so that transform leaves __dict__ unchanged
        return self._stack(blocks)

    def fit_from(self, fitted: TextFeatures, X: Any) -> TextFeatures:
        """Fit on ``X`` reusing the vocabularies ``fitted`` learned on the same ``X``.

        ``fitted`` must have been fitted on this ``X`` with the same parameters except
        ``svd_components`` and ``random_state``: its vectorizers are exactly what :meth:`fit`
        would learn, so only the SVD is fitted here. Both then share the vectorizer objects, and
        a prediction inside :func:`~jogak.pipeline._textmemo.shared_text` weighs a text once for
        both.
        """
        check_is_fitted(fitted)
        mine = self.get_params()
        theirs = fitted.get_params()
        differing = sorted(name for name in mine if name not in ("svd_components", "random_state")
                           and mine[name] != theirs[name])
        if differing:
            raise ConfigError(
                f"TextFeatures.fit_from needs a TextFeatures fitted with the same parameters "
                f"except svd_components and random_state; {differing} differ. Hint: fit this "
                "one on its own with fit().")
        self._check_params()
        self.__dict__.pop("_compiled", None)
        frame_columns(self, X, reset=True)
        plain = fitted.compiled_vectorizers()
        self.mean_chars_ = list(fitted.mean_chars_)
        self.vectorizers_, self.svds_, self.n_outputs_ = [], [], []
        compiled = []
        columns = frame_columns(fitted, X, reset=False)
        for values, vectorizers, ready in zip(columns, fitted.vectorizers_, plain, strict=True):
            _, keep = self._reduce(fitted._tfidf(values, ready))
            self.vectorizers_.append(list(vectorizers) if keep else [])
            compiled.append(list(ready) if keep else [])
        self.__dict__["_compiled"] = compiled
        return self

    def _reduce(self, matrix: Any) -> tuple[Any, bool]:
        """Fit one column's SVD (if any), record it and the output width; the column's block
        of the output, and whether the column keeps its vectorizers."""
        svd = None
        block: Any = matrix
        keep = True
        if self.svd_components is not None:
            n_rows, n_terms = matrix.shape
            n_components = min(self.svd_components, n_terms, n_rows - 1)
            if n_terms >= 2 and n_components >= 1:
                svd = TruncatedSVD(n_components=n_components, random_state=self.random_state)
                with np.errstate(divide="ignore", invalid="ignore"):  # identical documents
                    block = svd.fit_transform(matrix)
            elif n_terms == 1 and n_rows >= 2:
                block = matrix.toarray()  # the SVD of a single column is the column
            else:  # one row or no terms: no components can be learned
                keep, block = False, np.zeros((n_rows, 0))
        self.svds_.append(svd)
        self.n_outputs_.append(block.shape[1])
        return block, keep

    def freeze(self) -> TextFeatures:
        """Keep this fit: later ``fit`` calls change nothing, and ``clone`` returns this object.

        For a vocabulary learned once and shared by many preprocessors (all folds of a search):
        they hold the same object, so a prediction weighs each text once (see
        :func:`~jogak.pipeline._textmemo.shared_text`).
        """
        check_is_fitted(self)
        self.frozen_ = True
        return self

    def __sklearn_clone__(self) -> Any:
        if getattr(self, "frozen_", False):
            return self
        return super().__sklearn_clone__()

    def _stack(self, blocks: list[Any]) -> Any:
        if self.svd_components is None:
            return side_by_side(blocks)
        return np.hstack(blocks).astype(np.float64, copy=False)

    def transform(self, X: Any) -> Any:
        """TF-IDF (CSR) or SVD components (dense) of each column, side by side."""
        check_is_fitted(self)
        return self._transform_columns(frame_columns(self, X, reset=False))

    def compiled_vectorizers(self) -> list[list[CompiledTfidf | TfidfVectorizer]]:
        """Per column, the fitted vectorizers compiled by :func:`compile_tfidf` where it can.

        Built by fit and on unpickling (they are not pickled); their word caches are shared by the
        batch and the single-row path.
        """
        compiled = self.__dict__.get("_compiled")
        if compiled is None:
            last = self.patterns_[-1] if self.patterns_ else None
            word_only = last is not None and last.pattern == _NOT_WORDS and \
                last.flags == re.UNICODE
            compiled = [[compile_tfidf(vectorizer, word_only=word_only) or vectorizer
                         for vectorizer in fitted] for fitted in self.vectorizers_]
            self.__dict__["_compiled"] = compiled
        return compiled

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())  # object.__getstate__ is the live __dict__
        state.pop("_compiled", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        if "vectorizers_" in self.__dict__:
            self.compiled_vectorizers()

    def _tfidf(self, values: np.ndarray, fitted: list[Any], key: list[Any] | None = None
               ) -> sp.csr_matrix:
        """One column's TF-IDF (the vectorizers side by side), once per prediction.

        ``key``: ``values.tolist()`` if the caller has it. Vectorizers are only shared by steps
        with the same clean-up (``fit_from`` checks it), so the texts alone are the memo key.
        """
        if not fitted:
            return sp.csr_matrix((len(values), 0))

        native = native_tfidf(fitted)

        def compute() -> sp.csr_matrix:
            if native is not None:
                if is_default_clean(self.patterns_):  # cleaned in the same compiled pass
                    return native.transform(_lowered(values, self.lowercase), clean=True)
                return native.transform(_clean(values, self.lowercase, self.patterns_).tolist())
            docs = _clean(values, self.lowercase, self.patterns_)
            words = [doc.split() for doc in docs]
            matrices = [vectorizer.transform(docs, words)
                        if isinstance(vectorizer, CompiledTfidf) else vectorizer.transform(docs)
                        for vectorizer in fitted]
            return sp.hstack(matrices, format="csr")

        return remembered(fitted[0], values.tolist() if key is None else key, compute)

    def _transform_columns(self, columns: list[np.ndarray]) -> Any:
        blocks = []
        for values, fitted, svd in zip(columns, self.compiled_vectorizers(), self.svds_,
                                       strict=True):
            key = values.tolist()
            matrix = self._tfidf(values, fitted, key)
            if svd is not None:
                blocks.append(remembered(svd, key, partial(svd.transform, matrix)))
            else:
                blocks.append(matrix if self.svd_components is None else matrix.toarray())
        return self._stack(blocks)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>__w_<term>``, ``<column>__c_<ngram>`` or ``<column>__svd<k>``."""
        check_is_fitted(self)
        names: list[str] = []
        for name, fitted, svd, n_out in zip(column_names(self, input_features),
                                            self.vectorizers_, self.svds_, self.n_outputs_,
                                            strict=True):
            terms = [f"{name}__{'c' if vectorizer.analyzer == 'char_wb' else 'w'}_{term}"
                     for vectorizer in fitted for term in vectorizer.get_feature_names_out()]
            if self.svd_components is None or (svd is None and n_out == len(terms) == 0):
                names += terms
            else:
                names += [f"{name}__svd{k}" for k in range(n_out)]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        return tags
