"""One text column's TF-IDF (word and character n-grams side by side) in one compiled pass.

:class:`~jogak.pipeline._tfidf.CompiledTfidf` still builds Python objects per word and leaves
numpy and scipy to count, sort, weigh and stack some 900 entries per 300-character text: 6.8e-5 s
a row in a batch, 2e-4 s for one text (3.7e-5 and 8.8e-5 here). Here numba compiles the whole
of it: texts are read as arrays of code points, words are split and hashed, each n-gram is found
in an open-addressing table (and compared with the vocabulary term, so a hash collision cannot
count a wrong term), counted, weighed (sublinear tf, idf, l2 norm per vectorizer, in
scikit-learn's order) and written straight into one CSR matrix. The result equals
``TfidfVectorizer.transform`` of each vectorizer, stacked, to rounding (numba's ``log`` may
differ from numpy's in the last bit).

numba is optional (extra ``fast``): without it, or with ``JOGAK_NATIVE_TEXT=0``,
:func:`native_tfidf` returns None and the callers keep the CompiledTfidf path.
"""

from __future__ import annotations

import os
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import scipy.sparse as sp

from jogak.pipeline._clean_native import (
    astral_words,
    clean_codepoints,
    is_space,
    lower_bound,
    word_table,
)
from jogak.pipeline._tfidf import CompiledTfidf

__all__ = ["NativeTfidf", "native_serves", "native_tfidf"]

try:  # optional: the fast text path
    import numba
except ImportError:  # pragma: no cover - exercised where numba is not installed
    numba = None  # type: ignore[assignment]


_CHUNK_ROWS = 1024
"""Least texts a thread is given when a batch is split (below: one pass, no threads)."""
_POOL: list[ThreadPoolExecutor] = []
_POOL_LOCK = threading.Lock()


def _threads() -> int:
    """Threads for one batch: ``JOGAK_TEXT_THREADS``, else the CPU count (at most 4)."""
    asked = os.environ.get("JOGAK_TEXT_THREADS", "")
    if asked.strip().isdigit() and int(asked) >= 1:
        return int(asked)
    return min(os.cpu_count() or 1, 4)


def _pool() -> ThreadPoolExecutor:
    with _POOL_LOCK:
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(max_workers=_threads(),
                                            thread_name_prefix="jogak-text"))
        return _POOL[0]


def _enabled() -> bool:
    return numba is not None and os.environ.get("JOGAK_NATIVE_TEXT", "1") != "0"


def _codepoints(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """All texts' code points in one uint32 array, and where each text starts (n + 1)."""
    starts = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts)), out=starts[1:])
    joined = "".join(texts)
    # surrogatepass: a lone surrogate (text decoded with surrogateescape) is one code point
    chars = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32) \
        if joined else np.zeros(0, dtype=np.uint32)
    return chars, starts


class _Table:
    """Strings -> values in an open-addressing hash table, with the strings kept to compare."""

    def __init__(self, keys: list[str], values: np.ndarray) -> None:
        chars, starts = _codepoints(keys)
        self.chars, self.starts = chars, starts
        size = 1
        while size < 2 * max(len(keys), 1):
            size *= 2
        self.mask = np.uint64(size - 1)
        self.slots = _slots(_hashes(chars, starts), len(keys), size)  # entry index or -1
        self.values = np.asarray(values, dtype=np.int64)


if numba is not None:
    _jit = numba.njit(cache=True, nogil=True)

    _HASH_START = np.uint64(0xCBF29CE484222325)  # FNV-1a over code points

    @_jit
    def _hash_step(value: np.uint64, c: np.uint32) -> np.uint64:
        return (value ^ np.uint64(c)) * np.uint64(0x100000001B3)

    @_jit
    def _hash(chars: np.ndarray, start: int, stop: int) -> np.uint64:
        value = _HASH_START
        for k in range(start, stop):
            value = _hash_step(value, chars[k])
        return value

    @_jit
    def _hashes(chars: np.ndarray, starts: np.ndarray) -> np.ndarray:
        out = np.empty(starts.size - 1, dtype=np.uint64)
        for entry in range(out.size):
            out[entry] = _hash(chars, starts[entry], starts[entry + 1])
        return out

    @_jit
    def _find(value: np.uint64, window: np.ndarray, start: int, length: int,
              slots: np.ndarray, mask: np.uint64, keys: np.ndarray,
              key_starts: np.ndarray) -> int:
        """The entry of the string ``window[start:start + length]`` (hashed: ``value``), or -1."""
        slot = value & mask
        while True:
            entry = slots[slot]
            if entry == -1:
                return -1
            begin = key_starts[entry]
            if key_starts[entry + 1] - begin == length:
                same = True
                for k in range(length):
                    if keys[begin + k] != window[start + k]:
                        same = False
                        break
                if same:
                    return entry
            slot = (slot + np.uint64(1)) & mask

    @_jit
    def _next_word(chars: np.ndarray, position: int, stop: int) -> tuple[int, int]:
        """Where the next whitespace-separated word at or after ``position`` begins and ends."""
        while position < stop and is_space(chars[position]):
            position += 1
        begin = position
        while position < stop and not is_space(chars[position]):
            position += 1
        return begin, position

    @_jit
    def _push(grams: np.ndarray, n_grams: int, column: int) -> tuple[np.ndarray, int]:
        if n_grams == grams.size:
            grams = _grow(grams, 2 * n_grams)
        grams[n_grams] = column
        return grams, n_grams + 1

    @_jit
    def _radix_sort(values: np.ndarray, scratch: np.ndarray, passes: int) -> np.ndarray:
        """``values`` sorted, 8 bits a pass (one text's few hundred columns: no comparisons)."""
        n = values.size
        source, target = values, scratch[:n]
        buckets = np.empty(257, dtype=np.int64)
        for step in range(passes):
            shift = 8 * step
            buckets[:] = 0
            for k in range(n):
                buckets[((source[k] >> shift) & 255) + 1] += 1
            for b in range(1, 257):
                buckets[b] += buckets[b - 1]
            for k in range(n):
                b = (source[k] >> shift) & 255
                target[buckets[b]] = source[k]
                buckets[b] += 1
            source, target = target, source
        return source

    @_jit
    def _write(block: np.ndarray, idf: np.ndarray, offset: int, flags: np.ndarray,
               indices: np.ndarray, data: np.ndarray, at: int) -> int:
        """Weigh one vectorizer's sorted n-gram columns of one text (repeats: counts) into the
        CSR arrays from ``at``, as TfidfTransformer does: tf, 1 + log, idf, l2 norm."""
        binary, sublinear, use_idf, l2 = flags[0], flags[1], flags[2], flags[3]
        first = at
        total = 0.0
        k = 0
        while k < block.size:
            column = block[k]
            run = k + 1
            while run < block.size and block[run] == column:
                run += 1
            value = float(run - k)
            k = run
            if binary:
                value = 1.0
            if sublinear and value != 1.0:  # most n-grams occur once: 1 + log(1) is 1.0
                value = np.log(value) + 1.0
            if use_idf:
                value *= idf[column - offset]
            indices[at] = column
            data[at] = value
            total += value * value
            at += 1
        if l2 and total != 0.0:
            norm = np.sqrt(total)
            for j in range(first, at):
                data[j] /= norm
        return at

    @_jit
    def _grow(array: np.ndarray, need: int) -> np.ndarray:
        if need <= array.size:
            return array
        bigger = np.empty(max(need, 2 * array.size), dtype=array.dtype)
        bigger[:array.size] = array
        return bigger

    @_jit
    def _same(chars: np.ndarray, first: int, second: int, length: int) -> bool:
        for k in range(length):  # noqa: SIM110 - numba compiles loops, not generators
            if chars[first + k] != chars[second + k]:
                return False
        return True

    @_jit
    def _slots(hashes: np.ndarray, n_entries: int, size: int) -> np.ndarray:
        """An open-addressing table of ``size`` slots holding entries 0..n_entries-1."""
        slots = np.full(size, -1, dtype=np.int64)
        mask = np.uint64(size - 1)
        for entry in range(n_entries):
            slot = hashes[entry] & mask
            while slots[slot] != -1:
                slot = (slot + np.uint64(1)) & mask
            slots[slot] = entry
        return slots

    @_jit
    def _word_grams(chars: np.ndarray, begin: int, stop: int, window: np.ndarray,
                    slots: np.ndarray, mask: np.uint64, keys: np.ndarray,
                    key_starts: np.ndarray, columns: np.ndarray, low: int, high: int,
                    out: np.ndarray, n_out: int) -> tuple[np.ndarray, int]:
        """Append the columns of the character n-grams of " word " found in the vocabulary."""
        size = stop - begin + 2
        if window.size < size:  # the caller's buffer holds 64 code points
            window = np.empty(size, dtype=np.uint32)
        window[0] = 32
        window[1:size - 1] = chars[begin:stop]
        window[size - 1] = 32
        out = _grow(out, n_out + 3 * size + 1)
        if size < low:  # a short word counts once, whole (scikit-learn's _char_wb_ngrams)
            entry = _find(_hash(window, 0, size), window, 0, size, slots, mask, keys,
                          key_starts)
            if entry >= 0:
                out[n_out] = columns[entry]
                n_out += 1
            return out, n_out
        # every window of low..high characters, each start's hash extended a character at a time
        for i in range(size - low + 1):
            value = _HASH_START
            for n in range(1, min(high, size - i) + 1):
                value = _hash_step(value, window[i + n - 1])
                if n < low:
                    continue
                entry = _find(value, window, i, n, slots, mask, keys, key_starts)
                if entry >= 0:
                    if n_out == out.size:
                        out = _grow(out, 2 * n_out)
                    out[n_out] = columns[entry]
                    n_out += 1
        return out, n_out

    @_jit
    def _transform(chars: np.ndarray, doc_starts: np.ndarray, n_total: int,
                   word_on: bool, word_slots: np.ndarray, word_mask: np.uint64,
                   word_keys: np.ndarray, word_key_starts: np.ndarray,
                   unigrams: np.ndarray, word_low: int, word_high: int,
                   ngram_keys: np.ndarray, ngram_starts: np.ndarray, ngram_columns: np.ndarray,
                   base: np.int64, word_idf: np.ndarray, word_flags: np.ndarray,
                   char_on: bool, char_slots: np.ndarray, char_mask: np.uint64,
                   char_keys: np.ndarray, char_key_starts: np.ndarray,
                   char_columns: np.ndarray, char_low: int, char_high: int,
                   char_offset: int, char_idf: np.ndarray, char_flags: np.ndarray,
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        n_docs = doc_starts.size - 1
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        indices = np.empty(max(16, chars.size * 2), dtype=np.int32)
        data = np.empty(indices.size, dtype=np.float64)
        grams = np.empty(4096, dtype=np.int64)  # one text's n-gram columns, repeats kept
        scratch = np.empty(4096, dtype=np.int64)
        passes = 1
        while (1 << (8 * passes)) < n_total:
            passes += 1
        window = np.empty(max(64, char_high + 2), dtype=np.uint32)
        recent = np.full(max(word_high, 1), -1, dtype=np.int64)  # last token ids, newest last
        # the batch's distinct words (for character n-grams): where each first occurs, its
        # hash, and the columns of its n-grams in gram_cols[gram_starts[e]:gram_starts[e + 1]]
        seen_slots = np.full(1024, -1, dtype=np.int64)
        seen_mask = np.uint64(seen_slots.size - 1)
        seen_begin = np.empty(512, dtype=np.int64)
        seen_length = np.empty(512, dtype=np.int64)
        seen_hash = np.empty(512, dtype=np.uint64)
        gram_starts = np.zeros(513, dtype=np.int64)
        gram_cols = np.empty(4096, dtype=np.int64)
        n_seen_words = 0
        n_grams = 0
        at = 0
        for d in range(n_docs):
            start, stop = doc_starts[d], doc_starts[d + 1]
            n_touched = 0  # n-gram occurrences of this text so far
            if word_on:
                recent[:] = -1
                n_seen = 0
                position = start
                while position < stop:
                    begin, position = _next_word(chars, position, stop)
                    length = position - begin
                    if length < 2:  # the token pattern's words have two or more characters
                        continue
                    token = _find(_hash(chars, begin, position), chars, begin, length,
                                  word_slots, word_mask, word_keys, word_key_starts)
                    for k in range(recent.size - 1):
                        recent[k] = recent[k + 1]
                    recent[recent.size - 1] = token
                    n_seen += 1
                    for n in range(word_low, word_high + 1):
                        if n > n_seen:
                            break
                        if n == 1:
                            if token >= 0 and unigrams[token] >= 0:
                                grams, n_touched = _push(grams, n_touched, unigrams[token])
                            continue
                        key = np.int64(0)
                        known = True
                        for k in range(recent.size - n, recent.size):
                            if recent[k] < 0:
                                known = False
                                break
                            key = key * base + recent[k]
                        if not known:
                            continue
                        first, last = ngram_starts[n], ngram_starts[n + 1]
                        if first == last:
                            continue
                        where = first + lower_bound(ngram_keys[first:last], key)
                        if where < last and ngram_keys[where] == key:
                            grams, n_touched = _push(grams, n_touched, ngram_columns[where])
            word_end = n_touched
            if char_on:
                position = start
                while position < stop:
                    begin, position = _next_word(chars, position, stop)
                    if position == begin:
                        continue
                    # a word's n-grams are found once per batch, then repeated
                    value = _hash(chars, begin, position)
                    slot = value & seen_mask
                    while True:
                        entry = seen_slots[slot]
                        if entry == -1:
                            entry = n_seen_words
                            if entry == seen_begin.size:
                                seen_begin = _grow(seen_begin, 2 * entry)
                                seen_length = _grow(seen_length, 2 * entry)
                                seen_hash = _grow(seen_hash, 2 * entry)
                                gram_starts = _grow(gram_starts, 2 * entry + 1)
                            seen_begin[entry] = begin
                            seen_length[entry] = position - begin
                            seen_hash[entry] = value
                            gram_cols, n_grams = _word_grams(
                                chars, begin, position, window, char_slots, char_mask,
                                char_keys, char_key_starts, char_columns, char_low, char_high,
                                gram_cols, n_grams)
                            gram_starts[entry + 1] = n_grams
                            n_seen_words += 1
                            seen_slots[slot] = entry
                            if 2 * n_seen_words > seen_slots.size:
                                seen_slots = _slots(seen_hash, n_seen_words,
                                                     2 * seen_slots.size)
                                seen_mask = np.uint64(seen_slots.size - 1)
                            break
                        if seen_length[entry] == position - begin and \
                                _same(chars, seen_begin[entry], begin, position - begin):
                            break
                        slot = (slot + np.uint64(1)) & seen_mask
                    first, last = gram_starts[entry], gram_starts[entry + 1]
                    if n_touched + last - first > grams.size:
                        grams = _grow(grams, 2 * (n_touched + last - first))
                    grams[n_touched:n_touched + last - first] = gram_cols[first:last]
                    n_touched += last - first
            need = at + n_touched
            if need > indices.size:
                indices = _grow(indices, need)
                data = _grow(data, need)
            if scratch.size < n_touched:
                scratch = np.empty(2 * n_touched, dtype=np.int64)
            if word_on:
                block = _radix_sort(grams[:word_end], scratch, passes)
                at = _write(block, word_idf, 0, word_flags, indices, data, at)
            if char_on:
                block = _radix_sort(grams[word_end:n_touched], scratch, passes)
                at = _write(block, char_idf, char_offset, char_flags, indices, data, at)
            indptr[d + 1] = at
        return indptr, indices[:at].copy(), data[:at].copy()

else:  # pragma: no cover
    def _slots(*args: Any) -> Any:
        raise RuntimeError("numba is not installed")

    def _hashes(*args: Any) -> Any:
        raise RuntimeError("numba is not installed")


def _flags(compiled: CompiledTfidf) -> np.ndarray:
    return np.array([compiled.binary, compiled.sublinear, compiled.idf is not None,
                     compiled.norm == "l2"], dtype=np.bool_)


def _idf(compiled: CompiledTfidf) -> np.ndarray:
    return np.ones(1) if compiled.idf is None else np.asarray(compiled.idf, dtype=np.float64)


class NativeTfidf:
    """The stacked TF-IDF of one column's fitted vectorizers, compiled (see the module)."""

    def __init__(self, vectorizers: list[CompiledTfidf]) -> None:
        word = [v for v in vectorizers if not v.is_char]
        char = [v for v in vectorizers if v.is_char]
        self.n_terms = sum(v.n_terms for v in vectorizers)
        self.width = self.n_terms
        self._args = self._word_args(word[0] if word else None) + \
            self._char_args(char[0] if char else None, word[0].n_terms if word else 0)

    @staticmethod
    def _word_args(compiled: CompiledTfidf | None) -> tuple[Any, ...]:
        if compiled is None:
            empty = _Table([], np.zeros(0))
            return (False, empty.slots, empty.mask, empty.chars, empty.starts,
                    np.zeros(0, np.int64), 1, 1, np.zeros(0, np.int64), np.zeros(3, np.int64),
                    np.zeros(0, np.int64), np.int64(1), np.ones(1), np.zeros(4, np.bool_))
        tokens = _Table(list(compiled.vocabulary), np.arange(len(compiled.vocabulary)))
        low, high = compiled.ngram_range
        keys: list[np.ndarray] = []
        columns: list[np.ndarray] = []
        starts = [0] * (high + 2)
        for n in range(high + 1):
            starts[n] = sum(k.size for k in keys)
            if n >= 2 and n in compiled.ngrams:
                keys.append(compiled.ngrams[n][0])
                columns.append(compiled.ngrams[n][1])
        starts[high + 1] = sum(k.size for k in keys)
        return (True, tokens.slots, tokens.mask, tokens.chars, tokens.starts,
                np.asarray(compiled.unigrams[:-1], dtype=np.int64), int(low), int(high),
                np.concatenate(keys).astype(np.int64) if keys else np.zeros(0, np.int64),
                np.asarray(starts, dtype=np.int64),
                np.concatenate(columns).astype(np.int64) if columns else np.zeros(0, np.int64),
                np.int64(compiled.base), _idf(compiled), _flags(compiled))

    @staticmethod
    def _char_args(compiled: CompiledTfidf | None, offset: int) -> tuple[Any, ...]:
        if compiled is None:
            empty = _Table([], np.zeros(0))
            return (False, empty.slots, empty.mask, empty.chars, empty.starts,
                    np.zeros(0, np.int64), 1, 1, offset, np.ones(1), np.zeros(4, np.bool_))
        terms = list(compiled.vocabulary)
        table = _Table(terms, np.asarray([compiled.vocabulary[t] for t in terms]) + offset)
        low, high = compiled.ngram_range
        return (True, table.slots, table.mask, table.chars, table.starts, table.values,
                int(low), int(high), offset, _idf(compiled), _flags(compiled))

    def transform(self, docs: list[str], *, clean: bool = False) -> sp.csr_matrix:
        """The stacked TF-IDF of texts, as a CSR matrix with sorted indices.

        ``clean``: the texts are lowercased but not cleaned; apply the default clean-up
        (:mod:`~jogak.pipeline._clean_native`) first. Otherwise they are already clean.
        """
        n_chunks = min(_threads(), len(docs) // _CHUNK_ROWS)
        if n_chunks <= 1:
            indptr, indices, data = self._arrays(docs, clean)
        else:  # the compiled pass releases the GIL: chunks of the batch run side by side
            bounds = np.linspace(0, len(docs), n_chunks + 1).astype(int).tolist()
            parts = list(_pool().map(lambda span: self._arrays(docs[span[0]:span[1]], clean),
                                     zip(bounds[:-1], bounds[1:], strict=True)))
            indptr = np.zeros(len(docs) + 1, dtype=np.int64)
            at = 0
            for start, (part_indptr, _, _) in zip(bounds[:-1], parts, strict=True):
                indptr[start + 1:start + part_indptr.size] = part_indptr[1:] + at
                at += int(part_indptr[-1])
            indices = np.concatenate([part[1] for part in parts])
            data = np.concatenate([part[2] for part in parts])
        matrix = sp.csr_matrix((data, indices, indptr), shape=(len(docs), self.n_terms))
        matrix.has_sorted_indices = True
        return matrix

    def row(self, doc: str, *, clean: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Sorted term indices of one text and their weights (``clean`` as in transform)."""
        _, indices, data = self._arrays([doc], clean)
        return indices.astype(np.intp, copy=False), data

    def _arrays(self, docs: list[str], clean: bool
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        chars, starts = _codepoints(docs)
        if clean:
            chars, starts = clean_codepoints(chars, starts, word_table(), astral_words(chars))
        return _transform(chars, starts, self.n_terms, *self._args)


_NATIVE: weakref.WeakKeyDictionary[Any, tuple[tuple[int, ...], NativeTfidf]] = \
    weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def native_serves(vectorizers: list[Any]) -> bool:
    """Whether :func:`native_tfidf` serves these vectorizers (checked without building it)."""
    if not _enabled() or not vectorizers or \
            not all(isinstance(v, CompiledTfidf) for v in vectorizers):
        return False
    if [v.is_char for v in vectorizers] not in ([False], [True], [False, True]):
        return False
    return all(v.is_char or v.word_only for v in vectorizers)


def native_tfidf(vectorizers: list[Any]) -> NativeTfidf | None:
    """The compiled transform of one column's vectorizers (one per list of objects), or None.

    None without numba, with ``JOGAK_NATIVE_TEXT=0``, or for settings it does not reproduce:
    anything but CompiledTfidf objects, a word vectorizer on uncleaned text (``word_only``
    false: the token pattern is not a whitespace split), more than one vectorizer of a kind,
    the word vectorizer after the character one.
    """
    if not native_serves(vectorizers):
        return None
    key = tuple(id(v) for v in vectorizers)
    with _LOCK:
        known = _NATIVE.get(vectorizers[0])
        if known is None or known[0] != key:
            known = (key, NativeTfidf(vectorizers))
            _NATIVE[vectorizers[0]] = known
        return known[1]
