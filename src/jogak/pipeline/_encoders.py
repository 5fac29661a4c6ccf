"""Unsupervised categorical encoders: one-hot, native codes, frequency, rare-level grouping.

All of them learn each column's levels in ``fit`` (most frequent first); missing values and
values unseen in ``fit`` never raise: they map to the ``"__unknown__"`` level (one-hot,
frequency, grouping) or to ``unknown_value`` (codes).
"""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError
from jogak.pipeline._levels import (
    RARE_LEVEL,
    UNKNOWN_LEVEL,
    Levels,
    check_level_params,
    learn_levels,
)
from jogak.pipeline._validation import column_names, frame_columns

__all__ = ["FrequencyEncoder", "OneHotCategoryEncoder", "OrdinalCodeEncoder", "RareLevelGrouper"]


class _LevelEncoder(TransformerMixin, BaseEstimator):
    """Learns ``levels_`` per column with the encoder's rare-grouping parameters."""

    min_count: int = 1
    min_share: float = 0.0
    max_levels: int | None = None

    def _fit_levels(self, X: Any) -> list[Levels]:
        check_level_params(self, min_count=self.min_count, min_share=self.min_share,
                           max_levels=self.max_levels)
        columns = frame_columns(self, X, reset=True)
        names = column_names(self)
        self.levels_ = [
            learn_levels(values, column=name, min_count=self.min_count,
                         min_share=self.min_share, max_levels=self.max_levels)
            for values, name in zip(columns, names, strict=True)
        ]
        return self.levels_

    def _codes(self, columns: list[np.ndarray]) -> list[np.ndarray]:
        return [levels.codes(values) for levels, values in zip(self.levels_, columns, strict=True)]

    def transform(self, X: Any) -> Any:
        """Encode ``X``; see the class description for the output."""
        check_is_fitted(self)
        return self._transform_columns(frame_columns(self, X, reset=False))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = True
        return tags


class OneHotCategoryEncoder(_LevelEncoder):
    """One 0/1 column per level, plus ``"__rare__"`` (if any level was grouped) and
    ``"__unknown__"`` (always: missing and unseen values), so transform never raises.

    Parameters
    ----------
    min_count : int, default=1
        Levels seen fewer times in ``fit`` are grouped as ``"__rare__"``.
    min_share : float, default=0.0
        Levels seen in a smaller share of the ``fit`` rows are grouped as ``"__rare__"``.
    max_levels : int or None, default=None
        At most this many level columns per input column (the rare group counts as one).
    sparse_output : bool, default=False
        Return a CSR matrix instead of a dense array.

    Attributes
    ----------
    categories_ : list of ndarray
        Output level labels per input column (``"__unknown__"`` last).
    levels_ : list of Levels
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import pandas as pd
    >>> encoder = OneHotCategoryEncoder().fit(pd.DataFrame({"color": ["red", "blue", "red"]}))
    >>> encoder.get_feature_names_out().tolist()
    ['color__red', 'color__blue', 'color____unknown__']
    >>> encoder.transform(pd.DataFrame({"color": ["blue", "green", None]})).tolist()
    [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]
    """

    def __init__(self, *, min_count: int = 1, min_share: float = 0.0,
                 max_levels: int | None = None, sparse_output: bool = False) -> None:
        self.min_count = min_count
        self.min_share = min_share
        self.max_levels = max_levels
        self.sparse_output = sparse_output

    def fit(self, X: Any, y: object = None) -> OneHotCategoryEncoder:
        """Learn the levels of each column."""
        levels = self._fit_levels(X)
        self.categories_ = [np.array([*item.labels, UNKNOWN_LEVEL], dtype=object)
                            for item in levels]
        widths = np.array([len(labels) for labels in self.categories_])
        self._offsets = np.concatenate([[0], np.cumsum(widths)[:-1]]).astype(np.int64)
        self._width = int(widths.sum())
        return self

    def _transform_columns(self, columns: list[np.ndarray]) -> np.ndarray | sp.csr_matrix:
        codes = self._codes(columns)
        slots = np.column_stack([
            np.where(code < 0, levels.n_codes, code)
            for code, levels in zip(codes, self.levels_, strict=True)
        ]) + self._offsets
        n_rows, n_columns = slots.shape
        if self.sparse_output:
            indptr = np.arange(0, n_rows * n_columns + 1, n_columns)
            data = np.ones(n_rows * n_columns)
            return sp.csr_matrix((data, slots.ravel(), indptr), shape=(n_rows, self._width))
        out = np.zeros((n_rows, self._width))
        out[np.arange(n_rows)[:, None], slots] = 1.0
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>__<level>`` for each output column."""
        check_is_fitted(self)
        names = column_names(self, input_features)
        return np.asarray([f"{name}__{label}" for name, labels in zip(names, self.categories_,
                                                                       strict=True)
                           for label in labels], dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags


class OrdinalCodeEncoder(_LevelEncoder):
    """Integer codes ``0..k-1`` per level (most frequent first) for native-categorical learners.

    At most ``max_levels`` codes per column: rarer levels share the last code (``"__rare__"``).
    Missing and unseen values get ``unknown_value`` (NaN by default, which LightGBM, XGBoost,
    CatBoost and HistGradientBoosting read as missing; trees without NaN support use -1).

    Parameters
    ----------
    max_levels : int or None, default=128
    min_count : int, default=1
    min_share : float, default=0.0
    unknown_value : float, default=nan
        NaN or a negative number (so it cannot collide with a code).

    Attributes
    ----------
    categories_ : list of ndarray
        Level label per code, per column.
    levels_ : list of Levels
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import pandas as pd
    >>> encoder = OrdinalCodeEncoder().fit(pd.DataFrame({"c": ["a", "b", "a"]}))
    >>> encoder.transform(pd.DataFrame({"c": ["b", "z", None]})).ravel().tolist()
    [1.0, nan, nan]
    """

    def __init__(self, *, max_levels: int | None = 128, min_count: int = 1,
                 min_share: float = 0.0, unknown_value: float = np.nan) -> None:
        self.max_levels = max_levels
        self.min_count = min_count
        self.min_share = min_share
        self.unknown_value = unknown_value

    def fit(self, X: Any, y: object = None) -> OrdinalCodeEncoder:
        """Learn the levels (and so the codes) of each column."""
        value = self.unknown_value
        if not isinstance(value, Real) or not (np.isnan(value) or value < 0):
            raise ConfigError(
                f"The 'unknown_value' parameter of OrdinalCodeEncoder must be NaN or a negative "
                f"number, so it cannot collide with a code. Got {value!r} instead. "
                "Hint: use np.nan for native-categorical learners or -1 for other trees."
            )
        levels = self._fit_levels(X)
        self.categories_ = [np.array(item.labels, dtype=object) for item in levels]
        return self

    def _transform_columns(self, columns: list[np.ndarray]) -> np.ndarray:
        codes = np.column_stack(self._codes(columns)).astype(np.float64)
        codes[codes < 0] = self.unknown_value
        return codes

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>__code`` per column."""
        check_is_fitted(self)
        return np.asarray([f"{name}__code" for name in column_names(self, input_features)],
                          dtype=object)


class FrequencyEncoder(_LevelEncoder):
    """Replace each level by its share (or count) of the training rows.

    Missing and unseen values get the ``"__unknown__"`` frequency: the share of missing values
    in ``fit`` (0 when none were missing).

    Parameters
    ----------
    normalize : bool, default=True
        Shares in [0, 1]; counts when False.

    Attributes
    ----------
    frequencies_ : list of ndarray
        Per column: the frequency per code, then the ``"__unknown__"`` frequency last.
    levels_ : list of Levels
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import pandas as pd
    >>> encoder = FrequencyEncoder().fit(pd.DataFrame({"c": ["a", "a", "b", None]}))
    >>> encoder.transform(pd.DataFrame({"c": ["a", "b", "new"]})).ravel().tolist()
    [0.5, 0.25, 0.25]
    """

    def __init__(self, *, normalize: bool = True) -> None:
        self.normalize = normalize

    def fit(self, X: Any, y: object = None) -> FrequencyEncoder:
        """Count the levels of each column."""
        levels = self._fit_levels(X)
        divisor = [float(item.n_rows) if self.normalize else 1.0 for item in levels]
        self.frequencies_ = [
            np.append(item.code_counts, item.n_missing).astype(np.float64) / scale
            for item, scale in zip(levels, divisor, strict=True)
        ]
        return self

    def _transform_columns(self, columns: list[np.ndarray]) -> np.ndarray:
        # code -1 (missing or unseen) picks the last entry: the "__unknown__" frequency.
        return np.column_stack([table[code] for table, code in
                                zip(self.frequencies_, self._codes(columns), strict=True)])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>__frequency`` per column."""
        check_is_fitted(self)
        return np.asarray([f"{name}__frequency" for name in column_names(self, input_features)],
                          dtype=object)


class RareLevelGrouper(OneToOneFeatureMixin, _LevelEncoder):
    """Replace rare levels by ``"__rare__"`` and missing or unseen values by ``"__unknown__"``.

    The output is an object array of levels, to feed another encoder.

    Parameters
    ----------
    min_count : int, default=1
    min_share : float, default=0.01
    max_levels : int or None, default=None

    Attributes
    ----------
    levels_ : list of Levels
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import pandas as pd
    >>> grouper = RareLevelGrouper(min_count=2).fit(pd.DataFrame({"c": ["a", "a", "b"]}))
    >>> grouper.transform(pd.DataFrame({"c": ["a", "b", "z", None]})).ravel().tolist()
    ['a', '__rare__', '__unknown__', '__unknown__']
    """

    def __init__(self, *, min_count: int = 1, min_share: float = 0.01,
                 max_levels: int | None = None) -> None:
        self.min_count = min_count
        self.min_share = min_share
        self.max_levels = max_levels

    def fit(self, X: Any, y: object = None) -> RareLevelGrouper:
        """Learn which levels are kept."""
        self._fit_levels(X)
        return self

    def _transform_columns(self, columns: list[np.ndarray]) -> np.ndarray:
        out = []
        for levels, code in zip(self.levels_, self._codes(columns), strict=True):
            table = np.array([*levels.kept, RARE_LEVEL, UNKNOWN_LEVEL], dtype=object)
            out.append(table[np.where(code < 0, len(table) - 1, code)])
        return np.column_stack(out)
