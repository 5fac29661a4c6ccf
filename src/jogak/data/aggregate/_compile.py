"""Compile a FeatureSpec to one SQL query (DuckDB or Spark SQL).

The query has one CTE per stage: ``spine`` (entities and their cutoff), ``ev_*`` (typed,
repaired events), ``pit_*`` (events at or before each entity's cutoff, with their age in days),
``agg_*`` (aggregates, windows as ``FILTER`` clauses), ``ent_*`` (entity tables); the final
SELECT joins them onto the spine. Nothing after the cutoff can reach a feature: every event
CTE is filtered by ``time <= cutoff`` before any aggregate sees it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

from jogak.data.aggregate._buckets import bucketed_aggregates, plan_buckets
from jogak.data.aggregate._dialect import DateFormat, Dialect
from jogak.data.aggregate._spec import Aggregation, EntityTable, EventTable, FeatureSpec

__all__ = ["POPULATION_VIEW", "compile_features", "numeric_columns", "view_name"]

POPULATION_VIEW = "jogak_population_src"
_ZERO_WHEN_EMPTY = {"count", "nunique", "active_days", "sum"}
_NUMERIC_FUNCS = {"sum", "mean", "std", "min", "max", "first", "last", "slope"}
_EPOCH = date(1970, 1, 1)
# distinct active days as bitmaps of this many days per BIGINT word (below the sign bit)
_WORD_DAYS = 60
_MAX_WORDS = 16


def view_name(table: str) -> str:
    """The engine view holding a table's raw source."""
    return f"jogak_{table}_src"


def numeric_columns(table: EventTable) -> set[str]:
    """Source columns cast to DOUBLE: measured by numeric functions, repaired or in derived."""
    numeric = {a.column for a in table.aggregations
               if a.func in _NUMERIC_FUNCS and a.column and a.column not in table.derived}
    for expression in table.derived.values():
        numeric |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expression))
    numeric |= set(table.non_negative) - set(table.derived)
    return (numeric - set(table.dates) - set(table.derived)) - {table.key, table.time}


class _Compiler:
    def __init__(self, spec: FeatureSpec, dialect: Dialect, formats: Mapping[tuple[str, str],
                 DateFormat], cutoff: date | None, spans: Mapping[str, int],
                 native_keys: bool, sizes: Mapping[str, int]) -> None:
        self.spec, self.d, self.formats, self.cutoff = spec, dialect, formats, cutoff
        self.spans, self.native_keys, self.sizes = spans, native_keys, sizes

    def q(self, name: str) -> str:
        return self.d.quote(name)

    def key(self, column: str) -> str:
        """A table's key as ``__key``: as stored when every table stores it alike (integer
        keys group and join far faster than their text), else as text. The output is text."""
        return self.q(column) if self.native_keys else f"CAST({self.q(column)} AS {self.d.text})"

    def source(self, view: str, deduplicate: bool) -> str:
        return f"(SELECT DISTINCT * FROM {view})" if deduplicate else view

    # -- event tables ---------------------------------------------------------------------------
    def events(self, table: EventTable) -> str:
        q = self.q
        numeric = numeric_columns(table)
        columns = [f"{self.key(table.key)} AS __key",
                   f"{self.d.to_date(q(table.time), self.formats[(table.name, table.time)])} "
                   "AS __t"]
        for column in table.measured_columns():
            if column in table.dates:
                expr = self.d.to_date(q(column), self.formats[(table.name, column)])
            elif column in numeric:
                expr = f"CAST({q(column)} AS DOUBLE)"
                if column in table.non_negative:
                    expr = f"CASE WHEN {expr} < 0 THEN NULL ELSE {expr} END"
            else:
                expr = q(column)
            columns.append(f"{expr} AS {q(column)}")
        source = self.source(view_name(table.name), table.deduplicate)
        where = f"{q(table.key)} IS NOT NULL AND {q(table.time)} IS NOT NULL"
        if self.cutoff is not None and self.formats[(table.name, table.time)] == "yyyymmdd_int":
            # YYYYMMDD numbers sort as their dates: the scan drops later rows before any
            # date is built (and can skip whole Parquet row groups)
            where += f" AND {q(table.time)} <= {self.cutoff.strftime('%Y%m%d')}"
        return f"SELECT {', '.join(columns)} FROM {source} AS r WHERE {where}"

    @property
    def joins_spine(self) -> bool:
        """Per-entity cutoffs or a population need the spine; one cutoff alone does not."""
        return self.spec.population is not None

    @property
    def one_table(self) -> bool:
        """One event table and one cutoff: its aggregates are the rows (no spine to join)."""
        return not self.joins_spine and not self.spec.entities and len(self.spec.events) == 1

    def point_in_time(self, table: EventTable) -> str:
        q = self.q
        cutoff = "s.__cutoff" if self.joins_spine else \
            self.d.date_literal(self.cutoff)  # type: ignore[arg-type]
        columns = ["e.__key", f"{self.d.days_between('e.__t', cutoff)} AS __age",
                   f"{self.d.days_between(self.d.date_literal(_EPOCH), 'e.__t')} AS __day"]
        for column in table.measured_columns():
            if column in table.dates:  # days after the cutoff: expiry in 5 days -> 5
                columns.append(f"{self.d.days_between(cutoff, f'e.{q(column)}')} "
                               f"AS {q(column)}")
            else:
                columns.append(f"e.{q(column)}")
        if table.time in table.dates:
            columns.append(f"{self.d.days_between(cutoff, 'e.__t')} AS {q(table.time)}")
        if self.joins_spine:
            inner = (f"SELECT {', '.join(columns)} FROM ev_{table.name} AS e JOIN spine AS s "
                     "ON e.__key = s.__key WHERE e.__t <= s.__cutoff")
        else:
            inner = (f"SELECT {', '.join(columns)} FROM ev_{table.name} AS e "
                     f"WHERE e.__t <= {cutoff}")
        if not table.derived:
            return inner
        parts = []
        for name, expr in table.derived.items():
            value = f"CAST({self.d.quote_expression(expr)} AS DOUBLE)"
            if name in table.non_negative:
                value = f"CASE WHEN {value} < 0 THEN NULL ELSE {value} END"
            parts.append(f"{value} AS {q(name)}")
        derived = ", ".join(parts)
        return f"SELECT p.*, {derived} FROM ({inner}) AS p"

    def aggregate(self, agg: Aggregation, window: int | None) -> str:
        where = "" if window is None else f" FILTER (WHERE __age < {window})"
        col = self.q(agg.column) if agg.column else None
        func = agg.func
        if func == "count":
            return f"count({col or '*'}){where}"
        simple = {"sum": "sum", "mean": "avg", "std": "stddev_samp", "min": "min", "max": "max"}
        if func in simple:
            return f"{simple[func]}({col}){where}"
        if func in ("first", "last"):
            # missing values are skipped and ties on the day are broken by the value itself,
            # so every engine agrees
            pick = "min_by" if func == "first" else "max_by"
            pair = f"CASE WHEN {col} IS NOT NULL THEN {self.d.pair('__day', str(col))} END"
            return f"{pick}({col}, {pair}){where}"
        if func == "nunique":
            return f"count(DISTINCT {col}){where}"
        if func == "slope":
            return f"regr_slope({col}, __day){where}"
        if func == "days_since_last":
            return f"min(__age){where}"
        if func == "days_since_first":
            return f"max(__age){where}"
        raise AssertionError(f"{func} is computed from the days CTE")  # active_days

    def aggregates(self, table: EventTable) -> str:
        buckets = plan_buckets(table, self.spans.get(table.name), self.sizes.get(table.name))
        if buckets is not None:
            return bucketed_aggregates(table, buckets, self.d, f"pit_{table.name}")
        parts = ["__key"]
        for agg in table.aggregations:
            if agg.func == "active_days":
                continue
            for window, name in zip(agg.windows, agg.feature_names(table.name), strict=True):
                parts.append(f"{self.aggregate(agg, window)} AS {self.q(name)}")
        active = [a for a in table.aggregations if a.func == "active_days"]
        bitmaps = self.active_day_bitmaps(table, active)
        if bitmaps is not None:
            parts += bitmaps
        body = f"SELECT {', '.join(parts)} FROM pit_{table.name} GROUP BY __key"
        if not active or bitmaps is not None:
            return body
        # distinct days from one (key, day) aggregation: far cheaper than COUNT(DISTINCT)
        # once per window
        counts = ", ".join(
            f"count(*){'' if w is None else f' FILTER (WHERE __age < {w})'} AS {self.q(n)}"
            for a in active for w, n in zip(a.windows, a.feature_names(table.name), strict=True))
        days = (f"SELECT __key, {counts} FROM (SELECT __key, min(__age) AS __age "
                f"FROM pit_{table.name} GROUP BY __key, __day) AS d GROUP BY __key")
        names = [self.q(n) for a in active for n in a.feature_names(table.name)]
        return (f"SELECT g.*, {', '.join(f'd.{n}' for n in names)} FROM ({body}) AS g "
                f"JOIN ({days}) AS d ON d.__key = g.__key")

    def active_day_bitmaps(self, table: EventTable, active: list[Aggregation]
                           ) -> list[str] | None:
        """Distinct days as OR-ed bitmaps counted with bit_count: one pass, no DISTINCT.

        Needs a bound on the ages (the span of the data before one cutoff); else None.
        """
        span = self.spans.get(table.name)
        if not active or span is None:  # per-entity cutoffs: ages are not bounded here
            return None
        limits = [min(w, span) if w is not None else span for a in active for w in a.windows]
        if max(-(-limit // _WORD_DAYS) for limit in limits) > _MAX_WORDS:
            return None
        parts = []
        for agg in active:
            for window, name in zip(agg.windows, agg.feature_names(table.name), strict=True):
                limit = min(window, span) if window is not None else span
                words = []
                for low in range(0, max(limit, 1), _WORD_DAYS):
                    high = min(low + _WORD_DAYS, limit)
                    bit = self.d.bit(f"__age - {low}")
                    words.append(f"COALESCE(bit_count(bit_or(CASE WHEN __age >= {low} AND "
                                 f"__age < {high} THEN {bit} END)), 0)")
                parts.append(f"{' + '.join(words)} AS {self.q(name)}")
        return parts

    # -- entities and spine ---------------------------------------------------------------------
    def entity(self, table: EntityTable) -> str:
        q, text = self.q, self.d.text
        columns = [f"{self.key(table.key)} AS __key"]
        columns += [f"CAST({q(c)} AS DOUBLE) AS {q(c)}" for c in table.numeric]
        columns += [f"CAST({q(c)} AS {text}) AS {q(c)}" for c in table.categorical]
        columns += [f"{self.d.to_date(q(c), self.formats[(table.name, c)])} AS {q(c)}"
                    for c in table.dates]
        source = self.source(view_name(table.name), table.deduplicate)
        return f"SELECT {', '.join(columns)} FROM {source} AS r WHERE {q(table.key)} IS NOT NULL"

    def spine(self) -> str:
        q, pop = self.q, self.spec.population
        if pop is not None:
            if pop.cutoff is not None:
                cutoff = self.d.to_date(q(pop.cutoff), self.formats[("population", pop.cutoff)])
            else:
                cutoff = self.d.date_literal(self.cutoff)  # type: ignore[arg-type]
            keep = "".join(f", {q(c)}" for c in pop.keep)
            return (f"SELECT {self.key(pop.key)} AS __key, {cutoff} AS __cutoff{keep} "
                    f"FROM (SELECT DISTINCT * FROM {POPULATION_VIEW}) AS r "
                    f"WHERE {q(pop.key)} IS NOT NULL")
        literal = self.d.date_literal(self.cutoff)  # type: ignore[arg-type]
        # the entities with an event up to the cutoff are exactly the aggregated keys; each
        # CTE has one row per key and UNION removes the repeats, so no DISTINCT is needed
        keys = [f"SELECT __key FROM agg_{t.name}" for t in self.spec.events]
        keys += [f"SELECT __key FROM ent_{t.name}" for t in self.spec.entities]
        return f"SELECT __key, {literal} AS __cutoff FROM ({' UNION '.join(keys)}) AS k"

    # -- final ----------------------------------------------------------------------------------
    def select(self) -> str:
        q = self.q
        columns = [f"CAST(s.__key AS {self.d.text}) AS {q(self.spec.key)}"]
        if self.spec.population is not None:
            columns += [f"s.{q(c)}" for c in self.spec.population.keep]
        joins = []
        for table in self.spec.events:
            alias = "s" if self.one_table else f"a_{table.name}"
            if not self.one_table:
                joins.append(f"LEFT JOIN agg_{table.name} AS {alias} ON {alias}.__key = s.__key")
            for agg in table.aggregations:
                for name in agg.feature_names(table.name):
                    value = f"{alias}.{q(name)}"
                    if table.fill_absent is not None:
                        fill = float(table.fill_absent)
                        value = f"CASE WHEN {alias}.__key IS NULL THEN {fill!r} ELSE {value} END"
                    if agg.func in _ZERO_WHEN_EMPTY:
                        value = f"COALESCE({value}, 0)"
                    columns.append(f"CAST({value} AS DOUBLE) AS {q(name)}")
            if table.absent_flag:
                columns.append(f"CAST(CASE WHEN {alias}.__key IS NULL THEN 1 ELSE 0 END AS "
                               f"DOUBLE) AS {q(table.absent_flag)}")
        for entity in self.spec.entities:
            alias = f"m_{entity.name}"
            joins.append(f"LEFT JOIN ent_{entity.name} AS {alias} ON {alias}.__key = s.__key")
            columns += [f"{alias}.{q(c)}" for c in (*entity.numeric, *entity.categorical)]
            columns += [f"CAST({self.d.days_between(f'{alias}.{q(c)}', 's.__cutoff')} AS DOUBLE)"
                        f" AS {q(c + '_days')}" for c in entity.dates]
        rows = f"agg_{self.spec.events[0].name}" if self.one_table else "spine"
        body = f"SELECT {', '.join(columns)} FROM {rows} AS s {' '.join(joins)}"
        if self.spec.ratios:
            ratios = ", ".join(f"{q(r.numerator)} / NULLIF({q(r.denominator)}, 0) AS {q(r.name)}"
                               for r in self.spec.ratios)
            body = f"SELECT f.*, {ratios} FROM ({body}) AS f"
        return f"{body} ORDER BY {q(self.spec.key)}"

    def query(self) -> str:
        ctes: list[str] = []
        # entity and event CTEs come first: a spine without a population is built from them
        ctes += [f"ent_{t.name} AS ({self.entity(t)})" for t in self.spec.entities]
        ctes += [f"ev_{t.name} AS ({self.events(t)})" for t in self.spec.events]
        if self.joins_spine:
            ctes.append(f"spine AS ({self.spine()})")
        for table in self.spec.events:
            ctes.append(f"pit_{table.name} AS ({self.point_in_time(table)})")
            ctes.append(f"agg_{table.name} AS ({self.aggregates(table)})")
        if not self.joins_spine and not self.one_table:
            ctes.append(f"spine AS ({self.spine()})")
        return "WITH " + ",\n".join(ctes) + "\n" + self.select()


def compile_features(spec: FeatureSpec, dialect: Dialect, *,
                     formats: Mapping[tuple[str, str], DateFormat],
                     cutoff: date | None, spans: Mapping[str, int] | None = None,
                     native_keys: bool = False, sizes: Mapping[str, int] | None = None) -> str:
    """The SQL computing ``spec``'s features.

    Parameters
    ----------
    spec : FeatureSpec
        What to compute.
    dialect : Dialect
        Target engine.
    formats : mapping of (table, column) to "date", "yyyymmdd" or "yyyymmdd_int"
        The resolved format of every date column (``("population", column)`` for the
        population's cutoff column).
    cutoff : date, optional
        The one cutoff of every entity (required unless the population has a cutoff column).
    spans : mapping of table to int, optional
        Days from each event table's first event to the single cutoff, plus one: bounds the
        ages so that active days can be counted with bitmaps.
    native_keys : bool, default False
        Every table stores its key with the same integer or text type: group and join on it
        as stored (the output key is text either way).
    sizes : mapping of table to int, optional
        Rows of each event table: above ``MAX_BUCKETED_ROWS`` a table is aggregated in one
        pass (its per-(entity, bucket) partials would outgrow memory).
    """
    return _Compiler(spec, dialect, formats, cutoff, dict(spans or {}), native_keys,
                     dict(sizes or {})).query()
