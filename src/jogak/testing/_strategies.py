"""Hypothesis strategies for data frames, for property tests of transformers and models."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import strategies as st

__all__ = ["mixed_frames", "numeric_frames"]

_LEVELS = ("red", "green", "blue", "black", "서울", "부산", "n/a", "")


def _check_bounds(low: int, high: int, name: str) -> None:
    if not 0 <= low <= high:
        raise ValueError(f"need 0 <= min_{name} <= max_{name}, got {low} and {high}")


def _numeric_column(n_rows: int, *, allow_nan: bool, max_abs: float) -> st.SearchStrategy:
    value = st.floats(min_value=-max_abs, max_value=max_abs, allow_nan=False,
                      allow_infinity=False, allow_subnormal=False)
    if allow_nan:
        value = st.one_of(value, st.just(np.nan))
    return st.lists(value, min_size=n_rows, max_size=n_rows)


@st.composite
def numeric_frames(draw: st.DrawFn, min_rows: int = 1, max_rows: int = 50, min_columns: int = 1,
                   max_columns: int = 5, allow_nan: bool = True,
                   max_abs: float = 1e6) -> pd.DataFrame:
    """Frames of float64 columns ``x0, x1, ...`` with values in ``[-max_abs, max_abs]``.

    With ``allow_nan`` any cell may be NaN (whole columns included). No infinities.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(numeric_frames(min_rows=3, allow_nan=False))
    ... def test_no_nan(frame):
    ...     assert not frame.isna().any().any()
    >>> test_no_nan()
    """
    _check_bounds(min_rows, max_rows, "rows")
    _check_bounds(min_columns, max_columns, "columns")
    n_rows = draw(st.integers(min_rows, max_rows))
    n_columns = draw(st.integers(min_columns, max_columns))
    data = {f"x{j}": draw(_numeric_column(n_rows, allow_nan=allow_nan, max_abs=max_abs))
            for j in range(n_columns)}
    return pd.DataFrame(data, index=pd.RangeIndex(n_rows), dtype=np.float64)


@st.composite
def mixed_frames(draw: st.DrawFn, min_rows: int = 1, max_rows: int = 50, min_numeric: int = 1,
                 max_numeric: int = 3, min_categorical: int = 1, max_categorical: int = 3,
                 allow_nan: bool = True, max_abs: float = 1e6,
                 levels: tuple[str, ...] = _LEVELS) -> pd.DataFrame:
    """Frames with numeric columns ``x0, ...`` and string columns ``c0, ...``.

    String cells come from ``levels`` (Korean and the empty string included); with
    ``allow_nan`` numeric cells may be NaN and string cells None.

    Examples
    --------
    >>> from hypothesis import given
    >>> @given(mixed_frames(min_categorical=2, max_categorical=2))
    ... def test_columns(frame):
    ...     assert [c for c in frame.columns if c.startswith("c")] == ["c0", "c1"]
    >>> test_columns()
    """
    _check_bounds(min_rows, max_rows, "rows")
    _check_bounds(min_numeric, max_numeric, "numeric")
    _check_bounds(min_categorical, max_categorical, "categorical")
    if not levels:
        raise ValueError("levels must hold at least one string")
    n_rows = draw(st.integers(min_rows, max_rows))
    n_numeric = draw(st.integers(min_numeric, max_numeric))
    n_categorical = draw(st.integers(min_categorical, max_categorical))
    frame = pd.DataFrame(index=pd.RangeIndex(n_rows))
    for j in range(n_numeric):
        column = draw(_numeric_column(n_rows, allow_nan=allow_nan, max_abs=max_abs))
        frame[f"x{j}"] = np.asarray(column, dtype=np.float64)
    level = st.sampled_from(levels)
    cell = st.one_of(level, st.none()) if allow_nan else level
    for j in range(n_categorical):
        values = draw(st.lists(cell, min_size=n_rows, max_size=n_rows))
        frame[f"c{j}"] = pd.Series(values, index=frame.index, dtype=object)
    return frame
