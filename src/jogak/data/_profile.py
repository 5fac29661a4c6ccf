"""``profile``: what is in a table, column by column, and how the target looks."""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from jogak.data._coerce import coerce_frame, datetime_seconds, text_to_numbers
from jogak.data._infer import (
    ValueSummary,
    check_frame,
    check_target,
    detect_task,
    infer_roles,
    infer_with_counts,
    summarize_values,
    value_counts,
)
from jogak.data._roles import ColumnRole, ColumnRoles, Task
from jogak.errors import ConfigError, SchemaError

__all__ = ["ColumnProfile", "Profile", "profile"]

QUANTILES = {"min": 0.0, "p01": 0.01, "p05": 0.05, "p25": 0.25, "p50": 0.5, "p75": 0.75,
             "p95": 0.95, "p99": 0.99, "max": 1.0}
_N_TOP = 5
_N_TEXT_SAMPLE = 10_000
_HASH_ROWS = 1 << 16
_PARSED_ROLES = {ColumnRole.NUMERIC, ColumnRole.DATETIME, ColumnRole.BOOLEAN}
_PRIVATE_ROLES = {ColumnRole.IDENTIFIER, ColumnRole.TEXT}  # values may be personal: not shown
Bound: TypeAlias = float | str | datetime.date | None


@dataclass(frozen=True)
class ColumnProfile:
    """Summary of one column. Statistics that do not apply to its role are ``None``.

    ``missing_share`` counts values that could not be read for the role (blank text in a
    numeric column, text that is not a date in a datetime column) as missing; ``n_unparsed``
    counts those that were neither missing nor blank. Quantiles, mean, std, skew (adjusted
    Fisher-Pearson) and ``n_outliers`` (outside 1.5 IQR of the quartiles) use finite values;
    ``mean_words`` of text columns uses up to 10,000 evenly spaced values.
    ``n_impossible`` counts values outside the declared range. Identifier and text columns show
    no top values: they may hold personal data.
    """

    name: str
    role: ColumnRole
    dtype: str
    n_missing: int
    missing_share: float
    n_distinct: int
    reason: str = ""
    top_values: tuple[tuple[str, int], ...] = ()
    quantiles: dict[str, float] | None = None
    mean: float | None = None
    std: float | None = None
    skew: float | None = None
    n_outliers: int | None = None
    n_infinite: int = 0
    n_unparsed: int = 0
    first: str | None = None
    last: str | None = None
    mean_words: float | None = None
    declared_range: tuple[Bound, Bound] | None = None
    n_impossible: int | None = None
    suspected_leak: bool = False
    leak_score: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN and infinities become ``None``)."""
        out = {item.name: _json(getattr(self, item.name)) for item in fields(self)}
        out["top_values"] = [{"value": value, "count": count} for value, count in self.top_values]
        return out


@dataclass(frozen=True)
class Profile:
    """The profile of a table: its size, one :class:`ColumnProfile` per column and the target.

    ``target_distribution`` maps each class to its share for classification, and holds
    quantiles, mean, std and skew for regression.
    """

    n_rows: int
    n_columns: int
    columns: dict[str, ColumnProfile]
    roles: ColumnRoles
    n_duplicate_rows: int | None = None
    target: str | None = None
    task: Task | None = None
    target_distribution: dict[str, float] | None = None
    suspected_leaks: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ``json.dumps(profile.to_dict(), allow_nan=False)`` works."""
        return {
            "n_rows": self.n_rows,
            "n_columns": self.n_columns,
            "n_duplicate_rows": self.n_duplicate_rows,
            "target": self.target,
            "task": self.task.value if self.task is not None else None,
            "target_distribution": _json(self.target_distribution),
            "suspected_leaks": list(self.suspected_leaks),
            "columns": {name: column.to_dict() for name, column in self.columns.items()},
        }


def profile(frame: pd.DataFrame, *, target: str | None = None, roles: ColumnRoles | None = None,
            ranges: Mapping[str, tuple[Bound, Bound]] | None = None) -> Profile:
    """Profile a table: roles, missing values, distinct values, distributions, outliers, leaks.

    Every statistic is computed column-wise with vectorised pandas/numpy operations.

    Parameters
    ----------
    frame : pandas.DataFrame
    target : str, optional
        The column to predict: adds the task, the target's distribution and suspected leaks.
    roles : ColumnRoles, optional
        Roles to use (e.g. edited ones, or those of the training data); inferred with
        :func:`infer_roles` when omitted, and for any column they do not cover. Their target is
        used when ``target`` is omitted and the frame has that column.
    ranges : mapping of column name to (low, high), optional
        Declared valid ranges (either bound may be ``None``); values outside count as
        ``n_impossible``. Bounds of datetime columns may be dates as text.

    Returns
    -------
    Profile

    Raises
    ------
    TargetError
        The target is not a column, is constant or all missing.
    SchemaError
        ``ranges`` names a column that is not in ``frame``.
    ConfigError
        A range is not a (low, high) pair with low <= high, or ``target`` disagrees with
        ``roles.target``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"age": [23, 35, 41, 250], "churn": ["no", "no", "yes", "no"]})
    >>> result = profile(frame, target="churn", ranges={"age": (0, 120)})
    >>> result.task.value, result.columns["age"].n_impossible, result.target_distribution
    ('binary', 1, {'no': 0.75, 'yes': 0.25})
    """
    check_frame(frame)
    if roles is None:
        roles, counts = infer_with_counts(frame, target)
    else:
        roles = _resolve_roles(frame, target, roles)
        counts = {name: summarize_values(frame[name]) for name in frame.columns}
    target = roles.target
    checked = _check_ranges(frame, ranges or {})
    coerced = coerce_frame(frame, roles)
    columns = {
        name: _column_profile(frame[name], coerced[name], roles, checked.get(name),
                              counts[name])
        for name in frame.columns
    }
    task = distribution = None
    if target is not None:
        task = detect_task(frame[target])
        distribution = _target_distribution(frame[target], task)
    return Profile(
        n_rows=len(frame), n_columns=len(frame.columns), columns=columns, roles=roles,
        n_duplicate_rows=_n_duplicates(frame, counts), target=target, task=task,
        target_distribution=distribution, suspected_leaks=tuple(roles.suspected_leaks),
    )


def _resolve_roles(frame: pd.DataFrame, target: str | None, roles: ColumnRoles) -> ColumnRoles:
    if target is not None and roles.target is not None and target != roles.target:
        raise ConfigError(f"target={target!r} disagrees with the roles' target "
                          f"{roles.target!r}. Hint: pass one of them only.")
    if target is not None:
        check_target(frame, target)
    elif roles.target in frame.columns:
        target = roles.target  # a frame to score has no target: profile it without one
    uncovered = [name for name in frame.columns if name not in roles.info]
    info = {name: item for name, item in roles.info.items() if name in frame.columns}
    if uncovered:
        extra = infer_roles(frame[uncovered], target=target if target in uncovered else None)
        info.update(extra.info)
    return ColumnRoles(info={name: info[name] for name in frame.columns}, target=target)


def _check_ranges(frame: pd.DataFrame,
                  ranges: Mapping[str, tuple[Bound, Bound]]) -> dict[str, tuple[Bound, Bound]]:
    unknown = [name for name in ranges if name not in frame.columns]
    if unknown:
        raise SchemaError(f"ranges name columns that are not in the data: {unknown}. Expected "
                          "existing column names. Hint: check the spelling (case-sensitive).")
    checked: dict[str, tuple[Bound, Bound]] = {}
    for name, bounds in ranges.items():
        if not isinstance(bounds, tuple | list) or len(bounds) != 2:
            raise ConfigError(f"The range of {name!r} must be a (low, high) pair, got "
                              f"{bounds!r}. Hint: use None for an open end, e.g. (0, None).")
        low, high = bounds
        if low is not None and high is not None and _as_bound(low) > _as_bound(high):
            raise ConfigError(f"The range of {name!r} has low {low!r} above high {high!r}. "
                              "Hint: write it as (low, high).")
        checked[name] = (low, high)
    return checked


def _as_bound(value: Bound) -> Any:
    if isinstance(value, str | pd.Timestamp | datetime.date):
        return pd.Timestamp(value)
    return float(value) if value is not None else None


def _column_profile(raw: pd.Series, coerced: pd.Series, roles: ColumnRoles,
                    bounds: tuple[Bound, Bound] | None,
                    counts: ValueSummary) -> ColumnProfile:
    info = roles.info[str(raw.name)]
    role = info.role
    n_rows = len(raw)
    parsed = role in _PARSED_ROLES
    n_missing = int(coerced.isna().sum()) if parsed else int(raw.isna().sum())
    stats: dict[str, Any] = {}
    if parsed and not (pd.api.types.is_numeric_dtype(raw.dtype)
                       or pd.api.types.is_datetime64_any_dtype(raw.dtype)):
        present = raw.notna() & raw.astype(str).str.strip().ne("")
        stats["n_unparsed"] = int((present & coerced.isna()).sum())
    if role not in _PRIVATE_ROLES:
        limit = 50 if role is ColumnRole.TARGET else _N_TOP
        stats["top_values"] = tuple((str(value), int(count))
                                    for value, count in counts.top.head(limit).items())
    numbers = _numbers_for(role, coerced, raw)
    if numbers is not None:
        stats.update(_numeric_stats(numbers))
        if role is ColumnRole.BOOLEAN or (role is ColumnRole.TARGET and counts.n_distinct <= 2):
            stats["n_outliers"] = None  # two values have no outliers
        if bounds is not None and role is not ColumnRole.DATETIME:
            stats["n_impossible"] = _outside(numbers, bounds)
    if role is ColumnRole.DATETIME and pd.api.types.is_datetime64_any_dtype(coerced.dtype):
        present_dates = coerced.dropna()
        if len(present_dates):
            stats["first"] = present_dates.min().isoformat()
            stats["last"] = present_dates.max().isoformat()
        if bounds is not None:
            stats["n_impossible"] = _outside_dates(coerced, bounds)
    if role is ColumnRole.TEXT:
        present = raw.dropna()
        step = max(1, len(present) // _N_TEXT_SAMPLE)
        words = present.iloc[::step].astype(str).str.count(r"\S+")
        stats["mean_words"] = round(float(words.mean()), 2) if len(words) else None
    if bounds is not None:
        stats["declared_range"] = bounds
    return ColumnProfile(
        name=str(raw.name), role=role, dtype=str(raw.dtype), n_missing=n_missing,
        missing_share=n_missing / n_rows if n_rows else 0.0, n_distinct=counts.n_distinct,
        reason=info.reason, suspected_leak=info.suspected_leak, leak_score=info.leak_score,
        **stats,
    )


def _numbers_for(role: ColumnRole, coerced: pd.Series, raw: pd.Series) -> np.ndarray | None:
    if role in {ColumnRole.NUMERIC, ColumnRole.BOOLEAN}:
        return coerced.to_numpy(dtype="float64", na_value=np.nan)
    if role is not ColumnRole.TARGET or pd.api.types.is_bool_dtype(raw.dtype):
        return None
    if pd.api.types.is_numeric_dtype(raw.dtype):
        return raw.to_numpy(dtype="float64", na_value=np.nan)
    present = raw.dropna()
    if len(present) == 0 or np.isnan(text_to_numbers(present.head(100))).any():
        return None
    numbers = text_to_numbers(raw)
    return None if np.isnan(numbers[raw.notna().to_numpy()]).any() else numbers


def _numeric_stats(numbers: np.ndarray) -> dict[str, Any]:
    finite = np.isfinite(numbers)
    stats: dict[str, Any] = {"n_infinite": int((np.isinf(numbers)).sum())}
    z = numbers[finite]  # a copy, sorted and scaled in place: no second column-sized array
    z.sort()
    if len(z) == 0:
        return stats
    # work on x / max|x| so that squares and cubes of values near 1e300 cannot overflow
    scale = float(max(abs(z[0]), abs(z[-1]))) or 1.0
    z /= scale
    qs = dict(zip(QUANTILES, _sorted_quantiles(z, list(QUANTILES.values())), strict=True))
    stats["quantiles"] = {key: float(q * scale) for key, q in qs.items()}
    iqr = qs["p75"] - qs["p25"]
    low = np.searchsorted(z, qs["p25"] - 1.5 * iqr, side="left")
    high = np.searchsorted(z, qs["p75"] + 1.5 * iqr, side="right")
    stats["n_outliers"] = int(low + (len(z) - high))
    mean, std, skew = moments(z)
    stats.update(mean=mean * scale, std=std * scale, skew=skew)
    return stats


def _sorted_quantiles(ordered: np.ndarray, probabilities: list[float]) -> np.ndarray:
    """Quantiles of a sorted array, interpolated as numpy's default ('linear') method does."""
    position = np.asarray(probabilities) * (len(ordered) - 1)
    below = np.floor(position).astype("int64")
    above = np.minimum(below + 1, len(ordered) - 1)
    fraction = position - below
    return ordered[below] + (ordered[above] - ordered[below]) * fraction


def moments(x: np.ndarray) -> tuple[float, float, float]:
    """Mean, sample standard deviation and adjusted Fisher-Pearson skewness of ``x``.

    The skewness matches ``scipy.stats.skew(x, bias=False)`` and pandas' ``Series.skew``; it is
    0 for fewer than three values or no spread.
    """
    n = len(x)
    mean = float(x.mean())
    deviations = x - mean
    m2 = float(np.mean(deviations * deviations))
    std = math.sqrt(m2 * n / (n - 1)) if n > 1 else 0.0
    if n < 3 or m2 <= 1e-200:
        return mean, std, 0.0
    m3 = float(np.mean(deviations * deviations * deviations))
    g1 = m3 / m2**1.5
    return mean, std, g1 * math.sqrt(n * (n - 1)) / (n - 2)


def _outside(numbers: np.ndarray, bounds: tuple[Bound, Bound]) -> int:
    low, high = (float(b) if b is not None and not isinstance(b, str | pd.Timestamp |
                                                            datetime.date) else None
                 for b in bounds)
    present = ~np.isnan(numbers)
    mask = np.zeros(len(numbers), dtype=bool)
    if low is not None:
        mask |= present & (numbers < low)
    if high is not None:
        mask |= present & (numbers > high)
    return int(mask.sum())


def _outside_dates(dates: pd.Series, bounds: tuple[Bound, Bound]) -> int:
    seconds = datetime_seconds(dates)
    low, high = (datetime_seconds(pd.Series([pd.Timestamp(b)]))[0] if b is not None else None
                 for b in bounds)
    return _outside(seconds, (low, high))


def _target_distribution(y: pd.Series, task: Task) -> dict[str, float]:
    if task.is_classification:
        shares = value_counts(y) / int(y.notna().sum())
        return {str(label): round(float(share), 6) for label, share in shares.items()}
    numbers = y.to_numpy(dtype="float64", na_value=np.nan) if pd.api.types.is_numeric_dtype(
        y.dtype) else text_to_numbers(y)
    stats = _numeric_stats(numbers[~np.isnan(numbers)])
    out = dict(stats.get("quantiles", {}))
    out.update(mean=stats.get("mean"), std=stats.get("std"), skew=stats.get("skew"))
    return out


def _n_duplicates(frame: pd.DataFrame, counts: dict[str, ValueSummary]) -> int | None:
    if frame.shape[1] == 0 or len(frame) < 2:
        return 0
    if any(summary.n_distinct == len(frame) for summary in counts.values()):
        return 0  # a column without repeated values: no two rows can be equal
    # row hashes a block of rows at a time (hashing text makes per-row temporaries), then
    # sorted: repeated rows are the rows minus the distinct hashes, without a hash table
    hashes = np.empty(len(frame), dtype=np.uint64)
    try:
        for start in range(0, len(frame), _HASH_ROWS):
            block = frame.iloc[start:start + _HASH_ROWS]
            hashes[start:start + len(block)] = pd.util.hash_pandas_object(block, index=False)
    except TypeError:
        return None
    hashes.sort()
    return int(len(hashes) - 1 - np.count_nonzero(hashes[1:] != hashes[:-1]))


def _json(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, ColumnRole | Task):
        return value.value
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    return value
