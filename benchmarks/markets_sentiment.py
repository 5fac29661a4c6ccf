"""Financial PhraseBank sentiment: every model on the same held-out 20 % of the 50 %-agreement set.

    .venv/bin/python benchmarks/markets_sentiment.py
    .venv/bin/python benchmarks/markets_sentiment.py --models tfidf,ensemble --epochs 3

Split: stratified, 20 % held out, seed 0 (``held_out_split``); the 4,846 labelled sentences of
``sentences_50agree.csv.gz``. Prints accuracy, macro-F1 and fit/predict seconds per model; the
``tfidf`` and ``embedding`` figures come from the stacked model's components, and ``tuned``
from the ensemble's (the same fitted models, so nothing is fitted twice). Writes JSON (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from jogak.solutions.markets import (
    SentimentClassifier,
    held_out_split,
    sentiment_metrics,
)
from jogak.solutions.markets._sentiment_net import predict_tuned

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("JOGAK_DATA_DIR", ROOT.parent / "shared" / "datasets"))
LABELS = np.asarray(["negative", "neutral", "positive"], dtype=object)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="stacked,ensemble")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("markets_sentiment.json"))
    args = parser.parse_args()
    frame = pd.read_csv(DATA / "financial_phrasebank" / "sentences_50agree.csv.gz")
    frame = frame[frame["label"].notna()].reset_index(drop=True)
    train, test = held_out_split(frame["label"], test_size=0.2, random_state=0)
    x_train, y_train = frame["sentence"].iloc[train], frame["label"].iloc[train]
    x_test, y_test = frame["sentence"].iloc[test], frame["label"].iloc[test]
    rows = {}
    for name in args.models.split(","):
        print(f"  fitting {name} ...", flush=True)
        start = time.perf_counter()
        model = SentimentClassifier(model=name, epochs=args.epochs, n_threads=args.threads,
                                    random_state=0).fit(x_train, y_train)
        fitted = time.perf_counter()
        rows[name] = {**sentiment_metrics(y_test, model.predict(x_test)),
                      "fit_seconds": fitted - start,
                      "predict_seconds": time.perf_counter() - fitted}
        if name == "stacked":
            vectors = model.embedder_.transform(list(x_test))
            proba = model.embedding_head_.predict_proba(vectors)
            pred = LABELS[np.asarray(model.embedding_head_.classes_)[proba.argmax(axis=1)]]
            rows["embedding"] = sentiment_metrics(y_test, pred)
            tfidf = model.tfidf_.predict_proba(list(x_test))
            rows.setdefault("tfidf", sentiment_metrics(
                y_test, LABELS[np.asarray(model.tfidf_.classes_)[tfidf.argmax(axis=1)]]))
        if name == "ensemble":
            torch.set_num_threads(args.threads)
            tuned = predict_tuned(model._tuned_network(), list(x_test), 64)
            rows["tuned"] = sentiment_metrics(y_test, LABELS[tuned.argmax(axis=1)])
    print(f"\nFinancial PhraseBank, 50 % agreement: {len(train)} training, {len(test)} held-out "
          "sentences (stratified, seed 0)")
    print(f"{'model':<12}{'accuracy':>10}{'macro F1':>10}{'fit s':>9}")
    for name, row in rows.items():
        print(f"{name:<12}{row['accuracy']:>10.4f}{row['macro_f1']:>10.4f}"
              f"{row.get('fit_seconds', float('nan')):>9.0f}")
    args.out.write_text(json.dumps({"n_train": len(train), "n_test": len(test),
                                    "models": rows}, indent=2))
    print(f"\nwritten: {args.out}")


if __name__ == "__main__":
    main()
