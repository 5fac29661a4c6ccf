from __future__ import annotations

import numpy as np
import pytest

from jogak.data import Task
from jogak.errors import ConfigError
from jogak.models._validation import CVScheme, make_splits


def _covers_once(splits: list[tuple[np.ndarray, np.ndarray]], n: int) -> bool:
    tests = np.concatenate([te for _, te in splits])
    return np.array_equal(np.sort(tests), np.arange(n))


def test_stratified_splits_keep_class_shares_and_cover_every_row() -> None:
    y = np.array([0] * 80 + [1] * 20)
    splits = make_splits(CVScheme(n_splits=5), task=Task.BINARY, y=y)
    assert len(splits) == 5
    assert _covers_once(splits, 100)
    assert all(y[te].sum() == 4 for _, te in splits)
    assert all(np.intersect1d(tr, te).size == 0 for tr, te in splits)


def test_rare_class_lowers_the_number_of_folds() -> None:
    y = np.array([0] * 18 + [1] * 3)
    splits = make_splits(CVScheme(n_splits=5), task=Task.BINARY, y=y)
    assert len(splits) == 3


def test_time_splits_train_strictly_before_test() -> None:
    rng = np.random.default_rng(0)
    time = rng.integers(0, 50, 300)
    splits = make_splits(CVScheme(n_splits=4), task=Task.REGRESSION, y=rng.random(300), time=time)
    assert len(splits) == 4
    for train, test in splits:
        assert time[train].max() < time[test].min()
    sizes = [len(tr) for tr, _ in splits]
    assert sizes == sorted(sizes)  # expanding windows


def test_group_splits_never_share_a_group() -> None:
    groups = np.repeat(np.arange(10), 5)
    splits = make_splits(CVScheme(n_splits=5), task=Task.REGRESSION, y=np.arange(50.0),
                         groups=groups)
    for train, test in splits:
        assert not set(groups[train]) & set(groups[test])


def test_repeats_multiply_folds_with_different_shuffles() -> None:
    y = np.arange(40.0)
    splits = make_splits(CVScheme(n_splits=4, n_repeats=3), task=Task.REGRESSION, y=y)
    assert len(splits) == 12
    assert not np.array_equal(splits[0][1], splits[4][1])


def test_holdout_kind_makes_one_split() -> None:
    y = np.arange(100.0)
    splits = make_splits(CVScheme(kind="holdout", holdout_fraction=0.25), task=Task.REGRESSION, y=y)
    assert len(splits) == 1
    assert len(splits[0][1]) == 25


def test_too_few_rows_and_bad_settings_are_refused() -> None:
    with pytest.raises(ConfigError, match="at least 4 rows, got 3"):
        make_splits(CVScheme(), task=Task.REGRESSION, y=np.arange(3.0))
    with pytest.raises(ConfigError, match="n_splits must be at least 2"):
        CVScheme(n_splits=1)
    with pytest.raises(ConfigError, match="needs a group column"):
        make_splits(CVScheme(kind="group"), task=Task.REGRESSION, y=np.arange(10.0))
