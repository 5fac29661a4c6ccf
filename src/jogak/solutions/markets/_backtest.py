"""An honest bar backtester: decisions at bar t's close are filled at bar t+1's open.

The engine is handed one decision per bar and reads the decision of bar ``t - 1`` when it fills
at bar ``t``'s open, so a decision can never trade on the bar it was made from. Positions change
only when the sign of the decision changes (long / flat / short); the size is set at entry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from jogak.solutions.markets._repair import MarketDataError
from jogak.solutions.markets._risk import (
    calmar_ratio,
    drawdown_duration,
    expected_shortfall,
    max_drawdown,
    probabilistic_sharpe_ratio,
    sharpe_ratio,
    sortino_ratio,
    value_at_risk,
    volatility,
)

__all__ = ["BacktestConfig", "BacktestResult", "run_backtest", "summary_metrics"]


@dataclass(frozen=True, kw_only=True)
class BacktestConfig:
    """Settings of a backtest, checked on creation.

    Parameters
    ----------
    initial_capital : float, default 10,000
    fee : float, default 0
        Proportional fee per side: buying ``q`` units at price ``p`` costs ``q p (1 + fee)``,
        selling them brings ``q p (1 - fee)``.
    slippage : float, default 0
        Proportional price impact per side: buys fill at ``open (1 + slippage)``, sells at
        ``open (1 - slippage)``.
    sizing : {"full", "risk"}, default "full"
        ``"full"`` puts the whole equity in each position. ``"risk"`` (S4) puts
        ``min(risk_fraction * confidence, max_position_fraction)`` of equity, where confidence is
        the decision's magnitude.
    risk_fraction : float, default 0.02
    max_position_fraction : float, default 0.05
    lot_size : float, optional
        Units are rounded down to a multiple of it (``1`` for whole shares); fractional when None.
    periods_per_year : float, default 365
        Annualisation factor of the metrics: 365 for crypto, 252 for stocks.
    """

    initial_capital: float = 10_000.0
    fee: float = 0.0
    slippage: float = 0.0
    sizing: Literal["full", "risk"] = "full"
    risk_fraction: float = 0.02
    max_position_fraction: float = 0.05
    lot_size: float | None = None
    periods_per_year: float = 365.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.initial_capital) and self.initial_capital > 0):
            raise MarketDataError(f"initial_capital must be > 0, got {self.initial_capital!r}.")
        for name in ("fee", "slippage"):
            value = getattr(self, name)
            if not 0.0 <= value < 0.5:
                raise MarketDataError(f"{name} must be in [0, 0.5) (a fraction: 0.001 = 0.1 %), "
                                      f"got {value!r}.")
        if self.sizing not in ("full", "risk"):
            raise MarketDataError(f"sizing must be 'full' or 'risk', got {self.sizing!r}.")
        if not 0.0 < self.risk_fraction <= 1.0:
            raise MarketDataError(f"risk_fraction must be in (0, 1], got {self.risk_fraction!r}.")
        if not 0.0 < self.max_position_fraction <= 1.0:
            raise MarketDataError("max_position_fraction must be in (0, 1], got "
                                  f"{self.max_position_fraction!r}.")
        if self.lot_size is not None and not self.lot_size > 0:
            raise MarketDataError(f"lot_size must be > 0 or None, got {self.lot_size!r}.")
        if not self.periods_per_year > 0:
            raise MarketDataError(f"periods_per_year must be > 0, got {self.periods_per_year!r}.")


@dataclass(frozen=True)
class BacktestResult:
    """What a backtest produced.

    Attributes
    ----------
    equity : pandas.Series
        Equity marked at every close.
    position : pandas.Series
        Signed units held at every close.
    trades : pandas.DataFrame
        One row per position: ``side, units, entry_time, entry_price, exit_time, exit_price,
        fees, pnl, return, is_open`` (an open position is marked at the last close, not sold).
    turnover : float
        Traded notional over the mean equity, per year.
    config : BacktestConfig
    bankrupt : bool
        Equity reached 0 or below; the position was closed and trading stopped.
    """

    equity: pd.Series
    position: pd.Series
    trades: pd.DataFrame
    turnover: float
    config: BacktestConfig
    bankrupt: bool = False
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def returns(self) -> pd.Series:
        """Close-to-close returns of equity."""
        return self.equity.pct_change().iloc[1:]

    @property
    def n_trades(self) -> int:
        """Number of positions opened (the one still open at the end included)."""
        return len(self.trades)


def _decision_array(bars: pd.DataFrame, decisions: pd.Series | np.ndarray) -> np.ndarray:
    if isinstance(decisions, pd.Series):
        if not decisions.index.equals(bars.index):
            raise MarketDataError("decisions must be indexed like the bars (one per bar). "
                                  "Hint: reindex them on bars.index.")
        values = decisions.to_numpy(dtype="float64")
    else:
        values = np.asarray(decisions, dtype="float64")
        if values.shape != (len(bars),):
            raise MarketDataError(f"decisions must hold one value per bar ({len(bars)}), got "
                                  f"shape {values.shape}.")
    if np.isinf(values).any():
        raise MarketDataError("decisions contain infinite values.")
    return np.nan_to_num(values, nan=0.0)


def run_backtest(bars: pd.DataFrame, decisions: pd.Series | np.ndarray,
                 config: BacktestConfig | None = None) -> BacktestResult:
    """Simulate trading ``decisions`` on ``bars``.

    Parameters
    ----------
    bars : pandas.DataFrame
        Repaired OHLCV bars (``open`` and ``close`` are used).
    decisions : pandas.Series or numpy.ndarray
        One value per bar, made at that bar's close: its sign is the wanted side (+ long,
        - short, 0 or NaN flat), its magnitude the confidence used by ``sizing="risk"``. The
        decision of the last bar is never filled (there is no next open).
    config : BacktestConfig, optional

    Returns
    -------
    BacktestResult

    Raises
    ------
    MarketDataError
        Misaligned decisions, missing or non-positive prices.

    Examples
    --------
    >>> idx = pd.date_range("2024-01-01", periods=4, freq="D")
    >>> bars = pd.DataFrame({"open": [10., 10, 11, 12], "high": [10., 11, 12, 13],
    ...                      "low": [10., 10, 11, 12], "close": [10., 11, 12, 13],
    ...                      "volume": 1.0}, index=idx)
    >>> result = run_backtest(bars, pd.Series([1.0, 1, 0, 0], index=idx))
    >>> result.equity.round(2).tolist()  # bought at 10 (bar 1 open), sold at 12 (bar 3 open)
    [10000.0, 11000.0, 12000.0, 12000.0]
    """
    config = config or BacktestConfig()
    if len(bars) < 2:
        raise MarketDataError(f"A backtest needs at least two bars, got {len(bars)}.")
    opens = bars["open"].to_numpy(dtype="float64")
    closes = bars["close"].to_numpy(dtype="float64")
    if not (np.isfinite(opens).all() and np.isfinite(closes).all()
            and (opens > 0).all() and (closes > 0).all()):
        raise MarketDataError("Open and close prices must be positive and not missing. Hint: "
                              "repair the bars with load_ohlcv or repair_ohlcv first.")
    wanted = _decision_array(bars, decisions)
    fee, slip = config.fee, config.slippage
    n = len(bars)
    equity = np.empty(n)
    units_at_close = np.zeros(n)
    cash, units = config.initial_capital, 0.0
    traded = 0.0
    bankrupt = False
    trades: list[dict[str, Any]] = []
    equity[0] = cash
    for t in range(1, n):
        target = 0.0 if bankrupt else float(np.sign(wanted[t - 1]))
        side = float(np.sign(units))
        if target != side:
            if units != 0.0:
                price = opens[t] * (1 - slip) if units > 0 else opens[t] * (1 + slip)
                cost = abs(units) * price * fee
                cash += units * price - cost
                traded += abs(units) * price
                trade = trades[-1]
                trade.update(exit_time=bars.index[t], exit_price=price,
                             fees=trade["fees"] + cost, is_open=False)
                units = 0.0
            if target != 0.0:
                price = opens[t] * (1 + slip) if target > 0 else opens[t] * (1 - slip)
                fraction = 1.0 if config.sizing == "full" else min(
                    config.risk_fraction * abs(wanted[t - 1]), config.max_position_fraction)
                size = cash * fraction / (price * (1 + fee))
                if config.lot_size is not None:
                    size = (size // config.lot_size) * config.lot_size
                if size > 0:
                    cost = size * price * fee
                    units = target * size
                    cash -= units * price + cost
                    traded += size * price
                    trades.append({"side": "long" if target > 0 else "short", "units": size,
                                   "entry_time": bars.index[t], "entry_price": price,
                                   "exit_time": None, "exit_price": np.nan, "fees": cost,
                                   "is_open": True})
        equity[t] = cash + units * closes[t]
        units_at_close[t] = units
        if equity[t] <= 0 and not bankrupt:
            bankrupt = True
    table = _trade_table(trades, closes[-1], fee)
    years = max(n - 1, 1) / config.periods_per_year
    turnover = traded / float(np.mean(equity)) / years
    result = BacktestResult(pd.Series(equity, index=bars.index, name="equity"),
                            pd.Series(units_at_close, index=bars.index, name="position"),
                            table, float(turnover), config, bankrupt)
    result.metrics.update(summary_metrics(result))
    return result


def _trade_table(trades: list[dict[str, Any]], last_close: float, fee: float) -> pd.DataFrame:
    columns = ["side", "units", "entry_time", "entry_price", "exit_time", "exit_price", "fees",
               "pnl", "return", "is_open"]
    if not trades:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(trades)
    sign = np.where(table["side"] == "long", 1.0, -1.0)
    mark = table["exit_price"].fillna(last_close)
    table["pnl"] = sign * table["units"] * (mark - table["entry_price"]) - table["fees"]
    table["return"] = table["pnl"] / (table["units"] * table["entry_price"] * (1 + fee))
    return table[columns]


def summary_metrics(result: BacktestResult) -> dict[str, Any]:
    """The headline metrics of a backtest (VaR/ES from close-to-close equity returns).

    Keys: ``final_equity, total_return, n_trades, sharpe, sortino, calmar, volatility,
    max_drawdown, max_drawdown_duration, var_95_hist, es_95_hist, turnover, exposure,
    probabilistic_sharpe, periods_per_year, bankrupt``. Undefined values are None.
    """
    returns = result.returns.to_numpy()
    per_year = result.config.periods_per_year
    final = float(result.equity.iloc[-1])

    def guarded(compute: Any, *args: Any, **kwargs: Any) -> float | None:
        try:
            value = float(compute(*args, **kwargs))
        except MarketDataError:
            return None
        return value if math.isfinite(value) else None

    return {
        "final_equity": final,
        "total_return": final / result.config.initial_capital - 1.0,
        "n_trades": result.n_trades,
        "sharpe": guarded(sharpe_ratio, returns, periods_per_year=per_year),
        "sortino": guarded(sortino_ratio, returns, periods_per_year=per_year),
        "calmar": guarded(calmar_ratio, returns, periods_per_year=per_year),
        "volatility": guarded(volatility, returns, periods_per_year=per_year),
        "max_drawdown": guarded(max_drawdown, returns),
        "max_drawdown_duration": int(drawdown_duration(returns)) if len(returns) else 0,
        "var_95_hist": guarded(value_at_risk, returns),
        "es_95_hist": guarded(expected_shortfall, returns),
        "turnover": result.turnover,
        "exposure": float((result.position.to_numpy() != 0).mean()),
        "probabilistic_sharpe": guarded(probabilistic_sharpe_ratio, returns),
        "periods_per_year": per_year,
        "bankrupt": result.bankrupt,
    }
