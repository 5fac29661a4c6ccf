"""The reference profile: what drift checks need of the training data, small and JSON-safe."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError
from jogak.monitor._statistics import bin_counts, quantile_edges

__all__ = ["PROFILE_FORMAT_VERSION", "category_key", "prediction_signal", "reference_profile"]

PROFILE_FORMAT_VERSION = 1
PREDICTION = "__prediction__"
#: numeric columns with at most this many distinct values are compared as categories
MAX_DISCRETE_VALUES = 5


def category_key(value: Any) -> str:
    """A category as JSON text: integral numbers without ``.0``, booleans as ``True``/``False``."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, float | np.floating) and math.isfinite(value) and value == int(value):
        return str(int(value))
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


#: text columns whose non-blank values parse as numbers at least this often are numeric
NUMERIC_TEXT_SHARE = 0.95


def _is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values.dtype) and \
        not pd.api.types.is_bool_dtype(values.dtype)


def as_numbers(values: pd.Series) -> tuple[np.ndarray, int]:
    """The values as floats (NaN where missing or blank) and how many did not parse."""
    if _is_numeric(values):
        return values.to_numpy(dtype=np.float64, na_value=np.nan), 0
    text = values.astype("str").str.strip()
    blank = values.isna().to_numpy(dtype=bool) | text.isin(["", "nan", "NaN", "NA", "null",
                                                            "None"]).to_numpy(dtype=bool)
    parsed = pd.to_numeric(text.where(~blank, None), errors="coerce").to_numpy(
        dtype=np.float64, na_value=np.nan)
    return parsed, int((np.isnan(parsed) & ~blank).sum())


def _numeric_text(values: pd.Series) -> bool:
    if _is_numeric(values) or pd.api.types.is_bool_dtype(values.dtype) or \
            not (pd.api.types.is_string_dtype(values.dtype) or values.dtype == object):
        return False
    numbers, n_bad = as_numbers(values)
    n_present = int((~np.isnan(numbers)).sum()) + n_bad
    return n_present > 0 and n_bad <= (1 - NUMERIC_TEXT_SHARE) * n_present


def column_profile(values: pd.Series, *, n_bins: int, sample_size: int, max_categories: int,
                   rng: np.random.Generator) -> dict[str, Any] | None:
    """The profile of one column, or None for columns drift cannot be measured on."""
    if _numeric_text(values):
        values = pd.Series(as_numbers(values)[0], index=values.index, name=values.name)
    present = values.dropna()
    n_unique = int(present.nunique())
    base = {"n": int(len(present)), "n_missing": int(values.isna().sum()), "n_unique": n_unique}
    if _is_numeric(values) and n_unique > MAX_DISCRETE_VALUES:
        numbers = present.to_numpy(dtype=np.float64)
        numbers = numbers[np.isfinite(numbers)]
        edges = quantile_edges(numbers, n_bins)
        sample = numbers if len(numbers) <= sample_size else \
            rng.choice(numbers, size=sample_size, replace=False)
        return {"type": "numeric", **base, "mean": float(np.mean(numbers)),
                "std": float(np.std(numbers)), "min": float(np.min(numbers)),
                "max": float(np.max(numbers)), "bin_edges": edges.tolist(),
                "bin_counts": bin_counts(numbers, edges).tolist(),
                "sample": np.sort(sample).tolist()}
    if not _is_numeric(values) and len(present) > 1000 and n_unique > 0.5 * len(present):
        return None  # identifiers and free text: every value new, nothing to compare
    counts = present.map(category_key).value_counts()
    kept = counts.head(max_categories)
    return {"type": "categorical", **base,
            "frequencies": {str(k): int(v) for k, v in kept.items()},
            "other_count": int(counts.iloc[max_categories:].sum())}


def reference_profile(frame: pd.DataFrame, *, columns: Sequence[str] | None = None,
                      predictions: Any = None, n_bins: int = 10, sample_size: int = 5000,
                      max_categories: int = 200, random_state: int = 0) -> dict[str, Any]:
    """Summarise training data for later drift checks (store it in the model bundle).

    Numeric columns keep their ``n_bins`` quantile bin edges and counts (for PSI and
    Jensen-Shannon), mean, standard deviation and range, and a sorted sample of at most
    ``sample_size`` values (for KS and Wasserstein; the whole column when it is smaller, so
    small references are exact); text columns whose values read as numbers (at least 95 % of
    the non-blank ones, e.g. ``" 1889.5"``) count as numeric. Other columns, and numeric ones
    with at most 5 distinct values, keep the counts of their ``max_categories`` most frequent
    values and the count of the rest. Columns of text that is almost all distinct
    (identifiers) are left out. All of it is JSON-safe.

    Parameters
    ----------
    frame : pandas.DataFrame
        The training features.
    columns : sequence of str, optional
        Only these columns (default: all).
    predictions : array-like, optional
        The model's out-of-fold predictions on ``frame``: values (regression) or the
        probability matrix (classification), profiled as ``"__prediction__"`` for prediction
        drift (see :func:`prediction_signal`).
    n_bins, sample_size, max_categories : int
    random_state : int, default 0
        Seed of the sample.

    Returns
    -------
    dict
        ``{"format_version", "n_rows", "columns": {name: {...}}}``.

    Raises
    ------
    SchemaError
        Not a DataFrame, no rows, absent columns, or predictions of another length.
    ConfigError
        ``sample_size`` or ``max_categories`` below 1.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": np.arange(100.0), "plan": ["a", "b"] * 50})
    >>> profile = reference_profile(frame, n_bins=4)
    >>> profile["columns"]["x"]["bin_counts"], profile["columns"]["plan"]["frequencies"]
    ([25, 25, 25, 25], {'a': 50, 'b': 50})
    """
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"Expected a pandas DataFrame, got {type(frame).__name__}.")
    if len(frame) == 0:
        raise SchemaError("Cannot profile an empty reference (0 rows). Expected the training "
                          "data.")
    for name, value in (("sample_size", sample_size), ("max_categories", max_categories)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value!r}.")
    names = list(frame.columns) if columns is None else list(columns)
    absent = [c for c in names if c not in frame.columns]
    if absent:
        raise SchemaError(f"Columns {absent} are not in the reference frame.")
    rng = np.random.default_rng(random_state)
    profiles: dict[str, Any] = {}
    for name in names:
        profile = column_profile(frame[name], n_bins=n_bins, sample_size=sample_size,
                                 max_categories=max_categories, rng=rng)
        if profile is not None:
            profiles[str(name)] = profile
    if predictions is not None:
        values = prediction_signal(predictions)
        if len(values) != len(frame):
            raise SchemaError(f"predictions has {len(values)} rows, the frame {len(frame)}.")
        profile = column_profile(values, n_bins=n_bins, sample_size=sample_size,
                                 max_categories=max_categories, rng=rng)
        if profile is not None:
            profiles[PREDICTION] = profile
    return {"format_version": PROFILE_FORMAT_VERSION, "n_rows": int(len(frame)),
            "columns": profiles}


def prediction_signal(predictions: Any) -> pd.Series:
    """What prediction drift compares: the value (regression), the probability of the positive
    class (binary, 2-column probabilities), or the index of the most probable class (more)."""
    array = np.asarray(predictions)
    if array.ndim == 2 and array.shape[1] == 2:
        array = array[:, 1]
    elif array.ndim == 2:
        array = np.argmax(array, axis=1).astype(str).astype(object)
    return pd.Series(array.ravel(), name=PREDICTION)


def check_profile(profile: Mapping[str, Any]) -> Mapping[str, Any]:
    """``profile`` if it reads as one written by :func:`reference_profile`."""
    if not isinstance(profile, Mapping) or "columns" not in profile or \
            not isinstance(profile.get("format_version"), int):
        raise SchemaError("The reference profile is malformed. Expected the dict returned by "
                          "jogak.monitor.reference_profile(frame).")
    if profile["format_version"] > PROFILE_FORMAT_VERSION:
        raise SchemaError(f"The reference profile has format version "
                          f"{profile['format_version']}; this jogak reads up to "
                          f"{PROFILE_FORMAT_VERSION}. Hint: upgrade jogak.")
    return profile
