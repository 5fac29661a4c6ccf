"""Fixtures of the aggregation tests: a small event log and one local SparkSession."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest


@pytest.fixture
def logs() -> pd.DataFrame:
    """Listening events of three users around the cutoff 2024-01-10 (hand-checkable)."""
    return pd.DataFrame({
        "user": ["a", "a", "a", "a", "b", "b", "c"],
        "day": [20240101, 20240105, 20240110, 20240112, 20240109, 20240109, 20240111],
        "secs": [10.0, 30.0, 20.0, 99.0, 5.0, 7.0, 50.0],
        "song": ["s1", "s2", "s1", "s3", "s4", "s5", "s6"],
    })


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    """A local SparkSession on one core, shared by the session (Spark tests are slow)."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs a Java runtime (java not on PATH)")
    from jogak.data.aggregate import local_spark_session

    session = local_spark_session(cores=1, memory="1g")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
