"""permutation_importance(): informative columns matter, noise does not, folds give a spread."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.explain import permutation_importance
from jogak.models import AutoMLClassifier, AutoMLRegressor


def test_permutation_importance_ranks_signal_over_noise(regression_lightgbm: AutoMLRegressor,
                                                        regression_frame: pd.DataFrame) -> None:
    X, y = regression_frame.drop(columns=["y"]), regression_frame["y"]
    table = permutation_importance(regression_lightgbm, X, y, n_repeats=3, cv=3)
    assert list(table.columns) == ["column", "importance_mean", "importance_std"]
    assert table["column"].iloc[0] == "x1"
    assert table.attrs == {"metric": "rmse", "baseline": pytest.approx(table.attrs["baseline"]),
                           "n_folds": 3}
    assert (table["importance_std"] >= 0).all()
    assert table.set_index("column")["importance_mean"]["x1"] > 1.0  # rmse rises by > 1


def test_permutation_importance_hand_computation_one_fold(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    X = pd.DataFrame({"signal": rng.normal(size=120), "noise": rng.normal(size=120)})
    y = 2.0 * X["signal"]
    model = AutoMLRegressor(n_trials=1, cv=2, include_models=["linear"], ensemble=False,
                            stacking=False).fit(X, y)
    table = permutation_importance(model, X, y, n_repeats=2, cv=1, metric="mae",
                                   random_state=3).set_index("column")
    # the same shuffles by hand: the generator draws one permutation per repeat, per column
    draws = np.random.default_rng(3)
    baseline = np.mean(np.abs(model.predict(X) - y))
    expected = {}
    for column in ["signal", "noise"]:
        maes = []
        for _ in range(2):
            shuffled = X.copy()
            shuffled[column] = X[column].to_numpy()[draws.permutation(len(X))]
            maes.append(np.mean(np.abs(model.predict(shuffled) - y)))
        expected[column] = np.mean(maes) - baseline
    assert table.loc["signal", "importance_mean"] == pytest.approx(expected["signal"], rel=1e-9)
    assert table.loc["noise", "importance_mean"] == pytest.approx(expected["noise"], abs=1e-9)
    assert table.loc["signal", "importance_std"] == 0.0  # one fold: no spread


def test_permutation_importance_classifier_with_given_folds(
        telco_lightgbm: AutoMLClassifier, telco: pd.DataFrame) -> None:
    X, y = telco.drop(columns=["Churn"]), telco["Churn"]
    folds = [np.arange(0, 200), np.arange(200, 400)]
    table = permutation_importance(telco_lightgbm, X.head(400), y.head(400), n_repeats=1,
                                   cv=folds)
    assert table.attrs["metric"] == "roc_auc"
    assert table.attrs["n_folds"] == 2
    assert set(table["column"]) == set(X.columns)
    assert table["importance_mean"].iloc[0] > 0.0


def test_permutation_importance_rejects_bad_input(telco_lightgbm: AutoMLClassifier,
                                                  telco: pd.DataFrame) -> None:
    X, y = telco.drop(columns=["Churn"]), telco["Churn"]
    with pytest.raises(TargetError, match=r"labels the model never saw: \['Maybe'\]"):
        permutation_importance(telco_lightgbm, X.head(5), ["Maybe"] * 5, cv=1)
    with pytest.raises(SchemaError, match="X has 5 rows but y has 4"):
        permutation_importance(telco_lightgbm, X.head(5), y.head(4))
    with pytest.raises(SchemaError, match=r"\['tenure'\]"):
        permutation_importance(telco_lightgbm, X.drop(columns=["tenure"]), y)
    with pytest.raises(ConfigError, match="n_repeats must be"):
        permutation_importance(telco_lightgbm, X, y, n_repeats=0)
    with pytest.raises(ConfigError, match="cv must be between"):
        permutation_importance(telco_lightgbm, X.head(3), y.head(3), cv=5)
    with pytest.raises(ConfigError, match="cv folds must be"):
        permutation_importance(telco_lightgbm, X.head(3), y.head(3), cv=[[0, 7]])
