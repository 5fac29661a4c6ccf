"""Outlier fences learned on training data: flag values outside them and optionally clip."""

from __future__ import annotations

from numbers import Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError
from jogak.pipeline._stats import nan_quantiles
from jogak.pipeline._validation import (
    NumericColumnsMixin,
    check_choice,
    column_names,
    numeric_array,
)

__all__ = ["OutlierClipper"]


class OutlierClipper(NumericColumnsMixin, TransformerMixin, BaseEstimator):
    """Learn lower/upper fences per column; clip to them and/or add outlier flag columns.

    Parameters
    ----------
    method : {"iqr", "quantile"}, default="iqr"
        ``"iqr"``: Tukey fences ``Q1 - factor * IQR`` and ``Q3 + factor * IQR``. A column whose
        IQR is 0 (its middle half is one value, e.g. a zero-inflated count) has no spread to
        judge outliers by and gets no fences. ``"quantile"``: the ``quantile`` and
        ``1 - quantile`` training quantiles.
    factor : float, default=1.5
        IQR multiplier (``method="iqr"``).
    quantile : float, default=0.01
        Lower tail share, in (0, 0.5) (``method="quantile"``).
    clip : bool, default=True
        Replace values beyond the fences with the fence.
    add_flags : bool, default=False
        Append one 0/1 ``<column>__outlier`` column per input column (1 beyond a fence).

    Attributes
    ----------
    lower_, upper_ : ndarray of shape (n_features_in_,)
        The fences (-inf / inf where a column has none).
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    >>> clipper = OutlierClipper(add_flags=True).fit(X)
    >>> clipper.transform(np.array([[100.0], [2.5]])).tolist()
    [[7.0, 1.0], [2.5, 0.0]]
    """

    def __init__(self, *, method: str = "iqr", factor: float = 1.5, quantile: float = 0.01,
                 clip: bool = True, add_flags: bool = False) -> None:
        self.method = method
        self.factor = factor
        self.quantile = quantile
        self.clip = clip
        self.add_flags = add_flags

    def _check_params(self) -> None:
        check_choice(self, "method", self.method, ("iqr", "quantile"))
        if self.method == "iqr" and not (isinstance(self.factor, Real) and self.factor > 0):
            raise ConfigError(
                f"The 'factor' parameter of OutlierClipper must be a positive number. "
                f"Got {self.factor!r} instead. Hint: 1.5 (Tukey) or 3.0 (far out)."
            )
        if self.method == "quantile" and not (
            isinstance(self.quantile, Real) and 0.0 < self.quantile < 0.5
        ):
            raise ConfigError(
                f"The 'quantile' parameter of OutlierClipper must be in (0, 0.5). "
                f"Got {self.quantile!r} instead. Hint: 0.01 clips the outer 1% on each side."
            )
        if not self.clip and not self.add_flags:
            raise ConfigError(
                "OutlierClipper with clip=False and add_flags=False would do nothing. "
                "Hint: set clip=True, add_flags=True, or both."
            )

    def fit(self, X: Any, y: object = None) -> OutlierClipper:
        """Learn the fences from ``X`` (numeric, NaN ignored)."""
        self._check_params()
        values = numeric_array(self, X, reset=True)
        if self.method == "iqr":
            q1, q3 = nan_quantiles(values, [0.25, 0.75])
            with np.errstate(over="ignore", invalid="ignore"):
                spread = q3 - q1
                lower = q1 - self.factor * spread
                upper = q3 + self.factor * spread
            no_fence = ~(spread > 0)  # zero or NaN spread
        else:
            lower, upper = nan_quantiles(values, [self.quantile, 1.0 - self.quantile])
            no_fence = np.isnan(lower)
        self.lower_ = np.where(no_fence | np.isnan(lower), -np.inf, lower)
        self.upper_ = np.where(no_fence | np.isnan(upper), np.inf, upper)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Clipped values (or a copy) followed by the flag columns when ``add_flags``."""
        check_is_fitted(self)
        return self._transform_array(numeric_array(self, X, reset=False))

    def _transform_array(self, values: np.ndarray) -> np.ndarray:
        out = np.clip(values, self.lower_, self.upper_) if self.clip else np.array(values)
        if not self.add_flags:
            return out
        flags = (values < self.lower_) | (values > self.upper_)
        return np.hstack([out, flags.astype(np.float64)])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Input names, then ``<column>__outlier`` per column when ``add_flags``."""
        check_is_fitted(self)
        names = column_names(self, input_features)
        flags = [f"{name}__outlier" for name in names] if self.add_flags else []
        return np.asarray(names + flags, dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
