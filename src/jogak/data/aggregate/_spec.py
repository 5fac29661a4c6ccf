"""The declarative multi-table feature spec: tables, windows, aggregations, joins, repairs.

A spec names an entity key, event tables (each with a time column), windows counted back from a
cutoff, aggregations, entity tables joined one row per key, and ratios of features. It is plain
data: frozen dataclasses validated on creation, loadable from JSON or YAML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeAlias, get_args

import pandas as pd

from jogak.errors import ConfigError

__all__ = ["AggFunc", "Aggregation", "EntityTable", "EventTable", "FeatureSpec", "Population",
           "Ratio", "Source", "TimeFormat"]

AggFunc = Literal["count", "sum", "mean", "std", "min", "max", "first", "last", "nunique",
                  "slope", "days_since_last", "days_since_first", "active_days"]
TimeFormat = Literal["auto", "date", "yyyymmdd"]
#: A table: a file path or glob (Parquet, CSV, CSV.gz) or an in-memory pandas DataFrame.
Source: TypeAlias = str | Path | pd.DataFrame

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# derived columns: arithmetic over column names and numbers, portable to every SQL engine
_EXPRESSION = re.compile(r"^[A-Za-z0-9_+\-*/(). ]+$")
_NEEDS_COLUMN = {"sum", "mean", "std", "min", "max", "first", "last", "nunique", "slope"}


def _check_name(kind: str, value: Any) -> str:
    if not isinstance(value, str) or not _NAME.match(value):
        raise ConfigError(f"{kind} must be an identifier (letters, digits, '_'; not starting "
                          f"with a digit), got {value!r}.")
    return value


def _check_source(owner: str, source: Any) -> None:
    if not isinstance(source, str | Path | pd.DataFrame):
        raise ConfigError(f"{owner}: source must be a file path or a pandas DataFrame, got "
                          f"{type(source).__name__}.")


def _names(owner: str, values: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ConfigError(f"{owner}: expected a list of column names, got the string "
                          f"{values!r}. Hint: wrap it in a list.")
    return tuple(_check_name(f"{owner}: column", v) for v in values)


@dataclass(frozen=True, kw_only=True)
class Aggregation:
    """One aggregation of an event table, computed over one or more windows.

    Parameters
    ----------
    func : AggFunc
        ``count`` (rows; of non-missing ``column`` when given), ``sum``, ``mean``, ``std``
        (sample), ``min``, ``max``, ``first`` / ``last`` (value at the earliest / latest event
        time; ties take the smallest / largest value), ``nunique`` (distinct values), ``slope``
        (least-squares trend of ``column`` per day), ``days_since_last`` /
        ``days_since_first`` (days from the latest / earliest event to the cutoff) and
        ``active_days`` (distinct event days).
    column : str, optional
        The measured column (a column of the table or a derived one). Required for the
        column functions.
    windows : tuple of int or None, default (None,)
        Days counted back from the cutoff (``7`` = the cutoff day and the 6 before); ``None``
        is the whole history up to the cutoff.
    name : str, optional
        Feature name prefix; default ``{table}_{func}[_{column}]``. Each window appends
        ``_{n}d`` (or ``_all``).
    """

    func: AggFunc
    column: str | None = None
    windows: tuple[int | None, ...] = (None,)
    name: str | None = None

    def __post_init__(self) -> None:
        if self.func not in get_args(AggFunc):
            raise ConfigError(f"Aggregation func must be one of {list(get_args(AggFunc))}, got "
                              f"{self.func!r}.")
        if self.func in _NEEDS_COLUMN and self.column is None:
            raise ConfigError(f"Aggregation {self.func!r} needs a column.")
        if self.column is not None:
            _check_name("Aggregation column", self.column)
        if self.name is not None:
            _check_name("Aggregation name", self.name)
        windows = tuple(self.windows) if not isinstance(self.windows, int) else (self.windows,)
        if not windows:
            raise ConfigError("Aggregation windows must not be empty; use [null] for all history.")
        for window in windows:
            if window is not None and (isinstance(window, bool) or not isinstance(window, int)
                                       or window < 1):
                raise ConfigError(f"A window is a whole number of days >= 1 or None (all "
                                  f"history), got {window!r}.")
        if len(set(windows)) != len(windows):
            raise ConfigError(f"Aggregation windows repeat a value: {list(windows)}.")
        object.__setattr__(self, "windows", windows)

    def feature_names(self, table: str) -> list[str]:
        """The output column of each window, in the order of ``windows``."""
        stem = self.name or "_".join(p for p in (table, self.func, self.column) if p)
        return [f"{stem}_{'all' if w is None else f'{w}d'}" for w in self.windows]


@dataclass(frozen=True, kw_only=True)
class EventTable:
    """A table of timestamped events, aggregated per entity up to the cutoff.

    Parameters
    ----------
    name : str
        Table name (prefix of its features).
    source : str, Path or DataFrame
        Parquet / CSV (``.gz`` too) path or glob, or a DataFrame.
    key : str
        The entity key column in this table.
    time : str
        The event time column (a date, a timestamp, an ISO date text or ``YYYYMMDD``).
    time_format : {"auto", "date", "yyyymmdd"}, default "auto"
        ``auto`` reads the column's type, and checks text values; mixed formats are an error.
    aggregations : tuple of Aggregation
        What to compute.
    derived : mapping of str to str
        Extra per-row columns as arithmetic over other columns (``+ - * / ( )``, numbers),
        e.g. ``{"discount": "plan_list_price - actual_amount_paid"}``. Date columns appear in
        days after the cutoff.
    dates : tuple of str
        Date columns turned into days after the cutoff (negative = before it), e.g. a
        membership expiry date: ``last`` of it is the days to expiry. The time column may be
        listed too (then derived columns can use it, e.g. a duration).
    non_negative : tuple of str
        Source or derived columns whose negative values are errors of the source system
        (e.g. a membership ending before it was bought): set to missing and counted in the
        repairs.
    deduplicate : bool, default False
        Drop exact duplicate rows (counted in the repairs).
    absent_flag : str, optional
        Name of a 0/1 feature that is 1 for entities with no event in this table up to the
        cutoff (e.g. ``no_log_flag``).
    fill_absent : float, optional
        Value given to every feature of this table for entities without events (counts are
        always 0 then); default leaves them missing.
    """

    name: str
    source: Source = field(repr=False)
    key: str
    time: str
    aggregations: tuple[Aggregation, ...]
    time_format: TimeFormat = "auto"
    derived: Mapping[str, str] = field(default_factory=dict)
    dates: tuple[str, ...] = ()
    non_negative: tuple[str, ...] = ()
    deduplicate: bool = False
    absent_flag: str | None = None
    fill_absent: float | None = None

    def __post_init__(self) -> None:
        _check_name("EventTable name", self.name)
        _check_source(f"EventTable {self.name!r}", self.source)
        _check_name(f"EventTable {self.name!r} key", self.key)
        _check_name(f"EventTable {self.name!r} time", self.time)
        if self.time_format not in get_args(TimeFormat):
            raise ConfigError(f"time_format must be one of {list(get_args(TimeFormat))}, got "
                              f"{self.time_format!r}.")
        aggregations = tuple(self.aggregations)
        if not aggregations or not all(isinstance(a, Aggregation) for a in aggregations):
            raise ConfigError(f"EventTable {self.name!r} needs at least one Aggregation.")
        object.__setattr__(self, "aggregations", aggregations)
        object.__setattr__(self, "dates", _names(self.name, self.dates))
        object.__setattr__(self, "non_negative", _names(self.name, self.non_negative))
        for column, expression in dict(self.derived).items():
            _check_name(f"EventTable {self.name!r} derived column", column)
            if not isinstance(expression, str) or not _EXPRESSION.match(expression):
                raise ConfigError(f"Derived column {column!r} of {self.name!r} must be "
                                  "arithmetic over column names and numbers (+ - * / ( )), got "
                                  f"{expression!r}.")
        object.__setattr__(self, "derived", dict(self.derived))
        for column, expression in self.derived.items():
            used = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expression))
            if used & set(self.derived):
                raise ConfigError(f"Derived column {column!r} uses another derived column "
                                  f"({sorted(used & set(self.derived))}); write it out over "
                                  "source columns.")
            if self.time in used and self.time not in self.dates:
                raise ConfigError(f"Derived column {column!r} uses the time column "
                                  f"{self.time!r}; list it in dates=(...) to use it in days.")
        if self.absent_flag is not None:
            _check_name("absent_flag", self.absent_flag)
        names = self.feature_names()
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ConfigError(f"EventTable {self.name!r} makes duplicate features {duplicated}; "
                              "give the aggregations distinct names.")

    def measured_columns(self) -> list[str]:
        """Source columns the aggregations read (derived inputs included), without the time."""
        used = {a.column for a in self.aggregations if a.column} - set(self.derived)
        for expression in self.derived.values():
            used |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", expression))
        used |= set(self.dates) | (set(self.non_negative) - set(self.derived))
        return sorted(used - {self.key, self.time})

    def feature_names(self) -> list[str]:
        """Every feature this table adds, in output order."""
        names = [n for a in self.aggregations for n in a.feature_names(self.name)]
        return names + ([self.absent_flag] if self.absent_flag else [])


@dataclass(frozen=True, kw_only=True)
class EntityTable:
    """A table with (at most) one row per entity, joined to the features.

    Parameters
    ----------
    name : str
        Table name.
    source : str, Path or DataFrame
        As for :class:`EventTable`.
    key : str
        The entity key column.
    numeric, categorical : tuple of str
        Columns passed through as numbers / as text.
    dates : tuple of str
        Date columns passed through as days before the cutoff (``{column}_days``), e.g.
        membership tenure from a registration date.
    deduplicate : bool, default True
        Drop exact duplicate rows (counted); keys that still repeat are an error.
    """

    name: str
    source: Source = field(repr=False)
    key: str
    numeric: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    deduplicate: bool = True

    def __post_init__(self) -> None:
        _check_name("EntityTable name", self.name)
        _check_source(f"EntityTable {self.name!r}", self.source)
        _check_name(f"EntityTable {self.name!r} key", self.key)
        for attr in ("numeric", "categorical", "dates"):
            object.__setattr__(self, attr, _names(self.name, getattr(self, attr)))
        if not (self.numeric or self.categorical or self.dates):
            raise ConfigError(f"EntityTable {self.name!r} passes no column through.")

    def feature_names(self) -> list[str]:
        """The columns this table adds."""
        return [*self.numeric, *self.categorical, *(f"{d}_days" for d in self.dates)]


@dataclass(frozen=True, kw_only=True)
class Population:
    """The rows of the feature table: one per distinct key of ``source``.

    Parameters
    ----------
    source : str, Path or DataFrame
        E.g. the label table.
    key : str
        Its entity key column.
    cutoff : str, optional
        A date column giving each entity its own cutoff (point in time per row), e.g. the
        membership expiry of a cohort; when absent, one cutoff applies to all.
    keep : tuple of str
        Columns carried through unchanged (labels, cohort names).
    """

    source: Source = field(repr=False)
    key: str
    cutoff: str | None = None
    keep: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_source("Population", self.source)
        _check_name("Population key", self.key)
        if self.cutoff is not None:
            _check_name("Population cutoff", self.cutoff)
        object.__setattr__(self, "keep", _names("Population", self.keep))


@dataclass(frozen=True, kw_only=True)
class Ratio:
    """``numerator / denominator`` of two features (missing when the denominator is 0)."""

    name: str
    numerator: str
    denominator: str

    def __post_init__(self) -> None:
        for value in (self.name, self.numerator, self.denominator):
            _check_name("Ratio", value)


@dataclass(frozen=True, kw_only=True)
class FeatureSpec:
    """A multi-table feature spec: event tables, entity tables, population and ratios.

    Parameters
    ----------
    key : str
        Name of the entity key in the output.
    events : tuple of EventTable
        Aggregated tables.
    entities : tuple of EntityTable
        Joined tables.
    population : Population, optional
        Which entities get a row; default every key with an event up to the cutoff or a row
        in an entity table.
    ratios : tuple of Ratio
        Ratios of features computed after the aggregation.

    Examples
    --------
    >>> logs = pd.DataFrame({"user": ["a", "a", "b"], "day": ["2024-01-01", "2024-01-05",
    ...                      "2024-01-02"], "secs": [10.0, 30.0, 5.0]})
    >>> spec = FeatureSpec(key="user", events=(EventTable(
    ...     name="logs", source=logs, key="user", time="day",
    ...     aggregations=(Aggregation(func="sum", column="secs", windows=(3, None)),)),))
    >>> spec.feature_names()
    ['logs_sum_secs_3d', 'logs_sum_secs_all']
    """

    key: str
    events: tuple[EventTable, ...] = ()
    entities: tuple[EntityTable, ...] = ()
    population: Population | None = None
    ratios: tuple[Ratio, ...] = ()

    def __post_init__(self) -> None:
        _check_name("FeatureSpec key", self.key)
        for attr in ("events", "entities", "ratios"):
            object.__setattr__(self, attr, tuple(getattr(self, attr)))
        if not self.events and not self.entities:
            raise ConfigError("A FeatureSpec needs at least one event or entity table.")
        tables = [t.name for t in self.events] + [t.name for t in self.entities]
        if len(set(tables)) != len(tables):
            raise ConfigError(f"Table names must be unique, got {tables}.")
        names = self.feature_names(with_ratios=False)
        reserved = {self.key, *(self.population.keep if self.population else ())}
        clashes = sorted({n for n in names if names.count(n) > 1} | (set(names) & reserved))
        if clashes:
            raise ConfigError(f"Feature names clash: {clashes}. Hint: rename an aggregation "
                              "(name=...) or a table.")
        for ratio in self.ratios:
            for part in (ratio.numerator, ratio.denominator):
                if part not in names:
                    raise ConfigError(f"Ratio {ratio.name!r} uses {part!r}, which is not a "
                                      f"feature of the spec. Features: {names[:20]}...")

    def feature_names(self, *, with_ratios: bool = True) -> list[str]:
        """Every output feature, in output order (key and kept columns excluded)."""
        names = [n for t in self.events for n in t.feature_names()]
        names += [n for t in self.entities for n in t.feature_names()]
        return names + ([r.name for r in self.ratios] if with_ratios else [])

    # -- files ------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, base_dir: str | Path | None = None
                  ) -> FeatureSpec:
        """Build a spec from plain data (as read from JSON/YAML); relative sources resolve
        against ``base_dir``."""
        if not isinstance(data, Mapping):
            raise ConfigError(f"A feature spec is a mapping, got {type(data).__name__}.")
        base = Path(base_dir) if base_dir is not None else None

        def source(value: Any) -> Any:
            if isinstance(value, str) and base is not None and not Path(value).is_absolute():
                return str(base / value)
            return value

        try:
            events = tuple(EventTable(**{
                **table, "source": source(table["source"]),
                "aggregations": tuple(Aggregation(**{**a, "windows": tuple(
                    a.get("windows", [None]) if isinstance(a.get("windows", [None]), list)
                    else [a["windows"]])}) for a in table["aggregations"]),
                "dates": tuple(table.get("dates", ())),
                "non_negative": tuple(table.get("non_negative", ()))})
                for table in data.get("events", ()))
            entities = tuple(EntityTable(**{**table, "source": source(table["source"])})
                             for table in data.get("entities", ()))
            population = None
            if data.get("population"):
                raw = dict(data["population"])
                population = Population(**{**raw, "source": source(raw["source"]),
                                           "keep": tuple(raw.get("keep", ()))})
            ratios = tuple(Ratio(**r) for r in data.get("ratios", ()))
            return cls(key=data["key"], events=events, entities=entities,
                       population=population, ratios=ratios)
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"Invalid feature spec: {exc}. Hint: see docs/aggregate.md for "
                              "the fields of each table.") from exc

    @classmethod
    def from_file(cls, path: str | Path) -> FeatureSpec:
        """Read a spec from a ``.json``, ``.yaml`` or ``.yml`` file."""
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"Feature spec file {str(file)!r} does not exist.")
        text = file.read_text(encoding="utf-8")
        try:
            if file.suffix.lower() in (".yaml", ".yml"):
                import yaml

                try:
                    data = yaml.safe_load(text)
                except yaml.YAMLError as exc:
                    raise ValueError(str(exc)) from exc
            else:
                data = json.loads(text)
        except (ValueError, ImportError) as exc:
            raise ConfigError(f"Cannot parse feature spec {str(file)!r}: {exc}") from exc
        return cls.from_dict(data, base_dir=file.parent)
