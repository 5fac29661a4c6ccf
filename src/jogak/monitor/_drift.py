"""Per-column drift between a reference (training data or its profile) and current data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import SchemaError
from jogak.monitor._config import DriftConfig
from jogak.monitor._profile import (
    NUMERIC_TEXT_SHARE,
    as_numbers,
    category_key,
    check_profile,
    reference_profile,
)
from jogak.monitor._statistics import (
    bin_counts,
    chi_square_test,
    jensen_shannon,
    ks_test,
    psi,
    wasserstein_norm,
    z_test,
)

__all__ = ["DriftReport", "DriftSummary", "detect_drift"]

_OTHER = "__other__"
_P_TESTS = ("ks", "chi2", "z")
COLUMNS = ["column", "kind", "test", "statistic", "p_value", "threshold", "drifted", "psi",
           "psi_level", "js_distance", "wasserstein_norm", "ks_statistic", "ks_p_value",
           "n_reference", "n_current", "reference_missing_share", "current_missing_share"]


@dataclass(frozen=True)
class DriftSummary:
    """The verdict over all columns."""

    n_columns: int
    n_drifted: int
    share_drifted: float
    dataset_drift: bool
    drifted_columns: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"n_columns": self.n_columns, "n_drifted": self.n_drifted,
                "share_drifted": self.share_drifted, "dataset_drift": self.dataset_drift,
                "drifted_columns": list(self.drifted_columns)}


@dataclass(frozen=True)
class DriftReport:
    """Drift of every column: one row per column in :attr:`columns`, and a :attr:`summary`.

    Attributes
    ----------
    columns : pandas.DataFrame
        ``column, kind, test, statistic, p_value, threshold, drifted, psi, psi_level,
        js_distance, wasserstein_norm, ks_statistic, ks_p_value, n_reference, n_current,
        reference_missing_share, current_missing_share``.
    summary : DriftSummary
    config : DriftConfig
    n_reference_rows, n_current_rows : int
    """

    columns: pd.DataFrame
    summary: DriftSummary
    config: DriftConfig
    n_reference_rows: int
    n_current_rows: int
    histograms: dict[str, dict[str, Any]] = field(default_factory=dict, repr=False)

    @property
    def drifted_columns(self) -> list[str]:
        """Names of the columns that drifted."""
        return list(self.summary.drifted_columns)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (NaN as None)."""
        rows = self.columns.astype(object).where(self.columns.notna(), None)
        return {"summary": self.summary.to_dict(), "n_reference_rows": self.n_reference_rows,
                "n_current_rows": self.n_current_rows, "method": self.config.method,
                "columns": [{k: _plain(v) for k, v in row.items()}
                            for row in rows.to_dict(orient="records")]}


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def detect_drift(reference: pd.DataFrame | Mapping[str, Any], current: pd.DataFrame, *,
                 columns: Sequence[str] | None = None,
                 config: DriftConfig | None = None) -> DriftReport:
    """Compare every column of ``current`` with the reference.

    Parameters
    ----------
    reference : pandas.DataFrame or dict
        Training data, or its :func:`reference_profile` (what a model bundle stores). With a
        frame every statistic is exact; with a profile KS and Wasserstein use its sample.
    current : pandas.DataFrame
        The data now arriving (missing values are counted, then left out of the tests).
    columns : sequence of str, optional
        Only these columns; default every profiled column.
    config : DriftConfig, optional

    Returns
    -------
    DriftReport

    Raises
    ------
    SchemaError
        A reference column is absent from ``current``, ``current`` has no rows, or a numeric
        reference column receives values that are not numbers.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> reference = pd.DataFrame({"x": rng.normal(size=500), "y": rng.normal(size=500)})
    >>> current = pd.DataFrame({"x": rng.normal(size=500) + 1, "y": rng.normal(size=500)})
    >>> detect_drift(reference, current).drifted_columns
    ['x']
    """
    config = DriftConfig() if config is None else config
    if not isinstance(current, pd.DataFrame):
        raise SchemaError(f"Expected the current data as a DataFrame, got "
                          f"{type(current).__name__}.")
    if len(current) == 0:
        raise SchemaError("The current data has no rows. Expected at least one.")
    profile: Mapping[str, Any]
    if isinstance(reference, pd.DataFrame):
        wanted = list(reference.columns) if columns is None else list(columns)
        profile = reference_profile(reference, columns=wanted, n_bins=config.n_bins,
                                    sample_size=max(len(reference), 1),
                                    max_categories=1_000_000)
    else:
        profile = check_profile(reference)
    profiles: Mapping[str, Any] = profile["columns"]
    names = list(profiles) if columns is None else list(columns)
    unknown = [c for c in names if c not in profiles]
    if unknown:
        raise SchemaError(f"Columns {unknown} have no reference profile (identifiers and free "
                          "text are not profiled). Expected some of "
                          f"{list(profiles)[:20]}.")
    absent = [c for c in names if c not in current.columns]
    if absent:
        raise SchemaError(f"The current data lacks the reference columns {absent}. Expected "
                          "every feature the model was trained on.")
    rows, histograms = [], {}
    for name in names:
        row, histogram = compare_column(name, profiles[name], current[name], config)
        rows.append(row)
        histograms[name] = histogram
    table = pd.DataFrame(rows, columns=COLUMNS)
    drifted = tuple(table.loc[table["drifted"], "column"])
    share = len(drifted) / len(table) if len(table) else 0.0
    summary = DriftSummary(n_columns=len(table), n_drifted=len(drifted),
                           share_drifted=round(share, 6),
                           dataset_drift=bool(len(table)) and share >= config.drift_share,
                           drifted_columns=drifted)
    return DriftReport(columns=table, summary=summary, config=config,
                       n_reference_rows=int(profile["n_rows"]), n_current_rows=len(current),
                       histograms=histograms)


def _psi_level(value: float, config: DriftConfig) -> str:
    if not np.isfinite(value):
        return "n/a"
    if value >= config.psi_major:
        return "major"
    return "moderate" if value >= config.psi_moderate else "none"


def compare_column(name: str, profile: Mapping[str, Any], values: pd.Series,
                   config: DriftConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    """One row of the drift table and the two histograms behind it."""
    n_ref = int(profile["n"])
    ref_missing = profile["n_missing"] / max(n_ref + profile["n_missing"], 1)
    row: dict[str, Any] = dict.fromkeys(COLUMNS, np.nan)
    row.update(column=name, kind=profile["type"], n_reference=n_ref,
               reference_missing_share=round(ref_missing, 6),
               current_missing_share=round(float(values.isna().mean()), 6))
    if profile["type"] == "numeric":
        numbers = _numbers(name, values)
        row["n_current"] = int(len(numbers))
        row["current_missing_share"] = round(1 - len(numbers) / max(len(values), 1), 6)
        edges = np.asarray(profile["bin_edges"], dtype=np.float64)
        ref_counts = np.asarray(profile["bin_counts"], dtype=np.float64)
        cur_counts = bin_counts(numbers, edges).astype(np.float64)
        labels = _bin_labels(edges)
        if len(numbers):
            sample = np.asarray(profile["sample"], dtype=np.float64)
            row["ks_statistic"], row["ks_p_value"] = ks_test(sample, numbers)
            row["wasserstein_norm"] = wasserstein_norm(sample, numbers,
                                                       reference_std=profile["std"])
        auto = "ks" if n_ref <= config.small_reference else "wasserstein"
        allowed = ("ks", "wasserstein", "jensenshannon", "psi")
    else:
        ref_counts, cur_counts, labels = _category_counts(profile, values)
        row["n_current"] = int(cur_counts.sum())
        is_binary = len(labels) == 2
        auto = ("z" if is_binary else "chi2") if n_ref <= config.small_reference \
            else "jensenshannon"
        allowed = ("chi2", "jensenshannon", "psi", *(("z",) if is_binary else ()))
    if row["n_current"] and n_ref:
        row["psi"] = psi(ref_counts, cur_counts)
        row["js_distance"] = jensen_shannon(ref_counts, cur_counts)
    row["psi_level"] = _psi_level(row["psi"], config)
    test = config.method if config.method in allowed else auto
    _decide(row, test, ref_counts, cur_counts, config)
    histogram = {"labels": labels, "reference": ref_counts.tolist(),
                 "current": cur_counts.tolist()}
    return row, histogram


def _decide(row: dict[str, Any], test: str, ref_counts: np.ndarray, cur_counts: np.ndarray,
            config: DriftConfig) -> None:
    row["test"] = test
    if not row["n_current"] or not row["n_reference"]:
        # a feature that stopped arriving (all missing now) is drift in itself
        row.update(test="missing", statistic=np.nan, drifted=bool(row["n_reference"]),
                   threshold=np.nan)
        return
    if test == "ks":
        row["statistic"], row["p_value"] = row["ks_statistic"], row["ks_p_value"]
    elif test == "chi2":
        row["statistic"], row["p_value"] = chi_square_test(ref_counts, cur_counts)
    elif test == "z":
        row["statistic"], row["p_value"] = z_test(ref_counts, cur_counts)
    elif test == "wasserstein":
        row["statistic"] = row["wasserstein_norm"]
    elif test == "jensenshannon":
        row["statistic"] = row["js_distance"]
    else:
        row["statistic"] = row["psi"]
    if test in _P_TESTS:
        row["threshold"] = config.p_value
        row["drifted"] = bool(row["p_value"] < config.p_value)
    else:
        row["threshold"] = config.psi_major if test == "psi" else config.distance_threshold
        row["drifted"] = bool(row["statistic"] >= row["threshold"])


def _numbers(name: str, values: pd.Series) -> np.ndarray:
    numbers, n_bad = as_numbers(values)
    n_present = int((~np.isnan(numbers)).sum()) + n_bad
    if n_bad > (1 - NUMERIC_TEXT_SHARE) * n_present:
        raise SchemaError(f"Column {name!r} is numeric in the reference, but {n_bad:,} of "
                          f"{n_present:,} current values are not numbers. Hint: fix the "
                          "upstream export or cast the column.")
    return numbers[np.isfinite(numbers)]


def _category_counts(profile: Mapping[str, Any],
                     values: pd.Series) -> tuple[np.ndarray, np.ndarray, list[str]]:
    reference: dict[str, int] = dict(profile["frequencies"])
    current = values.dropna().map(category_key).value_counts()
    labels = list(reference)
    if profile.get("other_count", 0):
        reference[_OTHER] = int(profile["other_count"])
        current_other = int(current[~current.index.isin(labels)].sum())
        current = current[current.index.isin(labels)]
        current[_OTHER] = current_other
        labels.append(_OTHER)
    else:
        labels += [k for k in current.index if k not in reference]
    ref = np.array([reference.get(k, 0) for k in labels], dtype=np.float64)
    cur = np.array([int(current.get(k, 0)) for k in labels], dtype=np.float64)
    return ref, cur, labels


def _bin_labels(edges: np.ndarray) -> list[str]:
    if len(edges) == 0:
        return ["all"]
    bounds = ["-inf", *(f"{e:.4g}" for e in edges), "inf"]
    return [f"[{low}, {high})" for low, high in zip(bounds[:-1], bounds[1:], strict=True)]
