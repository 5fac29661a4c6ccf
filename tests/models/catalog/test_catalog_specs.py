"""Every model family builds, fits and predicts with defaults, portfolio and searched parameters."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import optuna
import pytest
from sklearn.base import clone, is_classifier, is_regressor

from jogak.data import Task
from jogak.errors import ConfigError
from jogak.models.catalog import CATALOG, BuildContext, ModelSpec
from jogak.models.catalog._linear import SAGA_EPOCHS, SPARSE_ALPHA_FLOOR

SLOW_FAMILIES = {"tabular_mlp", "tabular_resnet", "catboost", "mlp"}
# Small networks on 80 rows may stop before converging; that is not what these tests check.
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")


def _cases() -> list[Any]:
    cases = []
    for spec in CATALOG.values():
        for task in sorted(spec.tasks, key=lambda t: t.value):
            marks = [pytest.mark.slow] if spec.name in SLOW_FAMILIES else []
            cases.append(pytest.param(spec, task, id=f"{spec.name}-{task.value}", marks=marks))
    return cases


def _trial_params(spec: ModelSpec, context: BuildContext, n_trials: int) -> list[dict[str, Any]]:
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    drawn: list[dict[str, Any]] = []
    for _ in range(n_trials):
        trial = study.ask()
        drawn.append(spec.suggest(trial, context))
        study.tell(trial, 0.0)
    return drawn


def _check_predictions(model: Any, X: np.ndarray, task: Task, n_classes: int) -> None:
    prediction = model.predict(X)
    assert prediction.shape == (X.shape[0],)
    if task.is_classification:
        assert is_classifier(model)
        proba = model.predict_proba(X)
        assert proba.shape == (X.shape[0], n_classes)
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
        assert np.all((proba >= 0) & (proba <= 1))
        assert set(np.unique(prediction)) <= set(range(n_classes))
    else:
        assert is_regressor(model)
        assert np.all(np.isfinite(prediction))


@pytest.mark.parametrize(("spec", "task"), _cases())
def test_spec_fits_defaults_portfolio_and_suggestions(spec: ModelSpec, task: Task,
                                                      problem_factory: Any) -> None:
    problem = problem_factory(spec, task)
    context = problem.context
    configs = spec.portfolio(context) + _trial_params(spec, context, n_trials=3)
    assert configs[0] == spec.defaults(context)
    assert 3 <= len(spec.portfolio(context)) <= 6
    for params in configs:
        model = spec.build(params, context)
        assert clone(model).get_params().keys() == model.get_params().keys()
        model.fit(problem.X, problem.y)
        _check_predictions(model, problem.X, task, context.n_classes)


@pytest.mark.parametrize(("spec", "task"), _cases())
def test_spec_same_params_and_seed_give_identical_predictions(spec: ModelSpec, task: Task,
                                                              problem_factory: Any) -> None:
    problem = problem_factory(spec, task, seed=3)
    params = spec.portfolio(problem.context)[1]
    first = spec.build(params, problem.context).fit(problem.X, problem.y)
    second = spec.build(params, problem.context).fit(problem.X, problem.y)
    method = "predict_proba" if task.is_classification else "predict"
    np.testing.assert_array_equal(getattr(first, method)(problem.X),
                                  getattr(second, method)(problem.X))


@pytest.mark.parametrize("spec", list(CATALOG.values()), ids=list(CATALOG))
def test_spec_suggestions_equal_trial_params_and_known_keys(spec: ModelSpec) -> None:
    context = BuildContext(task=Task.BINARY, n_rows=500, n_features=6)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    for _ in range(5):
        trial = study.ask()
        params = spec.suggest(trial, context)
        assert params == spec.params_from_trial(trial.params)
        assert all(name.startswith(f"{spec.name}.") for name in trial.params)
        assert set(params) <= set(spec.defaults(context))
        study.tell(trial, 0.0)
    fixed = optuna.trial.FixedTrial(study.trials[0].params)
    assert spec.suggest(fixed, context) == spec.params_from_trial(study.trials[0].params)


def _upper_bounds(spec: ModelSpec, n_rows: int) -> dict[str, float]:
    context = BuildContext(task=Task.BINARY, n_rows=n_rows, n_features=20)
    trial = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0)).ask()
    spec.suggest(trial, context)
    return {name: getattr(dist, "high", 0.0) for name, dist in trial.distributions.items()}


@pytest.mark.parametrize("spec", [s for s in CATALOG.values() if s.name != "linear"],
                         ids=[name for name in CATALOG if name != "linear"])
def test_spec_search_space_grows_with_rows(spec: ModelSpec) -> None:
    small, large = _upper_bounds(spec, 100), _upper_bounds(spec, 100_000)
    shared = set(small) & set(large)
    assert all(small[name] <= large[name] for name in shared)
    assert any(small[name] < large[name] for name in shared), (small, large)


def test_lightgbm_search_space_caps_leaves_by_rows() -> None:
    small, large = _upper_bounds(CATALOG["lightgbm"], 100), _upper_bounds(CATALOG["lightgbm"],
                                                                          100_000)
    assert small["lightgbm.num_leaves"] == 8
    assert large["lightgbm.num_leaves"] == 512
    assert small["lightgbm.min_child_samples"] < large["lightgbm.min_child_samples"]


def test_knn_neighbours_capped_by_sqrt_rows() -> None:
    assert _upper_bounds(CATALOG["knn"], 100)["knn.n_neighbors"] == 10
    assert _upper_bounds(CATALOG["knn"], 2_500)["knn.n_neighbors"] == 50
    model = CATALOG["knn"].build({"n_neighbors": 50},
                                 BuildContext(task=Task.BINARY, n_rows=12, n_features=2))
    assert model.n_neighbors == 12


@pytest.mark.parametrize("name", ["lightgbm", "xgboost", "catboost", "hist_gb"])
def test_boosting_defaults_stop_early_only_on_large_data(name: str) -> None:
    spec = CATALOG[name]
    small = spec.defaults(BuildContext(task=Task.BINARY, n_rows=200, n_features=5))
    large = spec.defaults(BuildContext(task=Task.BINARY, n_rows=50_000, n_features=5))
    assert small["early_stopping_rounds"] is None
    assert large["early_stopping_rounds"] >= 10


def test_spec_build_rejects_unknown_parameter_with_close_match() -> None:
    context = BuildContext(task=Task.REGRESSION, n_rows=50, n_features=3)
    with pytest.raises(ConfigError, match=r"unknown parameter\(s\) \['num_leave'\].*did you mean "
                                          r"'num_leaves'"):
        CATALOG["lightgbm"].build({"num_leave": 8}, context)


def test_spec_build_applies_overrides_over_defaults() -> None:
    context = BuildContext(task=Task.BINARY, n_rows=50, n_features=3, random_state=7, n_jobs=1)
    model = CATALOG["random_forest"].build({"n_estimators": 11}, context)
    assert (model.n_estimators, model.random_state, model.n_jobs) == (11, 7, 1)


def test_linear_penalty_selects_estimator_and_solver() -> None:
    spec = CATALOG["linear"]
    regression = BuildContext(task=Task.REGRESSION, n_rows=100, n_features=3)
    names = [type(spec.build({"penalty": p}, regression)).__name__
             for p in ("l2", "l1", "elasticnet")]
    assert names == ["Ridge", "Lasso", "ElasticNet"]
    assert spec.build({"penalty": "l2", "alpha": 0.01}, regression).alpha == pytest.approx(1.0)
    binary = BuildContext(task=Task.BINARY, n_rows=100, n_features=3)
    l1 = spec.build({"penalty": "l1", "alpha": 0.01}, binary)
    l2 = spec.build({"penalty": "l2", "alpha": 0.01}, binary)
    assert (l1.solver, l1.l1_ratio, l1.C) == ("saga", 1.0, pytest.approx(1.0))
    assert l2.solver == "lbfgs"
    # saga counts epochs: capped, while lbfgs keeps the family's max_iter
    assert (l1.max_iter, l2.max_iter) == (SAGA_EPOCHS, 2000)
    assert spec.build({"penalty": "l1", "alpha": 0.01, "max_iter": 50}, binary).max_iter == 50
    with pytest.raises(ValueError, match="penalty must be one of"):
        spec.build({"penalty": "l3"}, binary)


def test_sparse_penalties_are_built_no_weaker_than_the_floor() -> None:
    spec = CATALOG["linear"]
    binary = BuildContext(task=Task.BINARY, n_rows=100, n_features=3)
    regression = BuildContext(task=Task.REGRESSION, n_rows=100, n_features=3)
    tiny = {"alpha": 2e-6, "l1_ratio": 0.4}
    # a vanishing L1 penalty: the floor's strength (saga then ends in seconds, not minutes)
    for penalty in ("l1", "elasticnet"):
        logistic = spec.build({**tiny, "penalty": penalty}, binary)
        assert math.isclose(logistic.C, 1.0 / (SPARSE_ALPHA_FLOOR * 100))
        assert spec.build({**tiny, "penalty": penalty}, regression).alpha == SPARSE_ALPHA_FLOOR
    # above the floor, and for L2 at any strength, alpha is kept
    assert spec.build({"penalty": "l1", "alpha": 0.05}, regression).alpha == 0.05
    assert math.isclose(spec.build({"penalty": "l2", "alpha": 2e-6}, binary).C,
                        1.0 / (2e-6 * 100))


def test_spec_flags_match_their_style() -> None:
    for spec in CATALOG.values():
        style = spec.style.value
        expected = {"native": "native", "tree": "ordinal", "scaled": "one_hot"}[style]
        assert spec.native_categorical == expected, spec.name
        assert not (style != "scaled" and spec.handles_sparse), spec.name
    assert not CATALOG["knn"].supports_sample_weight
    costs = [spec.relative_cost for spec in CATALOG.values()]
    assert min(costs) == CATALOG["linear"].relative_cost
