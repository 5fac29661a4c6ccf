"""Names, release calendar, track records and film features: hand values and leakage checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.solutions.hits import (
    CALENDAR_COLUMNS,
    COMPETITION_COLUMNS,
    FilmFeatures,
    ReleaseCompetition,
    TrackRecordEncoder,
    check_film_frame,
    clean_company,
    clean_person,
    clean_title,
    release_calendar,
    split_names,
)
from jogak.testing._hits import make_films


@pytest.mark.parametrize(("raw", "key"), [
    ("(주)쇼박스", "쇼박스"), ("쇼박스(주)미디어플렉스", "쇼박스"), ("CJ 엔터테인먼트", "cj"),
    ("CJ E&M 영화부문", "cj"), ("(주)NEW", "new"), ("NEW", "new"), ("㈜ 시네마달", "시네마달"),
    (None, ""), (float("nan"), "")], ids=lambda v: str(v))
def test_clean_company_maps_spellings_to_one_key(raw: object, key: str) -> None:
    assert clean_company(raw) == key


def test_clean_person_title_and_split_names() -> None:
    assert clean_person("BIGBANG (빅뱅)") == "bigbang"
    assert clean_person("  아이유 ") == "아이유"
    assert clean_title("Love Me (Feat. Crush)") == "Love Me"
    assert clean_title("  개를 훔치는 완벽한 방법") == "개를 훔치는 완벽한 방법"
    assert clean_title("(Remix)") == "(Remix)"  # nothing left: keep the original text
    assert split_names("박진영, JYP (제이와이피), 박진영, -") == ["박진영", "jyp"]
    assert split_names(None) == []


def test_release_calendar_holiday_windows_match_the_korean_calendar() -> None:
    cal = release_calendar(pd.Series(["2015-09-24", "2015-07-20", None, "2010-01-02",
                                      "2014-12-24", "not a date"]))
    assert list(cal.columns) == list(CALENDAR_COLUMNS)
    # 2015-09-26..29 is Chuseok: two days ahead; 24 Sep - 7 Oct holds those four days and
    # National Foundation Day (3 Oct); Hangul Day (9 Oct) is past the first 14 days
    assert cal.loc[0, "days_to_holiday"] == 2
    assert cal.loc[0, "holidays_in_first_14_days"] == 5
    assert cal.loc[0, "is_major_holiday_window"] == 1
    assert cal.loc[0, "release_season"] == "autumn"
    # 2015-07-20: next holiday is the temporary holiday of 2015-08-14 (25 days), summer peak
    assert cal.loc[1, "days_to_holiday"] == 25
    assert cal.loc[1, "is_summer_peak"] == 1
    assert cal.loc[1, "release_dayofweek"] == 0
    assert cal.loc[3, "days_since_holiday"] == 1  # New Year's Day 2010
    assert cal.loc[4, "is_year_end"] == 1
    assert cal.loc[4, "days_to_holiday"] == 1  # Christmas
    assert cal.loc[[2, 5]].drop(columns="release_season").isna().all().all()


def _history() -> tuple[pd.DataFrame, np.ndarray]:
    X = pd.DataFrame({
        "director": ["a", "a", "a", "b", "a (A)"],
        "date": ["2010-01-01", "2011-01-01", "2012-01-01", "2011-06-01", "2013-01-01"],
    })
    return X, np.array([10.0, 20.0, 60.0, 5.0, 1.0])


def test_track_record_counts_only_earlier_releases() -> None:
    X, y = _history()
    enc = TrackRecordEncoder(columns=["director"], date_column="date", log_target=False,
                             smoothing=0.0).fit(X, y)
    out = enc.transform(X)
    # "a (A)" is cleaned to "a": its history is the three earlier films of a
    assert out["director_n_prev"].tolist() == [0, 1, 2, 0, 3]
    assert out["director_prev_mean"].tolist()[1:3] == [10.0, 15.0]
    assert out["director_prev_mean"].iloc[4] == pytest.approx(30.0)
    assert out["director_prev_max"].tolist() == [0.0, 10.0, 20.0, 0.0, 60.0]
    # no history: the training mean
    assert out["director_prev_mean"].iloc[0] == pytest.approx(y.mean())
    assert list(enc.get_feature_names_out()) == list(out.columns)


def test_track_record_never_uses_a_rows_own_or_later_target() -> None:
    X, y = _history()
    enc = TrackRecordEncoder(columns=["director"], date_column="date", smoothing=1.0)
    base = enc.fit(X, y).transform(X)
    changed = y.copy()
    changed[2] = 1e6  # the 2012 film: only the 2013 film may see it
    after = TrackRecordEncoder(columns=["director"], date_column="date",
                               smoothing=1.0).fit(X, changed).transform(X)
    same = [0, 1, 3]
    assert np.allclose(base.loc[same, "director_n_prev"], after.loc[same, "director_n_prev"])
    assert not np.isclose(base.loc[4, "director_prev_max"], after.loc[4, "director_prev_max"])
    assert base.loc[2, "director_prev_max"] == after.loc[2, "director_prev_max"]


def test_track_record_known_column_and_lag_delay_outcomes() -> None:
    X, y = _history()
    X["known"] = ["2012-06-01", "2011-02-01", "2012-02-01", "2011-07-01", "2013-02-01"]
    enc = TrackRecordEncoder(columns=["director"], date_column="date", known_column="known",
                             log_target=False, smoothing=0.0).fit(X, y)
    # the 2010 film's outcome is known only from mid-2012: not in the 2011 or 2012 film's record
    assert enc.transform(X)["director_n_prev"].tolist() == [0, 0, 1, 0, 3]
    lagged = TrackRecordEncoder(columns=["director"], date_column="date", lag_days=400,
                                log_target=False).fit(X.drop(columns="known"), y)
    assert lagged.transform(X)["director_n_prev"].tolist() == [0, 0, 1, 0, 2]


def test_track_record_splits_multi_valued_credits() -> None:
    X = pd.DataFrame({"composer": ["A, B", "B", "A, C, B"],
                      "date": ["2010-01-01", "2011-01-01", "2012-01-01"]})
    out = TrackRecordEncoder(columns=["composer"], date_column="date", separator=",",
                             log_target=False, smoothing=0.0).fit(X, [1.0, 2.0, 3.0]).transform(X)
    # the third song: A's one earlier credit, B's two, C none -> three credits, mean 4/3
    assert out["composer_n_prev"].tolist() == [0, 1, 3]
    assert out["composer_prev_mean"].iloc[2] == pytest.approx(4 / 3)


def test_track_record_hit_share_counts_earlier_hits_on_the_raw_scale() -> None:
    X, y = _history()  # outcomes 10, 20, 60, 5, 1: two reach 15
    enc = TrackRecordEncoder(columns=["director"], date_column="date", smoothing=0.0,
                             hit_threshold=15.0).fit(X, y)
    out = enc.transform(X)
    assert list(out.columns) == list(enc.get_feature_names_out())
    assert "director_prev_hit_share" in out.columns
    # no history: the training share 2/5; then 0/1, 1/2 and (10, 20, 60) -> 2/3
    assert out["director_prev_hit_share"].tolist() == pytest.approx([0.4, 0.0, 0.5, 0.4, 2 / 3])
    changed = y.copy()
    changed[4] = 1e6  # the last film's own outcome never enters its share
    again = TrackRecordEncoder(columns=["director"], date_column="date", smoothing=0.0,
                               hit_threshold=15.0).fit(X, changed).transform(X)
    assert again["director_prev_hit_share"].iloc[4] == pytest.approx(2 / 3)
    plain = TrackRecordEncoder(columns=["director"], date_column="date").fit(X, y)
    assert "director_prev_hit_share" not in plain.transform(X).columns


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"kind": "robot"}, ConfigError, "kind must be"),
    ({"hit_threshold": float("nan")}, ConfigError, "hit_threshold must be a finite number"),
    ({"smoothing": -1.0}, ConfigError, "smoothing and lag_days"),
    ({"columns": ["nope"]}, SchemaError, r"column\(s\) \['nope'\]"),
    ({"date_column": "when"}, SchemaError, "date column 'when'"),
], ids=["kind", "threshold", "smoothing", "column", "date"])
def test_track_record_rejects_bad_settings(kwargs: dict, error: type, match: str) -> None:
    X, y = _history()
    params = {"columns": ["director"], "date_column": "date", **kwargs}
    with pytest.raises(error, match=match):
        TrackRecordEncoder(**params).fit(X, y)


def test_track_record_rejects_negative_log_target() -> None:
    X, y = _history()
    with pytest.raises(TargetError, match="non-negative"):
        TrackRecordEncoder(columns=["director"], date_column="date").fit(X, -y)


def test_film_features_are_leakage_free_inside_a_fold(global_random_seed: int) -> None:
    films = make_films(80, seed=global_random_seed)
    y = films.pop("box_off_num").to_numpy(float)
    train, test = np.arange(60), np.arange(60, 80)
    features = FilmFeatures(competition="all").fit(films.iloc[train], y[train])
    before = features.transform(films.iloc[test])
    # the held-out targets are never read: changing them changes nothing
    y_changed = y.copy()
    y_changed[test] *= 100
    again = FilmFeatures(competition="all").fit(films.iloc[train],
                                                y_changed[train]).transform(films.iloc[test])
    pd.testing.assert_frame_equal(before, again)
    assert len(before) == 20
    assert list(before.columns) == list(features.get_feature_names_out())
    assert set(COMPETITION_COLUMNS) <= set(before.columns)
    assert before["distributor"].isin(set(features.distributors_) | {"other"}).all()


@pytest.mark.parametrize("competition", ["train", "all"])
def test_film_features_read_no_audience_released_within_the_lag(competition: str) -> None:
    films = make_films(200, seed=3)
    y = films.pop("box_off_num").to_numpy(float)
    dates = pd.to_datetime(films["release_time"]).to_numpy()
    train, test = np.arange(150), np.arange(150, 200)
    features = FilmFeatures(competition=competition)
    before = features.fit(films.iloc[train], y[train]).transform(films.iloc[test])
    rng = np.random.default_rng(0)
    for row in range(0, len(test), 5):
        # the audiences of the training films opening after (release - lag_days) of this
        # held-out film, and every held-out audience, must not move any of its features.
        # Shuffling them keeps the training mean that smooths the track records unchanged.
        cutoff = dates[test[row]] - np.timedelta64(features.lag_days, "D")
        late = train[dates[train] > cutoff]
        changed = y.copy()
        changed[test] = 1.0
        changed[late] = rng.permutation(y[late])
        again = FilmFeatures(competition=competition).fit(films.iloc[train], changed[train])
        pd.testing.assert_frame_equal(before.iloc[[row]],
                                      again.transform(films.iloc[test]).iloc[[row]])


def _schedule() -> pd.DataFrame:
    return pd.DataFrame({
        "title": ["a", "b", "c", "d", "e"],
        "distributor": ["CJ 엔터테인먼트", "(주)쇼박스", "작은회사", "작은회사", "(주)NEW"],
        "genre": ["액션", "액션", "드라마", "액션", "코미디"],
        "release_time": ["2015-01-01", "2015-01-03", "2015-01-08", "2015-01-20", "2014-12-01"],
        "num_staff": [400, 100, 10, 50, 200], "power": [14.0, 13.0, 9.0, 9.0, 12.0]})


def test_release_competition_counts_neighbours_but_never_the_film_itself() -> None:
    X = _schedule()
    y = np.array([5e6, 1e6, 1e4, 2e4, 3e6])
    out = ReleaseCompetition(power_column="power").fit(X, y).transform(X)
    assert list(out.columns) == list(COMPETITION_COLUMNS)
    # a (1 Jan): b is 2 days away, c 7, d 19; e 31 days earlier
    assert out.loc[0, ["films_within_3d", "films_within_7d", "films_within_14d"]].tolist() == [
        1, 2, 2]
    assert out.loc[0, "major_films_within_7d"] == 1  # Showbox; the small company is not major
    assert out.loc[0, "rival_staff_max_7d"] == pytest.approx(np.log1p(100))
    assert out.loc[0, "rival_power_max_7d"] == 13.0
    assert out.loc[0, "same_genre_within_7d"] == 1  # b is also action; d is 19 days away
    # the opening week of b: a has more staff and more power, so b ranks second on both
    assert out.loc[1, ["staff_rank_week", "power_rank_week"]].tolist() == [2, 2]
    assert out.loc[1, "staff_share_week"] == pytest.approx(
        np.log1p(100) / (np.log1p(100) + np.log1p(400)))
    # e opened 31 days before a and 33 before b (known after 30 days, within 44): its audience
    assert out.loc[0, "rival_known_max_log"] == pytest.approx(np.log1p(3e6))
    assert out.loc[[0, 1, 2], "rival_known_n"].tolist() == [1, 1, 1]
    assert out.loc[4, "films_within_14d"] == 0
    assert out.loc[4, "rival_known_n"] == 0


def test_release_competition_counts_predicted_rows_only_when_asked() -> None:
    X = _schedule()
    train, test = X.iloc[[0, 3, 4]], X.iloc[[1, 2]]
    y = np.array([5e6, 2e4, 3e6])
    own = ReleaseCompetition().fit(train, y).transform(test)
    seen = ReleaseCompetition(include_predicted=True).fit(train, y).transform(test)
    assert own["films_within_7d"].tolist() == [1, 1]  # a only
    assert seen["films_within_7d"].tolist() == [2, 2]  # a and the other predicted film
    # a film both stored and transformed counts once
    assert ReleaseCompetition(include_predicted=True).fit(train, y).transform(X)[
        "films_within_7d"].tolist() == [2, 2, 2, 0, 0]
    assert ReleaseCompetition().fit(X, np.ones(5)).transform(X.iloc[:0]).shape == (
        0, len(COMPETITION_COLUMNS))


def test_release_competition_keeps_the_columns_asked_for() -> None:
    X = _schedule()
    wanted = ["rival_known_max_log", "staff_rank_week"]
    full = ReleaseCompetition().fit(X, np.ones(5)).transform(X)
    some = ReleaseCompetition(columns=wanted).fit(X, np.ones(5))
    # in the order of COMPETITION_COLUMNS, values as in the full table
    assert list(some.get_feature_names_out()) == ["staff_rank_week", "rival_known_max_log"]
    pd.testing.assert_frame_equal(some.transform(X), full[["staff_rank_week",
                                                           "rival_known_max_log"]])
    films = make_films(40, seed=1)
    y = films.pop("box_off_num")
    out = FilmFeatures(competition="train", competition_columns=wanted).fit(films, y).transform(
        films)
    assert set(COMPETITION_COLUMNS) & set(out.columns) == set(wanted)
    assert not set(COMPETITION_COLUMNS) & set(
        FilmFeatures(competition=None).fit(films, y).transform(films).columns)


@pytest.mark.parametrize(("make", "error", "match"), [
    (lambda: FilmFeatures(competition="rivals"), ConfigError, "competition must be"),
    (lambda: ReleaseCompetition(lag_days=-1), ConfigError, "lag_days must be >= 0"),
    (lambda: ReleaseCompetition(columns=["rivals"]), ConfigError, r"got \['rivals'\]"),
    (lambda: ReleaseCompetition(genre_column="kind"), SchemaError, r"column\(s\) \['kind'\]"),
], ids=["mode", "lag", "subset", "column"])
def test_competition_rejects_bad_settings(make: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        make().fit(make_films(10, with_target=False), np.ones(10))  # type: ignore[operator]


def test_film_features_on_dacon(data_dir: Path) -> None:
    films = pd.read_csv(data_dir / "dacon_movie_audience" / "movies_train.csv.gz")
    y = films.pop("box_off_num")
    out = FilmFeatures().fit(films, y).transform(films)
    assert out.shape[0] == 600
    # DACON gives dir_prev_bfnum NaN exactly when dir_prev_num is 0; it becomes log(1) = 0
    assert (out.loc[films["dir_prev_num"] == 0, "dir_prev_log_audience"] == 0).all()
    # the five big distributors all keep their own category
    assert {"cj", "롯데", "new", "쇼박스"} <= set(out["distributor"])
    # the earliest film of the table has no distributor history
    first = pd.to_datetime(films["release_time"]).idxmin()
    assert out.loc[first, "distributor_n_prev"] == 0
    test = pd.read_csv(data_dir / "dacon_movie_audience" / "movies_test.csv.gz")
    assert FilmFeatures().fit(films, y).transform(test).shape == (243, out.shape[1])
    rivals = FilmFeatures(competition="all").fit(films, y).transform(test)
    assert rivals.shape == (243, out.shape[1] + len(COMPETITION_COLUMNS))
    # 843 films over six years: every test film has a rival (training or test) within a week
    assert (rivals["films_within_7d"] >= 1).all()


@pytest.mark.parametrize(("change", "match"), [
    (lambda f: f.drop(columns="genre"), r"lacks column\(s\) \['genre'\]"),
    (lambda f: f.assign(time="two hours"), "'time' must be numeric"),
    (lambda f: f.assign(num_staff=-1), "'num_staff' must not be negative"),
    (lambda f: f.assign(release_time="someday"), "must hold dates"),
], ids=["missing", "text", "negative", "dates"])
def test_check_film_frame_rejects_bad_tables(change: object, match: str) -> None:
    with pytest.raises(SchemaError, match=match):
        check_film_frame(change(make_films(10, with_target=False)))  # type: ignore[operator]
