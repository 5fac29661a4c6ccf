"""The same spec gives the same numbers on Spark (local mode) as on DuckDB."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from jogak.data.aggregate import Aggregation, EventTable, FeatureSpec, SparkEngine, build_features
from jogak.solutions.churn import kkbox_spec
from jogak.testing._kkbox import make_kkbox

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


def test_duckdb_and_spark_give_identical_kkbox_features(spark_session: Any, tmp_path: Path,
                                                        global_random_seed: int) -> None:
    tables = make_kkbox(120, seed=global_random_seed, negative_secs_share=0.02)
    paths = {}
    for name in ("members", "transactions", "user_logs", "train"):
        paths[name] = tmp_path / f"{name}.parquet"
        tables[name].to_parquet(paths[name], index=False)
    tables["transactions"].to_csv(tmp_path / "transactions.csv", index=False)
    preset = kkbox_spec({**paths, "transactions": str(tmp_path / "transactions.csv")})
    # the functions the preset does not use, on the same logs
    extra = EventTable(name="extra", source=paths["user_logs"], key="msno", time="date",
                       aggregations=(
                           Aggregation(func="std", column="total_secs", windows=(14, None)),
                           Aggregation(func="min", column="num_100"),
                           Aggregation(func="first", column="num_25"),
                           Aggregation(func="nunique", column="num_unq", windows=(7, None)),
                           Aggregation(func="days_since_first"),
                           Aggregation(func="count", column="num_50", windows=(3,))))
    spec = FeatureSpec(key=preset.key, events=(*preset.events, extra),
                       entities=preset.entities, population=preset.population,
                       ratios=preset.ratios)
    on_duckdb = build_features(spec, cutoff="2017-02-15")
    with SparkEngine(spark_session) as engine:
        on_spark = build_features(spec, cutoff="2017-02-15", engine=engine)
    assert on_duckdb.frame is not None
    assert on_spark.frame is not None
    assert len(on_duckdb.frame) == 120
    assert on_duckdb.frame["extra_std_total_secs_all"].notna().sum() > 50
    pd.testing.assert_frame_equal(on_spark.frame, on_duckdb.frame, check_dtype=False,
                                  rtol=1e-9)
    pd.testing.assert_frame_equal(on_spark.repairs, on_duckdb.repairs)
    assert {"table": "logs", "issue": "negative total_secs", "action": "set to missing"} \
        .items() <= on_spark.repairs.iloc[0].to_dict().items()
