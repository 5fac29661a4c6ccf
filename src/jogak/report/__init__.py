"""Self-contained HTML reports (Plotly inline, offline) and PNG figures.

``report`` sits above the solutions in the layers, so that one report package renders the model
report and every solution's results.
"""

from __future__ import annotations

from jogak.report._commerce import clv_report, rfm_report, spec_report, validation_report
from jogak.report._credit import credit_report
from jogak.report._drift import drift_report
from jogak.report._hits import add_board_section, hits_report
from jogak.report._html import FONT_FAMILY, HtmlReport, Section
from jogak.report._markets import backtest_report
from jogak.report._model_report import model_report
from jogak.report._png import SUPPORTED_TRACES, figure_to_png
from jogak.report._search_figures import search_figures, search_summary

__all__ = [
    "FONT_FAMILY",
    "SUPPORTED_TRACES",
    "HtmlReport",
    "Section",
    "add_board_section",
    "backtest_report",
    "clv_report",
    "credit_report",
    "drift_report",
    "figure_to_png",
    "hits_report",
    "model_report",
    "rfm_report",
    "search_figures",
    "search_summary",
    "spec_report",
    "validation_report",
]
