"""OHLCV bars for one asset and for panels: column mapping, loading, resampling, returns."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from jogak.data import load
from jogak.solutions.markets._repair import (
    OHLCV_COLUMNS,
    MarketDataError,
    RepairAction,
    RepairReport,
    repair_ohlcv,
)

__all__ = ["infer_periods_per_year", "load_ohlcv", "load_panel", "ohlcv_from_frame",
           "panel_from_frame", "resample_ohlcv", "returns"]

_TIME_NAMES = ("timestamp", "datetime", "date", "time", "unix", "open_time")
_ALIASES = {"o": "open", "h": "high", "l": "low", "c": "close", "v": "volume", "vol": "volume",
            "price": "close", "last": "close"}


def _normalise(name: object) -> str:
    return str(name).strip().lower().replace("_", " ")


def _find_time_column(frame: pd.DataFrame, timestamp: str | None) -> str:
    if timestamp is not None:
        if timestamp not in frame.columns:
            raise MarketDataError(f"Timestamp column {timestamp!r} not found; columns are "
                                  f"{list(frame.columns)}.")
        return timestamp
    by_name = {_normalise(column): column for column in frame.columns}
    for name in _TIME_NAMES:
        if name in by_name:
            return str(by_name[name])
    raise MarketDataError(f"No timestamp column among {list(frame.columns)}; expected one of "
                          f"{list(_TIME_NAMES)}. Hint: pass timestamp='<column>'.")


def _parse_times(values: pd.Series, column: str) -> pd.DatetimeIndex:
    if pd.api.types.is_numeric_dtype(values):
        top = float(np.nanmax(np.abs(values.to_numpy(dtype="float64")))) if len(values) else 0.0
        unit = "ms" if top > 1e11 else "s"  # epoch seconds stay below 1e11 until the year 5138
        parsed = pd.to_datetime(values, unit=unit, errors="coerce")
    else:
        try:
            parsed = pd.to_datetime(values)
        except (ValueError, TypeError):
            parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    bad = parsed.isna() & values.notna()
    if bad.any():
        raise MarketDataError(f"{int(bad.sum())} values of {column!r} are not timestamps, e.g. "
                              f"{values[bad].iloc[0]!r}. Hint: fix or drop those rows.")
    return pd.DatetimeIndex(parsed)


def _pick_columns(frame: pd.DataFrame) -> tuple[dict[str, str], list[RepairAction]]:
    by_name: dict[str, str] = {}
    for column in frame.columns:
        key = _normalise(column)
        key = _ALIASES.get(key, key)
        if key in OHLCV_COLUMNS and key not in by_name:
            by_name[key] = str(column)
    if "close" not in by_name and "adj close" in map(_normalise, frame.columns):
        by_name["close"] = next(str(c) for c in frame.columns if _normalise(c) == "adj close")
    missing = [name for name in ("open", "high", "low", "close") if name not in by_name]
    if missing == ["open", "high", "low"]:
        by_name.update({"open": by_name["close"], "high": by_name["close"],
                        "low": by_name["close"]})  # close-only series: flat bars
        missing = []
    if missing:
        raise MarketDataError(f"OHLCV data needs open, high, low and close columns; missing "
                              f"{missing} among {list(frame.columns)}. Hint: rename them.")
    return by_name, []


def _volume(frame: pd.DataFrame, by_name: dict[str, str]) -> tuple[pd.Series, list[RepairAction]]:
    if "volume" in by_name:
        return pd.to_numeric(frame[by_name["volume"]], errors="coerce"), []
    pair = [str(c) for c in frame.columns if _normalise(c).startswith("volume ")]
    if not pair:
        return pd.Series(0.0, index=frame.index), []
    if len(pair) == 1:
        return pd.to_numeric(frame[pair[0]], errors="coerce"), []
    # Exchange dumps give base and quote volume ("Volume BTC", "Volume USD"); with a price above
    # 1 the quote volume is the larger one, so rows where it is smaller were swapped at source.
    base = next((c for c in pair if not _normalise(c).endswith(("usd", "usdt", "eur", "krw"))),
                pair[0])
    quote = next(c for c in pair if c != base)
    base_values = pd.to_numeric(frame[base], errors="coerce")
    quote_values = pd.to_numeric(frame[quote], errors="coerce")
    price = pd.to_numeric(frame[by_name["close"]], errors="coerce")
    swapped = (quote_values < base_values) & (price > 1)
    if not swapped.any():
        return base_values, []
    action = RepairAction("swapped_volume", int(swapped.sum()),
                          f"{base!r} and {quote!r} swapped back where {quote!r} was smaller")
    return base_values.where(~swapped, quote_values), [action]


def ohlcv_from_frame(frame: pd.DataFrame, *, timestamp: str | None = None,
                     policy: Literal["repair", "strict"] = "repair", fill_gaps: bool = False,
                     frequency: str | None = None) -> tuple[pd.DataFrame, RepairReport]:
    """Map a raw table to repaired OHLCV bars.

    Column names are matched case-insensitively (``Open``, ``high``, ``Close``, ``Volume``; a
    ``Date``/``date``/``timestamp``/``unix`` column or a DatetimeIndex gives the time). Two volume
    columns (``Volume BTC``, ``Volume USD``) keep the base-currency one and swap back rows where
    the two were swapped at source. Epoch numbers are read as seconds (milliseconds above 1e11).

    Parameters
    ----------
    frame : pandas.DataFrame
        Raw rows.
    timestamp : str, optional
        Name of the time column; found by name when omitted.
    policy, fill_gaps, frequency
        Passed to :func:`repair_ohlcv`.

    Returns
    -------
    bars : pandas.DataFrame
        ``open, high, low, close, volume`` (float) indexed by ``timestamp``.
    report : RepairReport

    Raises
    ------
    MarketDataError
        Missing columns, unparseable timestamps, or bars that cannot be repaired.

    Examples
    --------
    >>> raw = pd.DataFrame({"Date": ["2024-01-02", "2024-01-01", "2024-01-03"],
    ...                     "Open": [2.0, 2.0, 2.1], "High": [2.5, 2.5, 2.5],
    ...                     "Low": [1.5, 1.5, 1.5], "Close": [2.0, 2.1, 2.2], "Volume": [5, 6, 7]})
    >>> bars, report = ohlcv_from_frame(raw)
    >>> bars["close"].tolist(), [a.kind for a in report.actions]
    ([2.1, 2.0, 2.2], ['unsorted'])
    """
    if not isinstance(frame, pd.DataFrame) or frame.empty:
        raise MarketDataError("OHLCV data must be a non-empty DataFrame.")
    if isinstance(frame.index, pd.DatetimeIndex) and timestamp is None:
        index = frame.index
    else:
        column = _find_time_column(frame, timestamp)
        index = _parse_times(frame[column], column)
    by_name, actions = _pick_columns(frame)
    volume, found = _volume(frame, by_name)
    actions += found
    raw = pd.DataFrame({name: frame[by_name[name]].to_numpy()
                        for name in ("open", "high", "low", "close")}, index=index)
    raw["volume"] = volume.to_numpy()
    bars, report = repair_ohlcv(raw, policy=policy, fill_gaps=fill_gaps, frequency=frequency)
    if actions:
        report = RepairReport(report.n_rows_in, report.n_rows_out, report.frequency,
                              (*actions, *report.actions))
    return bars, report


def load_ohlcv(source: str | Path | pd.DataFrame, *, timestamp: str | None = None,
               policy: Literal["repair", "strict"] = "repair", fill_gaps: bool = False,
               frequency: str | None = None) -> tuple[pd.DataFrame, RepairReport]:
    """Load and repair the OHLCV bars of one asset from a file, a query or a frame.

    ``source`` is anything :func:`jogak.data.load` reads, or a DataFrame; the rest is
    :func:`ohlcv_from_frame`.

    Returns
    -------
    bars : pandas.DataFrame
    report : RepairReport

    Raises
    ------
    DataLoadError
        The source cannot be read.
    MarketDataError
        The table is not OHLCV data or cannot be repaired.
    """
    frame = source if isinstance(source, pd.DataFrame) else load(source)
    return ohlcv_from_frame(frame, timestamp=timestamp, policy=policy, fill_gaps=fill_gaps,
                            frequency=frequency)


def panel_from_frame(frame: pd.DataFrame, *, symbol: str = "symbol",
                     timestamp: str | None = None,
                     policy: Literal["repair", "strict"] = "repair",
                     min_bars: int = 2) -> tuple[pd.DataFrame, dict[str, RepairReport]]:
    """Map a long table of many assets to repaired bars indexed by ``(symbol, timestamp)``.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per asset and bar.
    symbol : str, default "symbol"
        Column naming the asset (``"Name"`` in the S&P 500 file); matched case-insensitively.
    timestamp : str, optional
        Time column; found by name when omitted.
    policy : {"repair", "strict"}
        Passed to :func:`repair_ohlcv` for each asset.
    min_bars : int, default 2
        Assets with fewer usable bars are dropped (reported as ``too_short``).

    Returns
    -------
    panel : pandas.DataFrame
        ``open, high, low, close, volume`` with a ``(symbol, timestamp)`` MultiIndex, sorted.
    reports : dict of str to RepairReport
        Per asset, only those that needed a repair or were dropped.

    Raises
    ------
    MarketDataError
        No symbol column, or no asset with enough bars.
    """
    names = {_normalise(c): str(c) for c in frame.columns}
    if symbol not in frame.columns and _normalise(symbol) not in names:
        raise MarketDataError(f"Symbol column {symbol!r} not found among {list(frame.columns)}. "
                              "Hint: pass symbol='<column naming the asset>'.")
    column = symbol if symbol in frame.columns else names[_normalise(symbol)]
    parts: dict[str, pd.DataFrame] = {}
    reports: dict[str, RepairReport] = {}
    for name, rows in frame.groupby(column, sort=True):
        try:
            bars, report = ohlcv_from_frame(rows.drop(columns=[column]), timestamp=timestamp,
                                            policy=policy)
        except MarketDataError as exc:
            if policy == "strict":
                raise MarketDataError(f"Asset {name!r}: {exc}") from exc
            reports[str(name)] = RepairReport(len(rows), 0, None, (
                RepairAction("too_short", len(rows), f"asset dropped: {exc}"),))
            continue
        if len(bars) < min_bars:
            reports[str(name)] = RepairReport(len(rows), 0, report.frequency, (
                *report.actions, RepairAction("too_short", len(bars), "asset dropped")))
            continue
        actions = tuple(a for a in report.actions if a.kind != "gaps")
        if actions:  # exchange holidays make every stock 'gappy'; only real repairs are kept
            reports[str(name)] = RepairReport(report.n_rows_in, report.n_rows_out,
                                              report.frequency, actions)
        parts[str(name)] = bars
    if not parts:
        raise MarketDataError(f"No asset has {min_bars} or more usable bars.")
    panel = pd.concat(parts, names=["symbol", "timestamp"])
    return panel, reports


def load_panel(source: str | Path | pd.DataFrame, *, symbol: str = "symbol",
               timestamp: str | None = None, policy: Literal["repair", "strict"] = "repair",
               min_bars: int = 2) -> tuple[pd.DataFrame, dict[str, RepairReport]]:
    """Load and repair a panel of many assets; see :func:`panel_from_frame`."""
    frame = source if isinstance(source, pd.DataFrame) else load(source)
    return panel_from_frame(frame, symbol=symbol, timestamp=timestamp, policy=policy,
                            min_bars=min_bars)


def resample_ohlcv(bars: pd.DataFrame, rule: str) -> pd.DataFrame:
    """Aggregate bars to a coarser frequency: first open, max high, min low, last close, sum of
    volume.

    Bins labelled by their start; empty bins are dropped.

    Examples
    --------
    >>> idx = pd.date_range("2024-01-01", periods=4, freq="h")
    >>> bars = pd.DataFrame({"open": [1., 2, 3, 4], "high": [2., 3, 4, 5], "low": [.5, 1, 2, 3],
    ...                      "close": [2., 3, 4, 5], "volume": [1., 1, 1, 1]}, index=idx)
    >>> resample_ohlcv(bars, "2h")[["open", "high", "low", "close", "volume"]].to_numpy().tolist()
    [[1.0, 3.0, 0.5, 3.0, 2.0], [3.0, 5.0, 2.0, 5.0, 2.0]]
    """
    if not isinstance(bars.index, pd.DatetimeIndex):
        raise MarketDataError("resample_ohlcv needs bars indexed by a DatetimeIndex.")
    try:
        grouped = bars.resample(rule, label="left", closed="left")
    except ValueError as exc:
        raise MarketDataError(f"Unknown resampling rule {rule!r}: {exc}. Hint: use a pandas "
                              "offset alias such as 'h', '4h', 'D', 'W'.") from exc
    out = grouped.agg({"open": "first", "high": "max", "low": "min", "close": "last",
                       "volume": "sum"})
    return out.dropna(subset=["close"])


def returns(prices: pd.Series | pd.DataFrame, *, kind: Literal["simple", "log"] = "simple",
            periods: int = 1) -> pd.Series | pd.DataFrame:
    """Returns over ``periods`` bars: ``p_t / p_{t-periods} - 1`` or its logarithm.

    Examples
    --------
    >>> returns(pd.Series([100.0, 110.0, 99.0])).round(4).tolist()
    [nan, 0.1, -0.1]
    """
    if kind not in ("simple", "log"):
        raise MarketDataError(f"kind must be 'simple' or 'log', got {kind!r}.")
    if periods < 1:
        raise MarketDataError(f"periods must be at least 1, got {periods}.")
    ratio = prices / prices.shift(periods)
    return np.log(ratio) if kind == "log" else ratio - 1.0


def infer_periods_per_year(index: pd.DatetimeIndex) -> float:
    """Bars per year from the bars' spacing: 365 days for markets that trade on weekends
    (crypto), 252 trading days otherwise, times the bars per day.

    Examples
    --------
    >>> infer_periods_per_year(pd.date_range("2024-01-01", periods=30, freq="D"))
    365.0
    >>> infer_periods_per_year(pd.bdate_range("2024-01-01", periods=30))
    252.0
    >>> infer_periods_per_year(pd.date_range("2024-01-01", periods=200, freq="h"))
    8760.0
    """
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3:
        raise MarketDataError("Need at least three timestamps to infer the bars per year; pass "
                              "periods_per_year explicitly.")
    step = pd.Series(index[1:] - index[:-1]).median()
    days_per_year = 365.0 if (index.day_of_week >= 5).any() else 252.0
    bars_per_day = max(pd.Timedelta(days=1) / step, 1.0) if step < pd.Timedelta(days=1) else 1.0
    if step > pd.Timedelta(days=4):
        return float(round(365.0 / (step / pd.Timedelta(days=1))))
    return float(days_per_year * bars_per_day)
