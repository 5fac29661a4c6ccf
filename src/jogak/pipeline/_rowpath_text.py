"""Compiled :class:`TextFeatures` for the single-row path: TF-IDF of one text, then SVD.

The arithmetic follows scikit-learn's order (counts by sorted term index, ``1 + log`` tf,
idf, a sequential L2 norm, then the sparse-times-dense product row by row), so the result
equals ``TextFeatures.transform`` on a one-row frame to the last bits in practice.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from jogak.pipeline._text import TextFeatures
from jogak.pipeline._tfidf import CompiledTfidf

__all__ = ["compile_text_head"]

_SPACES = re.compile(r"\s+")


def _counted(found: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct non-negative values, sorted, and how often each occurs (np.unique, leaner)."""
    ordered = np.sort(found[found >= 0])
    if not ordered.size:
        return ordered, ordered
    first = np.empty(ordered.size, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    return ordered[starts], np.diff(starts, append=ordered.size)


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
        indices, counts = _counted(self.compiled.indices(doc))
        data = counts.astype(np.float64)
        if self.binary:
            data[:] = 1.0
        if self.sublinear:
            np.log(data, out=data)
            data += 1.0
        if self.idf is not None:
            data *= self.idf[indices]
        if self.l2 and data.size:
            # cumsum adds in order, as scikit-learn's row normalisation loop does
            total = float(np.cumsum(data * data)[-1])
            if total != 0.0:
                data /= math.sqrt(total)
        return indices + self.offset, data


class _Column:
    def __init__(self, vectorizers: list[CompiledTfidf], svd: Any) -> None:
        offsets = np.cumsum([0] + [v.n_terms for v in vectorizers]).tolist()
        self.tfidf = [_Tfidf(v, offset) for v, offset in zip(vectorizers, offsets, strict=False)]
        self.n_terms = int(offsets[-1])
        self.components = (None if svd is None
                           else np.ascontiguousarray(svd.components_.T, dtype=np.float64))
        self.width = self.n_terms if self.components is None else self.components.shape[1]


class _TextHead:
    def __init__(self, step: TextFeatures) -> None:
        self.lowercase = bool(step.lowercase)
        self.patterns = list(step.patterns_)
        self.columns = [_Column(fitted, svd) for fitted, svd in
                        zip(step.compiled_vectorizers(), step.svds_, strict=True)]
        self.width = sum(column.width for column in self.columns)

    def _clean(self, value: Any) -> str:
        if value is None:
            return ""
        text = str(value).lower() if self.lowercase else str(value)
        for pattern in self.patterns:
            text = pattern.sub(" ", text)
        return _SPACES.sub(" ", text).strip()

    def __call__(self, values: list[Any]) -> np.ndarray:
        out = np.zeros(self.width)
        start = 0
        for value, column in zip(values, self.columns, strict=True):
            doc = self._clean(value)
            pieces = [tfidf(doc) for tfidf in column.tfidf]
            if pieces:
                indices = np.concatenate([piece[0] for piece in pieces])
                data = np.concatenate([piece[1] for piece in pieces])
                if column.components is None:
                    out[start + indices] = data
                elif indices.size:
                    # row by row, in index order: the order of scipy's sparse @ dense
                    products = data[:, None] * column.components[indices]
                    out[start:start + column.width] = products.sum(axis=0)
            start += column.width
        return out


def compile_text_head(step: Any) -> Any:
    """The compiled head of a fitted TextFeatures, or None for unusual vectorizer settings."""
    if not isinstance(step, TextFeatures):
        return None
    for fitted in step.compiled_vectorizers():
        if not all(isinstance(vectorizer, CompiledTfidf) for vectorizer in fitted):
            return None
    return _TextHead(step)
