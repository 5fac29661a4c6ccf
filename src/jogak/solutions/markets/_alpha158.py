"""Alpha158-style features (Qlib): K-bar shape, price ratios and rolling operators.

The formulas follow Qlib's ``Alpha158`` handler (``qlib/contrib/data/loader.py``) without VWAP
(not in plain OHLCV data): 9 K-bar features, 4 price ratios of today's bar, and 29 rolling
operators over 5, 10, 20, 30 and 60 bars (158 columns, the 13 of the bar itself
including ``VOLUME0``). Every value at bar t uses bars up to t.
Computed on wide frames (bars x assets) so that a 500-asset panel costs about as many pandas
calls as one asset.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

from jogak.solutions.markets._repair import MarketDataError

__all__ = ["alpha158_features", "alpha158_panel", "next_return_label"]

_EPS = 1e-12
WINDOWS = (5, 10, 20, 30, 60)


def _rolling_index(values: pd.DataFrame, window: int, *, maximum: bool) -> pd.DataFrame:
    """1-based position of the window's max (or min), as Qlib's IdxMax/IdxMin."""
    array = values.to_numpy(dtype="float64")
    out = np.full(array.shape, np.nan)
    if len(array) >= window:
        view = sliding_window_view(array, window, axis=0)  # (T - w + 1, N, w)
        filled = np.where(np.isnan(view), -np.inf if maximum else np.inf, view)
        position = (filled.argmax(axis=-1) if maximum else filled.argmin(axis=-1)) + 1.0
        position[np.isnan(view).any(axis=-1)] = np.nan
        out[window - 1:] = position
    return pd.DataFrame(out, index=values.index, columns=values.columns)


def _regression(close: pd.DataFrame, window: int) -> tuple[pd.DataFrame, pd.DataFrame,
                                                             pd.DataFrame]:
    """Rolling OLS of close on 1..window: slope, R² and the last residual."""
    t = pd.Series(np.arange(len(close), dtype="float64"), index=close.index)
    roll = close.rolling(window, min_periods=window)
    mean_y = roll.mean()
    mean_t = t.rolling(window).mean()
    mean_ty = close.mul(t, axis=0).rolling(window, min_periods=window).mean()
    var_t = (window * window - 1) / 12.0
    cov = mean_ty - mean_y.mul(mean_t, axis=0)
    slope = cov / var_t
    var_y = roll.var(ddof=0)
    rsquare = (cov * cov) / (var_t * var_y.where(var_y > 0))
    fitted_last = mean_y + slope * (window - 1) / 2.0
    return slope, rsquare, close - fitted_last


def _wide_features(open_: pd.DataFrame, high: pd.DataFrame, low: pd.DataFrame,
                   close: pd.DataFrame, volume: pd.DataFrame,
                   windows: Sequence[int]) -> dict[str, pd.DataFrame]:
    span = high - low + _EPS
    top = np.maximum(open_, close)
    bottom = np.minimum(open_, close)
    out: dict[str, pd.DataFrame] = {
        "KMID": (close - open_) / open_, "KLEN": (high - low) / open_,
        "KMID2": (close - open_) / span, "KUP": (high - top) / open_, "KUP2": (high - top) / span,
        "KLOW": (bottom - low) / open_, "KLOW2": (bottom - low) / span,
        "KSFT": (2 * close - high - low) / open_, "KSFT2": (2 * close - high - low) / span,
        "OPEN0": open_ / close, "HIGH0": high / close, "LOW0": low / close,
        "VOLUME0": volume / (volume + _EPS),
    }
    prev = close.shift(1)
    move = close - prev
    abs_move = move.abs()
    up = move.clip(lower=0)
    down = (-move).clip(lower=0)
    log_volume = np.log(volume + 1)
    ret = close / prev
    log_volume_change = np.log(volume / volume.shift(1).where(volume.shift(1) > 0) + 1)
    volume_move = volume - volume.shift(1)
    weighted = (ret - 1).abs() * volume
    for d in windows:
        roll = close.rolling(d, min_periods=d)
        high_max = high.rolling(d, min_periods=d).max()
        low_min = low.rolling(d, min_periods=d).min()
        slope, rsquare, resid = _regression(close, d)
        idx_max = _rolling_index(high, d, maximum=True)
        idx_min = _rolling_index(low, d, maximum=False)
        sum_abs = abs_move.rolling(d, min_periods=d).sum() + _EPS
        sum_up = up.rolling(d, min_periods=d).sum()
        sum_down = down.rolling(d, min_periods=d).sum()
        vol_abs = volume_move.abs().rolling(d, min_periods=d).sum() + _EPS
        vol_up = volume_move.clip(lower=0).rolling(d, min_periods=d).sum()
        vol_down = (-volume_move).clip(lower=0).rolling(d, min_periods=d).sum()
        count_up = (move > 0).astype("float64").where(move.notna()).rolling(d, min_periods=d)
        count_down = (move < 0).astype("float64").where(move.notna()).rolling(d, min_periods=d)
        out.update({
            f"ROC{d}": close.shift(d) / close, f"MA{d}": roll.mean() / close,
            f"STD{d}": roll.std(ddof=1) / close, f"BETA{d}": slope / close,
            f"RSQR{d}": rsquare, f"RESI{d}": resid / close,
            f"MAX{d}": high_max / close, f"MIN{d}": low_min / close,
            f"QTLU{d}": roll.quantile(0.8) / close, f"QTLD{d}": roll.quantile(0.2) / close,
            f"RANK{d}": roll.rank(pct=True),
            f"RSV{d}": (close - low_min) / (high_max - low_min + _EPS),
            f"IMAX{d}": idx_max / d, f"IMIN{d}": idx_min / d, f"IMXD{d}": (idx_max - idx_min) / d,
            f"CORR{d}": close.rolling(d, min_periods=d).corr(log_volume),
            f"CORD{d}": ret.rolling(d, min_periods=d).corr(log_volume_change),
            f"CNTP{d}": count_up.mean(), f"CNTN{d}": count_down.mean(),
            f"CNTD{d}": count_up.mean() - count_down.mean(),
            f"SUMP{d}": sum_up / sum_abs, f"SUMN{d}": sum_down / sum_abs,
            f"SUMD{d}": (sum_up - sum_down) / sum_abs,
            f"VMA{d}": volume.rolling(d, min_periods=d).mean() / (volume + _EPS),
            f"VSTD{d}": volume.rolling(d, min_periods=d).std(ddof=1) / (volume + _EPS),
            f"WVMA{d}": weighted.rolling(d, min_periods=d).std(ddof=1)
            / (weighted.rolling(d, min_periods=d).mean() + _EPS),
            f"VSUMP{d}": vol_up / vol_abs, f"VSUMN{d}": vol_down / vol_abs,
            f"VSUMD{d}": (vol_up - vol_down) / vol_abs,
        })
    return {name: frame.replace([np.inf, -np.inf], np.nan) for name, frame in out.items()}


def _check_windows(windows: Sequence[int]) -> tuple[int, ...]:
    checked = tuple(int(d) for d in windows)
    if not checked or min(checked) < 2:
        raise MarketDataError(f"windows must be integers >= 2, got {list(windows)}.")
    return checked


def alpha158_features(bars: pd.DataFrame, *,
                      windows: Sequence[int] = WINDOWS) -> pd.DataFrame:
    """Alpha158-style features of one asset's OHLCV bars.

    Parameters
    ----------
    bars : pandas.DataFrame
        Repaired OHLCV bars (see :func:`load_ohlcv`).
    windows : sequence of int, default (5, 10, 20, 30, 60)
        Rolling windows in bars.

    Returns
    -------
    pandas.DataFrame
        One row per bar, ``13 + 29 * len(windows)`` columns (NaN during warm-up).

    Examples
    --------
    >>> idx = pd.date_range("2024-01-01", periods=8, freq="D")
    >>> close = pd.Series([10., 11, 12, 11, 13, 14, 13, 15], index=idx)
    >>> bars = pd.DataFrame({"open": close, "high": close + 1, "low": close - 1,
    ...                      "close": close, "volume": 100.0})
    >>> feats = alpha158_features(bars, windows=[5])
    >>> feats.shape, round(float(feats["MA5"].iloc[-1]), 4)
    ((8, 42), 0.88)
    """
    checked = _check_windows(windows)
    wide = {name: bars[[name]].rename(columns={name: "x"}) for name in
            ("open", "high", "low", "close", "volume")}
    features = _wide_features(wide["open"], wide["high"], wide["low"], wide["close"],
                              wide["volume"], checked)
    return pd.DataFrame({name: frame["x"] for name, frame in features.items()}, index=bars.index)


def alpha158_panel(panel: pd.DataFrame, *, windows: Sequence[int] = WINDOWS) -> pd.DataFrame:
    """Alpha158-style features of a panel indexed by ``(symbol, timestamp)``.

    Each asset's windows run over its own bars only (assets are columns of wide frames, and a
    bar missing for one asset does not shift another's window).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``(symbol, timestamp)`` like ``panel``, one column per feature.
    """
    checked = _check_windows(windows)
    if not isinstance(panel.index, pd.MultiIndex) or panel.index.nlevels != 2:
        raise MarketDataError("alpha158_panel needs a (symbol, timestamp) MultiIndex; "
                              "use load_panel.")
    # bars of different assets sit on different calendars: compute on each asset's own bar
    # count (position), not on the union of dates, so windows never span missing rows.
    position = panel.groupby(level=0).cumcount()
    keyed = panel.set_index(position.rename("position"), append=True).droplevel(1)
    wide = {name: keyed[name].unstack(level=0) for name in
            ("open", "high", "low", "close", "volume")}
    features = _wide_features(wide["open"], wide["high"], wide["low"], wide["close"],
                              wide["volume"], checked)
    stacked = pd.DataFrame({name: frame.stack(future_stack=True)
                            for name, frame in features.items()})
    stacked.index = stacked.index.swaplevel(0, 1)
    stacked = stacked.reindex(keyed.index)
    stacked.index = panel.index
    return stacked


def next_return_label(close: pd.Series | pd.DataFrame, *, horizon: int = 1,
                      start: int = 0) -> pd.Series | pd.DataFrame:
    """The return from bar ``t + start`` to bar ``t + start + horizon`` (a label, uses the future).

    Qlib's label is ``start=1``: from tomorrow's close to the day after's, because a decision at
    today's close trades tomorrow. For a panel pass a ``(symbol, timestamp)``-indexed Series.
    """
    if horizon < 1 or start < 0:
        raise MarketDataError(f"horizon must be >= 1 and start >= 0, got {horizon}, {start}.")
    if isinstance(close.index, pd.MultiIndex):
        grouped = close.groupby(level=0)
        return grouped.shift(-(start + horizon)) / grouped.shift(-start) - 1.0
    return close.shift(-(start + horizon)) / close.shift(-start) - 1.0
