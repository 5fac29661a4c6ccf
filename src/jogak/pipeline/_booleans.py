"""Boolean columns as 0/1 floats, whatever the spelling (True/False, 1/0, Yes/No, Y/N, ...)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import SchemaError
from jogak.pipeline._validation import column_names, frame_columns, missing_mask

__all__ = ["BooleanEncoder"]

_TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1", "on"})
_FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", "off"})


def _is_text(values: np.ndarray) -> bool:
    return any(isinstance(value, str) for value in values)


def _number_mapping(present: np.ndarray) -> dict[object, float] | None:
    """Two numeric levels other than 0/1 (1/2, -1/1 codings): the smaller is 0. Else None."""
    levels = np.unique(present.astype(np.float64))  # numbers and bools only, else TypeError
    if levels.size != 2 or set(levels.tolist()) <= {0.0, 1.0}:
        return None
    return {float(levels[0]): 0.0, float(levels[1]): 1.0}


def _learn_mapping(values: np.ndarray, column: str) -> dict[object, float] | None:
    """The 0/1 value of each level seen, or None to map numbers by truthiness."""
    present = values[~missing_mask(values)]
    if present.dtype.kind in "biuf" or not _is_text(present):
        return _number_mapping(present)
    levels = sorted({str(value) for value in present})
    words = {level: level.strip().lower() for level in levels}
    if all(word in _TRUE_WORDS | _FALSE_WORDS for word in words.values()):
        return {level: float(words[level] in _TRUE_WORDS) for level in levels}
    if len(levels) > 2:
        raise SchemaError(
            f"Column {column!r} has {len(levels)} levels ({levels[:5]!r}...), but a boolean "
            "column has two. Hint: give it a categorical role instead."
        )
    # Two free-form levels (e.g. "Female"/"Male"): the one that sorts last is 1.
    return {level: float(position) for position, level in enumerate(levels)}


def _encode(values: np.ndarray, lookup: tuple[pd.Index, np.ndarray] | None) -> np.ndarray:
    missing = missing_mask(values)
    numbers_in = values.dtype.kind in "biuf" or not _is_text(values)
    numbers_learned = lookup is not None and not isinstance(lookup[0][0], str)
    if numbers_in and not numbers_learned:
        numbers = np.where(missing, 0.0, values).astype(np.float64)
        return np.where(missing, np.nan, (numbers != 0).astype(np.float64))
    if lookup is None:
        position = np.full(values.shape, -1)
        out = np.full(values.shape, np.nan)
    else:
        keys = np.where(missing, np.nan, values).astype(np.float64) if numbers_in else values
        position = lookup[0].get_indexer(keys)
        out = np.where(position >= 0, lookup[1][position], np.nan)
    if numbers_in:
        return out  # a learned 1/2-style coding: other numbers are unknown
    for i in np.flatnonzero((position < 0) & ~missing):  # rare: spellings not seen in fit
        if not isinstance(values[i], str):
            out[i] = float(values[i] != 0)
            continue
        word = values[i].strip().lower()
        if word in _TRUE_WORDS or word in _FALSE_WORDS:
            out[i] = float(word in _TRUE_WORDS)
    return out


class BooleanEncoder(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Map boolean-like columns to 0.0 / 1.0; missing and unrecognised values become NaN.

    Booleans and 0/1 numbers map as they are. A numeric column with exactly two other values
    (a 1/2 or -1/1 coding) maps the smaller to 0 and the larger to 1; other values seen later
    become NaN. Numbers in a column with more than two values map by truthiness (0 -> 0,
    anything else -> 1). Strings map by the usual words (true/false, yes/no, y/n, t/f, 1/0,
    on/off, any case); a column of two other strings maps the one that sorts first to 0 and
    the other to 1. More than two other strings is an error: such a column is categorical.
    ``mappings_`` records what was learned.

    Attributes
    ----------
    mappings_ : list of (dict or None)
        Per column: None (truthiness) or the 0/1 value of each level seen in ``fit``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import pandas as pd
    >>> encoder = BooleanEncoder().fit(pd.DataFrame({"paid": ["Yes", "No", None]}))
    >>> encoder.transform(pd.DataFrame({"paid": ["no", "YES", None]})).ravel().tolist()
    [0.0, 1.0, nan]
    """

    def fit(self, X: Any, y: object = None) -> BooleanEncoder:
        """Learn how each column spells true and false."""
        columns = frame_columns(self, X, reset=True)
        self.mappings_ = [_learn_mapping(values, name)
                          for values, name in zip(columns, column_names(self), strict=True)]
        self._lookups = [None if mapping is None else
                         (pd.Index(list(mapping), dtype=object), np.array(list(mapping.values())))
                         for mapping in self.mappings_]
        return self

    def transform(self, X: Any) -> np.ndarray:
        """0/1 floats with NaN for missing values; shape ``(n_samples, n_features_in_)``."""
        check_is_fitted(self)
        return self._transform_columns(frame_columns(self, X, reset=False))

    def _transform_columns(self, columns: list[np.ndarray]) -> np.ndarray:
        out = np.empty((len(columns[0]), len(columns)))
        for j, (values, lookup) in enumerate(zip(columns, self._lookups, strict=True)):
            out[:, j] = _encode(values, lookup)
        return out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
