"""Risk metrics of a return series: VaR, Expected Shortfall, drawdowns, Sharpe and friends.

Conventions (stated once, used everywhere):

- ``returns`` are simple per-bar returns; NaNs are dropped.
- VaR and ES are positive losses: ``VaR = -(q-quantile of returns)`` with ``q = 1 - level`` and
  numpy's linear interpolation; ``ES = -(mean of the returns at or below that quantile)``.
- Parametric VaR uses the sample mean and standard deviation (ddof=1); Cornish-Fisher adds the
  bias-corrected sample skewness and excess kurtosis (as pandas computes them).
- Volatility, Sharpe and Sortino are annualised with ``periods_per_year`` (365 for crypto, 252
  for stocks), the risk-free rate is 0 unless given (as a per-year rate), std uses ddof=1 and
  Sortino's downside deviation is ``sqrt(mean(min(r, 0)^2))`` over all bars (as empyrical).
- Maximum drawdown is negative (``-0.3`` = 30 % below the running peak); Calmar is the CAGR over
  its absolute value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from jogak.solutions.markets._repair import MarketDataError

__all__ = ["RiskReport", "bootstrap_sharpe_pvalue", "cagr", "calmar_ratio",
           "deflated_sharpe_ratio", "drawdown_duration", "expected_shortfall",
           "max_drawdown", "probabilistic_sharpe_ratio", "risk_report", "sharpe_ratio",
           "sortino_ratio", "value_at_risk", "volatility"]

_EULER_GAMMA = 0.5772156649015329


def _clean(returns: pd.Series | np.ndarray | list[float], minimum: int = 2) -> np.ndarray:
    array = np.asarray(returns, dtype="float64").ravel()
    array = array[~np.isnan(array)]
    if len(array) < minimum:
        raise MarketDataError(f"At least {minimum} non-missing returns are needed, got "
                              f"{len(array)}.")
    if not np.isfinite(array).all():
        raise MarketDataError("Returns contain infinite values. Hint: repair prices first "
                              "(a zero price gives an infinite return).")
    return array


def _check_level(level: float) -> None:
    if not 0.5 < level < 1.0:
        raise MarketDataError(f"level must be in (0.5, 1), e.g. 0.95, got {level!r}.")


def value_at_risk(returns: pd.Series | np.ndarray, *, level: float = 0.95,
                  method: Literal["historical", "normal", "cornish_fisher"] = "historical"
                  ) -> float:
    """Value at Risk as a positive loss fraction.

    Examples
    --------
    >>> r = np.array([-0.05, -0.02, 0.0, 0.01, 0.03])
    >>> round(value_at_risk(r, level=0.8), 6)  # -(20th percentile) = -(-0.026)
    0.026
    """
    _check_level(level)
    array = _clean(returns)
    tail = 1.0 - level
    if method == "historical":
        return float(-np.percentile(array, 100.0 * tail))
    if method not in ("normal", "cornish_fisher"):
        raise MarketDataError(f"method must be 'historical', 'normal' or 'cornish_fisher', "
                              f"got {method!r}.")
    mean, std = array.mean(), array.std(ddof=1)
    z = stats.norm.ppf(tail)
    if method == "cornish_fisher":
        skew = stats.skew(array, bias=False)
        kurt = stats.kurtosis(array, fisher=True, bias=False)
        z = (z + (z**2 - 1) * skew / 6 + (z**3 - 3 * z) * kurt / 24
             - (2 * z**3 - 5 * z) * skew**2 / 36)
    return float(-(mean + z * std))


def expected_shortfall(returns: pd.Series | np.ndarray, *, level: float = 0.95,
                       method: Literal["historical", "normal"] = "historical") -> float:
    """Expected Shortfall (CVaR) as a positive loss: the mean loss at or beyond the VaR.

    Examples
    --------
    >>> r = np.array([-0.05, -0.02, 0.0, 0.01, 0.03])
    >>> round(expected_shortfall(r, level=0.8), 6)  # mean of returns <= -0.026
    0.05
    """
    _check_level(level)
    array = _clean(returns)
    tail = 1.0 - level
    if method == "historical":
        cutoff = np.percentile(array, 100.0 * tail)
        return float(-array[array <= cutoff].mean())
    if method != "normal":
        raise MarketDataError(f"method must be 'historical' or 'normal', got {method!r}.")
    z = stats.norm.ppf(tail)
    return float(-(array.mean() - array.std(ddof=1) * stats.norm.pdf(z) / tail))


def _equity_from(returns: np.ndarray) -> np.ndarray:
    return np.concatenate([[1.0], np.cumprod(1.0 + returns)])


def max_drawdown(returns: pd.Series | np.ndarray) -> float:
    """The deepest fall below the running peak of the compounded returns (negative or 0).

    Examples
    --------
    >>> max_drawdown(np.array([0.1, -0.5, 0.2]))
    -0.5
    """
    equity = _equity_from(_clean(returns, 1))
    return float((equity / np.maximum.accumulate(equity) - 1.0).min())


def drawdown_duration(returns: pd.Series | np.ndarray) -> int:
    """The longest run of bars spent below a previous peak (recovered or not).

    Examples
    --------
    >>> drawdown_duration(np.array([0.1, -0.1, 0.05, 0.1, -0.01]))
    2
    """
    equity = _equity_from(_clean(returns, 1))
    under = equity < np.maximum.accumulate(equity)
    longest = current = 0
    for flag in under:
        current = current + 1 if flag else 0
        longest = max(longest, current)
    return longest


def volatility(returns: pd.Series | np.ndarray, *, periods_per_year: float = 365.0) -> float:
    """Annualised standard deviation (ddof=1)."""
    return float(_clean(returns).std(ddof=1) * np.sqrt(periods_per_year))


def sharpe_ratio(returns: pd.Series | np.ndarray, *, periods_per_year: float = 365.0,
                 risk_free: float = 0.0) -> float:
    """Annualised Sharpe ratio: ``mean(r - rf) / std(r) * sqrt(periods_per_year)``.

    ``risk_free`` is a per-year rate, spread evenly over the bars. NaN when std is 0.
    """
    array = _clean(returns) - risk_free / periods_per_year
    std = array.std(ddof=1)
    return float(array.mean() / std * np.sqrt(periods_per_year)) if std > 0 else float("nan")


def sortino_ratio(returns: pd.Series | np.ndarray, *, periods_per_year: float = 365.0,
                  risk_free: float = 0.0) -> float:
    """Annualised Sortino ratio with downside deviation ``sqrt(mean(min(r - rf, 0)^2))``."""
    array = _clean(returns) - risk_free / periods_per_year
    downside = np.sqrt(np.mean(np.minimum(array, 0.0) ** 2))
    if downside == 0:
        return float("inf") if array.mean() > 0 else float("nan")
    return float(array.mean() / downside * np.sqrt(periods_per_year))


def cagr(returns: pd.Series | np.ndarray, *, periods_per_year: float = 365.0) -> float:
    """Compound annual growth rate, ``(prod(1 + r)) ** (periods_per_year / n) - 1``."""
    array = _clean(returns, 1)
    growth = float(np.prod(1.0 + array))
    if growth <= 0:
        return -1.0
    return growth ** (periods_per_year / len(array)) - 1.0


def calmar_ratio(returns: pd.Series | np.ndarray, *, periods_per_year: float = 365.0) -> float:
    """CAGR divided by the absolute maximum drawdown (NaN without a drawdown)."""
    depth = max_drawdown(returns)
    return cagr(returns, periods_per_year=periods_per_year) / -depth if depth < 0 else float("nan")


def probabilistic_sharpe_ratio(returns: pd.Series | np.ndarray, *,
                               benchmark: float = 0.0) -> float:
    """Probability that the true per-bar Sharpe ratio exceeds ``benchmark`` (Bailey and López
    de Prado 2012), allowing for skewness and fat tails of the returns."""
    array = _clean(returns, 3)
    std = array.std(ddof=1)
    if std == 0:
        return float("nan")
    sharpe = array.mean() / std
    skew = stats.skew(array)
    kurt = stats.kurtosis(array, fisher=False)
    denominator = 1.0 - skew * sharpe + (kurt - 1.0) / 4.0 * sharpe**2
    if denominator <= 0:
        return float("nan")
    return float(stats.norm.cdf((sharpe - benchmark) * np.sqrt(len(array) - 1)
                                / np.sqrt(denominator)))


def deflated_sharpe_ratio(returns: pd.Series | np.ndarray, *, n_trials: int,
                          sharpe_variance: float) -> float:
    """Deflated Sharpe ratio (Bailey and López de Prado 2014).

    The probability that the best of ``n_trials`` strategies has a true Sharpe above 0, given
    that the per-bar Sharpe ratios of the trials have variance ``sharpe_variance``: the PSR
    against the expected maximum of ``n_trials`` unskilled Sharpe ratios. With one trial it is
    the PSR against 0.
    """
    if n_trials < 1:
        raise MarketDataError(f"n_trials must be >= 1, got {n_trials}.")
    if sharpe_variance < 0:
        raise MarketDataError(f"sharpe_variance must be >= 0, got {sharpe_variance}.")
    if n_trials == 1:
        expected_max = 0.0
    else:
        expected_max = np.sqrt(sharpe_variance) * (
            (1 - _EULER_GAMMA) * stats.norm.ppf(1 - 1.0 / n_trials)
            + _EULER_GAMMA * stats.norm.ppf(1 - 1.0 / (n_trials * np.e)))
    return probabilistic_sharpe_ratio(returns, benchmark=float(expected_max))


def bootstrap_sharpe_pvalue(returns: pd.Series | np.ndarray, *, n_resamples: int = 1000,
                            block: int = 20, random_state: int | None = 0) -> float:
    """One-sided p-value of a positive Sharpe ratio under a zero-mean null.

    Circular-block bootstrap of the demeaned returns (keeps volatility clustering); the p-value
    is the share of resampled Sharpe ratios at least as large as the observed one (with the
    +1 correction, so it is never 0).
    """
    array = _clean(returns, 3)
    if n_resamples < 1 or block < 1:
        raise MarketDataError("n_resamples and block must be >= 1.")
    std = array.std(ddof=1)
    if std == 0:
        return float("nan")
    observed = array.mean() / std
    centred = array - array.mean()
    n = len(array)
    rng = np.random.default_rng(random_state)
    n_blocks = -(-n // block)
    starts = rng.integers(0, n, size=(n_resamples, n_blocks))
    index = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(n_resamples, -1)[:, :n]
    sample = centred[index % n]
    sample_std = sample.std(axis=1, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        resampled = sample.mean(axis=1) / sample_std
    exceed = int(np.sum(resampled >= observed))
    return (exceed + 1) / (n_resamples + 1)


@dataclass(frozen=True)
class RiskReport:
    """The risk metrics of one return series (see the module notes for conventions)."""

    n_periods: int
    periods_per_year: float
    total_return: float
    cagr: float
    volatility: float
    sharpe: float
    sortino: float
    calmar: float
    max_drawdown: float
    max_drawdown_duration: int
    var_95_hist: float
    es_95_hist: float
    var_95_normal: float
    es_95_normal: float
    var_95_cornish_fisher: float
    probabilistic_sharpe: float
    bootstrap_pvalue: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN and infinities become None)."""
        return {key: (None if isinstance(value, float) and not np.isfinite(value) else value)
                for key, value in asdict(self).items()}


def risk_report(returns: pd.Series | np.ndarray, *, periods_per_year: float = 365.0,
                random_state: int | None = 0) -> RiskReport:
    """All risk metrics of a simple-return series.

    Parameters
    ----------
    returns : array-like
        Per-bar simple returns (e.g. close-to-close returns of equity).
    periods_per_year : float, default 365
        Annualisation factor: 365 for crypto, 252 for stocks, 365 * 24 for hourly crypto.
    random_state : int, optional
        Seed of the bootstrap p-value.

    Returns
    -------
    RiskReport

    Raises
    ------
    MarketDataError
        Fewer than three returns, or infinite values.
    """
    if periods_per_year <= 0:
        raise MarketDataError(f"periods_per_year must be > 0, got {periods_per_year}.")
    array = _clean(returns, 3)
    per_year = {"periods_per_year": periods_per_year}
    return RiskReport(
        n_periods=len(array), periods_per_year=periods_per_year,
        total_return=float(np.prod(1.0 + array) - 1.0), cagr=cagr(array, **per_year),
        volatility=volatility(array, **per_year), sharpe=sharpe_ratio(array, **per_year),
        sortino=sortino_ratio(array, **per_year), calmar=calmar_ratio(array, **per_year),
        max_drawdown=max_drawdown(array), max_drawdown_duration=drawdown_duration(array),
        var_95_hist=value_at_risk(array), es_95_hist=expected_shortfall(array),
        var_95_normal=value_at_risk(array, method="normal"),
        es_95_normal=expected_shortfall(array, method="normal"),
        var_95_cornish_fisher=value_at_risk(array, method="cornish_fisher"),
        probabilistic_sharpe=probabilistic_sharpe_ratio(array),
        bootstrap_pvalue=bootstrap_sharpe_pvalue(array, random_state=random_state))
