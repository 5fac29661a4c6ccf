"""What the credit classifiers (Scorecard, MonotonicGBM) share: raw tables in, P(bad) out."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from jogak.pipeline._input_tags import RawTableInputMixin
from jogak.solutions.credit._target import as_feature_frame, check_columns, encode_target

__all__ = ["RiskClassifier"]


class RiskClassifier(RawTableInputMixin, ClassifierMixin, BaseEstimator, metaclass=ABCMeta):
    """Base of a binary credit classifier whose ``decision_function`` is ``logit(P(bad))``.

    Subclasses take the raw feature table (missing values, text and categorical columns) and
    set ``classes_``, ``positive_label_`` (with :meth:`_fit_target`) and ``feature_names_in_``
    in ``fit``.
    """

    classes_: np.ndarray
    positive_label_: Any
    feature_names_in_: np.ndarray

    @abstractmethod
    def decision_function(self, X: Any) -> np.ndarray:
        """``logit(P(bad))`` of each row."""

    def _fit_target(self, y: Any, positive_label: Any) -> np.ndarray:
        """``y`` as 1 = bad / 0 = good; sets ``classes_`` and ``positive_label_``."""
        target, self.classes_, self.positive_label_ = encode_target(y, positive_label)
        return target

    def _scoring_frame(self, X: Any, fitted: str) -> pd.DataFrame:
        """``X`` as a frame holding every column seen in ``fit`` (arrays: in that order)."""
        check_is_fitted(self, fitted)
        frame = as_feature_frame(X, min_rows=0)
        if not isinstance(X, pd.DataFrame):
            frame.columns = list(self.feature_names_in_)
        check_columns(frame, list(self.feature_names_in_))
        return frame

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in ``classes_`` order."""
        p_bad = 1.0 / (1.0 + np.exp(-self.decision_function(X)))
        bad_first = self.classes_[0] == self.positive_label_
        return np.column_stack([p_bad, 1 - p_bad] if bad_first else [1 - p_bad, p_bad])
