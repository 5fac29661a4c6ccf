"""Scoring files larger than memory: stream chunks in, predictions out, one chunk at a time."""

from __future__ import annotations

import contextlib
import gzip
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from jogak.data import iter_batches
from jogak.errors import ConfigError, DataLoadError, SchemaError

__all__ = ["BatchScoreResult", "prediction_frame", "score_file"]

_FORMATS = {".parquet": "parquet", ".csv": "csv", ".csv.gz": "csv", ".tsv": "tsv",
            ".jsonl": "jsonl", ".ndjson": "jsonl"}


@dataclass(frozen=True)
class BatchScoreResult:
    """What :func:`score_file` wrote."""

    path: Path
    n_rows: int
    n_chunks: int


def _format(out: Path) -> str:
    name = out.name.lower()
    for suffix, kind in sorted(_FORMATS.items(), key=lambda item: -len(item[0])):
        if name.endswith(suffix):
            return kind
    raise DataLoadError(f"Cannot write {out}: expected a .csv, .csv.gz, .tsv, .parquet or .jsonl "
                        "file name.")


def prediction_frame(model: Any, frame: pd.DataFrame, *,
                     operating_point: str | None = None) -> pd.DataFrame:
    """``frame`` followed by ``prediction`` (and ``proba_<class>`` for classifiers).

    With ``operating_point`` (a binary classifier's named threshold, see
    :func:`jogak.models.decide`), a ``decision`` column follows.
    """
    from jogak.models._thresholds import decide

    out = frame.copy()
    if hasattr(model, "predict_proba"):
        proba = model.predict_proba(frame)
        classes = np.asarray(model.classes_)
        out["prediction"] = classes[np.argmax(proba, axis=1)]
        for position, label in enumerate(classes):
            out[f"proba_{label}"] = proba[:, position]
        if operating_point is not None:
            out["decision"] = decide(proba, model.operating_points_, operating_point,
                                     classes=classes)
    else:
        out["prediction"] = model.predict(frame)
    return out


class _ParquetSink:
    """Row groups of one schema: the first chunk's, ints widened to nullable, nulls to text."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.writer: pq.ParquetWriter | None = None
        self.schema: pa.Schema | None = None

    def write(self, frame: pd.DataFrame) -> None:
        table = pa.Table.from_pandas(frame, preserve_index=False)
        if self.schema is None:
            fields = [pa.field(f.name, pa.string() if pa.types.is_null(f.type) else
                               pa.int64() if pa.types.is_integer(f.type) else f.type)
                      for f in table.schema]
            self.schema = pa.schema(fields)
            self.writer = pq.ParquetWriter(self.path, self.schema)
        try:
            table = table.cast(self.schema)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as exc:
            raise DataLoadError(f"A later chunk of the input changed a column's type ({exc}); "
                                "Parquet needs one type per column. Hint: write CSV or JSON "
                                "lines, or clean that column first.") from exc
        assert self.writer is not None
        self.writer.write_table(table)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


def _text_writer(kind: str, path: Path) -> Callable[[pd.DataFrame, bool], None]:
    is_gzip = path.name.lower().endswith(".gz.partial")

    def write(frame: pd.DataFrame, first: bool) -> None:
        mode = "wt" if first else "at"
        # gzip: each chunk is a gzip member; concatenated members read back as one stream
        opener: Any = gzip.open if is_gzip else open
        with opener(path, mode, encoding="utf-8", newline="") as handle:
            if kind == "jsonl":
                frame.to_json(handle, orient="records", lines=True, force_ascii=False,
                              date_format="iso", double_precision=15)
                if len(frame):
                    handle.write("\n")
            else:
                frame.to_csv(handle, header=first, index=False,
                             sep="\t" if kind == "tsv" else ",")

    return write


def score_file(model: Any, source: str | Path, out: str | Path, *, chunk_rows: int = 100_000,
               operating_point: str | None = None,
               progress: Callable[[int], None] | None = None) -> BatchScoreResult:
    """Predict every row of ``source`` into ``out``, streaming ``chunk_rows`` rows at a time.

    The input is read in chunks (pyarrow for Parquet, DuckDB for ``duckdb:`` queries, pandas'
    chunked readers for CSV and JSON lines; see :func:`jogak.data.iter_batches`), so memory
    stays at about one chunk whatever the file size. Each output row is the input row followed
    by ``prediction`` (and ``proba_<class>`` for classifiers), in input order, as
    ``jogak predict`` writes. The output appears atomically: it is written to
    ``<out>.partial`` and renamed at the end (removed on failure).

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        Fitted, or loaded with :func:`jogak.models.load_model`.
    source : str or pathlib.Path
        A data file or ``"duckdb:SELECT ..."``.
    out : str or pathlib.Path
        ``.csv``, ``.csv.gz``, ``.tsv``, ``.parquet`` or ``.jsonl``.
    chunk_rows : int, default=100_000
        Rows per chunk.
    operating_point : str, optional
        Add a ``decision`` column at this named threshold (binary classifiers).
    progress : callable, optional
        Called with the number of rows scored so far after each chunk.

    Returns
    -------
    BatchScoreResult

    Raises
    ------
    ConfigError
        ``chunk_rows`` is not a positive integer.
    DataLoadError
        The source cannot be read or the output format is unknown.
    SchemaError
        A chunk does not match the model's schema (the message gives its first row number).
    """
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ConfigError(f"chunk_rows must be a positive integer, got {chunk_rows!r}.")
    target = Path(out)
    kind = _format(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    sink = _ParquetSink(partial) if kind == "parquet" else None
    write_text = None if sink is not None else _text_writer(kind, partial)
    n_rows = n_chunks = 0
    try:
        for chunk in iter_batches(source, batch_size=chunk_rows):
            chunk = chunk.reset_index(drop=True)
            try:
                scored = prediction_frame(model, chunk, operating_point=operating_point)
            except SchemaError as exc:
                raise SchemaError(f"Rows {n_rows + 1}-{n_rows + len(chunk)} of {source}: "
                                  f"{exc}") from exc
            if sink is not None:
                sink.write(scored)
            else:
                assert write_text is not None
                write_text(scored, n_chunks == 0)
            n_rows += len(chunk)
            n_chunks += 1
            if progress is not None:
                progress(n_rows)
        if sink is not None:
            sink.close()
        if n_chunks == 0:
            raise DataLoadError(f"{source} has no rows to score.")
        os.replace(partial, target)
    except BaseException:
        if sink is not None:
            with contextlib.suppress(Exception):
                sink.close()
        partial.unlink(missing_ok=True)
        raise
    return BatchScoreResult(target, n_rows, n_chunks)
