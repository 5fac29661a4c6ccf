"""Monotone constraints: the boosting families honour them, the others refuse them."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from jogak.data import Task
from jogak.errors import ConfigError
from jogak.models.catalog import CATALOG, BuildContext

MONOTONE_FAMILIES = sorted(name for name, spec in CATALOG.items() if spec.supports_monotone)


def _wiggly_problem(task: Task, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Column 0 holds category codes; columns 1 and 2 act on the target in a U and a wave."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(400, 4))
    X[:, 0] = rng.integers(0, 3, 400)
    score = X[:, 1] ** 2 + np.sin(3 * X[:, 2]) + 0.3 * X[:, 0] + rng.normal(0, 0.2, 400)
    y = score if task is Task.REGRESSION else (score > np.median(score)).astype(np.int64)
    return X, y


def _along(model: object, X: np.ndarray, column: int, task: Task) -> np.ndarray:
    """Predictions for each of 10 rows while ``column`` sweeps its range (shape (10, 50))."""
    grid = np.linspace(X[:, column].min(), X[:, column].max(), 50)
    rows = np.repeat(X[:10], grid.size, axis=0)
    rows[:, column] = np.tile(grid, 10)
    if task is Task.REGRESSION:
        out = model.predict(rows)  # type: ignore[attr-defined]
    else:
        out = model.predict_proba(rows)[:, 1]  # type: ignore[attr-defined]
    return np.asarray(out).reshape(10, grid.size)


def test_monotone_families_are_the_boosting_ones() -> None:
    assert MONOTONE_FAMILIES == ["hist_gb", "lightgbm", "xgboost"]


@pytest.mark.parametrize("name", MONOTONE_FAMILIES)
@pytest.mark.parametrize("task", [Task.BINARY, Task.REGRESSION], ids=["binary", "regression"])
def test_monotone_family_prediction_moves_one_way_along_constrained_columns(
        name: str, task: Task) -> None:
    spec = CATALOG[name]
    if not spec.is_available():
        pytest.skip(f"{name} is not installed")
    X, y = _wiggly_problem(task)
    context = BuildContext(task=task, n_rows=len(y), n_features=4, categorical_indices=[0],
                           random_state=0, n_jobs=1, monotone=(0, 1, -1, 0))
    model = spec.build({}, context).fit(X, y)
    rising, falling = _along(model, X, 1, task), _along(model, X, 2, task)
    assert np.all(np.diff(rising, axis=1) >= -1e-9)
    assert np.all(np.diff(falling, axis=1) <= 1e-9)
    # without constraints the same family follows the U shape of column 1 (falls, then rises)
    free = spec.build({}, replace(context, monotone=())).fit(X, y)
    assert np.any(np.diff(_along(free, X, 1, task), axis=1) < -1e-6)


@pytest.mark.parametrize("name", ["random_forest", "linear", "catboost"])
def test_family_without_monotone_support_refuses_constraints(name: str) -> None:
    spec = CATALOG[name]
    context = BuildContext(task=Task.BINARY, n_rows=100, n_features=3, monotone=(1, 0, 0))
    with pytest.raises(ConfigError, match="cannot honour monotone constraints"):
        spec.build({}, context)


@pytest.mark.parametrize(("monotone", "match"), [
    ((1, 0), "one of -1, 0, 1 per preprocessed column"),
    ((2, 0, 0), "one of -1, 0, 1 per preprocessed column"),
    ((0, 1, 0), "constrains a categorical column"),
], ids=["wrong_length", "wrong_value", "categorical"])
def test_build_context_rejects_invalid_monotone(monotone: tuple[int, ...], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        BuildContext(task=Task.BINARY, n_rows=100, n_features=3, categorical_indices=[1],
                     monotone=monotone)


def test_build_context_without_constraints_is_not_monotone() -> None:
    context = BuildContext(task=Task.BINARY, n_rows=100, n_features=3, monotone=(0, 0, 0))
    assert context.monotone == (0, 0, 0)
    assert not context.is_monotone
    assert not BuildContext(task=Task.BINARY, n_rows=100, n_features=3).is_monotone
