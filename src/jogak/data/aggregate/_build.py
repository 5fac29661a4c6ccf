"""``build_features``: run a FeatureSpec on DuckDB or Spark, point in time, with a repair log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from jogak.data.aggregate._audit import (
    audit_sources,
    count_after_cutoff,
    latest_event_date,
)
from jogak.data.aggregate._compile import POPULATION_VIEW, compile_features, view_name
from jogak.data.aggregate._engines import DuckDBEngine, Engine, SparkEngine
from jogak.data.aggregate._spec import EntityTable, EventTable, FeatureSpec
from jogak.errors import ConfigError

__all__ = ["FeatureSet", "build_features", "parse_cutoff"]

EngineName = Literal["duckdb", "spark"]


@dataclass(frozen=True, kw_only=True, eq=False)
class FeatureSet:
    """The result of :func:`build_features`.

    Attributes
    ----------
    frame : DataFrame or None
        One row per entity (key first, then kept population columns, then features), sorted
        by key; None when the result was written to ``path`` instead.
    path : Path or None
        The Parquet file written (``out``).
    n_rows : int
        Rows of the result.
    features : list of str
        Feature columns, in order.
    cutoff : date or None
        The single cutoff used (None with per-entity cutoffs).
    repairs : DataFrame
        ``table, issue, n_rows, action``: every problem found and what was done.
    sql : str
        The query that ran.
    engine : str
        ``duckdb`` or ``spark``.
    """

    frame: pd.DataFrame | None
    path: Path | None
    n_rows: int
    features: list[str]
    cutoff: date | None
    repairs: pd.DataFrame = field(repr=False)
    sql: str = field(repr=False)
    engine: str

    def summary(self) -> dict[str, Any]:
        """JSON-ready: rows, features, cutoff, engine, repairs."""
        return {"n_rows": self.n_rows, "n_features": len(self.features), "engine": self.engine,
                "cutoff": None if self.cutoff is None else self.cutoff.isoformat(),
                "path": None if self.path is None else str(self.path),
                "repairs": self.repairs.to_dict(orient="records")}


def parse_cutoff(value: Any) -> date | None:
    """A cutoff as a date: ``date``, ``datetime``, ``Timestamp`` or ISO / YYYYMMDD text."""
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ConfigError(f"cutoff must be a date like 2017-03-31 or 20170331, got {value!r}.")


_KEY_TYPES = ("tinyint", "smallint", "integer", "int", "bigint", "varchar", "string")


def _same_key_type(engine: Engine, spec: FeatureSpec) -> bool:
    """Whether every table stores its key with one integer or text type."""
    keys = [(view_name(t.name), t.key) for t in (*spec.events, *spec.entities)]
    if spec.population is not None:
        keys.append((POPULATION_VIEW, spec.population.key))
    types = {engine.columns(view)[key] for view, key in keys}
    return len(types) == 1 and types.pop() in _KEY_TYPES


@contextmanager
def _engine(engine: EngineName | Engine, options: dict[str, Any]) -> Iterator[Engine]:
    if engine == "duckdb":
        owned: Any = DuckDBEngine(**options)
    elif engine == "spark":
        owned = SparkEngine(**options)
    elif isinstance(engine, DuckDBEngine | SparkEngine):
        yield engine
        return
    else:
        raise ConfigError(f"engine must be 'duckdb', 'spark' or an engine object, got "
                          f"{engine!r}.")
    try:
        yield owned
    finally:
        owned.close()


def build_features(spec: FeatureSpec, *, cutoff: Any = None,
                   engine: EngineName | Engine = "duckdb", out: str | Path | None = None,
                   **engine_options: Any) -> FeatureSet:
    """Compute ``spec``'s features, one row per entity, from data up to the cutoff.

    Parameters
    ----------
    spec : FeatureSpec
        Tables, windows, aggregations, joins.
    cutoff : date or str, optional
        The last day whose events count (inclusive). Default: the population's per-entity
        cutoff column, else the latest event date in the data.
    engine : {"duckdb", "spark"} or engine object, default "duckdb"
        DuckDB streams the files and spills to disk; Spark runs the same SQL on a session
        (a local one unless a :class:`SparkEngine` with a session is given).
    out : str or Path, optional
        Write the result to this Parquet file instead of returning a DataFrame (DuckDB
        streams it without materialising it in Python).
    **engine_options
        Passed to the engine when it is named (e.g. ``memory_limit="4GB"``, ``threads=2``).

    Returns
    -------
    FeatureSet

    Raises
    ------
    SchemaError
        A source lacks a needed column, has mixed or unreadable dates, repeats entity keys,
        or the query fails on the engine.
    ConfigError
        A bad cutoff or engine.

    Examples
    --------
    >>> from jogak.data.aggregate import Aggregation, EventTable, FeatureSpec
    >>> logs = pd.DataFrame({"user": ["a", "a", "b"], "day": [20240101, 20240105, 20240102],
    ...                      "secs": [10.0, 30.0, 5.0]})
    >>> spec = FeatureSpec(key="user", events=(EventTable(
    ...     name="logs", source=logs, key="user", time="day",
    ...     aggregations=(Aggregation(func="sum", column="secs", windows=(3, None)),)),))
    >>> build_features(spec, cutoff="2024-01-04").frame
      user  logs_sum_secs_3d  logs_sum_secs_all
    0    a               0.0               10.0
    1    b               5.0                5.0
    """
    if not isinstance(spec, FeatureSpec):
        raise ConfigError(f"spec must be a FeatureSpec, got {type(spec).__name__}.")
    single = parse_cutoff(cutoff)
    per_entity = spec.population is not None and spec.population.cutoff is not None
    if per_entity and single is not None:
        raise ConfigError("The population gives each entity its own cutoff column; do not pass "
                          "cutoff as well.")
    with _engine(engine, engine_options) as runner:
        tables: list[EventTable | EntityTable] = [*spec.events, *spec.entities]
        for table in tables:
            runner.register(view_name(table.name), table.source)
        if spec.population is not None:
            runner.register(POPULATION_VIEW, spec.population.source)
        formats, repairs, sizes = audit_sources(runner, spec)
        if not per_entity and single is None:
            if not spec.events:
                raise ConfigError("A spec without event tables needs a cutoff.")
            single = latest_event_date(runner, spec, formats)
        spans: dict[str, int] = {}
        if single is not None:
            after, spans = count_after_cutoff(runner, spec, formats, single)
            repairs += after
        sql = compile_features(spec, runner.dialect, formats=formats, cutoff=single,
                               spans=spans, native_keys=_same_key_type(runner, spec),
                               sizes=sizes)
        log = pd.DataFrame([vars(r) for r in repairs],
                           columns=["table", "issue", "n_rows", "action"])
        if out is not None:
            path = Path(out)
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".partial")
            runner.write_parquet(sql, partial)
            partial.replace(path)
            n_rows = int(runner.rows(f"SELECT count(*) FROM read_parquet('{path}')")[0][0]) \
                if runner.dialect.name == "duckdb" else len(pd.read_parquet(path, columns=[
                    spec.key]))
            return FeatureSet(frame=None, path=path, n_rows=n_rows,
                              features=spec.feature_names(), cutoff=single, repairs=log,
                              sql=sql, engine=runner.dialect.name)
        frame = runner.frame(sql)
    return FeatureSet(frame=frame, path=None, n_rows=len(frame), features=spec.feature_names(),
                      cutoff=single, repairs=log, sql=sql, engine=runner.dialect.name)


