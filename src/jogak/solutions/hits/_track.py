"""Track records of distributors, directors, artists and writers from EARLIER releases only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.solutions.hits._names import clean_company, clean_person, split_names

__all__ = ["TrackRecordEncoder"]

_CLEANERS = {"company": clean_company, "person": clean_person}


class TrackRecordEncoder(TransformerMixin, BaseEstimator):
    """Per-entity history of the target, using only records released before each row.

    Fitting stores the training rows' entities, dates and (log) outcomes. Transforming a row
    dated ``d`` aggregates, for each entity column, the stored records of the same entity whose
    outcome was known before ``d``: their count, smoothed mean and maximum. A row's own outcome
    never enters its features (its date is not before itself), and inside a cross-validation
    fold only that fold's training rows are stored, so test targets never leak.

    Parameters
    ----------
    columns : sequence of str
        Entity columns (distributor, director, artist, ...).
    date_column : str
        Release date of each row.
    kind : {"person", "company"}, default "person"
        How names are cleaned into keys (see :func:`clean_person`, :func:`clean_company`).
    separator : str or None, default None
        Split multi-valued fields (``"A, B"``) on this string; each credit counts once.
    known_column : str or None, default None
        Date from which a stored record's outcome counts as known (e.g. a song's last chart
        month); read in ``fit`` only. Without it, a record is known ``lag_days`` after its date.
    lag_days : int, default 0
        Days after release before a record's outcome counts (ignored with ``known_column``).
    log_target : bool, default True
        Aggregate ``log1p(y)`` instead of ``y``.
    smoothing : float, default 1.0
        Pseudo-count pulling the mean towards the training mean for entities with few records.
    hit_threshold : float or None, default None
        Also give ``<column>_prev_hit_share``: the smoothed share of earlier records whose
        outcome (on the original scale) reached this value, e.g. a million admissions. Raw-scale
        errors are dominated by such hits, which a mean of logs dilutes.

    Attributes
    ----------
    prior_ : float
        Mean (log) outcome of the training rows.
    history_ : dict of str to DataFrame
        Per column: ``key, known, value`` sorted by key and date.
    feature_names_out_ : ndarray of str
        ``<column>_n_prev``, ``<column>_prev_mean``, ``<column>_prev_max`` for each column
        (and ``<column>_prev_hit_share`` with ``hit_threshold``).

    Examples
    --------
    >>> X = pd.DataFrame({"director": ["a", "a", "b"],
    ...                   "date": ["2010-01-01", "2011-01-01", "2011-01-01"]})
    >>> enc = TrackRecordEncoder(columns=["director"], date_column="date", log_target=False,
    ...                          smoothing=0.0).fit(X, [10.0, 20.0, 30.0])
    >>> enc.transform(X)["director_n_prev"].tolist()
    [0.0, 1.0, 0.0]
    """

    def __init__(self, *, columns: Sequence[str] = (), date_column: str = "release_date",
                 kind: str = "person", separator: str | None = None,
                 known_column: str | None = None, lag_days: int = 0, log_target: bool = True,
                 smoothing: float = 1.0, hit_threshold: float | None = None) -> None:
        self.columns = columns
        self.date_column = date_column
        self.kind = kind
        self.separator = separator
        self.known_column = known_column
        self.lag_days = lag_days
        self.log_target = log_target
        self.smoothing = smoothing
        self.hit_threshold = hit_threshold

    def _keys(self, values: pd.Series) -> list[list[str]]:
        if self.separator is not None:
            names = [split_names(v, separator=self.separator) for v in values]
            return [[_CLEANERS[self.kind](n) for n in row] for row in names]
        clean = _CLEANERS[self.kind]
        return [[key] if (key := clean(v)) else [] for v in values]

    def _dates(self, X: pd.DataFrame, column: str) -> np.ndarray:
        if column not in X.columns:
            raise SchemaError(f"TrackRecordEncoder needs the date column {column!r}; got "
                              f"columns {list(X.columns)}.")
        parsed = pd.to_datetime(X[column], errors="coerce", format="mixed")
        return parsed.to_numpy(dtype="datetime64[ns]")

    def fit(self, X: pd.DataFrame, y: Any) -> TrackRecordEncoder:
        """Store the training rows' entities, dates and outcomes."""
        if self.kind not in _CLEANERS:
            raise ConfigError(f"kind must be 'person' or 'company', got {self.kind!r}.")
        if self.smoothing < 0 or self.lag_days < 0:
            raise ConfigError(f"smoothing and lag_days must be >= 0, got {self.smoothing!r} and "
                              f"{self.lag_days!r}.")
        if self.hit_threshold is not None and not np.isfinite(self.hit_threshold):
            raise ConfigError(f"hit_threshold must be a finite number or None, got "
                              f"{self.hit_threshold!r}.")
        if not isinstance(X, pd.DataFrame):
            raise SchemaError("TrackRecordEncoder needs a DataFrame with named columns.")
        missing = [c for c in self.columns if c not in X.columns]
        if missing:
            raise SchemaError(f"TrackRecordEncoder: column(s) {missing} are not in the data; "
                              f"columns are {list(X.columns)}.")
        target = pd.to_numeric(pd.Series(np.asarray(y, dtype=object)), errors="coerce")
        if len(target) != len(X):
            raise SchemaError(f"X has {len(X)} rows but y has {len(target)}.")
        values = target.to_numpy(dtype=float)
        if self.log_target:
            if np.nanmin(values, initial=0.0) < 0:
                raise TargetError("log_target needs a non-negative target.")
            values = np.log1p(values)
        if self.known_column is not None:
            known = self._dates(X, self.known_column)
        else:
            known = self._dates(X, self.date_column) + np.timedelta64(int(self.lag_days), "D")
        usable = ~np.isnan(values) & ~np.isnat(known)
        self.prior_ = float(np.mean(values[usable])) if usable.any() else 0.0
        hits = target.to_numpy(dtype=float) >= (self.hit_threshold if self.hit_threshold
                                                 is not None else np.inf)
        self.hit_prior_ = float(np.mean(hits[usable])) if usable.any() else 0.0
        self.history_: dict[str, pd.DataFrame] = {}
        for column in self.columns:
            keys = self._keys(X[column])
            rows = [(key, known[i], values[i], float(hits[i])) for i, row in enumerate(keys)
                    if usable[i] for key in row]
            history = pd.DataFrame(rows, columns=["key", "known", "value", "hit"])
            self.history_[column] = history.sort_values(["key", "known"], kind="stable",
                                                        ignore_index=True)
        self.feature_names_out_ = np.asarray(
            [f"{c}_{s}" for c in self.columns for s in self._suffixes()], dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def _suffixes(self) -> tuple[str, ...]:
        base = ("n_prev", "prev_mean", "prev_max")
        return base if self.hit_threshold is None else (*base, "prev_hit_share")

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Count, smoothed mean and maximum (and hit share) of each entity's earlier outcomes."""
        check_is_fitted(self, "history_")
        if not isinstance(X, pd.DataFrame):
            raise SchemaError("TrackRecordEncoder needs a DataFrame with named columns.")
        dates = self._dates(X, self.date_column)
        out = pd.DataFrame(index=X.index)
        for column in self.columns:
            if column not in X.columns:
                raise SchemaError(f"TrackRecordEncoder was fitted with column {column!r}, "
                                  "which is missing.")
            count, total, best, n_hits = self._aggregate(column, self._keys(X[column]), dates)
            out[f"{column}_n_prev"] = count
            out[f"{column}_prev_mean"] = self._smoothed(total, count, self.prior_)
            out[f"{column}_prev_max"] = np.where(count > 0, best, 0.0)
            if self.hit_threshold is not None:
                out[f"{column}_prev_hit_share"] = self._smoothed(n_hits, count, self.hit_prior_)
        return out

    def _smoothed(self, total: np.ndarray, count: np.ndarray, prior: float) -> np.ndarray:
        mean = (total + self.smoothing * prior) / np.maximum(count + self.smoothing, 1e-12)
        mean[count == 0] = prior
        return mean

    def _aggregate(self, column: str, keys: list[list[str]],
                   dates: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        n_rows = len(keys)
        count, total, best = np.zeros(n_rows), np.zeros(n_rows), np.full(n_rows, -np.inf)
        n_hits = np.zeros(n_rows)
        history = self.history_[column]
        if history.empty:
            return count, total, best, n_hits
        pairs = pd.DataFrame([(i, key) for i, row in enumerate(keys) for key in row],
                             columns=["row", "key"])
        pairs = pairs[~np.isnat(dates[pairs["row"].to_numpy()])] if len(pairs) else pairs
        groups = dict(list(history.groupby("key", sort=False)))
        for key, wanted in pairs.groupby("key", sort=False):
            past = groups.get(key)
            if past is None:
                continue
            known = past["known"].to_numpy(dtype="datetime64[ns]")
            cumsum = np.cumsum(past["value"].to_numpy())
            cummax = np.maximum.accumulate(past["value"].to_numpy())
            cumhits = np.cumsum(past["hit"].to_numpy())
            rows = wanted["row"].to_numpy()
            n_before = np.searchsorted(known, dates[rows], side="left")
            has = n_before > 0
            np.add.at(count, rows, n_before)
            np.add.at(total, rows[has], cumsum[n_before[has] - 1])
            np.maximum.at(best, rows[has], cummax[n_before[has] - 1])
            np.add.at(n_hits, rows[has], cumhits[n_before[has] - 1])
        return count, total, best, n_hits

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>_n_prev``, ``_prev_mean``, ``_prev_max`` (``_prev_hit_share``) per column."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()
