from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError
from jogak.solutions.credit import TAIWAN_LAYOUT, MonotonicGBM, behaviour_features
from jogak.testing._credit import make_credit_frame

pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def credit() -> tuple[pd.DataFrame, pd.Series]:
    frame = make_credit_frame(1500, seed=7)
    y = frame.pop("default")
    X = behaviour_features(frame.drop(columns=["ID", "SEX", "MARRIAGE"]), TAIWAN_LAYOUT)
    return X, y


@pytest.fixture(scope="module")
def fitted(credit: tuple[pd.DataFrame, pd.Series]) -> MonotonicGBM:
    X, y = credit
    return MonotonicGBM(categorical_features=list(TAIWAN_LAYOUT.categorical), n_estimators=120,
                        learning_rate=0.05).fit(X, y)


def test_constraints_follow_the_binning_trends(fitted: MonotonicGBM) -> None:
    constraints = fitted.constraints_
    # using more of the limit and late months raise risk, paying more of the bill lowers it;
    # status codes enter as WoE (risk falls as WoE rises)
    assert constraints["utilization_mean"] == 1
    assert constraints["max_months_late"] == 1
    assert constraints["payment_ratio_mean"] == -1
    assert constraints["PAY_0"] == -1
    for name, sign in constraints.items():
        binning = fitted.binner_.binnings_[name]
        if binning.kind == "numeric" and sign != 0:
            assert sign == (1 if binning.trend == "ascending" else -1)


def test_predicted_risk_is_monotone_in_constrained_features(
        fitted: MonotonicGBM, credit: tuple[pd.DataFrame, pd.Series]) -> None:
    X, _ = credit
    rows = X.iloc[:40]
    for name in ("utilization_mean", "max_months_late", "payment_ratio_mean"):
        sign = fitted.constraints_[name]
        assert sign != 0
        grid = np.quantile(X[name].dropna(), np.linspace(0, 1, 15))
        curves = []
        for value in grid:
            changed = rows.copy()
            changed[name] = value
            curves.append(fitted.decision_function(changed))
        steps = np.diff(np.column_stack(curves), axis=1) * sign
        assert (steps >= -1e-12).all(), name


def test_shap_contributions_sum_to_the_log_odds(
        fitted: MonotonicGBM, credit: tuple[pd.DataFrame, pd.Series]) -> None:
    X, _ = credit
    contributions = fitted.contributions(X.iloc[:100])
    np.testing.assert_allclose(contributions.sum(axis=1), fitted.decision_function(X.iloc[:100]),
                               atol=1e-9)


def test_reasons_are_the_largest_positive_shap_values(
        fitted: MonotonicGBM, credit: tuple[pd.DataFrame, pd.Series]) -> None:
    X, _ = credit
    rows = X.iloc[:100]
    shap = fitted.contributions(rows).drop(columns="expected_value")
    reasons = fitted.reasons(rows, n_reasons=2)
    for i in range(len(rows)):
        values = shap.iloc[i]
        expected = [n for n in values.sort_values(ascending=False, kind="stable").index[:2]
                    if values[n] > 1e-9]
        got = [r for r in reasons.iloc[i][["reason_1", "reason_2"]] if r is not None]
        assert got == expected


def test_score_points_share_the_scorecard_scale(fitted: MonotonicGBM,
                                                credit: tuple[pd.DataFrame, pd.Series]) -> None:
    X, _ = credit
    logit = fitted.decision_function(X.iloc[:50])
    scaling = fitted.scaling_
    np.testing.assert_allclose(fitted.score_points(X.iloc[:50]),
                               scaling.offset - scaling.factor * logit)
    np.testing.assert_allclose(fitted.predict_proba(X.iloc[:50])[:, 1], 1 / (1 + np.exp(-logit)))


def test_fits_are_reproducible(credit: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = credit
    first = MonotonicGBM(n_estimators=30, random_state=3).fit(X, y).decision_function(X)
    second = MonotonicGBM(n_estimators=30, random_state=3).fit(X, y).decision_function(X)
    np.testing.assert_array_equal(first, second)


def test_hand_given_constraints_and_bad_values(credit: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = credit
    model = MonotonicGBM(monotone={"LIMIT_BAL": -1}, n_estimators=20).fit(X, y)
    assert model.constraints_["LIMIT_BAL"] == -1
    assert sum(abs(v) for v in model.constraints_.values()) == 1
    with pytest.raises(ConfigError, match="monotone must map"):
        MonotonicGBM(monotone={"LIMIT_BAL": 2}).fit(X, y)
    with pytest.raises(ConfigError, match="monotone must be"):
        MonotonicGBM(monotone="up").fit(X, y)


@pytest.fixture(scope="module")
def through_automl(credit: tuple[pd.DataFrame, pd.Series]) -> MonotonicGBM:
    X, y = credit
    return MonotonicGBM(categorical_features=list(TAIWAN_LAYOUT.categorical), engine="automl",
                        automl_trials=2, automl_cv=2).fit(X, y)


def test_automl_engine_passes_the_binning_constraints_to_the_automl_core(
        through_automl: MonotonicGBM, fitted: MonotonicGBM) -> None:
    automl = through_automl.automl_
    assert through_automl.constraints_ == fitted.constraints_
    assert automl.monotone_constraints_ == {n: c for n, c in fitted.constraints_.items() if c}
    assert set(automl.leaderboard_["family"]) <= {"lightgbm", "ensemble (single)"}
    assert not hasattr(through_automl, "booster_")


def test_automl_engine_risk_is_monotone_and_shap_sums_to_the_log_odds(
        through_automl: MonotonicGBM, credit: tuple[pd.DataFrame, pd.Series]) -> None:
    X, _ = credit
    rows = X.iloc[:40]
    for name in ("utilization_mean", "max_months_late", "PAY_0"):
        sign = through_automl.constraints_[name]
        assert sign != 0
        values = np.unique(X[name].dropna())
        grid = values if values.size < 15 else np.quantile(values, np.linspace(0, 1, 15))
        curves = []
        for value in grid:
            changed = rows.copy()
            changed[name] = value
            curves.append(through_automl.decision_function(changed))
        if name == "PAY_0":  # a category: risk follows its WoE, highest risk = lowest WoE
            woe = through_automl.binner_.binnings_[name]
            order = np.argsort(woe.woe[woe.codes(grid)])
            curves = [curves[i] for i in order]
        steps = np.diff(np.column_stack(curves), axis=1) * sign
        assert (steps >= -1e-9).all(), name
    contributions = through_automl.contributions(rows)
    np.testing.assert_allclose(contributions.sum(axis=1), through_automl.decision_function(rows),
                               atol=1e-6)
    reasons = through_automl.reasons(rows, n_reasons=1)
    top = contributions.drop(columns="expected_value").idxmax(axis=1)
    positive = contributions.drop(columns="expected_value").max(axis=1) > 1e-9
    assert (reasons["reason_1"][positive] == top[positive]).all()


def test_unknown_engine_is_refused(credit: tuple[pd.DataFrame, pd.Series]) -> None:
    X, y = credit
    with pytest.raises(ConfigError, match="'engine' parameter of MonotonicGBM"):
        MonotonicGBM(engine="xgb").fit(X, y)
