"""Input handling shared by the pipeline's transformers: strict in ``fit``, light in ``transform``.

``transform`` runs on the serving hot path (one row at a time), so after ``fit`` has checked a
frame's columns once, a fitted transformer only re-checks names and width and converts; it never
copies the input on purpose. Outputs are always fresh arrays: inputs may be read-only views
(pandas copy-on-write), so nothing here or in the transformers writes into them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import validate_data

from jogak.errors import ConfigError, SchemaError

__all__ = [
    "NumericColumnsMixin",
    "check_choice",
    "column_names",
    "float_matrix",
    "frame_columns",
    "missing_mask",
    "numeric_array",
]


def check_choice(owner: BaseEstimator, name: str, value: object, allowed: Sequence[object]) -> None:
    """Raise :class:`ConfigError` unless ``value`` is one of ``allowed``."""
    if value not in allowed:
        raise ConfigError(
            f"The {name!r} parameter of {type(owner).__name__} must be one of "
            f"{list(allowed)!r}. Got {value!r} instead. Hint: pick one of the listed values."
        )


def _text_columns(X: pd.DataFrame) -> list[str]:
    return [
        str(name) for name, dtype in X.dtypes.items()
        if not (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype))
    ]


def _numeric_error(owner: BaseEstimator, columns: list[str], exc: Exception) -> SchemaError:
    where = f"columns {columns!r}" if columns else "the input"
    return SchemaError(
        f"{type(owner).__name__} needs numeric columns, but {where} hold non-numeric values "
        f"({exc}). Hint: encode categorical or text columns first (e.g. with "
        "OneHotCategoryEncoder), or convert numbers stored as text with pd.to_numeric."
    )


def _input_error(owner: BaseEstimator, exc: ValueError) -> SchemaError:
    # Keep scikit-learn's own wording first: callers and its estimator checks match on it.
    message = str(exc)
    if "infinity" in message:
        hint = "replace inf with NaN (e.g. frame.replace([np.inf, -np.inf], np.nan))."
    else:
        hint = "pass a 2-D table (DataFrame or array) with at least one row and one column."
    return SchemaError(f"{message} ({type(owner).__name__}) Hint: {hint}")


def _same_columns(owner: BaseEstimator, X: pd.DataFrame) -> bool:
    """True when ``X`` has exactly the (unique) columns seen in fit: checks can be skipped."""
    seen = getattr(owner, "feature_names_in_", None)
    return seen is not None and X.columns.is_unique and X.columns.tolist() == seen.tolist()


def _frame_floats(owner: BaseEstimator, X: pd.DataFrame) -> np.ndarray:
    try:
        return X.to_numpy(dtype=np.float64)
    except (ValueError, TypeError):
        pass  # nullable dtypes holding NA need a na_value; text fails again below
    try:
        return X.to_numpy(dtype=np.float64, na_value=np.nan)
    except (ValueError, TypeError) as exc:
        raise _numeric_error(owner, _text_columns(X), exc) from exc


def numeric_array(owner: BaseEstimator, X: Any, *, reset: bool) -> np.ndarray:
    """``X`` as a 2-D float64 array; sets ``n_features_in_`` when ``reset``.

    With ``reset`` the full scikit-learn validation runs (finite check, shape, names). Without it,
    a frame with the fitted columns or a float array of the fitted width is converted directly;
    anything else goes through scikit-learn's checks (and their errors and warnings).
    """
    if reset:
        try:
            return validate_data(owner, X, dtype=np.float64, ensure_all_finite="allow-nan")
        except ValueError as exc:
            if "could not convert" in str(exc):
                columns = _text_columns(X) if isinstance(X, pd.DataFrame) else []
                raise _numeric_error(owner, columns, exc) from exc
            raise _input_error(owner, exc) from exc
    if isinstance(X, pd.DataFrame):
        if not _same_columns(owner, X):
            validate_data(owner, X, reset=False, skip_check_array=True)
        return _frame_floats(owner, X)
    if (isinstance(X, np.ndarray) and X.dtype == np.float64 and X.ndim == 2
            and X.shape[1] == getattr(owner, "n_features_in_", -1)
            and getattr(owner, "feature_names_in_", None) is None):
        return X
    try:
        return validate_data(owner, X, reset=False, dtype=np.float64,
                             ensure_all_finite="allow-nan")
    except ValueError as exc:
        if "could not convert" not in str(exc):
            raise
        raise _numeric_error(owner, [], exc) from exc


def float_matrix(owner: BaseEstimator, columns: list[np.ndarray]) -> np.ndarray:
    """Stack 1-D columns (numbers, or objects holding numbers and missing values) as floats."""
    out = np.empty((len(columns[0]) if columns else 0, len(columns)))
    for j, values in enumerate(columns):
        if values.dtype.kind in "biuf":
            out[:, j] = values
            continue
        try:
            out[:, j] = np.where(missing_mask(values), np.nan, values).astype(np.float64)
        except (ValueError, TypeError) as exc:
            raise _numeric_error(owner, [], exc) from exc
    return out


def frame_columns(owner: BaseEstimator, X: Any, *, reset: bool) -> list[np.ndarray]:
    """The columns of ``X`` as 1-D arrays of their own dtype (object for mixed arrays).

    Used by transformers of categorical, boolean, date and text columns, whose values are not
    floats. Sets ``n_features_in_`` (and ``feature_names_in_`` for frames) when ``reset``.
    """
    if isinstance(X, pd.DataFrame):
        if reset or not _same_columns(owner, X):
            validate_data(owner, X, reset=reset, skip_check_array=True)
        if reset:
            _check_not_empty(owner, X.shape)
        if X.columns.is_unique:
            return [X[name].to_numpy() for name in X.columns]
        return [X.iloc[:, j].to_numpy() for j in range(X.shape[1])]
    if reset:
        try:
            array = validate_data(owner, X, dtype=None, ensure_all_finite=False)
        except ValueError as exc:
            raise _input_error(owner, exc) from exc
    else:
        array = validate_data(owner, X, reset=False, dtype=None, ensure_all_finite=False)
    return [array[:, j] for j in range(array.shape[1])]


class NumericColumnsMixin:
    """For numeric transformers: ``_transform_columns`` (the fast path of
    :class:`~jogak.pipeline.FastColumnTransformer`) reuses ``_transform_array``."""

    def _transform_columns(self, columns: list[np.ndarray]) -> Any:
        values = float_matrix(self, columns)
        return self._transform_array(values)  # type: ignore[attr-defined]


def _check_not_empty(owner: BaseEstimator, shape: tuple[int, ...]) -> None:
    # Same wording as scikit-learn's check_array, which callers may match on.
    name = type(owner).__name__
    if shape[0] == 0:
        raise SchemaError(
            f"Found array with 0 sample(s) (shape={shape}) while a minimum of 1 is required by "
            f"{name}. Hint: pass at least one row."
        )
    if shape[1] == 0:
        raise SchemaError(
            f"Found array with 0 feature(s) (shape={shape}) while a minimum of 1 is required by "
            f"{name}. Hint: select at least one column."
        )


def column_names(owner: BaseEstimator, input_features: Any = None) -> list[str]:
    """Input feature names as scikit-learn resolves them (``x0, x1, ...`` without a frame)."""
    n_features = int(owner.n_features_in_)
    seen = getattr(owner, "feature_names_in_", None)
    if input_features is None:
        if seen is not None:
            return [str(name) for name in seen]
        return [f"x{j}" for j in range(n_features)]
    names = [str(name) for name in input_features]
    if seen is not None and names != [str(name) for name in seen]:
        raise SchemaError(
            "input_features is not equal to feature_names_in_: got "
            f"{names!r}, fitted on {list(seen)!r}. Hint: pass None to use the fitted names."
        )
    if len(names) != n_features:
        raise SchemaError(
            f"input_features should have length equal to number of features "
            f"({n_features}), got {len(names)}. Hint: pass one name per input column."
        )
    return names


def missing_mask(values: np.ndarray) -> np.ndarray:
    """Boolean mask of missing cells (None, NaN, NaT, pd.NA) in a 1-D array of any dtype."""
    if values.dtype.kind == "f":
        return np.isnan(values)
    if values.dtype.kind in "biu":
        return np.zeros(values.shape, dtype=bool)
    return np.asarray(pd.isna(values), dtype=bool)
