"""Variance inflation factors and condition numbers against reference computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import StandardScaler

from jogak.errors import SchemaError
from jogak.pipeline import condition_number, variance_inflation


def _collinear(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    a = rng.normal(size=300)
    b = rng.normal(size=300)
    return pd.DataFrame({"a": a, "b": b, "c": a + 0.5 * b + rng.normal(scale=0.3, size=300),
                         "d": rng.normal(size=300), "label": ["x"] * 300})


def test_variance_inflation_matches_one_over_one_minus_r2() -> None:
    frame = _collinear()
    numeric = frame.drop(columns="label")
    expected = {}
    for column in numeric.columns:
        others = numeric.drop(columns=column)
        r2 = LinearRegression().fit(others, numeric[column]).score(others, numeric[column])
        expected[column] = 1.0 / (1.0 - r2)
    vif = variance_inflation(frame)
    assert vif.name == "vif"
    assert vif.index.tolist() == ["a", "b", "c", "d"]
    np.testing.assert_allclose(vif.to_numpy(), list(expected.values()), rtol=1e-8)
    assert vif["c"] > 5
    assert vif["d"] < 1.1


def test_variance_inflation_perfect_collinearity_is_inf() -> None:
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0], "b": [2.0, 4.1, 6.0, 8.2, 9.9]})
    frame["c"] = frame["a"] + frame["b"]
    assert np.isinf(variance_inflation(frame)).all()


def test_condition_number_matches_numpy_on_standardised_matrix() -> None:
    frame = _collinear()
    numeric = frame.drop(columns="label")
    expected = np.linalg.cond(StandardScaler().fit_transform(numeric))
    assert condition_number(frame) == pytest.approx(expected, rel=1e-10)


def test_condition_number_of_constant_column_is_inf() -> None:
    assert condition_number(pd.DataFrame({"a": [1.0, 2.0, 3.0], "k": [1.0, 1.0, 1.0]})) == np.inf


def test_diagnostics_use_complete_rows_only() -> None:
    frame = _collinear()
    with_gaps = frame.copy()
    with_gaps.loc[:9, "a"] = np.nan
    np.testing.assert_allclose(variance_inflation(with_gaps), variance_inflation(frame.iloc[10:]))


def test_variance_inflation_needs_two_numeric_columns() -> None:
    with pytest.raises(SchemaError, match="at least 2 numeric column"):
        variance_inflation(pd.DataFrame({"a": [1.0, 2.0], "s": ["x", "y"]}))


def test_diagnostics_need_a_frame() -> None:
    with pytest.raises(SchemaError, match="needs a pandas DataFrame"):
        condition_number(np.eye(3))
