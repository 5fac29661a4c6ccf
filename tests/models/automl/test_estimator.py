from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.models import AutoMLClassifier, AutoMLRegressor
from jogak.testing import make_classification_frame, make_frame

FAST = {"n_trials": 3, "include_models": ("linear", "hist_gb"), "cv": 3}


def _regression_frame(n_rows: int = 200, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    frame = make_frame(n_rows, seed=seed)
    y = (frame["num"].fillna(50) * 2 + frame["count"] * 5
         + frame["color"].map({"red": 10.0}).fillna(0.0))
    return frame, pd.Series(y, name="y")


def test_classifier_learns_mixed_frame_and_reports_leaderboard() -> None:
    frame = make_classification_frame(400, seed=1)
    X, y = frame.drop(columns="target"), frame["target"]
    model = AutoMLClassifier(**FAST).fit(X, y)
    assert list(model.classes_) == ["no", "yes"]
    proba = model.predict_proba(X)
    assert proba.shape == (400, 2)
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert model.cv_results_["roc_auc"][0] > 0.8
    board = model.leaderboard_
    assert {"family", "roc_auc", "roc_auc_std", "fit_seconds"} <= set(board.columns)
    assert board["roc_auc"].is_monotonic_decreasing
    assert len(model.history_) == 3
    # identifiers and constants never feed the model
    assert "id" not in model.roles_.features
    assert "const" not in model.roles_.features


def test_same_seed_and_trials_give_identical_leaderboard_and_predictions() -> None:
    frame = make_classification_frame(300, seed=2)
    X, y = frame.drop(columns="target"), frame["target"]
    params = {"n_trials": 4, "include_models": ("linear", "lightgbm", "random_forest"), "cv": 3}
    first = AutoMLClassifier(random_state=7, **params).fit(X, y)
    second = AutoMLClassifier(random_state=7, **params).fit(X, y)
    cols = ["family", "source", "roc_auc", "roc_auc_std"]
    pd.testing.assert_frame_equal(first.leaderboard_[cols], second.leaderboard_[cols])
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


def test_regressor_with_log_target_predicts_on_original_scale() -> None:
    X, y = _regression_frame()
    y = np.exp(y / 40.0)
    model = AutoMLRegressor(log_target=True, **FAST).fit(X, y)
    prediction = model.predict(X)
    assert prediction.min() > 0
    assert np.corrcoef(prediction, y)[0, 1] > 0.8


def test_multiclass_classifier_gives_one_column_per_class() -> None:
    frame = make_classification_frame(300, seed=3, n_classes=3)
    X, y = frame.drop(columns="target"), frame["target"]
    model = AutoMLClassifier(**FAST).fit(X, y)
    assert model.metric_ == "log_loss"
    assert model.predict_proba(X).shape == (300, 3)
    assert set(model.predict(X)) <= {"class_0", "class_1", "class_2"}


def test_predict_handles_unseen_categories_extra_columns_and_names_missing_ones() -> None:
    frame = make_classification_frame(300, seed=4)
    X, y = frame.drop(columns="target"), frame["target"]
    model = AutoMLClassifier(**FAST).fit(X, y)
    new = X.head(5).copy()
    new["color"] = ["purple", "orange", None, "red", "??"]
    new["surprise"] = 1
    assert model.predict_proba(new).shape == (5, 2)
    with pytest.raises(SchemaError, match="amount"):
        model.predict(X.drop(columns=["amount"]).head(3))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_tiny_data_all_missing_column_and_short_budget_still_return_a_model() -> None:
    frame = make_classification_frame(20, seed=5, missing_share=0.0)
    X, y = frame.drop(columns="target"), frame["target"]
    X["empty"] = np.nan
    model = AutoMLClassifier(n_trials=2, cv=5).fit(X, y)
    assert model.predict(X).shape == (20,)
    quick = AutoMLClassifier(time_budget=5).fit(X, y)
    assert len(quick.history_) >= 1


def test_a_first_trial_longer_than_the_whole_budget_still_gives_a_model() -> None:
    # a budget far below one fold's fit: the first trial must finish rather than time out
    frame = make_classification_frame(400, seed=3, missing_share=0.0)
    X, y = frame.drop(columns="target"), frame["target"]
    model = AutoMLClassifier(time_budget=0.001, include_models=["linear"], cv=3).fit(X, y)
    assert (model.leaderboard_["status"] == "complete").any()
    assert model.predict_proba(X).shape == (400, 2)


@pytest.mark.parametrize(
    ("target", "error", "match"),
    [(["a"] * 30, TargetError, "single class"),
     ([None] * 30, SchemaError, "at least 4 rows")],
    ids=["constant", "all_missing"])
def test_bad_targets_are_refused_clearly(target: list, error: type, match: str) -> None:
    X = make_frame(30, seed=0)
    with pytest.raises(error, match=match):
        AutoMLClassifier(**FAST).fit(X, pd.Series(target))


def test_regressor_refuses_text_target_and_bad_parameters() -> None:
    X = make_frame(30, seed=0)
    with pytest.raises(TargetError, match="must be numeric"):
        AutoMLRegressor(**FAST).fit(X, pd.Series(["x", "y"] * 15))
    with pytest.raises(ConfigError, match="time_budget"):
        AutoMLRegressor(time_budget=-1).fit(X, np.arange(30.0))
    with pytest.raises(ConfigError, match="Unknown model family .logistic_only_typo."):
        AutoMLRegressor(n_trials=1, include_models=("logistic_only_typo",)).fit(X, np.arange(30.0))


def test_telco_churn_reaches_a_strong_auc(data_dir) -> None:
    from jogak.data import load

    frame = load(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    X, y = frame.drop(columns="Churn"), frame["Churn"]
    model = AutoMLClassifier(n_trials=4, include_models=("linear", "lightgbm"), cv=3).fit(X, y)
    assert model.cv_results_["roc_auc"][0] > 0.83
    assert "customerID" not in model.roles_.features


@parametrize_with_checks(
    [AutoMLClassifier(n_trials=1, include_models=("linear",), cv=2, stacking=False),
     AutoMLRegressor(n_trials=1, include_models=("linear",), cv=2, stacking=False)],
    expected_failed_checks=lambda est: {
        "check_sample_weight_equivalence_on_dense_data":
            "cross-validation folds differ when rows are repeated instead of weighted",
    })
def test_automl_estimators_follow_the_sklearn_contract(estimator, check) -> None:
    check(estimator)


def test_single_row_path_equals_the_frame_path() -> None:
    frame = make_classification_frame(300, seed=6)
    X, y = frame.drop(columns="target"), frame["target"]
    model = AutoMLClassifier(n_trials=3, include_models=("linear", "lightgbm"), cv=3).fit(X, y)
    records = X.head(40).to_dict(orient="records")
    rows = np.array([model.predict_proba_row(record) for record in records])
    np.testing.assert_allclose(rows, model.predict_proba(X.head(40)), rtol=1e-9, atol=1e-12)
    assert [model.predict_row(r) for r in records] == list(model.predict(X.head(40)))
    regressor = AutoMLRegressor(n_trials=2, include_models=("linear",), cv=3, log_target=True)
    regressor.fit(X, np.exp(frame["num"].fillna(50) / 25))
    values = [regressor.predict_row(r) for r in records]
    np.testing.assert_allclose(values, regressor.predict(X.head(40)), rtol=1e-9)


def test_time_ordered_folds_fit_ensembles_and_operating_points() -> None:
    # expanding windows never validate the earliest block: those rows have no out-of-fold
    # prediction, and ensembling, stacking and operating points must work around them
    frame = make_classification_frame(300, seed=11, missing_share=0.0)
    frame["when"] = pd.date_range("2024-01-01", periods=300, freq="D")
    X, y = frame.drop(columns="target"), frame["target"]
    model = AutoMLClassifier(n_trials=4, include_models=["linear", "knn"], time_column="when",
                             cv=3, random_state=0).fit(X, y)
    assert np.isnan(model.oof_[:, 1]).any()
    assert model.predict_proba(X).shape == (300, 2)
    assert set(model.operating_points_) >= {"recall_first", "precision_first"}
