"""performance_report and monitor_model: windows by hand, alerts, prediction drift on Telco."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.monitor import (
    MANIFEST_KEY,
    PerformanceConfig,
    monitor_model,
    performance_report,
    reference_profile,
)


def test_windows_by_hand() -> None:
    y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    prediction = y + np.array([0.0, 0.0, 0.5, 0.5, 2.0, 2.0, 0.0])
    report = performance_report(y, prediction, task="regression", metric="mae", baseline=0.2,
                                config=PerformanceConfig(window=2, margin=0.25, min_rows=2))
    windows = report.windows
    assert windows["value"].tolist() == [0.0, 0.5, 2.0, 0.0]
    assert windows["n_rows"].tolist() == [2, 2, 2, 1]
    assert windows["delta"].tolist() == pytest.approx([-0.2, 0.3, 1.8, -0.2])
    # mae: lower is better, so worse means delta > margin; the last window is too small
    assert report.alert_windows == [1, 2]
    assert report.overall == pytest.approx(5.0 / 7)
    assert report.is_degraded


def test_overlapping_windows_and_greater_is_better() -> None:
    y = np.array([0, 1, 0, 1, 0, 1, 1, 0])
    proba = np.array([0.1, 0.9, 0.2, 0.8, 0.9, 0.1, 0.2, 0.7])
    report = performance_report(y, proba, task="binary", metric="roc_auc", baseline=0.9,
                                config=PerformanceConfig(window=4, step=2, margin=0.1,
                                                         min_rows=1))
    expected = [roc_auc_score(y[s:s + 4], proba[s:s + 4]) for s in (0, 2, 4)]
    assert report.windows["value"].tolist() == pytest.approx(expected)
    assert report.windows["start"].tolist() == [0, 2, 4]
    assert report.alert_windows == [1, 2]  # AUC 0.5 and 0.0 are worse than 0.9 - 0.1


def test_auc_of_a_one_class_window_is_undefined_and_never_alerts() -> None:
    report = performance_report(np.array([1, 1, 0, 1]), np.array([0.9, 0.8, 0.1, 0.7]),
                                task="binary", metric="roc_auc", baseline=0.8,
                                config=PerformanceConfig(window=2, min_rows=1))
    assert np.isnan(report.windows["value"].iloc[0])
    assert report.alert_windows == []
    json.dumps(report.to_dict(), allow_nan=False)


def test_performance_rejects_bad_input() -> None:
    with pytest.raises(TargetError, match="3 labels but 2 predictions"):
        performance_report([1.0, 2.0, 3.0], [1.0, 2.0], task="regression", metric="mae",
                           baseline=0.1)
    with pytest.raises(TargetError, match="No labelled rows"):
        performance_report([], [], task="regression", metric="mae", baseline=0.1)
    with pytest.raises(ConfigError, match="does not apply to a regression task"):
        performance_report([1.0], [1.0], task="regression", metric="roc_auc", baseline=0.1)
    with pytest.raises(ConfigError, match="baseline must be a finite number"):
        performance_report([1.0], [1.0], task="regression", metric="mae", baseline=float("nan"))
    with pytest.raises(ConfigError, match="window must be a positive integer"):
        PerformanceConfig(window=0)
    with pytest.raises(ConfigError, match="margin must be a number >= 0"):
        PerformanceConfig(margin=-0.1)


def test_monitor_model_on_a_random_split_finds_nothing(
        telco_model: Any, telco_split: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, current = telco_split
    report = monitor_model(telco_model, current, reference=train, labels="Churn",
                           performance_config=PerformanceConfig(window=1000, margin=0.05))
    assert report.drifted_columns == []
    assert report.prediction_drift is not None
    assert not report.prediction_drift["drifted"].iloc[0]
    performance = report.performance
    assert performance is not None
    assert performance.metric == "roc_auc"
    assert performance.baseline == pytest.approx(telco_model.cv_results_["roc_auc"][0])
    proba = telco_model.predict_proba(current.drop(columns=["Churn"]))[:, 1]
    assert performance.overall == pytest.approx(
        roc_auc_score(current["Churn"] == "Yes", proba))
    assert not performance.is_degraded
    assert report.alerts == []
    json.dumps(report.to_dict(), allow_nan=False)


def test_monitor_model_flags_drift_prediction_drift_and_degradation(
        telco_model: Any, telco_split: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, current = telco_split
    current = current.copy()
    current["Contract"] = "Month-to-month"  # moves predictions up
    late = current.index[2000:]  # windows 2 and 3 of [0, 1000), ..., [3000, 3543)
    current.loc[late, "Churn"] = current.loc[late, "Churn"].map({"Yes": "No", "No": "Yes"})
    report = monitor_model(telco_model, current, reference=train, labels="Churn",
                           performance_config=PerformanceConfig(window=1000, margin=0.05))
    assert report.drifted_columns == ["Contract"]
    assert report.prediction_drift["drifted"].iloc[0]
    assert report.performance.alert_windows == [2, 3]
    assert report.alerts[:2] == ["feature drift: Contract", "prediction drift"]
    assert report.alerts[2].startswith("performance: roc_auc")


def test_monitor_model_uses_the_bundle_profile(
        telco_model: Any, telco_split: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, current = telco_split
    features = train.drop(columns=["Churn"])
    profile = reference_profile(features, predictions=telco_model.predict_proba(features))
    telco_model.manifest_ = {"name": "telco", MANIFEST_KEY: profile}
    try:
        report = monitor_model(telco_model, current.assign(Contract="Month-to-month"))
    finally:
        del telco_model.manifest_
    assert report.model_name == "telco"
    assert report.drifted_columns == ["Contract"]
    assert report.prediction_drift["drifted"].iloc[0]
    assert report.prediction_drift["test"].iloc[0] == "wasserstein"
    assert report.performance is None


def test_monitor_model_rejects_bad_input(
        telco_model: Any, telco_split: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, current = telco_split
    with pytest.raises(ConfigError, match="holds no reference profile"):
        monitor_model(telco_model, current)
    with pytest.raises(SchemaError, match="labels column 'churned' is not in the current data"):
        monitor_model(telco_model, current, reference=train, labels="churned")
    with pytest.raises(SchemaError, match=r"lacks the model's features \['tenure'\]"):
        monitor_model(telco_model, current.drop(columns=["tenure"]), reference=train)
    with pytest.raises(TargetError, match="1 classes the model never saw"):
        monitor_model(telco_model, current.assign(Churn="Maybe"), reference=train,
                      labels="Churn")
    with pytest.raises(ConfigError, match="Expected a fitted jogak model"):
        monitor_model(object(), current, reference=train)
