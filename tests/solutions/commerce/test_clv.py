"""BG/NBD and Gamma-Gamma: the lifetimes reference on CDNOW, closed forms, parameter recovery."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import special

from jogak.data import load
from jogak.errors import ConfigError, SchemaError
from jogak.solutions.commerce import (
    BetaGeoModel,
    GammaGammaModel,
    ModelFitError,
    clv_summary,
    customer_lifetime_value,
    customer_value,
)
from jogak.testing._commerce import make_transactions

# Reference: lifetimes 0.11.3 (numpy 1.23.5, pandas 1.5.3, scipy 1.10.1) on the whole CDNOW
# cohort, calibration 1997-01-01..1997-09-30, holdout to 1998-06-30, purchases per day, produced
# by:
#   benchmarks/setup_lifetimes.sh
#   /work/peers/lifetimes/bin/python benchmarks/lifetimes_reference.py \
#       --data ../shared/datasets/cdnow_purchases/cdnow_master.csv.gz
LIFETIMES_BGNBD = {"r": 0.25162401142410373, "alpha": 33.522616192289185,
                   "a": 0.7234330357288314, "b": 2.1610869813724425}
LIFETIMES_GAMMA_GAMMA = {"p": 6.275358592842394, "q": 3.6244502103901337,
                         "v": 14.983688961931101}
LIFETIMES_SUMMARY = {"n_customers": 23570, "sum_frequency_cal": 24337.0,
                     "sum_T_cal": 5399736.0, "duration_holdout": 273.0,
                     "gamma_gamma_n_customers": 9450}
LIFETIMES_HOLDOUT = {"predicted_total": 16873.737004341623, "actual_total": 19684.0,
                     "mae": 0.8187422923395578, "rmse": 1.7329112330178675}
LIFETIMES_FIRST_CUSTOMERS = {  # predicted holdout purchases, actual, expected spend
    "00001": (0.20008979215444592, 0.0, 35.82770246792164),
    "00002": (0.20680237458618747, 0.0, 35.82770246792164),
    "00003": (0.6173917937058214, 3.0, 22.861360505388106),
    "00004": (1.2328757482668848, 1.0, 24.676748995251074),
    "00005": (4.645265969869389, 3.0, 33.278043712840095),
}
# Fader, Hardie & Lee (2005), BG/NBD on the 1/10 CDNOW sample (2,357 customers), weeks
PUBLISHED_BGNBD_WEEKS = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def cdnow(data_dir: Path) -> pd.DataFrame:
    return load(data_dir / "cdnow_purchases" / "cdnow_master.csv.gz")


@pytest.fixture(scope="module")
def cdnow_value(cdnow: pd.DataFrame) -> object:
    return customer_value(cdnow, customer_col="customer_id", date_col="date",
                          amount_col="dollar_value", calibration_end="1997-09-30",
                          observation_end="1998-06-30")


def test_clv_summary_on_cdnow_matches_lifetimes(cdnow: pd.DataFrame) -> None:
    summary = clv_summary(cdnow, customer_col="customer_id", date_col="date",
                          amount_col="dollar_value", calibration_end="1997-09-30",
                          observation_end="1998-06-30")
    assert len(summary) == LIFETIMES_SUMMARY["n_customers"]
    assert summary["frequency"].sum() == LIFETIMES_SUMMARY["sum_frequency_cal"]
    assert summary["T"].sum() == LIFETIMES_SUMMARY["sum_T_cal"]
    assert (summary["duration_holdout"] == LIFETIMES_SUMMARY["duration_holdout"]).all()
    # customer 00002 bought twice on 1997-01-12: one purchase day, no repeat
    assert summary.loc["00002", ["frequency", "recency", "monetary_value"]].tolist() == [0, 0, 0]
    mine = cdnow[cdnow["customer_id"] == "00003"].assign(
        day=lambda f: pd.to_datetime(f["date"].astype(str)))
    calibration = mine[mine["day"] <= "1997-09-30"].groupby("day")["dollar_value"].sum()
    row = summary.loc["00003"]
    assert row["frequency"] == len(calibration) - 1
    assert row["recency"] == (calibration.index.max() - calibration.index.min()).days
    assert row["T"] == (pd.Timestamp("1997-09-30") - calibration.index.min()).days
    assert row["monetary_value"] == pytest.approx(calibration.iloc[1:].mean())


@pytest.mark.slow
def test_cdnow_parameters_within_one_percent_of_lifetimes(cdnow_value: object) -> None:
    result = cdnow_value
    for name, value in LIFETIMES_BGNBD.items():
        assert result.bgnbd.params_[name] == pytest.approx(value, rel=1e-3), name
    for name, value in LIFETIMES_GAMMA_GAMMA.items():
        assert result.gamma_gamma.params_[name] == pytest.approx(value, rel=1e-3), name
    assert result.gamma_gamma.n_customers_ == LIFETIMES_SUMMARY["gamma_gamma_n_customers"]


@pytest.mark.slow
def test_cdnow_holdout_predictions_per_customer_match_lifetimes(cdnow_value: object) -> None:
    result = cdnow_value
    customers = result.customers
    for customer, (predicted, actual, spend) in LIFETIMES_FIRST_CUSTOMERS.items():
        row = customers.loc[customer]
        assert row["expected_purchases"] == pytest.approx(predicted, rel=1e-3)
        assert row["actual_purchases"] == actual
        assert row["expected_spend"] == pytest.approx(spend, rel=1e-3)
        assert row["error"] == pytest.approx(predicted - actual, abs=1e-3)
    metrics = result.metrics
    assert metrics["holdout_actual_total"] == LIFETIMES_HOLDOUT["actual_total"]
    assert metrics["holdout_predicted_total"] == pytest.approx(
        LIFETIMES_HOLDOUT["predicted_total"], rel=1e-3)
    assert metrics["holdout_mae"] == pytest.approx(LIFETIMES_HOLDOUT["mae"], rel=1e-3)
    assert metrics["holdout_rmse"] == pytest.approx(LIFETIMES_HOLDOUT["rmse"], rel=1e-3)


@pytest.mark.slow
def test_cdnow_weekly_fit_lies_beside_the_published_sample_parameters(
        cdnow: pd.DataFrame) -> None:
    summary = clv_summary(cdnow, customer_col="customer_id", date_col="date",
                          calibration_end="1997-09-30", time_unit="week")
    params = BetaGeoModel().fit(summary).params_
    assert params["alpha"] == pytest.approx(LIFETIMES_BGNBD["alpha"] / 7, rel=1e-3)
    for name in ("r", "a", "b"):
        assert params[name] == pytest.approx(LIFETIMES_BGNBD[name], rel=1e-3)
    # the whole cohort against the 1/10 sample: same order, within 15 %
    for name, value in PUBLISHED_BGNBD_WEEKS.items():
        assert params[name] == pytest.approx(value, rel=0.15), name


def _bgnbd_likelihood(r: float, alpha: float, a: float, b: float, x: int, t_x: float,
                      T: float) -> float:
    """Eq. 6 of Fader, Hardie & Lee (2005), written out without logs."""
    common = special.gamma(r + x) * alpha ** r / special.gamma(r)
    value = special.beta(a, b + x) / special.beta(a, b) * common / (alpha + T) ** (r + x)
    if x > 0:
        value += special.beta(a + 1, b + x - 1) / special.beta(a, b) * common / \
            (alpha + t_x) ** (r + x)
    return float(value)


def _fitted_model() -> BetaGeoModel:
    tx = make_transactions(400, seed=4)
    return BetaGeoModel().fit(clv_summary(tx, customer_col="customer_id", date_col="date"))


@pytest.mark.slow
def test_log_likelihood_equals_the_published_formula() -> None:
    model = _fitted_model()
    rows = [(0, 0.0, 30.0), (1, 5.0, 40.0), (3, 20.0, 21.0), (7, 100.0, 300.0)]
    X = pd.DataFrame(rows, columns=["frequency", "recency", "T"])
    expected = [np.log(_bgnbd_likelihood(model.r_, model.alpha_, model.a_, model.b_, *row))
                for row in rows]
    assert model.score(X) == pytest.approx(np.mean(expected), rel=1e-10)
    # the optimum: nudging any parameter lowers the likelihood of the training summary
    tx = make_transactions(400, seed=4)
    summary = clv_summary(tx, customer_col="customer_id", date_col="date")
    best = model.score(summary)
    for name in ("r_", "alpha_", "a_", "b_"):
        for factor in (0.98, 1.02):
            nudged = BetaGeoModel().fit(summary)
            setattr(nudged, name, getattr(model, name) * factor)
            assert nudged.score(summary) < best
    assert model.log_likelihood_ == pytest.approx(best * len(summary), rel=1e-9)


def test_expected_purchases_closed_forms() -> None:
    model = _fitted_model()
    r, alpha, a, b = model.r_, model.alpha_, model.a_, model.b_
    # a customer just acquired (x = t_x = T = 0) expects the population's eq. 9
    new = pd.DataFrame({"frequency": [0], "recency": [0.0], "T": [0.0]})
    assert model.expected_purchases(new, t=90).item() == pytest.approx(
        model.population_purchases(90), rel=1e-10)
    hand = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + 90)) ** r
                                    * special.hyp2f1(r, b, a + b - 1, 90 / (alpha + 90)))
    assert model.population_purchases(90) == pytest.approx(hand, rel=1e-12)
    X = pd.DataFrame({"frequency": [0, 2, 2, 10], "recency": [0.0, 10.0, 60.0, 60.0],
                      "T": [60.0, 60.0, 60.0, 60.0]})
    assert (model.expected_purchases(X, t=0) == 0).all()
    assert (model.expected_purchases(X, t=30) < model.expected_purchases(X, t=60)).all()
    alive = model.probability_alive(X)
    assert alive.iloc[0] == 1.0
    # P(alive) by hand for x = 2, t_x = 10: 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))
    hand_alive = 1 / (1 + a / (b + 1) * ((alpha + 60) / (alpha + 10)) ** (r + 2))
    assert alive.iloc[1] == pytest.approx(hand_alive, rel=1e-12)
    assert alive.iloc[2] > alive.iloc[1]  # a recent buyer is more likely alive
    assert model.expected_purchases(X, t=30).iloc[3] > model.expected_purchases(X, t=30).iloc[2]


def test_gamma_gamma_expected_spend_and_likelihood_by_hand() -> None:
    tx = make_transactions(400, seed=2)
    summary = clv_summary(tx, customer_col="customer_id", date_col="date", amount_col="amount")
    model = GammaGammaModel().fit(summary)
    p, q, v = model.p_, model.q_, model.v_
    X = pd.DataFrame({"frequency": [0, 1, 2, 3], "monetary_value": [0.0, 10.0, 12.0, 25.0]})
    spend = model.expected_spend(X)
    assert spend.iloc[0] == pytest.approx(p * v / (q - 1))  # no repeat: the population mean
    weight = p * 3 / (p * 3 + q - 1)
    assert spend.iloc[3] == pytest.approx((1 - weight) * p * v / (q - 1) + weight * 25)
    by_hand = [np.log(special.gamma(p * x + q) / (special.gamma(p * x) * special.gamma(q))
                      * v ** q * m ** (p * x - 1) * x ** (p * x) / (v + x * m) ** (p * x + q))
               for x, m in [(1, 10.0), (2, 12.0), (3, 25.0)]]
    assert model.score(X) == pytest.approx(np.mean(by_hand), rel=1e-10)
    assert model.n_customers_ == int(((summary["frequency"] > 0)
                                      & (summary["monetary_value"] > 0)).sum())


def test_clv_without_discount_is_spend_times_purchases() -> None:
    tx = make_transactions(300, seed=5)
    summary = clv_summary(tx, customer_col="customer_id", date_col="date", amount_col="amount")
    bg, gg = BetaGeoModel().fit(summary), GammaGammaModel().fit(summary)
    value = customer_lifetime_value(bg, gg, summary, months=6, discount_rate=0.0)
    expected = gg.expected_spend(summary) * bg.expected_purchases(summary, t=180)
    np.testing.assert_allclose(value, expected, rtol=1e-10)
    discounted = customer_lifetime_value(bg, gg, summary, months=6, discount_rate=0.02)
    assert (discounted <= value + 1e-12).all()


def test_parameters_are_recovered_from_simulated_customers(global_random_seed: int) -> None:
    tx = make_transactions(3000, seed=global_random_seed, days=730)
    summary = clv_summary(tx, customer_col="customer_id", date_col="date", amount_col="amount",
                          observation_end="2025-12-30")
    bg = BetaGeoModel().fit(summary)
    assert bg.r_ == pytest.approx(0.25, rel=0.1)
    assert bg.alpha_ == pytest.approx(30.0, rel=0.1)
    assert bg.a_ / (bg.a_ + bg.b_) == pytest.approx(0.8 / 3.3, rel=0.1)  # mean drop-out
    gg = GammaGammaModel().fit(summary)
    assert gg.p_ * gg.v_ / (gg.q_ - 1) == pytest.approx(6 * 15 / 3, rel=0.1)  # mean spend


def test_customer_value_without_holdout_uses_the_horizon() -> None:
    tx = make_transactions(300, seed=6)
    result = customer_value(tx, customer_col="customer_id", date_col="date",
                            amount_col="amount", horizon_days=30)
    assert "actual_purchases" not in result.customers
    assert result.metrics["horizon"] == 30
    assert set(result.to_dict()) >= {"bgnbd", "gamma_gamma", "n_customers"}
    assert (result.customers["probability_alive"].between(0, 1)).all()


@pytest.mark.parametrize(("X", "message"), [
    (pd.DataFrame({"frequency": [1], "recency": [5.0]}), r"\['T'\] missing"),
    (pd.DataFrame({"frequency": [1, 0], "recency": [50.0, 0.0], "T": [40.0, 40.0]}),
     "between 0 and T"),
    (pd.DataFrame({"frequency": [0.5], "recency": [1.0], "T": [4.0]}), "whole number"),
    (pd.DataFrame({"frequency": [0], "recency": [3.0], "T": [4.0]}), "must be 0"),
    (pd.DataFrame({"frequency": [np.nan], "recency": [3.0], "T": [4.0]}), "finite"),
    (np.zeros((3, 2)), r"shape \(n_customers, 3\)"),
    (pd.DataFrame({"frequency": [], "recency": [], "T": []}), "at least one customer"),
], ids=["missing_column", "recency_beyond_T", "fractional", "recency_without_repeat", "nan",
        "array_shape", "empty"])
def test_bgnbd_rejects_bad_summaries(X: object, message: str) -> None:
    with pytest.raises(SchemaError, match=message):
        BetaGeoModel().fit(X)


def test_fits_refuse_data_without_repeat_buyers_and_bad_parameters() -> None:
    once = pd.DataFrame({"frequency": [0, 0], "recency": [0.0, 0.0], "T": [5.0, 9.0],
                         "monetary_value": [0.0, 0.0]})
    with pytest.raises(ModelFitError, match="bought more than once"):
        BetaGeoModel().fit(once)
    with pytest.raises(ModelFitError, match="at least 2 customers"):
        GammaGammaModel().fit(once)
    with pytest.raises(ConfigError, match="penalizer must be a number >= 0"):
        BetaGeoModel(penalizer=-1).fit(once)
    with pytest.raises(ConfigError, match="t must be >= 0"):
        _fitted_model().expected_purchases(once, t=-1)


def test_clv_options_are_checked() -> None:
    tx = make_transactions(50, seed=1)
    with pytest.raises(ConfigError, match="must not be after observation_end"):
        clv_summary(tx, customer_col="customer_id", date_col="date",
                    calibration_end="2025-01-01", observation_end="2024-06-01")
    with pytest.raises(ConfigError, match="time_unit must be 'day' or 'week'"):
        clv_summary(tx, customer_col="customer_id", date_col="date",
                    time_unit="month")  # type: ignore[arg-type]
    with pytest.raises(SchemaError, match="No purchase on or before calibration_end"):
        clv_summary(tx, customer_col="customer_id", date_col="date",
                    calibration_end="2000-01-01")
    with pytest.raises(ConfigError, match="horizon_days must be a whole number"):
        customer_value(tx, customer_col="customer_id", date_col="date", amount_col="amount",
                       horizon_days=0)
