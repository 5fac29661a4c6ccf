from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.solutions.credit import MISSING_LABEL, UNSEEN_LABEL, MonotonicBinner, woe_iv


def _small_table() -> tuple[pd.DataFrame, np.ndarray]:
    # three levels of months late: 0 -> 40 goods / 10 bads, 1 -> 20 / 10, 2 -> 5 / 15
    values = [0] * 50 + [1] * 30 + [2] * 20
    y = [0] * 40 + [1] * 10 + [0] * 20 + [1] * 10 + [0] * 5 + [1] * 15
    return pd.DataFrame({"late": values}), np.array(y)


def test_woe_iv_match_hand_computation() -> None:
    X, y = _small_table()
    binner = MonotonicBinner(min_bin_share=0.1).fit(X, y)
    table = binner.binnings_["late"].table.set_index("bin")
    # goods 65, bads 35: WoE = ln((g/65) / (b/35)); IV = sum((g/65 - b/35) * WoE)
    expected = {"< 1": (40, 10), "[1, 2)": (20, 10), ">= 2": (5, 15)}
    iv = 0.0
    for label, (g, b) in expected.items():
        woe = math.log((g / 65) / (b / 35))
        iv += (g / 65 - b / 35) * woe
        assert table.loc[label, "woe"] == pytest.approx(woe, abs=1e-12)
        assert table.loc[label, "n_good"] == g
        assert table.loc[label, "n_bad"] == b
    assert binner.binnings_["late"].iv == pytest.approx(iv, abs=1e-12)
    assert binner.iv_["late"] == pytest.approx(iv, abs=1e-12)
    assert binner.binnings_["late"].trend == "ascending"


def test_woe_iv_function_reference_values() -> None:
    woe, iv = woe_iv(np.array([40.0, 20.0, 5.0]), np.array([10.0, 10.0, 15.0]))
    # ln(2.153846), ln(1.076923), ln(0.179487); IV 0.252941 + 0.001629 + 0.604009
    # (optbinning 1.0.0's OptimalBinning gives the same table to 6 decimals)
    np.testing.assert_allclose(woe, [0.767255, 0.074108, -1.717651], atol=1e-6)
    assert iv.sum() == pytest.approx(0.858579, abs=1e-6)


def test_transform_returns_the_woe_of_each_value_and_neutral_unknowns() -> None:
    X, y = _small_table()
    binner = MonotonicBinner(min_bin_share=0.1).fit(X, y)
    woe = binner.binnings_["late"].table.set_index("bin")["woe"]
    out = binner.transform(pd.DataFrame({"late": [0, 1, 2, 7, np.nan]}))
    # 7 is above every edge (last bin); missing never seen in training -> WoE 0 (average risk)
    np.testing.assert_allclose(out[:, 0], [woe["< 1"], woe["[1, 2)"], woe[">= 2"],
                                           woe[">= 2"], 0.0])


def test_numeric_bins_are_strictly_monotone_and_respect_min_share(
        global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    x = rng.normal(size=3000)
    y = (rng.random(3000) < 1 / (1 + np.exp(-(x * 1.5 - 1)))).astype(int)
    binning = MonotonicBinner(min_bin_share=0.05, max_n_bins=8).fit(
        pd.DataFrame({"x": x}), y).binnings_["x"]
    regular = binning.table.iloc[:binning.n_regular_bins]
    assert binning.trend == "ascending"
    assert np.all(np.diff(regular["bad_rate"]) > 0)
    assert (regular["share"] >= 0.05).all()
    assert len(regular) <= 8
    assert regular["count"].sum() == 3000


def test_descending_trend_is_found_for_a_protective_feature() -> None:
    rng = np.random.default_rng(1)
    limit = rng.lognormal(11, 0.8, 2000)
    y = (rng.random(2000) < 1 / (1 + np.exp(np.log(limit) - 11))).astype(int)
    binning = MonotonicBinner().fit(pd.DataFrame({"limit": limit}), y).binnings_["limit"]
    assert binning.trend == "descending"
    regular = binning.table.iloc[:binning.n_regular_bins]
    assert np.all(np.diff(regular["bad_rate"]) < 0)


def test_missing_values_get_their_own_bin() -> None:
    X, y = _small_table()
    X = X.astype("float64")
    X.loc[:9, "late"] = np.nan  # 10 missing rows: 10 goods, 0 bads
    binning = MonotonicBinner(min_bin_share=0.05).fit(X, y).binnings_["late"]
    missing = binning.table.set_index("bin").loc[MISSING_LABEL]
    assert missing["count"] == 10
    assert missing["n_bad"] == 0
    # one class only: smoothed by 0.5 so the WoE is finite: ln((10.5/65) / (0.5/35))
    assert missing["woe"] == pytest.approx(math.log((10.5 / 65) / (0.5 / 35)))
    codes = binning.codes(pd.Series([np.nan, 0.0]))
    assert codes[0] == binning.n_regular_bins


def test_categorical_feature_is_ordered_by_bad_rate_with_an_unseen_row() -> None:
    X = pd.DataFrame({"plan": ["basic"] * 40 + ["pro"] * 40 + ["vip"] * 20})
    y = np.array([1] * 20 + [0] * 20 + [1] * 8 + [0] * 32 + [1] * 1 + [0] * 19)
    binner = MonotonicBinner(min_bin_share=0.1).fit(X, y)
    binning = binner.binnings_["plan"]
    assert binning.kind == "categorical"
    assert list(binning.groups) == [("vip",), ("pro",), ("basic",)]
    assert list(binning.table["bin"]) == ["vip", "pro", "basic", MISSING_LABEL, UNSEEN_LABEL]
    out = binner.transform(pd.DataFrame({"plan": ["gold", "basic"]}))
    assert out[0, 0] == 0.0
    assert out[1, 0] == pytest.approx(math.log((20 / 71) / (20 / 29)))


def test_numeric_coded_categories_are_binned_as_categories() -> None:
    # status codes -2/-1/0 are not an order: 0 is the safest here, -2 the riskiest
    status = np.array([-2] * 30 + [-1] * 30 + [0] * 30 + [2] * 30)
    y = np.array([1] * 12 + [0] * 18 + [1] * 6 + [0] * 24 + [1] * 3 + [0] * 27
                 + [1] * 24 + [0] * 6)
    binner = MonotonicBinner(categorical_features=["status"], min_bin_share=0.1).fit(
        pd.DataFrame({"status": status}), y)
    assert binner.binnings_["status"].groups == (("0",), ("-1",), ("-2",), ("2",))
    rates = binner.binnings_["status"].table["bad_rate"].iloc[:4].to_numpy()
    np.testing.assert_allclose(rates, [0.1, 0.2, 0.4, 0.8])


def test_single_valued_feature_gets_one_bin_with_zero_iv() -> None:
    binner = MonotonicBinner().fit(pd.DataFrame({"const": [5.0] * 50}), [0, 1] * 25)
    binning = binner.binnings_["const"]
    assert binning.trend == "flat"
    assert binning.n_regular_bins == 1
    assert binning.iv == 0.0
    np.testing.assert_array_equal(binner.transform(pd.DataFrame({"const": [5.0, 9.0]})), 0.0)


def test_huge_values_stay_finite() -> None:
    x = np.concatenate([np.linspace(0, 1, 90), [1e300, -1e300, 1e200] * 10])
    y = np.array([0, 1] * 60)
    out = MonotonicBinner().fit(pd.DataFrame({"x": x}), y).transform(pd.DataFrame({"x": x}))
    assert np.isfinite(out).all()


@pytest.mark.parametrize(
    ("params", "message"),
    [({"n_prebins": 1}, "n_prebins"), ({"max_n_bins": 0}, "max_n_bins"),
     ({"min_bin_share": 0.6}, "min_bin_share"), ({"monotonic": "up"}, "monotonic"),
     ({"categorical_features": ["nope"]}, "categorical_features")],
    ids=["prebins", "max_bins", "min_share", "monotonic", "unknown_categorical"])
def test_invalid_parameters_are_refused(params: dict, message: str) -> None:
    X, y = _small_table()
    with pytest.raises(ConfigError, match=message):
        MonotonicBinner(**params).fit(X, y)


@pytest.mark.parametrize(
    ("y", "message"),
    [([0, 1, 2] * 33 + [0], "must be binary"), ([0, 1] * 49 + [None, 1], "missing value"),
     (["a", "b"] * 50, "Cannot tell which target value means 'bad'")],
    ids=["three_classes", "missing", "unclear_labels"])
def test_bad_targets_are_refused(y: list, message: str) -> None:
    X, _ = _small_table()
    with pytest.raises(TargetError, match=message):
        MonotonicBinner().fit(X, y)


def test_transform_refuses_missing_columns() -> None:
    X, y = _small_table()
    binner = MonotonicBinner().fit(X, y)
    with pytest.raises(SchemaError, match="lacks column"):
        binner.transform(pd.DataFrame({"other": [1]}))


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n_prebins=st.integers(2, 30),
       min_share=st.sampled_from([0.0, 0.02, 0.1]))
def test_regular_bins_always_strictly_monotone_with_both_classes(seed: int, n_prebins: int,
                                                                 min_share: float) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 400))
    x = np.round(rng.normal(size=n) * rng.choice([1, 10]), int(rng.integers(0, 3)))
    y = (rng.random(n) < 1 / (1 + np.exp(-rng.normal() * x))).astype(int)
    if y.min() == y.max():
        y[0] = 1 - y[0]
    binning = MonotonicBinner(n_prebins=n_prebins, min_bin_share=min_share).fit(
        pd.DataFrame({"x": x}), y).binnings_["x"]
    regular = binning.table.iloc[:binning.n_regular_bins]
    assert regular["count"].sum() == n
    if len(regular) > 1:
        diffs = np.diff(regular["bad_rate"].to_numpy())
        assert np.all(diffs > 0) or np.all(diffs < 0)
        assert (regular["n_good"] > 0).all()
        assert (regular["n_bad"] > 0).all()
        assert (regular["count"] >= min_share * n - 1e-9).all()
    codes = binning.codes(pd.Series(x))
    assert np.array_equal(np.bincount(codes, minlength=len(regular))[:len(regular)],
                          regular["count"].to_numpy())


def test_unconstrained_binning_keeps_a_u_shape() -> None:
    rng = np.random.default_rng(2)
    age = rng.uniform(20, 70, 4000)
    y = (rng.random(4000) < 0.1 + 0.5 * ((age - 45) / 25) ** 2).astype(int)
    X = pd.DataFrame({"age": age})
    monotone = MonotonicBinner().fit(X, y).binnings_["age"]
    free = MonotonicBinner(monotonic="none").fit(X, y).binnings_["age"]
    assert free.trend == "mixed"
    assert free.iv > 2 * monotone.iv
    rates = free.table["bad_rate"].iloc[:free.n_regular_bins].to_numpy()
    assert rates.argmin() not in (0, len(rates) - 1)  # lowest risk in the middle
