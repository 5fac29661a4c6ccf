"""MonotonicBinner: per-feature monotonic optimal binning and the WoE transform."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError, SchemaError
from jogak.pipeline._input_tags import RawTableInputMixin
from jogak.solutions.credit._binning import (
    FeatureBinning,
    bin_categorical,
    bin_numeric,
    category_keys,
)
from jogak.solutions.credit._target import as_feature_frame, check_columns, encode_target

__all__ = ["MonotonicBinner"]

_MONOTONIC = ("auto", "ascending", "descending", "none")


def _is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


class MonotonicBinner(RawTableInputMixin, TransformerMixin, BaseEstimator):
    """Bin every feature so the bad rate moves one way across bins, and encode it as WoE.

    Numeric features start from ``n_prebins`` quantile pre-bins (every distinct value when there
    are fewer); adjacent pre-bins are pooled until the bad rate strictly increases (or strictly
    decreases) from bin to bin, bins under ``min_bin_share`` of the rows or holding one class only
    are merged into their closest neighbour, and neighbours are merged (least IV lost first) down
    to ``max_n_bins``. With ``monotonic="auto"`` both directions are tried and the one keeping
    more information value wins. Categorical features (non-numeric columns and those named in
    ``categorical_features``) are ordered by bad rate and merged the same way.

    Missing values form their own bin (WoE from its counts, smoothed by 0.5 if it holds one class
    only). Missing values at transform time for a feature that had none in training, and
    categories never seen in training, get WoE 0: the portfolio's average risk.

    Parameters
    ----------
    categorical_features : sequence of str, default=()
        Numeric-coded columns to bin as categories (status codes, region codes).
    n_prebins : int, default=20
        Quantile pre-bins of numeric features.
    max_n_bins : int, default=6
        Most regular bins per feature.
    min_bin_share : float, default=0.05
        Smallest share of the rows in a regular bin.
    monotonic : {"auto", "ascending", "descending", "none"}, default="auto"
        Direction of the bad rate over numeric bins. ``"none"`` keeps U shapes (pre-bins merged
        only for size): more information, less explainable points.
    positive_label : object, default=None
        The target value meaning bad (default: 1, True, "yes" or "bad").

    Attributes
    ----------
    binnings_ : dict of str to FeatureBinning
        The binning of each feature, with its table, trend and IV.
    iv_ : pandas.Series
        Information value per feature, largest first.
    feature_names_in_ : ndarray of str
    n_features_in_ : int

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"late_months": ([0] * 10 + [1] * 5 + [2] * 5) * 5})
    >>> y = ([1] + [0] * 9 + [1, 1, 0, 0, 0] + [1, 1, 1, 1, 0]) * 5
    >>> binner = MonotonicBinner(min_bin_share=0.1).fit(X, y)
    >>> binner.binnings_["late_months"].trend
    'ascending'
    >>> table = binner.binnings_["late_months"].table
    >>> table["bin"].tolist(), table["count"].tolist()
    (['< 1', '[1, 2)', '>= 2', 'Missing'], [50, 25, 25, 0])
    >>> table["bad_rate"].round(2).tolist()
    [0.1, 0.4, 0.8, nan]
    """

    def __init__(self, *, categorical_features: Sequence[str] = (), n_prebins: int = 20,
                 max_n_bins: int = 6, min_bin_share: float = 0.05, monotonic: str = "auto",
                 positive_label: Any = None) -> None:
        self.categorical_features = categorical_features
        self.n_prebins = n_prebins
        self.max_n_bins = max_n_bins
        self.min_bin_share = min_bin_share
        self.monotonic = monotonic
        self.positive_label = positive_label

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags

    def _check_params(self) -> None:
        if not isinstance(self.n_prebins, Integral) or self.n_prebins < 2:
            raise ConfigError(f"The 'n_prebins' parameter of MonotonicBinner must be an int >= "
                              f"2, got {self.n_prebins!r}.")
        if not isinstance(self.max_n_bins, Integral) or self.max_n_bins < 1:
            raise ConfigError(f"The 'max_n_bins' parameter of MonotonicBinner must be an int >= "
                              f"1, got {self.max_n_bins!r}.")
        if not isinstance(self.min_bin_share, Real) or not 0.0 <= self.min_bin_share < 0.5:
            raise ConfigError(f"The 'min_bin_share' parameter of MonotonicBinner must be in "
                              f"[0, 0.5), got {self.min_bin_share!r}.")
        if self.monotonic not in _MONOTONIC:
            raise ConfigError(f"The 'monotonic' parameter of MonotonicBinner must be one of "
                              f"{list(_MONOTONIC)}, got {self.monotonic!r}.")

    def fit(self, X: Any, y: Any) -> MonotonicBinner:
        """Learn the bins, WoE and IV of every column of ``X`` against the binary ``y``."""
        self._check_params()
        frame = as_feature_frame(X)
        if y is None:
            raise ValueError("MonotonicBinner requires y to be passed, but the target y is None.")
        target, _, _ = encode_target(y, self.positive_label)
        if len(target) != len(frame):
            raise SchemaError(f"X has {len(frame)} rows but y has {len(target)}.")
        unknown = [c for c in self.categorical_features if c not in frame.columns]
        if unknown:
            raise ConfigError(f"categorical_features names column(s) {unknown} that are not in "
                              f"the data; columns are {list(frame.columns)[:20]}.")
        categorical = set(self.categorical_features)
        self.binnings_: dict[str, FeatureBinning] = {}
        for name in frame.columns:
            column = frame[name]
            if name in categorical or not _is_numeric(column):
                self.binnings_[name] = bin_categorical(
                    name, category_keys(column), target, max_n_bins=int(self.max_n_bins),
                    min_bin_share=float(self.min_bin_share))
            else:
                self.binnings_[name] = bin_numeric(
                    name, column.to_numpy(dtype=np.float64, na_value=np.nan), target,
                    n_prebins=int(self.n_prebins), max_n_bins=int(self.max_n_bins),
                    min_bin_share=float(self.min_bin_share), monotonic=self.monotonic)
        self.iv_ = pd.Series({n: b.iv for n, b in self.binnings_.items()},
                             dtype="float64").sort_values(ascending=False, kind="stable")
        self.feature_names_in_: np.ndarray = np.array(frame.columns, dtype=object)
        self.n_features_in_ = frame.shape[1]
        return self

    def _frame(self, X: Any) -> pd.DataFrame:
        check_is_fitted(self, "binnings_")
        frame = as_feature_frame(X, min_rows=0) if isinstance(X, pd.DataFrame) else \
            as_feature_frame(X, min_rows=0).set_axis(list(self.feature_names_in_), axis=1)
        check_columns(frame, list(self.feature_names_in_))
        return frame

    def bin_codes(self, X: Any) -> np.ndarray:
        """Row of each feature's binning table that each value falls in, shape (n, n_features)."""
        frame = self._frame(X)
        columns = [self.binnings_[name].codes(frame[name]) for name in self.feature_names_in_]
        return np.column_stack(columns) if columns else np.empty((len(frame), 0), np.int64)

    def transform(self, X: Any) -> np.ndarray:
        """WoE of each value, shape (n_rows, n_features), columns in ``feature_names_in_``."""
        codes = self.bin_codes(X)
        out = np.empty(codes.shape, dtype=np.float64)
        for j, name in enumerate(self.feature_names_in_):
            out[:, j] = self.binnings_[name].woe[codes[:, j]]
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """The input column names (one WoE column each)."""
        check_is_fitted(self, "binnings_")
        return np.asarray(self.feature_names_in_, dtype=object)

    def binning_table(self) -> pd.DataFrame:
        """Every feature's table stacked, with ``feature`` and ``trend`` columns first."""
        check_is_fitted(self, "binnings_")
        parts = [b.table.assign(feature=name, trend=b.trend)
                 for name, b in self.binnings_.items()]
        table = pd.concat(parts, ignore_index=True)
        first = ["feature", "trend"]
        return table[first + [c for c in table.columns if c not in first]]
