"""Monitoring of deployed models: feature and prediction drift, performance alerts.

See ``docs/monitor.md``.
"""

from __future__ import annotations

from jogak.monitor._config import DriftConfig, DriftMethod, PerformanceConfig
from jogak.monitor._drift import DriftReport, DriftSummary, detect_drift
from jogak.monitor._model import MANIFEST_KEY, MonitorReport, monitor_model
from jogak.monitor._performance import PerformanceReport, performance_report
from jogak.monitor._prediction_log import (
    monitor_prediction_log,
    prediction_log_table,
    prediction_log_url,
    read_prediction_log,
)
from jogak.monitor._profile import prediction_signal, reference_profile
from jogak.monitor._statistics import (
    PSI_EPSILON,
    bin_counts,
    chi_square_test,
    jensen_shannon,
    ks_test,
    psi,
    quantile_edges,
    wasserstein_norm,
    z_test,
)

__all__ = [
    "MANIFEST_KEY",
    "PSI_EPSILON",
    "DriftConfig",
    "DriftMethod",
    "DriftReport",
    "DriftSummary",
    "MonitorReport",
    "PerformanceConfig",
    "PerformanceReport",
    "bin_counts",
    "chi_square_test",
    "detect_drift",
    "jensen_shannon",
    "ks_test",
    "monitor_model",
    "monitor_prediction_log",
    "performance_report",
    "prediction_log_table",
    "prediction_log_url",
    "prediction_signal",
    "psi",
    "quantile_edges",
    "read_prediction_log",
    "reference_profile",
    "wasserstein_norm",
    "z_test",
]
