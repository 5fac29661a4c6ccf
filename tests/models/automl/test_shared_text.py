"""Free text is fitted once per search and weighed once per prediction.

The TF-IDF vocabulary (and SVD) of a text column is learned on all training rows and shared,
frozen, by every fold and feature style; a bagged ensemble then weighs a text once, not once per
fold and style. Pinned here: the sharing itself (identity, through a bundle round trip), the
memo giving the same numbers as computing each copy, and the vocabulary's rows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from jogak import load_model
from jogak.data import ColumnInfo, ColumnRole, ColumnRoles, Task
from jogak.errors import ConfigError
from jogak.models import AutoMLRegressor
from jogak.models._validation import CVScheme, make_splits
from jogak.models.automl._folds import FoldCache
from jogak.pipeline import FeatureStyle, TextFeatures, shared_text
from jogak.pipeline import _text as text_module

WORDS = ["profit", "loss", "sales", "rose", "fell", "quarter", "market", "shares", "net", "debt"]


def _frame(n_rows: int = 90) -> tuple[pd.DataFrame, pd.Series]:
    notes = [" ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 4 + i % 7)) + f" item{i}"
             for i in range(n_rows)]
    amount = np.arange(n_rows, dtype=np.float64) % 11
    frame = pd.DataFrame({"note": notes, "amount": amount})
    y = pd.Series(amount * 2.0 + np.array([("profit" in n) * 3.0 for n in notes]))
    return frame, y


def _roles() -> ColumnRoles:
    return ColumnRoles(info={
        "note": ColumnInfo("note", ColumnRole.TEXT, "str", 90, 0.0),
        "amount": ColumnInfo("amount", ColumnRole.NUMERIC, "float64", 11, 0.0)})


def _text_steps(preprocessor) -> list[TextFeatures]:
    return [step for _, step, _ in preprocessor.transformers_ if isinstance(step, TextFeatures)]


def test_frozen_text_features_keep_their_fit_and_clone_to_themselves() -> None:
    frame, _ = _frame()
    step = TextFeatures().fit(frame[["note"]]).freeze()
    vocabulary = dict(step.vectorizers_[0][0].vocabulary_)
    assert clone(step) is step
    step.fit(pd.DataFrame({"note": ["entirely new words"] * 3}))
    assert step.vectorizers_[0][0].vocabulary_ == vocabulary
    other = step.fit_transform(frame[["note"]].iloc[:5])
    assert (other != step.transform(frame[["note"]].iloc[:5])).nnz == 0
    assert clone(TextFeatures()) is not clone(TextFeatures())  # unfrozen: a new estimator


def test_fit_from_equals_a_fit_of_its_own_and_shares_the_vocabulary() -> None:
    frame, _ = _frame()
    X = frame[["note"]]
    plain = TextFeatures(word_ngram_range=(1, 2), char_ngram_range=(2, 4)).fit(X)
    alone = TextFeatures(word_ngram_range=(1, 2), char_ngram_range=(2, 4), svd_components=5,
                         random_state=0).fit(X)
    shared = TextFeatures(word_ngram_range=(1, 2), char_ngram_range=(2, 4), svd_components=5,
                          random_state=0).fit_from(plain, X)
    np.testing.assert_allclose(shared.transform(X), alone.transform(X), rtol=1e-10, atol=1e-12)
    assert shared.vectorizers_[0][0] is plain.vectorizers_[0][0]
    assert shared.compiled_vectorizers()[0][0] is plain.compiled_vectorizers()[0][0]
    assert shared.get_feature_names_out().tolist() == alone.get_feature_names_out().tolist()


def test_fit_from_refuses_a_text_step_fitted_differently() -> None:
    frame, _ = _frame()
    plain = TextFeatures(word_ngram_range=(1, 1)).fit(frame[["note"]])
    with pytest.raises(ConfigError, match="word_ngram_range"):
        TextFeatures(word_ngram_range=(1, 2), svd_components=3).fit_from(plain, frame[["note"]])


def test_folds_and_styles_share_one_vocabulary_learned_on_every_training_row() -> None:
    frame, y = _frame()
    splits = make_splits(CVScheme(kind="kfold", n_splits=3), task=Task.REGRESSION,
                         y=y.to_numpy())
    cache = FoldCache(X=frame, y=y.to_numpy(), roles=_roles(), splits=splits,
                      task=Task.REGRESSION)
    scaled = [_text_steps(cache.fold(FeatureStyle.SCALED, i).preprocessor)[0] for i in range(3)]
    native = [_text_steps(cache.fold(FeatureStyle.NATIVE, i).preprocessor)[0] for i in range(3)]
    tree = [_text_steps(cache.fold(FeatureStyle.TREE, i).preprocessor)[0] for i in range(3)]
    assert all(step is scaled[0] for step in scaled)
    assert all(step is native[0] for step in native)
    assert native[0] is tree[0]
    assert native[0].vectorizers_[0][0] is scaled[0].vectorizers_[0][0]
    # "item<k>" of every row is in it: fold 0's held-out rows included
    held_out = splits[0][1]
    vocabulary = scaled[0].vectorizers_[0][0].vocabulary_
    assert all(f"item{k}" in vocabulary for k in held_out)


def test_a_shared_vocabulary_weighs_each_text_once_per_prediction(monkeypatch) -> None:
    frame, _ = _frame()
    X = frame[["note"]]
    step = TextFeatures(word_ngram_range=(1, 2)).fit(X).freeze()
    expected = step.transform(X)
    calls = []
    original = text_module._lowered  # every clean-up starts here (numpy and native paths)

    def counted(values, lowercase):
        calls.append(len(values))
        return original(values, lowercase)

    monkeypatch.setattr(text_module, "_lowered", counted)
    with shared_text():
        copies = [clone(step).transform(X) for _ in range(5)]
    assert len(calls) == 1
    for copy in copies:
        assert (copy != expected).nnz == 0
    step.transform(X)  # outside the block: computed again
    assert len(calls) == 2
    with shared_text():
        step.transform(X)
        step.transform(X.iloc[:10])  # other texts: computed
    assert len(calls) == 4


def test_a_bagged_text_model_shares_its_vocabulary_after_a_bundle_round_trip(
        tmp_path: Path) -> None:
    frame, y = _frame(120)
    model = AutoMLRegressor(n_trials=2, include_models=["linear", "hist_gb"], cv=3,
                            refit=False, stacking=False, infer_limit=None, infer_limit_row=None,
                            random_state=0).fit(frame, y)
    model.save(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    for predictor in (model.ensemble_, loaded.ensemble_):
        steps = [_text_steps(p)[0] for group in predictor.preprocessors.values() for p in group]
        assert len(steps) >= 3
        vectorizers = {id(step.compiled_vectorizers()[0][0]) for step in steps}
        assert len(vectorizers) == 1
    np.testing.assert_allclose(loaded.predict(frame), model.predict(frame), rtol=1e-12)
    rows = [loaded.predict_row(record) for record in frame.iloc[:20].to_dict("records")]
    np.testing.assert_allclose(rows, model.predict(frame.iloc[:20]), rtol=1e-9)
