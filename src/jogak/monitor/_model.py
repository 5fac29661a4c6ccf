"""Monitoring a fitted model on current data: feature drift, prediction drift, performance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.monitor._config import DriftConfig, PerformanceConfig
from jogak.monitor._drift import COLUMNS, DriftReport, compare_column, detect_drift
from jogak.monitor._performance import PerformanceReport, performance_report
from jogak.monitor._profile import column_profile, prediction_signal
from jogak.monitor._reference import (
    MANIFEST_KEY,
    model_predictions,
    profile_drift,
    reference_prediction_profile,
    require_bundle_profile,
)

__all__ = ["MANIFEST_KEY", "MonitorReport", "check_fitted_model", "model_name",
           "monitor_model"]


@dataclass(frozen=True)
class MonitorReport:
    """What :func:`monitor_model` found.

    Attributes
    ----------
    drift : DriftReport
        Feature drift.
    prediction_drift : pandas.DataFrame or None
        One row (the drift table's columns) for the model's predictions; None when the
        reference has no predictions.
    performance : PerformanceReport or None
        With labels only.
    model_name : str
    prediction_histogram : dict or None
        Bin labels and reference/current counts of the predictions (for reports).
    """

    drift: DriftReport
    prediction_drift: pd.DataFrame | None
    performance: PerformanceReport | None
    model_name: str
    prediction_histogram: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def drifted_columns(self) -> list[str]:
        """Features that drifted."""
        return self.drift.drifted_columns

    @property
    def alerts(self) -> list[str]:
        """One line per problem found (no data values)."""
        lines = [f"feature drift: {column}" for column in self.drifted_columns]
        if self.prediction_drift is not None and bool(self.prediction_drift["drifted"].iloc[0]):
            lines.append("prediction drift")
        if self.performance is not None and self.performance.is_degraded:
            perf = self.performance
            lines.append(f"performance: {perf.metric} {perf.overall:.4g} against CV "
                         f"{perf.baseline:.4g} (margin {perf.margin:g}; windows "
                         f"{perf.alert_windows})")
        return lines

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        prediction = None
        if self.prediction_drift is not None:
            row = self.prediction_drift.astype(object).where(self.prediction_drift.notna(), None)
            prediction = {k: (v.item() if isinstance(v, np.generic) else v)
                          for k, v in row.iloc[0].to_dict().items()}
        return {"model": self.model_name, "alerts": self.alerts,
                "drift": self.drift.to_dict(), "prediction_drift": prediction,
                "performance": None if self.performance is None else self.performance.to_dict()}


def check_fitted_model(model: Any, attributes: tuple[str, ...]) -> None:
    """ConfigError unless ``model`` has every fitted ``attributes`` of a jogak model."""
    for attribute in attributes:
        if not hasattr(model, attribute):
            raise ConfigError(f"Expected a fitted jogak model (with {attribute}), got "
                              f"{type(model).__name__}. Hint: load it with "
                              "jogak.models.load_model(path).")


def model_name(model: Any) -> str:
    """The bundle's name, else the model's class name (for reports)."""
    return str((getattr(model, "manifest_", None) or {}).get("name") or type(model).__name__)


def monitor_model(model: Any, current: pd.DataFrame, *,
                  reference: pd.DataFrame | Mapping[str, Any] | None = None,
                  labels: str | None = None, drift_config: DriftConfig | None = None,
                  performance_config: PerformanceConfig | None = None) -> MonitorReport:
    """Check a fitted jogak model on current data.

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        Fitted (e.g. from :func:`jogak.models.load_model`).
    current : pandas.DataFrame
        Current data with every feature of the model (and the labels column if given), in
        time order.
    reference : pandas.DataFrame or dict, optional
        Training data (exact statistics, and reference predictions computed by the model),
        or a :func:`reference_profile`. Default: the profile stored in the bundle's manifest
        under ``"reference_profile"``.
    labels : str, optional
        Column of ``current`` holding the true outcome: enables performance monitoring
        against the model's cross-validated ``metric_`` (``cv_results_``).
    drift_config, performance_config : optional

    Returns
    -------
    MonitorReport

    Raises
    ------
    ConfigError
        No reference given and none in the bundle; the model has no CV result for its metric.
    SchemaError
        Features or the labels column missing from ``current``.
    TargetError
        Labels the classifier never saw.
    """
    check_fitted_model(model, ("schema_", "task_", "metric_", "cv_results_"))
    if not isinstance(current, pd.DataFrame):
        raise SchemaError(f"Expected the current data as a DataFrame, got "
                          f"{type(current).__name__}.")
    features = list(model.schema_.names)
    if labels is not None and labels not in current.columns:
        raise SchemaError(f"The labels column {labels!r} is not in the current data. Expected "
                          f"one of {[str(c) for c in current.columns][:20]}.")
    absent = [c for c in features if c not in current.columns]
    if absent:
        raise SchemaError(f"The current data lacks the model's features {absent}.")
    drift_config = DriftConfig() if drift_config is None else drift_config
    if reference is None:
        reference = require_bundle_profile(
            model, hint="pass the training data as the reference (--reference DATA).")
    current_predictions = model_predictions(model, current[features])
    if isinstance(reference, pd.DataFrame):
        missing = [c for c in features if c not in reference.columns]
        if missing:
            raise SchemaError(f"The reference data lacks the model's features {missing}.")
        columns = [c for c in features if column_profile(
            reference[c], n_bins=2, sample_size=1, max_categories=1,
            rng=np.random.default_rng(0)) is not None]
        drift = detect_drift(reference[columns], current, config=drift_config)
        prediction_profile = reference_prediction_profile(model, reference[features],
                                                          n_bins=drift_config.n_bins)
    else:
        drift, prediction_profile = profile_drift(reference, current, features, drift_config)
    prediction_drift, histogram = None, None
    if prediction_profile is not None:
        row, histogram = compare_column("prediction", prediction_profile,
                                prediction_signal(current_predictions), drift_config)
        prediction_drift = pd.DataFrame([row], columns=COLUMNS)
    performance = None
    if labels is not None:
        performance = _performance(model, current[labels], current_predictions,
                                   performance_config)
    return MonitorReport(drift=drift, prediction_drift=prediction_drift,
                         performance=performance, model_name=model_name(model),
                         prediction_histogram=histogram)


def _performance(model: Any, labels: pd.Series, predictions: np.ndarray,
                 config: PerformanceConfig | None) -> PerformanceReport:
    keep = labels.notna().to_numpy()
    if not keep.any():
        raise TargetError(f"The labels column {labels.name!r} is empty. Expected outcomes for "
                          "at least some rows.")
    labels, predictions = labels[keep], predictions[keep]
    if model.task_.is_classification:
        lookup = {str(c): i for i, c in enumerate(model.classes_)}
        text = labels.astype(str)
        unknown = sorted(set(text) - set(lookup))
        if unknown:
            raise TargetError(f"The labels hold {len(unknown)} classes the model never saw; it "
                              f"knows {list(lookup)[:10]}.")
        y_true = text.map(lookup).to_numpy(dtype=np.int64)
    else:
        y_true = pd.to_numeric(labels, errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(y_true).any():
            raise TargetError(f"The labels column {labels.name!r} holds values that are not "
                              "numbers; a regression model needs numeric outcomes.")
    if model.metric_ not in model.cv_results_:
        raise ConfigError(f"The model has no cross-validated {model.metric_!r} to compare with.")
    mean, std = model.cv_results_[model.metric_]
    return performance_report(y_true, predictions, task=model.task_, metric=model.metric_,
                              baseline=float(mean), baseline_std=float(std), config=config)
