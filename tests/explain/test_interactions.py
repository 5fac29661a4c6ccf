"""interaction_pairs(): the planted pair ranks first on both paths; additive models have none."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError
from jogak.explain import interaction_pairs
from jogak.models import AutoMLClassifier, AutoMLRegressor


def test_interaction_pairs_tree_path_finds_planted_pair(regression_frame: pd.DataFrame) -> None:
    X = regression_frame.drop(columns=["y", "group"])  # no categorical split: shap reads it
    model = AutoMLRegressor(n_trials=1, cv=2, include_models=["lightgbm"], ensemble=False,
                            stacking=False).fit(X, regression_frame["y"])
    table = interaction_pairs(model, X, top_k=3)
    assert table.attrs["method"] == "shap_interaction"
    assert list(table.columns) == ["column_a", "column_b", "strength"]
    assert {table["column_a"][0], table["column_b"][0]} == {"x2", "x3"}
    assert table["strength"].is_monotonic_decreasing
    assert (table["strength"] >= 0).all()
    assert len(table) == 3


def test_interaction_pairs_h_statistic_finds_planted_pair(
        regression_frame: pd.DataFrame) -> None:
    X = regression_frame.drop(columns=["y"])
    model = AutoMLRegressor(n_trials=1, cv=2, include_models=["knn"], ensemble=False,
                            stacking=False).fit(X, regression_frame["y"])
    table = interaction_pairs(model, X, top_k=6, max_rows=40)
    assert table.attrs["method"] == "h_statistic"
    assert {table["column_a"][0], table["column_b"][0]} == {"x2", "x3"}
    assert len(table) == 6  # 4 columns: every pair


def test_interaction_pairs_additive_model_has_no_interaction(
        regression_frame: pd.DataFrame) -> None:
    X = regression_frame.drop(columns=["y"])
    additive = 3.0 * X["x1"] - X["x2"] + X["group"].map({"a": 0.0, "b": 1.0, "c": 2.0})
    model = AutoMLRegressor(n_trials=1, cv=2, include_models=["linear"], ensemble=False,
                            stacking=False).fit(X, additive)
    table = interaction_pairs(model, X, max_rows=30)
    assert table.attrs["method"] == "h_statistic"
    # a linear model: joint partial dependence = sum of the main ones, at every row
    np.testing.assert_allclose(table["strength"], 0.0, atol=1e-9)


def test_interaction_pairs_categorical_lightgbm_falls_back(telco_lightgbm: AutoMLClassifier,
                                                          telco: pd.DataFrame) -> None:
    # shap's own reader of LightGBM's categorical splits gives interaction rows that do not
    # sum to the SHAP values; they are not used
    table = interaction_pairs(telco_lightgbm, telco.drop(columns=["Churn"]), top_k=5,
                              max_rows=25, max_columns=4)
    assert table.attrs["method"] == "h_statistic"
    assert len(table) == 5
    assert table["strength"].is_monotonic_decreasing


@pytest.mark.parametrize(("kwargs", "message"),
                         [({"top_k": 0}, "top_k must be"), ({"max_rows": 1}, "max_rows must be"),
                          ({"max_columns": 1}, "max_columns must be")],
                         ids=["top_k", "max_rows", "max_columns"])
def test_interaction_pairs_rejects_bad_arguments(regression_lightgbm: AutoMLRegressor,
                                                 regression_frame: pd.DataFrame,
                                                 kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        interaction_pairs(regression_lightgbm, regression_frame, **kwargs)
