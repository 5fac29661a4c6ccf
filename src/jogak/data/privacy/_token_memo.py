"""The tokens of raw text values seen before, kept in Arrow and numpy instead of Python objects.

Event streams repeat their customer ids across batches; looking each one up in a Python dict
costs a Python string per row and a few hundred bytes per id. Here each remembered value is
one 64-bit hash (DuckDB's, vectorised), its raw text in an Arrow array and its token as fixed
width bytes, in sorted runs merged like a binary counter (as an LSM tree does). A batch is
looked up with one sort and one binary search per run, and every hit is confirmed by comparing
the raw text, so a hash collision can cost a recomputed token but never a wrong one.
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
        self._runs: list[_Run] = []
        self._connection: duckdb.DuckDBPyConnection | None = None

    def __len__(self) -> int:
        return sum(len(run.hashes) for run in self._runs)

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
        found = np.zeros(n, dtype=bool)
        missing = np.zeros(n, dtype=bool)
        tokens = np.zeros((n, self.width), dtype=np.uint8)
        if not self._runs or not n:
            return found, missing, tokens
        order = np.argsort(hashes)  # sorted keys walk each run once
        ordered = hashes[order]
        entry = np.zeros(n, dtype=np.int64)
        run_of = np.full(n, -1, dtype=np.int16)
        for number, run in enumerate(self._runs):
            at = np.minimum(np.searchsorted(run.hashes, ordered), len(run.hashes) - 1)
            hit = run.hashes[at] == ordered
            entry[order[hit]] = at[hit]
            run_of[order[hit]] = number
        for number, run in enumerate(self._runs):
            # rows in row order: reads from the (small) run, writes in sequence
            if number == 0 and len(self._runs) == 1 and (run_of == 0).all():
                rows: np.ndarray | None = None
                entries, candidates = entry, texts
            else:
                rows = np.flatnonzero(run_of == number)
                if not len(rows):
                    continue
                entries, candidates = entry[rows], texts.take(pa.array(rows))
            same = pc.equal(candidates, run.texts.take(pa.array(entries)))
            same_text = same.fill_null(False).to_numpy(zero_copy_only=False)
            if rows is None and same_text.all():
                return same_text, run.missing[entries], run.tokens[entries]
            rows = np.flatnonzero(same_text) if rows is None else rows[same_text]
            entries = entries[same_text]
            found[rows] = True
            missing[rows] = run.missing[entries]
            tokens[rows] = run.tokens[entries]
        return found, missing, tokens

    def add(self, texts: pa.Array, hashes: np.ndarray, tokens: np.ndarray,
            missing: np.ndarray) -> None:
        """Remember distinct new texts (those whose hash is already taken are left out)."""
        if len(self) + len(texts) > self.limit:
            self._runs.clear()
            if len(texts) > self.limit:
                return
        order = np.argsort(hashes, kind="stable")
        ordered = hashes[order]
        keep = np.ones(len(ordered), dtype=bool)
        keep[1:] = ordered[1:] != ordered[:-1]
        for run in self._runs:
            at = np.minimum(np.searchsorted(run.hashes, ordered), len(run.hashes) - 1)
            keep &= run.hashes[at] != ordered
        order = order[keep]
        if not len(order):
            return
        new = _Run(hashes=hashes[order], texts=texts.take(pa.array(order)),
                   tokens=tokens[order], missing=missing[order])
        while self._runs and len(self._runs[-1].hashes) <= len(new.hashes):
            new = _merge(self._runs.pop(), new)
        self._runs.append(new)


def _merge(first: _Run, second: _Run) -> _Run:
    hashes = np.concatenate([first.hashes, second.hashes])
    order = np.argsort(hashes, kind="stable")
    texts = pa.concat_arrays([first.texts, second.texts]).take(pa.array(order))
    return _Run(hashes=hashes[order], texts=texts,
                tokens=np.concatenate([first.tokens, second.tokens])[order],
                missing=np.concatenate([first.missing, second.missing])[order])
