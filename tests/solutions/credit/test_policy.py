from __future__ import annotations

import json

import numpy as np
import pytest

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.credit import PolicyAssumptions, simulate_policies

_ASSUME = PolicyAssumptions(recovery_if_suspended=0.5, recovery_if_grace=0.4,
                            usage_per_day=0.01, attrition_if_suspended=0.2,
                            attrition_if_grace=0.0, good_customer_value_months=3.0)


def test_hand_computed_two_customer_example() -> None:
    # a good-grade customer (p=0.1, owes 100) and a bad-grade one (p=0.6, owes 200); 10 days
    result = simulate_policies([0.1, 0.6], [100.0, 200.0], ["A", "E"], grace_days=10,
                               grace_grades=["A"], assumptions=_ASSUME)
    table = result.table.set_index("policy")
    # suspend everyone: bad debt p*a*(1-0.5); lost goods (1-p)*0.2; value (1-p)*0.2*a*3
    suspend = table.loc["suspend_all"]
    assert suspend["expected_bad_debt"] == pytest.approx(0.1 * 100 * 0.5 + 0.6 * 200 * 0.5)
    assert suspend["expected_recovered"] == pytest.approx(0.1 * 100 * 0.5 + 0.6 * 200 * 0.5)
    assert suspend["expected_lost_good_customers"] == pytest.approx(0.9 * 0.2 + 0.4 * 0.2)
    assert suspend["lost_customer_value"] == pytest.approx(0.9 * 0.2 * 300 + 0.4 * 0.2 * 600)
    # grace for everyone: exposure grows by 10 days x 1 % of the bill; 40 % recovered
    grace = table.loc["grace_all"]
    assert grace["exposure"] == pytest.approx(0.1 * 110 + 0.6 * 220)
    assert grace["expected_bad_debt"] == pytest.approx((0.1 * 110 + 0.6 * 220) * 0.6)
    assert grace["expected_lost_good_customers"] == 0.0
    # grade-based: A keeps service, E is suspended
    graded = table.loc["grace_for_A"]
    assert graded["n_grace"] == 1
    assert graded["n_suspended"] == 1
    bad_debt = 0.1 * 110 * 0.6 + 0.6 * 200 * 0.5
    assert graded["expected_bad_debt"] == pytest.approx(bad_debt)
    assert graded["avoided_bad_debt"] == pytest.approx(grace["expected_bad_debt"] - bad_debt)
    lost_value = 0.4 * 0.2 * 600
    assert graded["net_benefit"] == pytest.approx(graded["avoided_bad_debt"] - lost_value)
    assert grace["avoided_bad_debt"] == 0.0
    assert grace["net_benefit"] == 0.0
    assert result.best == table["net_benefit"].idxmax()


def test_grade_based_policy_wins_when_grades_separate_risk(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    n = 5000
    grades = rng.choice(["A", "B", "C", "D", "E"], n)
    p = np.select([grades == "A", grades == "B", grades == "C", grades == "D"],
                  [0.02, 0.05, 0.15, 0.4], 0.8)
    amount = rng.uniform(20, 200, n)
    result = simulate_policies(p, amount, grades, grace_days=30, grace_grades=["A", "B"],
                               assumptions=PolicyAssumptions())
    assert result.best == "grace_for_A+B"
    table = result.table.set_index("policy")
    # suspending everyone avoids the most bad debt but loses the most good customers
    assert table["avoided_bad_debt"].idxmax() == "suspend_all"
    assert table["expected_lost_good_customers"].idxmax() == "suspend_all"


def test_longer_grace_means_more_exposure() -> None:
    args = ([0.3, 0.3], [100.0, 100.0], ["A", "B"])
    short = simulate_policies(*args, grace_days=5, grace_grades=["A"]).table
    long = simulate_policies(*args, grace_days=30, grace_grades=["A"]).table
    assert long.loc[1, "exposure"] > short.loc[1, "exposure"]
    assert long.loc[0, "exposure"] == short.loc[0, "exposure"]  # suspend_all has no grace


def test_negative_amounts_count_as_zero_and_output_is_json_ready() -> None:
    result = simulate_policies([0.5], [-50.0], ["A"], grace_days=7, grace_grades=["A"])
    assert result.table["exposure"].eq(0.0).all()
    payload = json.loads(json.dumps(result.to_dict()))
    assert payload["grace_days"] == 7
    assert payload["assumptions"]["recovery_if_grace"] == 0.4
    assert [row["policy"] for row in payload["policies"]] == ["suspend_all", "grace_all",
                                                               "grace_for_A"]


@pytest.mark.parametrize(("kwargs", "error", "message"),
                         [({"grace_days": 0}, ConfigError, "grace_days"),
                          ({"grace_days": 2.5}, ConfigError, "grace_days"),
                          ({"amount": [np.nan]}, SchemaError, "amount due"),
                          ({"pd_bad": [1.5]}, SchemaError, "probabilities")],
                         ids=["zero_days", "fractional_days", "missing_amount", "bad_pd"])
def test_bad_inputs_are_refused(kwargs: dict, error: type, message: str) -> None:
    args = {"pd_bad": [0.2], "amount": [10.0], "grades": ["A"], "grace_days": 10,
            "grace_grades": ["A"]} | kwargs
    with pytest.raises(error, match=message):
        simulate_policies(**args)


@pytest.mark.parametrize("kwargs", [{"recovery_if_grace": 1.5}, {"usage_per_day": -1.0},
                                    {"attrition_if_suspended": -0.1}],
                         ids=["recovery", "usage", "attrition"])
def test_invalid_assumptions_are_refused(kwargs: dict) -> None:
    with pytest.raises(ConfigError, match="PolicyAssumptions"):
        PolicyAssumptions(**kwargs)
