"""A lean reader for big delimited text: Arrow record batches written straight into columns.

pandas' C parser holds the raw text and every token of a file at once (a peak of about 3.6x the
frame it returns, measured on a 1M x 30 file); DuckDB's result conversion peaks at about 2.8x, and
collecting Arrow batches into a table before converting it to pandas at about 1.8x (the table and
the frame coexist, and Arrow's allocator keeps what it frees). Here the column types are inferred
from the first 4 MiB block (as Arrow would), then the file is streamed in small blocks and each
batch's numbers are copied into one growing numpy array per column as the batch arrives, so only
the frame and a few blocks are ever held: about 1.2x the frame. Text and other columns keep
their Arrow chunks, converted one column at a time at the end. The result is meant to equal
``pandas.read_csv``'s; where Arrow cannot promise that (a type guessed from the first block that a
later block breaks, a ragged row), this module raises :class:`LeanReadUnsupported` and the caller
falls back to pandas.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from jogak.data._sources import Source

__all__ = ["LeanReadUnsupported", "read_csv_lean", "table_to_frame"]

# Types are inferred from a first block of this size, as Arrow's reader would with it.
_BLOCK_BYTES = 4 << 20
# Arrow reads ahead dozens of blocks: small blocks keep that buffer small (about 20 MiB).
_MIN_STREAM_BLOCK = 512 << 10
_ROWS_PER_BLOCK = 2048
_TRUE = ["True", "TRUE", "true"]
_FALSE = ["False", "FALSE", "false"]


class LeanReadUnsupported(Exception):
    """Arrow cannot read this file the way pandas would; read it with pandas instead."""


def table_to_frame(table: pa.Table) -> pd.DataFrame:
    """Convert ``table`` to pandas, releasing each column's Arrow memory as it goes."""
    return table.to_pandas(self_destruct=True, split_blocks=True)


def _options(sep: str, encoding: str, na_values: Sequence[str], columns: list[str] | None,
             column_types: dict[str, pa.DataType], block_size: int) -> dict[str, object]:
    arrow_encoding = "utf8" if encoding in {"utf-8", "utf-8-sig"} else encoding
    return {
        "read_options": pa_csv.ReadOptions(block_size=block_size, encoding=arrow_encoding),
        "parse_options": pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True),
        "convert_options": pa_csv.ConvertOptions(
            null_values=list(na_values), strings_can_be_null=True, quoted_strings_can_be_null=True,
            true_values=_TRUE, false_values=_FALSE, include_columns=columns,
            column_types=column_types, timestamp_parsers=[]),
    }


def read_csv_lean(src: Source, *, sep: str, encoding: str, na_values: Sequence[str],
                  string_columns: Sequence[str], columns: list[str] | None,
                  nrows: int | None) -> pd.DataFrame:
    """Read ``src`` as delimited text through Arrow, with pandas' value semantics.

    Dates stay text (as with pandas), ``string_columns`` (digit codes with leading zeros) stay
    text, integers with missing values become floats and True/False text becomes booleans.

    Raises
    ------
    LeanReadUnsupported
        When Arrow's reading could differ from pandas' or fails (the caller reads with pandas).
    """
    column_types: dict[str, pa.DataType] = {name: pa.string() for name in string_columns}
    try:
        schema, bytes_per_row = _first_block_schema(src, sep, encoding, na_values, columns,
                                                    column_types)
        # Arrow guesses dates and times; pandas leaves them as text: read those as text.
        column_types = {field.name: pa.string() if pa.types.is_temporal(field.type)
                        else field.type for field in schema}
        block_size = max(_MIN_STREAM_BLOCK, min(_BLOCK_BYTES, bytes_per_row * _ROWS_PER_BLOCK))
        with _open(src) as stream:
            reader = pa_csv.open_csv(stream, **_options(sep, encoding, na_values, columns,
                                                         column_types, block_size))
            return _collect(reader, nrows, _expected_rows(src, bytes_per_row))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError) as exc:
        raise LeanReadUnsupported(str(exc)) from exc


def _first_block_schema(src: Source, sep: str, encoding: str, na_values: Sequence[str],
                        columns: list[str] | None,
                        column_types: dict[str, pa.DataType]) -> tuple[pa.Schema, int]:
    """The schema Arrow infers from the first block, and the text bytes per row there.

    Only twice a block is read: opening a reader on the whole file would read ahead dozens of
    blocks. Rows cut at the end of that head are never parsed (the first block ends before).
    """
    with _open(src) as stream:
        head = stream.read(2 * _BLOCK_BYTES)
    reader = pa_csv.open_csv(pa.BufferReader(head), **_options(
        sep, encoding, na_values, columns, column_types, _BLOCK_BYTES))
    schema = reader.schema
    if len(set(schema.names)) < len(schema.names):
        raise LeanReadUnsupported("duplicate column names (pandas renames them)")
    try:
        n_rows = max(1, reader.read_next_batch().num_rows)
    except StopIteration:
        n_rows = 1
    used = min(len(head), _BLOCK_BYTES)
    return schema, max(1, used // n_rows)


def _expected_rows(src: Source, bytes_per_row: int) -> int:
    size = src.size_on_disk * (4 if src.compression else 1)
    return int(size / bytes_per_row * 1.05) + 1024


@contextmanager
def _open(src: Source) -> Iterator[Any]:
    # Arrow's own file readers buffer far less than a Python file object handed to it
    if src.path is not None and src.compression in (None, "gzip"):
        with pa.input_stream(str(src.path), compression=src.compression) as stream:
            yield stream
    else:
        with src.open_binary() as fh:
            yield fh


class _NumberColumn:
    """One int64 or float64 column filled batch by batch; ints become floats at the first gap
    (pandas' type for integers with missing values)."""

    def __init__(self, is_integer: bool, capacity: int) -> None:
        self.values = np.empty(capacity, dtype=np.int64 if is_integer else np.float64)
        self.n_rows = 0

    def append(self, array: pa.Array) -> None:
        start, stop = self.n_rows, self.n_rows + len(array)
        if stop > len(self.values):
            grown = np.empty(max(stop, int(len(self.values) * 1.5)), dtype=self.values.dtype)
            grown[:start] = self.values[:start]
            self.values = grown
        if self.values.dtype == np.int64 and array.null_count:
            self.values = self.values.astype(np.float64)
        self.values[start:stop] = array.to_numpy(zero_copy_only=False)
        self.n_rows = stop

    def finish(self) -> np.ndarray:
        return self.values[: self.n_rows]


def _collect(reader: pa_csv.CSVStreamingReader, nrows: int | None,
             expected_rows: int) -> pd.DataFrame:
    schema = reader.schema
    capacity = expected_rows if nrows is None else min(expected_rows, nrows)
    numbers = {i: _NumberColumn(pa.types.is_int64(field.type), capacity)
               for i, field in enumerate(schema)
               if pa.types.is_int64(field.type) or pa.types.is_float64(field.type)}
    chunks: dict[int, list[pa.Array]] = {i: [] for i in range(len(schema)) if i not in numbers}
    n_read = 0
    for batch in reader:
        kept = batch if nrows is None else batch.slice(0, nrows - n_read)
        for i, column in numbers.items():
            column.append(kept.column(i))
        for i, parts in chunks.items():
            parts.append(kept.column(i))
        n_read += kept.num_rows
        if nrows is not None and n_read >= nrows:
            break
    data: dict[str, Any] = {}
    for i, field in enumerate(schema):
        if i in numbers:
            data[field.name] = numbers.pop(i).finish()
        else:
            data[field.name] = _other_column(field, chunks.pop(i))
    # Arrow's allocator keeps freed blocks for reuse; the work that follows is numpy's
    pa.default_memory_pool().release_unused()
    return pd.DataFrame(data, index=pd.RangeIndex(n_read), copy=False)


def _other_column(field: pa.Field, parts: list[pa.Array]) -> pd.Series:
    column = pa.chunked_array(parts, type=field.type)
    del parts[:]
    if pa.types.is_string(field.type):
        # one contiguous array, in the type pandas' string dtype keeps (a few large chunks
        # instead of thousands of small ones keep later pandas operations fast)
        column = pa.chunked_array([column.cast(pa.large_string()).combine_chunks()])
    return table_to_frame(pa.table({field.name: column}))[field.name]
