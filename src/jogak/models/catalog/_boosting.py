"""BoosterAdapter: LightGBM, XGBoost and CatBoost with categorical positions and early stopping."""

from __future__ import annotations

import numbers
from abc import ABCMeta, abstractmethod
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _check_sample_weight, validate_data

from jogak.models.catalog._holdout import holdout_split

__all__ = ["BoosterAdapter", "EvalSet"]

EvalSet = tuple[np.ndarray, np.ndarray, np.ndarray]


def _wraps_classifier(adapter: BoosterAdapter) -> bool:
    fitted = adapter.__dict__.get("_fitted_classifier")
    if fitted is not None:  # what was fitted, without a tag look-up on every predict
        return bool(fitted)
    return get_tags(adapter.estimator).estimator_type == "classifier"


class BoosterAdapter(MetaEstimatorMixin, BaseEstimator, metaclass=ABCMeta):
    """Base of the gradient-boosting adapters: categorical columns by position, holdout stopping.

    A subclass knows one library: how to pass categorical positions and an evaluation set to
    its ``fit`` (:meth:`_fit_model`) and, if needed, how to convert input before predicting
    (:meth:`_prepare`). Classifier labels are encoded to ``0..k-1`` for the library and decoded
    on the way out, so any labels work. Prediction is one call to the fitted library model.

    Parameters
    ----------
    estimator : estimator
        An unfitted scikit-learn-API model of the library (e.g. ``LGBMClassifier(...)``).
        It is cloned in ``fit``; the adapter's type (classifier or regressor) is taken from it.
    categorical_features : sequence of int, default=()
        Positions of integer-coded categorical columns (NaN: missing).
    early_stopping_rounds : int or None, default=None
        Stop when the holdout loss has not improved for this many rounds and keep the best
        iteration. ``None`` fits all rounds on all rows.
    validation_fraction : float, default=0.1
        Share of the rows held out (per class for classifiers) when stopping early.
    random_state : int or None, default=None
        Seed of the holdout split.

    Attributes
    ----------
    estimator_ : estimator
        The fitted library model (use it for tree SHAP or native saving).
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only).
    best_iteration_ : int or None
        Best boosting round found by early stopping, or None without it.
    categorical_features_ : list of int
        The categorical positions used.
    n_features_in_ : int
        Number of columns seen in ``fit``.
    """

    def __init__(self, estimator: Any, *, categorical_features: Sequence[int] = (),
                 early_stopping_rounds: int | None = None, validation_fraction: float = 0.1,
                 random_state: int | None = None) -> None:
        self.estimator = estimator
        self.categorical_features = categorical_features
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        if tags.classifier_tags is not None:
            tags.classifier_tags.multi_label = False  # labels are encoded from one column
        tags.regressor_tags = inner.regressor_tags
        tags.target_tags.required = True
        tags.target_tags.multi_output = False
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = False
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> BoosterAdapter:
        """Fit the library model, holding out rows for early stopping if asked.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Numeric matrix; categorical positions hold integer codes or NaN.
        y : array-like of shape (n_samples,)
            Target.
        sample_weight : array-like of shape (n_samples,), optional
            Row weights (also used to weight the holdout loss).

        Returns
        -------
        self
        """
        self._check_params()
        is_classifier = get_tags(self.estimator).estimator_type == "classifier"
        X, y = validate_data(self, X, y, dtype=np.float64, ensure_all_finite="allow-nan",
                             y_numeric=not is_classifier)
        if X.shape[0] < 2:
            raise ValueError(f"{type(self).__name__} needs at least 2 samples, got "
                             f"n_samples={X.shape[0]}.")
        weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
        categorical = self._categorical_positions(X)
        if is_classifier:
            check_classification_targets(y)
            self.classes_, y_fit = np.unique(y, return_inverse=True)
            if len(self.classes_) < 2:
                raise ValueError(f"{type(self).__name__} needs samples of at least 2 classes, "
                                 f"got 1 class: {self.classes_[0]!r}.")
        else:
            self.__dict__.pop("classes_", None)  # left by an earlier fit as a classifier
            y_fit = np.asarray(y, dtype=np.float64)
        model = clone(self.estimator)
        evaluation: EvalSet | None = None
        train = np.arange(X.shape[0])
        if self.early_stopping_rounds is not None:
            train, held = holdout_split(y_fit, self.validation_fraction, stratify=is_classifier,
                                        random_state=self.random_state)
            if held.size:
                evaluation = (X[held], y_fit[held], weights[held])
            else:
                train = np.arange(X.shape[0])
        self._fit_model(model, X[train], y_fit[train], weights[train], evaluation, categorical)
        self.estimator_ = model
        self.categorical_features_ = categorical
        self._fitted_classifier = is_classifier
        self.best_iteration_ = self._best_iteration(model) if evaluation is not None else None
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Class labels (classifiers) or values (regressors), shape ``(n_samples,)``."""
        data = self._prepare(self._validated(X))
        if self._fitted_classifier:
            return self.classes_[np.argmax(self.estimator_.predict_proba(data), axis=1)]
        return np.asarray(self.estimator_.predict(data), dtype=np.float64).reshape(-1)

    @available_if(_wraps_classifier)
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape ``(n_samples, n_classes)``, columns in ``classes_`` order."""
        data = self._prepare(self._validated(X))
        return np.asarray(self.estimator_.predict_proba(data), dtype=np.float64)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Accuracy (classifiers) or R² (regressors) of ``predict(X)`` against ``y``."""
        metric = accuracy_score if _wraps_classifier(self) else r2_score
        return float(metric(y, self.predict(X), sample_weight=sample_weight))

    def _validated(self, X: Any) -> np.ndarray:
        if "estimator_" not in self.__dict__:  # check_is_fitted would look up tags each call
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet. Call "
                                 "'fit' with appropriate arguments before using this estimator.")
        # serving hot path: a float64 matrix of the right width goes straight to the booster
        if type(X) is np.ndarray and X.dtype == np.float64 and X.ndim == 2 \
                and X.shape[1] == self.n_features_in_ and not hasattr(self, "feature_names_in_"):
            return X
        return validate_data(self, X, reset=False, dtype=np.float64, ensure_all_finite=False)

    def _check_params(self) -> None:
        rounds = self.early_stopping_rounds
        if rounds is not None and (not isinstance(rounds, numbers.Integral) or rounds < 1):
            raise ValueError(f"early_stopping_rounds must be None or an int >= 1, got {rounds!r}.")
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError("validation_fraction must be in (0, 1), got "
                             f"{self.validation_fraction!r}.")

    def _categorical_positions(self, X: np.ndarray) -> list[int]:
        positions = sorted({int(i) for i in self.categorical_features})
        if positions and (positions[0] < 0 or positions[-1] >= X.shape[1]):
            raise ValueError(f"categorical_features must be positions in [0, {X.shape[1]}), "
                             f"got {positions}.")
        for j in positions:
            column = X[:, j]
            codes = column[~np.isnan(column)]
            if np.any(codes < 0) or np.any(codes != np.floor(codes)):
                raise ValueError(f"Categorical column {j} must hold non-negative integer codes "
                                 "or NaN, got other values. Hint: build the matrix with the "
                                 "NATIVE feature style.")
        return positions

    @abstractmethod
    def _fit_model(self, model: Any, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray,
                   evaluation: EvalSet | None, categorical: list[int]) -> None:
        """Fit ``model`` in place, stopping early on ``evaluation`` when it is given."""

    def _rounds(self) -> int:
        """``early_stopping_rounds`` as an int (only called when an evaluation set exists)."""
        return int(self.early_stopping_rounds or 1)

    def _prepare(self, X: np.ndarray) -> Any:
        return X

    def _best_iteration(self, model: Any) -> int | None:
        return None
