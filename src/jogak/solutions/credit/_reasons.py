"""Reason codes: the factors that pushed a decision most towards 'bad'."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError

__all__ = ["join_reasons", "top_reasons"]


def top_reasons(adverse: np.ndarray, features: Sequence[str], *, n_reasons: int,
                index: Any = None) -> pd.DataFrame:
    """The ``n_reasons`` features with the largest positive adverse amount of each row.

    Parameters
    ----------
    adverse : ndarray of shape (n_rows, n_features)
        How much each feature pushed each row towards bad (points lost, or SHAP log-odds).
    features : sequence of str
        Column names of ``adverse``.
    n_reasons : int
        Reasons per row (fewer when fewer features are adverse).

    Returns
    -------
    pandas.DataFrame
        ``reason_1..reason_n`` (feature or None) and ``adverse_1..adverse_n`` (amount or NaN),
        most adverse first; ties keep the order of ``features``.

    Examples
    --------
    >>> top_reasons(np.array([[0.0, 5.0, 2.0]]), ["a", "b", "c"], n_reasons=2)
      reason_1 reason_2  adverse_1  adverse_2
    0        b        c        5.0        2.0
    """
    if not isinstance(n_reasons, Integral) or n_reasons < 1:
        raise ConfigError(f"n_reasons must be an int >= 1, got {n_reasons!r}.")
    values = np.asarray(adverse, dtype=np.float64)
    names = np.asarray(list(features), dtype=object)
    k = min(int(n_reasons), values.shape[1])
    order = np.argsort(-values, axis=1, kind="stable")[:, :k]
    picked = np.take_along_axis(values, order, axis=1)
    positive = picked > 1e-9
    reasons = np.where(positive, names[order], None)
    amounts = np.where(positive, picked, np.nan)
    data: dict[str, Any] = {}
    for j in range(int(n_reasons)):
        data[f"reason_{j + 1}"] = reasons[:, j] if j < k else [None] * len(values)
    for j in range(int(n_reasons)):
        data[f"adverse_{j + 1}"] = amounts[:, j] if j < k else np.full(len(values), np.nan)
    return pd.DataFrame(data, index=index)


def join_reasons(reasons: pd.DataFrame, *, separator: str = "; ") -> pd.Series:
    """The ``reason_*`` columns of :func:`top_reasons` as one text per row."""
    columns = [c for c in reasons.columns if c.startswith("reason_")]
    return reasons[columns].apply(
        lambda row: separator.join(str(v) for v in row if v is not None and v == v), axis=1
    ).astype("object")
