"""The few SQL spellings that differ between DuckDB and Spark SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

__all__ = ["DUCKDB", "SPARK", "Dialect", "DateFormat"]

#: ``yyyymmdd_int``: integer YYYYMMDD, converted by arithmetic (much faster than parsing text)
DateFormat = Literal["date", "yyyymmdd", "yyyymmdd_int"]


@dataclass(frozen=True)
class Dialect:
    """SQL generation for one engine (``duckdb`` or ``spark``)."""

    name: Literal["duckdb", "spark"]

    @property
    def text(self) -> str:
        """The string type."""
        return "VARCHAR" if self.name == "duckdb" else "STRING"

    def quote(self, identifier: str) -> str:
        """A quoted identifier (names are validated identifiers, so no escaping is needed)."""
        return f'"{identifier}"' if self.name == "duckdb" else f"`{identifier}`"

    def quote_expression(self, expression: str) -> str:
        """Quote every identifier of an arithmetic expression (numbers stay as they are)."""
        return re.sub(r"(?<![0-9.])\b([A-Za-z_][A-Za-z0-9_]*)\b",
                      lambda m: self.quote(m.group(1)), expression)

    def days_between(self, start: str, end: str) -> str:
        """Whole days from ``start`` to ``end`` (positive when ``end`` is later)."""
        if self.name == "duckdb":
            return f"date_diff('day', {start}, {end})"
        return f"datediff({end}, {start})"

    def date_literal(self, value: date) -> str:
        """A DATE literal."""
        return f"DATE '{value.isoformat()}'"

    def to_date(self, expression: str, fmt: DateFormat) -> str:
        """A column in ``fmt`` as a DATE."""
        if fmt == "yyyymmdd_int":
            number = f"CAST({expression} AS BIGINT)"
            if self.name == "duckdb":
                return f"make_date({number} // 10000, {number} // 100 % 100, {number} % 100)"
            return (f"make_date(CAST({number} DIV 10000 AS INT), "
                    f"CAST(({number} DIV 100) % 100 AS INT), CAST({number} % 100 AS INT))")
        if fmt == "yyyymmdd":
            if self.name == "duckdb":
                return f"CAST(strptime(CAST({expression} AS VARCHAR), '%Y%m%d') AS DATE)"
            return f"to_date(CAST({expression} AS STRING), 'yyyyMMdd')"
        return f"CAST(CAST({expression} AS TIMESTAMP) AS DATE)"

    def matches(self, expression: str, pattern: str) -> str:
        """A boolean: ``expression`` matches the regular expression ``pattern``."""
        if self.name == "duckdb":
            return f"regexp_matches({expression}, '{pattern}')"
        return f"({expression} RLIKE '{pattern}')"

    def bit(self, position: str) -> str:
        """A BIGINT with the single bit ``position`` (0-62) set."""
        if self.name == "duckdb":
            return f"(CAST(1 AS BIGINT) << CAST({position} AS INTEGER))"
        return f"shiftleft(CAST(1 AS BIGINT), CAST({position} AS INT))"

    def pair(self, first: str, second: str) -> str:
        """An orderable (first, second) struct, compared field by field."""
        if self.name == "duckdb":
            return f"struct_pack(a := {first}, b := {second})"
        return f"named_struct('a', {first}, 'b', {second})"

    def field(self, struct: str, name: str) -> str:
        """The field ``name`` of a struct expression."""
        if self.name == "duckdb":
            return f"struct_extract({struct}, '{name}')"
        return f"({struct}).{name}"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")
