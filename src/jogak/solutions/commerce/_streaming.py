"""Validating big files batch by batch in bounded memory, each rule evaluated once per value.

The same rules as :func:`validate_table` (same parsing, same checks, same report), computed
differently for speed (``_column_checks``): columns whose values repeat are checked on their
distinct values, the others row by row with Arrow kernels and numpy, and uniqueness across
batches keeps one 64-bit hash per distinct key seen (``_unique_keys``). A batch is checked in
two steps: :meth:`StreamValidator.assess` depends on nothing but the batch (so batches can be
assessed on several threads at once), :meth:`StreamValidator.add` takes the assessments in
order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jogak.data.privacy import PiiClass, mask
from jogak.errors import ConfigError, DataLoadError
from jogak.solutions.commerce._batches import arrow_batches, prefetched
from jogak.solutions.commerce._column_checks import (
    SAMPLE,
    ColumnVerdicts,
    column_verdicts,
    few_distinct,
)
from jogak.solutions.commerce._mapping import ColumnMapping, load_mapping
from jogak.solutions.commerce._parsing import scalar_text
from jogak.solutions.commerce._schemas import Rule, table_rules
from jogak.solutions.commerce._standard import (
    PRODUCT_EVENTS,
    STANDARD_VERSION,
    TableSpec,
    get_table,
)
from jogak.solutions.commerce._unique_keys import SeenKeys
from jogak.solutions.commerce._validation import (
    RuleResult,
    ValidationReport,
    column_result,
)

__all__ = ["BatchAssessment", "StreamValidator", "validate_file"]

_PRODUCT_EVENTS = pa.array(PRODUCT_EVENTS)


@dataclass(frozen=True, eq=False)
class BatchAssessment:
    """One batch checked on its own (:meth:`StreamValidator.assess`), waiting to be added."""

    table: pa.Table
    present: list[str]
    columns: dict[str, ColumnVerdicts]
    product_event: np.ndarray | None


class StreamValidator:
    """Validate a standard table that arrives in batches (pandas or Arrow).

    Parameters
    ----------
    table : {"buyer", "behaviour", "product"}
    n_samples : int, default 5
        Failing rows kept per rule (direct identifiers masked).

    Examples
    --------
    >>> validator = StreamValidator("product")
    >>> validator.update(pd.DataFrame({"product_id": ["a", "b"], "price": [1.0, 2.0]}))
    >>> validator.update(pd.DataFrame({"product_id": ["a"], "price": [-1.0]}))
    >>> [(r.rule.id, r.failed_rows.tolist()) for r in validator.report().failures]
    [('product.product_id.unique', [2]), ('product.price.range', [2])]
    """

    def __init__(self, table: str, *, n_samples: int = 5) -> None:
        if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 0:
            raise ConfigError(f"n_samples must be a non-negative integer, got {n_samples!r}.")
        self.spec: TableSpec = get_table(table)
        self.n_samples = n_samples
        self.n_rows = 0
        self._rules = table_rules(self.spec)
        self._columns: list[str] | None = None
        self._rows: dict[str, list[np.ndarray]] = {rule.id: [] for rule in self._rules}
        self._samples: dict[str, list[pd.DataFrame]] = {rule.id: [] for rule in self._rules}
        self._n_sampled: dict[str, int] = dict.fromkeys(self._rows, 0)
        self._seen = {item.name: SeenKeys() for item in self.spec.items if item.unique}
        # per column: check distinct values or rows, decided once on a batch big enough
        self._encode: dict[str, bool] = {}

    def update(self, batch: pd.DataFrame | pa.Table | pa.RecordBatch) -> None:
        """Check one batch; its rows follow those of the earlier batches."""
        self.add(self.assess(batch))

    def assess(self, batch: pd.DataFrame | pa.Table | pa.RecordBatch) -> BatchAssessment:
        """Check one batch on its own: every rule but uniqueness across batches.

        Keeps no state, so several batches can be assessed at once on threads (Arrow and
        numpy release the GIL); hand the results to :meth:`add` in the order of the rows.
        """
        table = batch if isinstance(batch, pa.Table) else (
            pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch)
            else _to_arrow(batch))
        names = [str(c) for c in table.column_names]
        present = [name for name in self.spec.names if name in names]
        columns = {name: column_verdicts(table.column(name), self.spec.item(name),
                                         self._rules_of(name), encode=self._encoding(table, name))
                   for name in present}
        product_event = None
        if self.spec.name == "behaviour" and {"event_type", "product_id"} <= set(present):
            product_event = np.flatnonzero(_is_product_event(table.column("event_type")) &
                                           columns["product_id"].missing)
        return BatchAssessment(table=table, present=present, columns=columns,
                               product_event=product_event)

    def add(self, assessed: BatchAssessment) -> None:
        """Take an assessed batch into the report; batches must come in the order of the rows."""
        table, present = assessed.table, assessed.present
        names = [str(c) for c in table.column_names]
        if self._columns is None:
            self._columns = names
        elif names != self._columns:
            raise DataLoadError(f"Batch {self.n_rows:,} rows in has the columns {names}, the "
                                f"first batch {self._columns}; every batch needs the same.")
        for name in present:
            verdicts = assessed.columns[name]
            for rule_id, rows in verdicts.failed.items():
                self._record(rule_id, rows, table, present)
            if verdicts.keys is not None:
                self._record(f"{self.spec.name}.{name}.unique",
                             self._seen[name].duplicates(verdicts.keys), table, present)
        if assessed.product_event is not None:
            self._record("behaviour.product_id.product_event", assessed.product_event, table,
                         present)
        self.n_rows += table.num_rows

    def _encoding(self, table: pa.Table, name: str) -> bool:
        # threads may decide at once: either decision gives the same verdicts
        if name not in self._encode:
            encode = few_distinct(table.column(name))
            if table.num_rows <= SAMPLE:
                return encode
            self._encode[name] = encode
        return self._encode[name]

    def _rules_of(self, name: str) -> list[Rule]:
        return [rule for rule in self._rules if rule.item == name and
                rule.kind != "product_event"]

    def _record(self, rule_id: str, rows: np.ndarray, table: pa.Table,
                present: list[str]) -> None:
        if not len(rows):
            return
        self._rows[rule_id].append(rows.astype(np.int64) + self.n_rows)
        need = self.n_samples - self._n_sampled[rule_id]
        if need > 0:
            picked = rows[:need]
            sample = table.select(present).take(pa.array(picked)).to_pandas()
            for name in present:
                item = self.spec.item(name)
                if item.pii is PiiClass.DIRECT_IDENTIFIER:
                    sample[name] = mask(sample[name].astype(object), item.pii_kind)
            sample.insert(0, "row", picked + self.n_rows)
            self._samples[rule_id].append(sample)
            self._n_sampled[rule_id] += len(picked)

    def report(self) -> ValidationReport:
        """The report over every row seen so far."""
        columns = self._columns or []
        results = []
        for rule in self._rules:
            if rule.kind in ("present", "known_columns"):
                results.append(column_result(rule, self.spec, columns))
                continue
            if rule.item not in columns:
                results.append(RuleResult(rule=rule, status="skipped"))
                continue
            parts = self._rows[rule.id]
            rows = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
            samples = pd.concat(self._samples[rule.id], ignore_index=True) if \
                self._samples[rule.id] else pd.DataFrame()
            results.append(RuleResult(
                rule=rule, status="failed" if len(rows) else "passed", n_failed=len(rows),
                share=len(rows) / self.n_rows if self.n_rows else 0.0, failed_rows=rows,
                samples=samples))
        return ValidationReport(table=self.spec.name, standard_version=STANDARD_VERSION,
                                n_rows=self.n_rows, results=tuple(results))


def _is_product_event(event: pa.ChunkedArray) -> np.ndarray:
    if pa.types.is_string(event.type) or pa.types.is_large_string(event.type):
        return pc.is_in(event, value_set=_PRODUCT_EVENTS).to_numpy().astype(bool)
    return event.to_pandas().astype(object).isin(PRODUCT_EVENTS).to_numpy()


def _to_arrow(frame: pd.DataFrame) -> pa.Table:
    """A pandas batch as Arrow; columns of mixed types go as text (parsed like the rest)."""
    arrays = {}
    for name in frame.columns:
        values = frame[name]
        try:
            arrays[str(name)] = pa.array(values, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arrays[str(name)] = pa.array(values.astype(object).map(scalar_text), type=pa.string())
    return pa.table(arrays)


def validate_file(source: str | Path, table: str, *,
                  mapping: str | Path | ColumnMapping | None = None,
                  batch_size: int = 250_000, n_samples: int = 5) -> ValidationReport:
    """Validate a file of any size against the standard, streaming, in bounded memory.

    CSV/TSV (``.gz`` too) stream through Arrow's CSV reader with every column read as text,
    Parquet row group by row group, other sources through :func:`jogak.data.iter_batches`.
    Memory holds one batch plus 8 bytes per distinct value of each unique item (the event
    ids). The report is the one :func:`validate_table` gives on the whole table.

    Parameters
    ----------
    source : str or Path
        A data file or ``duckdb:SELECT ...``.
    table : {"buyer", "behaviour", "product"}
    mapping : str, Path or ColumnMapping, optional
        A mapping file or object, applied to every batch (built-in adapters join several
        tables and need :func:`validate_source`).
    batch_size : int, default 250_000
    n_samples : int, default 5

    Raises
    ------
    ConfigError
        Bad ``batch_size`` or ``n_samples``, unknown table, a bad mapping.
    DataLoadError, SchemaError
        Unreadable source; the mapping names absent columns.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"batch_size must be a positive integer, got {batch_size!r}.")
    validator = StreamValidator(table, n_samples=n_samples)
    if isinstance(mapping, str) and mapping in ("olist", "cdnow"):
        raise ConfigError(f"The {mapping} adapter joins whole tables; use validate_source "
                          "(jogak commerce validate without --batch-size) for it.")
    rules = mapping if isinstance(mapping, ColumnMapping) or mapping is None else \
        load_mapping(mapping)
    if rules is not None:
        rules.check_items(validator.spec)
    for batch in _batches(source, batch_size, rules, validator.spec):
        validator.update(batch)
    return validator.report()


def _batches(source: str | Path, batch_size: int, mapping: ColumnMapping | None,
             spec: TableSpec) -> Iterable[pa.Table | pd.DataFrame]:
    for batch in prefetched(arrow_batches(source, batch_size)):
        if mapping is None:
            yield batch
        else:
            yield mapping.apply(batch.to_pandas(), spec)
