from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from jogak.data import Task
from jogak.errors import ConfigError
from jogak.models._metrics import binary_roc_auc, default_metric, get_metric, score_all


@pytest.fixture
def binary_case() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    p = np.clip(y * 0.6 + rng.random(200) * 0.4, 0.01, 0.99)
    return y, np.column_stack([1 - p, p])


def test_binary_metrics_match_sklearn(binary_case: tuple[np.ndarray, np.ndarray]) -> None:
    y, proba = binary_case
    scores = score_all(Task.BINARY, y, proba)
    assert scores["roc_auc"] == pytest.approx(skm.roc_auc_score(y, proba[:, 1]))
    assert scores["log_loss"] == pytest.approx(skm.log_loss(y, proba))
    assert scores["brier"] == pytest.approx(skm.brier_score_loss(y, proba[:, 1]))
    labels = (proba[:, 1] >= 0.5).astype(int)
    assert scores["f1"] == pytest.approx(skm.f1_score(y, labels))
    assert scores["accuracy"] == pytest.approx(skm.accuracy_score(y, labels))


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("levels", [3, 20, None])
def test_binary_roc_auc_equals_sklearn_with_ties_and_weights(levels: int | None,
                                                            weighted: bool) -> None:
    rng = np.random.default_rng(7)
    y = rng.integers(0, 2, 1000)
    score = y * 0.3 + rng.random(1000)
    if levels is not None:  # heavy ties: few distinct scores
        score = np.round(score * levels) / levels
    weights = rng.random(1000) * 3 if weighted else None
    assert binary_roc_auc(y, score, weights) == pytest.approx(
        skm.roc_auc_score(y, score, sample_weight=weights), abs=1e-12)


def test_binary_roc_auc_edge_cases() -> None:
    # labels other than 0/1: the greater label is the positive class, as in scikit-learn
    y = np.array(["no", "yes", "no", "yes", "yes"])
    score = np.array([0.1, 0.9, 0.4, 0.35, 0.8])
    assert binary_roc_auc(y, score) == pytest.approx(skm.roc_auc_score(y, score))
    assert binary_roc_auc(np.zeros(4), np.arange(4.0)) == 0.5  # one class
    assert binary_roc_auc(np.array([0, 1]), np.array([0.5, 0.5])) == 0.5  # one tie
    assert binary_roc_auc(np.array([0, 1, 1]), np.array([1e300, -1e300, 0.0])) == 0.0
    # zero weight on every positive row: no positive mass, the area is undefined -> 0.5
    assert binary_roc_auc(np.array([0, 1, 0]), np.array([0.1, 0.2, 0.3]),
                          np.array([1.0, 0.0, 1.0])) == 0.5
    with pytest.raises(ValueError, match="NaN"):
        binary_roc_auc(np.array([0, 1]), np.array([np.nan, 0.3]))


def test_weighted_accuracy_matches_sklearn() -> None:
    rng = np.random.default_rng(3)
    proba = rng.dirichlet([1, 1, 1], 300)
    y = rng.integers(0, 3, 300)
    weights = rng.random(300)
    assert get_metric("accuracy", Task.MULTICLASS).score(y, proba, weights) == pytest.approx(
        skm.accuracy_score(y, proba.argmax(1), sample_weight=weights))


def test_multiclass_metrics_match_sklearn() -> None:
    rng = np.random.default_rng(1)
    proba = rng.dirichlet([1, 1, 1], 150)
    y = rng.integers(0, 3, 150)
    scores = score_all(Task.MULTICLASS, y, proba)
    assert scores["log_loss"] == pytest.approx(skm.log_loss(y, proba, labels=[0, 1, 2]))
    assert scores["f1_macro"] == pytest.approx(
        skm.f1_score(y, proba.argmax(1), average="macro"))


def test_regression_metrics_match_reference_values() -> None:
    y = np.array([1.0, 2.0, 3.0, 10.0])
    p = np.array([1.5, 2.0, 2.0, 12.0])
    scores = score_all(Task.REGRESSION, y, p)
    assert scores["rmse"] == pytest.approx(np.sqrt((0.25 + 0 + 1 + 4) / 4))
    assert scores["mae"] == pytest.approx((0.5 + 0 + 1 + 2) / 4)
    assert scores["rmsle"] == pytest.approx(np.sqrt(skm.mean_squared_log_error(y, p)))
    assert scores["mape"] == pytest.approx((0.5 + 0 + 1 / 3 + 0.2) / 4)
    assert scores["r2"] == pytest.approx(skm.r2_score(y, p))


def test_rmsle_is_left_out_for_negative_targets() -> None:
    scores = score_all(Task.REGRESSION, np.array([-1.0, 2.0, 3.0]), np.array([0.0, 2.0, 3.0]))
    assert "rmsle" not in scores
    assert "rmse" in scores


def test_loss_negates_greater_is_better() -> None:
    y = np.array([0, 1, 1, 0])
    proba = np.array([0.1, 0.9, 0.8, 0.3])
    metric = get_metric("auc", Task.BINARY)
    assert metric.loss(y, proba) == -metric.score(y, proba) == -1.0


def test_get_metric_rejects_unknown_and_wrong_task() -> None:
    with pytest.raises(ConfigError, match="Unknown metric 'aucc'"):
        get_metric("aucc", Task.BINARY)
    with pytest.raises(ConfigError, match="does not apply to a regression task"):
        get_metric("roc_auc", Task.REGRESSION)


@pytest.mark.parametrize(("task", "name"), [(Task.REGRESSION, "rmse"), (Task.BINARY, "roc_auc"),
                                            (Task.MULTICLASS, "log_loss")],
                         ids=["regression", "binary", "multiclass"])
def test_default_metric_per_task(task: Task, name: str) -> None:
    assert default_metric(task).name == name
