"""The tokens of raw text values seen before, kept in Arrow and numpy instead of Python objects.

Event streams repeat their customer ids across batches; looking each one up in a Python dict
costs a Python string per row and a few hundred bytes per id. Here each remembered value is
one 64-bit hash (DuckDB's, vectorised), its raw text in an Arrow array and its token as fixed
width bytes, all in one array sorted by hash (new values are merged in, which costs a linear
pass and happens only while new ids keep arriving). A batch is looked up with one sort and
one binary search, and every hit is confirmed by comparing the raw text, so a hash collision
can cost a recomputed token but never a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["TokenMemo"]


@dataclass(frozen=True)
class _Run:
    hashes: np.ndarray  # sorted uint64
    texts: pa.Array  # raw text, aligned with hashes
    tokens: np.ndarray  # (n, width) uint8 ASCII hex, aligned
    missing: np.ndarray  # bool: the text means "missing" (its token is null)


class TokenMemo:
    """Remembered tokens of up to ``limit`` raw texts (then forgotten all at once).

    Parameters
    ----------
    width : int
        Bytes per token.
    limit : int
        Most texts kept: about 70 bytes each for short ids.
    """

    def __init__(self, width: int, limit: int) -> None:
        self.width = width
        self.limit = limit
        self._known: _Run | None = None
        self._connection: duckdb.DuckDBPyConnection | None = None

    def __len__(self) -> int:
        return 0 if self._known is None else len(self._known.hashes)

    def hash(self, texts: pa.Array) -> np.ndarray:
        """64-bit hashes of the texts (nulls hash too; callers skip them)."""
        if self._connection is None:
            self._connection = duckdb.connect()
        keys = pa.table({"v": texts})  # noqa: F841 - read by the query below
        return self._connection.sql("SELECT hash(v) AS h FROM keys").fetchnumpy()["h"]

    def lookup(self, texts: pa.Array, hashes: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Which texts are known, whether each known one means missing, and their tokens.

        Returns
        -------
        found, missing : ndarray of bool
        tokens : ndarray of uint8, shape (len(texts), width)
            Zero where not found.
        """
        n = len(texts)
        known = self._known
        if known is None or not n:
            return (np.zeros(n, dtype=bool), np.zeros(n, dtype=bool),
                    np.zeros((n, self.width), dtype=np.uint8))
        # in hash order: the known hashes, texts and tokens are then read front to back,
        # and only the (smaller) batch is read out of order
        order = np.argsort(hashes)
        ordered = hashes[order]
        at = np.minimum(np.searchsorted(known.hashes, ordered), len(known.hashes) - 1)
        hit = np.flatnonzero(known.hashes[at] == ordered)
        same = pc.equal(texts.take(pa.array(order[hit])), known.texts.take(pa.array(at[hit])))
        confirmed = hit[same.fill_null(False).to_numpy(zero_copy_only=False)]
        rows, entries = order[confirmed], at[confirmed]
        found = np.zeros(n, dtype=bool)
        missing = np.zeros(n, dtype=bool)
        tokens = np.zeros((n, self.width), dtype=np.uint8)
        found[rows] = True
        missing[rows] = known.missing[entries]
        tokens[rows] = known.tokens[entries]
        return found, missing, tokens

    def add(self, texts: pa.Array, hashes: np.ndarray, tokens: np.ndarray,
            missing: np.ndarray) -> None:
        """Remember distinct new texts (those whose hash is already taken are left out)."""
        if len(self) + len(texts) > self.limit:
            self._known = None
            if len(texts) > self.limit:
                return
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        keep = np.ones(len(ordered), dtype=bool)
        keep[1:] = ordered[1:] != ordered[:-1]
        known = self._known
        if known is not None:
            at = np.minimum(np.searchsorted(known.hashes, ordered), len(known.hashes) - 1)
            keep &= known.hashes[at] != ordered
        order = order[keep]
        if not len(order):
            return
        new = _Run(hashes=hashes[order], texts=texts.take(pa.array(order)),
                   tokens=tokens[order], missing=missing[order])
        self._known = new if known is None else _merge(known, new)


def _merge(first: _Run, second: _Run) -> _Run:
    """Two runs sorted by hash as one: each value's place follows from one binary search."""
    total = len(first.hashes) + len(second.hashes)
    places = np.searchsorted(first.hashes, second.hashes) + np.arange(len(second.hashes))
    from_first = np.ones(total, dtype=bool)
    from_first[places] = False
    order = np.empty(total, dtype=np.int64)
    order[from_first] = np.arange(len(first.hashes))
    order[places] = len(first.hashes) + np.arange(len(second.hashes))
    hashes = np.empty(total, dtype=first.hashes.dtype)
    hashes[from_first], hashes[places] = first.hashes, second.hashes
    tokens = np.empty((total, first.tokens.shape[1]), dtype=first.tokens.dtype)
    tokens[from_first], tokens[places] = first.tokens, second.tokens
    missing = np.empty(total, dtype=bool)
    missing[from_first], missing[places] = first.missing, second.missing
    texts = pa.concat_arrays([first.texts, second.texts]).take(pa.array(order))
    return _Run(hashes=hashes, texts=texts, tokens=tokens, missing=missing)
