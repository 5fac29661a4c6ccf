"""HTML report of the hit models: investment board, S1 comparison, coverage, learning curves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from jogak.errors import SchemaError
from jogak.models import LearningCurve
from jogak.report._html import HtmlReport, _plotly
from jogak.solutions.hits import RISK_GRADES, Comparison, InvestmentTerms

__all__ = ["add_board_section", "hits_report"]

_BOARD_COLUMNS = ("rank", "title", "predicted", "lower", "upper", "expected_return",
                  "return_low", "return_high", "risk_grade")
_GRADE_COLOURS = {"A": "#1e8449", "B": "#52be80", "C": "#f4d03f", "D": "#e67e22", "E": "#c0392b"}


def add_board_section(report: HtmlReport, board: pd.DataFrame, terms: InvestmentTerms, *,
                      top: int = 30) -> None:
    """Add the investment board: key figures, the ranked table and expected returns with bands.

    Parameters
    ----------
    report : HtmlReport
    board : DataFrame
        Output of :func:`jogak.solutions.hits.investment_board` (or ``HitModel.board``).
    terms : InvestmentTerms
        The terms the board was computed with (shown to readers).
    top : int, default 30
        Titles shown in the figure.
    """
    missing = [c for c in _BOARD_COLUMNS if c not in board.columns]
    if missing:
        raise SchemaError(f"The board lacks column(s) {missing}; build it with "
                          "investment_board().")
    go = _plotly()
    unit = "audience" if terms.unit == "audience" else "months on chart"
    section = report.section("Investment board", intro=(
        f"Titles ranked by expected return to token holders. Predicted {unit} with a conformal "
        f"interval; revenue {terms.revenue_per_unit:,.0f} per unit, holders' share "
        f"{terms.holder_share:.0%}, costs {terms.costs:,.0f}, raise {terms.raise_amount:,.0f} "
        "per title."))
    grades = board["risk_grade"].value_counts().reindex(list(RISK_GRADES), fill_value=0)
    section.add_metrics({"titles": len(board),
                         "expected profit": int((board["expected_return"] > 0).sum()),
                         **{f"grade {g}": int(n) for g, n in grades.items()}})
    shown = board.head(top)
    figure = go.Figure(go.Bar(
        x=shown["expected_return"], y=shown["title"], orientation="h",
        marker_color=[_GRADE_COLOURS.get(g, "#888888") for g in shown["risk_grade"]],
        error_x={"type": "data", "symmetric": False,
                 "array": (shown["return_high"] - shown["expected_return"]).clip(lower=0),
                 "arrayminus": (shown["expected_return"] - shown["return_low"]).clip(lower=0)}))
    figure.update_layout(title="Expected return (bars) and the interval's returns (whiskers)",
                         xaxis_tickformat=".0%", yaxis_autorange="reversed",
                         height=180 + 22 * len(shown), margin={"l": 240})
    section.add_figure(figure, name="board_returns")
    section.add_table(board[list(_BOARD_COLUMNS)], caption="The board (best expected return "
                      "first; grade A: profitable even at the lower bound)", max_rows=100)


def hits_report(*, title: str, board: pd.DataFrame | None = None,
                terms: InvestmentTerms | None = None, comparison: Comparison | None = None,
                learning_curves: Mapping[str, LearningCurve] | None = None,
                top10_auc: float | None = None) -> HtmlReport:
    """A hit-model report with whichever parts are given."""
    go = _plotly()
    report = HtmlReport(title=title, subtitle="jogak content hit scoring (S1)")
    if board is not None:
        if terms is None:
            raise SchemaError("A board section needs the InvestmentTerms it was built with.")
        add_board_section(report, board, terms)
    if comparison is not None:
        _add_comparison(report, comparison, go, top10_auc)
    if learning_curves:
        section = report.section("Learning curves", intro="RMSE on training rows and in "
                                 "cross-validation as the training set grows.")
        for name, curve in learning_curves.items():
            table = curve.table
            figure = go.Figure([
                go.Scatter(x=table["n_rows"], y=table["train_mean"], name="train",
                           mode="lines+markers"),
                go.Scatter(x=table["n_rows"], y=table["cv_mean"], name="cross-validation",
                           mode="lines+markers",
                           error_y={"type": "data", "array": table["cv_std"]})])
            figure.update_layout(title=f"{name}: {curve.diagnose().verdict}",
                                 xaxis_title="training rows", yaxis_title=curve.metric)
            section.add_figure(figure, name=f"learning_curve_{name}")
    return report


def _add_comparison(report: HtmlReport, comparison: Comparison, go: Any,
                    top10_auc: float | None) -> None:
    summary = comparison.summary()
    section = report.section("Model comparison", intro=(
        "S1's models (default and Optuna-tuned inside each training fold) beside jogak's model, "
        f"on the same {comparison.scores['fold'].nunique()} folds."))
    metrics: dict[str, Any] = {"best model": str(summary.index[0]),
                               "best RMSE": float(summary["rmse"].iloc[0])}
    if not comparison.coverage.empty:
        metrics["interval coverage"] = f"{comparison.coverage['coverage'].mean():.1%}"
        metrics["nominal coverage"] = f"{comparison.nominal_coverage:.0%}"
    if top10_auc is not None:
        metrics["top-10 AUC"] = top10_auc
    section.add_metrics(metrics)
    figure = go.Figure(go.Bar(x=summary.index.tolist(), y=summary["rmse"],
                              error_y={"type": "data", "array": summary["rmse_std"]}))
    figure.update_layout(title="RMSE per model (mean and std over folds)", yaxis_title="RMSE")
    section.add_figure(figure, name="comparison_rmse")
    section.add_table(summary.reset_index(), caption="Mean (and std) over folds", max_rows=50)
