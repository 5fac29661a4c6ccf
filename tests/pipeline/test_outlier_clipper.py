"""OutlierClipper: Tukey and quantile fences, flags, clipping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from jogak.errors import ConfigError
from jogak.pipeline import OutlierClipper
from jogak.testing import numeric_frames


def test_outlier_clipper_iqr_fences_follow_tukey() -> None:
    X = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0, 100.0]})
    clipper = OutlierClipper(factor=1.5).fit(X)
    q1, q3 = np.quantile(X["x"], [0.25, 0.75])
    assert clipper.lower_[0] == pytest.approx(q1 - 1.5 * (q3 - q1))
    assert clipper.upper_[0] == pytest.approx(q3 + 1.5 * (q3 - q1))
    assert clipper.transform(X)[-1, 0] == pytest.approx(clipper.upper_[0])


def test_outlier_clipper_flags_without_clipping() -> None:
    X = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0, 100.0], "y": [1.0] * 6})
    clipper = OutlierClipper(clip=False, add_flags=True).fit(X)
    out = clipper.transform(X)
    assert clipper.get_feature_names_out().tolist() == ["x", "y", "x__outlier", "y__outlier"]
    assert out[:, 0].tolist() == X["x"].tolist()
    assert out[:, 2].tolist() == [0, 0, 0, 0, 0, 1]
    assert out[:, 3].tolist() == [0] * 6  # IQR 0: no fences, nothing is an outlier


def test_outlier_clipper_zero_iqr_column_keeps_rare_values() -> None:
    zero_inflated = pd.DataFrame({"n": [0.0] * 9 + [5.0]})
    out = OutlierClipper().fit_transform(zero_inflated)
    assert out[-1, 0] == 5.0


def test_outlier_clipper_quantile_fences() -> None:
    X = pd.DataFrame({"x": np.arange(101, dtype=float)})
    clipper = OutlierClipper(method="quantile", quantile=0.1).fit(X)
    assert (clipper.lower_[0], clipper.upper_[0]) == (10.0, 90.0)
    assert clipper.transform(pd.DataFrame({"x": [-5.0, 50.0, 1e300]})).ravel().tolist() == [
        10.0, 50.0, 90.0]


@pytest.mark.parametrize(("params", "message"), [
    ({"method": "zscore"}, "'method' parameter"),
    ({"factor": 0}, "'factor' parameter"),
    ({"method": "quantile", "quantile": 0.5}, r"'quantile' parameter .* \(0, 0.5\)"),
    ({"clip": False, "add_flags": False}, "would do nothing"),
], ids=["method", "factor", "quantile", "noop"])
def test_outlier_clipper_rejects_bad_parameters(params: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        OutlierClipper(**params).fit(pd.DataFrame({"x": [1.0, 2.0]}))


@settings(deadline=None, max_examples=40)
@given(frame=numeric_frames(min_rows=4, allow_nan=True))
def test_outlier_clipper_output_stays_within_learned_fences(frame: pd.DataFrame) -> None:
    clipper = OutlierClipper(method="quantile", quantile=0.1).fit(frame)
    out = clipper.transform(frame)
    observed = ~np.isnan(out)
    assert np.array_equal(observed, ~frame.isna().to_numpy())
    lower = np.broadcast_to(clipper.lower_, out.shape)
    upper = np.broadcast_to(clipper.upper_, out.shape)
    assert np.all(out[observed] >= lower[observed])
    assert np.all(out[observed] <= upper[observed])
