from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import ks_2samp
from sklearn.metrics import roc_auc_score

from jogak.errors import SchemaError, TargetError
from jogak.solutions.credit import calibration_table, discrimination, ks_statistic


def test_ks_equals_the_two_sample_statistic(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    y = (rng.random(800) < 0.3).astype(int)
    p = 1 / (1 + np.exp(-(rng.normal(size=800) + 1.2 * y - 1)))
    reference = ks_2samp(p[y == 1], p[y == 0]).statistic
    assert ks_statistic(y, p) == pytest.approx(reference, abs=1e-12)


def test_discrimination_reference_values(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    y = (rng.random(500) < 0.2).astype(int)
    p = np.clip(rng.normal(0.2 + 0.2 * y, 0.1), 0, 1)
    result = discrimination(y, p)
    auc = roc_auc_score(y, p)
    assert result["auc"] == pytest.approx(auc)
    assert result["gini"] == pytest.approx(2 * auc - 1)
    assert 0 < result["ks"] <= 1


def test_hand_example() -> None:
    # bads at 0.4 and 0.9, goods at 0.1 and 0.6: 3 of 4 pairs ordered; KS 0.5
    assert discrimination([0, 0, 1, 1], [0.1, 0.6, 0.4, 0.9]) == {"auc": 0.75, "gini": 0.5,
                                                                  "ks": 0.5}


def test_calibration_of_well_calibrated_probabilities(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    p = rng.uniform(0.02, 0.9, 50_000)
    y = (rng.random(p.size) < p).astype(int)
    table, summary = calibration_table(y, p, n_bins=10)
    assert len(table) == 10
    assert table["count"].sum() == p.size
    assert np.all(np.diff(table["mean_predicted"]) > 0)
    np.testing.assert_allclose(table["observed_bad_rate"], table["mean_predicted"], atol=0.02)
    assert summary["slope"] == pytest.approx(1.0, abs=0.05)
    assert summary["intercept"] == pytest.approx(0.0, abs=0.05)
    assert summary["ece"] < 0.01
    assert summary["brier"] == pytest.approx(np.mean((p - y) ** 2))


def test_overconfident_probabilities_have_a_slope_below_one(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    true_logit = rng.normal(-1, 1, 40_000)
    y = (rng.random(true_logit.size) < 1 / (1 + np.exp(-true_logit))).astype(int)
    overconfident = 1 / (1 + np.exp(-2 * true_logit))
    _, summary = calibration_table(y, overconfident)
    assert summary["slope"] == pytest.approx(0.5, abs=0.05)


@pytest.mark.parametrize(("y", "p", "error", "message"),
                         [([0, 0, 0], [0.1, 0.2, 0.3], TargetError, "one class"),
                          ([0, 2, 1], [0.1, 0.2, 0.3], TargetError, "0/1"),
                          ([0, 1], [0.1, np.nan], SchemaError, "missing"),
                          ([0, 1, 1], [0.1, 0.2], SchemaError, "same length")],
                         ids=["one_class", "not_binary", "nan", "lengths"])
def test_bad_inputs_are_refused(y: list, p: list, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        discrimination(y, p)
