"""Technical indicators, vectorised; they match TA-Lib after its warm-up (tests check it).

Every indicator at bar t uses bars up to t only. The first values, where the window is not yet
full, are NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from jogak.solutions.markets._repair import MarketDataError

__all__ = ["atr", "bollinger_bands", "ema", "indicator_frame", "macd", "obv", "rolling_volatility",
           "rsi", "sma", "stochastic"]


def _check_window(name: str, value: int, minimum: int = 1) -> None:
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < minimum:
        raise MarketDataError(f"{name} must be an integer >= {minimum}, got {value!r}.")


def _series(values: pd.Series | np.ndarray, name: str) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.astype("float64")
    array = np.asarray(values, dtype="float64")
    if array.ndim != 1:
        raise MarketDataError(f"{name} must be one-dimensional, got shape {array.shape}.")
    return pd.Series(array)


def _smoothed(values: np.ndarray, window: int, alpha: float) -> np.ndarray:
    """Exponential smoothing seeded with the mean of the first ``window`` valid values.

    This is how TA-Lib seeds EMA and Wilder's averages; NaNs before the first valid value are
    skipped, a NaN later on makes the rest NaN (the bars are repaired before).
    """
    out = np.full(values.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(values))
    if len(valid) < window:
        return out
    start = valid[0]
    seed_end = start + window
    seed = values[start:seed_end].mean()
    out[seed_end - 1] = seed
    rest = values[seed_end:]
    if len(rest):
        smoothed, _ = lfilter([alpha], [1.0, alpha - 1.0], rest, zi=[(1.0 - alpha) * seed])
        out[seed_end:] = smoothed
    return out


def sma(close: pd.Series, window: int = 20) -> pd.Series:
    """Simple moving average over ``window`` bars.

    Examples
    --------
    >>> sma(pd.Series([1.0, 2.0, 3.0, 4.0]), 2).tolist()
    [nan, 1.5, 2.5, 3.5]
    """
    _check_window("window", window)
    return _series(close, "close").rolling(window, min_periods=window).mean()


def ema(close: pd.Series, window: int = 20) -> pd.Series:
    """Exponential moving average, ``alpha = 2 / (window + 1)``, seeded with the first SMA.

    Examples
    --------
    >>> ema(pd.Series([1.0, 2.0, 3.0, 4.0]), 2).round(4).tolist()
    [nan, 1.5, 2.5, 3.5]
    """
    _check_window("window", window)
    values = _series(close, "close")
    return pd.Series(_smoothed(values.to_numpy(), window, 2.0 / (window + 1)),
                     index=values.index)


def rsi(close: pd.Series, window: int = 14) -> pd.Series:
    """Wilder's relative strength index (0-100) over ``window`` bars.

    Examples
    --------
    >>> rsi(pd.Series([1.0, 2.0, 3.0, 2.0, 3.0]), 2).round(2).tolist()
    [nan, nan, 100.0, 50.0, 75.0]
    """
    _check_window("window", window)
    values = _series(close, "close")
    change = values.diff().to_numpy()
    alpha = 1.0 / window
    gain = _smoothed(np.where(np.isnan(change), np.nan, np.clip(change, 0.0, None)), window, alpha)
    loss = _smoothed(np.where(np.isnan(change), np.nan, np.clip(-change, 0.0, None)), window,
                     alpha)
    total = gain + loss
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(total > 0, 100.0 * gain / total, 0.0)
    out[np.isnan(total)] = np.nan
    return pd.Series(out, index=values.index)


def macd(close: pd.Series, fast: int = 12, slow: int = 26, signal: int = 9) -> pd.DataFrame:
    """MACD line (EMA fast - EMA slow), its signal line (EMA of the line) and the histogram.

    Returns
    -------
    pandas.DataFrame
        Columns ``macd``, ``macd_signal``, ``macd_hist``.
    """
    _check_window("fast", fast)
    _check_window("slow", slow)
    _check_window("signal", signal)
    if fast >= slow:
        raise MarketDataError(f"macd needs fast < slow, got fast={fast}, slow={slow}.")
    values = _series(close, "close")
    line = ema(values, fast) - ema(values, slow)
    signal_line = pd.Series(_smoothed(line.to_numpy(), signal, 2.0 / (signal + 1)),
                            index=values.index)
    return pd.DataFrame({"macd": line, "macd_signal": signal_line,
                         "macd_hist": line - signal_line})


def bollinger_bands(close: pd.Series, window: int = 20, n_std: float = 2.0) -> pd.DataFrame:
    """Bollinger bands: SMA ± ``n_std`` population standard deviations (as TA-Lib).

    Returns
    -------
    pandas.DataFrame
        Columns ``bb_upper``, ``bb_middle``, ``bb_lower``.
    """
    _check_window("window", window)
    values = _series(close, "close")
    middle = values.rolling(window, min_periods=window).mean()
    spread = n_std * values.rolling(window, min_periods=window).std(ddof=0)
    return pd.DataFrame({"bb_upper": middle + spread, "bb_middle": middle,
                         "bb_lower": middle - spread})


def _true_range(high: pd.Series, low: pd.Series, close: pd.Series) -> pd.Series:
    prev = close.shift(1)
    ranges = pd.concat([high - low, (high - prev).abs(), (low - prev).abs()], axis=1)
    return ranges.max(axis=1, skipna=False)


def atr(high: pd.Series, low: pd.Series, close: pd.Series, window: int = 14) -> pd.Series:
    """Wilder's average true range over ``window`` bars (the first true range needs a previous
    close, so the first value is at bar ``window``)."""
    _check_window("window", window)
    true_range = _true_range(_series(high, "high"), _series(low, "low"), _series(close, "close"))
    return pd.Series(_smoothed(true_range.to_numpy(), window, 1.0 / window),
                     index=true_range.index)


def obv(close: pd.Series, volume: pd.Series) -> pd.Series:
    """On-balance volume, starting at the first bar's volume (as TA-Lib).

    Examples
    --------
    >>> obv(pd.Series([1.0, 2.0, 1.0, 1.0]), pd.Series([10.0, 5.0, 3.0, 7.0])).tolist()
    [10.0, 15.0, 12.0, 12.0]
    """
    values = _series(close, "close")
    vol = _series(volume, "volume")
    direction = np.sign(values.diff()).fillna(0.0)
    signed = direction * vol
    signed.iloc[0] = vol.iloc[0]
    return signed.cumsum()


def stochastic(high: pd.Series, low: pd.Series, close: pd.Series, window: int = 14,
               smooth_k: int = 3, smooth_d: int = 3) -> pd.DataFrame:
    """Slow stochastic oscillator: %K (SMA of the raw %K) and %D (SMA of %K), 0-100.

    Returns
    -------
    pandas.DataFrame
        Columns ``stoch_k``, ``stoch_d``.
    """
    for name, value in (("window", window), ("smooth_k", smooth_k), ("smooth_d", smooth_d)):
        _check_window(name, value)
    close_ = _series(close, "close")
    lowest = _series(low, "low").rolling(window, min_periods=window).min()
    highest = _series(high, "high").rolling(window, min_periods=window).max()
    span = highest - lowest
    raw = (100.0 * (close_ - lowest) / span.where(span > 0)).fillna(
        pd.Series(0.0, index=close_.index).where(span.notna()))
    k = raw.rolling(smooth_k, min_periods=smooth_k).mean()
    d = k.rolling(smooth_d, min_periods=smooth_d).mean()
    return pd.DataFrame({"stoch_k": k, "stoch_d": d})


def rolling_volatility(close: pd.Series, window: int = 20,
                       periods_per_year: float | None = None) -> pd.Series:
    """Standard deviation (ddof=1) of log returns over ``window`` bars, annualised by
    ``sqrt(periods_per_year)`` when given (365 for crypto, 252 for stocks)."""
    _check_window("window", window, 2)
    values = _series(close, "close")
    vol = np.log(values / values.shift(1)).rolling(window, min_periods=window).std()
    return vol * np.sqrt(periods_per_year) if periods_per_year else vol


def indicator_frame(bars: pd.DataFrame) -> pd.DataFrame:
    """The S4 feature set and the usual companions, one column each, from OHLCV bars.

    SMA 20/50 (as ratios to close), RSI 14, MACD 12/26/9 (scaled by close), Bollinger %B and
    width, ATR 14 / close, OBV change over 20 bars, stochastic %K/%D, 20-bar volatility, and
    1/5/20-bar log returns. Ratios keep the features comparable across price levels.
    """
    close, high, low, volume = bars["close"], bars["high"], bars["low"], bars["volume"]
    bands = bollinger_bands(close)
    band_width = bands["bb_upper"] - bands["bb_lower"]
    moving = macd(close)
    stoch = stochastic(high, low, close)
    log_close = np.log(close)
    balance = obv(close, volume)
    volume_scale = volume.rolling(20, min_periods=20).mean() * 20
    features = {
        "sma20_ratio": sma(close, 20) / close - 1.0,
        "sma50_ratio": sma(close, 50) / close - 1.0,
        "rsi14": rsi(close, 14) / 100.0,
        "macd": moving["macd"] / close,
        "macd_signal": moving["macd_signal"] / close,
        "macd_hist": moving["macd_hist"] / close,
        "bb_percent": (close - bands["bb_lower"]) / band_width.where(band_width > 0),
        "bb_width": band_width / bands["bb_middle"],
        "atr14": atr(high, low, close, 14) / close,
        "obv20": (balance - balance.shift(20)) / volume_scale.where(volume_scale > 0),
        "stoch_k": stoch["stoch_k"] / 100.0,
        "stoch_d": stoch["stoch_d"] / 100.0,
        "volatility20": rolling_volatility(close, 20),
        "ret1": log_close.diff(1),
        "ret5": log_close.diff(5),
        "ret20": log_close.diff(20),
    }
    return pd.DataFrame(features, index=bars.index)
