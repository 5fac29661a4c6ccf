"""The ledger on SQLite and PostgreSQL: allocation, transfers, payouts, idempotency, errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from jogak.solutions.sto import (
    IdempotencyConflictError,
    Ledger,
    LedgerError,
    LedgerNotFoundError,
)

from .conftest import T0, terms

DAY = timedelta(days=1)
CLOSE = T0 + 7 * DAY


def snapshot(ledger: Ledger) -> dict[str, Any]:
    """Row counts of every table and the offerings' counters: equal means nothing written."""
    tables = ledger._tables
    with ledger._engine.connect() as conn:
        counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                  for t in tables.metadata.sorted_tables}
        counters = conn.execute(select(tables.offerings.c.offering_id,
                                       tables.offerings.c.units_requested,
                                       tables.offerings.c.units_issued,
                                       tables.offerings.c.status)).all()
        units = conn.execute(select(tables.holdings.c.investor, tables.holdings.c.units)
                             .order_by(tables.holdings.c.investor)).all()
    return {"counts": counts, "counters": sorted(counters), "units": units}


def holdings_by_token(ledger: Ledger, offering_id: str) -> dict[str, int]:
    return {h.investor: h.units for h in ledger.holdings(offering_id)}


def test_pro_rata_allocation_matches_the_largest_remainder_rule(ledger: Ledger) -> None:
    ledger.create_offering(terms(total_units=10), at=T0)
    # 15 requested for 10 units: quotas 10*[5, 4, 6]/15 = 3.33, 2.67, 4.0 -> 3, 2, 4 with one
    # left, which goes to the largest remainder (0.67, the second order)
    for n, (who, units) in enumerate([("ann", 5), ("ben", 4), ("cho", 6)]):
        order = ledger.subscribe("film-1", who, units, idempotency_key=f"o{n}", at=T0 + DAY)
        assert (order.status, order.units_allocated) == ("pending", None)
    with pytest.raises(LedgerError, match="can be allocated once its window closes"):
        ledger.allocate("film-1", at=CLOSE - timedelta(seconds=1))
    result = ledger.allocate("film-1", at=CLOSE)
    assert result.oversubscribed
    assert (result.units_requested, result.units_issued) == (15, 10)
    assert [o.units_allocated for o in result.orders] == [3, 3, 4]
    assert holdings_by_token(ledger, "film-1") == {ledger.investor_token("ann"): 3,
                                                   ledger.investor_token("ben"): 3,
                                                   ledger.investor_token("cho"): 4}
    offering = ledger.offering("film-1")
    assert (offering.status, offering.units_issued, offering.units_requested) == \
        ("allocated", 10, 15)
    with pytest.raises(LedgerError, match="already allocated"):
        ledger.allocate("film-1", at=CLOSE + DAY)
    with pytest.raises(LedgerError, match="already allocated and takes no more"):
        ledger.subscribe("film-1", "dan", 1, idempotency_key="late", at=CLOSE - DAY)
    assert ledger.invariant_violations() == []


def test_pro_rata_ties_go_to_the_earlier_order(ledger: Ledger) -> None:
    ledger.create_offering(terms(total_units=4), at=T0)
    for n, who in enumerate(["ann", "ben", "cho"]):
        ledger.subscribe("film-1", who, 2, idempotency_key=f"o{n}", at=T0 + n * DAY)
    # quotas 4*2/6 = 1.33 each: one unit left, to the first order
    assert [o.units_allocated for o in ledger.allocate("film-1", at=CLOSE).orders] == [2, 1, 1]


def test_undersubscribed_pro_rata_fills_every_order(ledger: Ledger) -> None:
    ledger.create_offering(terms(total_units=100), at=T0)
    ledger.subscribe("film-1", "ann", 30, idempotency_key="a", at=T0)
    ledger.subscribe("film-1", "ann", 12, idempotency_key="b", at=T0 + DAY)
    result = ledger.allocate("film-1", at=CLOSE)
    assert not result.oversubscribed
    assert [o.units_allocated for o in result.orders] == [30, 12]
    assert ledger.offering("film-1").units_issued == 42
    assert holdings_by_token(ledger, "film-1") == {ledger.investor_token("ann"): 42}


def test_allocation_with_no_orders_issues_nothing(ledger: Ledger) -> None:
    ledger.create_offering(terms(), at=T0)
    result = ledger.allocate("film-1", at=CLOSE)
    assert (result.units_issued, result.orders) == (0, ())
    with pytest.raises(LedgerError, match="no units outstanding"):
        ledger.distribute("film-1", 1000, at=CLOSE + DAY)


def test_fcfs_fills_in_arrival_order_then_partially_then_refuses(ledger: Ledger) -> None:
    ledger.create_offering(terms(total_units=10, min_units=2, rule="fcfs"), at=T0)
    first = ledger.subscribe("film-1", "ann", 6, idempotency_key="a", at=T0)
    assert (first.status, first.units_allocated) == ("allocated", 6)
    partial = ledger.subscribe("film-1", "ben", 5, idempotency_key="b", at=T0 + DAY)
    assert partial.units_allocated == 4  # what was left, still at least the minimum of 2
    before = snapshot(ledger)
    with pytest.raises(LedgerError, match="is sold out; nothing was written"):
        ledger.subscribe("film-1", "cho", 2, idempotency_key="c", at=T0 + DAY)
    assert snapshot(ledger) == before
    assert ledger.offering("film-1").units_issued == 10
    assert ledger.allocate("film-1", at=CLOSE).units_issued == 10
    assert ledger.invariant_violations() == []


def test_fcfs_refuses_a_remainder_below_the_minimum_order(ledger: Ledger) -> None:
    ledger.create_offering(terms(total_units=10, min_units=3, rule="fcfs"), at=T0)
    ledger.subscribe("film-1", "ann", 8, idempotency_key="a", at=T0)
    with pytest.raises(LedgerError, match="has 2 unit\\(s\\) left, below the minimum order of 3"):
        ledger.subscribe("film-1", "ben", 3, idempotency_key="b", at=T0)


def test_same_idempotency_key_and_body_returns_the_first_order(ledger: Ledger) -> None:
    ledger.create_offering(terms(), at=T0)
    first = ledger.subscribe("film-1", "ann", 5, idempotency_key="k-1", at=T0 + DAY)
    before = snapshot(ledger)
    again = ledger.subscribe("film-1", "ann", 5, idempotency_key="k-1", at=T0 + 2 * DAY)
    assert again == first
    assert snapshot(ledger) == before
    # still the same result after the window closed and the offering was allocated
    ledger.allocate("film-1", at=CLOSE)
    late = ledger.subscribe("film-1", "ann", 5, idempotency_key="k-1", at=CLOSE + DAY)
    assert (late.order_id, late.units_allocated, late.status) == (first.order_id, 5, "allocated")


@pytest.mark.parametrize(("investor", "units", "offering"), [
    ("ann", 6, "film-1"), ("ben", 5, "film-1"), ("ann", 5, "film-2"),
], ids=["other_units", "other_investor", "other_offering"])
def test_reused_idempotency_key_with_another_body_is_refused_and_writes_nothing(
        ledger: Ledger, investor: str, units: int, offering: str) -> None:
    ledger.create_offering(terms(), at=T0)
    ledger.create_offering(terms("film-2"), at=T0)
    ledger.subscribe("film-1", "ann", 5, idempotency_key="k-1", at=T0 + DAY)
    before = snapshot(ledger)
    with pytest.raises(IdempotencyConflictError, match="'k-1' was already used for a "
                                                       "different subscription"):
        ledger.subscribe(offering, investor, units, idempotency_key="k-1", at=T0 + DAY)
    assert snapshot(ledger) == before


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda lg: lg.subscribe("film-1", "ann", 0, idempotency_key="z", at=T0 + DAY),
     LedgerError, "units must be from 1"),
    (lambda lg: lg.subscribe("film-1", "ann", -3, idempotency_key="z", at=T0 + DAY),
     LedgerError, "units must be from 1"),
    (lambda lg: lg.subscribe("film-1", "ann", 1, idempotency_key="z", at=T0 - DAY),
     LedgerError, "takes subscriptions from 2024-05-01T09:00:00.000000Z until"),
    (lambda lg: lg.subscribe("film-1", "ann", 1, idempotency_key="z", at=CLOSE),
     LedgerError, "end excluded"),
    (lambda lg: lg.subscribe("film-1", "ann", 1, idempotency_key="bad key!", at=T0),
     LedgerError, "idempotency key must be"),
    (lambda lg: lg.subscribe("film-1", "ann", 1, idempotency_key="z", at=T0.replace(tzinfo=None)),
     LedgerError, "must be timezone-aware"),
    (lambda lg: lg.subscribe("film-1", "", 1, idempotency_key="z", at=T0),
     LedgerError, "investor id must be 1-256"),
    (lambda lg: lg.subscribe("film-1", "ann", 1, idempotency_key="z", at=T0),
     LedgerError, "smallest order for 'film-1' is 2 units"),
    (lambda lg: lg.subscribe("film-1", "ann", 31, idempotency_key="z", at=T0),
     LedgerError, "at most 30 units"),
    (lambda lg: lg.subscribe("nope", "ann", 5, idempotency_key="z", at=T0),
     LedgerNotFoundError, "No offering 'nope'"),
    (lambda lg: lg.transfer("film-1", "ann", "ben", 1, at=T0),
     LedgerError, "once it is allocated"),
    (lambda lg: lg.distribute("film-1", 100, at=T0),
     LedgerError, "no units outstanding"),
    (lambda lg: lg.distribute("film-1", -100, at=T0),
     LedgerError, "must pay more than 0 KRW"),
    (lambda lg: lg.distribute("film-1", "0.5", at=T0),
     LedgerError, "more than 0 decimal place"),
    (lambda lg: lg.create_offering(terms(), at=T0),
     LedgerError, "already exists"),
    (lambda lg: lg.create_offering({"offering_id": "x"}, at=T0),
     LedgerError, "needs OfferingTerms"),
], ids=["zero_units", "negative_units", "before_window", "at_close", "bad_key", "naive_time",
        "empty_investor", "below_minimum", "above_maximum", "unknown_offering",
        "transfer_before_allocation", "distribute_before_allocation", "negative_amount",
        "too_precise_amount", "duplicate_offering", "not_terms"])
def test_bad_requests_get_a_clear_error_and_write_nothing(
        ledger: Ledger, call: Callable[[Ledger], object], error: type[Exception],
        message: str) -> None:
    ledger.create_offering(terms(min_units=2, max_units=30), at=T0)
    ledger.subscribe("film-1", "ann", 10, idempotency_key="first", at=T0 + DAY)
    before = snapshot(ledger)
    with pytest.raises(error, match=message):
        call(ledger)
    assert snapshot(ledger) == before


def test_max_units_counts_every_order_of_the_investor(ledger: Ledger) -> None:
    ledger.create_offering(terms(max_units=10), at=T0)
    ledger.subscribe("film-1", "ann", 6, idempotency_key="a", at=T0)
    with pytest.raises(LedgerError, match="has requested 6 and asks 5 more"):
        ledger.subscribe("film-1", "ann", 5, idempotency_key="b", at=T0)
    assert ledger.subscribe("film-1", "ann", 4, idempotency_key="c", at=T0).units_requested == 4


def test_transfers_move_units_and_refuse_overdrafts(ledger: Ledger) -> None:
    ledger.create_offering(terms(total_units=10, rule="fcfs"), at=T0)
    ledger.subscribe("film-1", "ann", 7, idempotency_key="a", at=T0)
    ledger.subscribe("film-1", "ben", 3, idempotency_key="b", at=T0)
    ledger.allocate("film-1", at=CLOSE)
    moved = ledger.transfer("film-1", "ann", "cho", 5, at=CLOSE + DAY, idempotency_key="t1")
    assert (moved.units, moved.sender, moved.recipient) == \
        (5, ledger.investor_token("ann"), ledger.investor_token("cho"))
    assert ledger.transfer("film-1", "ann", "cho", 5, at=CLOSE + 2 * DAY,
                           idempotency_key="t1") == moved
    with pytest.raises(IdempotencyConflictError, match="different transfer"):
        ledger.transfer("film-1", "ann", "cho", 1, at=CLOSE + DAY, idempotency_key="t1")
    before = snapshot(ledger)
    with pytest.raises(LedgerError, match="holds 2 unit\\(s\\) of 'film-1', fewer than the 3"):
        ledger.transfer("film-1", "ann", "ben", 3, at=CLOSE + DAY)
    with pytest.raises(LedgerError, match="holds 0 unit"):
        ledger.transfer("film-1", "eve", "ben", 1, at=CLOSE + DAY)
    with pytest.raises(LedgerError, match="same investor"):
        ledger.transfer("film-1", "ann", " ann ", 1, at=CLOSE + DAY)
    assert snapshot(ledger) == before
    assert holdings_by_token(ledger, "film-1") == {ledger.investor_token("ann"): 2,
                                                   ledger.investor_token("ben"): 3,
                                                   ledger.investor_token("cho"): 5}
    assert ledger.holdings(investor="cho") == [h for h in ledger.holdings("film-1")
                                               if h.investor == ledger.investor_token("cho")]
    assert ledger.invariant_violations() == []


def test_distribution_pays_exact_decimal_shares_with_the_remainder_rule(ledger: Ledger) -> None:
    ledger.create_offering(terms(total_units=6, rule="fcfs", unit_price="10.00", decimals=2,
                                 currency="USD"), at=T0)
    for who, units in [("ann", 3), ("ben", 2), ("cho", 1)]:
        ledger.subscribe("film-1", who, units, idempotency_key=who, at=T0)
    ledger.allocate("film-1", at=CLOSE)
    paid = ledger.distribute("film-1", Decimal("100.00"), at=CLOSE + DAY, idempotency_key="d1")
    # 10000 cents over 6 units: 5000, 3333.33, 1666.67 -> 5000, 3333, 1666 with one cent left,
    # which goes to the largest remainder (0.67, cho)
    by_token = {p.investor: p.amount for p in paid.payouts}
    assert by_token == {ledger.investor_token("ann"): Decimal("50.00"),
                        ledger.investor_token("ben"): Decimal("33.33"),
                        ledger.investor_token("cho"): Decimal("16.67")}
    assert sum(by_token.values()) == Decimal("100.00")
    assert (paid.currency, paid.units_outstanding) == ("USD", 6)
    assert ledger.distribute("film-1", "100", at=CLOSE + 2 * DAY, idempotency_key="d1") == paid
    with pytest.raises(IdempotencyConflictError, match="different distribution"):
        ledger.distribute("film-1", "100.01", at=CLOSE + DAY, idempotency_key="d1")
    assert ledger.distributions("film-1") == [paid]


def test_distribution_ties_go_to_the_larger_holding_then_the_smaller_token(
        ledger: Ledger) -> None:
    ledger.create_offering(terms(total_units=5, rule="fcfs"), at=T0)
    for who, units in [("ann", 1), ("ben", 2), ("cho", 2)]:
        ledger.subscribe("film-1", who, units, idempotency_key=who, at=T0)
    ledger.allocate("film-1", at=CLOSE)
    # 3 won over 5 units: 0.6, 1.2, 1.2 -> 0, 1, 1 and one won left; remainders 0.6 > 0.2,
    # so ann gets it. Then 4 won: 0.8, 1.6, 1.6 -> 0, 1, 1, two left: 0.8 (ann), then the tie
    # 0.6 = 0.6 between ben and cho goes to the smaller token
    first = {p.investor: p.amount for p in ledger.distribute("film-1", 3, at=CLOSE).payouts}
    assert first[ledger.investor_token("ann")] == 1
    second = {p.investor: p.amount for p in ledger.distribute("film-1", 4, at=CLOSE).payouts}
    ben, cho = ledger.investor_token("ben"), ledger.investor_token("cho")
    assert second[ledger.investor_token("ann")] == 1
    assert (second[min(ben, cho)], second[max(ben, cho)]) == (2, 1)


def test_raw_investor_ids_never_reach_the_database(backend: Any) -> None:
    ledger = backend.ledger()
    ledger.create_offering(terms(total_units=10, rule="fcfs"), at=T0)
    secret_ids = ["kim.minji@example.com", "010-1234-5678"]
    for n, who in enumerate(secret_ids):
        ledger.subscribe("film-1", who, 2, idempotency_key=f"o{n}", at=T0)
    ledger.allocate("film-1", at=CLOSE)
    ledger.transfer("film-1", secret_ids[0], "new.investor@example.com", 1, at=CLOSE)
    ledger.distribute("film-1", 1000, at=CLOSE)
    with ledger._engine.connect() as conn:
        dump = repr([conn.execute(select(t)).all() for t in ledger._tables.metadata.sorted_tables])
    for raw in [*secret_ids, "new.investor@example.com", "kim.minji", "1234-5678"]:
        assert raw not in dump
    assert ledger.investor_token(secret_ids[0]) in dump


def test_without_a_key_only_tokens_are_accepted_and_the_id_is_not_echoed(backend: Any) -> None:
    ledger = backend.ledger(key=None)
    ledger.create_offering(terms(), at=T0)
    with pytest.raises(LedgerError, match="must already be pseudonymous tokens") as caught:
        ledger.subscribe("film-1", "kim.minji@example.com", 1, idempotency_key="a", at=T0)
    assert "kim.minji" not in str(caught.value)
    token = "0123456789abcdef0123456789abcdef"
    assert ledger.subscribe("film-1", token, 1, idempotency_key="a", at=T0).investor == token


def test_reads_of_unknown_offerings_raise_not_found(ledger: Ledger) -> None:
    for read in (ledger.offering, ledger.orders, ledger.distributions):
        with pytest.raises(LedgerNotFoundError, match="No offering 'ghost'"):
            read("ghost")
    assert ledger.offerings() == []
    assert ledger.holdings() == []


def test_offerings_orders_and_records_serialise_to_json_ready_dicts(ledger: Ledger) -> None:
    import json

    ledger.create_offering(terms(unit_price="12.34", decimals=2, currency="USD"), at=T0)
    order = ledger.subscribe("film-1", "ann", 3, idempotency_key="a", at=T0)
    offering = ledger.offerings()[0].to_dict()
    assert offering["unit_price"] == "12.34"
    assert offering["opens_at"] == "2024-05-01T09:00:00+00:00"
    assert json.loads(json.dumps(order.to_dict()))["units_requested"] == 3
    assert ledger.orders("film-1") == [order]
