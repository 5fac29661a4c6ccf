"""SkewCorrector: skewness threshold learned in fit, log1p and Yeo-Johnson, overflow safety."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.preprocessing import PowerTransformer

from jogak.errors import ConfigError
from jogak.pipeline import SkewCorrector, signed_log1p, yeo_johnson
from jogak.pipeline._stats import nan_skewness


def _skewed_frame(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "lognormal": rng.lognormal(0.0, 1.0, 300),
        "normal": rng.normal(0.0, 1.0, 300),
        "negative_tail": -rng.lognormal(0.0, 1.0, 300) + rng.normal(0, 0.1, 300),
    })


def test_nan_skewness_matches_scipy_and_ignores_nan() -> None:
    frame = _skewed_frame()
    values = frame.to_numpy().copy()
    values[::7, 0] = np.nan
    expected = [stats.skew(column[~np.isnan(column)]) for column in values.T]
    np.testing.assert_allclose(nan_skewness(values), expected, rtol=1e-10)


def test_nan_skewness_is_finite_for_huge_values() -> None:
    values = np.array([[1.0], [2.0], [3.0], [1e300]])
    expected = stats.skew(np.array([1.0, 2.0, 3.0, 1e300]) / 1e300)
    assert nan_skewness(values)[0] == pytest.approx(expected)


def test_skew_corrector_transforms_only_columns_past_threshold() -> None:
    frame = _skewed_frame()
    corrector = SkewCorrector(threshold=0.75).fit(frame)
    assert corrector.methods_ == ["log1p", None, "yeo-johnson"]
    out = corrector.transform(frame)
    np.testing.assert_allclose(out[:, 0], np.log1p(frame["lognormal"]))
    np.testing.assert_array_equal(out[:, 1], frame["normal"])
    assert abs(stats.skew(out[:, 2])) < abs(stats.skew(frame["negative_tail"]))


def test_skew_corrector_yeo_johnson_matches_power_transformer() -> None:
    frame = _skewed_frame()[["negative_tail"]]
    ours = SkewCorrector(method="yeo-johnson").fit(frame)
    reference = PowerTransformer(method="yeo-johnson", standardize=False).fit(frame)
    assert ours.lambdas_[0] == pytest.approx(reference.lambdas_[0], rel=1e-6)
    np.testing.assert_allclose(ours.transform(frame), reference.transform(frame), rtol=1e-6)


@pytest.mark.parametrize("lmbda", [0.0, 0.5, 2.0, -1.0], ids=["zero", "half", "two", "neg"])
def test_yeo_johnson_formula_matches_scipy(lmbda: float) -> None:
    values = np.array([-3.0, -0.5, 0.0, 0.5, 4.0])
    np.testing.assert_allclose(yeo_johnson(values, lmbda), stats.yeojohnson(values, lmbda))


def test_signed_log1p_is_log1p_on_non_negative_values_and_odd() -> None:
    values = np.array([0.0, 1.0, 10.0])
    np.testing.assert_allclose(signed_log1p(values), np.log1p(values))
    np.testing.assert_allclose(signed_log1p(-values), -np.log1p(values))


def test_skew_corrector_falls_back_to_log1p_when_yeo_johnson_overflows() -> None:
    frame = pd.DataFrame({"x": [-1.0, 2.0, 3.0, 5.0, 1e300, -3.0, 0.5]})
    corrector = SkewCorrector().fit(frame)
    assert corrector.methods_ == ["log1p"]
    out = corrector.transform(frame)
    assert np.all(np.isfinite(out))


def test_skew_corrector_leaves_binary_columns_alone() -> None:
    flags = pd.DataFrame({"flag": [0.0] * 19 + [1.0]})
    corrector = SkewCorrector(threshold=0.1).fit(flags)
    assert corrector.methods_ == [None]


def test_skew_corrector_uses_training_statistics_on_new_data() -> None:
    corrector = SkewCorrector().fit(_skewed_frame(seed=0))
    other = _skewed_frame(seed=1)
    other["normal"] = np.exp(other["normal"] * 3)  # skewed now, but not in training
    out = corrector.transform(other)
    np.testing.assert_array_equal(out[:, 1], other["normal"])


def test_skew_corrector_rejects_negative_threshold() -> None:
    with pytest.raises(ConfigError, match="'threshold' parameter of SkewCorrector"):
        SkewCorrector(threshold=-1).fit(_skewed_frame())
