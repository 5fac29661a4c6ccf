"""Numeric columns passed through as one float64 array (NaN kept)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.pipeline._validation import NumericColumnsMixin, numeric_array

__all__ = ["NumericColumns"]


class NumericColumns(NumericColumnsMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Numeric columns as one float64 array, unchanged (NaN kept; nullable NA becomes NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"n": pd.array([1, None], dtype="Int64")})
    >>> NumericColumns().fit_transform(frame).ravel().tolist()
    [1.0, nan]
    """

    def fit(self, X: Any, y: object = None) -> NumericColumns:
        """Check ``X`` is numeric and record its columns."""
        numeric_array(self, X, reset=True)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """``X`` as float64, shape ``(n_samples, n_features_in_)``."""
        check_is_fitted(self, "n_features_in_")
        return self._transform_array(numeric_array(self, X, reset=False))

    def _transform_array(self, values: np.ndarray) -> np.ndarray:
        return np.array(values, dtype=np.float64)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.requires_fit = True
        return tags
