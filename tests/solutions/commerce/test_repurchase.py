"""Repurchase propensity: leakage-free features and labels, and the AutoML model on top."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.solutions.commerce import repurchase_features, repurchase_labels, repurchase_model
from jogak.testing._commerce import make_transactions

_COLUMNS = {"customer_col": "customer_id", "date_col": "date", "amount_col": "amount"}


def _log() -> pd.DataFrame:
    return pd.DataFrame({
        "customer_id": ["a", "a", "a", "b", "b", "c"],
        "date": ["2024-01-01", "2024-01-01", "2024-02-20", "2024-02-01", "2024-03-05",
                 "2024-03-01"],
        "amount": [10.0, 30.0, 5.0, 7.0, 100.0, 3.0],
        "order_id": ["o1", "o2", "o3", "o4", "o5", "o6"]})


def test_features_by_hand_use_only_purchases_before_the_cutoff() -> None:
    features = repurchase_features(_log(), **_COLUMNS, as_of="2024-03-01")
    assert features.index.tolist() == ["a", "b"]  # c buys on the cut-off day itself
    a = features.loc["a"]
    assert a["recency_days"] == 10  # 2024-02-20 -> 2024-03-01
    assert a["tenure_days"] == 60
    assert a["frequency"] == 2  # purchase days without order_col
    assert a["monetary"] == 45.0
    assert a["max_amount"] == 30.0
    assert a["mean_gap_days"] == 50.0
    assert a["purchases_30d"] == 1
    assert a["amount_30d"] == 5.0
    assert np.isnan(features.loc["b", "mean_gap_days"])
    by_order = repurchase_features(_log(), **_COLUMNS, as_of="2024-03-01", order_col="order_id")
    assert by_order.loc["a", "frequency"] == 3


def test_later_purchases_never_change_features() -> None:
    log = make_transactions(200, seed=3)
    cutoff = "2024-08-01"
    before = repurchase_features(log, **_COLUMNS, as_of=cutoff)
    later = log[log["date"] >= cutoff].assign(amount=lambda f: f["amount"] * 100)
    changed = pd.concat([log[log["date"] < cutoff], later])
    pd.testing.assert_frame_equal(before, repurchase_features(changed, **_COLUMNS, as_of=cutoff))


def test_labels_mark_buyers_inside_the_window_only() -> None:
    labels = repurchase_labels(_log(), customer_col="customer_id", date_col="date",
                               as_of="2024-02-15", horizon_days=19)
    # window [02-15, 03-05): a buys on 02-20; b's next purchase is on 03-05 (outside)
    assert labels.to_dict() == {"a": 1, "b": 0}
    longer = repurchase_labels(_log(), customer_col="customer_id", date_col="date",
                               as_of="2024-02-15", horizon_days=20)
    assert longer.to_dict() == {"a": 1, "b": 1}


@pytest.fixture(scope="module")
def fitted() -> object:
    log = make_transactions(600, seed=11, days=365)
    return repurchase_model(log, **_COLUMNS, as_of="2024-09-01", horizon_days=60, n_trials=2,
                            include_models=("linear",), random_state=0)


@pytest.mark.slow
def test_model_scores_every_known_customer_and_checks_itself_out_of_time(fitted: object
                                                                         ) -> None:
    result = fitted
    scores = result.scores
    assert list(scores.columns) == ["customer_id", "propensity", "repurchased"]
    assert scores["customer_id"].is_unique
    assert scores["propensity"].between(0, 1).all()
    metrics = result.metrics
    assert metrics["train_cutoff"] == "2024-07-03"
    assert metrics["as_of"] == "2024-09-01"
    assert 0 < metrics["train_base_rate"] < 1
    assert "roc_auc" in metrics["cv"]
    # BG/NBD customers who bought recently buy again more often: the model must see it
    assert metrics["holdout_roc_auc"] > 0.7
    assert scores.groupby("repurchased")["propensity"].mean().diff().iloc[-1] > 0


@pytest.mark.slow
def test_model_is_reproducible_with_trials(fitted: object) -> None:
    log = make_transactions(600, seed=11, days=365)
    again = repurchase_model(log, **_COLUMNS, as_of="2024-09-01", horizon_days=60, n_trials=2,
                             include_models=("linear",), random_state=0)
    np.testing.assert_array_equal(again.scores["propensity"], fitted.scores["propensity"])


def test_default_as_of_scores_the_future_without_labels() -> None:
    log = make_transactions(300, seed=2, days=200)
    result = repurchase_model(log, **_COLUMNS, horizon_days=60, n_trials=1,
                              include_models=("linear",))
    last = pd.Timestamp(log["date"].max())
    assert result.metrics["as_of"] == str((last + pd.Timedelta(days=1)).date())
    assert "repurchased" not in result.scores
    assert "holdout_roc_auc" not in result.metrics


def test_too_few_repeat_buyers_is_a_target_error() -> None:
    once = pd.DataFrame({"customer_id": [f"c{i}" for i in range(50)],
                         "date": pd.date_range("2024-01-01", periods=50).strftime("%Y-%m-%d"),
                         "amount": 1.0})
    with pytest.raises(TargetError, match=r"Only 0 of \d+ customers bought again"):
        repurchase_model(once, **_COLUMNS, horizon_days=10, n_trials=1)


def test_bad_options_are_refused() -> None:
    with pytest.raises(ConfigError, match="horizon_days must be a whole number"):
        repurchase_model(_log(), **_COLUMNS, horizon_days=0)
    with pytest.raises(SchemaError, match="No purchase before the cut-off"):
        repurchase_features(_log(), **_COLUMNS, as_of="2023-01-01")
