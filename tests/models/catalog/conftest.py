"""Tiny synthetic problems for the model catalog tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from jogak.data import Task
from jogak.models.catalog import BuildContext, ModelSpec

N_FEATURES = 5


@dataclass(frozen=True)
class Problem:
    """A preprocessed matrix, its target and the context a spec is built with."""

    X: np.ndarray
    y: np.ndarray
    context: BuildContext


def make_problem(spec: ModelSpec, task: Task, *, n_rows: int = 80, seed: int = 0) -> Problem:
    """Numeric features with a nonlinear signal; column 0 holds category codes for NATIVE specs."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, N_FEATURES))
    native = spec.style.value == "native"
    if native:
        X[:, 0] = rng.integers(0, 4, n_rows)
    score = 1.5 * X[:, 1] + np.sin(2.0 * X[:, 2]) + 0.5 * X[:, 0] + rng.normal(0, 0.3, n_rows)
    if task is Task.REGRESSION:
        y = score
        n_classes = 0
    elif task is Task.BINARY:
        y = (score > np.median(score)).astype(np.int64)
        n_classes = 2
    else:
        y = np.digitize(score, np.quantile(score, [1 / 3, 2 / 3])).astype(np.int64)
        n_classes = 3
    context = BuildContext(task=task, n_rows=n_rows, n_features=N_FEATURES, n_classes=n_classes,
                           categorical_indices=[0] if native else [], random_state=seed,
                           n_jobs=1)
    return Problem(X=X, y=y, context=context)


@pytest.fixture
def problem_factory() -> Callable[..., Problem]:
    """``problem_factory(spec, task, n_rows=80, seed=0) -> Problem``."""
    return make_problem


@pytest.fixture(autouse=True)
def _one_native_thread() -> Iterator[None]:
    """BLAS and OpenMP on one thread: the test machine is shared, and oversubscribed
    thread pools make small fits many times slower without changing their results."""
    with threadpool_limits(limits=1):
        yield
