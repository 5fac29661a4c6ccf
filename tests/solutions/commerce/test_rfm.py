"""RFM: hand-computed recency, frequency and monetary value, quintile scores, the segment rule."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.data import load
from jogak.errors import ConfigError, SchemaError
from jogak.solutions.commerce import SEGMENT_RULES, SEGMENTS, quintile_scores, rfm, rfm_segment
from jogak.testing._commerce import make_transactions


def _tx() -> pd.DataFrame:
    return pd.DataFrame({
        "cust": ["a", "a", "a", "b", "c", "c"],
        "when": ["2024-03-01 09:00", "2024-03-01 18:30", "2024-03-10", "2024-02-01",
                 "2024-03-05", "2024-03-09 23:59:59"],
        "amt": [10.0, 5.0, 20.0, 100.0, 1.5, 2.5],
        "order": ["o1", "o2", "o3", "o4", "o5", "o6"]})


def test_rfm_matches_hand_computation_with_default_as_of() -> None:
    out = rfm(_tx(), customer_col="cust", date_col="when", amount_col="amt").set_index("cust")
    # as_of defaults to the day after the last date: 2024-03-11
    assert out["recency_days"].to_dict() == {"a": 1, "b": 39, "c": 2}
    # without --order-col frequency counts distinct purchase days (a bought twice on 03-01)
    assert out["frequency"].to_dict() == {"a": 2, "b": 1, "c": 2}
    assert out["monetary"].to_dict() == {"a": 35.0, "b": 100.0, "c": 4.0}


def test_rfm_counts_orders_with_order_col_and_honours_as_of() -> None:
    out = rfm(_tx(), customer_col="cust", date_col="when", amount_col="amt",
              order_col="order", as_of="2024-03-09").set_index("cust")
    assert out["frequency"].to_dict() == {"a": 2, "b": 1, "c": 2}  # o3 is after as_of
    assert out["recency_days"].to_dict() == {"a": 8, "b": 37, "c": 0}
    assert out["monetary"].to_dict() == {"a": 15.0, "b": 100.0, "c": 4.0}


def test_rfm_output_columns_and_score_ranges() -> None:
    tx = make_transactions(300, seed=1)
    out = rfm(tx, customer_col="customer_id", date_col="date", amount_col="amount")
    assert list(out.columns) == ["customer_id", "recency_days", "frequency", "monetary",
                                 "r_score", "f_score", "m_score", "rfm_score", "segment"]
    assert out["customer_id"].is_unique
    assert out["customer_id"].is_monotonic_increasing
    assert len(out) == tx["customer_id"].nunique()
    for score in ("r_score", "f_score", "m_score"):
        assert out[score].between(1, 5).all()
    assert set(out["segment"]) <= set(SEGMENTS)
    assert (out["rfm_score"] == out["r_score"].astype(str) + out["f_score"].astype(str)
            + out["m_score"].astype(str)).all()
    # recency inverted: the most recent customers have the highest r_score
    assert out.loc[out["recency_days"].idxmin(), "r_score"] == 5
    assert out.loc[out["recency_days"].idxmax(), "r_score"] == 1
    # monotone: a better value never gets a lower score
    for column, score, sign in (("recency_days", "r_score", -1), ("frequency", "f_score", 1),
                                ("monetary", "m_score", 1)):
        ordered = out.sort_values(column, key=lambda v, s=sign: s * v)
        assert ordered[score].is_monotonic_increasing


def test_quintile_scores_by_share_strictly_below() -> None:
    assert quintile_scores(pd.Series(range(10))).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # ties share the score of their lowest rank: 6 of 10 equal values all score 1
    values = pd.Series([1, 1, 1, 1, 1, 1, 2, 3, 4, 5])
    assert quintile_scores(values).tolist() == [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]
    assert quintile_scores(pd.Series([7.0])).tolist() == [1]
    assert quintile_scores(pd.Series([3, 1, 2]), higher_is_better=False).tolist() == [1, 4, 2]


def _rule_holds(rule: str, r: int, f: int) -> bool:
    """Evaluate the rule as written in SEGMENT_RULES (the documented text is the spec)."""
    expression = "(" + rule.replace(", or ", ") or (").replace(" = ", " == ").replace(
        "R", "r").replace("F", "f") + ")"
    for low, high in ((1, 2), (2, 3), (3, 4), (4, 5)):
        expression = expression.replace(f"in {low}-{high}", f"in ({low}, {high})")
    return bool(eval(expression, {}, {"r": r, "f": f}))


def test_segment_grid_follows_the_documented_rules_exactly_once_per_cell() -> None:
    for r, f in itertools.product(range(1, 6), repeat=2):
        matching = [name for name, rule in SEGMENT_RULES if _rule_holds(rule, r, f)]
        assert len(matching) == 1, (r, f, matching)
        assert rfm_segment(pd.Series([r]), pd.Series([f])).item() == matching[0]
    assert set(SEGMENTS) == {"Champions", "Loyal", "Potential loyalist", "New", "At risk",
                             "Can't lose", "Hibernating", "Lost"}


@pytest.mark.parametrize(("change", "error", "message"), [
    ({"when": ["2024-03-01", "31/02/2024", "2024-03-10", "x", "2024-03-05", "2024-03-09"]},
     SchemaError, r"2 value\(s\) of the date column 'when' do not parse"),
    ({"amt": [1, 2, "three", 4, 5, 6]}, SchemaError, "are missing or not numbers"),
    ({"amt": [1, 2, -3, 4, 5, 6]}, SchemaError, "negative"),
    ({"cust": ["a", None, "a", "b", "c", "c"]}, SchemaError, "have no customer"),
], ids=["bad_dates", "text_amount", "negative_amount", "missing_customer"])
def test_rfm_rejects_bad_values(change: dict[str, list[object]], error: type[Exception],
                                message: str) -> None:
    tx = _tx().astype(object)
    for column, values in change.items():
        tx[column] = values
    with pytest.raises(error, match=message):
        rfm(tx, customer_col="cust", date_col="when", amount_col="amt")


def test_rfm_rejects_missing_columns_empty_data_and_bad_as_of() -> None:
    with pytest.raises(SchemaError, match=r"\['amount'\] are not in the transactions"):
        rfm(_tx(), customer_col="cust", date_col="when", amount_col="amount")
    with pytest.raises(SchemaError, match="no rows"):
        rfm(_tx().iloc[:0], customer_col="cust", date_col="when", amount_col="amt")
    with pytest.raises(ConfigError, match="as_of must be a date"):
        rfm(_tx(), customer_col="cust", date_col="when", amount_col="amt", as_of="soon")
    with pytest.raises(SchemaError, match="No purchase on or before as_of 2020-01-01"):
        rfm(_tx(), customer_col="cust", date_col="when", amount_col="amt", as_of="2020-01-01")
    with pytest.raises(ConfigError, match="its own column"):
        rfm(_tx(), customer_col="cust", date_col="when", amount_col="when")


def test_rfm_on_cdnow_with_hand_checked_customers(data_dir: Path) -> None:
    log = load(data_dir / "cdnow_purchases" / "cdnow_master.csv.gz")
    out = rfm(log, customer_col="customer_id", date_col="date",
              amount_col="dollar_value").set_index("customer_id")
    assert len(out) == 23_570
    # customer 00002: two lines on 1997-01-12 only; as_of = 1998-07-01
    assert out.loc["00002", "frequency"] == 1
    assert out.loc["00002", "monetary"] == pytest.approx(89.0)
    assert out.loc["00002", "recency_days"] == (pd.Timestamp("1998-07-01")
                                                - pd.Timestamp("1997-01-12")).days
    mine = log[log["customer_id"] == "00005"]
    assert out.loc["00005", "frequency"] == mine["date"].nunique()
    assert out.loc["00005", "monetary"] == pytest.approx(mine["dollar_value"].sum())
    # one-time buyers (about half the cohort) share f_score 1
    once = out["frequency"] == 1
    assert (out.loc[once, "f_score"] == 1).all()
    assert np.isclose(once.mean(), 0.5, atol=0.1)
