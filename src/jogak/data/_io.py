"""``load``: one entry point for CSV/TSV, Parquet, Excel, JSON (lines), gzip, zip and DuckDB SQL."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

import duckdb
import pandas as pd

from jogak.data._arrow_csv import LeanReadUnsupported, read_csv_lean
from jogak.data._encoding import decode_error, read_text_sample, sniff_delimiter
from jogak.data._readers import read_excel, read_json, read_parquet
from jogak.data._sources import Source, check_columns, resolve_source
from jogak.errors import ConfigError, DataLoadError

__all__ = ["LARGE_FILE_BYTES", "load"]

#: Estimated in-memory size above which ``load`` streams a CSV or Parquet file through Arrow.
LARGE_FILE_BYTES = 256 << 20
# in-memory bytes per byte on disk, a rough and deliberately generous estimate
_EXPANSION = {("csv", None): 1.5, ("csv", "gzip"): 6.0, ("parquet", None): 5.0}
_NA_VALUES = ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
              "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"]
_LEADING_ZERO = re.compile(r"0\d+")
_RAGGED = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def load(source: str | Path, *, sep: str | None = None, encoding: str | None = None,
         sheet: str | int | None = None, columns: Sequence[str] | None = None,
         nrows: int | None = None, max_memory_bytes: int = LARGE_FILE_BYTES) -> pd.DataFrame:
    """Read a table from a file or a DuckDB query into a DataFrame.

    Formats follow the suffix: ``.csv``/``.tsv``/``.txt`` (delimiter sniffed among ``, \\t ; |``),
    ``.parquet``, ``.xlsx``/``.xls``, ``.jsonl``/``.ndjson`` and ``.json`` (a list of records or
    JSON lines), each optionally ``.gz``; a ``.zip`` holding exactly one data file (or name the
    member: ``archive.zip/inner.csv``). Text is decoded as UTF-8 (a byte order mark is dropped)
    or CP949/EUC-KR, detected from a sample. Values are not parsed into dates here, and columns
    of digits with leading zeros (zip codes, padded ids) stay strings; :func:`infer_roles` and
    :func:`coerce_frame` decide the rest.

    CSV and Parquet files whose estimated in-memory size (size on disk x 1.5 for CSV, x 6 for
    gzip CSV, x 5 for Parquet) exceeds ``max_memory_bytes`` are streamed through Arrow in
    batches and converted column by column, which halves the peak memory of pandas' reader
    (about 1.8x the frame instead of 3.6x); the frame is the same. Where Arrow could read a
    file differently from pandas (a column whose type changes after the first 4 MiB, a ragged
    row), pandas reads it. Work on files larger than memory goes through DuckDB: :func:`scan`,
    :func:`iter_batches` and ``duckdb:`` queries.

    Parameters
    ----------
    source : str or Path
        A file path, or ``"duckdb:SELECT ..."``: a DuckDB query over files, run in an in-memory
        connection, e.g. ``"duckdb:SELECT * FROM 'x.csv.gz' WHERE a > 1"``.
    sep : str, optional
        Field delimiter of text files; sniffed when omitted (``\\t`` for ``.tsv``).
    encoding : str, optional
        Encoding of text files; detected when omitted.
    sheet : str or int, optional
        Excel sheet name or position; the first sheet when omitted.
    columns : sequence of str, optional
        Only these columns, in this order.
    nrows : int, optional
        Only the first ``nrows`` rows.
    max_memory_bytes : int, default 256 MiB
        Size estimate above which CSV and Parquet files are streamed through Arrow.

    Returns
    -------
    pandas.DataFrame
        At least one row.

    Raises
    ------
    DataLoadError
        Missing or empty file, unknown suffix, ragged CSV row, undecodable text, a sheet or
        column that does not exist, or a failing DuckDB query.
    ConfigError
        ``columns`` or ``nrows`` have invalid values.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "shop.csv"
    >>> _ = path.write_text("customer_id;zip;amount\\nc1;01001;3.5\\nc2;20031;4\\n")
    >>> frame = load(path)
    >>> frame["zip"].tolist(), frame["amount"].tolist()
    (['01001', '20031'], [3.5, 4.0])
    """
    columns = check_options(columns, nrows)
    src = resolve_source(source)
    if src.format == "query":
        frame = _load_query(src, columns, nrows)
    elif _is_large(src, max_memory_bytes):
        frame = _load_large(src, sep, encoding, columns, nrows)
    elif src.format == "csv":
        frame = _load_csv(src, sep, encoding, columns, nrows)
    elif src.format == "parquet":
        frame = read_parquet(src, columns, nrows)
    elif src.format == "excel":
        frame = read_excel(src, sheet, nrows)
    else:
        frame = read_json(src, encoding, nrows)
    return finish_frame(frame, src.label, columns)


def finish_frame(frame: pd.DataFrame, label: str, columns: list[str] | None) -> pd.DataFrame:
    """Drop a stray byte order mark, select ``columns`` and refuse a frame without rows."""
    if len(frame.columns) and isinstance(frame.columns[0], str) and \
            frame.columns[0].startswith("\ufeff"):
        frame = frame.rename(columns={frame.columns[0]: frame.columns[0].lstrip("\ufeff")})
    if columns is not None:
        check_columns(label, columns, list(frame.columns))
        frame = frame[columns]
    if len(frame) == 0:
        header = f" (header: {', '.join(map(str, frame.columns[:8]))})" if len(frame.columns) \
            else ""
        raise DataLoadError(f"{label!r} has no rows{header}. Expected at least one data row. "
                            "Hint: check the file or the query's WHERE clause.")
    return frame


def normalise_duckdb(frame: pd.DataFrame) -> pd.DataFrame:
    """Give a DuckDB result the dtypes pandas' readers would: float for integers with missing."""
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.api.extensions.ExtensionDtype) and \
                pd.api.types.is_integer_dtype(column.dtype):
            frame[name] = column.astype("float64") if column.isna().any() else \
                column.astype(column.dtype.numpy_dtype)
        elif isinstance(column.dtype, pd.BooleanDtype):
            frame[name] = column.astype(object) if column.isna().any() else column.astype(bool)
    return frame


def check_options(columns: Sequence[str] | None, nrows: int | None) -> list[str] | None:
    if nrows is not None and (isinstance(nrows, bool) or not isinstance(nrows, int) or nrows < 1):
        raise ConfigError(f"nrows must be a positive integer, got {nrows!r}. Hint: leave it out "
                          "to read every row.")
    if columns is None:
        return None
    if isinstance(columns, str) or not all(isinstance(c, str) for c in columns) or not columns:
        raise ConfigError(f"columns must be a non-empty list of column names, got {columns!r}. "
                          "Hint: columns=['a', 'b'].")
    return list(columns)


def _is_large(src: Source, max_memory_bytes: int) -> bool:
    factor = _EXPANSION.get((src.format, src.compression))
    return factor is not None and src.size_on_disk * factor > max_memory_bytes


def _load_csv(src: Source, sep: str | None, encoding: str | None, columns: list[str] | None,
              nrows: int | None) -> pd.DataFrame:
    sample = read_text_sample(src, encoding)
    sep = sep or src.default_sep or sniff_delimiter(sample.text, is_complete=sample.is_complete)
    dtype = leading_zero_columns(sample.text, sep, is_complete=sample.is_complete)
    last: UnicodeDecodeError | None = None
    for enc in sample.encodings:
        try:
            with src.open_binary() as fh:
                return pd.read_csv(fh, sep=sep, encoding=enc, dtype=dtype or None, usecols=columns,
                                   nrows=nrows, low_memory=False)
        except UnicodeDecodeError as exc:
            last = exc
        except pd.errors.EmptyDataError as exc:
            raise DataLoadError(f"{src.label!r} has no rows: the file holds no header. Expected "
                                "a header and at least one row.") from exc
        except pd.errors.ParserError as exc:
            raise parse_error(src.label, exc, sep) from exc
        except ValueError as exc:
            if columns is not None and "Usecols" in str(exc):
                with src.open_binary() as fh:
                    header = pd.read_csv(fh, sep=sep, encoding=enc, nrows=0).columns
                check_columns(src.label, columns, list(header))
            raise DataLoadError(f"Could not read {src.label!r} as delimited text: {exc}. Hint: "
                                "check sep= and the file's format.") from exc
    detail = f"byte {last.object[last.start:last.start + 1]!r} at {last.start}" if last else ""
    raise decode_error(src.label, sample.encodings, explicit=encoding, detail=detail)


def leading_zero_columns(text: str, sep: str, *, is_complete: bool) -> dict[str, type]:
    """Columns of digits with leading zeros in the sample: read them as strings."""
    if not is_complete:
        text = text[: text.rfind("\n") + 1]
    try:
        sample = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, nrows=20_000)
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return {}
    keep: dict[str, type] = {}
    for name in sample.columns:
        values = sample[name].dropna().str.strip()
        if len(values) and values.str.fullmatch(_LEADING_ZERO.pattern).any() and \
                values.str.fullmatch(r"\d+").all():
            keep[str(name)] = str
    return keep


def parse_error(label: str, exc: Exception, sep: str) -> DataLoadError:
    """A DataLoadError for a pandas ParserError, naming the ragged line when there is one."""
    match = _RAGGED.search(str(exc))
    if match:
        expected, line, saw = match.groups()
        return DataLoadError(
            f"Could not parse {label!r}: line {line} has {saw} fields but the header has "
            f"{expected} (delimiter {sep!r}). Expected every row to have as many fields as the "
            "header. Hint: quote fields that contain the delimiter, or pass sep= if the "
            "delimiter is wrong."
        )
    reason = " ".join(str(exc).split())
    return DataLoadError(f"Could not parse {label!r} (delimiter {sep!r}): {reason}. Expected a "
                         "well-formed delimited text file. Hint: check quoting, or pass sep=.")


def _load_large(src: Source, sep: str | None, encoding: str | None,
                columns: list[str] | None, nrows: int | None) -> pd.DataFrame:
    """Read a big file with the least peak memory: Arrow batches converted column by column."""
    if src.format == "parquet":
        return read_parquet(src, columns, nrows)
    sample = read_text_sample(src, encoding)
    sep = sep or src.default_sep or sniff_delimiter(sample.text, is_complete=sample.is_complete)
    try:
        frame = read_csv_lean(
            src, sep=sep, encoding=sample.encodings[0], na_values=_NA_VALUES,
            string_columns=list(leading_zero_columns(sample.text, sep,
                                                     is_complete=sample.is_complete)),
            columns=columns, nrows=nrows)
    except LeanReadUnsupported:
        # a type that changes after the first block, a ragged row, a column that is absent:
        # pandas reads it exactly (or names the problem), at a higher peak
        return _load_csv(src, sep, encoding, columns, nrows)
    return _nan_for_missing_booleans(frame)


def _nan_for_missing_booleans(frame: pd.DataFrame) -> pd.DataFrame:
    # Arrow gives None for a missing value in a True/False column; pandas gives NaN
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object and column.isna().any():
            frame[name] = column.where(column.notna(), float("nan"))
    return frame


def _load_query(src: Source, columns: list[str] | None, nrows: int | None) -> pd.DataFrame:
    connection = duckdb.connect(":memory:")
    try:
        relation = connection.sql(str(src.query))
        if relation is None:
            raise DataLoadError(
                f"The DuckDB statement {src.query!r} returned no table. Expected a query that "
                "returns rows, e.g. SELECT. Hint: write \"duckdb:SELECT * FROM 'file.csv'\"."
            )
        if nrows is not None:
            relation = relation.limit(nrows)
        frame = relation.df()
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise DataLoadError(
            f"The DuckDB query failed: {first}. Expected a valid query over files, e.g. "
            "\"duckdb:SELECT * FROM 'data.csv.gz' WHERE amount > 0\". Hint: quote file paths in "
            "single quotes and check column names."
        ) from exc
    finally:
        connection.close()
    return normalise_duckdb(frame)
