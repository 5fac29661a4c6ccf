"""AppTest of the model pages on a tiny registered Telco model (n_trials=2, 60 customers)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from tests.dashboard.conftest import APP_DIR

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def model(home: Path) -> Any:
    from jogak.registry import Registry

    with Registry(home) as registry:
        return registry.load("churn")[1]


@pytest.fixture(scope="module")
def rows(home: Path) -> pd.DataFrame:
    return pd.read_csv(home / "data" / "churn.csv")


@pytest.fixture(scope="module")
def single_bundle(tmp_path_factory: pytest.TempPathFactory, telco_rows: pd.DataFrame) -> Path:
    """A one-learner (logistic) Telco bundle: SHAP explains it in log-odds, not probability."""
    from jogak.models import AutoMLClassifier

    X, y = telco_rows.drop(columns=["Churn"]), telco_rows["Churn"]
    model = AutoMLClassifier(n_trials=2, include_models=["linear"], cv=3,
                             random_state=0).fit(X, y)
    assert model.ensemble_kind_ == "single"
    return model.save(tmp_path_factory.mktemp("single") / "bundle", name="churn_linear")


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _markdown(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*at.markdown, *at.warning, *at.info])


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_overview_lists_the_model_and_headline_figures(page, rows: pd.DataFrame) -> None:  # noqa: ANN001
    at = _ok(page("overview"))
    assert at.title[0].value == "Overview · 개요"
    models = at.dataframe[0].value
    assert models["model"].tolist() == ["churn v1@production"]
    assert models["CV quality"].iloc[0].startswith("roc_auc 0.")
    assert "±" in models["CV quality"].iloc[0]
    figures = _metrics(at)
    assert figures["customers"] == "60"
    assert figures["Churn rate (Yes)"] == f"{(rows['Churn'] == 'Yes').mean():.1%}"
    pages = at.table[0].value
    assert len(pages) == 11
    assert "Targeting · 타기팅" in pages["page"].tolist()


def test_explorer_target_rate_with_filter_and_sort(page, rows: pd.DataFrame) -> None:  # noqa: ANN001
    at = page("explorer")
    at.selectbox(key="explorer_column").set_value("Contract").run()
    table = _ok(at).dataframe[0].value
    expected = rows.groupby("Contract")["Churn"].apply(lambda s: (s == "Yes").mean())
    rates = dict(zip(table["level"], table["rate"], strict=True))
    assert rates == pytest.approx(expected.to_dict())
    assert table["rate"].is_monotonic_decreasing
    at.number_input(key="explorer_min").set_value(15).run()
    assert at.dataframe[0].value["n"].min() >= 15
    at.radio(key="explorer_sort").set_value("count").run()
    assert at.dataframe[0].value["n"].is_monotonic_decreasing
    at.number_input(key="explorer_min").set_value(1)
    at.selectbox(key="explorer_column").set_value("tenure").run()
    assert at.dataframe[0].value["n"].sum() == len(rows)  # quantile bins cover every row
    missing = at.dataframe[1].value
    assert missing.set_index("column").loc["TotalCharges", "missing"] == \
        rows["TotalCharges"].isna().sum()


def test_why_shows_top8_waterfall_and_pdp(page, model: Any, rows: pd.DataFrame) -> None:  # noqa: ANN001
    at = _ok(page("why"))
    top = at.dataframe[0].value
    assert len(top) == 8
    assert set(top["direction"]) <= {"+", "−", "mixed"}
    labels = at.selectbox(key="why_customer").options
    assert len(labels) == len(rows)
    assert not set(labels) & set(rows["customerID"])  # pseudonymised, never the raw id
    at.selectbox(key="why_customer").set_value(labels[3]).run()
    steps = at.dataframe[1].value
    proba = model.predict_proba(rows.iloc[[3]].drop(columns=["Churn"]))[0, 1]
    assert float(at.metric[0].value) == pytest.approx(proba, abs=1e-3)
    contributions = steps["contribution"].sum()
    base = float(at.metric[0].proto.help.split()[-1])
    assert base + contributions == pytest.approx(float(at.metric[0].value), abs=2e-3)
    assert len(at.get("plotly_chart")) == 3


def _why_customer(at: AppTest, row: int) -> tuple[dict[str, str], float]:
    """Pick the ``row``-th customer on the Why page: its metrics and its waterfall's base + sum."""
    labels = at.selectbox(key="why_customer").options
    at.selectbox(key="why_customer").set_value(labels[row]).run()
    base = float(_ok(at).metric[0].proto.help.split()[-1])
    return _metrics(at), base + float(at.dataframe[1].value["contribution"].sum())


def test_why_ensemble_is_explained_in_probability(page, model: Any,  # noqa: ANN001
                                                   rows: pd.DataFrame) -> None:
    assert len(model.ensemble_.weights) == 2  # linear + forest: probabilities are averaged
    at = _ok(page("why"))
    assert "SHAP, probability" in at.subheader[0].value
    figures, total = _why_customer(at, 5)
    assert list(figures) == ["Prediction"]  # no separate probability: it is the prediction
    proba = model.predict_proba(rows.iloc[[5]].drop(columns=["Churn"]))[0, 1]
    assert float(figures["Prediction"]) == pytest.approx(proba, abs=1e-3)
    assert total == pytest.approx(float(figures["Prediction"]), abs=2e-3)


def test_why_single_learner_shows_log_odds_and_its_probability(
        home: Path, single_bundle: Path, rows: pd.DataFrame,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from jogak.models import load_model

    monkeypatch.setattr(sys, "argv", ["app.py", "--home", str(home), "--model",
                                      str(single_bundle), "--data",
                                      str(home / "data" / "churn.csv")])
    at = _ok(AppTest.from_file(str(APP_DIR / "pages" / "why.py"), default_timeout=120).run())
    assert at.sidebar.selectbox(key="model_label").value.startswith("churn_linear (bundle ")
    assert "SHAP, log_odds" in at.subheader[0].value
    figures, total = _why_customer(at, 5)
    assert list(figures) == ["Prediction (log_odds)", "Predicted probability"]
    log_odds = float(figures["Prediction (log_odds)"])
    shown = float(figures["Predicted probability"])
    assert total == pytest.approx(log_odds, abs=2e-3)  # the waterfall adds up in log-odds
    assert shown == pytest.approx(1.0 / (1.0 + np.exp(-log_odds)), abs=1e-3)
    customer = rows.iloc[[5]].drop(columns=["Churn"])
    assert shown == pytest.approx(load_model(single_bundle).predict_proba(customer)[0, 1],
                                  abs=1e-3)
    assert abs(log_odds - shown) > 0.05  # the two figures are not the same number twice


def test_what_if_slider_moves_prediction(page, model: Any, rows: pd.DataFrame) -> None:  # noqa: ANN001
    at = page("what_if")
    label = at.selectbox(key="whatif_start").options[1]
    at.selectbox(key="whatif_start").set_value(label).run()
    first = float(_ok(at).metric[0].value)
    customer = rows.iloc[[0]].drop(columns=["Churn"])
    assert first == pytest.approx(model.predict_proba(customer)[0, 1], abs=1e-3)
    members = at.dataframe[0].value
    assert members["weight"].sum() == pytest.approx(1.0)
    assert (members["weight"] * members["prediction"]).sum() == pytest.approx(first, abs=1e-3)
    at.slider(key=f"whatif_{label}_tenure").set_value(72.0).run()
    at.selectbox(key=f"whatif_{label}_Contract").set_value("Two year").run()
    moved = float(_ok(at).metric[0].value)
    changed = customer.assign(tenure=72, Contract="Two year")
    assert moved == pytest.approx(model.predict_proba(changed)[0, 1], abs=1e-3)
    assert moved != first
    shap = at.dataframe[1].value
    assert "tenure" in shap["column"].tolist()


def test_targeting_operating_point_sets_campaign_size(page, model: Any,  # noqa: ANN001
                                                       rows: pd.DataFrame) -> None:
    at = _ok(page("targeting"))
    proba = model.predict_proba(rows.drop(columns=["Churn"]))[:, 1]
    point = model.operating_points_["recall_first"].threshold
    at.radio(key="target_point").set_value("recall_first").run()
    assert _metrics(at)["Campaign size"] == str(int((proba >= point).sum()))
    at.radio(key="target_point").set_value("custom threshold").run()
    at.slider(key="target_threshold").set_value(0.5).run()
    assert _metrics(_ok(at))["Campaign size"] == str(int((proba >= 0.5).sum()))
    segments = at.dataframe[0].value
    assert set(segments["segment"]) <= {"very high", "high", "medium", "low"}
    assert segments["n_customers"].sum() == len(rows)
    assert "Very-high-risk playbook" in _markdown(at)
    targets = at.dataframe[1].value
    assert targets["probability"].is_monotonic_decreasing
    assert (targets["probability"] >= 0.5).all()


def test_automl_page_shows_search_and_weights(page, model: Any) -> None:  # noqa: ANN001
    at = _ok(page("automl"))
    summary = at.dataframe[0].value
    assert set(summary.iloc[:, 0]) >= {"linear", "random_forest"} or \
        set(summary.index) >= {"linear", "random_forest"}
    weights = at.dataframe[1].value
    assert dict(zip(weights["member"], weights["weight"], strict=True)) == \
        pytest.approx(model.ensemble_.weights)
    assert len(at.get("plotly_chart")) >= 2


def test_pages_say_what_to_run_without_models(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["app.py", "--home", str(tmp_path)])
    for stem in ("overview", "why", "targeting"):
        at = _ok(AppTest.from_file(str(APP_DIR / "pages" / f"{stem}.py"),
                                   default_timeout=60).run())
        text = _markdown(at)
        assert "jogak registry register jogak-output/model --name churn" in text
        assert f"JOGAK_HOME={tmp_path}" in text


def test_page_says_what_to_run_without_data(home: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    bundle = next((home / "models" / "churn").iterdir())
    monkeypatch.setattr(sys, "argv", ["app.py", "--home", str(tmp_path), "--model", str(bundle)])
    at = _ok(AppTest.from_file(str(APP_DIR / "pages" / "why.py"), default_timeout=60).run())
    assert f"cp jogak-output/holdout.csv {tmp_path}/data/churn.csv" in _markdown(at)
    assert np.isfinite(len(at.title))
