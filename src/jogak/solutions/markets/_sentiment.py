"""Financial news sentiment: negative / neutral / positive, trained on Financial PhraseBank.

From the floor up: TF-IDF + logistic regression; packaged sentence embeddings
(all-MiniLM-L6-v2) + logistic regression; the two stacked; the packaged MiniLM with its top
layers fine-tuned; and the soft vote of the fine-tuned MiniLM and TF-IDF. Everything runs
offline on a CPU.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline, make_union
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError, TargetError
from jogak.models._optional import require
from jogak.pipeline import as_text_list
from jogak.pipeline._sentence import SentenceEmbedder, _model_folder

__all__ = ["SENTIMENT_LABELS", "SENTIMENT_MODELS", "SentimentClassifier", "score_texts"]

SENTIMENT_LABELS = ("negative", "neutral", "positive")
SENTIMENT_MODELS = ("tfidf", "embedding", "stacked", "tuned", "ensemble")


def _texts(X: Any) -> list[str]:
    return as_text_list(X, reader="SentimentClassifier",
                        hint="pass the headline or sentence column.")


def _labels(y: Any, n_texts: int) -> np.ndarray:
    labels = pd.Series(np.asarray(y, dtype=object).ravel())
    if len(labels) != n_texts:
        raise TargetError(f"Got {n_texts} texts but {len(labels)} labels.")
    normalised = labels.map(lambda v: str(v).strip().lower() if isinstance(v, str) else v)
    unknown = sorted({str(v) for v in normalised if v not in SENTIMENT_LABELS})
    if unknown:
        raise TargetError(f"Sentiment labels must be {list(SENTIMENT_LABELS)}; got also "
                          f"{unknown[:5]}. Hint: map them, and drop rows without a label.")
    codes = normalised.map({label: k for k, label in enumerate(SENTIMENT_LABELS)})
    if codes.nunique() < 2:
        raise TargetError("Sentiment training needs at least two classes, got "
                          f"{sorted(set(normalised))}.")
    return codes.to_numpy(dtype="int64")


def _tfidf(C: float, random_state: int) -> Pipeline:
    # words and word pairs carry most of the signal ("rose", "fell", "no longer");
    # character n-grams add robustness to inflections and the PhraseBank's mojibake
    features = make_union(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, lowercase=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2))
    return Pipeline([("tfidf", features), ("model", LogisticRegression(
        C=C, max_iter=3000, random_state=random_state))])


class SentimentClassifier(ClassifierMixin, BaseEstimator):
    """Classify financial news sentences as negative, neutral or positive.

    Parameters
    ----------
    model : {"tfidf", "embedding", "stacked", "tuned", "ensemble"}, default "ensemble"
        ``tfidf``: word 1-2-gram and character 2-5-gram TF-IDF + logistic regression (the
        floor). ``embedding``: packaged all-MiniLM-L6-v2 sentence embeddings + logistic
        regression. ``stacked``: a logistic regression on the log-probabilities of the two,
        learned out of fold (``cv`` stratified folds). ``tuned``: the packaged MiniLM with its
        top ``n_tuned_layers`` encoder layers and a linear head fine-tuned (AdamW, linear
        decay), the lower layers frozen. ``ensemble``: the mean of the ``tuned`` and
        ``tfidf`` probabilities (equal weights; the two err on different sentences).
    C : float, default 30.0
        Inverse regularisation of the TF-IDF logistic regression.
    embedding_C : float, default 10.0
        Inverse regularisation of the embedding logistic regression.
    cv : int, default 5
        Folds for the stacked model's out-of-fold probabilities.
    embedder : str, default "all-MiniLM-L6-v2"
        Packaged model name or local sentence-transformers folder.
    n_tuned_layers : int, default 2
    epochs : int, default 3
    learning_rate : float, default 8e-5
        For the tuned layers; the head uses ``10 x`` this.
    batch_size : int, default 32
    max_length : int, default 64
        Word pieces per sentence (PhraseBank sentences average 31).
    n_threads : int, default 1
        PyTorch threads while embedding and fine-tuning (restored afterwards); on a busy
        machine one thread is faster than two.
    random_state : int, default 0

    Attributes
    ----------
    classes_ : ndarray of str
        ``["negative", "neutral", "positive"]``.
    tfidf_ : sklearn.pipeline.Pipeline
        The fitted TF-IDF model (``tfidf``, ``stacked`` and ``ensemble``).
    embedder_ : SentenceEmbedder
        (``embedding`` and ``stacked``).
    embedding_head_ : LogisticRegression
        The classifier on embeddings (``embedding`` and ``stacked``).
    stacker_ : LogisticRegression
        (``stacked``).
    tuned_state_ : dict of str to ndarray
        Weights of the fine-tuned layers and head (``tuned``); the frozen layers are re-read
        from the packaged model.
    history_ : list of dict
        Training loss per epoch (``tuned``).

    Examples
    --------
    >>> texts = ["Profit rose sharply .", "Sales fell .", "The office is in Espoo ."] * 4
    >>> labels = ["positive", "negative", "neutral"] * 4
    >>> model = SentimentClassifier(model="tfidf").fit(texts, labels)
    >>> model.predict(["Operating profit rose ."]).tolist()
    ['positive']
    """

    def __init__(self, *, model: Literal["tfidf", "embedding", "stacked", "tuned",
                                         "ensemble"] = "ensemble",
                 C: float = 30.0, embedding_C: float = 10.0, cv: int = 5,
                 embedder: str = "all-MiniLM-L6-v2", n_tuned_layers: int = 2, epochs: int = 3,
                 learning_rate: float = 8e-5, batch_size: int = 32, max_length: int = 64,
                 n_threads: int = 1, random_state: int = 0) -> None:
        self.model = model
        self.C = C
        self.embedding_C = embedding_C
        self.cv = cv
        self.embedder = embedder
        self.n_tuned_layers = n_tuned_layers
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_length = max_length
        self.n_threads = n_threads
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    def _check_params(self) -> None:
        if self.model not in SENTIMENT_MODELS:
            raise ConfigError(f"model must be one of {list(SENTIMENT_MODELS)}, got "
                              f"{self.model!r}.")
        for name in ("cv", "n_tuned_layers", "epochs", "batch_size", "max_length", "n_threads"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{name} must be an integer >= 1, got {value!r}.")
        if self.cv < 2:
            raise ConfigError(f"cv must be >= 2, got {self.cv}.")
        for name in ("C", "embedding_C", "learning_rate"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"{name} must be > 0, got {getattr(self, name)!r}.")

    def _torch_threads(self) -> tuple[Any, int]:
        torch = require("torch", extra="deep", purpose="sentence embeddings and fine-tuning")
        previous = torch.get_num_threads()
        torch.set_num_threads(int(self.n_threads))
        return torch, previous

    def fit(self, X: Any, y: Any) -> SentimentClassifier:
        """Fit on texts ``X`` and labels ``y`` (negative / neutral / positive)."""
        self._check_params()
        texts = _texts(X)
        target = _labels(y, len(texts))
        self.classes_ = np.asarray(SENTIMENT_LABELS, dtype=object)
        if self.model in ("tfidf", "stacked", "ensemble"):
            self.tfidf_ = _tfidf(self.C, self.random_state).fit(texts, target)
        if self.model == "tfidf":
            return self
        torch, previous = self._torch_threads()
        try:
            if self.model in ("tuned", "ensemble"):
                self._fit_tuned(texts, target)
            else:
                self._fit_embedding(texts, target)
        finally:
            torch.set_num_threads(previous)
        return self

    def _fit_embedding(self, texts: list[str], target: np.ndarray) -> None:
        self.embedder_ = SentenceEmbedder(self.embedder, batch_size=64).fit(texts[:1])
        vectors = self.embedder_.transform(texts)
        head = LogisticRegression(C=self.embedding_C, max_iter=3000,
                                  random_state=self.random_state)
        self.embedding_head_ = clone(head).fit(vectors, target)
        if self.model != "stacked":
            return
        folds = StratifiedKFold(int(self.cv), shuffle=True, random_state=self.random_state)
        # out-of-fold probabilities, so the stacker learns how far each model is trusted
        # on texts it did not see (the embedder itself learns nothing)
        text_proba = cross_val_predict(_tfidf(self.C, self.random_state), np.asarray(
            texts, dtype=object), target, cv=folds, method="predict_proba")
        vector_proba = cross_val_predict(head, vectors, target, cv=folds,
                                         method="predict_proba")
        text_proba, vector_proba = (_full(self.tfidf_, text_proba),
                                    _full(self.embedding_head_, vector_proba))
        self.stacker_ = LogisticRegression(max_iter=3000, random_state=self.random_state).fit(
            _stack_inputs(text_proba, vector_proba), target)

    def _fit_tuned(self, texts: list[str], target: np.ndarray) -> None:
        import torch

        from jogak.solutions.markets._sentiment_net import TunedMiniLM, fit_tuned

        folder = str(_model_folder(str(self.embedder)))
        torch.manual_seed(int(self.random_state))  # the head's initial weights
        network = TunedMiniLM(folder, n_tuned=int(self.n_tuned_layers),
                              n_classes=len(SENTIMENT_LABELS), max_length=int(self.max_length))
        states = network.lower_states(texts, 64)
        self.history_ = fit_tuned(network, states, target, epochs=int(self.epochs),
                                  batch_size=int(self.batch_size),
                                  learning_rate=float(self.learning_rate),
                                  head_learning_rate=10 * float(self.learning_rate),
                                  weight_decay=0.01, seed=int(self.random_state))
        self.tuned_state_ = network.state()
        self.model_path_ = folder
        self._network_cache = network

    def _tuned_network(self) -> Any:
        network = getattr(self, "_network_cache", None)
        if network is None:
            from jogak.solutions.markets._sentiment_net import TunedMiniLM

            network = TunedMiniLM(str(_model_folder(str(self.embedder))),
                                  n_tuned=int(self.n_tuned_layers),
                                  n_classes=len(SENTIMENT_LABELS),
                                  max_length=int(self.max_length))
            network.load_state(self.tuned_state_)
            self._network_cache = network
        return network

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of negative, neutral, positive; shape ``(n_texts, 3)``."""
        check_is_fitted(self, "classes_")
        texts = _texts(X)
        if not texts:
            return np.zeros((0, len(SENTIMENT_LABELS)))
        if self.model == "tfidf":
            return _full(self.tfidf_, self.tfidf_.predict_proba(texts))
        torch, previous = self._torch_threads()
        try:
            if self.model in ("tuned", "ensemble"):
                from jogak.solutions.markets._sentiment_net import predict_tuned

                tuned = predict_tuned(self._tuned_network(), texts, 64)
                if self.model == "tuned":
                    return tuned
                return (tuned + _full(self.tfidf_, self.tfidf_.predict_proba(texts))) / 2.0
            vector_proba = _full(self.embedding_head_, self.embedding_head_.predict_proba(
                self.embedder_.transform(texts)))
        finally:
            torch.set_num_threads(previous)
        if self.model == "embedding":
            return vector_proba
        text_proba = _full(self.tfidf_, self.tfidf_.predict_proba(texts))
        return _full(self.stacker_, self.stacker_.predict_proba(_stack_inputs(text_proba,
                                                                              vector_proba)))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label per text."""
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_network_cache", None)
        return state


def _full(model: Any, proba: np.ndarray) -> np.ndarray:
    """Probabilities over all three labels (a label absent from training gets 0)."""
    out = np.zeros((len(proba), len(SENTIMENT_LABELS)))
    out[:, np.asarray(model.classes_, dtype="int64")] = proba
    return out


def _stack_inputs(*probabilities: np.ndarray) -> np.ndarray:
    return np.log(np.clip(np.hstack(probabilities), 1e-6, 1.0))


def score_texts(classifier: SentimentClassifier, texts: Sequence[str] | pd.Series
                ) -> pd.DataFrame:
    """Label, class probabilities and a score in [-1, 1] per text.

    The score is P(positive) - P(negative).

    Returns
    -------
    pandas.DataFrame
        Columns ``label, p_negative, p_neutral, p_positive, score``, one row per text (the
        index of ``texts`` when it is a Series).
    """
    proba = classifier.predict_proba(texts)
    index = texts.index if isinstance(texts, pd.Series) else pd.RangeIndex(len(proba))
    frame = pd.DataFrame(proba, columns=[f"p_{label}" for label in SENTIMENT_LABELS],
                         index=index)
    frame.insert(0, "label", np.asarray(SENTIMENT_LABELS, dtype=object)[proba.argmax(axis=1)]
                 if len(proba) else [])
    frame["score"] = frame["p_positive"] - frame["p_negative"]
    return frame
