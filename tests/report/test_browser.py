"""The model report in a real headless Chromium: no console errors, every section and figure."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.image import imread

from jogak.report import model_report

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EXPECTED_SECTIONS = [
    "Summary", "Data profile", "Leaderboard", "The search", "Metrics",
    "Errors (confusion matrix)", "ROC and precision-recall curves", "Operating points",
    "Calibration", "Learning curve", "What drives predictions (SHAP)", "Local explanations",
    "Partial dependence of the top features", "Multicollinearity (VIF)"]


def test_model_report_opens_in_chromium_with_every_section_and_no_errors(
        churn_model, open_page, tmp_path: Path) -> None:
    model, frame = churn_model
    report = model_report(model, frame, n_explain=60, max_rows=200)
    path = report.write(tmp_path / "report.html")
    n_figures = len(report.figures)
    result = open_page(path, {
        "sections": "Array.from(document.querySelectorAll('section.report-section > h2'))"
                    ".map(h => h.textContent)",
        "toc_resolves": "Array.from(document.querySelectorAll('nav#toc a')).every("
                        "a => document.querySelector(a.getAttribute('href')) !== null)",
        "rendered_plots": "document.querySelectorAll('.js-plotly-plot .main-svg').length",
        "plot_divs": "document.querySelectorAll('.js-plotly-plot').length",
        "plotly_version": "window.Plotly ? Plotly.version : null",
        "external": "Array.from(document.querySelectorAll('script[src], link[href], img[src]'))"
                    ".length",
        "korean_cell": "Array.from(document.querySelectorAll('td')).some("
                       "td => td.textContent.includes('월별'))",
    }, ready=f"document.querySelectorAll('.js-plotly-plot').length === {n_figures}")
    assert result.errors == []
    assert result.values["sections"] == EXPECTED_SECTIONS
    assert result.values["toc_resolves"] is True
    assert result.values["plot_divs"] == n_figures
    assert result.values["rendered_plots"] >= n_figures  # each plot draws at least one SVG
    assert result.values["plotly_version"]
    assert result.values["external"] == 0
    assert result.values["korean_cell"] is True
    shot = tmp_path / "report.png"
    shot.write_bytes(result.screenshot)
    pixels = imread(shot)
    assert pixels.shape[:2] == (2200, 1280)
    assert (pixels[..., :3] < 0.9).any(axis=-1).mean() > 0.02  # text and plots, not blank
