"""The input tags of estimators that take raw business tables."""

from __future__ import annotations

from typing import Any

__all__ = ["RawTableInputMixin"]


class RawTableInputMixin:
    """Mixin (before ``BaseEstimator``): the estimator takes raw tables, so its scikit-learn
    tags declare missing values, strings and categorical columns as accepted input."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.input_tags.allow_nan = True
        tags.input_tags.string = True
        tags.input_tags.categorical = True
        return tags
