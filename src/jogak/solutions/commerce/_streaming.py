"""Validating big files batch by batch in bounded memory, each rule evaluated once per value.

The same rules as :func:`validate_table` (same parsing, same checks, same report), computed
differently for speed: each column of an Arrow batch is dictionary-encoded, parsing and the
value rules run on its distinct values only, and the verdicts are mapped back to the rows.
Uniqueness across batches keeps one 64-bit hash per distinct key seen: 8 bytes a key, and a
false duplicate needs a hash collision (about n**2 / 2**65: 3e-6 for ten million keys).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jogak.data.privacy import PiiClass, mask
from jogak.errors import ConfigError, DataLoadError
from jogak.solutions.commerce._arrow_parsing import read_numbers, read_stamps
from jogak.solutions.commerce._batches import arrow_batches, prefetched
from jogak.solutions.commerce._mapping import ColumnMapping, load_mapping
from jogak.solutions.commerce._parsing import BLANK, parse_column, scalar_text
from jogak.solutions.commerce._schemas import Rule, table_rules
from jogak.solutions.commerce._standard import (
    PRODUCT_EVENTS,
    STANDARD_VERSION,
    Item,
    TableSpec,
    get_table,
)
from jogak.solutions.commerce._validation import (
    RuleResult,
    ValidationReport,
    column_result,
)

__all__ = ["StreamValidator", "few_distinct", "validate_file"]

_BLANK_VALUES = pa.array(sorted(BLANK))
_PRODUCT_EVENTS = pa.array(PRODUCT_EVENTS)
_READABLE = ("integer", "decimal", "date", "datetime")
_READ_RULES = ("type", "required", "unique", "range")


class _SeenKeys:
    """Hashes of the keys seen so far, as sorted runs merged like a binary counter (LSM)."""

    def __init__(self) -> None:
        self._runs: list[np.ndarray] = []
        self._connection: duckdb.DuckDBPyConnection | None = None

    def hash(self, values: pa.Array) -> np.ndarray:
        """64-bit hashes of the values' text (DuckDB's hash: vectorised, ~25x pandas')."""
        if self._connection is None:
            self._connection = duckdb.connect()
        text = values if pa.types.is_string(values.type) else pc.cast(values, pa.string())
        keys = pa.table({"v": text})  # noqa: F841 - read by the query below
        return self._connection.sql("SELECT hash(v) AS h FROM keys").fetchnumpy()["h"]

    def found(self, ordered: np.ndarray) -> np.ndarray:
        """The values of the sorted ``ordered`` seen before (searching sorted keys walks each
        run once, where unsorted ones jump around it: ten times faster past a million keys)."""
        parts = []
        for run in self._runs:
            at = np.minimum(np.searchsorted(run, ordered), len(run) - 1)
            parts.append(ordered[run[at] == ordered])
        return np.concatenate(parts) if parts else ordered[:0]

    def add(self, ordered: np.ndarray) -> None:
        """Remember the sorted, distinct values ``ordered``."""
        run = ordered
        while self._runs and len(self._runs[-1]) <= len(run):
            run = _sorted_unique(np.concatenate([self._runs.pop(), run]))
        self._runs.append(run)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    # np.unique hashes 64-bit keys, several times slower than a sort here
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


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
        self._seen = {item.name: _SeenKeys() for item in self.spec.items if item.unique}

    def update(self, batch: pd.DataFrame | pa.Table | pa.RecordBatch) -> None:
        """Check one batch; its rows follow those of the earlier batches."""
        table = batch if isinstance(batch, pa.Table) else (
            pa.Table.from_batches([batch]) if isinstance(batch, pa.RecordBatch)
            else _to_arrow(batch))
        names = [str(c) for c in table.column_names]
        if self._columns is None:
            self._columns = names
        elif names != self._columns:
            raise DataLoadError(f"Batch {self.n_rows:,} rows in has the columns {names}, the "
                                f"first batch {self._columns}; every batch needs the same.")
        present = [name for name in self.spec.names if name in names]
        missing: dict[str, np.ndarray] = {}
        for name in present:
            item = self.spec.item(name)
            verdicts, is_missing = _column_verdicts(table.column(name), item,
                                                    self._rules_of(name), self._seen.get(name))
            missing[name] = is_missing
            for rule_id, rows in verdicts.items():
                self._record(rule_id, rows, table, present)
        if self.spec.name == "behaviour" and {"event_type", "product_id"} <= set(present):
            rows = np.flatnonzero(_is_product_event(table.column("event_type")) &
                                  missing["product_id"])
            self._record("behaviour.product_id.product_event", rows, table, present)
        self.n_rows += table.num_rows

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


def _column_verdicts(column: pa.ChunkedArray, item: Item, rules: list[Rule],
                     seen: _SeenKeys | None) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Failing row positions per rule of one item, and the rows where the value is missing.

    Few distinct values (codes, categories, prices): the rules run on the dictionary of the
    column and are mapped back to the rows; many (ids, timestamps): on the rows directly,
    because hashing them into a dictionary costs more than the checks it saves.
    """
    array = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    is_text = pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
    codes: np.ndarray | None = None
    values: pa.Array = array
    null_rows = array.is_null().to_numpy(zero_copy_only=False)
    if few_distinct(array):
        encoded = pc.dictionary_encode(array)
        codes = encoded.indices.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
        values = encoded.dictionary
    if item.type in ("string", "category") and is_text:
        present, bad, checks = _text_checks(values, item, rules)
    elif is_text and item.type in _READABLE and all(rule.kind in _READ_RULES for rule in rules):
        present, bad, checks = _read_checks(values, item, rules)
    else:
        parsed, bad_series = parse_column(pd.Series(values.to_pandas()), item)
        bad = bad_series.to_numpy()
        present = parsed.notna().to_numpy()
        checks = {rule.id: _value_check(parsed, item, rule).to_numpy() for rule in rules
                  if rule.kind in ("pattern", "allowed", "range")}

    def rows_of(per_value: np.ndarray) -> np.ndarray:
        if codes is None:
            return per_value
        return per_value[codes] if len(per_value) else np.zeros(len(codes), dtype=bool)

    row_bad = ~null_rows & rows_of(bad)
    row_missing = null_rows | (~rows_of(present) & ~row_bad)
    out: dict[str, np.ndarray] = {}
    for rule in rules:
        if rule.kind == "type":
            out[rule.id] = np.flatnonzero(row_bad)
        elif rule.kind == "required":
            out[rule.id] = np.flatnonzero(row_missing)
        elif rule.kind == "unique" and seen is not None:
            hashes = seen.hash(values)
            out[rule.id] = _duplicates(rows_of(hashes) if codes is not None else hashes,
                                       ~row_missing & ~row_bad, seen)
        elif rule.id in checks:
            out[rule.id] = np.flatnonzero(~row_missing & ~row_bad & ~rows_of(checks[rule.id]))
    return out, row_missing


def few_distinct(array: pa.Array | pa.ChunkedArray, sample: int = 20_000) -> bool:
    """True when a column is worth dictionary-encoding: under 1 in 4 of its first values differ."""
    if len(array) <= sample:
        return True
    probe = array.slice(0, sample)
    return len(pc.unique(probe)) < sample // 4


def _text_checks(values: pa.Array, item: Item, rules: list[Rule]
                 ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Present, bad-type (never, for text) and rule verdicts of text values, Arrow kernels."""
    blank = pc.is_in(pc.utf8_trim_whitespace(values), value_set=_BLANK_VALUES)
    present = ~blank.fill_null(True).to_numpy(zero_copy_only=False)
    checks: dict[str, np.ndarray] = {}
    for rule in rules:
        if rule.kind == "pattern":
            checks[rule.id] = pc.match_substring_regex(values, item.pattern).fill_null(
                False).to_numpy(zero_copy_only=False)
        elif rule.kind == "allowed":
            checks[rule.id] = pc.is_in(values, value_set=pa.array(item.allowed)).to_numpy(
                zero_copy_only=False)
    return present, np.zeros(len(values), dtype=bool), checks


def _read_checks(values: pa.Array, item: Item, rules: list[Rule]
                 ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """As the pandas path, with the common layouts read straight from Arrow (``_arrow_parsing``).

    The values those readers leave (other layouts, blanks, faults) take the pandas path.
    """
    if item.type in ("integer", "decimal"):
        read, numbers = read_numbers(values)
        bad = read & (numbers != np.floor(numbers)) if item.type == "integer" else \
            np.zeros(len(values), dtype=bool)
        low, high = item.minimum, item.maximum
    else:
        read, numbers = read_stamps(values, with_time=item.type == "datetime")
        bad = np.zeros(len(values), dtype=bool)
        low, high = (None if bound is None else _epoch_seconds(bound)
                     for bound in (item.minimum, item.maximum))
    present = read & ~bad
    in_range = present.copy()
    if low is not None:
        in_range &= numbers >= low
    if high is not None:
        in_range &= numbers <= high
    rest = np.flatnonzero(~read)
    range_rules = [rule for rule in rules if rule.kind == "range"]
    if len(rest):
        parsed, rest_bad = parse_column(pd.Series(values.take(pa.array(rest)).to_pandas()), item)
        bad[rest] = rest_bad.to_numpy()
        present[rest] = parsed.notna().to_numpy()
        for rule in range_rules:
            in_range[rest] = _value_check(parsed, item, rule).to_numpy()
    return present, bad, {rule.id: in_range for rule in range_rules}


def _epoch_seconds(bound: float | str) -> int:
    return int((pd.Timestamp(bound) - pd.Timestamp(0)) // pd.Timedelta(seconds=1))


def _value_check(parsed: pd.Series, item: Item, rule: Rule) -> pd.Series:
    """What pandera's check of the rule says about each (present) value."""
    if rule.kind == "pattern":
        return parsed.astype("string").str.match(item.pattern or "").fillna(False).astype(bool)
    if rule.kind == "allowed":
        return parsed.isin(item.allowed)
    low, high = item.minimum, item.maximum
    if item.type in ("date", "datetime"):
        low = pd.Timestamp(low) if low is not None else None
        high = pd.Timestamp(high) if high is not None else None
    ok = pd.Series(True, index=parsed.index)
    if low is not None:
        ok &= (parsed >= low).fillna(False).astype(bool)
    if high is not None:
        ok &= (parsed <= high).fillna(False).astype(bool)
    return ok


def _duplicates(hashes: np.ndarray, valid_rows: np.ndarray, seen: _SeenKeys) -> np.ndarray:
    """Rows whose key appeared in an earlier row (of this batch or an earlier one).

    One sort of the batch's keys finds the few keys that repeat or were seen before; only the
    rows holding those are then put in row order.
    """
    rows = np.flatnonzero(valid_rows)
    if not len(rows):
        return rows
    keys = hashes[rows]
    ordered = np.sort(keys)
    repeats = ordered[1:] == ordered[:-1]
    earlier = seen.found(ordered)
    distinct = ordered[np.concatenate([[True], ~repeats])]
    seen.add(distinct)
    suspects = np.unique(np.concatenate([ordered[1:][repeats], earlier]))
    if not len(suspects):
        return rows[:0]
    at = np.minimum(np.searchsorted(suspects, keys), len(suspects) - 1)
    held = np.flatnonzero(suspects[at] == keys)  # positions in rows, in row order
    held_keys = keys[held]
    _, first = np.unique(held_keys, return_index=True)  # first occurrence in the batch
    later = np.ones(len(held), dtype=bool)
    later[first] = False
    later |= np.isin(held_keys, earlier)
    return rows[held[later]]


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
