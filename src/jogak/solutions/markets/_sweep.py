"""Vectorised parameter sweep of long/flat SMA-cross strategies with full-equity sizing.

With full-equity sizing and proportional costs, equity is a product of per-bar factors:
holding from close to close multiplies it by ``C_t / C_{t-1}``, an entry at bar t's open by
``C_t / (O_t (1 + s)(1 + F))``, an exit by ``O_t (1 - s)(1 - F) / C_{t-1}``. So every pair's
equity curve is one cumulative sum of log factors over a (bars x pairs) matrix, computed in
chunks of pairs; it equals :func:`run_backtest` with the same settings (tests check it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from jogak.solutions.markets._backtest import BacktestConfig, run_backtest
from jogak.solutions.markets._repair import MarketDataError
from jogak.solutions.markets._risk import deflated_sharpe_ratio
from jogak.solutions.markets._strategies import SMACross

__all__ = ["sma_pairs", "sma_sweep"]


def sma_pairs(windows: Sequence[int]) -> list[tuple[int, int]]:
    """Every (fast, slow) pair with fast < slow from ``windows``; 2..100 gives 4,851 pairs.

    Examples
    --------
    >>> len(sma_pairs(range(2, 101)))
    4851
    """
    ordered = sorted({int(w) for w in windows})
    if not ordered or ordered[0] < 1:
        raise MarketDataError(f"windows must be integers >= 1, got {list(windows)[:5]}...")
    return [(f, s) for i, f in enumerate(ordered) for s in ordered[i + 1:]]


def _sma_matrix(close: np.ndarray, windows: np.ndarray) -> np.ndarray:
    cumulative = np.concatenate([[0.0], np.cumsum(close)])
    out = np.full((len(close), len(windows)), np.nan)
    for j, w in enumerate(windows):
        if w <= len(close):
            out[w - 1:, j] = (cumulative[w:] - cumulative[:-w]) / w
    return out


def sma_sweep(bars: pd.DataFrame, pairs: Sequence[tuple[int, int]],
              config: BacktestConfig | None = None, *, chunk_size: int = 256,
              progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Backtest every long/flat SMA-cross pair at once (next-open fills, full equity).

    Parameters
    ----------
    bars : pandas.DataFrame
        Repaired OHLCV bars.
    pairs : sequence of (int, int)
        (fast, slow) windows, fast < slow; see :func:`sma_pairs`.
    config : BacktestConfig, optional
        Must use ``sizing="full"`` and no ``lot_size``.
    chunk_size : int, default 256
        Pairs per matrix block (memory ~ bars x chunk_size x 8 bytes x a few).
    progress : callable, optional
        Called with (pairs done, pairs total) after each chunk.

    Returns
    -------
    pandas.DataFrame
        One row per pair: ``fast, slow, final_equity, total_return, n_trades, sharpe,
        max_drawdown``; ``attrs["deflated_sharpe_best"]`` holds the deflated Sharpe ratio of
        the best pair given the number of pairs tried.

    Raises
    ------
    MarketDataError
        Invalid pairs or an unsupported config.
    """
    config = config or BacktestConfig()
    if config.sizing != "full" or config.lot_size is not None:
        raise MarketDataError("sma_sweep supports sizing='full' without lot_size; use "
                              "run_backtest for other settings.")
    checked = [(int(f), int(s)) for f, s in pairs]
    if not checked or any(not 1 <= f < s for f, s in checked):
        raise MarketDataError("pairs must be non-empty (fast, slow) tuples with 1 <= fast < slow.")
    opens = bars["open"].to_numpy(dtype="float64")
    closes = bars["close"].to_numpy(dtype="float64")
    n = len(closes)
    if n < 2 or not ((opens > 0).all() and (closes > 0).all()):
        raise MarketDataError("sma_sweep needs at least two bars of positive prices.")
    windows = np.array(sorted({w for pair in checked for w in pair}))
    column = {w: j for j, w in enumerate(windows)}
    averages = _sma_matrix(closes, windows)
    fee, slip = config.fee, config.slippage
    log_hold = np.zeros(n)
    log_hold[1:] = np.log(closes[1:] / closes[:-1])
    log_entry = np.zeros(n)
    log_entry[1:] = np.log(closes[1:] / (opens[1:] * (1 + slip) * (1 + fee)))
    log_exit = np.zeros(n)
    log_exit[1:] = np.log(opens[1:] * (1 - slip) * (1 - fee) / closes[:-1])
    rows: list[np.ndarray] = []
    sharpe_scale = np.sqrt(config.periods_per_year)
    for start in range(0, len(checked), chunk_size):
        block = checked[start:start + chunk_size]
        fast = averages[:, [column[f] for f, _ in block]]
        slow = averages[:, [column[s] for _, s in block]]
        state = fast > slow  # NaN compares False: flat while undefined
        held = np.zeros_like(state)
        held[1:] = state[:-1]  # the close-t decision is held from bar t+1's open
        before = np.zeros_like(held)
        before[1:] = held[:-1]
        log_factor = np.where(held & before, log_hold[:, None], 0.0)
        entries = held & ~before
        exits = ~held & before
        log_factor += np.where(entries, log_entry[:, None], 0.0)
        log_factor += np.where(exits, log_exit[:, None], 0.0)
        log_equity = np.cumsum(log_factor, axis=0)
        bar_returns = np.expm1(log_factor[1:])
        std = bar_returns.std(axis=0, ddof=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            sharpe = np.where(std > 0, bar_returns.mean(axis=0) / std * sharpe_scale, np.nan)
        drawdown = np.expm1((log_equity - np.maximum.accumulate(log_equity, axis=0)).min(axis=0))
        final = config.initial_capital * np.exp(log_equity[-1])
        rows.append(np.column_stack([np.array(block, dtype="float64"), final,
                                     final / config.initial_capital - 1.0,
                                     entries.sum(axis=0), sharpe, drawdown]))
        if progress is not None:
            progress(min(start + chunk_size, len(checked)), len(checked))
    table = pd.DataFrame(np.vstack(rows), columns=["fast", "slow", "final_equity", "total_return",
                                                   "n_trades", "sharpe", "max_drawdown"])
    table = table.astype({"fast": "int64", "slow": "int64", "n_trades": "int64"})
    table.attrs["deflated_sharpe_best"] = _deflated_best(bars, table, config)
    return table


def _deflated_best(bars: pd.DataFrame, table: pd.DataFrame, config: BacktestConfig) -> float:
    """Deflated Sharpe ratio of the best pair, given how many pairs were tried."""
    finite = table["sharpe"].dropna()
    if len(finite) < 2:
        return float("nan")
    best = table.loc[finite.idxmax()]
    decisions = SMACross(fast=int(best["fast"]), slow=int(best["slow"])).decisions(bars)
    returns = run_backtest(bars, decisions, config).returns.to_numpy()
    per_bar_variance = float(np.var(finite / np.sqrt(config.periods_per_year), ddof=1))
    try:
        return deflated_sharpe_ratio(returns, n_trials=len(finite),
                                     sharpe_variance=per_bar_variance)
    except MarketDataError:
        return float("nan")
