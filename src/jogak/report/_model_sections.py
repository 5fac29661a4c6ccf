"""Sections of the model report that diagnose quality: errors, thresholds, calibration, learning,
explanations and collinearity. Each takes the report, the model and what it needs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jogak.data import ColumnRole, Task
from jogak.errors import JogakError
from jogak.models import (
    brier_score,
    calibration_curve,
    learning_curve,
    threshold_curve,
)
from jogak.report._explain_budget import explain_within
from jogak.report._html import HtmlReport
from jogak.report._model_figures import (
    calibration_figure,
    confusion_figure,
    learning_figure,
    pr_figure,
    profit_figure,
    residual_figures,
    roc_figure,
    threshold_figure,
)

__all__ = ["add_classification", "add_collinearity", "add_explanations", "add_learning",
           "add_regression"]

_HIDDEN = "(text: not shown)"


def _oof(model: Any) -> tuple[np.ndarray, np.ndarray] | None:
    oof, target = getattr(model, "oof_", None), getattr(model, "oof_target_", None)
    if oof is None or target is None:
        return None
    rows = np.isfinite(oof).all(axis=1) if oof.ndim == 2 else np.isfinite(oof)
    return oof[rows], target[rows]


def add_classification(report: HtmlReport, model: Any) -> None:
    """Confusion matrix; for binary models ROC, PR, operating points and calibration."""
    stored = _oof(model)
    errors = report.section(
        "Errors (confusion matrix)",
        intro="Out-of-fold predictions: each row was predicted by models that never saw it.")
    if stored is None:
        errors.add_text("This bundle holds no out-of-fold predictions (it was saved by an older "
                        "jogak); retrain it to see these diagnostics.")
        return
    proba, y = stored
    labels = list(model.classes_)
    errors.add_figure(confusion_figure(y, np.argmax(proba, axis=1), labels,
                                       title="Confusion matrix at the most probable class"),
                      name="confusion_matrix",
                      caption="Rows: true class; cells: count and share of the true class.")
    if model.task_ is not Task.BINARY:
        return
    positive = proba[:, 1]
    curves = report.section(
        "ROC and precision-recall curves",
        intro=f"Positive class: {labels[1]!r}. Out-of-fold probabilities.")
    curves.add_figure(roc_figure(y, positive, title="ROC curve"), name="roc_curve")
    curves.add_figure(pr_figure(y, positive, title="Precision-recall curve"), name="pr_curve",
                      caption="The dashed line is the share of positives (a random ranking).")
    _add_operating_points(report, model, y, positive)
    calibration = report.section(
        "Calibration",
        intro="Do predicted probabilities match observed rates? Points on the diagonal mean a "
              "70 % score really is right 70 % of the time.")
    brier = brier_score(y, positive)
    base = float(np.mean(y))
    calibration.add_metrics({"Brier score": brier,
                             "Brier of always predicting the base rate": base * (1 - base)})
    curve = calibration_curve(y, positive, n_bins=10)
    calibration.add_figure(calibration_figure(curve, brier=brier, title="Calibration curve"),
                           name="calibration_curve")
    calibration.add_table(curve.round(4), caption="Calibration bins (equal counts)")


def _add_operating_points(report: HtmlReport, model: Any, y: np.ndarray,
                          positive: np.ndarray) -> None:
    points = getattr(model, "operating_points_", {})
    section = report.section(
        "Operating points",
        intro="Named thresholds: flag a row when its probability is at least the threshold. "
              "recall_first catches at least the target share of positives with the fewest "
              "contacts; precision_first is the widest net whose flags are right at least the "
              "target share of the time; max_profit maximises benefit × true positives − "
              "cost × contacts. Use one with: jogak predict MODEL DATA --operating-point NAME.")
    economics = points.get("max_profit")
    benefit_cost = _economics(model)
    curve = threshold_curve(y, positive, **benefit_cost)
    if points:
        table = pd.DataFrame([p.to_dict() for p in points.values()]).set_index("name")
        section.add_table(table.round(4), caption="Operating points (out-of-fold)")
    else:
        section.add_text("No operating point is stored in this model.")
    missing = [n for n in ("recall_first", "precision_first", "max_profit") if n not in points]
    if missing:
        section.add_text("Not available: " + "; ".join(_why_missing(n) for n in missing) + ".")
    section.add_figure(threshold_figure(curve, points, title="Precision, recall and F1 by "
                                                             "threshold"),
                       name="threshold_curves")
    if "profit" in curve and economics is not None:
        section.add_figure(profit_figure(curve, economics, title="Profit by threshold"),
                           name="profit_curve")


def _economics(model: Any) -> dict[str, float]:
    """The benefit per true positive and cost per contact the operating points used, if any."""
    recorded = getattr(model, "operating_point_settings_", None) or {}
    if recorded.get("benefit_tp") is not None and recorded.get("cost_contact") is not None:
        return {"benefit_tp": float(recorded["benefit_tp"]),
                "cost_contact": float(recorded["cost_contact"])}
    return {}


def _why_missing(name: str) -> str:
    if name == "max_profit":
        return ("max_profit needs a benefit per true positive and a cost per contact "
                "(jogak train --benefit-tp B --cost-contact C)")
    if name == "precision_first":
        return "precision_first: no threshold reached the precision target"
    return f"{name} was not computed"


def add_regression(report: HtmlReport, model: Any) -> None:
    """Predicted against actual and residuals, out-of-fold, in the target's units."""
    section = report.section("Errors (residuals)", intro="Out-of-fold predictions.")
    stored = _oof(model)
    if stored is None:
        section.add_text("This bundle holds no out-of-fold predictions; retrain it to see "
                         "residual plots.")
        return
    predicted, actual = stored
    if getattr(model, "log_target", False):
        predicted, actual = np.expm1(predicted), np.expm1(actual)
    scatter, histogram = residual_figures(actual, predicted)
    section.add_figure(scatter, name="predicted_vs_actual")
    section.add_figure(histogram, name="residuals")
    residuals = actual - predicted
    section.add_metrics({"mean residual": float(np.mean(residuals)),
                         "median absolute error": float(np.median(np.abs(residuals)))})


def add_learning(report: HtmlReport, model: Any, X: pd.DataFrame | None, y: Any | None, *,
                 random_state: int) -> None:
    """Learning curve of the leading member and the over-fitting verdict."""
    section = report.section(
        "Learning curve",
        intro="The leading model re-fitted on growing shares of the data, scored on the rows it "
              "was trained on and in cross-validation. A wide gap means over-fitting; a rising "
              "cross-validated line means more data would help.")
    if X is None or y is None:
        section.add_text("Give data with the target column (--data) to draw the learning "
                         "curve.")
        return
    try:
        curve = learning_curve(model, X, y, train_sizes=(0.2, 0.4, 0.7, 1.0), cv=3,
                               random_state=random_state)
        diagnosis = curve.diagnose()
    except JogakError as exc:
        section.add_text(f"Not available: {exc}")
        return
    section.add_metrics({"verdict": diagnosis.verdict, f"train {curve.metric}":
                         diagnosis.train_score, f"CV {curve.metric}": diagnosis.cv_score,
                         "gap (relative)": f"{diagnosis.relative_gap:.1%}"})
    section.add_text(diagnosis.message)
    section.add_figure(learning_figure(curve, title=f"Learning curve ({curve.metric})"),
                       name="learning_curve")


def add_explanations(report: HtmlReport, model: Any, X: pd.DataFrame | None, *, top_k: int,
                     n_local: int, seconds: float | None, random_state: int) -> list[str]:
    """SHAP global importance and a few local waterfalls, within ``seconds`` of SHAP work.

    Returns the top feature names (for the PDP section)."""
    section = report.section(
        "What drives predictions (SHAP)",
        intro="Mean absolute SHAP contribution of each source column (encoded parts summed "
              "back), with the direction of its effect.")
    local = report.section(
        "Local explanations",
        intro="How single predictions are built: base value plus each column's contribution "
              "equals the model output (in the stated space). Rows: the highest, the median and "
              "the lowest prediction of the explained sample.")
    if X is None:
        section.add_text("Give data (--data) to explain the model.")
        local.add_text("Give data (--data) to explain single predictions.")
        return []
    try:
        explanation, note = explain_within(model, X, seconds=seconds, random_state=random_state)
    except JogakError as exc:
        section.add_text(f"Not available: {exc}")
        local.add_text(f"Not available: {exc}")
        return []
    section.add_text(note)
    importance = explanation.global_importance(top_k)
    section.add_figure(_importance_figure(importance, explanation.space), name="shap_global",
                       caption="Red: higher values raise the output; blue: higher values lower "
                               "it; grey: mixed (categories, or no clear direction).")
    section.add_table(importance.round(5), caption=f"Top {len(importance)} columns "
                                                   f"(SHAP space: {explanation.space})")
    predictions = np.asarray(explanation.predictions, dtype=float)
    score = predictions if predictions.ndim == 1 else predictions.max(axis=1)
    order = np.argsort(score, kind="stable")
    picks = list(dict.fromkeys([int(order[-1]), int(order[len(order) // 2]), int(order[0])]))
    hidden = set(model.roles_.columns(ColumnRole.TEXT))
    for rank, row in enumerate(picks[:n_local]):
        table = explanation.waterfall(row)
        table["value"] = [_HIDDEN if c in hidden else v for c, v in
                          zip(table["column"], table["value"], strict=True)]
        label = explanation.values.index[row]  # the data's own row label
        local.add_figure(_waterfall_figure(table, title=f"Row {label}: prediction "
                                                         f"{table.attrs['prediction']:.4g}"),
                         name=f"shap_local_{rank + 1}")
    return importance["column"].tolist()


def _importance_figure(importance: pd.DataFrame, space: str) -> Any:
    import plotly.graph_objects as go

    shown = importance.iloc[::-1]
    colours = {"+": "#d62728", "−": "#1f77b4"}
    fig = go.Figure(go.Bar(
        x=shown["mean_abs"], y=shown["column"].astype(str), orientation="h",
        marker={"color": [colours.get(d, "#7f7f7f") for d in shown["direction"]]},
        name="mean |SHAP|"))
    fig.update_layout(title=f"Global importance (mean |SHAP|, {space})",
                      xaxis_title="mean |SHAP|", template="plotly_white",
                      height=max(320, 28 * len(shown) + 120),
                      margin={"l": 160, "r": 20, "t": 60, "b": 50})
    return fig


def _waterfall_figure(table: pd.DataFrame, *, title: str, max_terms: int = 10) -> Any:
    import plotly.graph_objects as go

    head = table.head(max_terms)
    rest = float(table["contribution"].iloc[max_terms:].sum())
    names = ["base value"] + [f"{c} = {_short(v)}" for c, v in zip(head["column"], head["value"],
                                                                     strict=True)]
    values = [float(table.attrs["base_value"])] + head["contribution"].astype(float).tolist()
    measures = ["absolute"] + ["relative"] * len(head)
    if len(table) > max_terms:
        names.append(f"{len(table) - max_terms} other columns")
        values.append(rest)
        measures.append("relative")
    names.append("prediction")
    values.append(0.0)
    measures.append("total")
    fig = go.Figure(go.Waterfall(orientation="h", y=names, x=values, measure=measures))
    fig.update_layout(title=f"{title} ({table.attrs['space']})", template="plotly_white",
                      yaxis_autorange="reversed", height=max(320, 26 * len(names) + 120),
                      margin={"l": 220, "r": 20, "t": 50, "b": 40})
    return fig


def _short(value: Any) -> str:
    text = f"{value:.4g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 24 else text[:21] + "…"


def add_dependence(report: HtmlReport, model: Any, X: pd.DataFrame | None,
                   features: list[str], *, random_state: int) -> None:
    """Partial dependence (with a few ICE lines) of the top features."""
    import plotly.graph_objects as go

    from jogak.explain import partial_dependence

    section = report.section(
        "Partial dependence of the top features",
        intro="The average prediction as one column changes and the others stay as they are "
              "(thin lines: individual rows, ICE).")
    if X is None:
        section.add_text("Give data (--data) to draw partial dependence.")
        return
    if not features:
        section.add_text("Not available: the top features come from the SHAP section, which "
                         "could not be computed.")
        return
    text_columns = set(model.roles_.columns(ColumnRole.TEXT))
    for index, feature in enumerate([f for f in features if f not in text_columns][:3]):
        try:
            result = partial_dependence(model, X, feature, kind="both", grid_resolution=15,
                                        max_rows=150, random_state=random_state)
        except JogakError as exc:
            section.add_text(f"{feature}: not available ({exc})")
            continue
        grid = [str(v) if not isinstance(v, int | float | np.number) else v
                for v in result.grid[0]]
        average = np.asarray(result.average)
        individual = np.asarray(result.individual)
        if average.ndim == 2:  # multiclass: first class only, stated in the title
            average, individual = average[0], individual[0]
        fig = go.Figure()
        for line in individual[:30]:
            fig.add_trace(go.Scatter(x=grid, y=line, mode="lines", showlegend=False,
                                     line={"color": "rgba(120,120,120,0.25)", "width": 1}))
        fig.add_trace(go.Scatter(x=grid, y=average, mode="lines+markers", name="average (PDP)",
                                 line={"color": "#d62728", "width": 3}))
        fig.update_layout(title=f"Partial dependence: {feature} ({result.space})",
                          xaxis_title=feature, yaxis_title=result.space,
                          template="plotly_white", height=400)
        section.add_figure(fig, name=f"pdp_{index + 1}")


def add_collinearity(report: HtmlReport, model: Any, X: pd.DataFrame | None) -> None:
    """Variance inflation factors of the numeric features and the condition number."""
    from jogak.data import coerce_frame
    from jogak.pipeline import condition_number, variance_inflation

    section = report.section(
        "Multicollinearity (VIF)",
        intro="Variance inflation factor of each numeric column: above 5-10 the column is "
              "mostly explained by the others, which makes linear coefficients and "
              "per-column explanations unstable.")
    if X is None:
        section.add_text("Give data (--data) to compute VIF.")
        return
    numeric = model.roles_.columns(ColumnRole.NUMERIC)
    frame = coerce_frame(X[[c for c in numeric if c in X.columns]], model.roles_)
    try:
        vif = variance_inflation(frame)
        condition = condition_number(frame)
    except JogakError as exc:
        section.add_text(f"Not available: {exc}")
        return
    section.add_metrics({"condition number": condition,
                         "columns with VIF > 10": int((vif > 10).sum())})
    section.add_table(vif.sort_values(ascending=False).round(3).to_frame(),
                      caption="VIF per numeric column (inf: perfectly collinear)")
