"""model_report: every section present, honest sources, clear errors, PNG export, real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, NotFittedError, SchemaError, TargetError
from jogak.models import AutoMLClassifier, AutoMLRegressor, load_model
from jogak.report import HtmlReport, model_report
from jogak.report._explain_budget import explain_within

BINARY_SECTIONS = [
    "Summary", "Data profile", "Leaderboard", "The search", "Metrics",
    "Errors (confusion matrix)", "ROC and precision-recall curves", "Operating points",
    "Calibration", "Learning curve", "What drives predictions (SHAP)", "Local explanations",
    "Partial dependence of the top features", "Multicollinearity (VIF)"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_model_report_has_every_section_in_order(churn_model) -> None:
    model, frame = churn_model
    report = model_report(model, frame, n_explain=60, max_rows=200)
    assert isinstance(report, HtmlReport)
    assert [s.heading for s in report.sections] == BINARY_SECTIONS
    assert {"confusion_matrix", "roc_curve", "pr_curve", "threshold_curves", "calibration_curve",
            "learning_curve", "shap_global", "shap_local_1", "pdp_1", "search_trials",
            "search_families", "search_stability", "target_distribution"} <= set(report.figures)
    page = report.to_html()
    assert "Model report: churn" in page
    assert "recall_first" in page
    assert "월별" in page  # Korean categories reach the page (profile top values)


def test_model_report_curves_come_from_out_of_fold_predictions(churn_model) -> None:
    from sklearn.metrics import roc_auc_score

    model, frame = churn_model
    report = model_report(model, frame, n_explain=40, max_rows=200)
    roc = report.figures["roc_curve"]
    auc_in_legend = float(roc.data[0].name.split("AUC ")[1].rstrip(")"))
    expected = roc_auc_score(model.oof_target_, model.oof_[:, 1])
    assert auc_in_legend == pytest.approx(expected, abs=5e-4)
    # the operating points on the figure are the model's stored ones
    marked = {t.name: t.x[0] for t in report.figures["threshold_curves"].data
              if t.mode == "markers+text"}
    assert marked == {n: p.threshold for n, p in model.operating_points_.items()}


def test_model_report_without_data_says_what_is_missing(churn_model) -> None:
    model, _ = churn_model
    report = model_report(model)
    assert [s.heading for s in report.sections] == BINARY_SECTIONS
    page = report.to_html()
    assert "Give data (--data) to profile it." in page
    assert "Give data (--data) to explain the model." in page
    assert "roc_curve" in report.figures  # out-of-fold curves need no data


def test_model_report_names_missing_columns_and_targets(churn_model) -> None:
    model, frame = churn_model
    with pytest.raises(SchemaError, match=r"lacks the model's column\(s\) \['contract'\]"):
        model_report(model, frame.drop(columns=["contract"]))
    with pytest.raises(TargetError, match="Target column 'label' is not in the data"):
        model_report(model, frame, target="label")
    with pytest.raises(ConfigError, match="n_explain must be an int >= 1"):
        model_report(model, frame, n_explain=0)
    with pytest.raises(ConfigError, match="data must be a pandas DataFrame"):
        model_report(model, "data.csv")  # type: ignore[arg-type]
    with pytest.raises(NotFittedError, match="not fitted"):
        model_report(AutoMLClassifier())


def test_model_report_after_bundle_round_trip_with_max_profit(churn_model,
                                                              tmp_path: Path) -> None:
    model, frame = churn_model
    model.set_operating_points(benefit_tp=100.0, cost_contact=20.0)
    try:
        loaded = load_model(model.save(tmp_path / "bundle"))
    finally:
        model.set_operating_points()
    assert loaded.operating_points_["max_profit"] == \
        model.set_operating_points(benefit_tp=100.0, cost_contact=20.0).operating_points_[
            "max_profit"]
    model.set_operating_points()
    report = model_report(loaded, frame, n_explain=40, max_rows=200)
    assert "profit_curve" in report.figures
    assert "Not available: max_profit" not in report.to_html()


@pytest.mark.slow
def test_model_report_writes_every_figure_as_png(churn_model, tmp_path: Path) -> None:
    model, frame = churn_model
    report = model_report(model, frame, n_explain=40, max_rows=200)
    path = report.write(tmp_path / "report.html", png_dir=tmp_path / "png")
    assert path.stat().st_size < 10_000_000
    written = sorted(p.stem for p in (tmp_path / "png").glob("*.png"))
    assert written == sorted(report.figures)
    assert all((tmp_path / "png" / f"{n}.png").read_bytes().startswith(PNG_MAGIC)
               for n in written)


def test_model_report_of_a_regressor_shows_residuals(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    frame = pd.DataFrame({"x": rng.normal(size=150), "g": rng.choice(["a", "b"], 150)})
    frame["y"] = 3 * frame["x"] + (frame["g"] == "a") + rng.normal(0, 0.3, 150)
    model = AutoMLRegressor(n_trials=2, include_models=("linear",), cv=3)
    model.fit(frame.drop(columns=["y"]), frame["y"])
    report = model_report(model, frame, target="y", n_explain=40, max_rows=150)
    headings = [s.heading for s in report.sections]
    assert "Errors (residuals)" in headings
    assert "Operating points" not in headings
    assert "ROC and precision-recall curves" not in headings
    scatter = report.figures["predicted_vs_actual"]
    assert len(scatter.data[0].x) == 150
    np.testing.assert_allclose(np.sort(scatter.data[0].x), np.sort(frame["y"].to_numpy()))


@pytest.mark.slow
def test_model_report_on_telco_is_small_and_complete(data_dir: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    frame["TotalCharges"] = pd.to_numeric(frame["TotalCharges"], errors="coerce")
    X, y = frame.drop(columns=["Churn"]), frame["Churn"]
    model = AutoMLClassifier(n_trials=3, include_models=("linear", "lightgbm"), cv=3)
    model.fit(X, y)
    model.target_name_ = "Churn"
    report = model_report(model, frame, n_explain=150, max_rows=1500)
    path = report.write(tmp_path / "telco.html")
    assert path.stat().st_size < 10_000_000
    assert [s.heading for s in report.sections] == BINARY_SECTIONS
    page = path.read_text(encoding="utf-8")
    assert "customerID" not in list(model.roles_.features)
    # identifiers are never shown: no customer id value reaches the page
    assert frame["customerID"].iloc[0] not in page
    assert model.operating_points_["recall_first"].recall >= 0.95


def test_explain_within_budget_keeps_at_least_twenty_rows_and_none_keeps_all(
        churn_model) -> None:
    model, frame = churn_model
    X = frame.drop(columns=["churn"]).iloc[:30]
    quick, note = explain_within(model, X, seconds=1e-9, random_state=0)
    assert len(quick.values) == 20
    assert "the 1e-09 s budget covered 20" in note
    full, note = explain_within(model, X.iloc[:25], seconds=None, random_state=0)
    assert len(full.values) == 25
    assert "budget" not in note
    np.testing.assert_allclose(full.base_values + full.values.sum(axis=1), full.predictions,
                               atol=1e-6)


@pytest.mark.slow
def test_model_report_of_a_multiclass_model(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    frame = pd.DataFrame({"a": rng.normal(size=180), "b": rng.normal(size=180)})
    frame["label"] = np.select([frame["a"] > 0.5, frame["b"] > 0.3], ["hit", "steady"], "flop")
    model = AutoMLClassifier(n_trials=2, include_models=("linear",), cv=3)
    model.fit(frame[["a", "b"]], frame["label"])
    report = model_report(model, frame, target="label", n_explain=40, explain_seconds=None)
    headings = [s.heading for s in report.sections]
    assert "Errors (confusion matrix)" in headings
    assert "Operating points" not in headings
    matrix = report.figures["confusion_matrix"].data[0]
    assert list(matrix.y) == ["true flop", "true hit", "true steady"]
    assert model.operating_points_ == {}
    assert {"shap_global", "pdp_1"} <= set(report.figures)
