"""Checks of one column of a frame, or one value of a record, against its ColumnSchema."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from jogak.data._schema_issues import (
    SchemaIssue,
    UnknownCategories,
    dtype_issue,
    format_issue,
    range_issue,
    unseen_issue,
)
from jogak.data._schema_values import (
    BAD,
    bad_examples,
    check_datetime_format,
    coerce_column,
    coerce_scalar,
    finalize_column,
    is_missing,
    scalar_matches_format,
)

if TYPE_CHECKING:
    from jogak.data._schema import ColumnSchema

__all__ = ["check_column", "check_scalar"]

_SMALL = 64  # up to this many rows, Python set lookups beat pandas' isin


def check_column(column: ColumnSchema, series: pd.Series,
                 unknown_categories: UnknownCategories) -> tuple[pd.Series, list[SchemaIssue]]:
    """``series`` read as the column's training dtype, and what it breaks (the input itself
    when values cannot be read)."""
    issues = []
    values, bad = coerce_column(column, series)
    if bad is not None and bad.any():
        issues.append(dtype_issue(column, int(bad.sum()), bad_examples(series[bad])))
        return series, issues
    if column.datetime_format is not None and column.kind != "datetime":
        bad = check_datetime_format(values, column.datetime_format)
        if bad.any():
            issues.append(format_issue(column, int(bad.sum()), bad_examples(values[bad])))
    if column.category_set is not None:
        unseen = _unseen(values, column)
        if unseen.any():
            issues.append(unseen_issue(column, int(unseen.sum()),
                                        bad_examples(values[unseen]), unknown_categories))
    if column.minimum is not None and column.maximum is not None:
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        outside = int(np.count_nonzero((numbers < column.minimum) | (numbers > column.maximum)))
        if outside:
            issues.append(range_issue(column, outside))
    return finalize_column(column, values), issues


def _unseen(values: pd.Series, column: ColumnSchema) -> np.ndarray:
    if len(values) > _SMALL:
        known = values.isin(column.categories).to_numpy(dtype=bool)
        return np.asarray(values.notna().to_numpy(dtype=bool) & ~known)
    unseen = np.zeros(len(values), dtype=bool)
    for position, value in enumerate(values.tolist()):
        if not is_missing(value):
            try:
                unseen[position] = value not in column.category_set  # type: ignore[operator]
            except TypeError:
                unseen[position] = True
    return unseen


def check_scalar(column: ColumnSchema, raw: Any,
                 unknown_categories: UnknownCategories) -> tuple[Any, list[SchemaIssue]]:
    """One record's value read as the column's dtype, and what it breaks (the same rules as
    :func:`check_column`)."""
    value = coerce_scalar(column, raw)
    if value is BAD:
        return raw, [dtype_issue(column, 1, bad_examples(pd.Series([raw], dtype=object)))]
    if value is None:
        return None, []
    issues = []
    if column.datetime_format is not None and column.kind != "datetime" \
            and not scalar_matches_format(value, column.datetime_format):
        issues.append(format_issue(column, 1, [repr(value)]))
    if column.category_set is not None:
        try:
            known = value in column.category_set
        except TypeError:
            known = False
        if not known:
            issues.append(unseen_issue(column, 1, [repr(value)], unknown_categories))
    if column.minimum is not None and column.maximum is not None \
            and not column.minimum <= value <= column.maximum:
        issues.append(range_issue(column, 1))
    return value, issues
