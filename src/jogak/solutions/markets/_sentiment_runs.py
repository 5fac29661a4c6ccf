"""Sentiment commands in one call each: train on a labelled file, score headlines."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted

from jogak.data import load
from jogak.errors import SchemaError, TargetError
from jogak.models._artifacts import save_bundle
from jogak.solutions.markets._bundles import load_markets_object
from jogak.solutions.markets._sentiment import (
    SENTIMENT_LABELS,
    SentimentClassifier,
    score_texts,
)
from jogak.solutions.markets._sentiment_daily import daily_sentiment

__all__ = ["SentimentRun", "SentimentScores", "held_out_split", "load_sentiment_model",
           "save_sentiment_model", "score_sentiment_source", "sentiment_metrics",
           "train_sentiment_source"]

BUNDLE_KIND = "jogak-markets-sentiment"


def held_out_split(labels: Any, *, test_size: float = 0.2,
                   random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Row positions of a stratified train / held-out split (fixed seed).

    Examples
    --------
    >>> labels = ["a"] * 8 + ["b"] * 2
    >>> train, test = held_out_split(labels, test_size=0.5)
    >>> len(train), len(test), sorted(np.asarray(labels)[test].tolist())
    (5, 5, ['a', 'a', 'a', 'a', 'b'])
    """
    labels = np.asarray(labels, dtype=object)
    if not 0.0 < test_size < 1.0:
        raise TargetError(f"test_size must be in (0, 1), got {test_size!r}.")
    positions = np.arange(len(labels))
    try:
        train, test = train_test_split(positions, test_size=test_size, stratify=labels,
                                       random_state=random_state)
    except ValueError as exc:
        raise TargetError(f"Cannot split {len(labels)} labelled rows: {exc}. Hint: every "
                          "class needs at least two rows.") from exc
    return np.sort(train), np.sort(test)


def sentiment_metrics(y_true: Any, y_pred: Any) -> dict[str, Any]:
    """Accuracy, macro-F1, F1 per label and the confusion matrix (rows: true labels).

    Examples
    --------
    >>> m = sentiment_metrics(["positive", "neutral", "negative", "neutral"],
    ...                       ["positive", "neutral", "neutral", "neutral"])
    >>> m["accuracy"], round(m["macro_f1"], 4)
    (0.75, 0.6)
    """
    truth = np.asarray(y_true, dtype=object)
    pred = np.asarray(y_pred, dtype=object)
    labels = list(SENTIMENT_LABELS)
    per_label = f1_score(truth, pred, labels=labels, average=None, zero_division=0.0)
    return {"n": len(truth), "accuracy": float(accuracy_score(truth, pred)),
            "macro_f1": float(f1_score(truth, pred, labels=labels, average="macro",
                                       zero_division=0.0)),
            "f1": dict(zip(labels, map(float, per_label), strict=True)),
            "confusion": {"labels": labels,
                          "matrix": confusion_matrix(truth, pred, labels=labels).tolist()}}


def _column(frame: pd.DataFrame, name: str, role: str) -> pd.Series:
    if name not in frame.columns:
        raise SchemaError(f"The {role} column {name!r} is not among {list(frame.columns)}. "
                          f"Hint: pass --{role} <column>.")
    return frame[name]


@dataclass(frozen=True)
class SentimentRun:
    """A trained classifier, its held-out metrics, and where it was saved."""

    classifier: SentimentClassifier
    metrics: dict[str, Any]
    saved: Path | None = None


def train_sentiment_source(source: str | Path | pd.DataFrame, *, text: str = "sentence",
                           label: str = "label",
                           model: Literal["tfidf", "embedding", "stacked", "tuned",
                                          "ensemble"] = "ensemble",
                           test_size: float = 0.2, random_state: int = 0, epochs: int = 3,
                           save: Path | None = None) -> SentimentRun:
    """Train on the labelled rows except a stratified held-out share, and score that share.

    Rows with an empty label (Financial PhraseBank's split record) are dropped. The saved
    model is the evaluated one (it never saw the held-out rows).

    Raises
    ------
    SchemaError
        A missing column.
    TargetError
        Labels other than negative / neutral / positive, or too few rows to split.
    """
    frame = source if isinstance(source, pd.DataFrame) else load(source)
    texts = _column(frame, text, "text")
    labels = _column(frame, label, "label")
    keep = labels.notna() & (labels.astype("string").str.strip() != "")
    texts, labels = texts[keep].reset_index(drop=True), labels[keep].reset_index(drop=True)
    labels = labels.astype("string").str.strip().str.lower()
    train, test = held_out_split(labels, test_size=test_size, random_state=random_state)
    classifier = SentimentClassifier(model=model, epochs=epochs, random_state=random_state)
    classifier.fit(texts.iloc[train], labels.iloc[train])
    metrics = {"model": model, "n_train": len(train), "test_size": test_size,
               "seed": random_state, **sentiment_metrics(
                   labels.iloc[test], classifier.predict(texts.iloc[test]))}
    saved = None if save is None else save_sentiment_model(classifier, save, metrics=metrics)
    return SentimentRun(classifier, metrics, saved)


def save_sentiment_model(classifier: SentimentClassifier, path: str | Path, *,
                         metrics: dict[str, Any] | None = None) -> Path:
    """Write a fitted classifier as a verified bundle (manifest + sha256)."""
    check_is_fitted(classifier, "classes_")
    manifest = {"kind": BUNDLE_KIND, "name": f"markets-sentiment-{classifier.model}",
                "task": "multiclass", "target": "sentiment",
                "params": {k: v for k, v in classifier.get_params().items()
                           if isinstance(v, str | int | float)},
                "seed": classifier.random_state, "held_out": dict(metrics or {})}
    return save_bundle(path, objects={"classifier": classifier}, manifest=manifest)


def load_sentiment_model(path: str | Path) -> SentimentClassifier:
    """Load a sentiment bundle after verifying its hashes and library versions.

    Raises
    ------
    BundleError
        Not a sentiment bundle, tampered with, or written by other library versions.
    """
    classifier: SentimentClassifier = load_markets_object(
        path, kind=BUNDLE_KIND, key="classifier", what="sentiment",
        command="jogak markets sentiment train DATA --save PATH")
    return classifier


@dataclass(frozen=True)
class SentimentScores:
    """Per-text scores and, when dates were given, the daily features."""

    scored: pd.DataFrame
    daily: pd.DataFrame | None

    def to_dict(self) -> dict[str, Any]:
        """Counts per label, mean score, and the daily features (JSON-ready)."""
        counts = self.scored["label"].value_counts()
        out: dict[str, Any] = {"n_texts": len(self.scored),
                               "counts": {x: int(counts.get(x, 0)) for x in SENTIMENT_LABELS},
                               "mean_score": float(self.scored["score"].mean())
                               if len(self.scored) else None}
        if self.daily is not None:
            daily = self.daily.reset_index()
            daily["day"] = daily["day"].astype(str)
            out["daily"] = daily.astype(object).where(daily.notna(), None).to_dict(
                orient="records")
        return out


def score_sentiment_source(model: str | Path, source: str | Path | pd.DataFrame, *,
                           text: str = "headline",
                           timestamp: str | None = None) -> SentimentScores:
    """Score the texts of a file with a saved classifier; aggregate by day when a
    ``timestamp`` column is named."""
    classifier = load_sentiment_model(model)
    frame = source if isinstance(source, pd.DataFrame) else load(source)
    texts = _column(frame, text, "text")
    scored = score_texts(classifier, texts.reset_index(drop=True))
    daily = None
    if timestamp is not None:
        scored.insert(0, "timestamp", _column(frame, timestamp, "date").to_numpy())
        daily = daily_sentiment(scored, timestamp="timestamp")
    return SentimentScores(scored, daily)
