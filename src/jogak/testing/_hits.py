"""Synthetic film tables and chart histories for the hit-model tests."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["make_chart_history", "make_films"]

_GENRES = ("드라마", "코미디", "액션", "멜로/로맨스", "공포")
_RATINGS = ("전체 관람가", "12세 관람가", "15세 관람가", "청소년 관람불가")
_DISTRIBUTORS = ("CJ 엔터테인먼트", "(주)쇼박스", "롯데엔터테인먼트", "(주)NEW", "인디스토리",
                 "시네마달")


def make_films(n_films: int = 120, *, seed: int = 0, with_target: bool = True) -> pd.DataFrame:
    """A DACON-style film table whose audience grows with staff, distributor and director.

    Columns are those of ``movies_train.csv``; ``box_off_num`` is log-normal around a known
    signal so models have something real to learn.
    """
    rng = np.random.default_rng(seed)
    distributor = rng.integers(0, len(_DISTRIBUTORS), n_films)
    director = rng.integers(0, max(2, n_films // 3), n_films)
    staff = rng.integers(0, 600, n_films)
    days = rng.integers(0, 6 * 365, n_films)
    dates = pd.Timestamp("2010-01-01") + pd.to_timedelta(days, unit="D")
    talent = rng.normal(0, 1, max(2, n_films // 3))[director]
    power = np.array([2.0, 1.8, 1.6, 1.5, -0.5, -1.0])[distributor]
    log_audience = 8 + 0.006 * staff + power + 0.8 * talent + rng.normal(0, 0.8, n_films)
    prev_num = rng.integers(0, 4, n_films)
    frame = pd.DataFrame({
        "title": [f"영화 {i}" for i in range(n_films)],
        "distributor": np.asarray(_DISTRIBUTORS)[distributor],
        "genre": np.asarray(_GENRES)[rng.integers(0, len(_GENRES), n_films)],
        "release_time": dates.strftime("%Y-%m-%d"),
        "time": rng.integers(70, 150, n_films),
        "screening_rat": np.asarray(_RATINGS)[rng.integers(0, len(_RATINGS), n_films)],
        "director": [f"감독{d}" for d in director],
        "dir_prev_bfnum": np.where(prev_num > 0, np.exp(log_audience + rng.normal(0, 1,
                                                                                  n_films)),
                                   np.nan),
        "dir_prev_num": prev_num,
        "num_staff": staff,
        "num_actor": rng.integers(1, 8, n_films),
    })
    if with_target:
        frame["box_off_num"] = np.round(np.expm1(log_audience)).astype(np.int64)
    return frame


def make_chart_history(n_songs: int = 200, *, n_months: int = 48, chart_size: int = 30,
                       seed: int = 0) -> pd.DataFrame:
    """A Melon-style monthly chart: songs by a few artists enter, peak and drop out.

    Stronger artists (lower index) chart longer and higher; ``info_rank`` is capped at 50 as in
    the real data. Columns are those of ``melon_monthly_chart.csv``.
    """
    rng = np.random.default_rng(seed)
    n_artists = max(3, n_songs // 8)
    artist = rng.integers(0, n_artists, n_songs)
    strength = np.linspace(2.0, -1.0, n_artists)[artist] + rng.normal(0, 0.5, n_songs)
    release = np.sort(rng.integers(0, n_months, n_songs))
    run = np.clip(np.round(np.exp(0.6 + 0.5 * strength)), 1, n_months).astype(int)
    rows = []
    for month in range(n_months):
        live = [s for s in range(n_songs) if release[s] <= month < release[s] + run[s]]
        live.sort(key=lambda s: -strength[s] + 0.1 * (month - release[s]))
        year, month_of_year = 2015 + month // 12, month % 12 + 1
        for rank, song in enumerate(live[:chart_size], start=1):
            start = 2015 * 12 + int(release[song])
            rows.append({
                "chart_year": year, "chart_month": month_of_year, "info_rank": min(rank, 50),
                "chart_rank": rank, "song_id": str(1000 + song),
                "song_name": f"노래 {song}" + (" (Feat. 랩퍼)" if song % 7 == 0 else ""),
                "album": f"앨범 {song}" + (" OST Part.1" if song % 11 == 0 else ""),
                "release_date": f"{start // 12}.{start % 12 + 1:02d}.{1 + song % 28:02d}",
                "artist": f"가수{artist[song]}",
                "genre": "발라드, 국내드라마" if song % 11 == 0 else ("댄스", "발라드")[song % 2],
                "lyric_writer": f"작사{song % 9}", "composer": f"작곡{artist[song] % 5}",
                "arranger": f"편곡{song % 4}", "lyrics_row_num": 30 + song % 40})
    return pd.DataFrame(rows)
