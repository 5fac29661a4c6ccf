"""Repair of OHLCV bars: order, duplicates, bad prices, missing values, gaps; with a report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from jogak.errors import SchemaError

__all__ = ["MarketDataError", "RepairAction", "RepairReport", "repair_ohlcv"]

PRICE_COLUMNS = ("open", "high", "low", "close")
OHLCV_COLUMNS = (*PRICE_COLUMNS, "volume")
_N_EXAMPLES = 5


class MarketDataError(SchemaError):
    """Market data that cannot be repaired safely (or was refused by a strict policy)."""


@dataclass(frozen=True)
class RepairAction:
    """One kind of problem found in the bars and what was done about it.

    Attributes
    ----------
    kind : str
        ``unsorted``, ``duplicate_timestamps``, ``nonpositive_prices``, ``missing_prices``,
        ``dropped_rows``, ``ohlc_inconsistent``, ``bad_volume``, ``gaps`` or ``large_moves``.
    n_rows : int
        How many rows (or, for ``gaps``, missing bars) it concerned.
    action : str
        What was done, in words.
    examples : tuple of str
        Up to five timestamps where it happened.
    """

    kind: str
    n_rows: int
    action: str
    examples: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "n_rows": self.n_rows, "action": self.action,
                "examples": list(self.examples)}


@dataclass(frozen=True)
class RepairReport:
    """What :func:`repair_ohlcv` found and changed.

    Attributes
    ----------
    n_rows_in, n_rows_out : int
        Rows before and after the repair.
    frequency : str or None
        The bar frequency used to find gaps (a pandas offset alias), if known.
    actions : tuple of RepairAction
        One entry per kind of problem found; empty when the bars were clean.
    """

    n_rows_in: int
    n_rows_out: int
    frequency: str | None
    actions: tuple[RepairAction, ...] = field(default_factory=tuple)

    @property
    def is_clean(self) -> bool:
        """True when nothing had to be changed or reported."""
        return not self.actions

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"n_rows_in": self.n_rows_in, "n_rows_out": self.n_rows_out,
                "frequency": self.frequency, "is_clean": self.is_clean,
                "actions": [action.to_dict() for action in self.actions]}

    def summary(self) -> str:
        """One line per action, for people."""
        if self.is_clean:
            return f"{self.n_rows_out} bars, nothing to repair."
        lines = [f"{self.n_rows_in} rows in, {self.n_rows_out} bars out:"]
        lines += [f"- {a.kind}: {a.n_rows} ({a.action})" for a in self.actions]
        return "\n".join(lines)


def _examples(index: pd.Index, mask: np.ndarray | pd.Series) -> tuple[str, ...]:
    picked = index[np.asarray(mask, dtype=bool)][:_N_EXAMPLES]
    return tuple(str(value) for value in picked)


def repair_ohlcv(bars: pd.DataFrame, *, policy: Literal["repair", "strict"] = "repair",
                 duplicates: Literal["last", "first"] = "last",
                 fill_gaps: bool = False, frequency: str | None = None,
                 large_move: float = 0.4) -> tuple[pd.DataFrame, RepairReport]:
    """Repair OHLCV bars and report every change, or refuse them under ``policy="strict"``.

    The input has a :class:`pandas.DatetimeIndex` and the columns ``open``, ``high``, ``low``,
    ``close`` (``volume`` optional, 0 when absent). Repairs, in this order:

    1. rows are sorted by time (``unsorted``);
    2. duplicate timestamps keep the ``last`` (or ``first``) row (``duplicate_timestamps``);
    3. zero, negative and infinite prices become missing (``nonpositive_prices``);
    4. a missing close is carried forward from the previous close, a missing open takes the
       previous close, a missing high/low the max/min of open and close (``missing_prices``);
       leading rows without any earlier close are dropped (``dropped_rows``);
    5. high below max(open, close) or low above min(open, close) are widened to them
       (``ohlc_inconsistent``);
    6. missing or negative volume becomes 0 (``bad_volume``);
    7. missing bars against the (given or inferred) frequency are reported, and filled with flat
       bars at the previous close and zero volume when ``fill_gaps`` (``gaps``);
    8. close-to-close moves above ``large_move`` in absolute value are reported, never changed
       (``large_moves``: splits and glitches look like this).

    Parameters
    ----------
    bars : pandas.DataFrame
        OHLCV bars indexed by time.
    policy : {"repair", "strict"}, default "repair"
        ``"strict"`` raises on anything steps 1-7 would change or report.
    duplicates : {"last", "first"}, default "last"
        Which row of a duplicated timestamp to keep.
    fill_gaps : bool, default False
        Insert flat bars for missing timestamps (only with a regular frequency).
    frequency : str, optional
        Pandas offset alias of the bars (``"D"``, ``"h"``, ``"B"``); inferred when omitted.
    large_move : float, default 0.4
        Threshold of the absolute simple return that is reported as a large move.

    Returns
    -------
    bars : pandas.DataFrame
        Float columns ``open, high, low, close, volume``, sorted, unique timestamps.
    report : RepairReport

    Raises
    ------
    MarketDataError
        Fewer than two usable bars, no price at all, a non-datetime index, or any problem
        under ``policy="strict"``.
    """
    if policy not in ("repair", "strict"):
        raise MarketDataError(f"policy must be 'repair' or 'strict', got {policy!r}.")
    if duplicates not in ("last", "first"):
        raise MarketDataError(f"duplicates must be 'last' or 'first', got {duplicates!r}.")
    if not isinstance(bars.index, pd.DatetimeIndex):
        raise MarketDataError(
            f"OHLCV bars need a DatetimeIndex, got {type(bars.index).__name__}. "
            "Hint: use load_ohlcv, or set_index(pd.to_datetime(column)).")
    missing = [name for name in PRICE_COLUMNS if name not in bars.columns]
    if missing:
        raise MarketDataError(f"OHLCV bars need the columns {list(PRICE_COLUMNS)}; "
                              f"missing {missing} in {list(bars.columns)}.")
    frame = pd.DataFrame(index=bars.index)
    for name in OHLCV_COLUMNS:
        values = bars[name] if name in bars.columns else pd.Series(0.0, index=bars.index)
        try:
            frame[name] = pd.to_numeric(values, errors="raise").astype("float64")
        except (TypeError, ValueError) as exc:
            raise MarketDataError(f"Column {name!r} must be numeric: {exc}. Hint: remove "
                                  "thousands separators or text before loading.") from exc
    if frame.index.hasnans:
        raise MarketDataError(f"{int(frame.index.isna().sum())} bars have no timestamp. "
                              "Hint: drop them before repairing.")
    n_in = len(frame)
    actions: list[RepairAction] = []
    frame, found = _order(frame, duplicates)
    actions += found
    frame, found = _prices(frame)
    actions += found
    frame, found = _volume(frame)
    actions += found
    if len(frame) < 2:
        raise MarketDataError(f"Fewer than two usable bars remain ({len(frame)} of {n_in}). "
                              "Hint: check that the price columns hold positive numbers.")
    freq = frequency or _infer_frequency(frame.index)
    frame, found = _gaps(frame, freq, fill_gaps)
    actions += found
    if policy == "strict" and actions:
        raise MarketDataError("The bars need repair and policy='strict' refuses to change them: "
                              + "; ".join(f"{a.kind} ({a.n_rows}, e.g. {', '.join(a.examples)})"
                                          for a in actions)
                              + ". Hint: use policy='repair' to fix and report them.")
    moves = frame["close"].pct_change().abs()
    large = (moves > large_move).to_numpy()
    if large.any():
        actions.append(RepairAction("large_moves", int(large.sum()),
                                    f"reported only: close-to-close moves above {large_move:.0%}",
                                    _examples(frame.index, large)))
    frame.index.name = "timestamp"
    return frame, RepairReport(n_in, len(frame), freq, tuple(actions))


def _order(frame: pd.DataFrame, keep: str) -> tuple[pd.DataFrame, list[RepairAction]]:
    actions = []
    if not frame.index.is_monotonic_increasing:
        steps = frame.index[1:] - frame.index[:-1]
        actions.append(RepairAction("unsorted", int((steps < pd.Timedelta(0)).sum()) + 1,
                                    "sorted by timestamp", ()))
        frame = frame.sort_index(kind="stable")
    dup = frame.index.duplicated(keep=keep)  # type: ignore[arg-type]
    if dup.any():
        actions.append(RepairAction("duplicate_timestamps", int(dup.sum()),
                                    f"kept the {keep} row of each timestamp",
                                    _examples(frame.index, dup)))
        frame = frame[~dup]
    return frame, actions


def _prices(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[RepairAction]]:
    actions = []
    prices = frame[list(PRICE_COLUMNS)]
    bad = ~np.isfinite(prices) & prices.notna() | (prices <= 0)
    if bad.to_numpy().any():
        rows = bad.any(axis=1)
        actions.append(RepairAction("nonpositive_prices", int(rows.sum()),
                                    "zero, negative or infinite prices treated as missing",
                                    _examples(frame.index, rows)))
        frame = frame.mask(bad.reindex(columns=frame.columns, fill_value=False))
    missing = frame[list(PRICE_COLUMNS)].isna()
    if missing.to_numpy().any():
        rows = missing.any(axis=1)
        close = frame["close"].ffill()
        leading = close.isna()
        if frame["close"].isna().all():
            raise MarketDataError("No usable close price in the bars (all missing or not "
                                  "positive). Hint: check the column mapping.")
        prev_close = close.shift(1)
        opened = frame["open"].fillna(prev_close).fillna(close)
        frame = frame.assign(close=close, open=opened)
        upper = frame[["open", "close"]].max(axis=1)
        lower = frame[["open", "close"]].min(axis=1)
        frame = frame.assign(high=frame["high"].fillna(upper), low=frame["low"].fillna(lower))
        fixed = rows & ~leading
        if fixed.any():
            actions.append(RepairAction(
                "missing_prices", int(fixed.sum()),
                "close carried forward, open from the previous close, high/low from open/close",
                _examples(frame.index, fixed)))
        if leading.any():
            actions.append(RepairAction("dropped_rows", int(leading.sum()),
                                        "leading rows without any close dropped",
                                        _examples(frame.index, leading)))
            frame = frame[~leading]
    upper = frame[["open", "close"]].max(axis=1)
    lower = frame[["open", "close"]].min(axis=1)
    wrong = (frame["high"] < upper) | (frame["low"] > lower) | (frame["high"] < frame["low"])
    if wrong.any():
        actions.append(RepairAction("ohlc_inconsistent", int(wrong.sum()),
                                    "high raised to max(open, close), low lowered to "
                                    "min(open, close)", _examples(frame.index, wrong)))
        high = np.maximum(frame["high"], upper)
        low = np.minimum(frame["low"], lower)
        frame = frame.assign(high=np.maximum(high, low), low=np.minimum(high, low))
    return frame, actions


def _volume(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[RepairAction]]:
    volume = frame["volume"]
    bad = volume.isna() | (volume < 0) | ~np.isfinite(volume.fillna(0.0))
    if not bad.any():
        return frame, []
    action = RepairAction("bad_volume", int(bad.sum()), "missing or negative volume set to 0",
                          _examples(frame.index, bad))
    return frame.assign(volume=volume.where(~bad, 0.0)), [action]


def _infer_frequency(index: pd.DatetimeIndex) -> str | None:
    if len(index) < 3:
        return None
    step = pd.Series(index[1:] - index[:-1]).mode().iloc[0]
    if step == pd.Timedelta(days=1) and not (index.day_of_week >= 5).any() and len(index) >= 10:
        return "B"
    if step == pd.Timedelta(days=1):
        return "D"
    try:
        return str(pd.tseries.frequencies.to_offset(step).freqstr)
    except ValueError:
        return None


def _gaps(frame: pd.DataFrame, freq: str | None,
          fill: bool) -> tuple[pd.DataFrame, list[RepairAction]]:
    if freq is None:
        return frame, []
    full = pd.date_range(frame.index[0], frame.index[-1], freq=freq, tz=frame.index.tz)
    if not frame.index.isin(full).all():
        return frame, []  # irregular timestamps: no grid to compare against
    absent = full[~full.isin(frame.index)]
    if len(absent) == 0:
        return frame, []
    examples = tuple(str(value) for value in absent[:_N_EXAMPLES])
    if not fill:
        return frame, [RepairAction("gaps", len(absent), f"reported only: missing {freq} bars "
                                    "(pass fill_gaps=True to insert flat bars)", examples)]
    filled = frame.reindex(full)
    close = filled["close"].ffill()
    flat = filled["close"].isna()
    filled.loc[flat, ["open", "high", "low", "close"]] = np.repeat(
        close[flat].to_numpy()[:, None], 4, axis=1)
    filled.loc[flat, "volume"] = 0.0
    return filled, [RepairAction("gaps", len(absent), f"inserted flat {freq} bars at the "
                                 "previous close with zero volume", examples)]
