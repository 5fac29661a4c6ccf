"""Hold out part of the training rows for early stopping, and draw trial ranges from data size."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["EARLY_STOPPING_MIN_ROWS", "holdout_split", "size_cap"]

# Below this many training rows a 10 % holdout is too small and too noisy to stop on; the
# defaults then use a fixed number of rounds instead.
EARLY_STOPPING_MIN_ROWS = 500


def holdout_split(y: np.ndarray, fraction: float, *, stratify: bool,
                  random_state: int | None) -> tuple[np.ndarray, np.ndarray]:
    """Indices ``(train, validation)``: ``fraction`` of the rows held out, per class if stratified.

    Every class keeps at least one training row (a class with one row is never held out), so a
    model fitted on ``train`` knows every class. ``validation`` is empty when ``fraction`` of the
    data rounds down to no row.
    """
    rng = np.random.default_rng(random_state)
    n_rows = len(y)
    if stratify:
        groups = [np.flatnonzero(y == label) for label in np.unique(y)]
    else:
        groups = [np.arange(n_rows)]
    validation: list[np.ndarray] = []
    for members in groups:
        n_held = min(int(math.floor(fraction * len(members))), len(members) - 1)
        if n_held > 0:
            validation.append(rng.permutation(members)[:n_held])
    held = np.sort(np.concatenate(validation)) if validation else np.empty(0, dtype=np.intp)
    mask = np.ones(n_rows, dtype=bool)
    mask[held] = False
    return np.flatnonzero(mask), held


def size_cap(n_rows: int, divisor: int, *, low: int, high: int) -> int:
    """``n_rows // divisor`` clipped to ``[low, high]``: the upper end of a size-aware range."""
    return int(min(high, max(low, n_rows // divisor)))
