"""Multi-table feature specs compiled to SQL and run on DuckDB (default) or Apache Spark.

A :class:`FeatureSpec` declares an entity key, event tables with a time column, windows counted
back from a cutoff, aggregations and entity tables to join; :func:`build_features` compiles it
to one SQL query and runs it, point in time: no event after the cutoff reaches a feature.
"""

from __future__ import annotations

from jogak.data.aggregate._audit import Repair, date_expression
from jogak.data.aggregate._build import FeatureSet, build_features, parse_cutoff
from jogak.data.aggregate._compile import compile_features
from jogak.data.aggregate._dialect import DUCKDB, SPARK, Dialect
from jogak.data.aggregate._engines import DuckDBEngine, SparkEngine, local_spark_session
from jogak.data.aggregate._spec import (
    AggFunc,
    Aggregation,
    EntityTable,
    EventTable,
    FeatureSpec,
    Population,
    Ratio,
)

__all__ = [
    "DUCKDB",
    "SPARK",
    "AggFunc",
    "Aggregation",
    "Dialect",
    "DuckDBEngine",
    "EntityTable",
    "EventTable",
    "FeatureSet",
    "FeatureSpec",
    "Population",
    "Ratio",
    "Repair",
    "SparkEngine",
    "build_features",
    "compile_features",
    "date_expression",
    "local_spark_session",
    "parse_cutoff",
]
