"""Data larger than memory: lazy DuckDB relations and streams of DataFrame batches."""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from jogak.data._encoding import decode_error, read_text_sample, sniff_delimiter
from jogak.data._io import (
    check_options,
    finish_frame,
    leading_zero_columns,
    load,
    normalise_duckdb,
    parse_error,
)
from jogak.data._readers import json_options
from jogak.data._sources import Source, check_columns, resolve_source
from jogak.errors import ConfigError, DataLoadError

__all__ = ["iter_batches", "scan"]


def scan(source: str | Path, *, sep: str | None = None,
         connection: duckdb.DuckDBPyConnection | None = None) -> duckdb.DuckDBPyRelation:
    """A lazy DuckDB relation over a CSV, Parquet or JSON file, or over a ``duckdb:`` query.

    Nothing is read until the relation is consumed (``.df()``, ``.aggregate(...)``,
    ``.to_arrow_reader(n)``, SQL on it), and DuckDB works out of core, so files larger than
    memory are fine. Unlike :func:`load`, DuckDB's own type detection applies: date-like text
    becomes ``DATE``/``TIMESTAMP``, which is what SQL on the relation wants.

    Parameters
    ----------
    source : str or Path
        A ``.csv``/``.tsv``/``.txt``, ``.parquet``, ``.json``/``.jsonl``/``.ndjson`` file (text
        files optionally ``.gz``), or ``"duckdb:SELECT ..."``.
    sep : str, optional
        Field delimiter of CSV files; sniffed when omitted.
    connection : duckdb.DuckDBPyConnection, optional
        The connection that owns the relation; a new in-memory one when omitted.

    Returns
    -------
    duckdb.DuckDBPyRelation

    Raises
    ------
    DataLoadError
        Missing or empty file, a format DuckDB cannot scan (Excel, zip, gzip Parquet), text
        that is not UTF-8, or a failing query.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "sales.csv"
    >>> _ = path.write_text("shop,amount\\na,1\\nb,2\\na,3\\n")
    >>> scan(path).aggregate("shop, sum(amount) AS total", "shop").order("shop").fetchall()
    [('a', 4), ('b', 2)]
    """
    src = resolve_source(source)
    con = connection if connection is not None else duckdb.connect(":memory:")
    try:
        if src.format == "query":
            relation = con.sql(str(src.query))
            if relation is None:
                raise DataLoadError(f"The DuckDB statement {src.query!r} returned no table. "
                                    "Expected a query that returns rows, e.g. SELECT.")
            return relation
        _check_scannable(src)
        path = str(src.path)
        if src.format == "parquet":
            return con.read_parquet(path)
        sample = read_text_sample(src)
        if sample.encodings[0] != "utf-8-sig":
            raise DataLoadError(
                f"{src.label!r} looks {sample.encodings[0]}-encoded; scan reads UTF-8 text only. "
                "Hint: use load() or iter_batches(), which detect the encoding, or convert the "
                "file to UTF-8 (or Parquet)."
            )
        if src.format == "csv":
            delimiter = sep or src.default_sep or sniff_delimiter(sample.text,
                                                                  is_complete=sample.is_complete)
            return con.read_csv(path, header=True, delimiter=delimiter)
        body = sample.text.lstrip("\ufeff \t\r\n")
        if body.startswith("["):
            return con.read_json(path, format="array")
        return con.read_json(path, format="newline_delimited")
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise DataLoadError(f"DuckDB could not scan {src.label!r}: {first}. Hint: check the "
                            "file's format, or the query's syntax and column names.") from exc


def iter_batches(source: str | Path, batch_size: int = 100_000, *, sep: str | None = None,
                 encoding: str | None = None,
                 columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
    """Stream a table in DataFrames of at most ``batch_size`` rows.

    Parquet files stream row groups through pyarrow, ``duckdb:`` queries through DuckDB's Arrow
    reader, CSV and JSON lines through pandas' chunked readers, so memory stays at about one
    batch. Excel and JSON documents are read whole and then cut into batches. The source is
    checked and the first batch read before this function returns, so bad input fails here,
    not in the middle of a job. Dtypes are inferred per batch for CSV and JSON lines: pass each
    batch through :func:`coerce_frame` to get the same dtypes in every batch.

    Parameters
    ----------
    source : str or Path
        As for :func:`load`.
    batch_size : int, default 100_000
        Rows per batch (the last one may be shorter).
    sep, encoding, columns
        As for :func:`load`.

    Returns
    -------
    Iterator[pandas.DataFrame]

    Raises
    ------
    ConfigError
        ``batch_size`` is not a positive integer.
    DataLoadError
        As for :func:`load`.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.csv"
    >>> _ = path.write_text("user,clicks\\n" + "".join(f"u{i},{i}\\n" for i in range(5)))
    >>> [len(batch) for batch in iter_batches(path, batch_size=2)]
    [2, 2, 1]
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ConfigError(f"batch_size must be a positive integer, got {batch_size!r}. "
                          "Hint: batch_size=100_000.")
    wanted = check_options(columns, None)
    src = resolve_source(source)
    if src.format == "query":
        batches = _query_batches(src, batch_size)
    elif src.format == "parquet":
        batches = _parquet_batches(src, batch_size, wanted)
    elif src.format == "csv":
        batches = _csv_batches(src, batch_size, sep, encoding, wanted)
    elif src.format == "jsonl":
        batches = _jsonl_batches(src, batch_size, encoding)
    else:
        frame = load(source, sep=sep, encoding=encoding, columns=wanted)
        batches = (frame.iloc[start:start + batch_size] for start in range(0, len(frame),
                                                                          batch_size))
    first = next(batches, None)
    if first is None:
        first = pd.DataFrame()
    first = finish_frame(first, src.label, wanted)
    return _chain(first, batches, wanted)


def _chain(first: pd.DataFrame, rest: Iterator[pd.DataFrame],
           columns: list[str] | None) -> Iterator[pd.DataFrame]:
    yield first
    for batch in rest:
        yield batch[columns] if columns is not None else batch


def _check_scannable(src: Source) -> None:
    if src.format == "excel" or src.compression == "zip" or \
            (src.format == "parquet" and src.compression == "gzip"):
        raise DataLoadError(
            f"scan cannot read {src.label!r} lazily. Expected a CSV, Parquet or JSON file "
            "(text files may be .gz). Hint: use load() for Excel and zip files, or convert the "
            "data to Parquet."
        )


def _query_batches(src: Source, batch_size: int) -> Iterator[pd.DataFrame]:
    relation = scan(src.label)
    reader_of = getattr(relation, "to_arrow_reader", None) or relation.fetch_arrow_reader
    try:
        reader = reader_of(batch_size)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise DataLoadError(f"The DuckDB query failed: {first}. Hint: check the query's syntax "
                            "and column names.") from exc
    return (normalise_duckdb(batch.to_pandas()) for batch in reader)


def _parquet_batches(src: Source, batch_size: int,
                     columns: list[str] | None) -> Iterator[pd.DataFrame]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    target: Any = str(src.path)
    if src.compression is not None:
        with src.open_binary() as fh:
            target = io.BytesIO(fh.read())
    try:
        parquet = pq.ParquetFile(target)
    except (pa.ArrowException, OSError) as exc:
        raise DataLoadError(f"{src.label!r} is not a readable Parquet file: {exc}. Hint: check "
                            "that the file was written completely.") from exc
    if columns is not None:
        check_columns(src.label, columns, parquet.schema_arrow.names)
    return (batch.to_pandas() for batch in parquet.iter_batches(batch_size=batch_size,
                                                                columns=columns))


def _csv_batches(src: Source, batch_size: int, sep: str | None, encoding: str | None,
                 columns: list[str] | None) -> Iterator[pd.DataFrame]:
    sample = read_text_sample(src, encoding)
    sep = sep or src.default_sep or sniff_delimiter(sample.text, is_complete=sample.is_complete)
    dtype = leading_zero_columns(sample.text, sep, is_complete=sample.is_complete)
    enc = sample.encodings[0]

    def batches() -> Iterator[pd.DataFrame]:
        try:
            with src.open_binary() as fh, pd.read_csv(
                fh, sep=sep, encoding=enc, dtype=dtype or None, usecols=columns,
                chunksize=batch_size, low_memory=False,
            ) as reader:
                yield from reader
        except pd.errors.EmptyDataError as exc:
            raise DataLoadError(f"{src.label!r} has no rows: the file holds no header.") from exc
        except pd.errors.ParserError as exc:
            raise parse_error(src.label, exc, sep) from exc
        except UnicodeDecodeError as exc:
            raise decode_error(src.label, (enc,), explicit=encoding,
                               detail=f"at byte {exc.start} of a later batch") from exc
        except ValueError as exc:
            if columns is not None and "Usecols" in str(exc):
                check_columns(src.label, columns, list(pd.read_csv(
                    io.StringIO(sample.text[: sample.text.find("\n") + 1]), sep=sep).columns))
            raise DataLoadError(f"Could not read {src.label!r} as delimited text: {exc}.") \
                from exc

    return batches()


def _jsonl_batches(src: Source, batch_size: int, encoding: str | None) -> Iterator[pd.DataFrame]:
    sample = read_text_sample(src, encoding)
    enc = sample.encodings[0]

    def batches() -> Iterator[pd.DataFrame]:
        try:
            with src.open_binary() as raw, io.TextIOWrapper(raw, encoding=enc) as text, \
                    pd.read_json(text, lines=True, chunksize=batch_size,
                                 **json_options()) as reader:
                yield from reader
        except UnicodeDecodeError as exc:
            raise decode_error(src.label, (enc,), explicit=encoding) from exc
        except ValueError as exc:
            raise DataLoadError(f"{src.label!r} is not valid JSON lines: {exc}. Expected one "
                                "JSON object per line.") from exc

    return batches()
