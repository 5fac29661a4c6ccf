"""Film features on DACON/KOBIS-style release tables: calendar, track records, interactions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.hits._calendar import release_calendar
from jogak.solutions.hits._competition import ReleaseCompetition
from jogak.solutions.hits._names import clean_company
from jogak.solutions.hits._track import TrackRecordEncoder

__all__ = ["FILM_COLUMNS", "FILM_TARGET", "FilmFeatures", "check_film_frame"]

#: Columns a film table must have (DACON "영화 관객수 예측" names).
FILM_COLUMNS = ("distributor", "genre", "release_time", "time", "screening_rat", "director",
                "dir_prev_bfnum", "dir_prev_num", "num_staff", "num_actor")
#: The target column: total audience.
FILM_TARGET = "box_off_num"
_POWER = "distributor_power"
_NUMERIC = ("time", "dir_prev_bfnum", "dir_prev_num", "num_staff", "num_actor")


def check_film_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with numeric columns coerced, after checking the film columns.

    Raises
    ------
    SchemaError
        When a required column is missing, a numeric column holds text or negative values, or
        no release date parses.
    """
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"Film features need a pandas DataFrame, got {type(frame).__name__}.")
    missing = [c for c in FILM_COLUMNS if c not in frame.columns]
    if missing:
        raise SchemaError(f"The film table lacks column(s) {missing}. Expected the DACON "
                          f"columns {list(FILM_COLUMNS)}; got {list(frame.columns)}.")
    out = frame.copy()
    for column in _NUMERIC:
        values = pd.to_numeric(out[column], errors="coerce")
        bad = out[column].notna() & values.isna()
        if bad.any():
            examples = out.loc[bad, column].astype(str).unique()[:3].tolist()
            raise SchemaError(f"Column {column!r} must be numeric; got values like {examples}. "
                              "Hint: remove units or text from the column.")
        if (values < 0).any():
            raise SchemaError(f"Column {column!r} must not be negative; got a minimum of "
                              f"{values.min():g}.")
        out[column] = values.astype(float)
    dates = pd.to_datetime(out["release_time"], errors="coerce", format="mixed")
    if len(out) and dates.isna().all():
        examples = out["release_time"].astype(str).unique()[:3].tolist()
        raise SchemaError(f"Column 'release_time' must hold dates like 2015-11-19; got values "
                          f"like {examples}.")
    return out


class FilmFeatures(TransformerMixin, BaseEstimator):
    """Release-time features of a film, leakage-free inside every cross-validation fold.

    Output columns: runtime, staff, lead actors, the director's previous-film figures given in
    the data (log mean audience, count), genre, rating, genre x rating, a cleaned distributor
    key (rare ones pooled as ``other``), the release calendar (:func:`release_calendar`), the
    distributor's market power and the director's, genre's and (when an ``actors`` column
    exists) lead actors' track records from films released earlier in the training rows
    (:class:`TrackRecordEncoder`), and two interactions (staff x distributor power, genre mean x
    holiday window), and, with ``competition``, the competition at release
    (:class:`ReleaseCompetition`: films opening around the same date, their distributors, staff
    and genres).

    Parameters
    ----------
    lag_days : int, default 30
        A film's audience counts in others' track records from this many days after its release
        (most of a Korean run is over within a month).
    min_distributor_films : int, default 3
        Distributors with fewer training films are pooled as ``other``.
    smoothing : float, default 1.0
        Pseudo-count of the track-record means.
    actor_column : str, default "actors"
        Comma-separated lead actors; used when the column exists (DACON data has only counts).
    hit_threshold : float or None, default 1_000_000
        Audience that makes a hit: each track record also gives the smoothed share of earlier
        films at or above it (``*_prev_hit_share``); None leaves those columns out.
    competition : {"train", "all"} or None, default None
        Competition features from the release schedule (:class:`ReleaseCompetition`):
        ``train`` compares a film with the training films, ``all`` also with the other rows
        being transformed (their attributes, never their audiences: schedules are public before
        release), None leaves the columns out. Off by default: on the 15 DACON folds they did
        not lower jogak's raw RMSE (docs/hits.md).
    competition_columns : sequence of str or None, default None
        Which competition columns to keep (:data:`COMPETITION_COLUMNS`); None: all.

    Attributes
    ----------
    encoders_ : list of TrackRecordEncoder
        The fitted track-record encoders.
    distributors_ : frozenset of str
        Distributor keys kept as their own category.
    competition_ : ReleaseCompetition or None
        The fitted competition features.
    """

    def __init__(self, *, lag_days: int = 30, min_distributor_films: int = 3,
                 smoothing: float = 1.0, actor_column: str = "actors",
                 hit_threshold: float | None = 1_000_000.0,
                 competition: str | None = None,
                 competition_columns: Sequence[str] | None = None) -> None:
        self.lag_days = lag_days
        self.min_distributor_films = min_distributor_films
        self.smoothing = smoothing
        self.actor_column = actor_column
        self.hit_threshold = hit_threshold
        self.competition = competition
        self.competition_columns = competition_columns

    def fit(self, X: pd.DataFrame, y: Any) -> FilmFeatures:
        """Learn distributor categories and track records from the training films."""
        if self.min_distributor_films < 1:
            raise ConfigError(f"min_distributor_films must be >= 1, got "
                              f"{self.min_distributor_films!r}.")
        if self.competition not in {"train", "all", None}:
            raise ConfigError(f"competition must be 'train', 'all' or None, got "
                              f"{self.competition!r}.")
        frame = check_film_frame(X)
        keys = frame["distributor"].map(clean_company)
        counts = keys.value_counts()
        self.distributors_ = frozenset(counts.index[counts >= self.min_distributor_films])
        frame = frame.assign(genre_key=frame["genre"].astype(str))
        specs: list[tuple[list[str], str, str | None]] = [
            (["distributor"], "company", None), (["director", "genre_key"], "person", None)]
        if self.actor_column in frame.columns:
            specs.append(([self.actor_column], "person", ","))
        self.encoders_ = [
            TrackRecordEncoder(columns=columns, date_column="release_time", kind=kind,
                               separator=separator, lag_days=self.lag_days,
                               smoothing=self.smoothing,
                               hit_threshold=self.hit_threshold).fit(frame, y)
            for columns, kind, separator in specs]
        self.competition_ = None
        if self.competition is not None:
            self.competition_ = ReleaseCompetition(
                power_column=_POWER, key_columns=FILM_COLUMNS, lag_days=self.lag_days,
                include_predicted=self.competition == "all",
                columns=self.competition_columns).fit(self._with_power(frame), y)
        self.n_features_in_ = X.shape[1]
        self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        self.feature_names_out_ = np.asarray(list(self.transform(X.iloc[:1]).columns),
                                             dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """The feature table, one row per film, in the input order."""
        check_is_fitted(self, "encoders_")
        frame = check_film_frame(X).reset_index(drop=True)
        frame = frame.assign(genre_key=frame["genre"].astype(str))
        out = pd.DataFrame(index=frame.index)
        out["runtime"] = frame["time"]
        out["log_staff"] = np.log1p(frame["num_staff"])
        out["num_actor"] = frame["num_actor"]
        out["dir_prev_num"] = frame["dir_prev_num"]
        out["dir_prev_log_audience"] = np.log1p(frame["dir_prev_bfnum"].fillna(0.0))
        genre = frame["genre"].fillna("unknown").astype(str)
        rating = frame["screening_rat"].fillna("unknown").astype(str)
        out["genre"] = genre
        out["rating"] = rating
        out["genre_rating"] = genre + " | " + rating
        keys = frame["distributor"].map(clean_company)
        out["distributor"] = keys.where(keys.isin(self.distributors_), "other")
        out = pd.concat([out, release_calendar(frame["release_time"])], axis=1)
        for encoder in self.encoders_:
            out = pd.concat([out, encoder.transform(frame).reset_index(drop=True)], axis=1)
        if self.competition_ is not None:
            competition = self.competition_.transform(self._with_power(frame))
            out = pd.concat([out, competition.reset_index(drop=True)], axis=1)
        out["staff_x_distributor_power"] = out["log_staff"] * out["distributor_prev_mean"]
        out["genre_x_holiday"] = (out["genre_key_prev_mean"]
                                  * out["is_major_holiday_window"].fillna(0.0))
        return out

    def _with_power(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` with the distributor's track-record mean (market power) as a column."""
        power = self.encoders_[0].transform(frame)["distributor_prev_mean"]
        return frame.assign(**{_POWER: power.to_numpy()})

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()

