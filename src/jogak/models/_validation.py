"""Validation schemes: k-fold, stratified, grouped, time-ordered (expanding), repeated, holdout.

A scheme is a frozen description; :func:`make_splits` turns it into concrete index pairs, the same
for every model of a search so that out-of-fold predictions can be ensembled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from sklearn.model_selection import (
    GroupKFold,
    KFold,
    ShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
)

from jogak.data import Task
from jogak.errors import ConfigError

__all__ = ["CVScheme", "Split", "make_splits"]

Split = tuple[np.ndarray, np.ndarray]
SchemeKind = Literal["auto", "kfold", "stratified", "group", "time", "holdout"]
_HOLDOUT_ROWS = 200_000  # above this, one holdout split: k fits of a large table cost too much


@dataclass(frozen=True)
class CVScheme:
    """How a search validates its models.

    Parameters
    ----------
    kind
        ``auto`` picks ``time`` when a time column is given, ``group`` when groups are given,
        ``holdout`` above 200k rows, else ``stratified`` (classification) or ``kfold``.
    n_splits
        Number of folds (time: number of expanding windows). Lowered for tiny data.
    n_repeats
        Repetitions of a (stratified) k-fold with different shuffles.
    holdout_fraction
        Share of rows held out by ``holdout``.
    random_state
        Seed of the shuffles.
    """

    kind: SchemeKind = "auto"
    n_splits: int = 5
    n_repeats: int = 1
    holdout_fraction: float = 0.2
    random_state: int = 0

    def __post_init__(self) -> None:
        if self.kind not in {"auto", "kfold", "stratified", "group", "time", "holdout"}:
            raise ConfigError(f"CV kind must be auto, kfold, stratified, group, time or holdout; "
                              f"got {self.kind!r}.")
        if self.n_splits < 2:
            raise ConfigError(f"n_splits must be at least 2, got {self.n_splits}.")
        if self.n_repeats < 1:
            raise ConfigError(f"n_repeats must be at least 1, got {self.n_repeats}.")
        if not 0.0 < self.holdout_fraction < 1.0:
            raise ConfigError(f"holdout_fraction must be in (0, 1), got {self.holdout_fraction}.")


def _resolve_kind(scheme: CVScheme, task: Task, n_rows: int, has_groups: bool,
                  has_time: bool) -> str:
    if scheme.kind != "auto":
        return scheme.kind
    if has_time:
        return "time"
    if has_groups:
        return "group"
    if n_rows > _HOLDOUT_ROWS:
        return "holdout"
    return "stratified" if task.is_classification else "kfold"


def make_splits(scheme: CVScheme, *, task: Task, y: np.ndarray, groups: np.ndarray | None = None,
                time: np.ndarray | None = None) -> list[Split]:
    """Concrete ``(train_index, test_index)`` pairs for ``scheme`` on this target.

    With too few rows (or too few members of the rarest class) for ``n_splits``, the number of
    folds drops to what the data allows, down to 2. A time scheme sorts by ``time`` and tests on
    each later window with all earlier rows as training (expanding windows).

    Raises
    ------
    ConfigError
        When the data cannot be split at all (fewer than 4 rows, a class with a single member
        for stratification falls back to plain k-fold instead), or groups/time are missing.
    """
    n_rows = len(y)
    if n_rows < 4:
        raise ConfigError(f"Validation needs at least 4 rows, got {n_rows}. "
                          "Hint: add data, or fit a model without a search.")
    kind = _resolve_kind(scheme, task, n_rows, groups is not None, time is not None)
    n_splits = min(scheme.n_splits, n_rows // 2)
    seed = scheme.random_state
    if kind == "time":
        if time is None:
            raise ConfigError("A time-ordered scheme needs a time column. Hint: --time-column COL.")
        return _time_splits(np.asarray(time), n_splits)
    if kind == "group":
        if groups is None:
            raise ConfigError("A grouped scheme needs a group column. Hint: --group-column COL.")
        n_groups = np.unique(groups).size
        if n_groups < 2:
            raise ConfigError(f"Grouped validation needs at least 2 groups, got {n_groups}.")
        splitter = GroupKFold(n_splits=min(n_splits, n_groups))
        return [(tr, te) for tr, te in splitter.split(np.zeros(n_rows), y, groups)]
    if kind == "holdout":
        if task.is_classification and _min_class_count(y) >= 2:
            holdout = StratifiedShuffleSplit(n_splits=1, test_size=scheme.holdout_fraction,
                                             random_state=seed)
        else:
            holdout = ShuffleSplit(n_splits=1, test_size=scheme.holdout_fraction,
                                   random_state=seed)
        return [(tr, te) for tr, te in holdout.split(np.zeros(n_rows), y)]
    splits: list[Split] = []
    for repeat in range(scheme.n_repeats):
        rng_seed = seed + repeat
        min_count = _min_class_count(y) if task.is_classification else 0
        if kind == "stratified" and task.is_classification and min_count >= 2:
            k = min(n_splits, min_count)
            splitter: KFold | StratifiedKFold = StratifiedKFold(
                n_splits=k, shuffle=True, random_state=rng_seed)
        else:
            splitter = KFold(n_splits=n_splits, shuffle=True, random_state=rng_seed)
        splits.extend((tr, te) for tr, te in splitter.split(np.zeros(n_rows), y))
    return splits


def _min_class_count(y: np.ndarray) -> int:
    _, counts = np.unique(y, return_counts=True)
    return int(counts.min())


def _time_splits(time: np.ndarray, n_splits: int) -> list[Split]:
    """Expanding windows over the sorted time: fold i trains on blocks < i and tests on block i."""
    order = np.argsort(time, kind="stable")
    blocks = np.array_split(order, n_splits + 1)
    splits = []
    for i in range(1, n_splits + 1):
        train = np.sort(np.concatenate(blocks[:i]))
        test = np.sort(blocks[i])
        # rows sharing the boundary timestamp would leak across; move ties into the test side
        boundary = time[test].min()
        tied = train[time[train] >= boundary]
        if tied.size:
            train = train[time[train] < boundary]
            test = np.sort(np.concatenate([test, tied]))
        if train.size and test.size:
            splits.append((train, test))
    if not splits:
        raise ConfigError("The time column has too few distinct values to make time-ordered folds.")
    return splits
