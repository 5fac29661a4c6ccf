"""The standard's tables as pandera schemas, with every check tied to a named rule."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import pandas as pd

from jogak.models._optional import require
from jogak.solutions.commerce._standard import PRODUCT_EVENTS, Item, TableSpec

__all__ = ["Rule", "RuleKind", "pandera_module", "pandera_schema", "quiet_pyspark",
           "table_rules"]

RuleKind = Literal["present", "known_columns", "type", "required", "unique", "pattern", "range",
                   "allowed", "product_event"]


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One rule of the standard, as it appears in a validation report."""

    id: str
    item: str | None
    kind: RuleKind
    description: str
    hint: str


def _bound(item: Item, value: float | str | None) -> Any:
    if value is None:
        return None
    return pd.Timestamp(value) if item.type in ("date", "datetime") else value


def _range_text(item: Item) -> str:
    return f"between {item.range_text.replace(' .. ', ' and ')} (inclusive)"


def item_rules(table: str, item: Item) -> list[Rule]:
    """The rules one item implies, in the order they are checked."""
    prefix = f"{table}.{item.name}"
    rules = [Rule(id=f"{prefix}.type", item=item.name, kind="type",
                  description=f"{item.name} is a {item.type} ({item.format})",
                  hint=f"Write {item.name} as {item.format}, e.g. {item.example!r}; fix or "
                       "blank the values that are not.")]
    if item.required:
        rules.append(Rule(id=f"{prefix}.required", item=item.name, kind="required",
                          description=f"{item.name} is present in every row",
                          hint=f"Fill {item.name} in every row, or drop rows without it."))
    if item.unique:
        rules.append(Rule(id=f"{prefix}.unique", item=item.name, kind="unique",
                          description=f"{item.name} is unique (rows after the first with a "
                                      "value are counted)",
                          hint=f"Remove duplicated rows, or give each row its own {item.name}."))
    if item.pattern is not None:
        rules.append(Rule(id=f"{prefix}.pattern", item=item.name, kind="pattern",
                          description=f"{item.name} matches its format: {item.format}",
                          hint=f"Rewrite {item.name} to the format {item.format}."))
    if item.minimum is not None or item.maximum is not None:
        rules.append(Rule(id=f"{prefix}.range", item=item.name, kind="range",
                          description=f"{item.name} is {_range_text(item)}",
                          hint=f"Check the units and sign of {item.name}; values outside "
                               f"{item.range_text} are errors in the source."))
    if item.allowed:
        rules.append(Rule(id=f"{prefix}.allowed", item=item.name, kind="allowed",
                          description=f"{item.name} is one of: {', '.join(item.allowed)}",
                          hint=f"Recode {item.name} to the standard's values, e.g. with a "
                               "'values:' section in the mapping file."))
    return rules


def table_rules(spec: TableSpec) -> list[Rule]:
    """Every rule of a table: columns first, then each item's, then the cross-item rules."""
    rules = [
        Rule(id=f"{spec.name}.columns.present", item=None, kind="present",
             description="every required item is a column",
             hint="Add the missing columns, or name their source columns in a mapping file "
                  "(--mapping)."),
        Rule(id=f"{spec.name}.columns.known", item=None, kind="known_columns",
             description="every column is an item of the standard",
             hint="Drop the other columns, or map them onto items with a mapping file."),
    ]
    for item in spec.items:
        rules.extend(item_rules(spec.name, item))
    if spec.name == "behaviour":
        rules.append(Rule(id="behaviour.product_id.product_event", item="product_id",
                          kind="product_event",
                          description="product_id is present for product events "
                                      f"({', '.join(PRODUCT_EVENTS)})",
                          hint="Fill product_id for these events; only search, checkout and "
                               "refund rows may go without it."))
    return rules


@contextmanager
def quiet_pyspark() -> Iterator[None]:
    """Silence PySpark's pandas-3 warning, raised when pandera probes for PySpark.

    pandera imports ``pyspark.pandas`` (at import and when it registers its backends on the
    first validation) if PySpark is installed; nothing here uses PySpark.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="PySpark does not yet fully support",
                                category=FutureWarning)
        yield


def pandera_module() -> Any:
    """``pandera.pandas``, or a MissingDependencyError naming the ``commerce`` extra."""
    with quiet_pyspark():
        return require("pandera.pandas", extra="commerce")


def _column(item: Item, rules: list[Rule]) -> tuple[Any, dict[int, str]]:
    pa = pandera_module()
    checks: list[Any] = []
    numbers: dict[int, str] = {}
    for rule in rules:
        if rule.kind == "pattern":
            check = pa.Check.str_matches(item.pattern)
        elif rule.kind == "range":
            check = pa.Check.in_range(_bound(item, item.minimum), _bound(item, item.maximum))
        elif rule.kind == "allowed":
            check = pa.Check.isin(list(item.allowed))
        else:
            continue
        numbers[len(checks)] = rule.id
        checks.append(check)
    dtype = {"integer": "Int64", "decimal": "float64"}.get(item.type)
    column = pa.Column(dtype, checks, nullable=not item.required, unique=item.unique,
                       report_duplicates="exclude_first", required=False,
                       description=item.description, title=item.name)
    return column, numbers


def pandera_schema(spec: TableSpec) -> tuple[Any, dict[tuple[str, int], str]]:
    """The table's pandera ``DataFrameSchema``, for frames already parsed by item type.

    Returns the schema and the map ``(column, check number) -> rule id`` that ties each
    pandera failure back to the standard's rule.
    """
    pa = pandera_module()
    rules = table_rules(spec)
    columns: dict[str, Any] = {}
    numbering: dict[tuple[str, int], str] = {}
    for item in spec.items:
        column, numbers = _column(item, [r for r in rules if r.item == item.name])
        columns[item.name] = column
        numbering.update({(item.name, n): rule for n, rule in numbers.items()})
    checks = []
    if spec.name == "behaviour":
        checks.append(pa.Check(_product_event_check, name="product_event",
                               error="product_id is present for product events"))
    return pa.DataFrameSchema(columns, checks=checks, strict=False, coerce=False,
                              name=f"jogak commerce {spec.name}",
                              title=spec.title, description=spec.description), numbering


def _product_event_check(frame: pd.DataFrame) -> pd.Series:
    if "event_type" not in frame or "product_id" not in frame:
        return pd.Series(True, index=frame.index)
    return ~(frame["event_type"].isin(PRODUCT_EVENTS) & frame["product_id"].isna())
