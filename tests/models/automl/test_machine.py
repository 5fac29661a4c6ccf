"""The machine slowdown that scales the serving limits of a timed search."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from jogak.models import AutoMLClassifier
from jogak.models.automl import _estimator, _machine
from jogak.models.automl._machine import SLOWDOWN_RANGE, machine_slowdown, row_workload_seconds
from jogak.models.automl._serving_cost import InferLimit, member_cost, predictor_cost
from jogak.testing import make_classification_frame


def _frame(n_rows: int, seed: int):
    frame = make_classification_frame(n_rows, seed=seed)
    return frame.drop(columns="target"), frame["target"]


def _numeric(n_rows: int, seed: int) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n_rows, 6)), columns=[f"x{i}" for i in range(6)])
    return X, pd.Series((X["x0"] + rng.normal(size=n_rows) > 0).astype(int))


def test_the_workload_takes_a_positive_finite_time_and_the_slowdown_stays_in_range() -> None:
    seconds = row_workload_seconds(n_samples=3)
    assert 0.0 < seconds < 1.0
    assert SLOWDOWN_RANGE[0] <= machine_slowdown(n_samples=3) <= SLOWDOWN_RANGE[1]


@pytest.mark.parametrize(("measured", "expected"), [
    (_machine.REFERENCE_SECONDS * 2.5, 2.5),
    (_machine.REFERENCE_SECONDS * 100, SLOWDOWN_RANGE[1]),  # a far slower reading is load
    (_machine.REFERENCE_SECONDS / 100, SLOWDOWN_RANGE[0]),
])
def test_the_slowdown_is_the_ratio_to_the_reference_clipped(monkeypatch, measured: float,
                                                             expected: float) -> None:
    monkeypatch.setattr(_machine, "row_workload_seconds", lambda n_samples=15: measured)
    assert machine_slowdown() == pytest.approx(expected)


def test_a_search_with_n_trials_does_not_read_the_clock(monkeypatch) -> None:
    def clock(n_samples: int = 15) -> float:
        raise AssertionError("n_trials must not measure the machine")

    monkeypatch.setattr(_estimator, "machine_slowdown", clock)
    X, y = _frame(200, 0)
    model = AutoMLClassifier(n_trials=2, cv=3, include_models=("linear",)).fit(X, y)
    assert model.machine_slowdown_ == 1.0
    assert model.serving_cost_ == predictor_cost(model.ensemble_, len(model.roles_.features))


def test_a_slow_machine_tightens_the_limits_and_reports_costs_on_this_machine(
        monkeypatch) -> None:
    # on a machine 6x slower, a 1 ms row limit leaves ~0.17 ms of calibrated cost: forests
    # and kNN cannot meet it, and what is served must
    monkeypatch.setattr(_estimator, "machine_slowdown", lambda: 6.0)
    X, y = _numeric(300, 1)
    model = AutoMLClassifier(time_budget=8, cv=3, random_state=0,
                             include_models=("linear", "knn", "random_forest")).fit(X, y)
    assert model.machine_slowdown_ == 6.0
    assert model.infer_limit_relaxed_ == 1.0
    assert {"knn", "random_forest"} <= set(model.infer_limit_excluded_)
    calibrated = predictor_cost(model.ensemble_, len(model.roles_.features))
    assert model.serving_cost_.row_seconds == pytest.approx(6.0 * calibrated.row_seconds)
    assert model.serving_cost_.batch_seconds_per_row == pytest.approx(
        6.0 * calibrated.batch_seconds_per_row)
    assert InferLimit(5e-5, 1e-3).admits(model.serving_cost_)
    for member in model.ensemble_.members:
        assert member_cost(member.family, member.learners).row_seconds * 6.0 <= 1e-3


def test_a_fast_machine_loosens_the_limits(monkeypatch) -> None:
    monkeypatch.setattr(_estimator, "machine_slowdown", lambda: 0.5)
    X, y = _frame(200, 2)
    model = AutoMLClassifier(time_budget=5, cv=3, include_models=("linear",)).fit(X, y)
    assert model._infer_limit() == InferLimit(1e-4, 2e-3)
    assert math.isfinite(model.serving_cost_.row_seconds)
    assert np.isfinite(model.predict_proba(X)).all()
