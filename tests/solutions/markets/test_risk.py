"""Risk metrics against numpy hand computations and quantstats/empyrical reference values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from jogak.solutions.markets import (
    MarketDataError,
    bootstrap_sharpe_pvalue,
    cagr,
    calmar_ratio,
    deflated_sharpe_ratio,
    drawdown_duration,
    expected_shortfall,
    max_drawdown,
    probabilistic_sharpe_ratio,
    risk_report,
    sharpe_ratio,
    sortino_ratio,
    value_at_risk,
    volatility,
)

FIXED = np.array([0.01, -0.02, 0.015, -0.05, 0.03, 0.0, -0.01, 0.02, -0.03, 0.025])


def _reference_series() -> pd.Series:
    rng = np.random.default_rng(42)
    return pd.Series(rng.standard_t(4, size=500) * 0.02 + 0.001)


def test_historical_var_and_es_by_hand() -> None:
    q = np.percentile(FIXED, 5)  # linear interpolation between -0.05 and -0.03
    assert q == pytest.approx(-0.05 + 0.45 * 0.02)
    assert value_at_risk(FIXED) == pytest.approx(-q)
    assert expected_shortfall(FIXED) == pytest.approx(0.05)  # only -0.05 is at or below q
    assert value_at_risk(FIXED, level=0.8) == pytest.approx(-np.percentile(FIXED, 20))
    assert expected_shortfall(FIXED, level=0.8) == pytest.approx(
        -FIXED[np.percentile(FIXED, 20) >= FIXED].mean())


def test_parametric_var_by_hand() -> None:
    mean, std = FIXED.mean(), FIXED.std(ddof=1)
    z = stats.norm.ppf(0.05)
    assert value_at_risk(FIXED, method="normal") == pytest.approx(-(mean + z * std))
    skew, kurt = pd.Series(FIXED).skew(), pd.Series(FIXED).kurt()  # bias-corrected, excess
    z_cf = (z + (z**2 - 1) * skew / 6 + (z**3 - 3 * z) * kurt / 24
            - (2 * z**3 - 5 * z) * skew**2 / 36)
    assert value_at_risk(FIXED, method="cornish_fisher") == pytest.approx(-(mean + z_cf * std))
    assert expected_shortfall(FIXED, method="normal") == pytest.approx(
        -(mean - std * stats.norm.pdf(z) / 0.05))


def test_drawdown_and_ratios_by_hand() -> None:
    equity = np.concatenate([[1.0], np.cumprod(1 + FIXED)])
    assert max_drawdown(FIXED) == pytest.approx((equity / np.maximum.accumulate(equity) - 1).min())
    assert drawdown_duration(np.array([0.1, -0.1, 0.05, 0.1, -0.01])) == 2
    assert drawdown_duration(np.array([0.1, 0.1])) == 0
    assert volatility(FIXED, periods_per_year=252) == pytest.approx(
        FIXED.std(ddof=1) * np.sqrt(252))
    assert sharpe_ratio(FIXED, periods_per_year=365) == pytest.approx(
        FIXED.mean() / FIXED.std(ddof=1) * np.sqrt(365))
    downside = np.sqrt(np.mean(np.minimum(FIXED, 0) ** 2))
    assert sortino_ratio(FIXED, periods_per_year=365) == pytest.approx(
        FIXED.mean() / downside * np.sqrt(365))
    growth = np.prod(1 + FIXED) ** (365 / 10) - 1
    assert cagr(FIXED, periods_per_year=365) == pytest.approx(growth)
    assert calmar_ratio(FIXED, periods_per_year=365) == pytest.approx(
        growth / -max_drawdown(FIXED))
    assert sharpe_ratio(np.array([0.01, 0.01, 0.01])) != sharpe_ratio(np.array([0.01, 0.01, 0.01]))


# Computed in the peer venv (benchmarks/setup_backtesting.sh installs quantstats 0.0.86 and
# empyrical-reloaded 0.7.1) on _reference_series() with a daily DatetimeIndex, e.g.
#   ep.sharpe_ratio(r, annualization=365), qs.stats.value_at_risk(r, sigma=1, confidence=0.95)
# quantstats' cvar (the mean below the *parametric* VaR) and its Sortino differ in definition
# from ours and are not compared.
EMPYRICAL = {"sharpe": 0.7834734054278515, "sortino": 1.1489474041451868,
             "max_drawdown": -0.32662681024953727, "volatility": 0.5700929831118248,
             "cagr": 0.3296849478498258, "calmar": 1.0093627880636993}
QUANTSTATS = {"var_normal": -0.0478587764697494, "sharpe": 0.7834734054278519,
              "volatility": 0.5700929831118248, "max_drawdown": -0.3266268102495372}


def test_metrics_agree_with_empyrical_and_quantstats() -> None:
    r = _reference_series()
    per_year = {"periods_per_year": 365}
    assert sharpe_ratio(r, **per_year) == pytest.approx(EMPYRICAL["sharpe"], rel=1e-10)
    assert sortino_ratio(r, **per_year) == pytest.approx(EMPYRICAL["sortino"], rel=1e-10)
    assert max_drawdown(r) == pytest.approx(EMPYRICAL["max_drawdown"], rel=1e-10)
    assert volatility(r, **per_year) == pytest.approx(EMPYRICAL["volatility"], rel=1e-10)
    assert cagr(r, **per_year) == pytest.approx(EMPYRICAL["cagr"], rel=1e-10)
    assert calmar_ratio(r, **per_year) == pytest.approx(EMPYRICAL["calmar"], rel=1e-10)
    assert -value_at_risk(r, method="normal") == pytest.approx(QUANTSTATS["var_normal"],
                                                               rel=1e-10)
    assert sharpe_ratio(r, **per_year) == pytest.approx(QUANTSTATS["sharpe"], rel=1e-10)


def test_probabilistic_and_deflated_sharpe() -> None:
    r = _reference_series().to_numpy()
    sr = r.mean() / r.std(ddof=1)
    skew, kurt = stats.skew(r), stats.kurtosis(r, fisher=False)
    expected = stats.norm.cdf(sr * np.sqrt(len(r) - 1)
                              / np.sqrt(1 - skew * sr + (kurt - 1) / 4 * sr**2))
    assert probabilistic_sharpe_ratio(r) == pytest.approx(expected)
    assert deflated_sharpe_ratio(r, n_trials=1, sharpe_variance=0.0) == pytest.approx(expected)
    # many trials raise the bar: the same series is much less convincing
    assert deflated_sharpe_ratio(r, n_trials=1000, sharpe_variance=0.05**2) < expected / 2
    with pytest.raises(MarketDataError, match="n_trials"):
        deflated_sharpe_ratio(r, n_trials=0, sharpe_variance=0.1)


def test_bootstrap_pvalue_separates_edge_from_noise(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    noise = rng.normal(0.0, 0.01, size=750)
    edge = noise + 0.004
    assert bootstrap_sharpe_pvalue(edge, n_resamples=300, random_state=1) < 0.01
    assert bootstrap_sharpe_pvalue(noise - noise.mean(), n_resamples=300, random_state=1) > 0.2
    first = bootstrap_sharpe_pvalue(edge, n_resamples=50, random_state=7)
    assert first == bootstrap_sharpe_pvalue(edge, n_resamples=50, random_state=7)


def test_risk_report_is_json_ready_and_consistent() -> None:
    report = risk_report(FIXED, periods_per_year=252).to_dict()
    assert report["var_95_hist"] == pytest.approx(value_at_risk(FIXED))
    assert report["total_return"] == pytest.approx(np.prod(1 + FIXED) - 1)
    assert report["n_periods"] == 10
    assert report["periods_per_year"] == 252


@pytest.mark.parametrize(("values", "message"), [
    ([0.01], "At least 2"), ([0.01, np.inf, 0.0], "infinite"), ([np.nan, np.nan], "At least 2"),
], ids=["one_value", "infinite", "all_missing"])
def test_risk_refuses_unusable_returns(values: list[float], message: str) -> None:
    with pytest.raises(MarketDataError, match=message):
        value_at_risk(np.array(values))


def test_level_is_checked() -> None:
    with pytest.raises(MarketDataError, match="level must be"):
        value_at_risk(FIXED, level=95)
