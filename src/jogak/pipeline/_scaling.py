"""Column scaling: standard, min-max or robust, safe for values near the float64 limit."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted

from jogak.errors import SchemaError
from jogak.pipeline._stats import nan_mean_std, nan_quantiles
from jogak.pipeline._validation import NumericColumnsMixin, check_choice, numeric_array

__all__ = ["ColumnScaler"]

_LARGEST = float(np.finfo(np.float64).max)


class ColumnScaler(NumericColumnsMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Scale each column as ``(x - center_) / scale_``.

    Unlike scikit-learn's scalers, statistics are computed on each column divided by its largest
    magnitude, so columns holding values like 1e300 do not overflow to inf, and results beyond the
    float64 range saturate at +-1.8e308 instead of becoming inf. NaN stays NaN.

    Parameters
    ----------
    method : {"standard", "minmax", "robust"}, default="standard"
        ``"standard"``: mean and population standard deviation (as
        :class:`~sklearn.preprocessing.StandardScaler`); ``"minmax"``: minimum and range, to
        [0, 1] on the training data; ``"robust"``: median and interquartile range (as
        :class:`~sklearn.preprocessing.RobustScaler`). A zero scale (constant column) becomes 1.

    Attributes
    ----------
    center_, scale_ : ndarray of shape (n_features_in_,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> scaler = ColumnScaler(method="minmax")
    >>> scaler.fit_transform(np.array([[1.0], [3.0], [5.0]])).ravel().tolist()
    [0.0, 0.5, 1.0]
    """

    def __init__(self, *, method: str = "standard") -> None:
        self.method = method

    def fit(self, X: Any, y: object = None) -> ColumnScaler:
        """Learn ``center_`` and ``scale_`` per column (NaN ignored)."""
        check_choice(self, "method", self.method, ("standard", "minmax", "robust"))
        values = numeric_array(self, X, reset=True)
        if self.method == "standard":
            center, scale = nan_mean_std(values)
        elif self.method == "minmax":
            low, high = nan_quantiles(values, [0.0, 1.0])
            center = low
            with np.errstate(over="ignore", invalid="ignore"):
                scale = np.minimum(high - low, _LARGEST)
        else:
            q1, median, q3 = nan_quantiles(values, [0.25, 0.5, 0.75])
            center = median
            with np.errstate(over="ignore", invalid="ignore"):
                scale = np.minimum(q3 - q1, _LARGEST)
        self.center_ = np.where(np.isnan(center), 0.0, center)
        usable = np.isfinite(scale) & (scale > 0)
        self.scale_ = np.where(usable, scale, 1.0)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Scaled copy of ``X``."""
        check_is_fitted(self)
        return self._transform_array(numeric_array(self, X, reset=False))

    def _transform_array(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            out = values / self.scale_ - self.center_ / self.scale_
        return np.clip(out, -_LARGEST, _LARGEST, out=out)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Undo :meth:`transform` (up to saturation)."""
        check_is_fitted(self)
        # Scaled data carries no column names, so only the width is checked (as scikit-learn).
        values = check_array(X, dtype=np.float64, ensure_all_finite="allow-nan")
        if values.shape[1] != self.n_features_in_:
            raise SchemaError(
                f"ColumnScaler.inverse_transform expects {self.n_features_in_} columns, got "
                f"{values.shape[1]}. Hint: pass the output of transform."
            )
        with np.errstate(over="ignore"):
            return values * self.scale_ + self.center_

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
