"""Readers for the formats pandas reads whole: Parquet, Excel and JSON (records or lines)."""

from __future__ import annotations

import io
import json

import pandas as pd

from jogak.data._arrow_csv import table_to_frame
from jogak.data._encoding import decode_error, read_text_sample
from jogak.data._sources import Source, check_columns
from jogak.errors import DataLoadError, MissingDependencyError

__all__ = ["json_options", "read_all", "read_excel", "read_json", "read_parquet"]

_PANDAS_MAJOR = int(pd.__version__.split(".")[0])


def json_options() -> dict[str, object]:
    """Keyword arguments that keep ``pandas.read_json`` from guessing dtypes and dates."""
    options: dict[str, object] = {"dtype": False}
    if _PANDAS_MAJOR < 3:
        options.update(convert_dates=False, keep_default_dates=False)
    return options


def read_all(src: Source) -> bytes:
    with src.open_binary() as fh:
        return fh.read()


def read_parquet(src: Source, columns: list[str] | None, nrows: int | None) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    target: str | io.BytesIO = str(src.path) if src.compression is None else \
        io.BytesIO(read_all(src))
    try:
        parquet = pq.ParquetFile(target)
        if columns is not None:
            check_columns(src.label, columns, parquet.schema_arrow.names)
        if nrows is None:
            table = parquet.read(columns=columns)
        else:
            batches, n_read = [], 0
            for batch in parquet.iter_batches(batch_size=nrows, columns=columns):
                batches.append(batch)
                n_read += batch.num_rows
                if n_read >= nrows:
                    break
            table = pa.Table.from_batches(batches).slice(0, nrows) if batches else \
                parquet.schema_arrow.empty_table()
    except (pa.ArrowException, OSError) as exc:
        raise DataLoadError(f"{src.label!r} is not a readable Parquet file: {exc}. Hint: check "
                            "that the file was written completely.") from exc
    return table_to_frame(table)


def read_excel(src: Source, sheet: str | int | None, nrows: int | None) -> pd.DataFrame:
    data = read_all(src)
    engine = "openpyxl"
    if not data.startswith(b"PK"):
        try:
            import xlrd  # noqa: F401
        except ImportError as exc:
            raise MissingDependencyError(
                f"{src.label!r} is a legacy .xls workbook, which needs the xlrd package. "
                "Hint: pip install xlrd, or save the sheet as .xlsx."
            ) from exc
        engine = "xlrd"
    try:
        workbook = pd.ExcelFile(io.BytesIO(data), engine=engine)
    except Exception as exc:  # openpyxl and xlrd raise their own, unrelated exception types
        raise DataLoadError(f"{src.label!r} is not a readable Excel workbook: {exc}. Hint: open "
                            "and save it again in Excel, or export it as CSV.") from exc
    with workbook:
        names = workbook.sheet_names
        chosen = 0 if sheet is None else sheet
        if isinstance(chosen, str) and chosen not in names and chosen.isdigit():
            chosen = int(chosen)  # "1" from the command line: a position
        if (isinstance(chosen, str) and chosen not in names) or \
                (isinstance(chosen, int) and not 0 <= chosen < len(names)):
            raise DataLoadError(f"Sheet {chosen!r} is not in {src.label!r}. Expected one of: "
                                f"{', '.join(map(repr, names))} (or a position from 0). Hint: "
                                "pass sheet= with one of those names.")
        return pd.read_excel(workbook, sheet_name=chosen, nrows=nrows)


def read_json(src: Source, encoding: str | None, nrows: int | None) -> pd.DataFrame:
    sample = read_text_sample(src, encoding)
    raw = read_all(src) if not sample.is_complete else sample.raw
    text = None
    for enc in sample.encodings:
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        raise decode_error(src.label, sample.encodings, explicit=encoding)
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        raise DataLoadError(f"{src.label!r} has no rows: the file holds only whitespace.")
    lines = src.format == "jsonl" or (body.startswith("{") and _is_json_lines(body))
    options = json_options()
    try:
        if lines:
            return pd.read_json(io.StringIO(body), lines=True, nrows=nrows, **options)
        frame = pd.read_json(io.StringIO(body), orient="records" if body.startswith("[") else None,
                             **options)
    except ValueError as exc:
        raise DataLoadError(
            f"{src.label!r} is not valid JSON for a table: {exc}. Expected a list of records "
            "([{...}, {...}]) or JSON lines (one object per line). Hint: check the file, or read "
            "it with \"duckdb:SELECT * FROM read_json('file.json')\"."
        ) from exc
    return frame.head(nrows) if nrows is not None else frame


def _is_json_lines(body: str) -> bool:
    first, _, rest = body.partition("\n")
    if not rest.strip():
        return False
    try:
        json.loads(first)
    except ValueError:
        return False
    return True
