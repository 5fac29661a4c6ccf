"""The hits HTML report: board, comparison and learning-curve sections."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.errors import SchemaError
from jogak.models import LearningCurve
from jogak.solutions.hits import METRIC_NAMES, Comparison, InvestmentTerms, investment_board

pytest.importorskip("plotly")

from jogak.report._hits import hits_report  # noqa: E402  (needs plotly)


def _board() -> tuple[pd.DataFrame, InvestmentTerms]:
    terms = InvestmentTerms(revenue_per_unit=3_600.0, holder_share=0.3, raise_amount=1e8)
    board = investment_board(pd.Series(["가 영화", "나 영화", "다 영화"]),
                             np.array([1e6, 2e5, 5e4]),
                             np.array([[4e5, 3e6], [5e4, 8e5], [1e4, 2e5]]), terms)
    return board, terms


def test_hits_report_holds_board_comparison_and_curves(tmp_path: Path) -> None:
    board, terms = _board()
    scores = pd.DataFrame({"model": ["random_forest", "jogak_automl"], "fold": [0, 0],
                           "repeat": 0, **{m: [2.0, 1.0] for m in METRIC_NAMES}})
    comparison = Comparison(scores=scores, coverage=pd.DataFrame(
        {"fold": [0], "coverage": [0.9], "mean_width_log": [2.0]}), nominal_coverage=0.9)
    curve = LearningCurve(metric="rmse", greater_is_better=False, table=pd.DataFrame(
        {"n_rows": [50, 100], "fraction": [0.5, 1.0], "train_mean": [1.0, 1.1],
         "train_std": [0.1, 0.1], "cv_mean": [3.0, 2.0], "cv_std": [0.2, 0.2]}))
    report = hits_report(title="Films", board=board, terms=terms, comparison=comparison,
                         learning_curves={"random_forest": curve}, top10_auc=0.8)
    headings = [s.heading for s in report.sections]
    assert headings == ["Investment board", "Model comparison", "Learning curves"]
    assert set(report.figures) == {"board_returns", "comparison_rmse",
                                   "learning_curve_random_forest"}
    html = report.to_html()
    assert "가 영화" in html
    assert "jogak_automl" in html
    path = report.write(tmp_path / "hits.html")
    assert path.read_text(encoding="utf-8") == html


def test_hits_report_rejects_incomplete_boards() -> None:
    board, terms = _board()
    with pytest.raises(SchemaError, match="lacks column"):
        hits_report(title="x", board=board.drop(columns="risk_grade"), terms=terms)
    with pytest.raises(SchemaError, match="needs the InvestmentTerms"):
        hits_report(title="x", board=board)
