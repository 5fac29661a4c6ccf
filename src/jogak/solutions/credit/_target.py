"""Checking the inputs of the credit estimators: a binary target and a feature frame."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import SchemaError, TargetError

__all__ = ["as_feature_frame", "check_columns", "encode_target"]


def encode_target(y: Any, positive_label: Any = None) -> tuple[np.ndarray, np.ndarray, Any]:
    """``y`` as 0/1 with 1 = bad (the event), the sorted classes and the bad label.

    Raises
    ------
    TargetError
        When ``y`` has missing values, not exactly two classes, or the bad label is unclear.
    """
    series = pd.Series(np.asarray(y, dtype=object) if not isinstance(y, pd.Series) else y)
    if series.empty:
        raise TargetError("The target is empty: a scorecard needs rows with a 0/1 target.")
    n_missing = int(series.isna().sum())
    if n_missing:
        raise TargetError(
            f"The target has {n_missing} missing value(s) of {len(series)}; a scorecard needs "
            "every row labelled good or bad. Hint: drop the unlabelled rows before fitting.")
    classes = np.array(sorted(series.unique().tolist(), key=_sort_key), dtype=object)
    if classes.size != 2:
        shown = classes[:10].tolist()
        raise TargetError(
            f"The target must be binary (good/bad), got {classes.size} distinct value(s): "
            f"{shown}. Hint: map it to 0 = paid, 1 = default before fitting.")
    if positive_label is None:
        positive_label = _default_positive(classes)
    if positive_label not in classes.tolist():
        raise TargetError(f"positive_label {positive_label!r} (the bad label) is not one of the "
                          f"target's values {classes.tolist()}.")
    encoded = (series == positive_label).to_numpy(dtype=np.float64)
    if all(isinstance(c, int | np.integer | bool | np.bool_) for c in classes):
        classes = np.array([int(c) if not isinstance(c, bool | np.bool_) else bool(c)
                            for c in classes])
    return encoded, classes, positive_label


def _sort_key(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool | np.bool_ | int | np.integer | float | np.floating):
        return (0, float(value))
    return (1, str(value))


def _default_positive(classes: np.ndarray) -> Any:
    values = classes.tolist()
    for candidate in (1, True, "1", "yes", "Yes", "bad", "Bad", "default"):
        if candidate in values:
            return values[values.index(candidate)]
    raise TargetError(
        f"Cannot tell which target value means 'bad' among {values}. Hint: pass "
        "positive_label=<the bad value> (CLI: --bad-label), or map the target to 0/1.")


def as_feature_frame(X: Any, *, min_rows: int = 2) -> pd.DataFrame:
    """``X`` as a DataFrame with unique string column names (arrays get ``x0, x1, ...``)."""
    if isinstance(X, pd.DataFrame):
        frame = X.copy()
    else:
        array = np.asarray(X)
        if array.ndim != 2:
            raise SchemaError(f"Expected a 2-D table of features, got an array of shape "
                              f"{array.shape}. Hint: pass a pandas DataFrame.")
        frame = pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])
        frame = frame.infer_objects()
    frame.columns = [str(c) for c in frame.columns]
    if frame.columns.duplicated().any():
        duplicated = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise SchemaError(f"Column names must be unique; duplicated: {duplicated}.")
    if frame.shape[1] == 0:
        raise SchemaError("The feature table has no columns. Hint: pass at least one feature.")
    if len(frame) < min_rows:
        raise SchemaError(f"Need at least {min_rows} rows to fit, got {len(frame)}.")
    return frame


def check_columns(frame: pd.DataFrame, expected: Sequence[str]) -> None:
    """Refuse a frame that lacks a column seen in ``fit``."""
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise SchemaError(f"The data lacks column(s) {missing[:10]} that the model was fitted "
                          f"on. Hint: pass the same columns as in training (got "
                          f"{list(frame.columns)[:10]}...).")
