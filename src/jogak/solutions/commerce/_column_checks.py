"""The rules of one item on one Arrow column, with the verdicts of the pandas path.

Few distinct values (codes, categories, prices): the rules run on the dictionary of the column
and are mapped back to the rows; many (ids, time stamps): on the rows directly, because
hashing them into a dictionary costs more than the checks it saves. Nothing here keeps state,
so batches can be checked on several threads at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from jogak.solutions.commerce._arrow_parsing import read_numbers, read_stamps, text_bytes
from jogak.solutions.commerce._parsing import BLANK, parse_column
from jogak.solutions.commerce._schemas import Rule
from jogak.solutions.commerce._standard import Item
from jogak.solutions.commerce._unique_keys import BatchKeys, batch_keys

__all__ = ["SAMPLE", "ColumnVerdicts", "column_verdicts", "few_distinct"]

_BLANK_VALUES = pa.array(sorted(BLANK))
_LONGEST_BLANK = max(len(value.encode()) for value in BLANK)
#: Rows :func:`few_distinct` looks at.
SAMPLE = 20_000
_READABLE = ("integer", "decimal", "date", "datetime")
_READ_RULES = ("type", "required", "unique", "range")
# bytes a value may start and end with and still be blank after trimming: anything but ASCII
# letters and digits (whitespace, punctuation, the start of a multi-byte character)
_EDGE = np.ones(256, dtype=bool)
for _first, _last in ((48, 57), (65, 90), (97, 122)):
    _EDGE[_first:_last + 1] = False


@dataclass(frozen=True)
class ColumnVerdicts:
    """Failing rows per rule of one column (``unique`` as the batch's keys), missing rows."""

    failed: dict[str, np.ndarray]
    missing: np.ndarray
    keys: BatchKeys | None = None


def column_verdicts(column: pa.ChunkedArray | pa.Array, item: Item, rules: list[Rule], *,
                    encode: bool | None = None) -> ColumnVerdicts:
    """The verdicts of ``rules`` (an item's rules) on the rows of ``column``.

    ``encode``: check the distinct values (True) or every row (False); by default
    :func:`few_distinct` decides. The verdicts are the same either way.
    """
    array = column if isinstance(column, pa.Array) else (
        column.combine_chunks() if column.num_chunks != 1 else column.chunk(0))
    is_text = pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
    codes: np.ndarray | None = None
    values: pa.Array = array
    null_rows = array.is_null().to_numpy(zero_copy_only=False)
    if few_distinct(array) if encode is None else encode:
        encoded = pc.dictionary_encode(array)
        indices = encoded.indices if not encoded.indices.null_count else \
            encoded.indices.fill_null(0)
        codes = indices.to_numpy(zero_copy_only=False)
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

    def rows_where(per_value: np.ndarray) -> np.ndarray:
        # the non-null rows whose value is flagged; values rarely are, which skips the mapping
        if codes is None:
            return per_value & ~null_rows
        if not per_value.any():
            return np.zeros(len(codes), dtype=bool)
        return per_value[codes] & ~null_rows

    value_missing = ~present & ~bad
    row_bad = rows_where(bad)
    row_missing = null_rows | rows_where(value_missing)
    failed: dict[str, np.ndarray] = {}
    keys = None
    for rule in rules:
        if rule.kind == "type":
            failed[rule.id] = np.flatnonzero(row_bad)
        elif rule.kind == "required":
            failed[rule.id] = np.flatnonzero(row_missing)
        elif rule.kind == "unique":
            keys = batch_keys(values, ~row_missing & ~row_bad, codes)
        elif rule.id in checks:
            failed[rule.id] = np.flatnonzero(rows_where(~value_missing & ~bad &
                                                        ~checks[rule.id]))
    return ColumnVerdicts(failed=failed, missing=row_missing, keys=keys)


def few_distinct(array: pa.Array | pa.ChunkedArray, sample: int = SAMPLE) -> bool:
    """True when a column is worth dictionary-encoding: under 1 in 4 of its first values differ."""
    if len(array) <= sample:
        return True
    probe = array.slice(0, sample)
    return len(pc.unique(probe)) < sample // 4


def _blank(values: pa.Array) -> np.ndarray:
    """Which text values are blank or null-like once trimmed (nulls count as blank).

    Only values that are short or start or end with something other than an ASCII letter or
    digit can be; the trimming and the look-up run on those alone.
    """
    data, offsets = text_bytes(values)
    lengths = np.diff(offsets)
    blank = values.is_null().to_numpy(zero_copy_only=False).copy()
    maybe = lengths <= _LONGEST_BLANK
    long = np.flatnonzero(~maybe & ~blank)
    maybe[long] = _EDGE[data[offsets[long]]] | _EDGE[data[offsets[long + 1] - 1]]
    maybe &= ~blank
    if maybe.any():
        where = np.flatnonzero(maybe)
        subset = values.take(pa.array(where))
        blank[where] = pc.is_in(pc.utf8_trim_whitespace(subset), value_set=_BLANK_VALUES
                                ).fill_null(True).to_numpy(zero_copy_only=False)
    return blank


def _text_checks(values: pa.Array, item: Item, rules: list[Rule]
                 ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Present, bad-type (never, for text) and rule verdicts of text values, Arrow kernels."""
    present = ~_blank(values)
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
