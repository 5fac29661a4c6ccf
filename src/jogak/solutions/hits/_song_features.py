"""Song features known at release: credits' track records, genre, OST flag, title, embeddings."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import SchemaError
from jogak.solutions.hits._calendar import release_calendar
from jogak.solutions.hits._embeddings import ArtistEmbedding
from jogak.solutions.hits._names import clean_person, clean_title, split_names
from jogak.solutions.hits._track import TrackRecordEncoder

__all__ = ["SONG_COLUMNS", "SongFeatures", "is_ost"]

#: Columns a song table must have (see :func:`song_outcomes`).
SONG_COLUMNS = ("song_name", "artist", "genre", "release_date")
_CREDITS = ("artist", "lyric_writer", "composer", "arranger")
_OST_GENRES = ("국내드라마", "국내영화", "애니메이션/웹툰", "뮤직비디오")
_OST_TEXT = re.compile(r"\bO\.?S\.?T\b|드라마|part\.?\s*\d|\bpt\.?\s*\d", re.IGNORECASE)
_FEATURING = re.compile(r"\b(?:feat|ft|with)\b\.?", re.IGNORECASE)
_VERSION = re.compile(r"remix|ver\.|version|inst\.|acoustic|live|mr\b", re.IGNORECASE)


def is_ost(genre: object, title: object = "", album: object = "") -> bool:
    """Whether a song is a drama/film soundtrack, from its genre labels or title/album text.

    Examples
    --------
    >>> is_ost("발라드, 국내드라마"), is_ost("발라드", album="도깨비 OST Part.9"), is_ost("댄스")
    (True, True, False)
    """
    labels = str(genre) if isinstance(genre, str) else ""
    if any(tag in labels for tag in _OST_GENRES):
        return True
    text = " ".join(str(v) for v in (title, album) if isinstance(v, str))
    return bool(_OST_TEXT.search(text))


class SongFeatures(TransformerMixin, BaseEstimator):
    """Release-time features of songs, with credit track records from earlier songs only.

    ``fit`` reads the outcome column (``months_on_chart``, else ``y``) and ``chart_end`` (when a
    song's run was over) of the training songs: a song's run counts in another song's track
    record only if it had ended before that song's release, so no feature holds information from
    after release. ``transform`` never reads outcomes.

    Parameters
    ----------
    top_genres : int, default 12
        Genre labels (multi-label, split on ", ") kept as 0/1 columns.
    embedding_size : int, default 16
        Artist embedding dimensions (:class:`ArtistEmbedding`, needs gensim); 0 turns it off.
    include_early_entry : bool, default True
        Add ``charted_in_release_month`` (S1's "charted within 7 days" flag at monthly
        resolution; known a month after release, not on release day).
    random_state : int, default 0
        Seed of the embedding.

    Attributes
    ----------
    genres_ : list of str
        Genre labels turned into columns.
    encoders_ : list of TrackRecordEncoder
    embedding_ : ArtistEmbedding or None
    """

    def __init__(self, *, top_genres: int = 12, embedding_size: int = 16,
                 include_early_entry: bool = True, random_state: int = 0) -> None:
        self.top_genres = top_genres
        self.embedding_size = embedding_size
        self.include_early_entry = include_early_entry
        self.random_state = random_state

    def _checked(self, X: Any) -> pd.DataFrame:
        if not isinstance(X, pd.DataFrame):
            raise SchemaError(f"Song features need a DataFrame, got {type(X).__name__}.")
        missing = [c for c in SONG_COLUMNS if c not in X.columns]
        if missing:
            raise SchemaError(f"The song table lacks column(s) {missing}. Expected "
                              f"{list(SONG_COLUMNS)} (see song_outcomes); got {list(X.columns)}.")
        frame = X.reset_index(drop=True).copy()
        for column in _CREDITS:
            if column not in frame.columns:
                frame[column] = np.nan
        return frame

    def fit(self, X: pd.DataFrame, y: Any = None) -> SongFeatures:
        """Learn genre columns, credit track records and artist embeddings from training songs."""
        frame = self._checked(X)
        if "months_on_chart" in frame.columns:
            outcome = frame["months_on_chart"].to_numpy(dtype=float)
        elif y is not None:
            outcome = np.asarray(y, dtype=float)
        else:
            raise SchemaError("SongFeatures.fit needs a 'months_on_chart' column or y.")
        genres = frame["genre"].map(_genre_labels).explode().dropna()
        self.genres_ = genres.value_counts().head(self.top_genres).index.tolist()
        known = "chart_end" if "chart_end" in frame.columns else None
        self.encoders_ = [
            TrackRecordEncoder(columns=[column], date_column="release_date", kind="person",
                               separator=",", known_column=known, lag_days=92).fit(frame,
                                                                                   outcome)
            for column in _CREDITS]
        self.embedding_ = None
        if self.embedding_size:
            self.embedding_ = ArtistEmbedding(vector_size=self.embedding_size,
                                              random_state=self.random_state).fit(frame)
        self.n_features_in_ = X.shape[1]
        self.feature_names_out_ = np.asarray(list(self.transform(X.iloc[:1]).columns),
                                             dtype=object)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """The feature table, one row per song, in the input order."""
        check_is_fitted(self, "encoders_")
        frame = self._checked(X)
        out = release_calendar(frame["release_date"])
        labels = frame["genre"].map(_genre_labels)
        for index, genre in enumerate(self.genres_):
            out[f"genre_{index}"] = labels.map(lambda ls, g=genre: float(g in ls))
        out["n_genres"] = labels.map(len).astype(float)
        albums = frame["album"] if "album" in frame.columns else pd.Series("", index=frame.index)
        out["is_ost"] = [float(is_ost(g, t, a)) for g, t, a
                         in zip(frame["genre"], frame["song_name"], albums, strict=True)]
        titles = frame["song_name"].fillna("").astype(str)
        out["title_length"] = titles.map(clean_title).str.len().astype(float)
        out["has_featuring"] = titles.str.contains(_FEATURING).astype(float)
        out["is_version"] = titles.str.contains(_VERSION).astype(float)
        out["is_single"] = (albums.fillna("").astype(str).str.contains("single", case=False)
                            | (albums.map(clean_title) == titles.map(clean_title))).astype(float)
        artist = frame["artist"].map(clean_person)
        for column in ("lyric_writer", "composer"):
            names = frame[column].map(split_names)
            out[f"n_{column}s"] = names.map(len).astype(float)
            out[f"artist_is_{column}"] = [float(a in n) for a, n in zip(artist, names,
                                                                        strict=True)]
        if "lyrics_row_num" in frame.columns:
            out["lyrics_lines"] = pd.to_numeric(frame["lyrics_row_num"], errors="coerce")
        if self.include_early_entry:
            early = (pd.to_numeric(frame["charted_in_release_month"], errors="coerce")
                     if "charted_in_release_month" in frame.columns else np.nan)
            out["charted_in_release_month"] = early
        for encoder in self.encoders_:
            out = pd.concat([out, encoder.transform(frame)], axis=1)
        if self.embedding_ is not None:
            out = pd.concat([out, self.embedding_.transform(frame)], axis=1)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Names of the output columns."""
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_.copy()


def _genre_labels(value: object) -> list[str]:
    if not isinstance(value, str):
        return []
    return [part.strip() for part in value.split(",") if part.strip() not in {"", "-"}]
