from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.solutions.credit import TAIWAN_LAYOUT, PointsScaling, Scorecard, behaviour_features
from jogak.testing._credit import make_credit_frame, make_telecom_credit_frame

_TAIWAN_CATEGORICAL = list(TAIWAN_LAYOUT.categorical)


@pytest.fixture(scope="module")
def credit() -> tuple[pd.DataFrame, pd.Series]:
    frame = make_credit_frame(2000, seed=3)
    y = frame.pop("default")
    return behaviour_features(frame.drop(columns=["ID", "SEX", "MARRIAGE"]), TAIWAN_LAYOUT), y


@pytest.fixture(scope="module")
def fitted(credit: tuple[pd.DataFrame, pd.Series]) -> Scorecard:
    X, y = credit
    return Scorecard(categorical_features=_TAIWAN_CATEGORICAL).fit(X, y)


def test_points_reproduce_the_logistic_log_odds_exactly(
        fitted: Scorecard, credit: tuple[pd.DataFrame, pd.Series]) -> None:
    X, _ = credit
    scaling = fitted.scaling_
    score = fitted.score_points(X)
    logit = fitted.decision_function(X)
    # score = offset - factor * logit(P(bad)), to rounding error
    np.testing.assert_allclose(score, scaling.offset - scaling.factor * logit, rtol=0, atol=1e-9)
    np.testing.assert_allclose(scaling.log_odds_bad(score), logit, rtol=0, atol=1e-9)
    # and the logistic regression on WoE is what decision_function returns
    woe = pd.DataFrame(fitted.binner_.transform(X), columns=X.columns)[fitted.features_]
    np.testing.assert_allclose(fitted.logistic_.decision_function(woe.to_numpy()), logit,
                               atol=1e-12)
    proba = fitted.predict_proba(X)[:, 1]
    np.testing.assert_allclose(proba, 1 / (1 + np.exp(-logit)))


def test_points_table_rows_follow_the_formula(fitted: Scorecard) -> None:
    table = fitted.table_
    scaling = fitted.scaling_
    n = len(fitted.features_)
    b0 = fitted.logistic_.intercept_[0]
    expected = (-scaling.factor * (table["coefficient"] * table["woe"] + b0 / n)
                + scaling.offset / n)
    np.testing.assert_allclose(table["points"], expected)
    assert set(table["feature"]) == set(fitted.features_)


def test_scaling_doubles_the_odds_every_pdo_points() -> None:
    scaling = PointsScaling(base_score=600, base_odds=50, pdo=20)
    assert scaling.score(math.log(50)) == pytest.approx(600.0)
    assert scaling.score(math.log(100)) == pytest.approx(620.0)
    assert scaling.score(math.log(25)) == pytest.approx(580.0)


def test_every_coefficient_has_the_risk_sign_and_points_follow_bad_rates(
        fitted: Scorecard) -> None:
    assert (fitted.logistic_.coef_[0] < 0).all()
    for name in fitted.features_:
        binning = fitted.binner_.binnings_[name]
        rows = fitted.table_[fitted.table_["feature"] == name].iloc[:binning.n_regular_bins]
        order = np.argsort(rows["bad_rate"].to_numpy())
        # more bads in the bin -> fewer points
        assert np.all(np.diff(rows["points"].to_numpy()[order]) < 0)


def test_higher_score_means_lower_risk(fitted: Scorecard,
                                       credit: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = credit
    score = fitted.score_points(X)
    low, high = np.quantile(score, [0.2, 0.8])
    assert y[score <= low].mean() > 2 * y[score >= high].mean()


def test_reasons_are_the_features_with_the_largest_adverse_points(
        fitted: Scorecard, credit: tuple[pd.DataFrame, pd.Series]) -> None:
    X, _ = credit
    rows = X.iloc[:200]
    points = fitted.points(rows)
    best = fitted.table_.groupby("feature", sort=False)["points"].max()[points.columns]
    adverse = best.to_numpy()[None, :] - points.to_numpy()
    reasons = fitted.reasons(rows, n_reasons=3)
    for i in range(len(rows)):
        order = sorted(range(adverse.shape[1]), key=lambda j: (-adverse[i, j], j))
        expected = [points.columns[j] for j in order[:3] if adverse[i, j] > 1e-9]
        got = [r for r in reasons.iloc[i][["reason_1", "reason_2", "reason_3"]] if r is not None]
        assert got == expected
        for k, name in enumerate(expected):
            assert reasons.iloc[i][f"adverse_{k + 1}"] == pytest.approx(
                adverse[i, list(points.columns).index(name)])


def test_row_in_the_best_bin_everywhere_has_no_reasons(fitted: Scorecard,
                                                       credit: tuple[pd.DataFrame,
                                                                     pd.Series]) -> None:
    X, _ = credit
    points = fitted.points(X)
    best = fitted.table_.groupby("feature", sort=False)["points"].max()[points.columns]
    lost = (best.to_numpy()[None, :] - points.to_numpy()).sum(axis=1)
    reasons = fitted.reasons(X, n_reasons=2)
    has_none = reasons["reason_1"].isna().to_numpy()
    np.testing.assert_array_equal(has_none, lost < 1e-9)


def test_weak_and_single_valued_features_are_excluded_with_a_reason() -> None:
    frame = make_credit_frame(1500, seed=4)
    y = frame.pop("default")
    frame["constant"] = 1.0
    frame["noise"] = np.random.default_rng(0).normal(size=len(frame))
    card = Scorecard(min_iv=0.02).fit(frame[["PAY_0", "LIMIT_BAL", "constant", "noise"]], y)
    assert card.excluded_["constant"] == "single value"
    assert card.excluded_["noise"].startswith("information value")
    assert "constant" not in card.features_
    assert "PAY_0" in card.features_


def test_string_target_and_categories_with_missing_values() -> None:
    frame = make_telecom_credit_frame(1500, seed=2, missing_share=0.1)
    y = frame.pop("nonpayment")
    X = frame[["plan", "region", "tenure_months", "arrears_months", "viewing_change", "autopay"]]
    card = Scorecard(positive_label="yes").fit(X, y)
    assert list(card.classes_) == ["no", "yes"]
    proba = card.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # the bad label is the second column; the risky rows get it
    assert proba[(y == "yes").to_numpy(), 1].mean() > proba[(y == "no").to_numpy(), 1].mean()
    assert set(card.predict(X)) <= {"yes", "no"}
    table = card.table_
    tenure_missing = table[(table["feature"] == "tenure_months") & (table["bin"] == "Missing")]
    assert tenure_missing["count"].iloc[0] > 0


def test_unseen_category_scores_the_neutral_points() -> None:
    frame = make_telecom_credit_frame(1200, seed=5)
    y = frame.pop("nonpayment")
    X = frame[["plan", "arrears_months"]]
    card = Scorecard(min_iv=0.0).fit(X, y)
    new = X.iloc[:2].copy()
    new["plan"] = ["satellite", "basic"]
    points = card.points(new)["plan"]
    unseen = card.table_[(card.table_["feature"] == "plan") & (card.table_["bin"] == "Unseen")]
    assert points.iloc[0] == pytest.approx(unseen["points"].iloc[0])
    assert unseen["woe"].iloc[0] == 0.0


def test_scoring_without_a_training_column_is_refused(
        fitted: Scorecard, credit: tuple[pd.DataFrame, pd.Series]) -> None:
    X, _ = credit
    with pytest.raises(SchemaError, match="lacks column"):
        fitted.score_points(X.drop(columns=["LIMIT_BAL"]))


def test_only_useless_features_is_refused() -> None:
    X = pd.DataFrame({"constant": [1.0] * 100})
    with pytest.raises(SchemaError, match="No feature is informative enough"):
        Scorecard().fit(X, [0, 1] * 50)


@pytest.mark.parametrize(
    ("y", "error", "message"),
    [(np.arange(100) % 3, TargetError, "must be binary"),
     ([0.0, 1.0] * 49 + [np.nan, 1.0], TargetError, "missing value"),
     ([1] * 100, TargetError, "got 1 distinct value")],
    ids=["multiclass", "missing", "single_class"])
def test_bad_targets_are_refused(y: object, error: type, message: str) -> None:
    X = pd.DataFrame({"x": np.arange(100.0)})
    with pytest.raises(error, match=message):
        Scorecard().fit(X, y)


@pytest.mark.parametrize(("params", "message"),
                         [({"pdo": 0}, "pdo"), ({"base_odds": -1}, "base_odds"),
                          ({"min_iv": -0.1}, "min_iv"), ({"C": 0}, "'C'")],
                         ids=["pdo", "odds", "min_iv", "C"])
def test_invalid_settings_are_refused(params: dict, message: str) -> None:
    X = pd.DataFrame({"x": np.arange(100.0)})
    with pytest.raises(ConfigError, match=message):
        Scorecard(**params).fit(X, [0, 1] * 50)


def test_scorecard_is_a_cloneable_estimator(fitted: Scorecard) -> None:
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "logistic_")


def test_sign_check_can_be_turned_off(credit: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = credit
    checked = Scorecard(categorical_features=_TAIWAN_CATEGORICAL).fit(X, y)
    dropped = [n for n, why in checked.excluded_.items() if "wrong sign" in why]
    unchecked = Scorecard(categorical_features=_TAIWAN_CATEGORICAL, sign_check=False).fit(X, y)
    assert dropped  # the collinear history features flip sign on this data
    assert set(dropped) <= set(unchecked.features_)
    np.testing.assert_allclose(unchecked.score_points(X), unchecked.scaling_.offset
                               - unchecked.scaling_.factor * unchecked.decision_function(X),
                               atol=1e-9)
