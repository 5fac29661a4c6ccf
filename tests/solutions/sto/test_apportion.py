"""Largest-remainder apportionment: reference values and invariants."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jogak.solutions.sto import apportion


@pytest.mark.parametrize(("total", "weights", "tie_order", "expected"), [
    (100, [1, 1, 1], None, [34, 33, 33]),        # 33.33 each: the one left over to the first
    (100, [1, 1, 1], [2, 1, 0], [33, 33, 34]),   # ... or to the first in tie order
    (10, [5, 5, 5], None, [4, 3, 3]),            # 3.33 each
    (7, [2, 3, 5], None, [1, 2, 4]),             # 1.4, 2.1, 3.5 -> 1, 2, 3 + 1 to 3.5
    (10, [6, 3, 1], None, [6, 3, 1]),            # exact quotas stay exact
    (0, [4, 2], None, [0, 0]),
    (5, [0, 3, 0], None, [0, 5, 0]),
    # Hamilton's method on a textbook case: 4 states, populations 1500/2700/3300/2500 and 25
    # seats -> quotas 3.75, 6.75, 8.25, 6.25 -> 3, 6, 8, 6 (+1 to 3.75 and 6.75)
    (25, [1500, 2700, 3300, 2500], None, [4, 7, 8, 6]),
], ids=["thirds", "thirds_tie_order", "oversubscribed", "halves", "exact", "zero_total",
        "zero_weights", "textbook"])
def test_apportion_matches_hand_computed_parts(total: int, weights: list[int],
                                               tie_order: list[int] | None,
                                               expected: list[int]) -> None:
    assert apportion(total, weights, tie_order) == expected


@settings(max_examples=200, deadline=None)
@given(total=st.integers(0, 10**15),
       weights=st.lists(st.integers(0, 10**12), min_size=1, max_size=30).filter(any))
def test_apportion_parts_sum_to_total_and_round_their_quota(total: int,
                                                            weights: list[int]) -> None:
    parts = apportion(total, weights)
    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        quota = Fraction(total * weight, weight_sum)
        assert quota - 1 < part < quota + 1
        if weight == 0:
            assert part == 0


@settings(max_examples=100, deadline=None)
@given(weights=st.lists(st.integers(1, 50), min_size=1, max_size=20), data=st.data())
def test_apportion_never_gives_more_than_the_weight_when_scaling_down(weights: list[int],
                                                                      data: st.DataObject
                                                                      ) -> None:
    total = data.draw(st.integers(0, sum(weights)))
    parts = apportion(total, weights)
    assert all(0 <= p <= w for p, w in zip(parts, weights, strict=True))


@pytest.mark.parametrize(("total", "weights"), [(-1, [1]), (5, [0, 0]), (5, []), (5, [2, -1])],
                         ids=["negative_total", "zero_weights", "empty", "negative_weight"])
def test_apportion_rejects_bad_arguments(total: int, weights: list[int]) -> None:
    with pytest.raises(ValueError, match="apportion needs"):
        apportion(total, weights)


def test_apportion_rejects_a_tie_order_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="tie_order has 1 ranks for 2 weights"):
        apportion(3, [1, 1], [0])
