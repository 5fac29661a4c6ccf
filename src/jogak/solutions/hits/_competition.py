"""Competition at release: the other films opening around a film's date (schedule, not sales)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.hits._names import clean_company

__all__ = ["COMPETITION_COLUMNS", "MAJOR_DISTRIBUTORS", "ReleaseCompetition"]

#: Cleaned keys (:func:`clean_company`) of the big distributors of the Korean market.
MAJOR_DISTRIBUTORS = frozenset({"cj", "쇼박스", "롯데", "new", "메가박스", "워너브러더스",
                                "이십세기폭스", "월트디즈니", "유니버설", "소니픽쳐스"})
#: Output columns of :class:`ReleaseCompetition`.
COMPETITION_COLUMNS = (
    "films_within_3d", "films_within_7d", "films_within_14d", "major_films_within_7d",
    "major_films_within_14d", "rival_staff_sum_7d", "rival_staff_max_7d", "rival_power_max_7d",
    "staff_rank_week", "power_rank_week", "staff_share_week", "same_genre_within_7d",
    "same_genre_staff_max_7d", "rival_known_max_log", "rival_known_n")
_EPOCH = np.datetime64("1970-01-01", "D")
_CHUNK = 2_000  # rows per block of the rows x schedule comparisons


class ReleaseCompetition(TransformerMixin, BaseEstimator):
    """How crowded a film's opening is, from the release schedule of the other films.

    A film's schedule is public before it opens, so the *attributes* of the films opening
    around it (date, distributor, staff, genre) are known at release. Fitting stores the
    training films' attributes (and their ``log1p`` audiences with the date they count as
    known: release + ``lag_days``). Transforming a film compares it with the stored films
    (and, with ``include_predicted``, with the other rows being transformed, attributes only),
    never with itself: the number of films opening within 3, 7 and 14 days, of major
    distributors' films within 7 and 14 days, the staff (``log1p``) sum and maximum and the
    strongest major distributor's power among the films within 7 days, the film's rank by staff
    and by distributor power among the films opening within 3 days and its share of their staff,
    the films of the same genre within 7 days and their largest staff, and the largest audience
    (and count) of the training films released ``lag_days`` to ``lag_days + 14`` days earlier,
    the only audiences read. No audience of a transformed row is ever read.

    Parameters
    ----------
    date_column, company_column, staff_column, genre_column : str
        Release date, distributor, staff count and genre columns.
    power_column : str or None, default None
        Distributor power per row (e.g. the distributor's track-record mean); None gives 0.
    key_columns : sequence of str or None, default None
        Columns that identify a film, so a row is not its own competitor and a film both
        stored and transformed counts once; None: every column seen in ``fit``.
    include_predicted : bool, default False
        Also count the rows being transformed as competitors (their attributes, not their
        audiences). Release schedules are public, but in cross-validation this makes the
        held-out rows' counts denser than the training rows'.
    lag_days : int, default 30
        Days after release from which a training film's audience counts as known.
    majors : frozenset of str, default MAJOR_DISTRIBUTORS
    columns : sequence of str or None, default None
        A subset of :data:`COMPETITION_COLUMNS` to output; None: all of them.

    Attributes
    ----------
    schedule_ : DataFrame
        The stored films: ``day, key, major, staff, power, genre, log_audience``.
    """

    def __init__(self, *, date_column: str = "release_time", company_column: str = "distributor",
                 staff_column: str = "num_staff", genre_column: str = "genre",
                 power_column: str | None = None, key_columns: Sequence[str] | None = None,
                 include_predicted: bool = False, lag_days: int = 30,
                 majors: frozenset[str] = MAJOR_DISTRIBUTORS,
                 columns: Sequence[str] | None = None) -> None:
        self.date_column = date_column
        self.company_column = company_column
        self.staff_column = staff_column
        self.genre_column = genre_column
        self.power_column = power_column
        self.key_columns = key_columns
        self.include_predicted = include_predicted
        self.lag_days = lag_days
        self.majors = majors
        self.columns = columns

    def _schedule(self, X: pd.DataFrame) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            raise SchemaError(f"ReleaseCompetition needs a DataFrame, got {type(X).__name__}.")
        needed = [self.date_column, self.company_column, self.staff_column, self.genre_column,
                  *([self.power_column] if self.power_column else []), *self.keys_]
        missing = [c for c in dict.fromkeys(needed) if c not in X.columns]
        if missing:
            raise SchemaError(f"ReleaseCompetition needs column(s) {missing}; got "
                              f"{list(X.columns)}.")
        dates = pd.to_datetime(X[self.date_column], errors="coerce", format="mixed")
        days = (dates.to_numpy(dtype="datetime64[D]") - _EPOCH).astype(float)
        days[dates.isna().to_numpy()] = np.nan
        staff = pd.to_numeric(X[self.staff_column], errors="coerce").fillna(0.0).clip(lower=0)
        power = (pd.to_numeric(X[self.power_column], errors="coerce").fillna(0.0)
                 if self.power_column else pd.Series(0.0, index=X.index))
        keys = pd.util.hash_pandas_object(X[self.keys_].astype(str), index=False)
        return pd.DataFrame({
            "day": days, "key": keys.to_numpy(),
            "major": X[self.company_column].map(clean_company).isin(self.majors).to_numpy(float),
            "staff": np.log1p(staff.to_numpy(float)), "power": power.to_numpy(float),
            "genre": X[self.genre_column].astype(str).to_numpy()})

    def fit(self, X: pd.DataFrame, y: Any) -> ReleaseCompetition:
        """Store the training films' attributes and their (lagged) log audiences."""
        if self.lag_days < 0:
            raise ConfigError(f"lag_days must be >= 0, got {self.lag_days!r}.")
        unknown = sorted(set(self.columns or ()) - set(COMPETITION_COLUMNS))
        if unknown:
            raise ConfigError(f"columns must be among {list(COMPETITION_COLUMNS)}, got "
                              f"{unknown}.")
        if not isinstance(X, pd.DataFrame):
            raise SchemaError(f"ReleaseCompetition needs a DataFrame, got {type(X).__name__}.")
        self.keys_ = [str(c) for c in (self.key_columns if self.key_columns is not None
                                       else X.columns)]
        target = pd.to_numeric(pd.Series(np.asarray(y, dtype=object)), errors="coerce")
        if len(target) != len(X):
            raise SchemaError(f"X has {len(X)} rows but y has {len(target)}.")
        schedule = self._schedule(X)
        schedule["log_audience"] = np.log1p(target.clip(lower=0).to_numpy(float))
        self.schedule_ = schedule.drop_duplicates("key").reset_index(drop=True)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """The competition columns (``get_feature_names_out``), one row per film."""
        check_is_fitted(self, "schedule_")
        rows = self._schedule(X)
        pool = self.schedule_
        if self.include_predicted:
            extra = rows[~rows["key"].isin(pool["key"])].drop_duplicates("key")
            pool = pd.concat([pool, extra.assign(log_audience=np.nan)], ignore_index=True)
        blocks = [self._block(rows.iloc[start:start + _CHUNK], pool)
                  for start in range(0, len(rows), _CHUNK)]
        out = (pd.concat(blocks, ignore_index=True) if blocks
               else pd.DataFrame(columns=list(COMPETITION_COLUMNS), dtype=float))
        out.index = X.index
        return out[list(self.get_feature_names_out())]

    def _block(self, rows: pd.DataFrame, pool: pd.DataFrame) -> pd.DataFrame:
        ahead = rows["day"].to_numpy()[:, None] - pool["day"].to_numpy()[None, :]
        other = rows["key"].to_numpy()[:, None] != pool["key"].to_numpy()[None, :]
        gap = np.where(other & np.isfinite(ahead), np.abs(ahead), np.inf)
        major, staff = pool["major"].to_numpy()[None, :], pool["staff"].to_numpy()[None, :]
        power = pool["power"].to_numpy()[None, :]
        week, near, wide = gap <= 3, gap <= 7, gap <= 14
        own_staff = rows["staff"].to_numpy()
        same_genre = near & (rows["genre"].to_numpy()[:, None] == pool["genre"].to_numpy()[None, :])
        audience = pool["log_audience"].to_numpy()[None, :]
        known = (other & (ahead >= self.lag_days) & (ahead <= self.lag_days + 14)
                 & np.isfinite(audience))
        week_staff = (week * staff).sum(axis=1)
        out = {
            "films_within_3d": week.sum(axis=1), "films_within_7d": near.sum(axis=1),
            "films_within_14d": wide.sum(axis=1),
            "major_films_within_7d": (near * major).sum(axis=1),
            "major_films_within_14d": (wide * major).sum(axis=1),
            "rival_staff_sum_7d": (near * staff).sum(axis=1),
            "rival_staff_max_7d": np.where(near, staff, 0.0).max(axis=1, initial=0.0),
            "rival_power_max_7d": np.where(near & (major > 0), power, 0.0).max(axis=1,
                                                                              initial=0.0),
            "staff_rank_week": 1 + (week & (staff > own_staff[:, None])).sum(axis=1),
            "power_rank_week": 1 + (week & (power > rows["power"].to_numpy()[:, None])).sum(
                axis=1),
            "staff_share_week": np.divide(own_staff, own_staff + week_staff,
                                          out=np.ones_like(own_staff),
                                          where=own_staff + week_staff > 0),
            "same_genre_within_7d": same_genre.sum(axis=1),
            "same_genre_staff_max_7d": np.where(same_genre, staff, 0.0).max(axis=1, initial=0.0),
            "rival_known_max_log": np.where(known, audience, 0.0).max(axis=1, initial=0.0),
            "rival_known_n": known.sum(axis=1),
        }
        return pd.DataFrame(out).astype(float)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``columns`` in the order of :data:`COMPETITION_COLUMNS` (all by default)."""
        wanted = set(self.columns) if self.columns is not None else set(COMPETITION_COLUMNS)
        return np.asarray([c for c in COMPETITION_COLUMNS if c in wanted], dtype=object)
