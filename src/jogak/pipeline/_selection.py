"""Feature selection with elastic-net models: non-zero coefficients, or recursive elimination."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.feature_selection import RFECV, SelectorMixin
from sklearn.linear_model import ElasticNet, ElasticNetCV, LogisticRegression, LogisticRegressionCV
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from jogak.data import Task
from jogak.errors import ConfigError, SchemaError, TargetError

__all__ = ["ElasticNetSelector", "RecursiveEliminator"]

_MAX_CLASSES = 20  # integer targets with more distinct values are treated as regression


def _is_classification(task: Any, y: np.ndarray, owner: BaseEstimator) -> bool:
    if task is not None:
        try:
            return Task(task).is_classification
        except ValueError as exc:
            raise ConfigError(
                f"The 'task' parameter of {type(owner).__name__} must be None or one of "
                f"{[item.value for item in Task]!r}. Got {task!r} instead."
            ) from exc
    kind = type_of_target(y)
    if kind == "continuous":
        return False
    if kind == "binary":
        return True
    if kind == "multiclass":
        numeric = np.issubdtype(y.dtype, np.number)
        return not numeric or np.unique(y).size <= _MAX_CLASSES
    raise TargetError(
        f"Unknown label type: {type(owner).__name__} needs a 1-D regression or classification "
        f"target; got a {kind!r} target. Hint: pass one target column of numbers or labels."
    )


def _standardise(X: np.ndarray) -> np.ndarray:
    std = X.std(axis=0)
    return (X - X.mean(axis=0)) / np.where(std > 0, std, 1.0)


class _ElasticNetBase(SelectorMixin, BaseEstimator):
    task: Any = None
    cv: int = 5
    random_state: int | None = None

    def _prepare(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray, bool, Any]:
        if y is None:
            raise TargetError(
                f"{type(self).__name__} requires y to be passed, but the target y is None. "
                "Hint: call fit(X, y)."
            )
        if not isinstance(self.cv, Integral) or self.cv < 2:
            raise ConfigError(
                f"The 'cv' parameter of {type(self).__name__} must be an int >= 2. Got "
                f"{self.cv!r} instead. Hint: 5."
            )
        X, y = validate_data(self, X, y, dtype=np.float64, y_numeric=False)
        classification = _is_classification(self.task, y, self)
        n_splits = min(self.cv, X.shape[0])
        if classification:
            counts = pd.Series(y).value_counts()
            if counts.size < 2:
                raise TargetError(
                    f"{type(self).__name__} needs at least two classes in y; got 1 class "
                    f"({counts.index[0]!r}). Hint: check the target column."
                )
            n_splits = min(n_splits, int(counts.min()))
        if n_splits < 2:
            raise SchemaError(
                f"{type(self).__name__} cross-validates and needs at least 2 rows per class or "
                f"fold; got {X.shape[0]} sample(s). Hint: fit on more rows."
            )
        splitter = (StratifiedKFold if classification else KFold)(
            n_splits, shuffle=True, random_state=self.random_state)
        return _standardise(X), y, classification, splitter

    def _get_support_mask(self) -> np.ndarray:
        check_is_fitted(self)
        return self.support_

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        return tags


class ElasticNetSelector(_ElasticNetBase):
    """Keep the features with non-zero coefficients in a cross-validated elastic net.

    Features are standardised internally (selection must not depend on units). Regression uses
    :class:`~sklearn.linear_model.ElasticNetCV`; classification uses
    :class:`~sklearn.linear_model.LogisticRegressionCV` with the elastic-net penalty (saga),
    scored by log loss, over ``C`` in [1e-3, 10] (weaker penalties add nothing to a selection
    on standardised features and do not converge on separable data). When fewer than
    ``min_features`` coefficients are non-zero (e.g. no
    feature predicts the target), the largest ones are kept, ties broken by column order.

    Parameters
    ----------
    task : Task, str or None, default=None
        ``"regression"``, ``"binary"`` or ``"multiclass"``; None infers it from ``y``.
    l1_ratios : sequence of float, default=(0.1, 0.5, 0.9, 1.0)
        Elastic-net mixings tried (1 is the lasso).
    n_strengths : int, default=10
        Regularisation strengths tried per mixing.
    cv : int, default=5
    max_iter : int, default=2000
    min_features : int, default=1
    random_state : int or None, default=None

    Attributes
    ----------
    estimator_ : ElasticNetCV or LogisticRegressionCV
    importances_ : ndarray of shape (n_features_in_,)
        Absolute standardised coefficients (max over classes).
    support_ : ndarray of bool
    n_iter_ : int
        Most solver iterations of the final fit.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(200, 4)), columns=["a", "b", "noise1", "noise2"])
    >>> y = 3 * X["a"] - 2 * X["b"] + rng.normal(scale=0.1, size=200)
    >>> selector = ElasticNetSelector(random_state=0).fit(X, y)
    >>> selector.get_feature_names_out()[:2].tolist()
    ['a', 'b']
    """

    def __init__(self, *, task: Any = None, l1_ratios: Sequence[float] = (0.1, 0.5, 0.9, 1.0),
                 n_strengths: int = 10, cv: int = 5, max_iter: int = 2000,
                 min_features: int = 1, random_state: int | None = None) -> None:
        self.task = task
        self.l1_ratios = l1_ratios
        self.n_strengths = n_strengths
        self.cv = cv
        self.max_iter = max_iter
        self.min_features = min_features
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> ElasticNetSelector:
        """Fit the cross-validated elastic net and mark the kept features."""
        ratios = list(self.l1_ratios)
        if not ratios or not all(isinstance(r, Real) and 0.0 < r <= 1.0 for r in ratios):
            raise ConfigError(
                f"The 'l1_ratios' parameter of ElasticNetSelector must be numbers in (0, 1]. "
                f"Got {self.l1_ratios!r} instead. Hint: (0.1, 0.5, 0.9, 1.0)."
            )
        for name in ("n_strengths", "max_iter", "min_features"):
            value = getattr(self, name)
            if not isinstance(value, Integral) or value < 1:
                raise ConfigError(f"The {name!r} parameter of ElasticNetSelector must be an "
                                  f"int >= 1. Got {value!r} instead.")
        scaled, target, classification, splitter = self._prepare(X, y)
        if classification:
            self.estimator_ = LogisticRegressionCV(
                Cs=np.logspace(-3, 1, self.n_strengths), l1_ratios=ratios, cv=splitter,
                solver="saga",
                scoring="neg_log_loss", max_iter=self.max_iter,
                random_state=self.random_state, use_legacy_attributes=False,
            ).fit(scaled, target)
            self.importances_ = np.abs(self.estimator_.coef_).max(axis=0)
        else:
            self.estimator_ = ElasticNetCV(
                l1_ratio=ratios, alphas=self.n_strengths, cv=splitter,
                max_iter=self.max_iter, random_state=self.random_state,
            ).fit(scaled, target)
            self.importances_ = np.abs(self.estimator_.coef_)
        self.n_iter_ = int(np.max(self.estimator_.n_iter_))
        support = self.importances_ > 0
        n_keep = min(self.min_features, support.size)
        if support.sum() < n_keep:
            order = np.argsort(-self.importances_, kind="stable")
            support[order[:n_keep]] = True
        self.support_ = support
        return self


class RecursiveEliminator(_ElasticNetBase):
    """Recursive feature elimination with cross-validation (RFECV) around an elastic net.

    Features are standardised internally; the elastic net is
    :class:`~sklearn.linear_model.ElasticNet` for regression and an elastic-net
    :class:`~sklearn.linear_model.LogisticRegression` (saga) for classification. The weakest
    ``step`` features (smallest absolute coefficients) are dropped until the cross-validated
    score stops improving.

    Parameters
    ----------
    task : Task, str or None, default=None
    alpha : float, default=0.01
        Regularisation strength (per row; ``C = 1 / (alpha * n_samples)`` for classification).
    l1_ratio : float, default=0.5
    step : int, default=1
    min_features_to_select : int, default=1
    cv : int, default=5
    max_iter : int, default=2000
    random_state : int or None, default=None

    Attributes
    ----------
    rfecv_ : sklearn.feature_selection.RFECV
    support_ : ndarray of bool
    ranking_ : ndarray of int
        1 for kept features; higher numbers were eliminated earlier.
    n_iter_ : int
        Solver iterations of the final fit on the kept features.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "noise1", "noise2"])
    >>> y = 2 * X["a"] + rng.normal(scale=0.1, size=200)
    >>> RecursiveEliminator(random_state=0).fit(X, y).get_feature_names_out().tolist()
    ['a']
    """

    def __init__(self, *, task: Any = None, alpha: float = 0.01, l1_ratio: float = 0.5,
                 step: int = 1, min_features_to_select: int = 1, cv: int = 5,
                 max_iter: int = 2000, random_state: int | None = None) -> None:
        self.task = task
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.step = step
        self.min_features_to_select = min_features_to_select
        self.cv = cv
        self.max_iter = max_iter
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> RecursiveEliminator:
        """Eliminate features recursively, keeping the best cross-validated subset."""
        if not isinstance(self.alpha, Real) or self.alpha <= 0:
            raise ConfigError(f"The 'alpha' parameter of RecursiveEliminator must be > 0. "
                              f"Got {self.alpha!r} instead. Hint: 0.01.")
        if not isinstance(self.l1_ratio, Real) or not 0.0 <= self.l1_ratio <= 1.0:
            raise ConfigError(f"The 'l1_ratio' parameter of RecursiveEliminator must be in "
                              f"[0, 1]. Got {self.l1_ratio!r} instead. Hint: 0.5.")
        scaled, target, classification, splitter = self._prepare(X, y)
        if classification:
            # The logistic loss is summed, the squared loss of ElasticNet averaged: C = 1/(alpha n)
            # gives both the same penalty per row.
            model: Any = LogisticRegression(C=1.0 / (self.alpha * scaled.shape[0]),
                                            l1_ratio=self.l1_ratio,
                                            solver="saga", max_iter=self.max_iter,
                                            random_state=self.random_state)
        else:
            model = ElasticNet(alpha=self.alpha, l1_ratio=self.l1_ratio,
                               max_iter=self.max_iter, random_state=self.random_state)
        self.rfecv_ = RFECV(model, step=self.step, cv=splitter,
                            min_features_to_select=self.min_features_to_select).fit(scaled, target)
        self.n_iter_ = int(np.max(self.rfecv_.estimator_.n_iter_))
        self.support_ = self.rfecv_.support_
        self.ranking_ = self.rfecv_.ranking_
        return self
