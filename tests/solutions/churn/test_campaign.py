"""Campaign simulation against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.churn import CampaignEconomics, best_thresholds, simulate_campaign

ECON = CampaignEconomics(contact_cost=2.0, offer_cost=10.0, customer_value=200.0, uplift=0.3)


def test_figures_match_a_hand_computation() -> None:
    proba = [0.9, 0.6, 0.2, 0.05]
    table = simulate_campaign(proba, ECON, thresholds=[0.5, 0.1, 0.99])
    at_half = table.iloc[0]
    # targeted: 0.9 and 0.6 -> saved = 0.3 * 1.5 = 0.45
    # cost = 2 * 2 + 10 * ((1 - 0.9 + 0.27) + (1 - 0.6 + 0.18)) = 4 + 9.5 = 13.5
    assert at_half["n_targeted"] == 2
    assert at_half["saved"] == pytest.approx(0.45)
    assert at_half["cost"] == pytest.approx(13.5)
    assert at_half["profit"] == pytest.approx(200 * 0.45 - 13.5)
    assert at_half["roi"] == pytest.approx((90 - 13.5) / 13.5)
    nobody = table.iloc[2]
    assert nobody["n_targeted"] == 0
    assert nobody["cost"] == 0
    assert np.isnan(nobody["roi"])
    assert table["n_customers"].tolist() == [4, 4, 4]


def test_segments_and_realised_figures() -> None:
    proba = np.array([0.9, 0.6, 0.2, 0.7])
    table = simulate_campaign(proba, ECON, thresholds=[0.5], segments=["a", "b", "a", "b"],
                              y=[1, 0, 0, 1])
    assert table["segment"].tolist() == ["all", "a", "b"]
    by = table.set_index("segment")
    assert by.loc["a", "n_targeted"] == 1
    assert by.loc["b", "n_targeted"] == 2
    assert by.loc["a", "saved"] + by.loc["b", "saved"] == pytest.approx(by.loc["all", "saved"])
    # realised: churners targeted = 2 (0.9 and 0.7) -> saved 0.6
    assert by.loc["all", "realised_saved"] == pytest.approx(0.6)
    realised_cost = 3 * 2 + 10 * ((0 + 0.3) + (1 + 0) + (0 + 0.3))
    assert by.loc["all", "realised_profit"] == pytest.approx(200 * 0.6 - realised_cost)


def test_best_threshold_per_segment_is_the_most_profitable() -> None:
    rng = np.random.default_rng(0)
    proba = rng.uniform(size=500)
    table = simulate_campaign(proba, ECON, segments=np.where(proba > 0.5, "hi", "lo"))
    best = best_thresholds(table)
    for _, row in best.iterrows():
        assert row["profit"] == table.loc[table["segment"] == row["segment"], "profit"].max()
    # with expensive offers and a cheap customer, nobody is worth contacting
    poor = CampaignEconomics(contact_cost=5, offer_cost=50, customer_value=10, uplift=0.1)
    assert (simulate_campaign(proba, poor)["profit"] <= 0).all()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("uplift", 1.5, "uplift is a share"), ("contact_cost", -1.0, "finite number >= 0"),
    ("offer_cost", float("nan"), "finite number"), ("customer_value", True, "finite number")],
    ids=["uplift_above_one", "negative_cost", "nan_cost", "bool_value"])
def test_economics_are_validated(field: str, value: float, message: str) -> None:
    args = {"contact_cost": 1.0, "offer_cost": 1.0, "customer_value": 1.0, "uplift": 0.5,
            field: value}
    with pytest.raises(ConfigError, match=message):
        CampaignEconomics(**args)  # type: ignore[arg-type]


def test_bad_probabilities_are_rejected() -> None:
    with pytest.raises(SchemaError, match="probabilities in"):
        simulate_campaign([0.5, 1.2], ECON)
    with pytest.raises(SchemaError, match="non-empty"):
        simulate_campaign([], ECON)
    with pytest.raises(SchemaError, match="y has 1 rows"):
        simulate_campaign([0.5, 0.2], ECON, y=[1])
