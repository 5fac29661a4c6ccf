"""Artist embeddings learned word2vec-style from credit co-occurrence (gensim Word2Vec)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError, SchemaError
from jogak.models._optional import require
from jogak.solutions.hits._names import split_names

__all__ = ["ArtistEmbedding", "credit_sentences"]


def credit_sentences(frame: pd.DataFrame, columns: Sequence[str]) -> list[list[str]]:
    """One "sentence" per song: its artist and credited people, as cleaned name keys.

    Artists who share writers, composers or arrangers appear in the same contexts, so the
    skip-gram model places them close together (what S1 did with artist names).
    """
    sentences = []
    for values in frame[list(columns)].itertuples(index=False):
        words: list[str] = []
        for value in values:
            for name in split_names(value):
                if name not in words:
                    words.append(name)
        if len(words) > 1:
            sentences.append(words)
    return sentences


class ArtistEmbedding(TransformerMixin, BaseEstimator):
    """Dense vectors of a song's artist, trained with gensim's Word2Vec (skip-gram).

    Parameters
    ----------
    artist_column : str, default "artist"
        The column whose vector is returned.
    context_columns : sequence of str
        Credit columns forming each song's co-occurrence context with its artist.
    vector_size : int, default 16
        Embedding dimensions.
    window : int, default 10
        Context window (covers a whole credit list).
    epochs : int, default 20
        Training passes.
    random_state : int, default 0
        Seed; training uses one worker thread so results repeat exactly.

    Attributes
    ----------
    vectors_ : dict of str to ndarray
        The learned vector of each artist key seen in the training rows.
    """

    def __init__(self, *, artist_column: str = "artist",
                 context_columns: Sequence[str] = ("lyric_writer", "composer", "arranger"),
                 vector_size: int = 16, window: int = 10, epochs: int = 20,
                 random_state: int = 0) -> None:
        self.artist_column = artist_column
        self.context_columns = context_columns
        self.vector_size = vector_size
        self.window = window
        self.epochs = epochs
        self.random_state = random_state

    def fit(self, X: pd.DataFrame, y: Any = None) -> ArtistEmbedding:
        """Train Word2Vec on the training rows' credit sentences."""
        if self.vector_size < 1 or self.window < 1 or self.epochs < 1:
            raise ConfigError(f"vector_size, window and epochs must be >= 1; got "
                              f"{self.vector_size}, {self.window}, {self.epochs}.")
        columns = [self.artist_column, *self.context_columns]
        missing = [c for c in columns if c not in X.columns]
        if missing:
            raise SchemaError(f"ArtistEmbedding needs column(s) {missing}; got "
                              f"{list(X.columns)}.")
        gensim_models = require("gensim.models", extra="hits", purpose="artist embeddings")
        sentences = credit_sentences(X, columns)
        self.vectors_: dict[str, np.ndarray] = {}
        if sentences:
            model = gensim_models.Word2Vec(
                sentences, vector_size=self.vector_size, window=self.window, min_count=1,
                sg=1, negative=5, sample=0.0, epochs=self.epochs, workers=1,
                seed=self.random_state)
            for artist in {n for v in X[self.artist_column] for n in split_names(v)}:
                if artist in model.wv:
                    self.vectors_[artist] = np.asarray(model.wv[artist], dtype=float)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """``artist_vec_0..k`` (mean over the artist's keys; zeros when unseen) and a flag."""
        check_is_fitted(self, "vectors_")
        if self.artist_column not in X.columns:
            raise SchemaError(f"ArtistEmbedding needs the column {self.artist_column!r}.")
        matrix = np.zeros((len(X), self.vector_size))
        known = np.zeros(len(X))
        for row, value in enumerate(X[self.artist_column]):
            found = [self.vectors_[n] for n in split_names(value) if n in self.vectors_]
            if found:
                matrix[row] = np.mean(found, axis=0)
                known[row] = 1.0
        out = pd.DataFrame(matrix, columns=[f"artist_vec_{i}" for i in range(self.vector_size)],
                           index=X.index)
        out["artist_has_vector"] = known
        return out

    def similarity(self, first: str, second: str) -> float:
        """Cosine similarity of two artists' vectors (names are cleaned first)."""
        check_is_fitted(self, "vectors_")
        keys = [next(iter(split_names(name)), "") for name in (first, second)]
        missing = [name for name, key in zip((first, second), keys, strict=True)
                   if key not in self.vectors_]
        if missing:
            raise ConfigError(f"No vector for {missing}: these artists were not in the "
                              "training songs.")
        a, b = self.vectors_[keys[0]], self.vectors_[keys[1]]
        return float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-12))
