"""A ColumnTransformer whose ``transform`` skips pandas sub-frames: the serving hot path."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn import get_config
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from jogak.errors import SchemaError
from jogak.pipeline._validation import NumericColumnsMixin, numeric_array

__all__ = ["FastColumnTransformer", "NumericColumns"]


class NumericColumns(NumericColumnsMixin, OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Numeric columns as one float64 array, unchanged (NaN kept; nullable NA becomes NaN).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"n": pd.array([1, None], dtype="Int64")})
    >>> NumericColumns().fit_transform(frame).ravel().tolist()
    [1.0, nan]
    """

    def fit(self, X: Any, y: object = None) -> NumericColumns:
        """Check ``X`` is numeric and record its columns."""
        numeric_array(self, X, reset=True)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """``X`` as float64, shape ``(n_samples, n_features_in_)``."""
        check_is_fitted(self, "n_features_in_")
        return self._transform_array(numeric_array(self, X, reset=False))

    def _transform_array(self, values: np.ndarray) -> np.ndarray:
        return np.array(values, dtype=np.float64)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.requires_fit = True
        return tags


def _supports_columns(step: Any) -> bool:
    if hasattr(step, "_transform_columns"):
        return True
    if isinstance(step, Pipeline):
        steps = [item for _, item in step.steps if item not in (None, "passthrough")]
        return bool(steps) and _supports_columns(steps[0])
    return False


def _transform_columns(step: Any, columns: list[np.ndarray]) -> Any:
    if isinstance(step, Pipeline):
        first, *rest = [item for _, item in step.steps if item not in (None, "passthrough")]
        out = _transform_columns(first, columns)
        for item in rest:
            out = item.transform(out)
        return out
    return step._transform_columns(columns)


class FastColumnTransformer(ColumnTransformer):
    """:class:`~sklearn.compose.ColumnTransformer` with a fast ``transform`` for frames.

    Same parameters, fitting and output as its parent. When ``transform`` gets a DataFrame
    holding (at least) the columns seen in ``fit``, numpy output is configured, and every step
    is a jogak transformer (or a Pipeline starting with one), each needed column is taken out
    of the frame once and handed to the fitted steps as arrays, skipping the pandas sub-frames
    and the repeated input validation of the generic path. This matters for one-row
    predictions on the serving path. Anything else goes through ``ColumnTransformer.transform``.
    """

    def _fast_steps(self, X: Any) -> list[tuple[Any, list[str]]] | None:
        if not isinstance(X, pd.DataFrame) or not X.columns.is_unique:
            return None
        output = getattr(self, "_sklearn_output_config", {}).get(
            "transform", get_config()["transform_output"])
        if output != "default":
            return None
        steps: list[tuple[Any, list[str]]] = []
        for _, step, columns in self.transformers_:
            if isinstance(step, str) and step == "drop":
                continue
            if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
                return None
            if not columns:
                continue
            if isinstance(step, str) or not _supports_columns(step):
                return None
            steps.append((step, columns))
        available = set(X.columns)
        missing = sorted({column for _, columns in steps for column in columns
                          if column not in available})
        if missing:
            raise SchemaError(
                f"The preprocessor was fitted with columns {missing!r}, which this frame lacks "
                f"(it has {len(available)} columns). Hint: pass every feature column used in "
                "fit; extra columns are ignored."
            )
        return steps

    def _require_frame(self, X: Any) -> None:
        named = any(isinstance(columns, list) and columns and isinstance(columns[0], str)
                    for _, _, columns in self.transformers)
        if named and not isinstance(X, pd.DataFrame):
            raise SchemaError(
                f"{type(self).__name__} selects columns by name and needs a pandas DataFrame, "
                f"got {type(X).__name__}. Hint: pd.DataFrame(X, columns=names)."
            )

    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> Any:
        """Fit every step on its columns and return the stacked outputs."""
        self._require_frame(X)
        return super().fit_transform(X, y, **params)

    def transform(self, X: Any, **params: Any) -> Any:
        """Transform ``X`` (see the class description for the fast path)."""
        check_is_fitted(self)
        self._require_frame(X)
        steps = None if params else self._fast_steps(X)
        if steps is None:
            return super().transform(X, **params)
        arrays: dict[str, np.ndarray] = {}
        blocks = []
        for step, columns in steps:
            for column in columns:
                if column not in arrays:
                    arrays[column] = X[column].to_numpy()
            blocks.append(_transform_columns(step, [arrays[column] for column in columns]))
        if self.sparse_output_:
            return sp.hstack([sp.csr_matrix(block) for block in blocks], format="csr",
                             dtype=np.float64)
        dense = [block.toarray() if sp.issparse(block) else block for block in blocks]
        return np.hstack(dense) if dense else np.empty((X.shape[0], 0))
