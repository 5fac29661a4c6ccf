"""Compiled :class:`TextFeatures` for the single-row path: TF-IDF of one text, then SVD.

The arithmetic follows scikit-learn's order (counts by sorted term index, ``1 + log`` tf,
idf, a sequential L2 norm), so the TF-IDF equals ``TextFeatures.transform`` on a one-row frame
to the last bits in practice; the SVD projection is one vector-matrix product over the text's
terms (equal to about 1e-13). Counting is plain Python (dicts beat numpy's per-call overhead on
one text), weighing is numpy.
"""

from __future__ import annotations

import math
import re
from functools import partial
from typing import Any

import numpy as np

from jogak.pipeline._text import TextFeatures, is_default_clean
from jogak.pipeline._textmemo import remembered
from jogak.pipeline._tfidf import CompiledTfidf
from jogak.pipeline._tfidf_native import native_tfidf

__all__ = ["compile_text_head"]

_SPACES = re.compile(r"\s+")


class _Tfidf:
    """One fitted TfidfVectorizer compiled: n-gram indices of a text, and their weights."""

    def __init__(self, compiled: CompiledTfidf, offset: int) -> None:
        self.compiled = compiled
        self.idf = compiled.idf
        self.sublinear = compiled.sublinear
        self.binary = compiled.binary
        self.l2 = compiled.norm == "l2"
        self.offset = offset

    def __call__(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        """Sorted output indices (with the offset) and their tf-idf values."""
        counts = self.compiled.counts(doc)  # counted in Python, weighed in numpy
        n_terms = len(counts)
        indices = np.fromiter(counts.keys(), dtype=np.intp, count=n_terms)
        data = np.fromiter(counts.values(), dtype=np.float64, count=n_terms)
        order = np.argsort(indices, kind="stable")
        indices, data = indices[order], data[order]
        if self.binary:
            data[:] = 1.0
        if self.sublinear:
            np.log(data, out=data)
            data += 1.0
        if self.idf is not None:
            data *= self.idf[indices]
        if self.l2 and n_terms:
            # cumsum adds in order, as scikit-learn's row normalisation loop does
            total = float(np.cumsum(data * data)[-1])
            if total != 0.0:
                data /= math.sqrt(total)
        return indices + self.offset, data


class _Column:
    def __init__(self, vectorizers: list[CompiledTfidf], svd: Any) -> None:
        offsets = np.cumsum([0] + [v.n_terms for v in vectorizers]).tolist()
        self.tfidf = [_Tfidf(v, offset) for v, offset in zip(vectorizers, offsets, strict=False)]
        self.vectorizers = vectorizers
        self.native = native_tfidf(vectorizers)  # one compiled pass, when numba is there
        # shared by every head compiled from the same fitted vectorizers (see _textmemo)
        self.owner = vectorizers[0] if vectorizers else None
        self.svd = svd
        self.n_terms = int(offsets[-1])
        self.components = (None if svd is None
                           else np.ascontiguousarray(svd.components_.T, dtype=np.float64))
        self.width = self.n_terms if self.components is None else self.components.shape[1]

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "native": None}  # compiled again where it is loaded

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        vectorizers = state.get("vectorizers")
        self.native = None if vectorizers is None else native_tfidf(vectorizers)


class _TextHead:
    default_clean = False  # heads pickled before the compiled clean-up clean in Python
    def __init__(self, step: TextFeatures) -> None:
        self.lowercase = bool(step.lowercase)
        self.patterns = list(step.patterns_)
        self.default_clean = is_default_clean(self.patterns)
        self.columns = [_Column(fitted, svd) for fitted, svd in
                        zip(step.compiled_vectorizers(), step.svds_, strict=True)]
        self.width = sum(column.width for column in self.columns)

    def _lowered(self, value: Any) -> str:
        if value is None:
            return ""
        return str(value).lower() if self.lowercase else str(value)

    def _clean(self, value: Any) -> str:
        text = self._lowered(value)
        for pattern in self.patterns:
            text = pattern.sub(" ", text)
        return _SPACES.sub(" ", text).strip()

    def _weights(self, value: Any, column: _Column) -> tuple[np.ndarray, np.ndarray]:
        """Sorted term indices of one text and their tf-idf weights (all its vectorizers)."""
        if column.native is not None:
            if self.default_clean:  # cleaned in the same compiled pass
                return column.native.row(self._lowered(value), clean=True)
            return column.native.row(self._clean(value))
        doc = self._clean(value)
        pieces = [tfidf(doc) for tfidf in column.tfidf]
        return (np.concatenate([piece[0] for piece in pieces]),
                np.concatenate([piece[1] for piece in pieces]))

    def __call__(self, values: list[Any]) -> np.ndarray:
        out = np.zeros(self.width)
        start = 0
        for value, column in zip(values, self.columns, strict=True):
            if column.owner is not None:
                # shared vectorizers imply the same clean-up: the text alone is the key
                indices, data = remembered(column.owner, value,
                                           partial(self._weights, value, column))
                if column.components is None:
                    out[start + indices] = data
                elif indices.size:
                    # a vector-matrix product over the text's terms (scipy's sparse @ dense
                    # adds in another order: equal to ~1e-13, at a tenth of the time)
                    out[start:start + column.width] = remembered(
                        column.svd, value, partial(_project, data, indices, column.components))
            start += column.width
        return out


def _project(data: np.ndarray, indices: np.ndarray, components: np.ndarray) -> np.ndarray:
    return data @ np.take(components, indices, axis=0)


def compile_text_head(step: Any) -> Any:
    """The compiled head of a fitted TextFeatures, or None for unusual vectorizer settings."""
    if not isinstance(step, TextFeatures):
        return None
    for fitted in step.compiled_vectorizers():
        if not all(isinstance(vectorizer, CompiledTfidf) for vectorizer in fitted):
            return None
    return _TextHead(step)
