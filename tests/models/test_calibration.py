"""Calibration curve and Brier score against hand computations and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve as sk_calibration_curve
from sklearn.metrics import brier_score_loss

from jogak.errors import ConfigError, TargetError
from jogak.models import brier_score, calibration_curve


def test_brier_score_by_hand_and_against_sklearn(global_random_seed: int) -> None:
    assert brier_score([1, 0, 1], [0.9, 0.2, 0.6]) == pytest.approx((0.01 + 0.04 + 0.16) / 3)
    rng = np.random.default_rng(global_random_seed)
    y = rng.integers(0, 2, 500)
    p = rng.uniform(size=500)
    assert brier_score(y, p) == pytest.approx(brier_score_loss(y, p))
    assert brier_score(y, np.column_stack([1 - p, p])) == pytest.approx(brier_score_loss(y, p))


def test_brier_score_of_the_base_rate_is_r_times_one_minus_r() -> None:
    y = np.array([1, 0, 0, 0])
    assert brier_score(y, np.full(4, 0.25)) == pytest.approx(0.25 * 0.75)


def test_calibration_curve_uniform_bins_match_sklearn(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    p = rng.uniform(size=2000)
    y = (rng.uniform(size=2000) < p).astype(int)
    ours = calibration_curve(y, p, n_bins=10, strategy="uniform")
    true_rate, mean_pred = sk_calibration_curve(y, p, n_bins=10, strategy="uniform")
    np.testing.assert_allclose(ours["observed_rate"], true_rate)
    np.testing.assert_allclose(ours["mean_predicted"], mean_pred)
    assert ours["count"].sum() == 2000
    # a calibrated source stays near the diagonal
    assert np.abs(ours["observed_rate"] - ours["mean_predicted"]).max() < 0.1


def test_calibration_curve_quantile_bins_hold_equal_counts_and_reveal_overconfidence() -> None:
    p = np.linspace(0.01, 0.99, 1000)
    y = (np.arange(1000) % 2).astype(int)  # outcomes are a coin flip whatever p says
    curve = calibration_curve(y, p, n_bins=5)
    assert curve["count"].tolist() == [200.0] * 5
    assert curve["observed_rate"].between(0.45, 0.55).all()
    assert curve["mean_predicted"].iloc[0] < 0.25
    assert curve["mean_predicted"].iloc[-1] > 0.75


def test_calibration_curve_with_all_equal_scores_is_one_bin() -> None:
    curve = calibration_curve([0, 1, 1, 0], [0.3, 0.3, 0.3, 0.3])
    assert curve[["count", "mean_predicted", "observed_rate"]].to_numpy().tolist() == [
        [4.0, 0.3, 0.5]]


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"n_bins": 1}, "n_bins must be an int >= 2"),
    ({"strategy": "kmeans"}, "strategy must be 'quantile' or 'uniform'")],
    ids=["one_bin", "bad_strategy"])
def test_calibration_curve_rejects_bad_settings(kwargs: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        calibration_curve([0, 1], [0.1, 0.9], **kwargs)


def test_brier_score_needs_binary_labels() -> None:
    with pytest.raises(TargetError, match="0/1"):
        brier_score([0, 2], [0.1, 0.9])
