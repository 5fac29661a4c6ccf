"""Pseudonymising a file into another, batch by batch, in bounded memory."""

from __future__ import annotations

import contextlib
import csv
import io
import os
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from jogak.data._encoding import read_text_sample, sniff_delimiter
from jogak.data._sources import Source, resolve_source
from jogak.data._stream import iter_batches
from jogak.data.privacy._key import PseudonymKey
from jogak.data.privacy._pseudonymizer import Pseudonymizer
from jogak.data.privacy._record import ProcessingRecord
from jogak.data.privacy._rules import ColumnRule
from jogak.errors import ConfigError, DataLoadError

__all__ = ["pseudonymize_file"]

_SCAN_ROWS = 10_000
_WRITABLE = (".csv", ".csv.gz", ".tsv", ".tsv.gz", ".parquet", ".jsonl", ".ndjson")


def pseudonymize_file(source: str | Path, destination: str | Path,
                      key: PseudonymKey | None = None, *,
                      rules: Sequence[ColumnRule] | None = None,
                      columns: Sequence[str] | None = None, names: Sequence[str] = (),
                      batch_size: int = 250_000, when: datetime | None = None,
                      purpose: str | None = None, processor: str | None = None,
                      progress: Callable[[int], None] | None = None) -> ProcessingRecord:
    """Pseudonymise a table file into ``destination``, streaming, and return the record.

    CSV/TSV (optionally ``.gz``) are read with Arrow's streaming CSV reader, every column as
    text, so columns that are not processed are written back exactly as they were; Parquet is
    read row group by row group; other sources (JSON lines, Excel, ``duckdb:`` queries) go
    through :func:`jogak.data.iter_batches`. Memory stays at about one batch. Without
    ``rules`` the plan comes from a scan of the first 10,000 rows (:func:`scan_pii`) and holds
    for every batch. The output is written to ``destination + ".partial"`` and renamed when
    complete: on any error nothing is left at either path.

    Parameters
    ----------
    source : str or Path
        As for :func:`jogak.data.load`.
    destination : str or Path
        ``.csv``, ``.csv.gz``, ``.tsv``, ``.tsv.gz``, ``.parquet`` or ``.jsonl``.
    key, rules, columns, names
        As for :class:`Pseudonymizer`.
    batch_size : int, default 250_000
        Rows per batch.
    when, purpose, processor
        Go into the processing record (``when`` defaults to now, UTC).
    progress : callable, optional
        Called after each batch with the number of rows written so far.

    Returns
    -------
    ProcessingRecord

    Raises
    ------
    ConfigError
        Bad ``batch_size``, an unsupported destination, the destination is the source, or a
        tokenising rule without a key.
    DataLoadError, SchemaError
        Unreadable source, or columns the rules name are absent.
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"batch_size must be a positive integer, got {batch_size!r}.")
    destination = Path(destination)
    name = destination.name.lower()
    if not name.endswith(_WRITABLE):
        raise ConfigError(f"Cannot write {str(destination)!r}: expected a name ending in "
                          f"{', '.join(_WRITABLE)}.")
    src = resolve_source(source)
    if src.path is not None and destination.exists() and \
            destination.resolve() == Path(src.path).resolve():
        raise ConfigError("The destination is the source file; pseudonymised output must go to "
                          "a new file. Hint: choose another --out path.")
    pseudonymizer = Pseudonymizer(key, rules, columns=columns, names=names)
    batches = _arrow_batches(src, batch_size)
    first = next(batches)
    plan = pseudonymizer.rules if pseudonymizer.rules is not None else \
        pseudonymizer.plan(first.slice(0, _SCAN_ROWS).to_pandas())
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    totals: dict[str, int] = {}
    n_rows = 0
    try:
        with _writer(partial, name) as write:
            for table in _prepend(first, batches):
                out, counts = pseudonymizer.apply_arrow(table, plan)
                write(out)
                n_rows += table.num_rows
                for column, count in counts.items():
                    totals[column] = totals.get(column, 0) + count
                if progress is not None:
                    progress(n_rows)
        os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return pseudonymizer.record(plan, totals, n_rows=n_rows, all_columns=first.column_names,
                                when=when, source=src.label, destination=str(destination),
                                purpose=purpose, processor=processor)


def _prepend(first: pa.Table, rest: Iterator[pa.Table]) -> Iterator[pa.Table]:
    yield first
    yield from rest


def _arrow_batches(src: Source, batch_size: int) -> Iterator[pa.Table]:
    if src.format == "csv":
        return _csv_tables(src, batch_size)
    if src.format == "parquet" and src.compression is None:
        return _parquet_tables(src, batch_size)
    return (pa.Table.from_pandas(frame, preserve_index=False)
            for frame in iter_batches(src.label, batch_size))


def _parquet_tables(src: Source, batch_size: int) -> Iterator[pa.Table]:
    try:
        parquet = pq.ParquetFile(str(src.path))
    except (pa.ArrowException, OSError) as exc:
        raise DataLoadError(f"{src.label!r} is not a readable Parquet file: {exc}.") from exc
    batches = (pa.Table.from_batches([batch]) for batch in
               parquet.iter_batches(batch_size=batch_size))
    return _non_empty(src, batches)


def _non_empty(src: Source, tables: Iterator[pa.Table]) -> Iterator[pa.Table]:
    first = next(tables, None)
    if first is None or first.num_rows == 0:
        raise DataLoadError(f"{src.label!r} has no rows. Expected at least one data row.")
    return _prepend(first, tables)


def _csv_tables(src: Source, batch_size: int) -> Iterator[pa.Table]:
    sample = read_text_sample(src)
    sep = src.default_sep or sniff_delimiter(sample.text, is_complete=sample.is_complete)
    header = next(csv.reader(io.StringIO(sample.text.lstrip("\ufeff")), delimiter=sep), [])
    if not header:
        raise DataLoadError(f"{src.label!r} has no header row. Expected column names first.")
    encoding = sample.encodings[0]
    read = pacsv.ReadOptions(block_size=max(1 << 20, min(batch_size * 128, 1 << 26)),
                             encoding="utf8" if encoding == "utf-8-sig" else encoding)
    parse = pacsv.ParseOptions(delimiter=sep, newlines_in_values=True)
    convert = pacsv.ConvertOptions(column_types={c: pa.string() for c in header},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)

    def tables() -> Iterator[pa.Table]:
        pending: list[pa.RecordBatch] = []
        n_pending = 0
        with src.open_binary() as fh:
            try:
                reader = pacsv.open_csv(fh, read_options=read, parse_options=parse,
                                        convert_options=convert)
                for batch in reader:
                    pending.append(batch)
                    n_pending += batch.num_rows
                    while n_pending >= batch_size:
                        table = pa.Table.from_batches(pending)
                        yield _rename_bom(table.slice(0, batch_size))
                        rest = table.slice(batch_size)
                        pending, n_pending = rest.to_batches(), rest.num_rows
            except pa.ArrowInvalid as exc:
                raise DataLoadError(f"Could not read {src.label!r} as delimited text: "
                                    f"{str(exc).splitlines()[0]}. Hint: check that every row "
                                    "has as many fields as the header.") from exc
        if n_pending or not pending:
            yield _rename_bom(pa.Table.from_batches(pending, schema=reader.schema))

    return _non_empty(src, tables())


def _rename_bom(table: pa.Table) -> pa.Table:
    names = table.column_names
    if names and names[0].startswith("\ufeff"):
        table = table.rename_columns([names[0].lstrip("\ufeff"), *names[1:]])
    return table


@contextlib.contextmanager
def _writer(path: Path, name: str) -> Iterator[Callable[[pa.Table], None]]:
    state: dict[str, Any] = {}
    sink: Any = None
    try:
        if name.endswith((".jsonl", ".ndjson")):
            with open(path, "w", encoding="utf-8") as fh:
                yield lambda table: table.to_pandas().to_json(fh, orient="records", lines=True,
                                                              force_ascii=False)
            return
        is_parquet = name.endswith(".parquet")
        sink = pa.CompressedOutputStream(str(path), "gzip") if name.endswith(".gz") \
            else pa.OSFile(str(path), "wb")

        def write(table: pa.Table) -> None:
            if "writer" not in state:
                state["schema"] = table.schema
                state["writer"] = pq.ParquetWriter(sink, table.schema) if is_parquet else \
                    pacsv.CSVWriter(sink, table.schema, write_options=pacsv.WriteOptions(
                        delimiter="\t" if ".tsv" in name else ",", quoting_style="needed"))
            elif table.schema != state["schema"]:
                table = _conform(table, state["schema"])
            state["writer"].write_table(table)

        yield write
        if "writer" in state:
            state["writer"].close()
    finally:
        if sink is not None:
            sink.close()


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    try:
        return table.select(schema.names).cast(schema)
    except (pa.ArrowInvalid, KeyError, ValueError) as exc:
        raise DataLoadError(
            "A later batch of the source has other columns or types than the first one "
            f"({str(exc).splitlines()[0]}). Hint: convert the source to CSV or Parquet, which "
            "stream with one schema."
        ) from exc
