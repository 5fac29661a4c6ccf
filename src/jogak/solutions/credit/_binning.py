"""Monotonic optimal binning of one feature: pre-bins, monotone merging, WoE and IV.

Conventions (Siddiqi, *Credit Risk Scorecards*; the same as optbinning): the event is "bad"
(default), ``WoE = ln(share of goods in the bin / share of bads in the bin)``, so a bin riskier
than the portfolio has a negative WoE, and ``IV = sum((share of goods - share of bads) * WoE)``.

Every value maps to one row of the binning table: the regular bins, then ``Missing`` (its own
bin when training had missing values, otherwise WoE 0: the portfolio's average risk) and, for
categorical features, ``Unseen`` (categories not met in training, WoE 0).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

__all__ = ["FeatureBinning", "MISSING_LABEL", "UNSEEN_LABEL", "bin_categorical", "bin_numeric",
           "category_keys", "woe_iv"]

MISSING_LABEL = "Missing"
UNSEEN_LABEL = "Unseen"
# additive smoothing of a bin holding only goods or only bads, whose WoE would be infinite:
# only a Missing bin or a single, flat bin can (regular bins are merged until both classes are in)
_SMOOTHING = 0.5

Trend = Literal["ascending", "descending", "flat", "mixed"]


def woe_iv(n_good: np.ndarray, n_bad: np.ndarray, *, total_good: float | None = None,
           total_bad: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Weight of evidence and information value of each bin.

    Parameters
    ----------
    n_good, n_bad : ndarray of shape (n_bins,)
        Goods (non-events) and bads (events) per bin; every entry must be positive.
    total_good, total_bad : float, optional
        Portfolio totals (default: the sums of ``n_good`` and ``n_bad``).

    Returns
    -------
    woe, iv : ndarray of shape (n_bins,)
        ``ln((n_good / total_good) / (n_bad / total_bad))`` and
        ``(n_good / total_good - n_bad / total_bad) * woe``.

    Examples
    --------
    >>> woe, iv = woe_iv(np.array([80.0, 20.0]), np.array([10.0, 10.0]))
    >>> [round(float(w), 4) for w in woe], round(float(iv.sum()), 4)
    ([0.47, -0.9163], 0.4159)
    """
    good = np.asarray(n_good, dtype=np.float64)
    bad = np.asarray(n_bad, dtype=np.float64)
    share_good = good / (good.sum() if total_good is None else total_good)
    share_bad = bad / (bad.sum() if total_bad is None else total_bad)
    woe = np.log(share_good / share_bad)
    return woe, (share_good - share_bad) * woe


@dataclass(frozen=True)
class FeatureBinning:
    """The fitted binning of one feature.

    Attributes
    ----------
    name : str
    kind : {"numeric", "categorical"}
    edges : tuple of float
        Numeric: inner split points; bin ``k`` is ``edges[k-1] <= x < edges[k]``.
    groups : tuple of tuple of str
        Categorical: the category keys (see :func:`category_keys`) of each bin.
    trend : {"ascending", "descending", "flat", "mixed"}
        How the bad rate moves from the first regular bin to the last ("mixed" only with
        ``monotonic="none"``).
    table : pandas.DataFrame
        One row per bin: ``bin, count, n_good, n_bad, share, bad_rate, woe, iv``; the regular
        bins, then ``Missing`` and (categorical) ``Unseen``.
    iv : float
        Information value of the feature (sum of the table's ``iv``).
    prebin_iv : float
        Information value of the pre-bins before monotone merging (what monotonicity cost).
    """

    name: str
    kind: Literal["numeric", "categorical"]
    edges: tuple[float, ...]
    groups: tuple[tuple[str, ...], ...]
    trend: Trend
    table: pd.DataFrame = field(repr=False)
    iv: float
    prebin_iv: float

    @property
    def n_regular_bins(self) -> int:
        """Number of bins for observed, non-missing values."""
        return len(self.edges) + 1 if self.kind == "numeric" else len(self.groups)

    @property
    def woe(self) -> np.ndarray:
        """WoE of every table row, indexed by :meth:`codes`."""
        return self.table["woe"].to_numpy(dtype=np.float64)

    def codes(self, values: pd.Series | np.ndarray) -> np.ndarray:
        """Row of the table each value falls in (regular bins, then Missing, then Unseen)."""
        k = self.n_regular_bins
        if self.kind == "numeric":
            x = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64)
            missing = np.isnan(x)
            codes = np.searchsorted(np.asarray(self.edges), np.where(missing, 0.0, x),
                                    side="right")
            return np.where(missing, k, codes).astype(np.int64)
        lookup = {key: i for i, group in enumerate(self.groups) for key in group}
        keys = category_keys(values)
        return np.array([k if key is None else lookup.get(key, k + 1) for key in keys],
                        dtype=np.int64)


def category_keys(values: pd.Series | np.ndarray) -> list[str | None]:
    """Values as category keys: strings, integral floats without ``.0``, missing as None."""
    series = pd.Series(values)
    out: list[str | None] = []
    for value in series.tolist():
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            out.append(None)
        elif isinstance(value, float | np.floating) and float(value).is_integer():
            out.append(str(int(value)))
        else:
            out.append(str(value))
    return out


# ------------------------------------------------------------------ merging

def _merge_monotone(good: list[float], bad: list[float], ascending: bool) -> list[list[int]]:
    """Pool adjacent violators: merge neighbours until bad rates strictly move one way."""
    blocks: list[list[int]] = []
    stats: list[tuple[float, float]] = []
    for i, (g, b) in enumerate(zip(good, bad, strict=True)):
        blocks.append([i])
        stats.append((g, b))
        while len(blocks) > 1:
            (g1, b1), (g2, b2) = stats[-2], stats[-1]
            r1, r2 = b1 / (g1 + b1), b2 / (g2 + b2)
            if (r1 < r2) if ascending else (r1 > r2):
                break
            last = blocks.pop()
            blocks[-1].extend(last)
            stats.pop()
            stats[-1] = (g1 + g2, b1 + b2)
    return blocks


def _merge_pair(blocks: list[list[int]], i: int) -> None:
    blocks[i].extend(blocks.pop(i + 1))


def _block_counts(blocks: list[list[int]], good: np.ndarray,
                  bad: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return (np.array([good[b].sum() for b in blocks], dtype=np.float64),
            np.array([bad[b].sum() for b in blocks], dtype=np.float64))


def _enforce_sizes(blocks: list[list[int]], good: np.ndarray, bad: np.ndarray, *,
                   min_count: float, max_n_bins: int, total_good: float,
                   total_bad: float) -> list[list[int]]:
    """Merge bins that are too small or hold one class only, then down to ``max_n_bins``.

    Merging two neighbours of a strictly monotone sequence keeps it strictly monotone (the
    merged rate lies between theirs), so these merges never break the trend.
    """
    while len(blocks) > 1:
        g, b = _block_counts(blocks, good, bad)
        weak = (g + b < min_count) | (g == 0) | (b == 0)
        if not weak.any():
            break
        i = int(np.argmin(np.where(weak, g + b, np.inf)))
        rates = b / (g + b)
        if i == 0:
            _merge_pair(blocks, 0)
        elif i == len(blocks) - 1:
            _merge_pair(blocks, i - 1)
        else:
            left, right = abs(rates[i] - rates[i - 1]), abs(rates[i + 1] - rates[i])
            _merge_pair(blocks, i - 1 if left <= right else i)
    while len(blocks) > max_n_bins:
        g, b = _block_counts(blocks, good, bad)
        _, iv = woe_iv(g, b, total_good=total_good, total_bad=total_bad)
        losses = []
        for i in range(len(blocks) - 1):
            _, merged = woe_iv(np.array([g[i] + g[i + 1]]), np.array([b[i] + b[i + 1]]),
                               total_good=total_good, total_bad=total_bad)
            losses.append(iv[i] + iv[i + 1] - merged[0])
        _merge_pair(blocks, int(np.argmin(losses)))
    return blocks


def _prebin_iv(good: np.ndarray, bad: np.ndarray, total_good: float, total_bad: float) -> float:
    keep = (good > 0) & (bad > 0)
    if not keep.any():
        return 0.0
    _, iv = woe_iv(good[keep], bad[keep], total_good=total_good, total_bad=total_bad)
    return float(iv.sum())


def _trend(rates: np.ndarray) -> Trend:
    steps = np.diff(rates)
    if np.all(steps > 0):
        return "ascending"
    return "descending" if np.all(steps < 0) else "mixed"


def _best_blocks(good: np.ndarray, bad: np.ndarray, *, monotonic: str, min_count: float,
                 max_n_bins: int, total_good: float,
                 total_bad: float) -> tuple[list[list[int]], Trend]:
    candidates: list[tuple[float, list[list[int]], Trend]] = []
    directions = {"auto": (True, False), "ascending": (True,), "descending": (False,),
                  "none": (None,)}[monotonic]
    for ascending in directions:
        blocks = [[i] for i in range(len(good))] if ascending is None else \
            _merge_monotone(good.tolist(), bad.tolist(), ascending)
        blocks = _enforce_sizes(blocks, good, bad, min_count=min_count, max_n_bins=max_n_bins,
                                total_good=total_good, total_bad=total_bad)
        g, b = _block_counts(blocks, good, bad)
        iv = float(woe_iv(g, b, total_good=total_good, total_bad=total_bad)[1].sum()) \
            if len(blocks) > 1 else 0.0
        trend: Trend = "flat" if len(blocks) == 1 else _trend(b / (g + b))
        candidates.append((iv, blocks, trend))
    iv, blocks, trend = max(candidates, key=lambda c: c[0])  # first (ascending) wins ties
    return blocks, trend


# ------------------------------------------------------------------ tables

def _row(label: str, good: float, bad: float, total_good: float,
         total_bad: float) -> dict[str, object]:
    woe = iv = 0.0
    if good + bad > 0:
        smooth = _SMOOTHING if min(good, bad) == 0 else 0.0
        w, v = woe_iv(np.array([good + smooth]), np.array([bad + smooth]),
                      total_good=total_good, total_bad=total_bad)
        woe, iv = float(w[0]), float(v[0])
    return {"bin": label, "count": int(good + bad), "n_good": int(good), "n_bad": int(bad),
            "woe": woe, "iv": iv}


def _table(labels: list[str], good: np.ndarray, bad: np.ndarray, missing: tuple[float, float],
           *, with_unseen: bool, total_good: float, total_bad: float) -> pd.DataFrame:
    rows = [_row(label, g, b, total_good, total_bad)
            for label, g, b in zip(labels, good, bad, strict=True)]
    rows.append(_row(MISSING_LABEL, *missing, total_good, total_bad))
    if with_unseen:
        rows.append(_row(UNSEEN_LABEL, 0.0, 0.0, total_good, total_bad))
    table = pd.DataFrame(rows)
    table.insert(2, "share", table["count"] / (total_good + total_bad))
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = table["n_bad"] / table["count"].where(table["count"] > 0)
    table.insert(5, "bad_rate", rate.astype("float64"))
    return table


def _format_edge(value: float) -> str:
    return f"{value:.6g}"


def _numeric_labels(edges: list[float]) -> list[str]:
    bounds = [-math.inf, *edges, math.inf]
    labels = []
    for low, high in zip(bounds[:-1], bounds[1:], strict=True):
        if low == -math.inf:
            labels.append(f"< {_format_edge(high)}")
        elif high == math.inf:
            labels.append(f">= {_format_edge(low)}")
        else:
            labels.append(f"[{_format_edge(low)}, {_format_edge(high)})")
    return labels


def bin_numeric(name: str, x: np.ndarray, y: np.ndarray, *, n_prebins: int, max_n_bins: int,
                min_bin_share: float, monotonic: str) -> FeatureBinning:
    """Monotonic binning of a numeric feature (``y``: 1 = bad, 0 = good; NaN = missing)."""
    total_bad = float(y.sum())
    total_good = float(len(y) - total_bad)
    missing = np.isnan(x)
    xs, ys = x[~missing], y[~missing]
    miss = (float((y[missing] == 0).sum()), float(y[missing].sum()))
    if xs.size == 0:
        table = _table([], np.array([]), np.array([]), miss, with_unseen=False,
                       total_good=total_good, total_bad=total_bad)
        return FeatureBinning(name, "numeric", (), (), "flat", table, 0.0, 0.0)
    distinct = np.unique(xs)
    if distinct.size <= n_prebins:
        candidates = distinct[1:]
    else:
        quantiles = np.quantile(xs, np.linspace(0.0, 1.0, n_prebins + 1)[1:-1], method="lower")
        candidates = np.unique(quantiles)
        candidates = candidates[candidates > distinct[0]]
    index = np.searchsorted(candidates, xs, side="right")
    n_pre = candidates.size + 1
    bad = np.bincount(index, weights=ys, minlength=n_pre)
    good = np.bincount(index, minlength=n_pre) - bad
    keep = (good + bad) > 0
    candidates = candidates[keep[1:]]  # an empty pre-bin's lower edge goes with it
    good, bad = good[keep], bad[keep]
    prebin_iv = _prebin_iv(good, bad, total_good, total_bad)
    blocks, trend = _best_blocks(good, bad, monotonic=monotonic,
                                 min_count=min_bin_share * len(y), max_n_bins=max_n_bins,
                                 total_good=total_good, total_bad=total_bad)
    edges = [float(candidates[block[0] - 1]) for block in blocks[1:]]
    g, b = _block_counts(blocks, good, bad)
    table = _table(_numeric_labels(edges), g, b, miss, with_unseen=False,
                   total_good=total_good, total_bad=total_bad)
    return FeatureBinning(name, "numeric", tuple(edges), (), trend, table,
                          float(table["iv"].sum()), prebin_iv)


def _key_order(key: str) -> tuple[int, float, str]:
    try:
        return (0, float(key), key)
    except ValueError:
        return (1, 0.0, key)


def bin_categorical(name: str, keys: list[str | None], y: np.ndarray, *, max_n_bins: int,
                    min_bin_share: float) -> FeatureBinning:
    """Binning of a categorical feature: categories ordered by bad rate, small ones merged."""
    total_bad = float(y.sum())
    total_good = float(len(y) - total_bad)
    frame = pd.DataFrame({"key": pd.Series(keys, dtype="object"), "y": y})
    miss_rows = frame["key"].isna()
    miss = (float((frame.loc[miss_rows, "y"] == 0).sum()), float(frame.loc[miss_rows, "y"].sum()))
    counts = frame[~miss_rows].groupby("key", sort=True)["y"].agg(["sum", "count"])
    if counts.empty:
        table = _table([], np.array([]), np.array([]), miss, with_unseen=True,
                       total_good=total_good, total_bad=total_bad)
        return FeatureBinning(name, "categorical", (), (), "flat", table, 0.0, 0.0)
    counts["rate"] = counts["sum"] / counts["count"]
    counts = counts.sort_values(["rate", "count"], kind="stable")
    bad = counts["sum"].to_numpy(dtype=np.float64)
    good = counts["count"].to_numpy(dtype=np.float64) - bad
    prebin_iv = _prebin_iv(good, bad, total_good, total_bad)
    # sorted by rate, so neighbours are monotone; ties are merged to keep the trend strict
    blocks = _merge_monotone(good.tolist(), bad.tolist(), ascending=True)
    blocks = _enforce_sizes(blocks, good, bad, min_count=min_bin_share * len(y),
                            max_n_bins=max_n_bins, total_good=total_good, total_bad=total_bad)
    names = counts.index.tolist()
    groups = tuple(tuple(sorted((str(names[i]) for i in block), key=_key_order))
                   for block in blocks)
    g, b = _block_counts(blocks, good, bad)
    labels = [", ".join(group) for group in groups]
    table = _table(labels, g, b, miss, with_unseen=True, total_good=total_good,
                   total_bad=total_bad)
    trend: Trend = "flat" if len(groups) == 1 else "ascending"
    return FeatureBinning(name, "categorical", (), groups, trend, table,
                          float(table["iv"].sum()), prebin_iv)
