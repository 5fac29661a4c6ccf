"""Edge cases found by the robustness sweep over unseen tables (automl_robustness.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jogak.models import AutoMLClassifier, evaluate_model
from jogak.models.automl._budget import Budget

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
