"""build_features on DuckDB: hand-computed values, point in time, repairs and clear errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jogak.data.aggregate import (
    Aggregation,
    EntityTable,
    EventTable,
    FeatureSpec,
    Population,
    Ratio,
    build_features,
)
from jogak.errors import ConfigError, DataLoadError, SchemaError

CUTOFF = "2024-01-10"
ALL_FUNCS = (
    Aggregation(func="count", windows=(1, 7, None)),
    Aggregation(func="sum", column="secs", windows=(7, None)),
    Aggregation(func="mean", column="secs"),
    Aggregation(func="std", column="secs"),
    Aggregation(func="min", column="secs"),
    Aggregation(func="max", column="secs"),
    Aggregation(func="first", column="secs"),
    Aggregation(func="last", column="secs"),
    Aggregation(func="nunique", column="song"),
    Aggregation(func="slope", column="secs"),
    Aggregation(func="days_since_last"),
    Aggregation(func="days_since_first"),
    Aggregation(func="active_days"),
)


def _spec(source: object, *aggs: Aggregation, **kwargs: object) -> FeatureSpec:
    events = EventTable(name="logs", source=source, key="user", time="day",  # type: ignore[arg-type]
                        aggregations=aggs or ALL_FUNCS, **kwargs)  # type: ignore[arg-type]
    return FeatureSpec(key="user", events=(events,))


def _row(frame: pd.DataFrame, user: str) -> pd.Series:
    return frame.set_index("user").loc[user]


def test_every_function_matches_a_hand_computation(logs: pd.DataFrame) -> None:
    result = build_features(_spec(logs), cutoff=CUTOFF)
    frame = result.frame
    assert frame is not None
    assert frame["user"].tolist() == ["a", "b"]  # c has events only after the cutoff
    a, b = _row(frame, "a"), _row(frame, "b")
    # a: 10 on 01-01, 30 on 01-05, 20 on 01-10 (99 on 01-12 is after the cutoff)
    assert (a["logs_count_1d"], a["logs_count_7d"], a["logs_count_all"]) == (1, 2, 3)
    assert (a["logs_sum_secs_7d"], a["logs_sum_secs_all"]) == (50, 60)
    assert a["logs_mean_secs_all"] == pytest.approx(20)
    assert a["logs_std_secs_all"] == pytest.approx(10)
    assert (a["logs_min_secs_all"], a["logs_max_secs_all"]) == (10, 30)
    assert (a["logs_first_secs_all"], a["logs_last_secs_all"]) == (10, 20)
    assert a["logs_nunique_song_all"] == 2
    slope = np.polyfit([0, 4, 9], [10, 30, 20], 1)[0]
    assert a["logs_slope_secs_all"] == pytest.approx(slope)
    assert (a["logs_days_since_last_all"], a["logs_days_since_first_all"]) == (0, 9)
    assert a["logs_active_days_all"] == 3
    # b: two events on the same day: ties go to the smaller (first) and larger (last) value
    assert (b["logs_first_secs_all"], b["logs_last_secs_all"]) == (5, 7)
    assert b["logs_std_secs_all"] == pytest.approx(np.std([5, 7], ddof=1))
    assert np.isnan(b["logs_slope_secs_all"])  # one day: no trend
    assert (b["logs_count_1d"], b["logs_sum_secs_7d"], b["logs_active_days_all"]) == (0, 12, 1)
    assert result.cutoff == date(2024, 1, 10)
    assert result.repairs.to_dict(orient="records") == [
        {"table": "logs", "issue": "events after the cutoff", "n_rows": 2,
         "action": "excluded"}]


def test_population_fixes_the_rows_and_absent_entities_get_flags(logs: pd.DataFrame) -> None:
    population = pd.DataFrame({"user": ["a", "c", "z"], "label": [1, 0, 1]})
    spec = FeatureSpec(key="user", population=Population(source=population, key="user",
                                                         keep=("label",)),
                       events=(EventTable(name="logs", source=logs, key="user", time="day",
                                          absent_flag="no_log",
                                          aggregations=(Aggregation(func="count"),
                                                        Aggregation(func="mean",
                                                                    column="secs"))),))
    frame = build_features(spec, cutoff=CUTOFF).frame
    assert frame is not None
    assert frame["user"].tolist() == ["a", "c", "z"]
    assert frame["label"].tolist() == [1, 0, 1]
    assert frame["logs_count_all"].tolist() == [3, 0, 0]
    assert frame["no_log"].tolist() == [0, 1, 1]
    assert frame["logs_mean_secs_all"].isna().tolist() == [False, True, True]


def test_fill_absent_and_ratios(logs: pd.DataFrame) -> None:
    population = pd.DataFrame({"user": ["a", "b", "z"]})
    events = EventTable(name="logs", source=logs, key="user", time="day", fill_absent=0.0,
                        aggregations=(Aggregation(func="sum", column="secs", windows=(1, None)),
                                      Aggregation(func="mean", column="secs")))
    spec = FeatureSpec(key="user", events=(events,),
                       population=Population(source=population, key="user"),
                       ratios=(Ratio(name="recent", numerator="logs_sum_secs_1d",
                                     denominator="logs_sum_secs_all"),))
    frame = build_features(spec, cutoff=CUTOFF).frame
    assert frame is not None
    assert frame["logs_mean_secs_all"].tolist() == [20.0, 6.0, 0.0]
    assert frame["recent"].iloc[0] == pytest.approx(20 / 60)
    assert frame["recent"].iloc[1] == 0.0
    assert np.isnan(frame["recent"].iloc[2])  # 0 / 0


def test_per_entity_cutoffs(logs: pd.DataFrame) -> None:
    population = pd.DataFrame({"user": ["a", "a2"], "as_of": ["2024-01-05", "2024-01-12"]})
    logs2 = pd.concat([logs, logs[logs["user"] == "a"].assign(user="a2")])
    spec = FeatureSpec(key="user", population=Population(source=population, key="user",
                                                         cutoff="as_of"),
                       events=(EventTable(name="logs", source=logs2, key="user", time="day",
                                          aggregations=(Aggregation(func="sum",
                                                                    column="secs"),)),))
    result = build_features(spec)
    assert result.frame is not None
    assert result.frame["logs_sum_secs_all"].tolist() == [40.0, 159.0]
    assert result.cutoff is None
    with pytest.raises(ConfigError, match="own cutoff"):
        build_features(spec, cutoff=CUTOFF)


def test_entity_tables_join_numbers_text_and_tenure(logs: pd.DataFrame) -> None:
    members = pd.DataFrame({"user": ["a", "b", "b"], "age": [30, 41, 41],
                            "city": [1, 13, 13], "joined": ["2024-01-01", "2023-12-31",
                                                            "2023-12-31"]})
    spec = FeatureSpec(key="user", events=_spec(logs).events,
                       entities=(EntityTable(name="m", source=members, key="user",
                                             numeric=("age",), categorical=("city",),
                                             dates=("joined",)),))
    result = build_features(spec, cutoff=CUTOFF)
    frame = result.frame
    assert frame is not None
    assert frame[["age", "city", "joined_days"]].to_dict(orient="list") == {
        "age": [30.0, 41.0], "city": ["1", "13"], "joined_days": [9.0, 10.0]}
    assert {"table": "m", "issue": "duplicate rows", "n_rows": 1, "action": "removed"} in \
        result.repairs.to_dict(orient="records")


def test_conflicting_entity_rows_are_an_error(logs: pd.DataFrame) -> None:
    members = pd.DataFrame({"user": ["a", "a"], "age": [30, 31]})
    spec = FeatureSpec(key="user", events=_spec(logs).events,
                       entities=(EntityTable(name="m", source=members, key="user",
                                             numeric=("age",)),))
    with pytest.raises(SchemaError, match="one row per 'user'.*1 rows repeat"):
        build_features(spec, cutoff=CUTOFF)


def test_duplicates_and_negative_values_are_repaired_and_counted(logs: pd.DataFrame) -> None:
    dirty = pd.concat([logs, logs.iloc[[0]]], ignore_index=True)
    dirty.loc[1, "secs"] = -30.0
    spec = _spec(dirty, Aggregation(func="sum", column="secs"), Aggregation(func="count"),
                 deduplicate=True, non_negative=("secs",))
    result = build_features(spec, cutoff=CUTOFF)
    assert result.frame is not None
    a = _row(result.frame, "a")
    assert (a["logs_sum_secs_all"], a["logs_count_all"]) == (30.0, 3)  # 10 + 20; dup dropped
    records = result.repairs.to_dict(orient="records")
    assert {"table": "logs", "issue": "negative secs", "n_rows": 1,
            "action": "set to missing"} in records
    assert {"table": "logs", "issue": "duplicate rows", "n_rows": 1,
            "action": "removed"} in records


def test_negative_derived_durations_are_repaired(logs: pd.DataFrame) -> None:
    tx = pd.DataFrame({"user": ["a", "a"], "day": [20240101, 20240105],
                       "ends": [20240131, 20240103]})
    events = EventTable(name="tx", source=tx, key="user", time="day", dates=("day", "ends"),
                        derived={"length": "ends - day"}, non_negative=("length",),
                        aggregations=(Aggregation(func="mean", column="length"),
                                      Aggregation(func="last", column="ends")))
    result = build_features(FeatureSpec(key="user", events=(events,)), cutoff=CUTOFF)
    assert result.frame is not None
    assert result.frame["tx_mean_length_all"].tolist() == [30.0]  # the -2 day one is dropped
    assert result.frame["tx_last_ends_all"].tolist() == [-7.0]  # 01-03 is 7 days before
    assert result.repairs.to_dict(orient="records") == [
        {"table": "tx", "issue": "negative length", "n_rows": 1, "action": "set to missing"}]


def test_missing_key_column_is_a_clear_error(logs: pd.DataFrame) -> None:
    with pytest.raises(SchemaError, match=r"no key column \['user'\].*columns are"):
        build_features(_spec(logs.rename(columns={"user": "member"})), cutoff=CUTOFF)
    with pytest.raises(SchemaError, match=r"no column\(s\) \['secs'\]"):
        build_features(_spec(logs.drop(columns=["secs"])), cutoff=CUTOFF)


def test_mixed_and_broken_date_formats_are_clear_errors(logs: pd.DataFrame) -> None:
    mixed = logs.assign(day=logs["day"].astype(str))
    mixed.loc[0, "day"] = "2024-01-01"
    with pytest.raises(SchemaError, match="mixes date formats: 6 rows as YYYYMMDD and 1 rows"):
        build_features(_spec(mixed), cutoff=CUTOFF)
    broken = logs.assign(day=logs["day"].astype(str))
    broken.loc[0, "day"] = "yesterday"
    with pytest.raises(SchemaError, match="neither.*yesterday"):
        build_features(_spec(broken), cutoff=CUTOFF)
    impossible = logs.assign(day=logs["day"].replace(20240101, 20240231))
    with pytest.raises(SchemaError, match="failed on DuckDB"):
        build_features(_spec(impossible), cutoff=CUTOFF)


def test_iso_text_dates_and_timestamps_give_the_same_features(logs: pd.DataFrame) -> None:
    expected = build_features(_spec(logs), cutoff=CUTOFF).frame
    stamps = pd.to_datetime(logs["day"].astype(str), format="%Y%m%d")
    for variant in (stamps, stamps.dt.strftime("%Y-%m-%d")):
        got = build_features(_spec(logs.assign(day=variant)), cutoff=CUTOFF).frame
        pd.testing.assert_frame_equal(got, expected)


def test_files_on_disk_and_parquet_output(logs: pd.DataFrame, tmp_path: Path) -> None:
    expected = build_features(_spec(logs), cutoff=CUTOFF).frame
    csv = tmp_path / "logs.csv.gz"
    logs.to_csv(csv, index=False)
    parquet = tmp_path / "logs.parquet"
    logs.to_parquet(parquet, index=False)
    for source in (csv, parquet):
        got = build_features(_spec(source), cutoff=CUTOFF).frame
        pd.testing.assert_frame_equal(got, expected)
    out = tmp_path / "out" / "features.parquet"
    written = build_features(_spec(parquet), cutoff=CUTOFF, out=out, memory_limit="256MB",
                             threads=1)
    assert written.frame is None
    assert written.n_rows == 2
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected)
    with pytest.raises(DataLoadError, match="does not exist"):
        build_features(_spec(tmp_path / "nope.parquet"), cutoff=CUTOFF)
    (tmp_path / "logs.xml").write_text("<logs/>")
    with pytest.raises(DataLoadError, match="expected Parquet"):
        build_features(_spec(tmp_path / "logs.xml"), cutoff=CUTOFF)


def test_default_cutoff_is_the_latest_event(logs: pd.DataFrame) -> None:
    result = build_features(_spec(logs, Aggregation(func="count")))
    assert result.cutoff == date(2024, 1, 12)
    assert result.frame is not None
    assert result.frame["logs_count_all"].tolist() == [4, 2, 1]
    assert result.repairs.empty


@pytest.mark.parametrize("cutoff", ["10/01/2024", "2024-13-01", "soon"])
def test_bad_cutoff_and_engine_are_config_errors(logs: pd.DataFrame, cutoff: str) -> None:
    with pytest.raises(ConfigError, match="cutoff must be a date"):
        build_features(_spec(logs), cutoff=cutoff)
    with pytest.raises(ConfigError, match="engine must be"):
        build_features(_spec(logs), cutoff=CUTOFF, engine="polars")  # type: ignore[arg-type]


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shifts=st.lists(st.integers(min_value=1, max_value=400), min_size=7, max_size=7),
       values=st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=7,
                       max_size=7),
       extra=st.integers(min_value=0, max_value=5))
def test_events_after_the_cutoff_never_change_features(shifts: list[int], values: list[float],
                                                       extra: int) -> None:
    """Point in time: moving, rewriting or adding events after the cutoff changes nothing."""
    logs = pd.DataFrame({
        "user": ["a", "a", "a", "a", "b", "b", "c"],
        "day": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-10", "2024-01-12",
                               "2024-01-09", "2024-01-09", "2024-01-11"]),
        "secs": [10.0, 30.0, 20.0, 99.0, 5.0, 7.0, 50.0],
        "song": ["s1", "s2", "s1", "s3", "s4", "s5", "s6"]})
    population = Population(source=pd.DataFrame({"user": ["a", "b", "c"]}), key="user")
    spec = FeatureSpec(key="user", population=population, events=_spec(logs).events)
    before = build_features(spec, cutoff=CUTOFF).frame
    after_cutoff = logs["day"] > pd.Timestamp(CUTOFF)
    moved = logs.copy()
    moved.loc[after_cutoff, "day"] = pd.Timestamp(CUTOFF) + pd.to_timedelta(
        np.asarray(shifts)[after_cutoff.to_numpy()], unit="D")
    moved.loc[after_cutoff, "secs"] = np.asarray(values)[after_cutoff.to_numpy()]
    added = pd.DataFrame({"user": ["a", "b", "c", "d", "a"][:extra],
                          "day": pd.Timestamp(CUTOFF) + pd.to_timedelta(
                              np.arange(1, extra + 1), unit="D"),
                          "secs": np.arange(extra, dtype=float) * 1000, "song": "new"})
    moved = pd.concat([moved, added], ignore_index=True)
    spec_moved = FeatureSpec(key="user", population=population, events=_spec(moved).events)
    pd.testing.assert_frame_equal(build_features(spec_moved, cutoff=CUTOFF).frame, before)


def test_integer_keys_group_as_stored_and_come_out_as_text(logs: pd.DataFrame) -> None:
    numeric = logs.assign(user=logs["user"].map({"a": 10, "b": 2, "c": 3}))

    def spec(member_ids: list[object]) -> FeatureSpec:
        members = pd.DataFrame({"user": member_ids, "age": [30, 41]})
        return FeatureSpec(key="user", events=_spec(numeric).events,
                           entities=(EntityTable(name="m", source=members, key="user",
                                                 numeric=("age",)),))

    native = build_features(spec([10, 2]), cutoff=CUTOFF)
    assert 'CAST("user" AS VARCHAR)' not in native.sql
    assert native.frame is not None
    assert native.frame["user"].tolist() == ["10", "2"]  # text, in text order
    assert native.frame["age"].tolist() == [30.0, 41.0]
    mixed = build_features(spec(["10", "2"]), cutoff=CUTOFF)  # text ids in one table
    assert 'CAST("user" AS VARCHAR)' in mixed.sql
    pd.testing.assert_frame_equal(mixed.frame, native.frame)
