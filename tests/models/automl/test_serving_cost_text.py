"""The serving-cost estimate of text columns: TF-IDF grows with the length of the texts."""

from __future__ import annotations

import pandas as pd
import pytest

from jogak.data import ColumnInfo, ColumnRole, ColumnRoles, coerce_frame
from jogak.models import AutoMLClassifier
from jogak.models.automl._serving_cost import (
    ZERO,
    CostBook,
    ServingCost,
    member_cost,
    predictor_cost,
    preprocessing_cost,
    text_cost,
)
from jogak.pipeline import TextFeatures, build_preprocessor

SHORT = ["good", "bad news", "fine", "weak sales", "strong profit", "loss"] * 5
LONG = [" ".join([text] * 12) for text in SHORT]


def _preprocessor(texts: list[str], style: str):
    frame = pd.DataFrame({"note": texts, "amount": [float(i) for i in range(len(texts))]})
    roles = ColumnRoles(info={
        "note": ColumnInfo("note", ColumnRole.TEXT, "str", len(set(texts)), 0.0),
        "amount": ColumnInfo("amount", ColumnRole.NUMERIC, "float64", len(texts), 0.0)})
    return build_preprocessor(roles, style, random_state=0).fit(coerce_frame(frame, roles))


def test_text_cost_grows_with_text_length_and_svd() -> None:
    short, long = _preprocessor(SHORT, "scaled"), _preprocessor(LONG, "scaled")
    assert ZERO.batch_seconds_per_row < text_cost(short).batch_seconds_per_row \
        < text_cost(long).batch_seconds_per_row
    assert text_cost(short).row_seconds < text_cost(long).row_seconds
    reduced = _preprocessor(LONG, "tree")
    assert text_cost(reduced).row_seconds > text_cost(long).row_seconds


def test_text_cost_is_zero_without_text_and_for_an_empty_vocabulary() -> None:
    frame = pd.DataFrame({"amount": [1.0, 2.0, 3.0]})
    roles = ColumnRoles(info={"amount": ColumnInfo("amount", ColumnRole.NUMERIC, "float64", 3,
                                                   0.0)})
    assert text_cost(build_preprocessor(roles, "scaled").fit(frame)) == ZERO
    empty = TextFeatures().fit(pd.DataFrame({"note": ["!!", "?", None]}))
    assert text_cost(empty) == ZERO


def test_text_cost_reads_the_mean_length_of_the_cleaned_training_texts() -> None:
    step = TextFeatures().fit(pd.DataFrame({"note": ["ab cd", "(aside) efgh!", None]}))
    assert step.mean_chars_ == pytest.approx([(5 + 4 + 0) / 3])
    del step.mean_chars_  # fitted before the attribute existed: a typical sentence
    assert text_cost(step).batch_seconds_per_row > 0


def test_a_vocabulary_shared_by_the_folds_is_costed_once() -> None:
    words = ["profit", "loss", "sales", "rose", "fell", "quarter", "market", "shares", "net"]
    notes = [" ".join(words[(i * k) % len(words)] for k in range(1, 4 + i % 9)) + f" note {i}"
             for i in range(120)]
    frame = pd.DataFrame({"note": notes, "amount": [float(i % 7) for i in range(120)]})
    y = pd.Series([i % 2 for i in range(120)])
    model = AutoMLClassifier(n_trials=1, include_models=["linear"], ensemble=False,
                             stacking=False, cv=2, refit=False, infer_limit=None,
                             infer_limit_row=None, random_state=0).fit(frame, y)
    fitted = [p for group in model.ensemble_.preprocessors.values() for p in group]
    assert len(fitted) == 2  # bagged: one preprocessor per fold, one vocabulary for both
    one = text_cost(fitted[0])
    assert one.batch_seconds_per_row > 0
    assert text_cost(fitted[1]) == one
    member = model.ensemble_.members[0]
    expected = preprocessing_cost(2, 2) + one + member_cost(member.family, member.learners)
    assert model.serving_cost_ == predictor_cost(model.ensemble_, 2)
    assert model.serving_cost_.batch_seconds_per_row == pytest.approx(
        expected.batch_seconds_per_row, rel=1e-12)
    assert model.serving_cost_.row_seconds == pytest.approx(expected.row_seconds, rel=1e-12)


def test_cost_book_counts_text_parts_shared_by_styles_once() -> None:
    shared = ServingCost(1e-4, 1e-3)
    svd = ServingCost(2e-5, 8e-5)
    book = CostBook(members={1: ZERO, 2: ZERO, 3: ZERO},
                    styles={1: "scaled", 2: "native", 3: "tree"}, style_cost=ZERO,
                    text={"scaled": {10: shared}, "native": {10: shared, 11: svd},
                          "tree": {10: shared, 11: svd}})
    assert book.total([1]) == shared
    assert book.total([2, 3]) == shared + svd  # one vocabulary, one SVD
    total = book.total([1, 2, 3])
    assert total.batch_seconds_per_row == pytest.approx(1.2e-4)
    assert total.row_seconds == pytest.approx(1.08e-3)


def test_text_is_costed_as_the_path_that_serves_it(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("numba")
    preprocessor = _preprocessor(LONG, "tree")
    native = text_cost(preprocessor)
    monkeypatch.setenv("JOGAK_NATIVE_TEXT", "0")  # served by the numpy path: dearer
    numpy_path = text_cost(preprocessor)
    assert native.batch_seconds_per_row < numpy_path.batch_seconds_per_row
    assert native.row_seconds < numpy_path.row_seconds
