"""Threshold curves and named operating points, against hand computations."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import f1_score, precision_score, recall_score

from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.models import OperatingPoint, decide, operating_points, threshold_curve

# 10 rows, 4 positives; scores descending with one tie (0.6 twice: one positive, one negative)
Y = np.array([1, 1, 0, 1, 0, 1, 0, 0, 0, 0])
P = np.array([0.95, 0.9, 0.8, 0.6, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1])


def test_threshold_curve_matches_hand_counts() -> None:
    curve = threshold_curve(Y, P)
    assert curve["threshold"].tolist() == [0.95, 0.9, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1]
    # >= 0.6 flags 5 rows: 3 positives (0.95, 0.9, 0.6) and 2 negatives (0.8, 0.6)
    row = curve.set_index("threshold").loc[0.6]
    assert (row["tp"], row["fp"], row["fn"], row["tn"], row["flagged"]) == (3, 2, 1, 4, 5)
    assert row["precision"] == pytest.approx(3 / 5)
    assert row["recall"] == pytest.approx(3 / 4)
    assert row["f1"] == pytest.approx(2 * 3 / (2 * 3 + 2 + 1))
    assert row["flagged_share"] == pytest.approx(0.5)
    assert curve["recall"].is_monotonic_increasing
    assert curve["tp"].iloc[-1] == 4
    assert curve["flagged"].iloc[-1] == 10


def test_threshold_curve_agrees_with_sklearn_at_every_threshold(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    y = rng.integers(0, 2, 300)
    proba = np.round(np.clip(0.3 * y + rng.uniform(0, 0.7, 300), 0, 1), 2)  # many ties
    curve = threshold_curve(y, proba, benefit_tp=10.0, cost_contact=3.0)
    for _, row in curve.sample(20, random_state=global_random_seed).iterrows():
        flagged = proba >= row["threshold"]
        assert row["precision"] == pytest.approx(precision_score(y, flagged, zero_division=0))
        assert row["recall"] == pytest.approx(recall_score(y, flagged))
        assert row["f1"] == pytest.approx(f1_score(y, flagged))
        assert row["profit"] == pytest.approx(10 * (flagged & (y == 1)).sum() - 3 * flagged.sum())


def test_threshold_curve_accepts_two_column_proba_and_drops_nan_rows() -> None:
    both = np.column_stack([1 - P, P])
    pd.testing.assert_frame_equal(threshold_curve(Y, both), threshold_curve(Y, P))
    with_nan = threshold_curve(np.r_[Y, 1], np.r_[P, np.nan])
    pd.testing.assert_frame_equal(with_nan, threshold_curve(Y, P))


def test_recall_first_is_highest_threshold_reaching_the_target() -> None:
    points = operating_points(Y, P, recall_target=0.75)
    # recall reaches 3/4 first at 0.6 (the tie brings in the third positive)
    assert points["recall_first"].threshold == 0.6
    assert points["recall_first"].recall == pytest.approx(0.75)
    assert points["recall_first"].target == 0.75
    assert operating_points(Y, P, recall_target=0.95)["recall_first"].threshold == 0.5
    assert operating_points(Y, P, recall_target=1.0)["recall_first"].threshold == 0.5


def test_precision_first_is_lowest_threshold_reaching_the_target() -> None:
    # precision by threshold: .95->1, .9->1, .8->2/3, .6->3/5, .5->4/6, .4->4/7 ...
    points = operating_points(Y, P, precision_target=0.65)
    assert points["precision_first"].threshold == 0.5
    assert points["precision_first"].precision == pytest.approx(4 / 6)
    assert operating_points(Y, P, precision_target=0.95)["precision_first"].threshold == 0.9
    assert operating_points(Y, P, precision_target=0.7)["precision_first"].threshold == 0.9


def test_precision_first_absent_when_no_threshold_reaches_it() -> None:
    y = np.array([0, 1, 0, 1])
    points = operating_points(y, [0.9, 0.8, 0.7, 0.1], precision_target=0.9)
    assert "precision_first" not in points
    assert set(points) == {"recall_first"}


def test_max_profit_by_hand() -> None:
    # benefit 10 per TP, cost 4 per contact: profit = 10 TP - 4 flagged
    # .95: 10-4=6; .9: 20-8=12; .8: 20-12=8; .6: 30-20=10; .5: 40-24=16; .4: 40-28=12
    points = operating_points(Y, P, benefit_tp=10.0, cost_contact=4.0)
    best = points["max_profit"]
    assert best.threshold == 0.5
    assert best.profit == pytest.approx(16.0)
    assert best.flagged_share == pytest.approx(0.6)
    assert list(points) == ["recall_first", "precision_first", "max_profit"]


def test_max_profit_ties_go_to_fewer_contacts_and_losses_flag_nobody() -> None:
    # benefit 2, cost 1: .95 -> 1, .9 -> 2, .8 -> 1, .6 -> 1, .5 -> 2 (tie with .9)
    assert operating_points(Y, P, benefit_tp=2.0, cost_contact=1.0)["max_profit"].threshold == 0.9
    nobody = operating_points(Y, P, benefit_tp=1.0, cost_contact=5.0)["max_profit"]
    assert nobody.threshold > 1.0
    assert nobody.flagged_share == 0.0
    assert nobody.profit == 0.0
    assert not decide(np.ones(3), {"max_profit": nobody}, "max_profit").any()


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"benefit_tp": 1.0}, "give both or neither"),
    ({"benefit_tp": -1.0, "cost_contact": 1.0}, "benefit_tp must be a finite number >= 0"),
    ({"benefit_tp": 1.0, "cost_contact": float("inf")}, "cost_contact must be a finite"),
    ({"recall_target": 0.0}, r"recall_target must be in \(0, 1\]"),
    ({"precision_target": 1.5}, r"precision_target must be in \(0, 1\]"),
], ids=["half_economics", "negative_benefit", "infinite_cost", "zero_recall", "big_precision"])
def test_operating_points_reject_bad_settings(kwargs: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        operating_points(Y, P, **kwargs)


def test_threshold_curve_rejects_bad_inputs() -> None:
    with pytest.raises(TargetError, match="no positive row"):
        threshold_curve([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(TargetError, match="0/1"):
        threshold_curve(["yes", "no"], [0.1, 0.2])
    with pytest.raises(SchemaError, match="must match"):
        threshold_curve([0, 1], [0.1, 0.2, 0.3])
    with pytest.raises(SchemaError, match=r"shape \(n,\) or \(n, 2\)"):
        threshold_curve([0, 1], np.ones((2, 3)))
    with pytest.raises(SchemaError, match="No rows with a finite probability"):
        threshold_curve([0, 1], [np.nan, np.nan])


def test_single_row_curve() -> None:
    curve = threshold_curve([1], [0.3])
    assert curve[["threshold", "precision", "recall", "f1"]].to_numpy().tolist() == [
        [0.3, 1.0, 1.0, 1.0]]


def test_decide_flags_at_threshold_and_lists_available_points_on_unknown_name() -> None:
    points = operating_points(Y, P, recall_target=0.75)
    assert decide(P, points, "recall_first").tolist() == [True] * 5 + [False] * 5
    labels = decide(P[:6], points, "recall_first", classes=["No", "Yes"])
    assert labels.tolist() == ["Yes"] * 5 + ["No"]
    with pytest.raises(ConfigError, match="Unknown operating point 'nope'; available: "
                                          "precision_first, recall_first"):
        decide(P, points, "nope")
    with pytest.raises(ConfigError, match="max_profit needs economics"):
        decide(P, points, "max_profit")


def test_operating_point_round_trips_through_json() -> None:
    points = operating_points(Y, P, benefit_tp=10.0, cost_contact=4.0)
    text = json.dumps({k: v.to_dict() for k, v in points.items()})
    back = {k: OperatingPoint.from_dict(v) for k, v in json.loads(text).items()}
    assert back == points
    with pytest.raises(ConfigError, match="Not an operating point"):
        OperatingPoint.from_dict({"name": "x"})
    with pytest.raises(ConfigError, match="finite threshold"):
        OperatingPoint(name="x", threshold=float("nan"), precision=1, recall=1, f1=1,
                       flagged_share=1)


def test_stacked_out_of_fold_predictions_cross_fit_the_stacker(global_random_seed: int) -> None:
    from types import SimpleNamespace

    from sklearn.linear_model import LogisticRegression

    from jogak.data import Task
    from jogak.models.automl._oof import out_of_fold

    rng = np.random.default_rng(global_random_seed)
    y = rng.integers(0, 2, 120)
    members = []
    for number in (3, 7):
        p = np.clip(0.5 * y + rng.uniform(0, 0.5, 120), 0, 1)
        members.append(SimpleNamespace(number=number, oof=np.column_stack([1 - p, p])))
    splits = [(np.arange(60, 120), np.arange(60)), (np.arange(60), np.arange(60, 120))]
    predictor = SimpleNamespace(stacker=LogisticRegression().fit(np.zeros((2, 2)), [0, 1]),
                                members=[SimpleNamespace(trial=3), SimpleNamespace(trial=7)],
                                stack_columns=[])
    final = SimpleNamespace(predictor=predictor, oof=np.full((120, 2), 0.5))
    cache = SimpleNamespace(X=pd.DataFrame({"a": np.zeros(120)}), y=y, splits=splits)
    oof = out_of_fold(final, members, cache, Task.BINARY)
    level2 = np.column_stack([m.oof[:, 1] for m in members])
    for train, test in splits:
        expected = LogisticRegression().fit(level2[train], y[train]).predict_proba(level2[test])
        np.testing.assert_allclose(oof[test], expected)
    # without a stacker the blend's out-of-fold predictions are returned as they are
    predictor.stacker = None
    np.testing.assert_array_equal(out_of_fold(final, members, cache, Task.BINARY), final.oof)
