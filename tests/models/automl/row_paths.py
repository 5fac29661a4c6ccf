"""Helpers shared by the compiled row-path tests."""

from __future__ import annotations

import io
from typing import Any

import joblib
import numpy as np


def round_trip(row_path: Any) -> Any:
    """``row_path`` pickled and read back in memory, as a saved bundle stores it."""
    buffer = io.BytesIO()
    joblib.dump(row_path, buffer)
    buffer.seek(0)
    return joblib.load(buffer)  # noqa: TID251 - our own object, round trip in memory


def coded_table(seed: int, n: int = 1500, *,
                zero_share: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """A booster's training table: a 12-level and a 3-level code column (positions 0 and 3),
    missing values in a number and in a code, and a target signal from all of them. With
    ``zero_share``, that share of column 4 is set to exact zeros (for ``zero_as_missing``)."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.integers(0, 12, n), rng.normal(size=n), rng.normal(size=n),
                         rng.integers(0, 3, n), rng.exponential(size=n)]).astype(np.float64)
    X[rng.random(n) < 0.1, 1] = np.nan
    X[rng.random(n) < 0.05, 0] = np.nan  # a missing category
    signal = X[:, 2] + (X[:, 0] % 3 == 0) - np.nan_to_num(X[:, 1]) + X[:, 3]
    if zero_share:
        X[rng.random(n) < zero_share, 4] = 0.0
        signal = signal - X[:, 4]
    return X, signal + rng.normal(scale=0.5, size=n)
