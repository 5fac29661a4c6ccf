"""One streaming pass: read a table, pseudonymise its direct identifiers, validate, write."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from jogak.data.privacy import (
    Action,
    ColumnRule,
    PiiClass,
    ProcessingRecord,
    Pseudonymizer,
    PseudonymKey,
)
from jogak.errors import ConfigError
from jogak.solutions.commerce._batches import arrow_batches, prefetched
from jogak.solutions.commerce._column_checks import few_distinct
from jogak.solutions.commerce._standard import get_table
from jogak.solutions.commerce._streaming import BatchAssessment, StreamValidator
from jogak.solutions.commerce._validation import ValidationReport

__all__ = ["PreparedTable", "prepare_file"]

_CHECKERS = 2  # batches assessed at once (the project machine has two cores)


@dataclass(frozen=True, kw_only=True, eq=False)
class PreparedTable:
    """What :func:`prepare_file` did: the validation report and the processing record."""

    report: ValidationReport
    record: ProcessingRecord
    destination: Path


def prepare_file(source: str | Path, destination: str | Path, *, table: str,
                 key: PseudonymKey, batch_size: int = 250_000, n_samples: int = 5,
                 when: datetime | None = None,
                 progress: Callable[[int], None] | None = None) -> PreparedTable:
    """Pseudonymise the standard's direct identifiers of a file and validate it, in one pass.

    Every direct identifier of the table (``buyer_id``) present in the source becomes its
    keyed HMAC-SHA256 token (:class:`jogak.data.privacy.Pseudonymizer`), the batch is then
    validated (:class:`StreamValidator`) and written, so the source is read once. The stages
    overlap on threads: the next batch is parsed while this one is tokenised, two batches
    are assessed while the next is tokenised, the last one is written; memory holds about
    seven batches. Parquet output is zstd-compressed (level 1),
    with dictionary pages for the columns whose values repeat. The output goes to
    ``destination + ".partial"`` and is renamed when complete; on any error nothing is left
    behind.

    Parameters
    ----------
    source : str or Path
        CSV/TSV (``.gz`` too) or Parquet, in the standard's columns.
    destination : str or Path
        ``.parquet`` or ``.csv``.
    table : {"buyer", "behaviour", "product"}
    key : PseudonymKey
    batch_size, n_samples : int
    when : datetime, optional
        Time stamp of the processing record (default now, UTC).
    progress : callable, optional
        Called with the rows done after each batch.

    Returns
    -------
    PreparedTable
    """
    spec = get_table(table)
    destination = Path(destination)
    name = destination.name.lower()
    if not name.endswith((".parquet", ".csv")):
        raise ConfigError(f"Cannot write {str(destination)!r}: expected a .parquet or .csv "
                          "file name.")
    if Path(str(source)).resolve() == destination.resolve():
        raise ConfigError("The destination is the source; write the prepared table to a new "
                          "file.")
    validator = StreamValidator(spec.name, n_samples=n_samples)
    batches = prefetched(arrow_batches(source, batch_size))
    first = next(batches, None)
    if first is None:
        raise ConfigError(f"{str(source)!r} has no rows.")
    rules = tuple(ColumnRule(column=item.name, action=Action.TOKENIZE, kind=item.pii_kind)
                  for item in spec.items if item.pii is PiiClass.DIRECT_IDENTIFIER
                  and item.name in first.column_names)
    pseudonymizer = Pseudonymizer(key, rules)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    totals: dict[str, int] = {}
    writer: Any = None
    try:
        pseudonymised = _pseudonymised(_chain(first, batches), pseudonymizer, rules, totals)
        head = next(pseudonymised)
        writer = _open_writer(partial, head, name)
        _check_and_write(_chain(head, pseudonymised), validator, writer, progress)
        writer.close()
        os.replace(partial, destination)
    except BaseException:
        batches.close()
        if writer is not None:
            writer.close()
        partial.unlink(missing_ok=True)
        raise
    record = pseudonymizer.record(rules, totals, n_rows=validator.n_rows,
                                  all_columns=first.column_names, when=when,
                                  source=str(source), destination=str(destination),
                                  purpose=f"jogak commerce standard {spec.name} table")
    return PreparedTable(report=validator.report(), record=record, destination=destination)


def _chain(first: pa.Table, rest: Iterator[pa.Table]) -> Iterator[pa.Table]:
    yield first
    yield from rest


def _pseudonymised(batches: Iterator[pa.Table], pseudonymizer: Pseudonymizer,
                   rules: tuple[ColumnRule, ...], totals: dict[str, int]
                   ) -> Iterator[pa.Table]:
    """Each batch with its direct identifiers tokenised; the values done are added to totals."""
    for batch in batches:
        out, counts = pseudonymizer.apply_arrow(batch, rules)
        for column, count in counts.items():
            totals[column] = totals.get(column, 0) + count
        yield out


def _check_and_write(tables: Iterator[pa.Table], validator: StreamValidator, writer: Any,
                     progress: Callable[[int], None] | None) -> None:
    """Assess up to ``_CHECKERS`` batches at once, add them in order, write each on a thread.

    The caller's thread tokenises the next batch meanwhile (tokens and the keys seen so far
    are the state that must see the batches in order); Arrow and numpy release the GIL, so
    the stages share both cores.
    """
    with ThreadPoolExecutor(max_workers=_CHECKERS, thread_name_prefix="jogak-check") as \
            checkers, ThreadPoolExecutor(max_workers=1, thread_name_prefix="jogak-write") as \
            writers:
        checking: deque[Future[BatchAssessment]] = deque()
        writing: Future[None] | None = None

        def finish_oldest() -> None:
            nonlocal writing
            assessed = checking.popleft().result()
            validator.add(assessed)
            if writing is not None:
                writing.result()  # one batch written at a time keeps memory bounded
            table = assessed.table
            writing = writers.submit(writer.write_table, table.cast(writer.schema)
                                     if table.schema != writer.schema else table)
            if progress is not None:
                progress(validator.n_rows)

        for table in tables:
            checking.append(checkers.submit(validator.assess, table))
            while len(checking) > _CHECKERS or (checking and checking[0].done()):
                finish_oldest()
        while checking:
            finish_oldest()
        if writing is not None:
            writing.result()


def _open_writer(path: Path, first: pa.Table, name: str) -> Any:
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        # dictionary pages only where values repeat (ids and time stamps would be hashed for
        # nothing); zstd at level 1 is both smaller and cheaper than the default snappy here
        return pq.ParquetWriter(str(path), first.schema, compression="zstd",
                                compression_level=1,
                                use_dictionary=[column for column in first.column_names
                                                if few_distinct(first.column(column))])
    import pyarrow.csv as pacsv

    return pacsv.CSVWriter(str(path), first.schema)
