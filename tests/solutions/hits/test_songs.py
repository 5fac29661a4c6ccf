"""Song outcomes from a chart history, song features and artist embeddings."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.hits import ArtistEmbedding, SongFeatures, is_ost, song_outcomes, song_table
from jogak.testing._hits import make_chart_history


def _chart() -> pd.DataFrame:
    rows = [
        # song 1: Jan-Mar 2020, ranks 5, 2, 60; released in Jan
        (2020, 1, 5, "1", "A", "가수", "2020.01.10"), (2020, 2, 2, "1", "A", "가수", "2020.01.10"),
        (2020, 3, 60, "1", "A", "가수", "2020.01.10"),
        # song 2: no id, joined by cleaned title and artist; released the month before charting
        (2020, 2, 40, None, "B (Feat. X)", "밴드 (Band)", "2020.01"),
        (2020, 4, 30, None, "B", "밴드", "2020.01"),
        # song 3: charts in the last month of the history (run cut off)
        (2020, 4, 1, "3", "C", "가수", "2020.04.02"),
    ]
    return pd.DataFrame(rows, columns=["chart_year", "chart_month", "chart_rank", "song_id",
                                       "song_name", "artist", "release_date"])


def test_song_outcomes_hand_computed() -> None:
    songs = song_outcomes(_chart()).set_index("song_key")
    assert len(songs) == 3
    first = songs.loc["1"]
    assert (first["months_on_chart"], first["peak_rank"], first["debut_rank"]) == (3, 2, 5)
    assert first["is_top10"] == 1
    assert first["charted_in_release_month"] == 1.0
    assert first["chart_end"] == pd.Timestamp("2020-04-01")
    second = songs.loc["name:b|밴드"]
    assert (second["months_on_chart"], second["peak_rank"], second["debut_rank"]) == (2, 30, 40)
    assert second["release_precision"] == "month"
    assert second["charted_in_release_month"] == 0.0
    # song 1 starts in the first month, song 3 is still on the chart at the end: both censored
    assert songs["is_censored"].to_dict() == {"1": True, "name:b|밴드": True, "3": True}


def test_song_outcomes_use_chart_rank_not_the_capped_info_rank(data_dir: Path) -> None:
    chart = pd.read_csv(data_dir / "melon_monthly_chart" / "melon_monthly_chart.csv.gz",
                        dtype={"song_id": "string"})
    songs = song_outcomes(chart)
    assert songs["peak_rank"].max() == 100  # info_rank never exceeds 50
    assert songs["months_on_chart"].median() == 2  # as SOURCE.md documents
    assert songs["months_on_chart"].max() == 80
    assert songs["song_key"].is_unique
    # one entry per song and month, except 6 songs listed twice in one month in the source
    twice = chart.dropna(subset=["song_id"]).duplicated(["song_id", "chart_year", "chart_month"])
    assert songs["months_on_chart"].sum() == len(chart) - twice.sum()
    uncensored = song_table(chart)
    assert not uncensored["is_censored"].any()
    assert len(uncensored) < len(songs)


@pytest.mark.parametrize(("change", "match"), [
    (lambda c: c.drop(columns="chart_rank"), r"lacks column\(s\) \['chart_rank'\]"),
    (lambda c: c.assign(chart_rank=0), "positive whole numbers"),
    (lambda c: c.assign(chart_month=13), "1-12"),
    (lambda c: c.iloc[:0], "empty"),
], ids=["missing", "zero-rank", "month", "empty"])
def test_song_outcomes_reject_bad_charts(change: object, match: str) -> None:
    with pytest.raises(SchemaError, match=match):
        song_outcomes(change(_chart()))  # type: ignore[operator]


def test_is_ost_from_genre_or_text() -> None:
    assert is_ost("발라드, 국내드라마")
    assert is_ost("댄스", "노래", "도깨비 OST Part.9")
    assert not is_ost("댄스", "Part of me")
    assert not is_ost(float("nan"))


def test_song_features_track_records_wait_for_the_run_to_end(global_random_seed: int) -> None:
    songs = song_outcomes(make_chart_history(120, seed=global_random_seed))
    features = SongFeatures(embedding_size=0).fit(songs)
    out = features.transform(songs)
    assert len(out) == len(songs)
    # for every song, the counted earlier artist songs are exactly those whose run had ended
    keys = songs["artist"]
    for row in range(0, len(songs), 17):
        earlier = ((keys == keys.iloc[row])
                   & (songs["chart_end"] < songs["release_date"].iloc[row])).sum()
        assert out.loc[row, "artist_n_prev"] == earlier
    # outcomes are not features; transform works on rows without them
    assert not {"months_on_chart", "peak_rank", "is_top10"} & set(out.columns)
    bare = songs.drop(columns=["months_on_chart", "chart_end", "peak_rank", "is_top10"])
    pd.testing.assert_frame_equal(features.transform(bare), out)


def test_song_features_flag_osts_and_genres(global_random_seed: int) -> None:
    songs = song_outcomes(make_chart_history(120, seed=global_random_seed))
    out = SongFeatures(embedding_size=0).fit(songs).transform(songs)
    expected = songs["genre"].str.contains("국내드라마") | songs["album"].str.contains("OST")
    assert (out["is_ost"] == expected.astype(float)).all()
    assert out["has_featuring"].sum() == songs["song_name"].str.contains("Feat").sum()


def test_song_features_need_outcomes_to_fit() -> None:
    songs = song_outcomes(make_chart_history(60)).drop(columns="months_on_chart")
    with pytest.raises(SchemaError, match="months_on_chart"):
        SongFeatures(embedding_size=0).fit(songs)
    with pytest.raises(SchemaError, match="lacks column"):
        SongFeatures(embedding_size=0).fit(songs.drop(columns="genre"), np.ones(len(songs)))


def test_artist_embedding_is_reproducible_and_puts_co_credited_artists_close() -> None:
    pytest.importorskip("gensim")
    # two scenes: artists of a scene work with that scene's composers only
    rng = np.random.default_rng(0)
    rows = []
    for scene in range(2):
        for _ in range(200):
            first, second = rng.choice(10, 2, replace=False)
            rows.append((f"s{scene}a{rng.integers(10)}", f"s{scene}c{first}",
                         f"s{scene}c{second}"))
    frame = pd.DataFrame(rows, columns=["artist", "composer", "arranger"]).assign(
        lyric_writer=np.nan)
    first = ArtistEmbedding(vector_size=8, random_state=3).fit(frame)
    second = ArtistEmbedding(vector_size=8, random_state=3).fit(frame)
    np.testing.assert_array_equal(first.transform(frame).to_numpy(),
                                  second.transform(frame).to_numpy())
    within = np.mean([first.similarity(f"s{s}a{i}", f"s{s}a{j}") for s in range(2)
                      for i in range(10) for j in range(10) if i != j])
    across = np.mean([first.similarity(f"s0a{i}", f"s1a{j}") for i in range(10)
                      for j in range(10)])
    assert within > across + 0.4
    out = first.transform(pd.DataFrame({"artist": ["s0a1", "unknown"]}))
    assert out["artist_has_vector"].tolist() == [1.0, 0.0]
    assert (out.iloc[1, :-1] == 0).all()
    with pytest.raises(ConfigError, match="not in the training songs"):
        first.similarity("s0a1", "unknown")
    with pytest.raises(ConfigError, match="must be >= 1"):
        ArtistEmbedding(vector_size=0).fit(frame)
