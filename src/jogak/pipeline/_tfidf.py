"""A fitted TfidfVectorizer's transform without scikit-learn's per-n-gram Python loop.

scikit-learn builds every n-gram string of every document and looks each one up in the
vocabulary: a sentence's character 2-4-grams are some 300 slices and dict lookups, 1.6e-4 s a
row. Here a document is split once; a word's in-vocabulary character n-grams are computed the
first time the word is met and kept (``CACHE_WORDS`` words at most), word n-grams are looked up
as tuples of tokens, and the batch is counted with numpy. The counts are scikit-learn's, and
the sublinear tf, idf and l2 norm are TfidfTransformer's operations in its order, so
``CompiledTfidf(v).transform(docs)`` equals ``v.transform(docs)`` value for value.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections import Counter
from itertools import chain, repeat
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

__all__ = ["CACHE_WORDS", "CompiledTfidf", "compile_tfidf"]

CACHE_WORDS = 1 << 16
"""Distinct words whose character n-gram indices a CompiledTfidf keeps (then computed per call)."""

_DEFAULT_TOKENS = r"(?u)\b\w\w+\b"
_EMPTY = np.empty(0, dtype=np.intp)


def _found(lookup: Any, keys: Any, n_keys: int) -> np.ndarray:
    """Vocabulary index of each key, -1 where it is not in the vocabulary."""
    return np.fromiter(map(lookup, keys, repeat(-1)), dtype=np.intp, count=n_keys)


class CompiledTfidf:
    """The transform of one fitted word or char_wb TfidfVectorizer (see :func:`compile_tfidf`)."""

    def __init__(self, vectorizer: TfidfVectorizer, *, word_only: bool = False) -> None:
        self.word_only = word_only
        self.n_terms = len(vectorizer.vocabulary_)
        self.ngram_range = tuple(int(n) for n in vectorizer.ngram_range)
        self.is_char = vectorizer.analyzer == "char_wb"
        self.idf = np.asarray(vectorizer.idf_, dtype=np.float64) if vectorizer.use_idf else None
        self.sublinear = bool(vectorizer.sublinear_tf)
        self.binary = bool(vectorizer.binary)
        self.norm = vectorizer.norm
        self.dtype = vectorizer.dtype
        self.tokens = re.compile(vectorizer.token_pattern)
        self.words: dict[str, np.ndarray] = {}
        self.word_lists: dict[str, list[int]] = {}  # the single-row path's cache
        if self.is_char:
            self.vocabulary = dict(vectorizer.vocabulary_)
        else:
            self.terms = dict(vectorizer.vocabulary_)  # "w1 w2" -> index, for one document
            self._index_word_terms(vectorizer.vocabulary_)

    def _index_word_terms(self, vocabulary: dict[str, int]) -> None:
        # tokens hold no spaces, so a term splits back into its tokens; an n-gram of token ids
        # t1..tn is the integer sum(t_k * n_tokens ** (n - k)), looked up by binary search
        split = {term: term.split(" ") for term in vocabulary}
        self.vocabulary = {token: k for k, token in enumerate(
            dict.fromkeys(token for parts in split.values() for token in parts))}
        n_tokens = len(self.vocabulary)
        self.base = max(n_tokens, 1)
        unigrams = np.full(n_tokens + 1, -1, dtype=np.intp)  # the last entry: unknown token
        keys: dict[int, list[tuple[int, int]]] = {}
        for term, parts in split.items():
            ids = [self.vocabulary[token] for token in parts]
            if len(ids) == 1:
                unigrams[ids[0]] = vocabulary[term]
                continue
            key = 0
            for token_id in ids:
                key = key * self.base + token_id
            keys.setdefault(len(ids), []).append((key, vocabulary[term]))
        self.unigrams = unigrams
        self.ngrams = {}
        for n, pairs in keys.items():
            pairs.sort()
            self.ngrams[n] = (np.array([key for key, _ in pairs], dtype=np.int64),
                              np.array([index for _, index in pairs], dtype=np.intp))

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "words": {}, "word_lists": {}}  # caches: refilled on use

    # ------------------------------------------------------------ one document

    def indices(self, doc: str) -> np.ndarray:
        """Vocabulary indices of the document's n-grams (repeats kept, unsorted)."""
        words = doc.split()
        if self.is_char:
            if not words:
                return _EMPTY
            return np.concatenate([self._char_grams(word) for word in words])
        _, cols = self._word_entries([doc], [words])
        return cols

    def _char_grams(self, word: str) -> np.ndarray:
        cached = self.words.get(word)
        if cached is not None:
            return cached
        padded = f" {word} "
        size = len(padded)
        grams: list[str] = []
        for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
            if size <= n:  # a short word counts once, as scikit-learn's _char_wb_ngrams does
                grams.append(padded)
                break
            grams.extend([padded[i:i + n] for i in range(size - n + 1)])
        found = _found(self.vocabulary.get, grams, len(grams))
        found = found[found >= 0]
        if len(self.words) < CACHE_WORDS:
            self.words[word] = found
        return found

    def counts(self, doc: str) -> Counter[int]:
        """Vocabulary index -> count of one document's n-grams, in plain Python.

        The single-row path: for one text, dicts and lists beat numpy's per-call overhead
        (a 20-character text took 0.2 ms through the array code, 0.02 ms here).
        """
        words = doc.split()
        if self.is_char:
            return Counter(chain.from_iterable(map(self._char_list, words)))
        tokens = [word for word in words if len(word) > 1] if self.word_only else \
            self.tokens.findall(doc)
        terms = self.terms
        low, high = self.ngram_range
        found: list[int | None] = []
        for n in range(low, high + 1):
            if n == 1:
                found.extend(map(terms.get, tokens))
            else:
                found.extend(terms.get(" ".join(tokens[i:i + n]))
                             for i in range(len(tokens) - n + 1))
        return Counter(index for index in found if index is not None)

    def _char_list(self, word: str) -> list[int]:
        cached = self.word_lists.get(word)
        if cached is None:
            cached = self._char_grams(word).tolist()
            if len(self.word_lists) < CACHE_WORDS:
                self.word_lists[word] = cached
        return cached

    # ------------------------------------------------------------ many documents

    def transform(self, docs: Any, words: list[list[str]] | None = None) -> sp.csr_matrix:
        """TF-IDF of ``docs`` (strings) as a CSR matrix, like ``vectorizer.transform(docs)``.

        ``words``: ``[doc.split() for doc in docs]`` if the caller has it already.
        """
        docs = list(docs)
        if words is None:
            words = [doc.split() for doc in docs]
        if self.is_char:
            counts = self._char_counts(words)
        else:
            rows, cols = self._word_entries(docs, words)
            counts = sp.coo_matrix((np.ones(cols.size), (rows, cols)),
                                   shape=(len(docs), self.n_terms)).tocsr()  # sums repeats
        return self.weigh(counts)

    def weigh(self, counts: sp.csr_matrix) -> sp.csr_matrix:
        """TfidfTransformer's steps on a count matrix with sorted, distinct indices, in place."""
        matrix = counts.astype(self.dtype, copy=False)
        if self.binary:
            matrix.data.fill(1)
        if self.sublinear:
            np.log(matrix.data, matrix.data)
            matrix.data += 1.0
        if self.idf is not None:
            matrix.data *= self.idf[matrix.indices]
        if self.norm is not None:
            matrix = normalize(matrix, norm=self.norm, copy=False)
        return sp.csr_matrix(matrix)

    def _char_counts(self, split: list[list[str]]) -> sp.csr_matrix:
        # counts = (documents x distinct words) @ (distinct words x n-grams): scipy's sparse
        # product accumulates without sorting every n-gram occurrence
        word_rows = np.zeros(len(split) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, split), dtype=np.int64, count=len(split)),
                  out=word_rows[1:])
        flat = list(chain.from_iterable(split))
        position = {word: k for k, word in enumerate(dict.fromkeys(flat))}
        word_ids = np.fromiter(map(position.__getitem__, flat), dtype=np.int64,
                               count=len(flat))
        grams = [self._char_grams(word) for word in position]
        gram_rows = np.zeros(len(grams) + 1, dtype=np.int64)
        np.cumsum(np.fromiter(map(len, grams), dtype=np.int64, count=len(grams)),
                  out=gram_rows[1:])
        table = np.concatenate(grams) if grams else _EMPTY
        occurrences = sp.csr_matrix((np.ones(word_ids.size), word_ids, word_rows),
                                    shape=(len(split), len(grams)))
        ngrams = sp.csr_matrix((np.ones(table.size), table, gram_rows),
                               shape=(len(grams), self.n_terms))
        counts = sp.csr_matrix(occurrences @ ngrams)
        counts.sort_indices()
        return counts

    def _word_entries(self, docs: list[str],
                      words: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        split = words if self.word_only else [self.tokens.findall(doc) for doc in docs]
        n_tokens = np.fromiter(map(len, split), dtype=np.intp, count=len(docs))
        flat = list(chain.from_iterable(split))
        ids = _found(self.vocabulary.get, flat, len(flat))
        doc_of_token = np.repeat(np.arange(len(docs)), n_tokens)
        if self.word_only:  # the token pattern's words: runs of two or more word characters
            long = np.fromiter(map(len, flat), dtype=np.intp, count=len(flat)) > 1
            ids, doc_of_token = ids[long], doc_of_token[long]
        rows, cols = [], []
        for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
            n_grams = ids.size - n + 1
            if n_grams <= 0:
                break
            if n == 1:
                found = self.unigrams[ids]
            elif n in self.ngrams:
                found = self._lookup(ids, n)
            else:
                continue
            first = doc_of_token[:n_grams]
            keep = (found >= 0) & (first == doc_of_token[n - 1:])  # not across two documents
            rows.append(first[keep])
            cols.append(found[keep])
        if not cols:
            return _EMPTY, _EMPTY
        return np.concatenate(rows), np.concatenate(cols)

    def _lookup(self, ids: np.ndarray, n: int) -> np.ndarray:
        n_grams = ids.size - n + 1
        known = np.ones(n_grams, dtype=bool)
        key = np.zeros(n_grams, dtype=np.int64)
        for k in range(n):
            part = ids[k:k + n_grams]
            known &= part >= 0
            key = key * self.base + part
        terms, indices = self.ngrams[n]
        where = np.minimum(np.searchsorted(terms, key), terms.size - 1)
        return np.where(known & (terms[where] == key), indices[where], -1)


# one compiled transform per fitted vectorizer object: preprocessors that share a vectorizer
# (the folds of a search, see FoldCache) share its word cache and its memo entry
_COMPILED: weakref.WeakKeyDictionary[Any, dict[bool, CompiledTfidf]] = \
    weakref.WeakKeyDictionary()
_COMPILED_LOCK = threading.Lock()


def compile_tfidf(vectorizer: Any, *, word_only: bool = False) -> CompiledTfidf | None:
    """The compiled transform of a fitted TfidfVectorizer as :class:`TextFeatures` builds it.

    ``word_only``: every document will be runs of word characters (``\\w``) separated by
    whitespace (as :func:`clean_text` leaves them after removing ``[^\\w\\s]``), so the
    token pattern's words are the whitespace-split words of two or more characters.
    Returns None for settings it does not reproduce (other analysers or tokenisers, stop words,
    lowercasing or accent stripping, a fixed vocabulary, a norm other than l2 or None).
    """
    if type(vectorizer) is not TfidfVectorizer or not hasattr(vectorizer, "idf_"):
        return None
    plain = (vectorizer.input == "content" and vectorizer.preprocessor is None
             and vectorizer.tokenizer is None and vectorizer.stop_words is None
             and not vectorizer.lowercase and vectorizer.strip_accents is None
             and vectorizer.norm in ("l2", None))
    if not plain or vectorizer.analyzer not in ("word", "char_wb"):
        return None
    if vectorizer.analyzer == "word":
        if vectorizer.token_pattern != _DEFAULT_TOKENS:
            return None
        split = [term.split(" ") for term in vectorizer.vocabulary_]
        n_tokens = len({token for parts in split for token in parts})
        if max(n_tokens, 1) ** max(map(len, split), default=1) >= 2 ** 62:  # int64 n-gram keys
            return None
    with _COMPILED_LOCK:
        known = _COMPILED.setdefault(vectorizer, {})
        if word_only not in known:
            known[word_only] = CompiledTfidf(vectorizer, word_only=word_only)
        return known[word_only]
