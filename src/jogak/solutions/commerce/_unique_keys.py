"""Uniqueness across batches: one 64-bit hash per key, remembered as sorted runs.

A false duplicate needs a hash collision (about n**2 / 2**65: 3e-6 for ten million keys).
The work is split so that batches can be prepared on several threads: :func:`batch_keys`
(hashing and sorting one batch) depends on nothing else, :meth:`SeenKeys.duplicates` (the
search in the keys of the earlier batches) must see the batches in order.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["BatchKeys", "SeenKeys", "batch_keys"]

_local = threading.local()  # one DuckDB connection per thread (a connection is not shared)


@dataclass(frozen=True)
class BatchKeys:
    """The keys of one batch: the rows holding one, their hashes, and the hashes sorted."""

    rows: np.ndarray
    keys: np.ndarray
    ordered: np.ndarray


def batch_keys(values: pa.Array, valid_rows: np.ndarray, codes: np.ndarray | None = None
               ) -> BatchKeys:
    """Hash the keys of the rows ``valid_rows`` (``values[codes]`` when dictionary-encoded).

    DuckDB's hash of the text: vectorised, about 25 times faster than pandas'.
    """
    connection = getattr(_local, "connection", None)
    if connection is None:
        connection = _local.connection = duckdb.connect()
    text = values if pa.types.is_string(values.type) else pc.cast(values, pa.string())
    keys = pa.table({"v": text})  # noqa: F841 - read by the query below
    hashes = connection.sql("SELECT hash(v) AS h FROM keys").fetchnumpy()["h"]
    if codes is not None:
        hashes = hashes[codes] if len(hashes) else np.zeros(len(codes), dtype=np.uint64)
    rows = np.flatnonzero(valid_rows)
    held = hashes[rows]
    return BatchKeys(rows=rows, keys=held, ordered=np.sort(held))


class SeenKeys:
    """Hashes of the keys seen so far, in one sorted array (8 bytes a key)."""

    def __init__(self) -> None:
        self._keys = np.empty(0, dtype=np.uint64)

    def duplicates(self, batch: BatchKeys) -> np.ndarray:
        """Rows of the batch whose key appeared in an earlier row (this batch's or before).

        The batch's sorted keys find the few that repeat or were seen before (one binary
        search that walks the seen keys once, as the keys are sorted) and are merged into the
        seen ones (one linear pass); only the rows holding a repeated key are then put in row
        order. Batches must come in order.
        """
        rows, keys, ordered = batch.rows, batch.keys, batch.ordered
        if not len(rows):
            return rows
        repeats = ordered[1:] == ordered[:-1]
        distinct = ordered[np.concatenate([[True], ~repeats])]
        at = np.searchsorted(self._keys, distinct)
        seen = self._keys[np.minimum(at, len(self._keys) - 1)] == distinct if \
            len(self._keys) else np.zeros(len(distinct), dtype=bool)
        earlier = distinct[seen]
        self._keys = np.insert(self._keys, at[~seen], distinct[~seen])
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
