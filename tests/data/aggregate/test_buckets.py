"""The two-pass (bucketed) aggregation gives the numbers of the one-pass FILTER query."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.data.aggregate import (
    Aggregation,
    EventTable,
    FeatureSpec,
    Population,
    build_features,
)
from jogak.data.aggregate._buckets import MAX_BUCKETED_ROWS, plan_buckets

CUTOFF = "2024-06-30"
WINDOWS = (1, 7, 30, 90, None)
BUCKETED = (
    Aggregation(func="count", windows=WINDOWS),
    Aggregation(func="count", column="secs", windows=(7, None), name="n_secs"),
    Aggregation(func="sum", column="secs", windows=WINDOWS),
    Aggregation(func="sum", column="plays", windows=(30, None)),
    Aggregation(func="mean", column="secs", windows=(7, None)),
    Aggregation(func="min", column="secs", windows=(30, None)),
    Aggregation(func="max", column="plays", windows=(30, None)),
    Aggregation(func="first", column="secs", windows=(30, None)),
    Aggregation(func="last", column="secs", windows=(7, None)),
    Aggregation(func="slope", column="secs", windows=(30, None)),
    Aggregation(func="days_since_last", windows=(7, None)),
    Aggregation(func="days_since_first", windows=(90, None)),
    Aggregation(func="active_days", windows=(7, 100, None)),
)
# not rebuildable from per-bucket partials: adding it sends the table to the one-pass query
ONE_PASS = Aggregation(func="nunique", column="song")


def _logs(seed: int) -> pd.DataFrame:
    """About 40 events for each of 30 users over 300 days: ties, gaps, missing and negative
    values, events after the cutoff."""
    rng = np.random.default_rng(seed)
    n = 1200
    day = pd.Timestamp(CUTOFF) - pd.to_timedelta(rng.integers(-20, 280, n), unit="D")
    secs = np.round(rng.gamma(2.0, 300.0, n), 1)
    secs[rng.random(n) < 0.05] = np.nan
    secs[rng.random(n) < 0.03] *= -1
    return pd.DataFrame({"user": rng.choice([f"u{i:02d}" for i in range(30)], n),
                         "day": day.strftime("%Y%m%d").astype(int), "secs": secs,
                         "plays": rng.integers(0, 50, n),
                         "song": rng.choice(["s1", "s2", "s3", "s4"], n)})


def _spec(logs: pd.DataFrame, aggs: tuple[Aggregation, ...], population: Population | None = None
          ) -> FeatureSpec:
    return FeatureSpec(key="user", population=population, events=(EventTable(
        name="logs", source=logs, key="user", time="day", non_negative=("secs",),
        aggregations=aggs),))


def _both(spec: FeatureSpec, one_pass: FeatureSpec, **kwargs: object) -> tuple[pd.DataFrame,
                                                                                 pd.DataFrame]:
    bucketed = build_features(spec, **kwargs)
    reference = build_features(one_pass, **kwargs)
    assert "GROUP BY __key, __b" in bucketed.sql
    assert "__b" not in reference.sql
    assert bucketed.frame is not None
    assert reference.frame is not None
    return bucketed.frame, reference.frame[list(bucketed.frame.columns)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bucketed_features_equal_the_one_pass_query(seed: int) -> None:
    logs = _logs(seed)
    got, expected = _both(_spec(logs, BUCKETED), _spec(logs, (*BUCKETED, ONE_PASS)),
                          cutoff=CUTOFF)
    assert len(got) == 30
    assert got["logs_active_days_all"].max() > 30  # the history spans several 60-day words
    assert got["logs_slope_secs_all"].notna().all()
    pd.testing.assert_frame_equal(got, expected, rtol=1e-9)


def test_per_entity_cutoffs_take_the_bucketed_path_without_active_days() -> None:
    logs = _logs(3)
    cutoffs = pd.DataFrame({"user": [f"u{i:02d}" for i in range(0, 30, 2)] + ["nobody"],
                            "as_of": ["2024-03-31", "2024-06-30"] * 8})
    population = Population(source=cutoffs, key="user", cutoff="as_of")
    aggs = tuple(a for a in BUCKETED if a.func != "active_days")
    got, expected = _both(_spec(logs, aggs, population),
                          _spec(logs, (*aggs, ONE_PASS), population))
    assert len(got) == 16
    pd.testing.assert_frame_equal(got, expected, rtol=1e-9)


def test_buckets_follow_the_windows_and_split_for_active_day_words() -> None:
    logs = _logs(0)

    def table(*aggs: Aggregation) -> EventTable:
        return EventTable(name="logs", source=logs, key="user", time="day", aggregations=aggs)

    sums = Aggregation(func="sum", column="secs", windows=(30, 7, None))
    assert plan_buckets(table(sums), span=None).lows == (0, 7, 30)  # type: ignore[union-attr]
    active = Aggregation(func="active_days", windows=(7, 100, None))
    planned = plan_buckets(table(sums, active), span=200)
    assert planned is not None
    assert planned.lows == (0, 7, 30, 90, 100, 160)  # no bucket wider than 60 days of events
    assert planned.inside(100) == 4
    assert plan_buckets(table(active), span=None) is None  # per-entity cutoffs: unbounded ages
    assert plan_buckets(table(active), span=10_000) is None  # too many words: one pass
    assert plan_buckets(table(sums, ONE_PASS), span=200) is None
    assert plan_buckets(table(sums), span=200, rows=MAX_BUCKETED_ROWS + 1) is None  # memory
