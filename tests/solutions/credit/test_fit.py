from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.errors import BundleError, ConfigError, SchemaError, TargetError
from jogak.solutions.credit import (
    CreditConfig,
    CreditModel,
    GradeConfig,
    fit_credit_model,
    load_credit_model,
)
from jogak.testing._credit import make_credit_frame, make_telecom_credit_frame

pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def taiwan_like() -> pd.DataFrame:
    return make_credit_frame(2500, seed=11, uci_names=True)


@pytest.fixture(scope="module")
def model(taiwan_like: pd.DataFrame) -> CreditModel:
    steps: list[tuple[int, int, str]] = []
    fitted = fit_credit_model(taiwan_like, "Y", config=CreditConfig(n_splits=3),
                              progress=lambda done, total, label: steps.append((done, total,
                                                                                label)))
    fitted.progress_seen = steps  # type: ignore[attr-defined]
    return fitted


def test_fit_reports_progress_and_honest_metrics(model: CreditModel) -> None:
    steps = model.progress_seen  # type: ignore[attr-defined]
    assert [s[0] for s in steps] == list(range(1, 9))
    assert all(s[1] == 8 for s in steps)
    for engine in ("scorecard", "gbm"):
        result = model.evaluation[engine]
        assert set(result["cv"]) == {"auc", "gini", "ks"}
        assert result["cv"]["auc"]["mean"] > 0.7
        assert result["cv"]["gini"]["mean"] == pytest.approx(2 * result["cv"]["auc"]["mean"] - 1)
        assert result["calibration_table"]["count"].sum() == model.n_rows


def test_the_uci_layout_is_recognised_and_protected_columns_are_left_out(
        model: CreditModel) -> None:
    assert model.layout.name == "taiwan_uci"
    assert {"ID", "SEX", "MARRIAGE"} <= set(model.excluded)
    assert "ID" not in model.input_columns
    assert "LIMIT_BAL" in model.input_columns
    # the repayment history drives the score: a status column or a feature derived from it
    history = {"months_since_late", "months_late_total", "late_trend", "status_roll",
               "months_late", "max_months_late"}
    assert any(f.startswith("PAY_") and "AMT" not in f or f in history
               for f in model.scorecard.features_)


def test_grades_have_strictly_increasing_bad_rates(model: CreditModel,
                                                   taiwan_like: pd.DataFrame) -> None:
    for engine in ("scorecard", "gbm"):
        table = model.grade_scales[engine].table
        assert list(table["grade"]) == ["A", "B", "C", "D", "E"]
        assert np.all(np.diff(table["bad_rate"]) > 0)


def test_grade_output_is_one_row_per_input_row_in_order(model: CreditModel,
                                                        taiwan_like: pd.DataFrame) -> None:
    rows = taiwan_like.drop(columns=["Y"]).iloc[::-1].iloc[:300]
    graded = model.grade(rows)
    assert list(graded.columns) == ["score", "grade", "pd", "reasons"]
    assert graded.index.equals(rows.index)
    scorecard = model.scorecard
    features = model.features(rows)
    np.testing.assert_allclose(graded["score"], scorecard.score_points(features))
    assert set(graded["grade"]) <= set("ABCDE")
    # higher score = lower risk = better grade
    order = np.argsort(-graded["score"].to_numpy())
    ranks = graded["grade"].to_numpy()[order]
    assert list(ranks) == sorted(ranks)
    first_reasons = model.scorecard.reasons(features, n_reasons=3)
    expected = first_reasons[["reason_1", "reason_2", "reason_3"]].apply(
        lambda r: "; ".join(v for v in r if v is not None), axis=1)
    assert graded["reasons"].tolist() == expected.tolist()


def test_gbm_engine_grades_with_shap_reasons(model: CreditModel,
                                             taiwan_like: pd.DataFrame) -> None:
    rows = taiwan_like.iloc[:50]
    graded = model.grade(rows, engine="gbm", n_reasons=2)
    assert graded["reasons"].str.count(";").max() <= 1
    np.testing.assert_allclose(graded["pd"], model.gbm.predict_proba(model.features(rows))[:, 1])


def test_save_and_load_round_trip(model: CreditModel, taiwan_like: pd.DataFrame,
                                  tmp_path: Path) -> None:
    path = model.save(tmp_path / "credit")
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["kind"] == "jogak.credit"
    assert manifest["metrics"]["scorecard_auc"]["mean"] == pytest.approx(
        model.evaluation["scorecard"]["cv"]["auc"]["mean"])
    assert manifest["feature_schema"]["columns"][0]["name"] == model.input_columns[0]
    assert len(manifest["data_fingerprint"]) == 64
    loaded = load_credit_model(path)
    rows = taiwan_like.iloc[:100]
    pd.testing.assert_frame_equal(loaded.grade(rows), model.grade(rows))


def test_loading_another_bundle_kind_is_refused(tmp_path: Path) -> None:
    from jogak.models._artifacts import save_bundle

    save_bundle(tmp_path / "other", objects={"x": 1}, manifest={"kind": "jogak.automl"})
    with pytest.raises(BundleError, match="expected 'jogak.credit'"):
        load_credit_model(tmp_path / "other")


def test_stability_against_the_development_sample(model: CreditModel,
                                                  taiwan_like: pd.DataFrame) -> None:
    same = model.stability(taiwan_like)
    assert same.level == "stable"
    risky = taiwan_like[taiwan_like["X6"] >= 1]  # only customers late last month
    shifted = model.stability(risky)
    assert shifted.psi > same.psi
    assert shifted.level != "stable"


def test_policy_uses_the_layout_amount_and_default_grace_grades(
        model: CreditModel, taiwan_like: pd.DataFrame) -> None:
    result = model.policy(taiwan_like, grace_days=30)
    assert result.grace_grades == ("A", "B")
    table = result.table.set_index("policy")
    assert table.loc["grace_for_A+B", "n_grace"] == (
        model.grade(taiwan_like)["grade"].isin(["A", "B"]).sum())
    with pytest.raises(ConfigError, match="not grades of this model"):
        model.policy(taiwan_like, grace_days=30, grace_grades=["Z"])


def test_scoring_refuses_missing_columns_and_wrong_types(model: CreditModel,
                                                          taiwan_like: pd.DataFrame) -> None:
    with pytest.raises(SchemaError, match="LIMIT_BAL"):  # X1 under its readable name
        model.grade(taiwan_like.drop(columns=["X1"]))
    bad = taiwan_like.iloc[:3].astype({"X1": "object"})
    bad.loc[bad.index[0], "X1"] = "lots"
    with pytest.raises(SchemaError, match="lots"):
        model.grade(bad)


def test_telecom_table_with_missing_values_dates_and_text_labels() -> None:
    frame = make_telecom_credit_frame(2000, seed=4, missing_share=0.1)
    model = fit_credit_model(frame, "nonpayment", config=CreditConfig(
        n_splits=3, with_gbm=False, grades=GradeConfig(labels=("A", "B", "C"),
                                                        bad_rate_multiples=(0.6, 1.4))))
    assert model.gbm is None
    assert model.positive_label == "yes"
    assert "customer_id" in model.excluded
    assert "signup_date" in model.excluded
    assert model.evaluation["scorecard"]["cv"]["auc"]["mean"] > 0.7
    with_missing = frame.iloc[:5].copy()
    with_missing["viewing_change"] = np.nan
    graded = model.grade(with_missing)
    assert graded["score"].notna().all()
    with pytest.raises(ConfigError, match="Unknown or unfitted engine"):
        model.grade(frame.iloc[:5], engine="gbm")


@pytest.mark.parametrize(
    ("target", "change", "error", "message"),
    [("nope", None, TargetError, "Target column 'nope'"),
     ("default", "multiclass", TargetError, "must be binary"),
     ("default", "missing", TargetError, "missing value"),
     ("default", "one_bad", TargetError, "at least n_splits")],
    ids=["absent", "multiclass", "missing", "too_few_bads"])
def test_bad_targets_are_refused(target: str, change: str | None, error: type,
                                 message: str) -> None:
    frame = make_credit_frame(300, seed=1)
    if change == "multiclass":
        frame["default"] = np.arange(300) % 3
    elif change == "missing":
        frame["default"] = frame["default"].astype("float64")
        frame.loc[0, "default"] = np.nan
    elif change == "one_bad":
        frame["default"] = 0
        frame.loc[0, "default"] = 1
    with pytest.raises(error, match=message):
        fit_credit_model(frame, target, config=CreditConfig(n_splits=3, with_gbm=False))


def test_only_identifiers_and_constants_is_refused() -> None:
    frame = pd.DataFrame({"id": [f"u{i}" for i in range(300)], "same": 1,
                          "y": [0, 1, 0] * 100})
    with pytest.raises(SchemaError, match="unusable as a feature"):
        fit_credit_model(frame, "y", config=CreditConfig(n_splits=3, with_gbm=False))


def test_invalid_config_is_refused() -> None:
    with pytest.raises(ConfigError, match="n_splits"):
        CreditConfig(n_splits=1)
    with pytest.raises(ConfigError, match="layout"):
        CreditConfig(layout="taiwan")  # type: ignore[arg-type]
