"""HTML report of a retention campaign: the model's quality and the campaign's economics."""

from __future__ import annotations

from typing import Any

import pandas as pd

from jogak.report._html import HtmlReport
from jogak.solutions.churn import ChurnClassifier, best_thresholds

__all__ = ["campaign_report"]


def _go() -> Any:
    from jogak.report._html import _plotly

    return _plotly()


def campaign_report(table: pd.DataFrame, *, model: ChurnClassifier | None = None,
                    title: str = "Retention campaign") -> HtmlReport:
    """A report of a :func:`jogak.solutions.churn.simulate_campaign` table.

    Sections: the model (CV AUC, calibration, operating points) when given, profit and
    customers saved by threshold, and the best threshold of each segment.
    """
    report = HtmlReport(title=title, subtitle="Churn model, operating points and expected "
                                              "campaign economics")
    if model is not None:
        section = report.section("Model", intro="Cross-validated on customers the models did "
                                                "not train on; probabilities are calibrated.")
        auc = model.cv_scores_.get("roc_auc", (float("nan"), float("nan")))
        section.add_metrics({"CV AUC": round(float(auc[0]), 4),
                             "AUC std": round(float(auc[1]), 4),
                             "Brier (raw)": round(float(model.calibration_["brier_raw"]), 4),
                             "Brier (calibrated)":
                                 round(float(model.calibration_["brier_calibrated"]), 4)})
        points = pd.DataFrame([p.to_dict() for p in model.operating_points_.values()])
        section.add_table(points[["name", "threshold", "precision", "recall",
                                  "flagged_share"]],
                          caption="recall_first drives cheap broad campaigns; precision_first "
                                  "drives expensive targeted ones.")
    go = _go()
    overall = table[table["segment"] == "all"]
    economics = report.section("Economics by threshold",
                               intro="Expected figures from calibrated probabilities: saved = "
                                     "uplift × churn probability of each targeted customer.")
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=overall["threshold"], y=overall["profit"], name="profit",
                                mode="lines+markers"))
    figure.add_trace(go.Scatter(x=overall["threshold"], y=overall["cost"], name="cost",
                                mode="lines+markers"))
    figure.update_layout(xaxis_title="threshold (churn probability)", yaxis_title="money")
    economics.add_figure(figure, name="profit_by_threshold",
                         caption="Profit and cost of targeting everyone above the threshold.")
    saved = go.Figure(go.Bar(x=overall["threshold"], y=overall["saved"], name="saved"))
    saved.update_layout(xaxis_title="threshold", yaxis_title="customers saved (expected)")
    economics.add_figure(saved, name="saved_by_threshold")
    economics.add_table(overall.drop(columns=["segment"]), caption="All customers.")
    best = best_thresholds(table)
    segments = report.section("Best threshold by segment")
    segments.add_table(best, caption="The most profitable threshold of each segment.")
    return report
