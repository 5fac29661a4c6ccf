"""Checks and repairs of the source tables before features are computed.

Missing columns and unreadable or mixed date formats stop the build with a SchemaError that
says what came and how to fix it. Repairable problems are repaired in the query and counted:
exact duplicate rows (dropped when the table asks for it), negative values of non-negative
columns (set missing), rows without key or time (dropped), events after the cutoff (excluded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from jogak.data.aggregate._compile import POPULATION_VIEW, view_name
from jogak.data.aggregate._dialect import DateFormat
from jogak.data.aggregate._engines import Engine
from jogak.data.aggregate._spec import EntityTable, EventTable, FeatureSpec
from jogak.errors import SchemaError

__all__ = ["Repair", "audit_sources", "count_after_cutoff", "date_expression",
           "latest_event_date"]

_INTEGER = ("tinyint", "smallint", "integer", "int", "bigint", "hugeint", "utinyint",
            "usmallint", "uinteger", "ubigint", "long", "short", "byte")
_EIGHT_DIGITS = "^[0-9]{8}$"
_ISO = "^[0-9]{4}-[0-9]{2}-[0-9]{2}"


@dataclass(frozen=True)
class Repair:
    """One problem found in a source table, and what was done about it."""

    table: str
    issue: str
    n_rows: int
    action: str


@dataclass(frozen=True)
class _Table:
    name: str
    view: str
    key: str
    required: tuple[str, ...]
    dates: tuple[str, ...]
    non_negative: tuple[str, ...] = ()
    derived: tuple[tuple[str, str], ...] = ()
    deduplicate: bool = False
    time: str | None = None
    time_format: str = "auto"
    unique_key: bool = False


def _tables(spec: FeatureSpec) -> list[_Table]:
    tables: list[_Table] = []
    for event in spec.events:
        tables.append(_event(event))
    for entity in spec.entities:
        tables.append(_entity(entity))
    pop = spec.population
    if pop is not None:
        dates = (pop.cutoff,) if pop.cutoff else ()
        tables.append(_Table("population", POPULATION_VIEW, pop.key,
                             (pop.key, *dates, *pop.keep), dates, deduplicate=True,
                             unique_key=True))
    return tables


def _event(table: EventTable) -> _Table:
    return _Table(table.name, view_name(table.name), table.key,
                  (table.key, table.time, *table.measured_columns()),
                  tuple(dict.fromkeys((table.time, *table.dates))),
                  non_negative=table.non_negative, deduplicate=table.deduplicate,
                  time=table.time, time_format=table.time_format,
                  derived=tuple(table.derived.items()))


def _entity(table: EntityTable) -> _Table:
    return _Table(table.name, view_name(table.name), table.key,
                  (table.key, *table.numeric, *table.categorical, *table.dates), table.dates,
                  deduplicate=table.deduplicate, unique_key=True)


def _format_of(kind: str) -> DateFormat | None:
    if kind.startswith(("date", "timestamp")):
        return "date"
    if kind.split("(")[0] in _INTEGER:
        return "yyyymmdd_int"
    return None


def _text_format(engine: Engine, table: _Table, column: str) -> DateFormat:
    d, q = engine.dialect, engine.dialect.quote(column)
    text = f"CAST({q} AS {d.text})"
    n_eight, n_iso, n_values = engine.rows(
        f"SELECT count(CASE WHEN {d.matches(text, _EIGHT_DIGITS)} THEN 1 END), "
        f"count(CASE WHEN {d.matches(text, _ISO)} THEN 1 END), count({q}) "
        f"FROM {table.view}")[0]
    if n_eight and n_iso:
        raise SchemaError(
            f"Column {column!r} of table {table.name!r} mixes date formats: {n_eight} rows "
            f"as YYYYMMDD and {n_iso} rows as YYYY-MM-DD. Hint: convert it to one format "
            "before building features (e.g. strftime('%Y%m%d')).")
    if n_eight + n_iso == n_values:
        return "yyyymmdd" if n_eight else "date"
    bad = engine.rows(f"SELECT DISTINCT {text} FROM {table.view} WHERE {q} IS NOT NULL AND NOT "
                      f"({d.matches(text, _EIGHT_DIGITS)} OR {d.matches(text, _ISO)}) LIMIT 3")
    raise SchemaError(
        f"Column {column!r} of table {table.name!r} must hold dates as YYYYMMDD or "
        f"YYYY-MM-DD; {n_values - n_eight - n_iso} values are neither, e.g. "
        f"{[r[0] for r in bad]}. Hint: fix or drop those rows.")


def date_expression(engine: Engine, view: str, column: str) -> str:
    """SQL turning ``column`` of a registered view into a DATE, after checking its format.

    Raises
    ------
    SchemaError
        The column is missing, mixes date formats, or holds values that are not dates.
    """
    columns = engine.columns(view)
    if column not in columns:
        raise SchemaError(f"No column {column!r}; the columns are {list(columns)}.")
    fmt = _format_of(columns[column])
    if fmt is None:
        fmt = _text_format(engine, _Table(view, view, column, (column,), (column,)), column)
    return engine.dialect.to_date(engine.dialect.quote(column), fmt)


def _check_columns(engine: Engine, table: _Table) -> dict[str, str]:
    columns = engine.columns(table.view)
    missing = [c for c in dict.fromkeys(table.required) if c not in columns]
    if missing:
        role = "key column" if table.key in missing else "column(s)"
        raise SchemaError(f"Table {table.name!r} has no {role} {missing}; its columns are "
                          f"{list(columns)}. Hint: fix the spec (key=, time=, columns) or "
                          "rename the columns in the source.")
    return columns


def _value(engine: Engine, table: _Table, column: str,
           formats: dict[tuple[str, str], DateFormat]) -> str:
    """A column (or derived expression) as a number; dates in days since 1970-01-01."""
    d = engine.dialect
    derived = dict(table.derived)
    if column in derived:
        names = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", derived[column]))
        expression = d.quote_expression(derived[column])
        for name in names:  # differences of dates keep their meaning in epoch days
            expression = expression.replace(d.quote(name),
                                            f"({_value(engine, table, name, formats)})")
        return expression
    if column in table.dates:
        return d.days_between(d.date_literal(date(1970, 1, 1)),
                              d.to_date(d.quote(column), formats[(table.name, column)]))
    return f"CAST({d.quote(column)} AS DOUBLE)"


def _stats(engine: Engine, table: _Table, formats: dict[tuple[str, str], DateFormat]
           ) -> tuple[int, int, list[int]]:
    q = engine.dialect.quote
    parts = ["count(*)", f"count(CASE WHEN {q(table.key)} IS NULL"
             + (f" OR {q(table.time)} IS NULL" if table.time else "") + " THEN 1 END)"]
    parts += [f"count(CASE WHEN {_value(engine, table, c, formats)} < 0 THEN 1 END)"
              for c in table.non_negative]
    row = engine.rows(f"SELECT {', '.join(parts)} FROM {table.view}")[0]
    return int(row[0]), int(row[1]), [int(v) for v in row[2:]]


def audit_sources(engine: Engine, spec: FeatureSpec
                  ) -> tuple[dict[tuple[str, str], DateFormat], list[Repair], dict[str, int]]:
    """Check every registered source of ``spec``; resolve date formats; count repairs and
    rows (the rows per table are the third item).

    Raises
    ------
    SchemaError
        A table lacks a column the spec needs, a date column mixes or breaks formats, or an
        entity table repeats a key.
    """
    formats: dict[tuple[str, str], DateFormat] = {}
    repairs: list[Repair] = []
    sizes: dict[str, int] = {}
    for table in _tables(spec):
        columns = _check_columns(engine, table)
        for column in table.dates:
            declared = table.time_format if column == table.time else "auto"
            fmt = declared if declared != "auto" else _format_of(columns[column])
            if fmt == "yyyymmdd" and _format_of(columns[column]) == "yyyymmdd_int":
                fmt = "yyyymmdd_int"
            if fmt is None:
                if not columns[column].startswith(("varchar", "string")):
                    raise SchemaError(
                        f"Column {column!r} of table {table.name!r} has type "
                        f"{columns[column]}; dates must be DATE/TIMESTAMP, integer YYYYMMDD or "
                        "text. Hint: cast it before building features.")
                fmt = _text_format(engine, table, column)
            formats[(table.name, column)] = fmt  # type: ignore[assignment]
        n_rows, n_missing, negatives = _stats(engine, table, formats)
        sizes[table.name] = n_rows
        if n_missing:
            repairs.append(Repair(table.name, "rows without key or time", n_missing, "dropped"))
        for column, count in zip(table.non_negative, negatives, strict=True):
            if count:
                repairs.append(Repair(table.name, f"negative {column}", count,
                                      "set to missing"))
        if table.deduplicate or table.unique_key:
            q = engine.dialect.quote(table.key)
            n_distinct, n_keys, n_nonnull = (int(v) for v in engine.rows(
                f"SELECT count(*), count(DISTINCT {q}), count({q}) "
                f"FROM (SELECT DISTINCT * FROM {table.view}) AS r")[0])
            if n_rows - n_distinct:
                repairs.append(Repair(table.name, "duplicate rows", n_rows - n_distinct,
                                      "removed"))
            if table.unique_key and n_nonnull != n_keys:
                raise SchemaError(
                    f"Table {table.name!r} must have one row per {table.key!r}, but "
                    f"{n_nonnull - n_keys} rows repeat a key with different values. Hint: "
                    "keep one row per key (e.g. the latest) before building features.")
    return formats, repairs, sizes


def _days(engine: Engine, table: EventTable, formats: dict[tuple[str, str], DateFormat]
          ) -> tuple[str, str, str]:
    """``(source, date, rows)``: a FROM clause over ``table``'s event times, the DATE of a row
    and its number of events; integer YYYYMMDD times are grouped by day first, so that a date
    is built once per day rather than once per event."""
    d, view = engine.dialect, view_name(table.name)
    fmt, time = formats[(table.name, table.time)], d.quote(table.time)
    if fmt != "yyyymmdd_int":
        return view, d.to_date(time, fmt), "1"
    source = (f"(SELECT {time} AS __v, count(*) AS __n FROM {view} WHERE {time} IS NOT NULL "
              f"GROUP BY {time}) AS v")
    return source, d.to_date("__v", fmt), "__n"


def latest_event_date(engine: Engine, spec: FeatureSpec,
                      formats: dict[tuple[str, str], DateFormat]) -> date:
    """The latest event date over every event table (the default cutoff)."""
    latest: list[Any] = []
    for table in spec.events:
        source, expr, _ = _days(engine, table, formats)
        latest.append(engine.rows(f"SELECT max({expr}) FROM {source}")[0][0])
    found = [v for v in latest if v is not None]
    if not found:
        raise SchemaError("No event has a date, so no cutoff can be inferred. Hint: pass cutoff.")
    value = max(found)
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def count_after_cutoff(engine: Engine, spec: FeatureSpec,
                       formats: dict[tuple[str, str], DateFormat], cutoff: date
                       ) -> tuple[list[Repair], dict[str, int]]:
    """Events dated after a single cutoff, per table (they are excluded from every feature),
    and each table's span: days from its first event to the cutoff, plus one."""
    repairs: list[Repair] = []
    spans: dict[str, int] = {}
    d = engine.dialect
    literal = d.date_literal(cutoff)
    for table in spec.events:
        source, expr, rows = _days(engine, table, formats)
        count, span = engine.rows(
            f"SELECT sum(CASE WHEN {expr} > {literal} THEN {rows} ELSE 0 END), "
            f"{d.days_between(f'min({expr})', literal)} FROM {source}")[0]
        if count:
            repairs.append(Repair(table.name, "events after the cutoff", int(count),
                                  "excluded"))
        if span is not None:
            spans[table.name] = max(int(span) + 1, 1)
    return repairs, spans
