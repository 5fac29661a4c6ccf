"""Edge cases found by the robustness sweep over unseen tables (automl_robustness.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.neural_network import MLPRegressor

from jogak.data import ColumnRole, Task, infer_roles
from jogak.models import AutoMLClassifier, AutoMLRegressor, evaluate_model
from jogak.models.automl._budget import Budget
from jogak.models.automl._search import phase_one_order
from jogak.models.automl._trial import quiet_convergence
from jogak.models.catalog import available_specs

FAST = {"n_trials": 2, "include_models": ("linear",), "cv": 3}


def test_budget_scales_an_unseen_family_from_the_slowest_family_per_unit_of_cost() -> None:
    now = [0.0]
    budget = Budget(10.0, clock=lambda: now[0])
    budget.record_fold("linear", 0.002, relative_cost=0.1)
    budget.record_fold("mlp", 4.0, relative_cost=2.0)  # fixed costs dominate on small tables
    now[0] = 7.6
    # a deep family (cost 6) costs at least 6 x 2 s per fold here: it must not start now
    assert budget.fold_estimate("tabular_resnet", 6.0) >= 12.0
    assert not budget.fits("tabular_resnet", 6.0, n_folds=5)
    # a family already seen is estimated from its own folds
    assert budget.fold_estimate("linear", 0.1) == 0.002


def test_classifier_labels_read_as_floats_match_integer_labels(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    X = pd.DataFrame({"a": rng.normal(size=90), "b": rng.integers(0, 5, 90)})
    y = pd.Series(rng.integers(1, 4, 90)).astype("float64")
    y[:4] = np.nan  # a blank in the file: pandas reads the whole-number labels as floats
    model = AutoMLClassifier(**FAST).fit(X, y)
    assert model.classes_.tolist() == [1, 2, 3]
    # another file of the same table without blanks holds integers; one with blanks, floats
    for labels in (y.iloc[4:].astype(int), y.iloc[4:]):
        scores = evaluate_model(model, X.iloc[4:], labels.reset_index(drop=True))
        assert scores["n_rows"] == 86


def test_quiet_convergence_collects_convergence_warnings_and_passes_others_on() -> None:
    X = np.linspace(0, 1, 40).reshape(-1, 1)
    notes: list[str] = []
    with quiet_convergence(notes):  # pytest turns warnings into errors: none may escape
        MLPRegressor(max_iter=1, random_state=0).fit(X, X.ravel() * 1e4)
        MLPRegressor(max_iter=1, random_state=1).fit(X, X.ravel() * 1e4)
    assert len(notes) == 1
    assert notes[0].startswith("Stochastic Optimizer: Maximum iterations")
    with pytest.warns(UserWarning, match="not a convergence"), quiet_convergence():
        warnings.warn("not a convergence warning", UserWarning, stacklevel=1)


def test_numbers_written_as_text_are_numbers_for_features_and_targets(
        global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    X = pd.DataFrame({"price": [f"${v:,.2f}" for v in rng.uniform(10, 5000, 60)],
                      "share": [f"{v:.1f}%" for v in rng.uniform(0, 100, 60)]})
    roles = infer_roles(X)
    assert roles["price"] is ColumnRole.NUMERIC  # was an identifier: every value distinct
    assert roles["share"] is ColumnRole.NUMERIC  # was a 60-level category
    y = pd.Series([f"{v:,}" for v in rng.integers(1000, 10**6, 60)])  # "1,234": regression
    model = AutoMLRegressor(**FAST).fit(X, y)
    scores = evaluate_model(model, X, y)
    assert np.isfinite(scores["metrics"]["rmse"])


def test_budget_starts_only_defaults_of_a_family_without_fold_times_of_its_own() -> None:
    budget = Budget(10.0, clock=lambda: 5.0)
    budget.record_fold("linear", 0.01, relative_cost=0.1)
    assert budget.may_start("hist_gb", 1.0, n_folds=5, is_default=True)
    assert not budget.may_start("hist_gb", 1.0, n_folds=5, is_default=False)
    budget.record_fold("hist_gb", 0.2)
    assert budget.may_start("hist_gb", 1.0, n_folds=5, is_default=False)
    # without a time limit (n_trials) every configuration may start
    assert Budget(None).may_start("hist_gb", 1.0, n_folds=5, is_default=False)


def test_phase_one_runs_boosting_defaults_right_after_the_cheapest_family() -> None:
    specs = available_specs(Task.REGRESSION)
    names = [spec.name for spec in phase_one_order(specs)]
    assert names[0] == min(specs, key=lambda s: (s.relative_cost, s.name)).name
    strong = [name for name in ("lightgbm", "hist_gb") if name in names]  # lightgbm: an extra
    assert names[1:1 + len(strong)] == strong
    assert sorted(names) == sorted(spec.name for spec in specs)
    assert names.index("knn") > names.index("hist_gb")


def test_class_labels_typed_with_stray_blanks_are_one_class(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    X = pd.DataFrame({"a": rng.normal(size=80)})
    y = pd.Series(np.where(X["a"] > 0, "yes", "no"), dtype=object)
    y[:6] = [" yes" if a > 0 else "no " for a in X["a"][:6]]
    model = AutoMLClassifier(**FAST).fit(X, y)
    assert model.classes_.tolist() == ["no", "yes"]
    assert evaluate_model(model, X, y)["metrics"]["roc_auc"] > 0.9
