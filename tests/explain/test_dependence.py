"""partial_dependence(): hand computations, sklearn's reference, ICE, grids and errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats.mstats import mquantiles
from sklearn.inspection import partial_dependence as sklearn_partial_dependence

from jogak.errors import ConfigError, SchemaError
from jogak.explain import partial_dependence
from jogak.models import AutoMLClassifier, AutoMLRegressor


@pytest.fixture(scope="module")
def tiny() -> tuple[pd.DataFrame, AutoMLRegressor]:
    """A LightGBM regressor on three numeric columns (module scope: fitted once)."""
    rng = np.random.default_rng(7)
    X = pd.DataFrame({"a": rng.normal(size=80), "b": rng.uniform(0, 10, size=80),
                      "c": rng.normal(size=80)})
    y = 2.0 * X["a"] - X["b"] + X["a"] * X["c"]
    model = AutoMLRegressor(n_trials=1, cv=2, include_models=["lightgbm"], ensemble=False,
                            stacking=False).fit(X, y)
    return X, model


def test_partial_dependence_matches_hand_computation(tiny: tuple[pd.DataFrame, Any]) -> None:
    X, model = tiny
    result = partial_dependence(model, X, "b", grid_resolution=5)
    assert result.features == ("b",)
    assert result.space == "raw"
    expected_grid = np.linspace(*mquantiles(X["b"], prob=[0.05, 0.95]), num=5)
    np.testing.assert_allclose(result.grid[0], expected_grid)
    for g, value in enumerate(expected_grid):
        changed = X.assign(b=value)
        np.testing.assert_allclose(result.average[g], model.predict(changed).mean(), atol=1e-12)
        np.testing.assert_allclose(result.individual[:, g], model.predict(changed), atol=1e-12)
    np.testing.assert_allclose(result.individual.mean(axis=0), result.average, atol=1e-12)


def test_partial_dependence_matches_sklearn_in_two_dimensions(
        tiny: tuple[pd.DataFrame, Any]) -> None:
    X, model = tiny
    ours = partial_dependence(model, X, ["a", "c"], grid_resolution=6)
    reference = sklearn_partial_dependence(model, X, ["a", "c"], kind="both",
                                           grid_resolution=6, method="brute")
    np.testing.assert_allclose(ours.grid[0], reference["grid_values"][0])
    np.testing.assert_allclose(ours.grid[1], reference["grid_values"][1])
    np.testing.assert_allclose(ours.average, reference["average"][0], atol=1e-10)
    np.testing.assert_allclose(ours.individual, reference["individual"][0], atol=1e-10)
    table = ours.to_frame()
    assert table.shape == (36, 3)
    assert list(table.columns) == ["a", "c", "average"]


def test_partial_dependence_categorical_and_probability(telco_lightgbm: AutoMLClassifier,
                                                        telco: pd.DataFrame) -> None:
    X = telco.drop(columns=["Churn"])
    result = partial_dependence(telco_lightgbm, X, "Contract", kind="average", max_rows=200)
    assert result.individual is None
    assert result.space == "probability"
    assert result.output_class == "Yes"
    counts = X["Contract"].value_counts()
    assert list(result.grid[0]) == list(counts.index)  # levels, most frequent first
    assert result.average.shape == (3,)
    assert ((result.average > 0) & (result.average < 1)).all()
    # month-to-month contracts churn most: the partial dependence says so too
    by_level = dict(zip(result.grid[0], result.average, strict=True))
    assert by_level["Month-to-month"] > by_level["Two year"]
    ice = partial_dependence(telco_lightgbm, X, "tenure", kind="individual", max_rows=50)
    assert ice.average is None
    assert ice.individual.shape == (50, 20)
    with pytest.raises(ConfigError, match="ICE curves only"):
        ice.to_frame()


@pytest.mark.slow
def test_partial_dependence_multiclass_has_class_axis(mixed: pd.DataFrame) -> None:
    X = mixed.drop(columns=["target"])
    y = pd.cut(X["num"].fillna(50.0), [-np.inf, 45.0, 55.0, np.inf], labels=["lo", "mid", "hi"])
    model = AutoMLClassifier(n_trials=1, cv=2, include_models=["lightgbm"], ensemble=False,
                             stacking=False).fit(X, y.astype(str))
    result = partial_dependence(model, X, "num", grid_resolution=4, max_rows=60)
    assert result.average.shape == (3, 4)
    assert result.individual.shape == (3, 60, 4)
    np.testing.assert_allclose(result.average.sum(axis=0), 1.0, atol=1e-9)
    table = result.to_frame()
    assert set(table["class"]) == {"hi", "lo", "mid"}
    assert len(table) == 12
    dates = partial_dependence(model, X, "joined", grid_resolution=3, max_rows=30)
    assert np.issubdtype(dates.grid[0].dtype, np.datetime64)
    assert len(dates.grid[0]) == 3


@pytest.mark.parametrize(
    ("features", "kwargs", "error", "message"),
    [("nope", {}, SchemaError, r"\['nope'\] are not columns"),
     (["a", "b", "c"], {}, ConfigError, "one column or a pair"),
     (["a", "a"], {}, ConfigError, "one column or a pair"),
     ("a", {"kind": "curves"}, ConfigError, "kind must be"),
     ("a", {"grid_resolution": 1}, ConfigError, "grid_resolution must be"),
     ("a", {"percentiles": (0.9, 0.1)}, ConfigError, "percentiles must satisfy")],
    ids=["unknown", "three", "same_twice", "kind", "grid", "percentiles"])
def test_partial_dependence_rejects_bad_arguments(tiny: tuple[pd.DataFrame, Any], features: Any,
                                                  kwargs: dict[str, Any], error: type,
                                                  message: str) -> None:
    X, model = tiny
    with pytest.raises(error, match=message):
        partial_dependence(model, X, features, **kwargs)


def test_partial_dependence_text_and_missing_column(mixed_lightgbm: AutoMLClassifier,
                                                    mixed: pd.DataFrame) -> None:
    X = mixed.drop(columns=["target"])
    with pytest.raises(ConfigError, match="'synopsis' is free text"):
        partial_dependence(mixed_lightgbm, X, "synopsis")
    with pytest.raises(SchemaError, match=r"\['color'\]"):
        partial_dependence(mixed_lightgbm, X.drop(columns=["color"]), "num")
    empty = X.assign(num=np.nan)
    with pytest.raises(ConfigError, match="only missing values"):
        partial_dependence(mixed_lightgbm, empty, "num")
