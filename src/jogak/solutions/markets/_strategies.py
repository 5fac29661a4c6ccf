"""Strategies turn bars into one decision per bar; a check that they never look ahead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from jogak.solutions.markets._backtest import BacktestConfig, BacktestResult, run_backtest
from jogak.solutions.markets._indicators import sma
from jogak.solutions.markets._repair import MarketDataError

__all__ = ["LookAheadError", "SMACross", "Strategy", "StrategyBacktest", "backtest",
           "check_no_lookahead"]


class LookAheadError(MarketDataError):
    """A strategy's decision for a bar changed when only later bars changed."""


@runtime_checkable
class Strategy(Protocol):
    """Anything with ``decisions(bars) -> Series``: one decision per bar, made at its close."""

    def decisions(self, bars: pd.DataFrame) -> pd.Series:
        """Sign = wanted side, magnitude = confidence; NaN or 0 = flat."""
        ...


@dataclass(frozen=True, kw_only=True)
class SMACross:
    """Long when SMA(fast) > SMA(slow) at the close, flat (or short) otherwise.

    Flat while either average is undefined.

    Examples
    --------
    >>> close = pd.Series([1.0, 2, 3, 2, 1])
    >>> bars = pd.DataFrame({"open": close, "high": close, "low": close, "close": close})
    >>> SMACross(fast=1, slow=2).decisions(bars).tolist()
    [0.0, 1.0, 1.0, 0.0, 0.0]
    """

    fast: int = 10
    slow: int = 30
    allow_short: bool = False

    def __post_init__(self) -> None:
        for name in ("fast", "slow"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise MarketDataError(f"{name} must be an integer >= 1, got {value!r}.")
        if self.fast >= self.slow:
            raise MarketDataError(f"sma_cross needs fast < slow, got fast={self.fast}, "
                                  f"slow={self.slow}.")

    def decisions(self, bars: pd.DataFrame) -> pd.Series:
        """1 where SMA(fast) > SMA(slow), else 0 (or -1 with ``allow_short``)."""
        fast, slow = sma(bars["close"], self.fast), sma(bars["close"], self.slow)
        defined = fast.notna() & slow.notna()
        above = fast > slow
        out = np.where(above, 1.0, -1.0 if self.allow_short else 0.0)
        return pd.Series(np.where(defined, out, 0.0), index=bars.index, name="decision")


def _corrupt(bars: pd.DataFrame, after: int, rng: np.random.Generator) -> pd.DataFrame:
    noisy = bars.copy()
    n_future = len(bars) - after - 1
    if n_future <= 0:
        return noisy
    factor = np.exp(rng.normal(0.0, 0.5, size=n_future))
    for name in ("open", "high", "low", "close"):
        noisy.iloc[after + 1:, noisy.columns.get_loc(name)] *= factor
    if "volume" in noisy.columns:
        noisy.iloc[after + 1:, noisy.columns.get_loc("volume")] *= rng.uniform(
            0, 3, size=n_future)
    return noisy


def check_no_lookahead(strategy: Strategy, bars: pd.DataFrame, *, n_cuts: int = 3,
                       random_state: int = 0, decisions: pd.Series | None = None) -> None:
    """Raise if corrupting or removing the bars after a cut changes any decision up to the cut.

    Cuts are drawn in the second half of the bars; at each, the strategy is rerun on the bars
    truncated after the cut and on bars whose later prices were multiplied by random factors.

    Raises
    ------
    LookAheadError
        Naming the first bar whose decision depended on later bars.
    """
    if n_cuts < 1 or len(bars) < 4:
        return
    rng = np.random.default_rng(random_state)
    full = strategy.decisions(bars) if decisions is None else decisions
    full_values = np.nan_to_num(full.to_numpy(dtype="float64"))
    cuts = rng.integers(len(bars) // 2, len(bars) - 1, size=n_cuts)
    for cut in sorted({int(c) for c in cuts}):
        for variant in (bars.iloc[:cut + 1], _corrupt(bars, cut, rng)):
            again = np.nan_to_num(strategy.decisions(variant).to_numpy(dtype="float64"))
            changed = ~np.isclose(again[:cut + 1], full_values[:cut + 1], rtol=1e-9,
                                  atol=1e-12)
            if changed.any():
                first = int(np.flatnonzero(changed)[0])
                raise LookAheadError(
                    f"The decision at {bars.index[first]} changed when only bars after "
                    f"{bars.index[cut]} changed: the strategy looks ahead. Hint: compute each "
                    "decision from bars up to its own close only (no centred windows, no "
                    "shift(-k), no statistics over the whole series).")


@dataclass(frozen=True)
class StrategyBacktest:
    """A strategy's backtest beside buy-and-hold under the same costs.

    Attributes
    ----------
    strategy : BacktestResult
    buy_and_hold : BacktestResult
        Bought at the second bar's open (the first fill any strategy can get), never sold.
    decisions : pandas.Series
    """

    strategy: BacktestResult
    buy_and_hold: BacktestResult
    decisions: pd.Series

    def to_dict(self) -> dict[str, Any]:
        """Strategy metrics with the buy-and-hold ones under ``buy_and_hold``."""
        return {**self.strategy.metrics, "buy_and_hold": dict(self.buy_and_hold.metrics)}


def backtest(bars: pd.DataFrame, strategy: Strategy, config: BacktestConfig | None = None, *,
             verify: bool = True, random_state: int = 0) -> StrategyBacktest:
    """Backtest a strategy next to buy-and-hold, after checking it does not look ahead.

    Parameters
    ----------
    bars : pandas.DataFrame
        Repaired OHLCV bars.
    strategy : Strategy
    config : BacktestConfig, optional
    verify : bool, default True
        Run :func:`check_no_lookahead` first (three cuts).
    random_state : int, default 0
        Seed of the look-ahead check.

    Returns
    -------
    StrategyBacktest

    Raises
    ------
    LookAheadError
        The strategy's decisions depend on later bars.
    """
    config = config or BacktestConfig()
    decisions = strategy.decisions(bars)
    if verify:
        check_no_lookahead(strategy, bars, random_state=random_state, decisions=decisions)
    result = run_backtest(bars, decisions, config)
    hold_config = BacktestConfig(initial_capital=config.initial_capital, fee=config.fee,
                                 slippage=config.slippage, lot_size=config.lot_size,
                                 periods_per_year=config.periods_per_year)
    hold = run_backtest(bars, np.ones(len(bars)), hold_config)
    return StrategyBacktest(result, hold, decisions)
