"""Synthetic OHLCV bars for the markets tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["make_ohlcv", "make_ohlcv_panel"]


def make_ohlcv(n_bars: int = 300, *, seed: int = 0, start: str = "2021-01-01",
               freq: str = "D", drift: float = 0.0005, vol: float = 0.02,
               price: float = 100.0) -> pd.DataFrame:
    """A geometric random walk as consistent OHLCV bars (open = previous close plus a small gap).

    Examples
    --------
    >>> bars = make_ohlcv(5, seed=1)
    >>> highest = bars[["open", "close"]].max(axis=1)
    >>> list(bars.columns), len(bars), bool((bars["high"] >= highest).all())
    (['open', 'high', 'low', 'close', 'volume'], 5, True)
    """
    rng = np.random.default_rng(seed)
    log_returns = rng.normal(drift, vol, size=n_bars)
    close = price * np.exp(np.cumsum(log_returns))
    gap = rng.normal(0.0, vol / 5, size=n_bars)
    open_ = np.concatenate([[price], close[:-1]]) * np.exp(gap)
    span = np.abs(rng.normal(0.0, vol / 2, size=(2, n_bars)))
    high = np.maximum(open_, close) * np.exp(span[0])
    low = np.minimum(open_, close) * np.exp(-span[1])
    volume = rng.lognormal(10.0, 0.5, size=n_bars)
    index = pd.date_range(start, periods=n_bars, freq=freq, name="timestamp")
    return pd.DataFrame({"open": open_, "high": high, "low": low, "close": close,
                         "volume": volume}, index=index)


def make_ohlcv_panel(n_assets: int = 5, n_bars: int = 200, *, seed: int = 0,
                     freq: str = "B") -> pd.DataFrame:
    """Bars of several assets indexed by ``(symbol, timestamp)``; the last asset starts later."""
    parts = {}
    for k in range(n_assets):
        bars = make_ohlcv(n_bars, seed=seed + k, freq=freq, price=20.0 + 10 * k)
        if k == n_assets - 1 and n_assets > 1:
            bars = bars.iloc[n_bars // 3:]
        parts[f"S{k:02d}"] = bars
    return pd.concat(parts, names=["symbol", "timestamp"])
