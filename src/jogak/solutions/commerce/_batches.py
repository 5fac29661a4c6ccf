"""Reading a table file as Arrow batches, the next one parsed while the last is processed."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pyarrow as pa

from jogak.data import iter_batches
from jogak.errors import DataLoadError

__all__ = ["arrow_batches", "prefetched"]

_T = TypeVar("_T")
_CSV_BLOCK = 1 << 24  # bytes parsed at a time: about 130,000 behaviour rows


def arrow_batches(source: str | Path, batch_size: int) -> Iterator[pa.Table]:
    """Arrow tables of about ``batch_size`` rows; CSV columns all as text.

    CSV is parsed on the calling thread (Arrow's own parsing threads cost a third more CPU
    for the same work); run the iterator under :func:`prefetched` to overlap it with the
    processing of the batches.
    """
    path = Path(str(source))
    name = path.name.lower()
    if path.is_file() and name.endswith((".csv", ".csv.gz", ".tsv", ".tsv.gz")):
        yield from _csv_batches(path, "\t" if ".tsv" in name else ",", batch_size)
        return
    if path.is_file() and name.endswith(".parquet"):
        import pyarrow.parquet as pq

        for record_batch in pq.ParquetFile(path).iter_batches(batch_size=batch_size):
            yield pa.Table.from_batches([record_batch])
        return
    for frame in iter_batches(source, batch_size=batch_size):
        yield pa.Table.from_pandas(frame, preserve_index=False)


def _csv_batches(path: Path, delimiter: str, batch_size: int) -> Iterator[pa.Table]:
    import pyarrow.csv as pacsv

    parse = pacsv.ParseOptions(delimiter=delimiter)
    try:
        with pacsv.open_csv(path, parse_options=parse) as probe:
            names = probe.schema.names
        reader = pacsv.open_csv(
            path, read_options=pacsv.ReadOptions(block_size=_CSV_BLOCK, use_threads=False),
            parse_options=parse,
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names,
                                                                            pa.string())))
        buffered: list[pa.RecordBatch] = []
        n_buffered = 0
        for record_batch in reader:
            buffered.append(record_batch)
            n_buffered += record_batch.num_rows
            if n_buffered >= batch_size:
                yield pa.Table.from_batches(buffered)
                buffered, n_buffered = [], 0
        if buffered:
            yield pa.Table.from_batches(buffered)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise DataLoadError(f"Could not read {str(path)!r} as UTF-8 delimited text: "
                            f"{' '.join(str(exc).split())[:200]}. Hint: convert it to "
                            "UTF-8 or Parquet.") from exc


def prefetched(items: Iterator[_T]) -> Generator[_T, None, None]:
    """``items``, each produced on a background thread while the caller works on the last.

    One item is read ahead, so memory holds at most two; an error of the producer is raised
    here, at the item it failed on. Arrow parses with the GIL released, so on two cores
    reading and processing overlap.
    """
    done = object()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="jogak-read") as pool:
        reading = pool.submit(next, items, done)
        while (item := reading.result()) is not done:
            reading = pool.submit(next, items, done)
            yield item  # type: ignore[misc]  # not the sentinel
