"""Imputation of missing numeric values, with indicator columns for where values were missing."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.experimental import enable_iterative_imputer  # noqa: F401  (registers the class)
from sklearn.impute import IterativeImputer
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError
from jogak.pipeline._stats import nan_medians, nan_modes
from jogak.pipeline._validation import (
    NumericColumnsMixin,
    check_choice,
    column_names,
    numeric_array,
)

__all__ = ["MissingImputer"]

_STRATEGIES = ("median", "most_frequent", "iterative")


class MissingImputer(NumericColumnsMixin, TransformerMixin, BaseEstimator):
    """Fill missing numeric values and add ``<column>__missing`` indicator columns.

    Parameters
    ----------
    strategy : {"median", "most_frequent", "iterative"}, default="median"
        ``"iterative"`` models each column from the others, round-robin (MICE-style, via
        :class:`sklearn.impute.IterativeImputer`).
    add_indicator : bool, default=True
        Append one 0/1 column per column that had missing values during ``fit``.
    max_iter : int, default=10
        Rounds of the iterative strategy.
    random_state : int or None, default=None
        Seed of the iterative strategy.

    Attributes
    ----------
    statistics_ : ndarray of shape (n_features_in_,)
        Fill value per column (median or mode of the training data; 0 for an all-missing
        column). NaN placeholders for the iterative strategy, whose fills depend on each row.
    imputer_ : IterativeImputer or None
        The fitted iterative imputer (``strategy="iterative"`` only).
    indicator_columns_ : ndarray of int
        Indices of the columns that get an indicator: those with missing values in ``fit``.
    n_iter_ : int
        Rounds the iterative strategy ran; 1 for the single-pass strategies.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Defined when ``X`` was a frame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> imputer = MissingImputer().fit(np.array([[1.0], [np.nan], [3.0]]))
    >>> imputer.transform(np.array([[np.nan], [5.0]])).tolist()
    [[2.0, 1.0], [5.0, 0.0]]
    >>> imputer.get_feature_names_out().tolist()
    ['x0', 'x0__missing']
    """

    def __init__(self, *, strategy: str = "median", add_indicator: bool = True,
                 max_iter: int = 10, random_state: int | None = None) -> None:
        self.strategy = strategy
        self.add_indicator = add_indicator
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X: Any, y: object = None) -> MissingImputer:
        """Learn the fill values from ``X`` (numeric, NaN allowed)."""
        check_choice(self, "strategy", self.strategy, _STRATEGIES)
        if not isinstance(self.max_iter, int) or self.max_iter < 1:
            raise ConfigError(
                f"The 'max_iter' parameter of MissingImputer must be a positive int. "
                f"Got {self.max_iter!r} instead. Hint: use 10."
            )
        values = numeric_array(self, X, reset=True)
        missing = np.isnan(values)
        self.indicator_columns_ = (
            np.flatnonzero(missing.any(axis=0)) if self.add_indicator else np.array([], int)
        )
        self.imputer_ = None
        if self.strategy == "iterative":
            self.statistics_ = np.full(values.shape[1], np.nan)
            self.imputer_ = IterativeImputer(
                max_iter=self.max_iter, random_state=self.random_state,
                initial_strategy="median", keep_empty_features=True,
            ).fit(np.array(values))
            self.n_iter_ = int(self.imputer_.n_iter_)
            return self
        fills = nan_medians(values) if self.strategy == "median" else nan_modes(values)
        self.statistics_ = np.where(np.isnan(fills), 0.0, fills)
        self.n_iter_ = 1
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Fill ``X`` and append the indicator columns; shape ``(n, n_features_in_ + n_ind)``."""
        check_is_fitted(self)
        return self._transform_array(numeric_array(self, X, reset=False))

    def _transform_array(self, values: np.ndarray) -> np.ndarray:
        missing = np.isnan(values)
        if self.imputer_ is not None:
            # IterativeImputer writes into its input, which may be a read-only view of a frame.
            filled = self.imputer_.transform(np.array(values)) if missing.any() else values.copy()
        else:
            filled = np.where(missing, self.statistics_, values)
        if not self.indicator_columns_.size:
            return filled
        return np.hstack([filled, missing[:, self.indicator_columns_].astype(np.float64)])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Input names, then ``<column>__missing`` for each indicator column."""
        check_is_fitted(self)
        names = column_names(self, input_features)
        flags = [f"{names[j]}__missing" for j in self.indicator_columns_]
        return np.asarray(names + flags, dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
