"""Conformal helpers, regression scores and the investment board: hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.hits import (
    InvestmentTerms,
    blend_weight,
    conformal_quantile,
    interval_coverage,
    investment_board,
    least_squares_scale,
    power_back_transform,
    regression_scores,
)


def test_conformal_quantile_is_the_finite_sample_rank() -> None:
    scores = np.array([5.0, 1.0, 4.0, 2.0, 3.0, np.nan])
    # n = 5, coverage 0.5: ceil(6 * 0.5) = 3rd smallest
    assert conformal_quantile(scores, 0.5) == 3.0
    # ceil(6 * 0.8) = 5th smallest
    assert conformal_quantile(scores, 0.8) == 5.0
    # ceil(6 * 0.9) = 6 > n: unbounded
    assert conformal_quantile(scores, 0.9) == math.inf
    assert conformal_quantile(np.array([]), 0.5) == math.inf
    with pytest.raises(ConfigError, match=r"coverage must be in \(0, 1\)"):
        conformal_quantile(scores, 1.0)


def test_conformal_quantile_covers_exchangeable_draws(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    hits = []
    for _ in range(400):
        calibration, new = np.abs(rng.normal(size=50)), abs(rng.normal())
        hits.append(new <= conformal_quantile(calibration, 0.9))
    # guaranteed >= 0.9 in expectation and <= 0.9 + 1/51
    assert 0.87 <= np.mean(hits) <= 0.95


def test_interval_coverage_and_errors() -> None:
    assert interval_coverage(np.array([1, 5, 9]), np.zeros(3), np.array([2, 6, 8])) == 2 / 3
    with pytest.raises(ConfigError, match="equal length"):
        interval_coverage(np.array([1]), np.zeros(2), np.ones(2))


def test_least_squares_scale_and_blend_weight_reference_values() -> None:
    assert least_squares_scale(np.array([1.0, 2.0]), np.array([2.0, 4.0])) == 2.0
    assert least_squares_scale(np.zeros(3), np.ones(3)) == 1.0
    assert least_squares_scale(np.array([1.0, np.nan]), np.array([3.0, 1.0])) == 3.0
    assert blend_weight(np.array([2.0, 4.0]), np.zeros(2), np.array([1.0, 2.0])) == 0.5
    assert blend_weight(np.array([1.0, 2.0]), np.array([3.0, 4.0]), np.array([9.0, 9.0])) == 0.0
    assert blend_weight(np.ones(2), np.ones(2), np.ones(2)) == 0.0


def test_power_back_transform_recovers_a_power_law() -> None:
    log_prediction = np.log1p(np.array([1e2, 1e3, 1e4, 1e5, 1e6, np.nan]))
    target = 3.0 * np.expm1(0.7 * log_prediction)
    target[-1] = 5.0  # a row without a prediction is ignored
    scale, slope = power_back_transform(log_prediction, target)
    assert slope == 0.7
    assert scale == pytest.approx(3.0)
    # slope 1 is the least-squares re-scaling of expm1
    linear = 2.5 * np.expm1(log_prediction[:-1])
    assert power_back_transform(log_prediction[:-1], linear) == (pytest.approx(
        least_squares_scale(np.expm1(log_prediction[:-1]), linear)), 1.0)
    # audiences in the billions stay finite
    huge = np.log1p(np.array([1e9, 1e10, 1e11]))
    assert np.isfinite(power_back_transform(huge, 1e3 * np.expm1(2.0 * huge))).all()
    assert power_back_transform(np.array([np.nan]), np.array([1.0])) == (1.0, 1.0)
    assert power_back_transform(np.zeros(3), np.zeros(3)) == (1.0, 1.0)
    with pytest.raises(ConfigError, match="equal length"):
        power_back_transform(np.ones(2), np.ones(3))


def test_regression_scores_match_hand_computation() -> None:
    y, p = np.array([0.0, 9.0, 99.0]), np.array([1.0, 9.0, 49.0])
    scores = regression_scores(y, p)
    assert scores["rmse"] == pytest.approx(math.sqrt((1 + 0 + 2500) / 3))
    assert scores["mae"] == pytest.approx(51 / 3)
    assert scores["rmsle"] == pytest.approx(math.sqrt((math.log(2) ** 2 + math.log(2) ** 2) / 3))
    log_y, log_p = np.log1p(y), np.log1p(p)
    r2_log = 1 - np.sum((log_y - log_p) ** 2) / np.sum((log_y - log_y.mean()) ** 2)
    assert scores["r2_log"] == pytest.approx(r2_log)
    # sklearn's MAPE: |y - p| / max(|y|, eps), a fraction
    assert scores["mape"] == pytest.approx((1 / np.finfo(float).eps + 0 + 50 / 99) / 3)
    # negative predictions are clipped for the log metrics only
    assert regression_scores(np.array([0.0, 1.0]), np.array([-5.0, 1.0]))["rmsle"] == 0.0
    with pytest.raises(ConfigError, match="equal length"):
        regression_scores(np.array([]), np.array([]))


def _terms(**changes: float) -> InvestmentTerms:
    values = {"revenue_per_unit": 1_000.0, "holder_share": 0.5, "raise_amount": 1e6,
              "costs": 100_000.0, **changes}
    return InvestmentTerms(**values)  # type: ignore[arg-type]


def test_investment_board_returns_and_grades_by_hand() -> None:
    titles = pd.Series(["safe", "risky", "loser", "middle"])
    predicted = np.array([5_000.0, 4_000.0, 1_000.0, 3_000.0])
    interval = np.array([[2_400.0, 9_000.0], [200.0, 20_000.0], [100.0, 3_000.0],
                         [1_700.0, 6_000.0]])
    board = investment_board(titles, predicted, interval, _terms())
    # payout = q * 1000 * 0.5 - 100,000; return = payout / 1e6 - 1
    safe = board.set_index("title").loc["safe"]
    assert safe["expected_revenue"] == 5_000_000
    assert safe["expected_payout"] == 2_400_000
    assert safe["expected_return"] == pytest.approx(1.4)
    assert safe["return_low"] == pytest.approx(0.1)
    assert board["title"].tolist() == ["safe", "risky", "middle", "loser"]
    assert board["rank"].tolist() == [1, 2, 3, 4]
    grades = dict(zip(board["title"], board["risk_grade"], strict=True))
    # risky: low return -1 (payout 0) -> D; middle: low return -0.25 -> C; loser: < 0 -> E
    assert grades == {"safe": "A", "risky": "D", "middle": "C", "loser": "E"}
    assert (board["return_low"] <= board["expected_return"]).all()


@pytest.mark.parametrize(("changes", "match"), [
    ({"revenue_per_unit": 0.0}, "revenue_per_unit must be > 0"),
    ({"holder_share": 1.5}, r"holder_share must be in \(0, 1\]"),
    ({"raise_amount": -1.0}, "raise_amount must be > 0"),
    ({"costs": -1.0}, "costs must be >= 0"),
    ({"revenue_per_unit": float("nan")}, "revenue_per_unit"),
], ids=["revenue", "share", "raise", "costs", "nan"])
def test_investment_terms_validate_on_creation(changes: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        _terms(**changes)


def test_investment_board_rejects_mismatched_rows() -> None:
    with pytest.raises(SchemaError, match="same rows"):
        investment_board(pd.Series(["a"]), np.array([1.0, 2.0]), np.ones((2, 2)), _terms())
    with pytest.raises(SchemaError, match="finite and >= 0"):
        investment_board(pd.Series(["a"]), np.array([-1.0]), np.ones((1, 2)), _terms())
    empty = investment_board(pd.Series([], dtype=str), np.array([]), np.empty((0, 2)), _terms())
    assert empty.empty
    assert "risk_grade" in empty.columns
