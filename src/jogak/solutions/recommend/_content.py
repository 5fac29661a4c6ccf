"""Content-based item representation from synopses: TF-IDF, NMF topics, sentence embeddings."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.decomposition import NMF
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.recommend._collaborative_base import single_blas_thread
from jogak.solutions.recommend._embeddings import SentenceEncoder
from jogak.solutions.recommend._text import Analyzer, clean_texts, make_vectorizer, resolve_analyzer

__all__ = ["ContentModel", "Encoder"]

Encoder = Literal["tfidf", "embedding", "both"]


class ContentModel(BaseEstimator):
    """Represent items by their synopses; score items against queries, items and profiles.

    Parameters
    ----------
    encoder : {"tfidf", "embedding", "both"}, default="tfidf"
        ``tfidf``: word (or Korean morpheme / character n-gram) TF-IDF cosine. ``embedding``:
        all-MiniLM-L6-v2 sentence embeddings (English; shipped in a wheel, loaded offline).
        ``both``: a weighted sum of the two cosines.
    analyzer : {"auto", "word", "char", "kiwi"}, default="auto"
        How TF-IDF splits text; ``auto`` picks Korean morphemes (kiwipiepy) or character
        2–3-grams when at least 30 % of the letters are Hangul, English words otherwise.
    n_topics : int, default=20
        NMF topics learned on the TF-IDF matrix (capped by the number of non-empty texts).
    embedding_weight : float, default=0.7
        Weight of the embedding cosine with ``encoder="both"``.
    embedding_cache : str or Path, optional
        Folder where embeddings of a catalogue are kept and reused (see
        :class:`SentenceEncoder`); only ``fit`` uses it.
    random_state : int, default=0

    Attributes
    ----------
    vectorizer_ : sklearn.feature_extraction.text.TfidfVectorizer
    item_tfidf_ : scipy.sparse.csr_matrix of shape (n_items, n_terms)
        L2-normalised rows; an empty synopsis is a zero row.
    item_embeddings_ : numpy.ndarray of shape (n_items, 384) or None
    sentence_encoder_ : SentenceEncoder
        Loads the transformer on first use (queries of an embedding model).
    topic_model_ : sklearn.decomposition.NMF or None
    item_topics_ : numpy.ndarray of shape (n_items, n_topics_)
        Topic shares of each item (rows sum to 1, zeros for an empty synopsis).
    topic_labels_ : list of str
        The three heaviest words of each topic, e.g. ``"murder · detective · killer"``.
    has_text_ : numpy.ndarray of bool, shape (n_items,)
    analyzer_ : str
        The analyser used after resolving ``auto``.

    Examples
    --------
    >>> texts = ["a detective hunts a serial killer", "a killer stalks a detective",
    ...          "two chefs open a restaurant", "a chef cooks for a restaurant critic"]
    >>> model = ContentModel(n_topics=2).fit(texts)
    >>> int(model.query_scores(["murder detective"]).argmax())
    0
    """

    def __init__(self, *, encoder: Encoder = "tfidf", analyzer: Analyzer = "auto",
                 n_topics: int = 20, embedding_weight: float = 0.7,
                 embedding_cache: str | Path | None = None, random_state: int = 0) -> None:
        self.encoder = encoder
        self.analyzer = analyzer
        self.n_topics = n_topics
        self.embedding_weight = embedding_weight
        self.embedding_cache = embedding_cache
        self.random_state = random_state

    def _validate_params(self) -> None:
        if self.encoder not in get_args(Encoder):
            raise ConfigError(f"encoder must be one of {get_args(Encoder)}, got "
                              f"{self.encoder!r}.")
        if self.analyzer not in get_args(Analyzer):
            raise ConfigError(f"analyzer must be one of {get_args(Analyzer)}, got "
                              f"{self.analyzer!r}.")
        if isinstance(self.n_topics, bool) or not isinstance(self.n_topics, int) or \
                self.n_topics < 1:
            raise ConfigError(f"n_topics must be a positive integer, got {self.n_topics!r}.")
        if not 0.0 <= float(self.embedding_weight) <= 1.0:
            raise ConfigError(f"embedding_weight must be in [0, 1], got "
                              f"{self.embedding_weight!r}.")

    def fit(self, X: Sequence[object], y: object = None) -> ContentModel:
        """Learn TF-IDF, topics and (optionally) embeddings of one synopsis per item."""
        self._validate_params()
        texts = clean_texts(X)
        self.has_text_ = np.array([bool(text) for text in texts])
        n_text = int(self.has_text_.sum())
        if n_text == 0:
            raise SchemaError(f"All {len(texts)} synopses are empty; content-based "
                              "recommendation needs text. Hint: check --text-col, or train "
                              "without --items for collaborative filtering only.")
        self.analyzer_ = resolve_analyzer(self.analyzer, texts)
        self.vectorizer_ = make_vectorizer(self.analyzer_, n_text)
        present = [text for text in texts if text]
        try:
            self.vectorizer_.fit(present)
        except ValueError as exc:  # e.g. only stop words
            raise SchemaError(f"No terms left in the synopses after tokenising ({exc}). Hint: "
                              "use analyzer='char' for short or unusual text.") from exc
        self.item_tfidf_ = self._tfidf(texts)
        self._fit_topics()
        self.item_embeddings_ = None
        self.sentence_encoder_ = SentenceEncoder(cache_dir=self.embedding_cache)
        if self.encoder != "tfidf":
            self.item_embeddings_ = self.sentence_encoder_.encode(texts)
        return self

    def _tfidf(self, texts: Sequence[str]) -> sp.csr_matrix:
        matrix = self.vectorizer_.transform(list(texts))
        return sp.csr_matrix(normalize(matrix), dtype=np.float32)

    def _fit_topics(self) -> None:
        n_rows = int(self.has_text_.sum())
        k = max(1, min(int(self.n_topics), n_rows, self.item_tfidf_.shape[1]))
        self.topic_model_ = NMF(n_components=k, init="nndsvda", max_iter=200, tol=1e-3,
                                random_state=self.random_state)
        with single_blas_thread():
            weights = self.topic_model_.fit_transform(self.item_tfidf_)
        self.item_topics_ = _row_shares(weights).astype(np.float32)
        terms = self.vectorizer_.get_feature_names_out()
        self.topic_labels_ = [" · ".join(terms[np.argsort(row)[::-1][:3]])
                              for row in self.topic_model_.components_]

    # ------------------------------------------------------------ scoring

    def _weights(self) -> tuple[float, float]:
        if self.encoder == "tfidf" or self.item_embeddings_ is None:
            return 1.0, 0.0
        if self.encoder == "embedding":
            return 0.0, 1.0
        return 1.0 - float(self.embedding_weight), float(self.embedding_weight)

    def _score_vectors(self, tfidf: sp.csr_matrix | np.ndarray,
                       dense: np.ndarray | None) -> np.ndarray:
        w_text, w_dense = self._weights()
        scores = np.zeros((tfidf.shape[0], self.item_tfidf_.shape[0]), dtype=np.float32)
        if w_text:
            # (items × terms) @ dense (terms × rows): no sparse transpose or sparse product
            dense_rows = tfidf if isinstance(tfidf, np.ndarray) else tfidf.toarray()
            scores += w_text * np.asarray(self.item_tfidf_ @ dense_rows.T).T
        if w_dense and dense is not None:
            scores += w_dense * (dense @ self.item_embeddings_.T)
        return scores

    def query_scores(self, queries: Sequence[str]) -> np.ndarray:
        """Cosine of each query with each item, shape (n_queries, n_items)."""
        check_is_fitted(self)
        texts = clean_texts(queries)
        dense = None
        if self._weights()[1]:
            dense = self.sentence_encoder_.encode(texts)
        return self._score_vectors(self._tfidf(texts), dense)

    def profile_scores(self, weights: Any) -> np.ndarray:
        """Cosine of each weighted item profile with each item, shape (n_rows, n_items).

        Parameters
        ----------
        weights : sparse matrix of shape (n_rows, n_items)
            Each row: how much each item counts in the profile (e.g. a user's ratings).
        """
        check_is_fitted(self)
        weights = sp.csr_matrix(weights, dtype=np.float32)
        # terms × rows: the transposed products keep both operands in their stored layout
        tfidf = _unit_rows(np.asarray(self.item_tfidf_.T @ weights.T.toarray()).T)
        dense = None
        if self.item_embeddings_ is not None and self._weights()[1]:
            dense = _unit_rows(np.asarray(weights @ self.item_embeddings_))
        return self._score_vectors(tfidf, dense)

    def pairwise_similarity(self, items: np.ndarray) -> np.ndarray:
        """Content cosine between the given items, shape (len(items), len(items))."""
        check_is_fitted(self)
        items = np.asarray(items, dtype=np.int64)
        w_text, w_dense = self._weights()
        block = self.item_tfidf_[items]
        used, columns = np.unique(block.indices, return_inverse=True)  # only the terms present
        compact = sp.csr_matrix((block.data, columns.ravel(), block.indptr),
                                shape=(block.shape[0], used.size))
        sim = w_text * (compact @ compact.T).toarray()
        if w_dense:
            dense = self.item_embeddings_[items]
            sim = sim + w_dense * (dense @ dense.T)
        return sim.astype(np.float32)

    def query_topics(self, queries: Sequence[str]) -> np.ndarray:
        """Topic shares of free-text queries, shape (n_queries, n_topics_)."""
        check_is_fitted(self)
        with single_blas_thread():
            weights = self.topic_model_.transform(self._tfidf(clean_texts(queries)))
        return _row_shares(weights).astype(np.float32)

    @property
    def dominant_topic_(self) -> np.ndarray:
        """Each item's heaviest topic, or -1 for an empty synopsis."""
        check_is_fitted(self)
        if getattr(self, "_dominant", None) is None:
            top = self.item_topics_.argmax(axis=1)
            self._dominant = np.where(self.item_topics_.sum(axis=1) > 0, top, -1)
        return self._dominant

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "item_tfidf_")


def _row_shares(weights: np.ndarray) -> np.ndarray:
    totals = weights.sum(axis=1, keepdims=True)
    return np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero), as float32."""
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
