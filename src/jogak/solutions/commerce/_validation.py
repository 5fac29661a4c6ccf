"""Validating a table against the standard: per rule, the failures, their share, masked samples."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from jogak.data.privacy import PiiClass, mask
from jogak.errors import ConfigError
from jogak.solutions.commerce._mapping import ColumnMapping
from jogak.solutions.commerce._parsing import parse_column
from jogak.solutions.commerce._schemas import (
    Rule,
    pandera_module,
    pandera_schema,
    quiet_pyspark,
    table_rules,
)
from jogak.solutions.commerce._standard import STANDARD_VERSION, TableSpec, get_table

__all__ = ["RuleResult", "ValidationReport", "validate_table"]

Status = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True, kw_only=True, eq=False)
class RuleResult:
    """The outcome of one rule.

    Attributes
    ----------
    rule : Rule
        Id, item, kind, description and how to fix.
    status : {"passed", "failed", "skipped"}
        ``skipped`` when the item's column is absent.
    n_failed : int
        Failing rows (for the column rules: missing or unknown columns).
    share : float
        ``n_failed`` over the rows (over the columns for the column rules).
    failed_rows : ndarray of int
        Positions (0-based) of the failing rows in the table.
    columns : tuple of str
        The missing or unknown columns, for the column rules.
    samples : DataFrame
        Up to ``n_samples`` failing rows, with ``row`` (their position) and the standard's
        columns; direct identifiers are masked.
    """

    rule: Rule
    status: Status
    n_failed: int = 0
    share: float = 0.0
    failed_rows: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    columns: tuple[str, ...] = ()
    samples: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def passed(self) -> bool:
        """True unless the rule failed."""
        return self.status != "failed"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (sample values as text; direct identifiers masked)."""
        samples = self.samples.astype(object).where(self.samples.notna(), None)
        return {"rule": self.rule.id, "item": self.rule.item, "kind": self.rule.kind,
                "description": self.rule.description, "status": self.status,
                "failures": self.n_failed, "share": self.share, "columns": list(self.columns),
                "samples": [{k: (v if v is None or isinstance(v, int | float | bool) else str(v))
                             for k, v in row.items()} for row in samples.to_dict("records")],
                "hint": self.rule.hint}


@dataclass(frozen=True, kw_only=True, eq=False)
class ValidationReport:
    """Every rule of a standard table checked on one data table.

    Attributes
    ----------
    table : str
        buyer, behaviour or product.
    standard_version : str
    n_rows : int
    results : tuple of RuleResult
        One per rule, in the standard's order.
    """

    table: str
    standard_version: str
    n_rows: int
    results: tuple[RuleResult, ...]

    @property
    def passed(self) -> bool:
        """True when no rule failed."""
        return all(result.passed for result in self.results)

    @property
    def failures(self) -> list[RuleResult]:
        """The failed rules."""
        return [result for result in self.results if not result.passed]

    def result(self, rule_id: str) -> RuleResult:
        """The result of the rule ``rule_id`` (e.g. ``"behaviour.amount.range"``)."""
        for result in self.results:
            if result.rule.id == rule_id:
                return result
        raise ConfigError(f"No rule {rule_id!r}; the rules are "
                          f"{[r.rule.id for r in self.results]}.")

    def to_frame(self) -> pd.DataFrame:
        """One row per rule: rule, status, failures, share, description, hint."""
        return pd.DataFrame([{"rule": r.rule.id, "status": r.status, "failures": r.n_failed,
                              "share": r.share, "description": r.rule.description,
                              "hint": r.rule.hint} for r in self.results])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"table": self.table, "standard_version": self.standard_version,
                "n_rows": self.n_rows, "passed": self.passed,
                "n_failed_rules": len(self.failures),
                "rules": [result.to_dict() for result in self.results]}


def validate_table(frame: pd.DataFrame, table: str, *, mapping: ColumnMapping | None = None,
                   n_samples: int = 5) -> ValidationReport:
    """Check a table against the standard, rule by rule.

    Each column is first read as its item's type (values that do not parse fail the item's
    ``type`` rule and are not checked further), then the pandera schema of the table checks
    presence, uniqueness, format, range, allowed values and the cross-item rules. A value
    fails at most one rule of its item, so counts add up.

    Parameters
    ----------
    frame : DataFrame
        The data, in the standard's columns, or in any columns with ``mapping``.
    table : {"buyer", "behaviour", "product"}
    mapping : ColumnMapping, optional
        Applied first (see :class:`ColumnMapping`).
    n_samples : int, default 5
        Failing rows shown per rule. Direct identifiers in them are masked.

    Returns
    -------
    ValidationReport

    Raises
    ------
    ConfigError
        Unknown table, bad ``n_samples``, or a mapping for another table.
    SchemaError
        The mapping names source columns the data does not have.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = pd.DataFrame({"product_id": ["p1", "p1"], "price": [100, -5]})
    >>> report = validate_table(rows, "product")
    >>> [(r.rule.id, r.n_failed) for r in report.failures]
    [('product.product_id.unique', 1), ('product.price.range', 1)]
    """
    spec = get_table(table)
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 0:
        raise ConfigError(f"n_samples must be a non-negative integer, got {n_samples!r}.")
    if mapping is not None:
        frame = mapping.apply(frame, spec)
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    n_rows = len(frame)
    present = [name for name in spec.names if name in frame.columns]
    parsed: dict[str, pd.Series] = {}
    failed: dict[str, np.ndarray] = {}
    for name in present:
        parsed[name], bad = parse_column(frame[name], spec.item(name))
        failed[f"{spec.name}.{name}.type"] = np.flatnonzero(bad.to_numpy())
    bad_type = {name: failed[f"{spec.name}.{name}.type"] for name in present}
    failed.update(_schema_failures(spec, pd.DataFrame(parsed, index=frame.index), bad_type))
    results = []
    for rule in table_rules(spec):
        if rule.kind in ("present", "known_columns"):
            results.append(column_result(rule, spec, list(frame.columns)))
            continue
        if rule.item not in present:
            results.append(RuleResult(rule=rule, status="skipped"))
            continue
        rows = failed.get(rule.id, np.empty(0, dtype=np.int64))
        results.append(RuleResult(
            rule=rule, status="failed" if len(rows) else "passed", n_failed=len(rows),
            share=len(rows) / n_rows if n_rows else 0.0, failed_rows=rows,
            samples=_samples(frame, rows[:n_samples], spec, present) if len(rows) and n_samples
            else pd.DataFrame()))
    return ValidationReport(table=spec.name, standard_version=STANDARD_VERSION, n_rows=n_rows,
                            results=tuple(results))


def column_result(rule: Rule, spec: TableSpec, columns: list[str]) -> RuleResult:
    if rule.kind == "present":
        offending = [item.name for item in spec.items if item.required and item.name not in
                     columns]
        total = sum(item.required for item in spec.items)
    else:
        offending = [name for name in columns if name not in spec.names]
        total = len(columns)
    return RuleResult(rule=rule, status="failed" if offending else "passed",
                      n_failed=len(offending), share=len(offending) / total if total else 0.0,
                      columns=tuple(offending))


def _schema_failures(spec: TableSpec, parsed: pd.DataFrame,
                     bad_type: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    pa = pandera_module()
    schema, numbering = pandera_schema(spec)
    try:
        with quiet_pyspark():
            schema.validate(parsed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return {}
    cases = cases[cases["index"].notna()]
    out: dict[str, list[Any]] = {}
    for (context, column, check, number), group in cases.groupby(
            ["schema_context", "column", "check", "check_number"], dropna=False, sort=False):
        rows = group["index"].astype("int64").to_numpy()
        if context == "DataFrameSchema":  # the one cross-item rule
            rule = "behaviour.product_id.product_event"
        elif check == "not_nullable":
            rule = f"{spec.name}.{column}.required"
            rows = np.setdiff1d(rows, bad_type.get(str(column), []))  # counted as type already
        elif check == "field_uniqueness":
            rule = f"{spec.name}.{column}.unique"
        else:
            rule = numbering[(str(column), int(number))]
        out.setdefault(rule, []).append(rows)
    return {rule: np.unique(np.concatenate(parts)).astype(np.int64)
            for rule, parts in out.items()}


def _samples(frame: pd.DataFrame, rows: np.ndarray, spec: TableSpec,
             present: list[str]) -> pd.DataFrame:
    """The failing rows' standard columns, direct identifiers masked, and their position."""
    out = frame.iloc[rows][present].reset_index(drop=True)
    for name in present:
        item = spec.item(name)
        if item.pii is PiiClass.DIRECT_IDENTIFIER:
            out[name] = mask(out[name].astype(object), item.pii_kind)
    out.insert(0, "row", rows)
    return out
