"""Plotly figures of a model's quality: ROC, PR, thresholds, calibration, errors, learning."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from jogak.models import LearningCurve, OperatingPoint

__all__ = ["calibration_figure", "confusion_figure", "learning_figure", "pr_figure",
           "profit_figure", "residual_figures", "roc_figure", "threshold_figure", "thin"]

_LAYOUT = {"template": "plotly_white", "height": 420, "margin": {"l": 60, "r": 20, "t": 50,
                                                                   "b": 50}}
_POINT_COLOURS = {"recall_first": "#d62728", "precision_first": "#2ca02c",
                  "max_profit": "#9467bd"}


def _go() -> Any:
    import plotly.graph_objects as go

    return go


def thin(frame: pd.DataFrame, max_points: int = 400) -> pd.DataFrame:
    """At most ``max_points`` evenly spaced rows (first and last kept): keeps files small."""
    if len(frame) <= max_points:
        return frame
    positions = np.unique(np.linspace(0, len(frame) - 1, max_points).round().astype(int))
    return frame.iloc[positions]


def roc_figure(y: np.ndarray, proba: np.ndarray, *, title: str) -> Any:
    """ROC curve with its AUC and the chance diagonal."""
    from sklearn.metrics import roc_auc_score, roc_curve

    go = _go()
    fpr, tpr, _ = roc_curve(y, proba)
    curve = thin(pd.DataFrame({"fpr": fpr, "tpr": tpr}))
    auc = roc_auc_score(y, proba)
    fig = go.Figure(go.Scatter(x=curve["fpr"], y=curve["tpr"], mode="lines",
                               name=f"model (AUC {auc:.3f})"))
    fig.add_shape(type="line", x0=0, y0=0, x1=1, y1=1, line={"dash": "dash", "color": "#888"})
    fig.update_layout(title=title, xaxis_title="false positive rate",
                      yaxis_title="true positive rate (recall)", showlegend=True, **_LAYOUT)
    return fig


def pr_figure(y: np.ndarray, proba: np.ndarray, *, title: str) -> Any:
    """Precision-recall curve with average precision and the positive rate as baseline."""
    from sklearn.metrics import average_precision_score, precision_recall_curve

    go = _go()
    precision, recall, _ = precision_recall_curve(y, proba)
    curve = thin(pd.DataFrame({"precision": precision, "recall": recall}))
    ap = average_precision_score(y, proba)
    rate = float(np.mean(y))
    fig = go.Figure(go.Scatter(x=curve["recall"], y=curve["precision"], mode="lines",
                               name=f"model (AP {ap:.3f})"))
    fig.add_hline(y=rate, line={"dash": "dash", "color": "#888"})
    fig.update_layout(title=title, xaxis_title="recall", yaxis_title="precision",
                      yaxis_range=[0, 1.02], showlegend=True, **_LAYOUT)
    return fig


def threshold_figure(curve: pd.DataFrame, points: Mapping[str, OperatingPoint], *,
                     title: str) -> Any:
    """Precision, recall, F1 and contact share against the threshold; operating points marked."""
    go = _go()
    shown = thin(curve.sort_values("threshold"), 500)
    fig = go.Figure()
    for column, colour in (("precision", "#1f77b4"), ("recall", "#ff7f0e"), ("f1", "#2ca02c"),
                           ("flagged_share", "#7f7f7f")):
        fig.add_trace(go.Scatter(x=shown["threshold"], y=shown[column], mode="lines",
                                 name=column.replace("_", " "),
                                 line={"color": colour,
                                       "dash": "dot" if column == "flagged_share" else "solid"}))
    for name, point in points.items():
        if point.threshold > 1:
            continue
        colour = _POINT_COLOURS.get(name, "#333")
        fig.add_shape(type="line", x0=point.threshold, x1=point.threshold, y0=0, y1=1,
                      yref="y domain", line={"dash": "dash", "color": colour})
        fig.add_trace(go.Scatter(x=[point.threshold], y=[point.recall], mode="markers+text",
                                 text=[name], textposition="top right", name=name,
                                 marker={"color": colour, "size": 10}))
    fig.update_layout(title=title, xaxis_title="threshold (flag if probability ≥ threshold)",
                      yaxis_title="share", xaxis_range=[0, 1], **_LAYOUT)
    return fig


def profit_figure(curve: pd.DataFrame, point: OperatingPoint | None, *, title: str) -> Any:
    """Profit against the threshold, the max-profit point marked."""
    go = _go()
    shown = thin(curve.sort_values("threshold"), 500)
    fig = go.Figure(go.Scatter(x=shown["threshold"], y=shown["profit"], mode="lines",
                               name="profit"))
    if point is not None and point.threshold <= 1 and point.profit is not None:
        fig.add_trace(go.Scatter(x=[point.threshold], y=[point.profit], mode="markers+text",
                                 text=["max_profit"], textposition="top center",
                                 name="max_profit", marker={"size": 10, "color": "#9467bd"}))
    fig.update_layout(title=title, xaxis_title="threshold", yaxis_title="profit",
                      xaxis_range=[0, 1], **_LAYOUT)
    return fig


def calibration_figure(curve: pd.DataFrame, *, brier: float, title: str) -> Any:
    """Observed rate against mean predicted probability per bin, with the diagonal."""
    go = _go()
    fig = go.Figure(go.Scatter(
        x=curve["mean_predicted"], y=curve["observed_rate"], mode="lines+markers",
        name=f"model (Brier {brier:.4f})",
        text=[f"{int(c)} rows" for c in curve["count"]]))
    fig.add_shape(type="line", x0=0, y0=0, x1=1, y1=1, line={"dash": "dash", "color": "#888"})
    fig.update_layout(title=title, xaxis_title="mean predicted probability",
                      yaxis_title="observed positive rate", xaxis_range=[0, 1],
                      yaxis_range=[0, 1], showlegend=True, **_LAYOUT)
    return fig


def confusion_figure(y_true: np.ndarray, y_pred: np.ndarray, labels: Sequence[Any], *,
                     title: str) -> Any:
    """Confusion matrix (rows: true class, columns: predicted) with counts and row shares."""
    from sklearn.metrics import confusion_matrix

    go = _go()
    codes = list(range(len(labels)))
    matrix = confusion_matrix(y_true, y_pred, labels=codes)
    totals = matrix.sum(axis=1, keepdims=True)
    shares = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    names = [str(label) for label in labels]
    text = [[f"{matrix[i, j]:,}<br>{shares[i, j]:.0%}" for j in codes] for i in codes]
    fig = go.Figure(go.Heatmap(z=shares, x=[f"predicted {n}" for n in names],
                               y=[f"true {n}" for n in names], text=text,
                               texttemplate="%{text}", colorscale="Blues", zmin=0, zmax=1,
                               showscale=False))
    fig.update_layout(title=title, yaxis_autorange="reversed", **_LAYOUT)
    return fig


def residual_figures(y_true: np.ndarray, y_pred: np.ndarray, *, max_points: int = 2000,
                     random_state: int = 0) -> tuple[Any, Any]:
    """Predicted against actual (with the identity line), and the residual histogram."""
    go = _go()
    rows = np.arange(len(y_true))
    if len(rows) > max_points:
        rows = np.sort(np.random.default_rng(random_state).choice(rows, max_points,
                                                                  replace=False))
    actual, predicted = y_true[rows], y_pred[rows]
    low = float(min(actual.min(), predicted.min()))
    high = float(max(actual.max(), predicted.max()))
    scatter = go.Figure(go.Scatter(x=actual, y=predicted, mode="markers", name="rows",
                                   marker={"size": 4, "opacity": 0.5}))
    scatter.add_shape(type="line", x0=low, y0=low, x1=high, y1=high,
                      line={"dash": "dash", "color": "#888"})
    scatter.update_layout(title="Predicted against actual (out-of-fold)",
                          xaxis_title="actual", yaxis_title="predicted", **_LAYOUT)
    residuals = y_true - y_pred
    histogram = go.Figure(go.Histogram(x=residuals, nbinsx=40, name="residual"))
    histogram.update_layout(title="Residuals (actual − predicted, out-of-fold)",
                            xaxis_title="residual", yaxis_title="rows", **_LAYOUT)
    return scatter, histogram


def learning_figure(curve: LearningCurve, *, title: str) -> Any:
    """Train and cross-validated scores against training rows, ± one standard deviation."""
    go = _go()
    table = curve.table.dropna(subset=["cv_mean"])
    fig = go.Figure()
    for prefix, name, colour in (("train", "train", "#1f77b4"),
                                 ("cv", "cross-validated", "#ff7f0e")):
        fig.add_trace(go.Scatter(
            x=table["n_rows"], y=table[f"{prefix}_mean"], mode="lines+markers", name=name,
            line={"color": colour},
            error_y={"type": "data", "array": table[f"{prefix}_std"], "visible": True}))
    fig.update_layout(title=title, xaxis_title="training rows", yaxis_title=curve.metric,
                      **_LAYOUT)
    return fig
