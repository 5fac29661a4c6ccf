"""ChurnClassifier: calibrated probabilities, two operating points, bundles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.errors import BundleError, ConfigError, TargetError
from jogak.models import AutoMLClassifier
from jogak.solutions.churn import (
    ChurnClassifier,
    evaluate_holdout,
    load_churn_model,
    time_split,
)
from jogak.solutions.churn._calibration import (
    apply_calibration,
    cross_fitted,
    fit_calibration,
)

pytestmark = pytest.mark.slow


def test_model_is_calibrated_and_separates_churners(churn_model: ChurnClassifier,
                                                    kkbox_features: pd.DataFrame) -> None:
    assert churn_model.cv_scores_["roc_auc"][0] > 0.75
    # Platt scaling is a logistic MLE with an intercept: it reproduces the base rate exactly
    assert churn_model.oof_proba_.mean() == pytest.approx(churn_model.oof_target_.mean(),
                                                          abs=1e-3)
    calibration = churn_model.calibration_
    assert calibration["method"] == "sigmoid"
    assert calibration["brier_calibrated"] < 0.25
    assert calibration["n_rows"] == len(kkbox_features)
    proba = churn_model.predict_proba(kkbox_features.drop(columns=["is_churn"]))
    assert proba.shape == (len(kkbox_features), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(churn_model.classes_) == [0, 1]


def test_operating_points_meet_their_targets(churn_model: ChurnClassifier,
                                             kkbox_features: pd.DataFrame) -> None:
    points = churn_model.operating_points_
    recall_first = points["recall_first"]
    assert recall_first.recall >= 0.95
    if "precision_first" in points:
        assert points["precision_first"].precision >= 0.8
        assert points["precision_first"].threshold >= recall_first.threshold
    X = kkbox_features.drop(columns=["is_churn"])
    flagged = churn_model.decide(X, "recall_first")
    expected = churn_model.predict_proba(X)[:, 1] >= recall_first.threshold
    np.testing.assert_array_equal(flagged, expected)
    with pytest.raises(ConfigError, match="Unknown operating point"):
        churn_model.decide(X, "max_fun")


def test_bundle_round_trip(churn_model: ChurnClassifier, kkbox_features: pd.DataFrame,
                           tmp_path: Path) -> None:
    path = churn_model.save(tmp_path / "model")
    loaded = load_churn_model(path)
    X = kkbox_features.drop(columns=["is_churn"]).head(20)
    np.testing.assert_allclose(loaded.predict_proba(X), churn_model.predict_proba(X))
    assert loaded.operating_points_ == churn_model.operating_points_
    assert loaded.cv_scores_["roc_auc"] == pytest.approx(churn_model.cv_scores_["roc_auc"])
    assert loaded.get_params()["exclude_columns"] == ("msno",)
    plain = AutoMLClassifier(n_trials=1, include_models=("linear",), cv=2).fit(
        X.drop(columns=["msno"]), np.arange(20) % 2)
    plain.save(tmp_path / "plain")
    with pytest.raises(BundleError, match="not a churn model"):
        load_churn_model(tmp_path / "plain")


def test_fit_rejects_non_binary_targets_and_bad_calibration(
        kkbox_features: pd.DataFrame) -> None:
    X = kkbox_features.drop(columns=["is_churn"]).head(30)
    with pytest.raises(TargetError, match="binary target"):
        ChurnClassifier(n_trials=1).fit(X, np.arange(30) % 3)
    with pytest.raises(ConfigError, match="calibration must be"):
        ChurnClassifier(n_trials=1, calibration="beta").fit(  # type: ignore[arg-type]
            X, np.arange(30) % 2)


def test_time_based_holdout(kkbox_features: pd.DataFrame) -> None:
    """Train on the earlier expiries, score the later ones with the training thresholds."""
    rng = np.random.default_rng(0)
    frame = kkbox_features.assign(expiry=pd.Timestamp("2017-02-01") + pd.to_timedelta(
        rng.integers(0, 28, len(kkbox_features)), unit="D"))
    train, valid = time_split(frame, time_column="expiry", valid_from="2017-02-20")
    assert train["expiry"].max() < valid["expiry"].min()
    model = ChurnClassifier(n_trials=2, cv=3, include_models=("linear",),
                            exclude_columns=("msno",), calibration="isotonic").fit(
        train.drop(columns=["is_churn", "expiry"]), train["is_churn"])
    assert model.oof_proba_.mean() == pytest.approx(model.oof_target_.mean(), abs=1e-9)
    report = evaluate_holdout(model, valid.drop(columns=["is_churn", "expiry"]),
                              valid["is_churn"])
    assert report["n_rows"] == len(valid)
    assert report["churn_rate"] == pytest.approx(valid["is_churn"].mean())
    assert report["roc_auc"] > 0.7
    point = report["operating_points"]["recall_first"]
    flagged = model.predict_proba(valid)[:, 1] >= point["threshold"]
    assert point["flagged_share"] == pytest.approx(flagged.mean())
    with pytest.raises(TargetError, match="single class"):
        evaluate_holdout(model, valid, np.zeros(len(valid), dtype=int))
    with pytest.raises(TargetError, match="not fitted on"):
        evaluate_holdout(model, valid, np.full(len(valid), 7))


@pytest.mark.parametrize("method", ["sigmoid", "isotonic", "none"])
def test_calibration_maps(method: str, global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    truth = rng.uniform(0.01, 0.6, 2000)
    y = (rng.random(2000) < truth).astype(int)
    overconfident = np.clip(truth * 1.6, 0, 1)  # a model that overstates risk
    calibration = fit_calibration(overconfident, y, method)  # type: ignore[arg-type]
    calibrated = apply_calibration(overconfident, calibration)
    honest = cross_fitted(overconfident, y, method)  # type: ignore[arg-type]
    if method == "none":
        np.testing.assert_array_equal(calibrated, overconfident)
        return
    assert calibrated.mean() == pytest.approx(y.mean(), abs=2e-3)
    brier = lambda p: float(np.mean((p - y) ** 2))  # noqa: E731
    assert brier(honest) < brier(overconfident)
    assert np.all(np.diff(calibrated[np.argsort(overconfident)]) >= -1e-12)  # monotone
    assert np.isnan(apply_calibration(np.array([np.nan]), calibration)[0])
