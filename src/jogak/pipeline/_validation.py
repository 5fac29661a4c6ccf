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
from sklearn.utils.validation import check_array, validate_data

from jogak.errors import ConfigError, SchemaError

__all__ = [
    "check_choice",
    "column_names",
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


def numeric_array(owner: BaseEstimator, X: Any, *, reset: bool) -> np.ndarray:
    """``X`` as a 2-D float64 array; sets ``n_features_in_`` when ``reset``.

    With ``reset`` the full scikit-learn validation runs (finite check, shape, names). Without it
    only the width and names are checked, and a frame is converted with one ``to_numpy`` call.
    """
    if reset:
        try:
            return validate_data(owner, X, dtype=np.float64, ensure_all_finite="allow-nan")
        except ValueError as exc:
            if "could not convert" not in str(exc) and "NAType" not in str(exc):
                raise
            columns = _text_columns(X) if isinstance(X, pd.DataFrame) else []
            raise _numeric_error(owner, columns, exc) from exc
    validate_data(owner, X, reset=False, skip_check_array=True)
    if isinstance(X, pd.DataFrame):
        try:
            return X.to_numpy(dtype=np.float64, na_value=np.nan)
        except (ValueError, TypeError) as exc:
            raise _numeric_error(owner, _text_columns(X), exc) from exc
    if isinstance(X, np.ndarray) and X.dtype == np.float64 and X.ndim == 2:
        return X
    try:
        return check_array(X, dtype=np.float64, ensure_all_finite="allow-nan")
    except ValueError as exc:
        if "could not convert" not in str(exc):
            raise
        raise _numeric_error(owner, [], exc) from exc


def frame_columns(owner: BaseEstimator, X: Any, *, reset: bool) -> list[np.ndarray]:
    """The columns of ``X`` as 1-D arrays of their own dtype (object for mixed arrays).

    Used by transformers of categorical, boolean, date and text columns, whose values are not
    floats. Sets ``n_features_in_`` (and ``feature_names_in_`` for frames) when ``reset``.
    """
    if isinstance(X, pd.DataFrame):
        validate_data(owner, X, reset=reset, skip_check_array=True)
        if reset:
            _check_not_empty(owner, X.shape)
        return [X.iloc[:, j].to_numpy() for j in range(X.shape[1])]
    if reset:
        array = validate_data(owner, X, dtype=None, ensure_all_finite=False)
    else:
        validate_data(owner, X, reset=False, skip_check_array=True)
        array = check_array(X, dtype=None, ensure_all_finite=False)
    return [array[:, j] for j in range(array.shape[1])]


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
    n_features = int(owner.n_features_in_)  # type: ignore[attr-defined]
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
