"""``drift_report``: the HTML report of a monitoring run (drift, predictions, performance)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError
from jogak.monitor import DriftReport, MonitorReport
from jogak.report._html import HtmlReport

__all__ = ["drift_report"]

_LAYOUT = {"template": "plotly_white", "height": 380,
           "margin": {"l": 60, "r": 20, "t": 50, "b": 60}}
_TABLE_COLUMNS = ["column", "kind", "test", "statistic", "p_value", "threshold", "drifted",
                  "psi", "psi_level", "current_missing_share"]


def _go() -> Any:
    import plotly.graph_objects as go

    return go


def _stem(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._") or "column"


def _scores_figure(table: pd.DataFrame, psi_moderate: float, psi_major: float) -> Any:
    go = _go()
    ordered = table.sort_values("psi", ascending=True, na_position="first")
    colors = np.where(ordered["drifted"], "#d62728", "#1f77b4")
    fig = go.Figure(go.Bar(x=ordered["psi"].fillna(0.0), y=ordered["column"], orientation="h",
                           marker_color=list(colors), name="PSI"))
    for value, label in ((psi_moderate, "moderate"), (psi_major, "major")):
        fig.add_vline(x=value, line_dash="dash", line_color="gray", annotation_text=label)
    fig.update_layout(title="PSI per feature (red: drifted by its test)", xaxis_title="PSI",
                      **{**_LAYOUT, "height": max(300, 24 * len(table) + 120)})
    return fig


def _histogram_figure(name: str, histogram: Mapping[str, Any]) -> Any:
    go = _go()
    fig = go.Figure()
    for side, color in (("reference", "#7f7f7f"), ("current", "#ff7f0e")):
        counts = np.asarray(histogram[side], dtype=np.float64)
        shares = counts / counts.sum() if counts.sum() else counts
        fig.add_trace(go.Bar(x=[str(label) for label in histogram["labels"]], y=shares,
                             name=side, marker_color=color))
    fig.update_layout(title=f"{name}: reference and current distribution", barmode="group",
                      yaxis_title="share of rows", yaxis_tickformat=".0%", **_LAYOUT)
    return fig


def _performance_figure(windows: pd.DataFrame, metric: str, baseline: float,
                        margin: float, greater_is_better: bool) -> Any:
    go = _go()
    fig = go.Figure(go.Scatter(x=windows["window"], y=windows["value"], mode="lines+markers",
                               name=metric))
    limit = baseline - margin if greater_is_better else baseline + margin
    fig.add_hline(y=baseline, line_color="gray", annotation_text="training CV")
    fig.add_hline(y=limit, line_dash="dash", line_color="#d62728", annotation_text="alert")
    alerts = windows[windows["alert"]]
    if len(alerts):
        fig.add_trace(go.Scatter(x=alerts["window"], y=alerts["value"], mode="markers",
                                 marker={"color": "#d62728", "size": 12}, name="alert"))
    fig.update_layout(title=f"{metric} per window", xaxis_title="window",
                      yaxis_title=metric, **_LAYOUT)
    return fig


def drift_report(result: MonitorReport | DriftReport, *, title: str | None = None,
                 max_histograms: int = 12) -> HtmlReport:
    """Assemble the HTML report of a monitoring run.

    Sections: summary (key figures and alerts), feature drift (PSI per feature and the full
    table of tests), distributions of the drifted features (then of the highest PSI, up to
    ``max_histograms``), prediction drift, and performance per window against the training
    cross-validation. Only aggregates are shown: bin and category shares, never rows.

    Parameters
    ----------
    result : MonitorReport or DriftReport
    title : str, optional
    max_histograms : int, default 12

    Returns
    -------
    HtmlReport
        Write it with ``.write(path)``.

    Raises
    ------
    ConfigError
        ``result`` is neither report.
    """
    if isinstance(result, MonitorReport):
        drift, monitor = result.drift, result
    elif isinstance(result, DriftReport):
        drift, monitor = result, None
    else:
        raise ConfigError(f"drift_report expects a MonitorReport or DriftReport, got "
                          f"{type(result).__name__}.")
    name = monitor.model_name if monitor is not None else None
    report = HtmlReport(title=title or (f"Monitoring: {name}" if name else "Data drift"),
                        subtitle=f"{drift.n_current_rows:,} current rows against "
                                 f"{drift.n_reference_rows:,} reference rows")
    summary = drift.summary
    figures: dict[str, Any] = {
        "features checked": summary.n_columns, "features drifted": summary.n_drifted,
        "share drifted": summary.share_drifted,
        "data set drift": "yes" if summary.dataset_drift else "no",
    }
    if monitor is not None and monitor.performance is not None:
        figures[f"{monitor.performance.metric} now"] = monitor.performance.overall
        figures[f"{monitor.performance.metric} in CV"] = monitor.performance.baseline
    section = report.section("Summary", intro=(
        "Tests follow Evidently's defaults: KS / chi-squared / z-test (p < "
        f"{drift.config.p_value}) with at most {drift.config.small_reference} reference "
        "values, else normalised Wasserstein / Jensen-Shannon distance (>= "
        f"{drift.config.distance_threshold}). PSI is shown for every feature."))
    section.add_metrics(figures)
    alerts = monitor.alerts if monitor is not None else \
        [f"feature drift: {column}" for column in drift.drifted_columns]
    section.add_text("\n".join(alerts) if alerts else "No alert.")

    table = drift.columns
    features = report.section("Feature drift")
    features.add_figure(_scores_figure(table, drift.config.psi_moderate,
                                       drift.config.psi_major), name="drift_psi")
    features.add_table(table[_TABLE_COLUMNS].round(6), max_rows=500)

    shown = list(drift.drifted_columns)
    shown += [c for c in table.sort_values("psi", ascending=False)["column"] if c not in shown]
    shown = [c for c in shown if c in drift.histograms][:max_histograms]
    if shown:
        distributions = report.section("Distributions", intro="Drifted features first, then "
                                       "those with the highest PSI.")
        for index, column in enumerate(shown):
            distributions.add_figure(_histogram_figure(column, drift.histograms[column]),
                                     name=f"drift_{index:02d}_{_stem(column)}")
    if monitor is not None and monitor.prediction_drift is not None:
        predictions = report.section("Prediction drift")
        predictions.add_table(monitor.prediction_drift[_TABLE_COLUMNS].round(6))
        if monitor.prediction_histogram is not None:
            predictions.add_figure(_histogram_figure("prediction",
                                                     monitor.prediction_histogram),
                                   name="prediction_drift")
    if monitor is not None and monitor.performance is not None:
        perf = monitor.performance
        section = report.section("Performance", intro=(
            f"{perf.metric} on labelled current rows, per window, against the training "
            f"cross-validation mean; an alert when worse by more than {perf.margin:g}."))
        section.add_figure(_performance_figure(perf.windows, perf.metric, perf.baseline,
                                               perf.margin, perf.greater_is_better),
                           name="performance_windows")
        section.add_table(perf.windows.round(6), max_rows=200)
    return report
