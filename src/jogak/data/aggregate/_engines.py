"""Execution engines for compiled feature SQL: DuckDB (default, out of core) and Spark."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from jogak.data.aggregate._dialect import DUCKDB, SPARK, Dialect
from jogak.data.aggregate._spec import Source
from jogak.errors import DataLoadError, MissingDependencyError, SchemaError

__all__ = ["DuckDBEngine", "Engine", "SparkEngine", "local_spark_session"]

_CSV = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".txt", ".txt.gz")


def _kind(path: str) -> str:
    name = path.lower().rstrip("/")
    if name.endswith(_CSV):
        return "csv"
    if name.endswith((".parquet", ".pq")) or Path(path).is_dir():
        return "parquet"
    raise DataLoadError(f"Cannot read {path!r}: expected Parquet (.parquet or a folder of "
                        "parts) or CSV (.csv, .csv.gz, .tsv).")


def _check_exists(path: str) -> None:
    if any(c in path for c in "*?["):
        import glob

        if not glob.glob(path):
            raise DataLoadError(f"No file matches {path!r}.")
    elif not Path(path).exists():
        raise DataLoadError(f"Table file {path!r} does not exist. Hint: check the path (spec "
                            "paths are relative to the spec file).")


class Engine(Protocol):
    """What the feature builder needs from an engine."""

    dialect: Dialect

    def register(self, view: str, source: Source) -> None:
        """Expose ``source`` as the view ``view``."""

    def columns(self, view: str) -> dict[str, str]:
        """Column name -> lower-case type name."""

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a small query and return its rows."""

    def frame(self, sql: str) -> pd.DataFrame:
        """Run a query and return a DataFrame."""

    def write_parquet(self, sql: str, path: Path) -> None:
        """Run a query and write its result as one Parquet file."""


class DuckDBEngine:
    """DuckDB in-process: streams Parquet/CSV and spills to disk beyond ``memory_limit``.

    Parameters
    ----------
    memory_limit : str, optional
        E.g. ``"4GB"``; DuckDB's default is 80 % of RAM.
    threads : int, optional
        Worker threads (default: all cores).
    temp_directory : str, optional
        Where to spill (default: DuckDB's ``.tmp`` next to the database, here a temp dir).
    """

    dialect = DUCKDB

    def __init__(self, *, memory_limit: str | None = None, threads: int | None = None,
                 temp_directory: str | None = None) -> None:
        import duckdb

        self._duckdb = duckdb
        self.con = duckdb.connect()
        self._frames: dict[str, pd.DataFrame] = {}
        self._tmp = tempfile.TemporaryDirectory(prefix="jogak-duckdb-")
        self.con.execute(f"SET temp_directory = '{temp_directory or self._tmp.name}'")
        self.con.execute("SET preserve_insertion_order = false")
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")

    def close(self) -> None:
        """Close the connection and remove spill files."""
        self.con.close()
        self._tmp.cleanup()

    def __enter__(self) -> DuckDBEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def register(self, view: str, source: Source) -> None:
        if isinstance(source, pd.DataFrame):
            self._frames[view] = source
            self.con.register(f"{view}_frame", source)
            self.con.execute(f'CREATE OR REPLACE VIEW "{view}" AS SELECT * FROM "{view}_frame"')
            return
        path = str(source)
        _check_exists(path)
        quoted = path.replace("'", "''")
        if _kind(path) == "csv":
            reader = f"read_csv('{quoted}', header = true, all_varchar = true)"
        else:
            target = f"{quoted.rstrip('/')}/**/*.parquet" if Path(path).is_dir() else quoted
            reader = f"read_parquet('{target}')"
        try:
            self.con.execute(f'CREATE OR REPLACE VIEW "{view}" AS SELECT * FROM {reader}')
        except self._duckdb.Error as exc:
            raise DataLoadError(f"Cannot read {path!r}: {exc}") from exc

    def columns(self, view: str) -> dict[str, str]:
        rows = self.con.execute(f'DESCRIBE "{view}"').fetchall()
        return {str(r[0]): str(r[1]).lower() for r in rows}

    def _failed(self, exc: Exception) -> SchemaError:
        return SchemaError(f"The feature query failed on DuckDB: {exc}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return self.con.execute(sql).fetchall()
        except self._duckdb.Error as exc:
            raise self._failed(exc) from exc

    def frame(self, sql: str) -> pd.DataFrame:
        try:
            return self.con.execute(sql).df()
        except self._duckdb.Error as exc:
            raise self._failed(exc) from exc

    def write_parquet(self, sql: str, path: Path) -> None:
        target = str(path).replace("'", "''")
        try:
            self.con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet)")
        except self._duckdb.Error as exc:
            raise self._failed(exc) from exc


def local_spark_session(*, cores: int = 2, memory: str = "2g") -> Any:
    """A local-mode SparkSession tuned for one machine (UTC, few shuffle partitions, no UI)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise MissingDependencyError("'pyspark' is needed for engine='spark'. Install it with: "
                                     "pip install 'jogak[spark]' (and a Java 17 runtime).") \
            from exc
    return (SparkSession.builder.master(f"local[{cores}]").appName("jogak-aggregate")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
            .config("spark.driver.memory", memory)
            .getOrCreate())


class SparkEngine:
    """Apache Spark SQL through PySpark: an existing session, or a local one.

    Parameters
    ----------
    session : pyspark.sql.SparkSession, optional
        The session to run on (a cluster's); default a local session on 2 cores.
    """

    dialect = SPARK

    def __init__(self, session: Any = None) -> None:
        self.session = session if session is not None else local_spark_session()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        """Remove temporary files (the session stays open: it may be shared)."""
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> SparkEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _error(self, exc: Exception) -> SchemaError:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return SchemaError(f"The feature query failed on Spark: {first}")

    def register(self, view: str, source: Source) -> None:
        reader = self.session.read
        if isinstance(source, pd.DataFrame):
            # through Parquet: keeps dtypes and avoids pandas-version issues of createDataFrame
            if self._tmp is None:
                self._tmp = tempfile.TemporaryDirectory(prefix="jogak-spark-")
            path = Path(self._tmp.name) / f"{view}.parquet"
            source.to_parquet(path, index=False)
            frame = reader.parquet(str(path))
        else:
            path_text = str(source)
            _check_exists(path_text)
            try:
                if _kind(path_text) == "csv":
                    frame = reader.option("header", "true").csv(path_text)
                else:
                    frame = reader.parquet(path_text)
            except Exception as exc:  # noqa: BLE001 - py4j wraps every JVM error
                raise DataLoadError(f"Spark cannot read {path_text!r}: {exc}") from exc
        frame.createOrReplaceTempView(view)

    def columns(self, view: str) -> dict[str, str]:
        schema = self.session.table(view).schema
        return {f.name: f.dataType.simpleString().lower() for f in schema.fields}

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        try:
            return [tuple(r) for r in self.session.sql(sql).collect()]
        except Exception as exc:  # noqa: BLE001 - py4j wraps every JVM error
            raise self._error(exc) from exc

    def frame(self, sql: str) -> pd.DataFrame:
        try:
            table = self.session.sql(sql).toArrow()
        except Exception as exc:  # noqa: BLE001 - py4j wraps every JVM error
            raise self._error(exc) from exc
        return table.to_pandas()

    def write_parquet(self, sql: str, path: Path) -> None:
        self.frame(sql).to_parquet(path, index=False)
