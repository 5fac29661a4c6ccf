"""Levels of a categorical column learned in fit: frequency order, rare grouping, fast lookup."""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from jogak.errors import ConfigError, SchemaError
from jogak.pipeline._validation import missing_mask

__all__ = ["RARE_LEVEL", "UNKNOWN_LEVEL", "Levels", "check_level_params", "learn_levels"]

UNKNOWN_LEVEL = "__unknown__"
"""The level that missing values and values unseen in ``fit`` map to."""

RARE_LEVEL = "__rare__"
"""The level that groups levels rarer than the encoder's thresholds."""


@dataclass(frozen=True, eq=False)
class Levels:
    """The levels of one column: ``kept`` (most frequent first) and ``rare`` ones grouped.

    ``codes`` maps values to ``0..len(kept)-1`` for kept levels, ``len(kept)`` for rare ones
    (when there are any) and -1 for missing or unseen values.
    """

    column: str
    kept: pd.Index
    counts: np.ndarray
    rare: pd.Index
    rare_count: int
    n_missing: int
    n_rows: int
    lookup: pd.Index

    @property
    def n_codes(self) -> int:
        return len(self.kept) + (1 if len(self.rare) else 0)

    @property
    def labels(self) -> list[str]:
        """One readable label per code."""
        names = [str(level) for level in self.kept]
        return names + [RARE_LEVEL] if len(self.rare) else names

    @property
    def code_counts(self) -> np.ndarray:
        """Training rows per code."""
        return np.append(self.counts, self.rare_count) if len(self.rare) else self.counts

    def codes(self, values: np.ndarray) -> np.ndarray:
        try:
            position = self.lookup.get_indexer(values)
        except TypeError as exc:
            raise _unhashable(self.column, values, exc) from exc
        n_kept = len(self.kept)
        if len(self.rare):
            position = np.where(position >= n_kept, n_kept, position)
        return position


def _unhashable(column: str, values: np.ndarray, exc: TypeError) -> SchemaError:
    kinds = sorted({type(value).__name__ for value in values})
    return SchemaError(
        f"Column {column!r} holds values that cannot be categories (types {kinds}): {exc}. "
        "Hint: convert the column to strings or numbers first."
    )


def check_level_params(owner: BaseEstimator, *, min_count: object, min_share: object,
                       max_levels: object) -> None:
    """Validate the rare-grouping parameters shared by the encoders."""
    name = type(owner).__name__
    if not isinstance(min_count, Integral) or min_count < 1:
        raise ConfigError(
            f"The 'min_count' parameter of {name} must be an int >= 1. Got {min_count!r} "
            "instead. Hint: 1 keeps every level."
        )
    if not isinstance(min_share, Real) or not 0.0 <= float(min_share) < 1.0:
        raise ConfigError(
            f"The 'min_share' parameter of {name} must be in [0, 1). Got {min_share!r} "
            "instead. Hint: 0.01 groups levels seen in under 1% of the rows."
        )
    if max_levels is not None and (not isinstance(max_levels, Integral) or max_levels < 1):
        raise ConfigError(
            f"The 'max_levels' parameter of {name} must be None or an int >= 1. Got "
            f"{max_levels!r} instead. Hint: None keeps every level."
        )


def learn_levels(values: np.ndarray, *, column: str, min_count: int = 1, min_share: float = 0.0,
                 max_levels: int | None = None) -> Levels:
    """Count the levels of ``values``; group those under the thresholds, and beyond
    ``max_levels`` codes (the rare group counts as one), into the rare group."""
    missing = missing_mask(values)
    present = values[~missing]
    try:
        counted = pd.Series(present, dtype=object).value_counts(sort=False)
        for level in counted.index:  # value_counts accepts dicts; the lookup would not
            hash(level)
    except TypeError as exc:
        raise _unhashable(column, present, exc) from exc
    order = sorted(zip(counted.index, counted.to_numpy(), strict=True),
                   key=lambda item: (-int(item[1]), str(item[0])))
    n_rows = int(values.shape[0])
    threshold = max(float(min_count), min_share * n_rows)
    kept = [(level, int(count)) for level, count in order if count >= threshold]
    rare = [(level, int(count)) for level, count in order if count < threshold]
    if max_levels is not None:
        limit = max_levels - 1 if rare or len(kept) > max_levels else max_levels
        rare = kept[limit:] + rare
        kept = kept[:limit]
    kept_index = pd.Index([level for level, _ in kept], dtype=object)
    rare_index = pd.Index([level for level, _ in rare], dtype=object)
    return Levels(
        column=column,
        kept=kept_index,
        counts=np.array([count for _, count in kept], dtype=np.int64),
        rare=rare_index,
        rare_count=sum(count for _, count in rare),
        n_missing=int(missing.sum()),
        n_rows=n_rows,
        lookup=kept_index.append(rare_index),
    )
