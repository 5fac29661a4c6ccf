"""ColumnScaler: same numbers as scikit-learn's scalers, but no overflow near 1e300."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

from jogak.errors import ConfigError
from jogak.pipeline import ColumnScaler
from jogak.testing import make_numeric_frame, numeric_frames


@pytest.mark.parametrize(("method", "reference"), [
    ("standard", StandardScaler()), ("minmax", MinMaxScaler()), ("robust", RobustScaler()),
], ids=["standard", "minmax", "robust"])
def test_column_scaler_matches_sklearn(method: str, reference: object) -> None:
    frame = make_numeric_frame(100, 4, seed=3, missing_share=0.1)
    ours = ColumnScaler(method=method).fit(frame)
    np.testing.assert_allclose(ours.transform(frame), reference.fit(frame).transform(frame),
                               rtol=1e-9, atol=1e-12)


def test_column_scaler_constant_column_gets_unit_scale() -> None:
    out = ColumnScaler().fit_transform(pd.DataFrame({"c": [5.0, 5.0, 5.0]}))
    assert out.ravel().tolist() == [0.0, 0.0, 0.0]


def test_column_scaler_huge_values_stay_finite() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, -1e300, 1e300, 3.0]})
    for method in ("standard", "minmax", "robust"):
        scaler = ColumnScaler(method=method).fit(frame)
        assert np.all(np.isfinite(scaler.center_))
        assert np.all(np.isfinite(scaler.scale_))
        out = scaler.transform(pd.DataFrame({"x": [1e308, -1e308, 0.0]}))
        assert np.all(np.isfinite(out)), method


def test_column_scaler_inverse_transform_round_trips() -> None:
    frame = make_numeric_frame(20, 2, seed=0)
    scaler = ColumnScaler().fit(frame)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(frame)), frame)


def test_column_scaler_rejects_unknown_method() -> None:
    with pytest.raises(ConfigError, match="'method' parameter of ColumnScaler"):
        ColumnScaler(method="maxabs").fit(make_numeric_frame(5, 1))


@settings(deadline=None, max_examples=40)
@given(train=numeric_frames(min_rows=2, max_rows=20, min_columns=3, max_columns=3),
       test=numeric_frames(min_rows=1, max_rows=10, min_columns=3, max_columns=3))
def test_column_scaler_uses_training_mean_and_std(train: pd.DataFrame,
                                                  test: pd.DataFrame) -> None:
    # Rounded: pandas' naive std underflows to 0 on values like 1e-250, ColumnScaler does not.
    train, test = train.round(6), test.round(6)
    scaler = ColumnScaler().fit(train)
    mean, std = train.mean().fillna(0.0), train.std(ddof=0).fillna(1.0)
    std = std.where(std > 0, 1.0)
    np.testing.assert_allclose(scaler.center_, mean, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(scaler.scale_, std, rtol=1e-9, atol=1e-9)
    out = scaler.transform(test)
    assert out.shape == test.shape
    np.testing.assert_allclose(out, ((test - mean) / std).to_numpy(), rtol=1e-7, atol=1e-7)


def test_column_scaler_tiny_values_keep_their_spread() -> None:
    scaler = ColumnScaler().fit(pd.DataFrame({"x": [1e-250, 0.0, 0.0]}))
    assert scaler.scale_[0] == pytest.approx(np.std([1.0, 0.0, 0.0]) * 1e-250)
