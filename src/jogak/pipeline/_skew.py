"""Skew correction for the columns whose training skewness passes a threshold."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
from scipy import stats
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError
from jogak.pipeline._stats import nan_skewness, observed
from jogak.pipeline._validation import NumericColumnsMixin, check_choice, numeric_array

__all__ = ["SkewCorrector", "signed_log1p", "yeo_johnson"]


def signed_log1p(values: np.ndarray) -> np.ndarray:
    """``sign(x) * log(1 + |x|)``: ``log1p`` on non-negative values, defined for every real."""
    return np.sign(values) * np.log1p(np.abs(values))


def yeo_johnson(values: np.ndarray, lmbda: float) -> np.ndarray:
    """The Yeo-Johnson transform with parameter ``lmbda`` (NaN stays NaN)."""
    out = np.full(values.shape, np.nan)
    positive = values >= 0
    negative = values < 0
    with np.errstate(over="ignore", invalid="ignore"):
        if abs(lmbda) < 1e-12:
            out[positive] = np.log1p(values[positive])
        else:
            out[positive] = (np.power(values[positive] + 1.0, lmbda) - 1.0) / lmbda
        if abs(lmbda - 2.0) < 1e-12:
            out[negative] = -np.log1p(-values[negative])
        else:
            out[negative] = -(np.power(1.0 - values[negative], 2.0 - lmbda) - 1.0) / (2.0 - lmbda)
    return out


def _fit_lambda(values: np.ndarray) -> float | None:
    """Maximum-likelihood Yeo-Johnson lambda (as PowerTransformer), or None if it overflows."""
    try:
        with np.errstate(all="ignore"):
            transformed, lmbda = stats.yeojohnson(values)
    except (ValueError, FloatingPointError, OverflowError):
        return None
    if not np.all(np.isfinite(transformed)) or not np.isfinite(lmbda):
        return None
    return float(lmbda)


class SkewCorrector(NumericColumnsMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Transform the columns whose absolute training skewness exceeds ``threshold``.

    Columns with two or fewer distinct values (flags, missing indicators) are never transformed:
    their skewness says how rare a level is, not that a tail needs compressing.

    Parameters
    ----------
    method : {"auto", "log1p", "yeo-johnson"}, default="auto"
        ``"log1p"``: ``sign(x) * log(1 + |x|)`` (plain ``log1p`` on non-negative data).
        ``"yeo-johnson"``: Yeo-Johnson with the maximum-likelihood lambda per column (the
        estimate :class:`sklearn.preprocessing.PowerTransformer` uses); where that estimate
        overflows (values near 1e300) the column falls back to ``"log1p"``, recorded in
        ``methods_``. ``"auto"``: ``"log1p"`` for columns that are non-negative in ``fit``,
        ``"yeo-johnson"`` otherwise.
    threshold : float, default=0.75
        Minimum absolute skewness (biased sample skewness, as :func:`scipy.stats.skew`).

    Attributes
    ----------
    skewness_ : ndarray of shape (n_features_in_,)
        Training skewness per column.
    methods_ : list of str or None
        Transform applied per column (None: left as is).
    lambdas_ : ndarray of shape (n_features_in_,)
        Yeo-Johnson lambda per column (NaN where not used).
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [1000.0, 4.0]])
    >>> corrector = SkewCorrector().fit(X)
    >>> corrector.methods_
    ['log1p', None]
    """

    def __init__(self, *, method: str = "auto", threshold: float = 0.75) -> None:
        self.method = method
        self.threshold = threshold

    def fit(self, X: Any, y: object = None) -> SkewCorrector:
        """Measure skewness and choose a transform per column."""
        check_choice(self, "method", self.method, ("auto", "log1p", "yeo-johnson"))
        if not isinstance(self.threshold, Real) or self.threshold < 0:
            raise ConfigError(
                f"The 'threshold' parameter of SkewCorrector must be a non-negative number. "
                f"Got {self.threshold!r} instead. Hint: 0.75 or 1.0 are common."
            )
        values = numeric_array(self, X, reset=True)
        self.skewness_ = nan_skewness(values)
        self.methods_: list[str | None] = []
        self.lambdas_: np.ndarray = np.full(values.shape[1], np.nan)
        for j in range(values.shape[1]):
            column = observed(values, j)
            if abs(self.skewness_[j]) <= self.threshold or np.unique(column).size <= 2:
                self.methods_.append(None)
                continue
            method = self.method
            if method == "auto":
                method = "log1p" if column.min() >= 0 else "yeo-johnson"
            if method == "yeo-johnson":
                lmbda = _fit_lambda(column)
                if lmbda is None:
                    method = "log1p"
                else:
                    self.lambdas_[j] = lmbda
            self.methods_.append(method)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """``X`` with the chosen columns transformed; same shape."""
        check_is_fitted(self)
        return self._transform_array(numeric_array(self, X, reset=False))

    def _transform_array(self, values: np.ndarray) -> np.ndarray:
        out = np.array(values, dtype=np.float64)
        for j, method in enumerate(self.methods_):
            if method == "log1p":
                out[:, j] = signed_log1p(values[:, j])
            elif method == "yeo-johnson":
                out[:, j] = yeo_johnson(values[:, j], self.lambdas_[j])
        return out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
