"""Per-song chart outcomes from a monthly chart history (Melon monthly top-100 layout)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jogak.errors import SchemaError
from jogak.solutions.hits._names import clean_person, clean_title

__all__ = ["CHART_COLUMNS", "SONG_TARGETS", "song_outcomes"]

#: Columns a chart history must have.
CHART_COLUMNS = ("chart_year", "chart_month", "chart_rank", "song_id", "song_name", "artist")
#: Outcome columns of :func:`song_outcomes` (never features).
SONG_TARGETS = ("months_on_chart", "peak_rank", "debut_rank", "is_top10", "chart_start",
                "chart_end", "is_censored")
_META = ("song_name", "album", "release_date", "artist", "genre", "lyric_writer", "composer",
         "arranger", "lyrics_row_num")


def _release_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Melon release dates (``YYYY.MM.DD``, ``YYYY.MM``, ``YYYY``, ``-``) and their precision."""
    text = values.astype("string").str.strip()
    full = pd.to_datetime(text, format="%Y.%m.%d", errors="coerce")
    month = pd.to_datetime(text, format="%Y.%m", errors="coerce")
    year = pd.to_datetime(text, format="%Y", errors="coerce")
    dates = full.fillna(month).fillna(year)
    precision = pd.Series(np.where(full.notna(), "day", np.where(
        month.notna(), "month", np.where(year.notna(), "year", "none"))), index=values.index)
    return dates, precision


def song_outcomes(chart: pd.DataFrame, *, top_k: int = 10,
                  censor_months: int = 0) -> pd.DataFrame:
    """One row per song: release metadata and its chart run (months, peak, debut, top-k hit).

    Songs are joined across months by ``song_id``, or by cleaned (title, artist) when the id is
    missing. The rank is ``chart_rank`` (Melon's ``info_rank`` is capped at 50 and must not be
    used). A run that touches the first or the last month of the history is cut off by the data
    window, so its outcomes are flagged ``is_censored``; so is any song released in the last
    ``censor_months`` months.

    Parameters
    ----------
    chart : DataFrame
        Chart entries with :data:`CHART_COLUMNS` and, when present, the song metadata
        (album, release_date, genre, lyric_writer, composer, arranger, lyrics_row_num).
    top_k : int, default 10
        A song is a hit when its peak rank is at most ``top_k``.
    censor_months : int, default 0
        Also flag songs released within this many months of the last chart month.

    Returns
    -------
    DataFrame
        ``song_key``, the metadata, ``release_date`` (a Timestamp; month- or year-only dates
        fall on the first day), ``release_precision``, ``charted_in_release_month`` (S1's
        "charted within 7 days" flag at monthly resolution) and :data:`SONG_TARGETS`, sorted by
        release date.

    Raises
    ------
    SchemaError
        When a chart column is missing, ranks are not positive integers, or the table is empty.
    """
    if not isinstance(chart, pd.DataFrame):
        raise SchemaError(f"A chart history must be a DataFrame, got {type(chart).__name__}.")
    missing = [c for c in CHART_COLUMNS if c not in chart.columns]
    if missing:
        raise SchemaError(f"The chart history lacks column(s) {missing}. Expected at least "
                          f"{list(CHART_COLUMNS)}; got {list(chart.columns)}.")
    if chart.empty:
        raise SchemaError("The chart history is empty; song outcomes need chart entries.")
    frame = chart.copy()
    for column in ("chart_year", "chart_month", "chart_rank"):
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.isna().any() or (values < 1).any() or (values % 1 != 0).any():
            bad = frame.loc[values.isna() | (values < 1) | (values % 1 != 0), column]
            raise SchemaError(f"Column {column!r} must hold positive whole numbers; got values "
                              f"like {bad.head(3).tolist()}.")
        frame[column] = values.astype(int)
    if (frame["chart_month"] > 12).any():
        raise SchemaError("Column 'chart_month' must be 1-12.")
    for column in _META:
        if column not in frame.columns:
            frame[column] = np.nan
    song_id = frame["song_id"].astype("string").str.strip()
    has_id = (song_id.notna() & (song_id != "")).to_numpy(dtype=bool)
    keys = song_id.astype(object).to_numpy(copy=True)
    no_id = frame.loc[~has_id]
    keys[~has_id] = ("name:" + no_id["song_name"].map(clean_title).str.lower() + "|"
                     + no_id["artist"].map(clean_person)).to_numpy()
    frame["song_key"] = keys.astype(str)
    frame["period"] = frame["chart_year"] * 12 + frame["chart_month"] - 1
    frame = frame.sort_values(["period", "chart_rank"], kind="stable")
    first_period, last_period = int(frame["period"].min()), int(frame["period"].max())
    runs = frame.groupby("song_key", sort=False).agg(
        start=("period", "min"), end=("period", "max"),
        months_on_chart=("period", "nunique"), peak_rank=("chart_rank", "min"))
    first = frame.drop_duplicates("song_key", keep="first").set_index("song_key")
    songs = first[list(_META)].join(runs)
    songs["debut_rank"] = first["chart_rank"]
    dates, precision = _release_dates(songs["release_date"])
    songs["release_date"] = dates
    songs["release_precision"] = precision
    release_period = dates.dt.year * 12 + dates.dt.month - 1
    songs["charted_in_release_month"] = (release_period == songs["start"]).astype(float)
    songs["is_top10"] = (songs["peak_rank"] <= top_k).astype(int)
    songs["chart_start"] = _period_start(songs["start"])
    # an outcome is final once the run has ended: the first day after its last month
    songs["chart_end"] = _period_start(songs["end"] + 1)
    censored = (songs["start"] == first_period) | (songs["end"] == last_period)
    if censor_months:
        censored |= release_period.fillna(last_period) > last_period - censor_months
    songs["is_censored"] = censored
    songs = songs.drop(columns=["start", "end"]).reset_index()
    return songs.sort_values(["release_date", "song_key"], kind="stable",
                             na_position="first", ignore_index=True)


def _period_start(period: pd.Series) -> pd.Series:
    years, months = np.divmod(period.to_numpy(dtype=int), 12)
    dates = pd.to_datetime(pd.DataFrame({"year": years, "month": months + 1, "day": 1}))
    return pd.Series(dates.to_numpy(), index=period.index)
