"""Fit the steps of a column transformer and write their outputs into one preallocated array.

scikit-learn's ``ColumnTransformer.fit_transform`` keeps every step's output block and then
stacks them (twice the output at the peak), and a Pipeline of numeric steps keeps a full
intermediate array per step. Here:

- a numeric Pipeline whose steps learn one statistic set per column (median imputation with
  indicators, skew correction, outlier fences, scaling) is fitted one input column at a time
  and the per-column states are merged: the fitted steps equal those fitted on all columns;
- steps (and Pipelines of steps) that only learn in ``fit`` and transform row by row are then
  applied to blocks of rows, written straight into their slice of the output;
- anything else (a cross-fitted target encoder, whose ``fit_transform`` differs from
  ``fit().transform()``; text) is fitted with ``fit_transform`` as usual and its block copied.

The output equals ``numpy.hstack`` of the blocks, value for value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import TransformerMixin, clone
from sklearn.pipeline import Pipeline

from jogak.pipeline._booleans import BooleanEncoder
from jogak.pipeline._dates import DateFeatures
from jogak.pipeline._encoders import FrequencyEncoder, OneHotCategoryEncoder, OrdinalCodeEncoder
from jogak.pipeline._missing import MissingImputer
from jogak.pipeline._numeric_columns import NumericColumns
from jogak.pipeline._outliers import OutlierClipper
from jogak.pipeline._scaling import ColumnScaler
from jogak.pipeline._skew import SkewCorrector
from jogak.pipeline._target_encoding import CrossFitTargetEncoder

__all__ = ["ROW_BLOCK", "FittedBlock", "fit_blocks", "is_row_wise", "supports_columns",
           "transform_columns", "transform_rows_into"]

#: Rows transformed at a time when writing into a preallocated output.
ROW_BLOCK = 1 << 16

# fitted attributes holding one entry per column of the step's input
_PER_COLUMN: dict[type, tuple[str, ...]] = {
    MissingImputer: ("statistics_",),
    SkewCorrector: ("skewness_", "methods_", "lambdas_"),
    OutlierClipper: ("lower_", "upper_"),
    ColumnScaler: ("center_", "scale_"),
    NumericColumns: (),
}
# transform maps each row to its output row with statistics learned in fit: rows can be
# transformed block by block (TextFeatures is left out: its SVD is a matrix product whose
# rounding can depend on the block shape)
_ROW_WISE = (*_PER_COLUMN, BooleanEncoder, DateFeatures, OneHotCategoryEncoder,
             OrdinalCodeEncoder, FrequencyEncoder, CrossFitTargetEncoder)


def _estimators(step: Any) -> list[Any]:
    if isinstance(step, Pipeline):
        return [item for _, item in step.steps if item not in (None, "passthrough")]
    return [step]


def is_row_wise(step: Any) -> bool:
    """Whether ``step``'s fitted ``transform`` can run on blocks of rows with the same result."""
    items = _estimators(step)
    return bool(items) and all(type(item) in _ROW_WISE for item in items) and \
        not any(isinstance(item, MissingImputer) and item.strategy == "iterative"
                for item in items)


def _is_column_separable(step: Any) -> bool:
    items = _estimators(step)
    if not items or not all(type(item) in _PER_COLUMN for item in items):
        return False
    for k, item in enumerate(items):
        if isinstance(item, MissingImputer) and (item.strategy == "iterative" or k > 0):
            return False  # iterative fills use the other columns; indicators must come first
        if isinstance(item, OutlierClipper) and item.add_flags:
            return False
    return True


def _fits_then_transforms(step: Any) -> bool:
    # every estimator's fit_transform is fit().transform(): the output can be computed after
    # fitting, block by block (a Pipeline's fit still makes its intermediate arrays, but they
    # are freed before the output exists)
    return is_row_wise(step) and all(type(item).fit_transform is TransformerMixin.fit_transform
                                     for item in _estimators(step))


@dataclass
class FittedBlock:
    """A fitted step, its input columns and width, and its output when it had to be computed
    while fitting (``None`` when it is written block by block afterwards)."""

    step: Any
    columns: list[str]
    width: int
    output: np.ndarray | None


def fit_blocks(steps: list[tuple[Any, list[str]]], X: pd.DataFrame, y: Any) -> list[FittedBlock]:
    """Fit clones of ``steps`` (estimator, columns) on ``X``, keeping outputs only where needed."""
    blocks = []
    for step, columns in steps:
        fitted = clone(step)
        if _is_column_separable(fitted):
            _fit_by_column(fitted, X, columns)
        elif _fits_then_transforms(fitted):
            fitted.fit(X[columns], y)
        else:
            output = fitted.fit_transform(X[columns], y)
            output = output.toarray() if sp.issparse(output) else np.asarray(output)
            blocks.append(FittedBlock(fitted, columns, output.shape[1], output))
            continue
        width = _transform(fitted, X, columns, 0, 1).shape[1]
        blocks.append(FittedBlock(fitted, columns, width, None))
    return blocks


def supports_columns(step: Any) -> bool:
    """Whether ``step`` (or its first estimator) takes its input as a list of column arrays."""
    if hasattr(step, "_transform_columns"):
        return True
    if isinstance(step, Pipeline):
        steps = [item for _, item in step.steps if item not in (None, "passthrough")]
        return bool(steps) and supports_columns(steps[0])
    return False


def transform_columns(step: Any, columns: list[np.ndarray]) -> Any:
    """The fitted ``step``'s output for input columns given as 1-D arrays."""
    if isinstance(step, Pipeline):
        first, *rest = [item for _, item in step.steps if item not in (None, "passthrough")]
        out = transform_columns(first, columns)
        for item in rest:
            out = item.transform(out)
        return out
    return step._transform_columns(columns)


def transform_rows_into(out: np.ndarray, start: int, step: Any, X: pd.DataFrame,
                        columns: list[str]) -> None:
    """Write the fitted ``step``'s output for ``X[columns]`` into ``out[:, start:...]``: a block
    of rows at a time when the step is row-wise (no column-sized temporaries, such as object
    arrays of text), else at once."""
    n_rows = X.shape[0]
    size = ROW_BLOCK if is_row_wise(step) and supports_columns(step) else max(n_rows, 1)
    for begin in range(0, n_rows, size):
        part = _transform(step, X, columns, begin, begin + size)
        out[begin:begin + part.shape[0], start:start + part.shape[1]] = part


def _transform(step: Any, X: pd.DataFrame, columns: list[str], begin: int, end: int) -> Any:
    if supports_columns(step):
        output = transform_columns(step, [X[column].iloc[begin:end].to_numpy()
                                          for column in columns])
    else:
        output = step.transform(X[columns].iloc[begin:end])
    return output.toarray() if sp.issparse(output) else output


def _fit_by_column(step: Any, X: pd.DataFrame, columns: list[str]) -> None:
    """Fit ``step`` (a separable numeric step or Pipeline) one column at a time, then give each
    of its estimators the merged state, as if fitted on all ``columns`` at once."""
    items = _estimators(step)
    parts = [[clone(item) for item in items] for _ in columns]
    for column, fitted in zip(columns, parts, strict=True):
        values: Any = X[[column]]
        for k, item in enumerate(fitted):
            values = item.fit_transform(values) if k < len(fitted) - 1 else item.fit(values)
    first = items[0]
    # the first estimator may add indicator columns: they follow all the columns it fills
    flagged = [j for j, fitted in enumerate(parts)
               if isinstance(fitted[0], MissingImputer) and fitted[0].indicator_columns_.size]
    layout = [[j] for j in range(len(columns))]
    for rank, j in enumerate(flagged):
        layout[j].append(len(columns) + rank)
    width = len(columns) + len(flagged)
    for k, item in enumerate(items):
        pieces = [fitted[k] for fitted in parts]
        if k == 0:
            _merge(item, pieces, [[j] for j in range(len(columns))], len(columns))
            if isinstance(first, MissingImputer):
                first.indicator_columns_ = np.asarray(flagged, dtype=np.intp) if \
                    first.add_indicator else np.array([], int)
                first.imputer_ = None
                first.n_iter_ = 1
            names = getattr(pieces[0], "feature_names_in_", None)
            if names is not None:
                item.feature_names_in_ = np.asarray(columns, dtype=object)
        else:
            _merge(item, pieces, layout, width)


def _merge(item: Any, pieces: list[Any], layout: list[list[int]], width: int) -> None:
    """Set ``item``'s per-column attributes from ``pieces``: column ``c`` of piece ``j`` goes to
    position ``layout[j][c]``."""
    for name in _PER_COLUMN[type(item)]:
        values: list[Any] = [None] * width
        for piece, positions in zip(pieces, layout, strict=True):
            own = getattr(piece, name)
            for c, position in enumerate(positions):
                values[position] = own[c]
        setattr(item, name, values if isinstance(getattr(pieces[0], name), list)
                else np.asarray(values, dtype=np.asarray(getattr(pieces[0], name)).dtype))
    item.n_features_in_ = width

