"""HTML report of a behaviour score: discrimination, calibration, grades and the scorecard."""

from __future__ import annotations

from typing import Any

import pandas as pd

from jogak.report._html import HtmlReport
from jogak.solutions.credit import CreditModel, GradeStability, PolicyComparison

__all__ = ["credit_report"]

_TABLE_COLUMNS = ["feature", "bin", "count", "share", "bad_rate", "woe", "iv", "points"]


def _go() -> Any:
    from jogak.report._html import _plotly

    return _plotly()


def _quality(report: HtmlReport, model: CreditModel, go: Any) -> None:
    section = report.section(
        "Discrimination and calibration",
        intro=f"{model.config.n_splits}-fold stratified cross-validation on {model.n_rows} "
              f"accounts (bad rate {model.bad_rate:.1%}); every figure comes from predictions "
              "on accounts the model did not train on.")
    for engine, result in model.evaluation.items():
        cv, calibration = result["cv"], result["calibration"]
        section.add_metrics({f"{engine} AUC": round(cv["auc"]["mean"], 4),
                             f"{engine} AUC std": round(cv["auc"]["std"], 4),
                             f"{engine} Gini": round(cv["gini"]["mean"], 4),
                             f"{engine} KS": round(cv["ks"]["mean"], 4),
                             f"{engine} Brier": round(calibration["brier"], 4),
                             f"{engine} calibration slope": round(calibration["slope"], 3)})
    figure = go.Figure()
    top = 0.0
    for engine, result in model.evaluation.items():
        table = result["calibration_table"]
        top = max(top, float(table["mean_predicted"].max()),
                  float(table["observed_bad_rate"].max()))
        figure.add_trace(go.Scatter(x=table["mean_predicted"], y=table["observed_bad_rate"],
                                    mode="lines+markers", name=engine))
    figure.add_trace(go.Scatter(x=[0, top], y=[0, top], mode="lines", name="perfect",
                                line={"dash": "dot", "color": "grey"}))
    figure.update_layout(xaxis_title="predicted probability of default (decile mean)",
                         yaxis_title="observed default rate")
    section.add_figure(figure, name="calibration",
                       caption="Out-of-fold deciles of the predicted probability.")


def _grades(report: HtmlReport, model: CreditModel, go: Any) -> None:
    section = report.section(
        "Grades",
        intro="Cut-offs on the score (higher = lower risk) chosen on out-of-fold scores so "
              "each grade's customers stay within its target bad rate; bad rates rise strictly "
              "from the best grade to the worst.")
    figure = go.Figure()
    for engine, scale in model.grade_scales.items():
        table = scale.table
        figure.add_trace(go.Bar(x=table["grade"], y=table["bad_rate"], name=engine,
                                text=[f"{s:.0%} of accounts" for s in table["share"]]))
        shown = table.assign(target_bad_rate=table["target_bad_rate"].map(
            lambda v: "-" if pd.isna(v) else f"<= {v:.1%}"))
        section.add_table(shown, caption=f"{engine}: grades on out-of-fold scores.")
    figure.update_layout(barmode="group", xaxis_title="grade", yaxis_title="default rate")
    section.add_figure(figure, name="bad_rate_by_grade")


def _scorecard(report: HtmlReport, model: CreditModel, go: Any) -> None:
    card = model.scorecard
    scaling = card.scaling_
    section = report.section(
        "Scorecard",
        intro=f"Points per bin: {scaling.base_score:g} points at good:bad odds of "
              f"{scaling.base_odds:g}:1, {scaling.pdo:g} points to double the odds. A score is "
              "the sum of its points and reproduces the logistic model's log-odds exactly. "
              "'Missing' and 'Unseen' rows hold the points of missing values and of categories "
              "never seen in training (average risk unless training had missing values).")
    iv = card.binner_.iv_.reindex(card.features_).sort_values()
    figure = go.Figure(go.Bar(x=iv.to_numpy(), y=list(iv.index), orientation="h"))
    figure.update_layout(xaxis_title="information value", yaxis_title=None,
                         height=max(300, 24 * len(iv) + 120))
    section.add_figure(figure, name="information_value",
                       caption="Information value of each feature in the scorecard.")
    section.add_table(card.table_[_TABLE_COLUMNS], caption="The scorecard.",
                      max_rows=len(card.table_))
    excluded = {**model.excluded, **card.excluded_}
    if excluded:
        section.add_table(pd.DataFrame({"column": list(excluded),
                                        "reason": list(excluded.values())}),
                          caption="Columns left out of the scorecard.", max_rows=len(excluded))


def credit_report(model: CreditModel, *, policy: PolicyComparison | None = None,
                  stability: GradeStability | None = None,
                  title: str = "Behaviour score") -> HtmlReport:
    """An HTML report of a fitted behaviour score (see :func:`fit_credit_model`).

    Sections: discrimination and calibration of each engine, the grades, the scorecard
    (information values, points table, excluded columns), and optionally a policy comparison
    and the grade stability of a later period. Only aggregates appear: no account's values.
    """
    go = _go()
    report = HtmlReport(title=title, subtitle=f"Target {model.target!r}, layout "
                                              f"{model.layout.name!r}")
    _quality(report, model, go)
    _grades(report, model, go)
    _scorecard(report, model, go)
    if stability is not None:
        section = report.section("Grade stability",
                                 intro=f"PSI {stability.psi:.3f}: {stability.level}.")
        section.add_table(stability.table)
    if policy is not None:
        section = report.section(
            "Policies", intro=f"{policy.grace_days} grace days for grades "
                              f"{', '.join(policy.grace_grades)}; best by net benefit: "
                              f"{policy.best}. Assumptions: "
                              + ", ".join(f"{k} = {v:g}"
                                          for k, v in vars(policy.assumptions).items()) + ".")
        section.add_table(policy.table)
    return report
