"""Learning curves and the over-fitting diagnosis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.tree import DecisionTreeClassifier

from jogak.errors import ConfigError, NotFittedError, SchemaError
from jogak.models import (
    AutoMLClassifier,
    LearningCurve,
    best_member_pipeline,
    learning_curve,
)


def _noisy_classification(seed: int, n: int = 400) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n, 5)), columns=[f"f{i}" for i in range(5)])
    y = ((X["f0"] + rng.normal(scale=1.5, size=n)) > 0).astype(int).to_numpy()
    return X, y


def test_unpruned_tree_on_noisy_labels_is_diagnosed_as_over_fitting(
        global_random_seed: int) -> None:
    X, y = _noisy_classification(global_random_seed)
    curve = learning_curve(DecisionTreeClassifier(random_state=0), X, y, cv=3,
                           random_state=global_random_seed)
    assert curve.metric == "roc_auc"
    assert curve.table["train_mean"].iloc[-1] == pytest.approx(1.0)
    diagnosis = curve.diagnose()
    assert diagnosis.verdict == "over-fitting"
    assert diagnosis.gap == pytest.approx(1.0 - curve.table["cv_mean"].iloc[-1])
    assert diagnosis.message.startswith("Over-fitting")


def test_logistic_regression_on_linear_signal_is_a_good_fit(global_random_seed: int) -> None:
    X, y = _noisy_classification(global_random_seed, n=3000)
    curve = learning_curve(LogisticRegression(), X, y, train_sizes=(0.5, 0.75, 1.0),
                           random_state=global_random_seed)
    diagnosis = curve.diagnose()
    assert diagnosis.verdict == "good fit"
    assert abs(diagnosis.relative_gap) < 0.05


def test_learning_curve_sizes_are_nested_fractions_of_the_training_folds() -> None:
    X, y = _noisy_classification(0, n=300)
    curve = learning_curve(LogisticRegression(), X, y, train_sizes=(0.1, 0.5, 1.0), cv=3)
    assert curve.table["n_rows"].tolist() == [20, 100, 200]  # 3 folds: 200 training rows
    assert curve.table["fraction"].tolist() == [0.1, 0.5, 1.0]


def test_regression_gap_is_oriented_so_positive_means_train_is_better() -> None:
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"x": rng.normal(size=500)})
    y = 2 * X["x"].to_numpy() + rng.normal(size=500)
    curve = learning_curve(LinearRegression(), X, y, metric="rmse")
    assert not curve.greater_is_better
    last = curve.table.iloc[-1]
    diagnosis = curve.diagnose()
    assert diagnosis.gap == pytest.approx(last["cv_mean"] - last["train_mean"])
    assert diagnosis.cv_score == pytest.approx(1.0, abs=0.15)  # the noise's standard deviation
    assert diagnosis.verdict == "good fit"


def test_diagnose_by_hand_still_learning() -> None:
    table = pd.DataFrame({"n_rows": [100, 200], "fraction": [0.5, 1.0],
                          "train_mean": [0.80, 0.82], "train_std": [0.0, 0.0],
                          "cv_mean": [0.70, 0.78], "cv_std": [0.0, 0.0]})
    diagnosis = LearningCurve(metric="roc_auc", greater_is_better=True, table=table).diagnose()
    assert diagnosis.verdict == "still learning"
    assert diagnosis.cv_gain == pytest.approx(0.08 / 0.78)
    assert diagnosis.relative_gap == pytest.approx(0.04 / 0.78)
    with pytest.raises(ConfigError, match="tolerance must be > 0"):
        LearningCurve(metric="x", greater_is_better=True, table=table).diagnose(tolerance=0)


@pytest.mark.parametrize("sizes", [(), (0.0, 1.0), (0.5, 0.2), (0.5, 1.5)],
                         ids=["empty", "zero", "decreasing", "above_one"])
def test_learning_curve_rejects_bad_sizes(sizes: tuple) -> None:
    X, y = _noisy_classification(0, n=50)
    with pytest.raises(ConfigError, match="train_sizes must be increasing fractions"):
        learning_curve(LogisticRegression(), X, y, train_sizes=sizes)


def test_learning_curve_of_an_automl_model_refits_its_leading_member() -> None:
    X, y = _noisy_classification(1, n=300)
    X["plan"] = np.where(X["f1"] > 0, "basic", "premium")
    labels = np.where(y == 1, "churn", "stay")
    model = AutoMLClassifier(n_trials=2, include_models=("linear",), cv=3).fit(X, labels)
    pipeline = best_member_pipeline(model)
    assert [name for name, _ in pipeline.steps] == ["preprocess", "learner"]
    assert not hasattr(pipeline.steps[1][1], "coef_")  # unfitted clone
    curve = learning_curve(model, X, labels, train_sizes=(0.5, 1.0))
    assert curve.metric == model.metric_
    assert curve.table["cv_mean"].between(0.5, 1.0).all()
    with pytest.raises(SchemaError, match=r"lacks the model's feature column\(s\) \['plan'\]"):
        learning_curve(model, X.drop(columns=["plan"]), labels)
    with pytest.raises(NotFittedError, match="not fitted"):
        best_member_pipeline(AutoMLClassifier())
