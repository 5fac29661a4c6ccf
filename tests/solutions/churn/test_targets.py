"""Target lists: ranking, budget, operating points and reasons in words from SHAP."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.churn import ChurnClassifier, reason_text, target_list

LABELS = {"tx_auto_renew_rate_all": "auto-renew rate"}


@pytest.mark.parametrize(("value", "typical", "expected"), [
    (0.0, 1.0, "auto-renew rate is low (0 vs typical 1)"),
    (12.5, 3.0, "auto-renew rate is high (12.50 vs typical 3)"),
    (2.0, 2.0, "auto-renew rate is 2"),
    (float("nan"), 1.0, "auto-renew rate is missing"),
    ("13", None, "auto-renew rate is 13"),
], ids=["low", "high", "typical", "missing", "category"])
def test_reason_text(value: object, typical: object, expected: str) -> None:
    assert reason_text("tx_auto_renew_rate_all", value, typical, LABELS) == expected


def test_unknown_features_are_spelled_from_their_names() -> None:
    assert reason_text("log_secs_trend_all", 25000.0, 10.0, {}) == \
        "log secs trend all is high (25,000 vs typical 10)"


@pytest.mark.slow
def test_target_list_ranks_explains_and_respects_the_budget(
        churn_model: ChurnClassifier, kkbox_features: pd.DataFrame) -> None:
    X = kkbox_features.drop(columns=["is_churn"])
    targets = target_list(churn_model, X, id_column="msno", budget=6, n_reasons=2,
                          customer_value=100.0)
    assert targets["rank"].tolist() == [1, 2, 3, 4, 5, 6]
    proba = churn_model.predict_proba(X)[:, 1]
    assert targets["churn_probability"].tolist() == pytest.approx(sorted(proba)[::-1][:6])
    assert targets["msno"].isin(X["msno"]).all()
    assert targets["value_at_risk"].tolist() == pytest.approx(
        (targets["churn_probability"] * 100).tolist())
    assert targets["reason_1"].str.contains(" is ").all()
    assert (targets["impact_1"] > 0).all()
    assert (targets["impact_1"] >= targets["impact_2"].fillna(0)).all()
    # the actual churners top the list: reasons point to disengagement, not noise
    top_reasons = " ".join(targets["reason_1"].tolist() + targets["reason_2"].dropna().tolist())
    assert any(word in top_reasons for word in ("listening", "active days", "auto-renew",
                                                "cancel", "log "))
    flagged = target_list(churn_model, X, id_column="msno", operating_point="recall_first")
    threshold = churn_model.operating_points_["recall_first"].threshold
    assert len(flagged) == int((proba >= threshold).sum())


def test_target_list_validates_its_inputs(churn_model: ChurnClassifier,
                                          kkbox_features: pd.DataFrame) -> None:
    X = kkbox_features.drop(columns=["is_churn"])
    with pytest.raises(SchemaError, match="No id column"):
        target_list(churn_model, X, id_column="customer")
    with pytest.raises(ConfigError, match="budget must be"):
        target_list(churn_model, X, id_column="msno", budget=0)
    empty = target_list(churn_model, X.iloc[:0], id_column="msno", budget=3)
    assert empty.empty
    assert "reason_1" in empty.columns
    assert np.array_equal(empty.columns[:3], ["rank", "msno", "churn_probability"])
