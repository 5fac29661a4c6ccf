"""Eight threads at once, each with its own engine (as separate processes would be), never
oversell, never double-allocate and never run an idempotent request twice."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from jogak.solutions.sto import Ledger, LedgerError

from .conftest import T0, Backend, terms

pytestmark = pytest.mark.slow

N_THREADS = 8
CLOSE = T0 + timedelta(days=7)


def run_at_once(ledgers: list[Ledger], work: Callable[[int, Ledger], Any]) -> list[Any]:
    """Run ``work(i, ledger_i)`` in 8 threads released together; results or exceptions."""
    barrier = threading.Barrier(len(ledgers))

    def task(index: int) -> Any:
        barrier.wait()
        try:
            return work(index, ledgers[index])
        except LedgerError as exc:
            return exc

    with ThreadPoolExecutor(len(ledgers)) as pool:
        return list(pool.map(task, range(len(ledgers))))


def open_ledgers(backend: Backend) -> list[Ledger]:
    shared = backend.ledger(prefix="race_")
    return [shared, *(backend.ledger(prefix="race_") for _ in range(N_THREADS - 1))]


def test_eight_threads_subscribing_fcfs_never_oversell(backend: Backend,
                                                       global_random_seed: int) -> None:
    ledgers = open_ledgers(backend)
    ledgers[0].create_offering(terms(total_units=50, rule="fcfs"), at=T0)
    sizes = [3 + (global_random_seed + i) % 5 for i in range(6)]  # 6 orders of 3-7 per thread

    def subscribe_many(index: int, ledger: Ledger) -> list[Any]:
        results: list[Any] = []
        for n, units in enumerate(sizes):
            try:
                results.append(ledger.subscribe("film-1", f"investor-{index}", units,
                                                idempotency_key=f"t{index}-{n}", at=T0))
            except LedgerError as exc:
                results.append(exc)
        return results

    outcomes = [r for thread in run_at_once(ledgers, subscribe_many) for r in thread]
    filled = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert sum(o.units_allocated for o in filled) == 50  # 8 * 6 orders ask for far more
    assert all(0 < o.units_allocated <= o.units_requested for o in filled)
    assert refused
    assert all("sold out" in str(e) for e in refused)
    assert len({o.order_id for o in filled}) == len(filled)
    ledger = ledgers[0]
    assert ledger.offering("film-1").units_issued == 50
    assert sum(h.units for h in ledger.holdings("film-1")) == 50
    assert ledger.invariant_violations() == []
    assert ledger.verify_audit().ok


def test_eight_threads_pro_rata_then_eight_allocations_allocate_once(backend: Backend) -> None:
    ledgers = open_ledgers(backend)
    ledgers[0].create_offering(terms(total_units=30), at=T0)
    orders = run_at_once(ledgers, lambda i, ledger: ledger.subscribe(
        "film-1", f"investor-{i}", 5 + i, idempotency_key=f"order-{i}", at=T0))
    assert sorted(o.units_requested for o in orders) == list(range(5, 13))
    allocations = run_at_once(ledgers, lambda i, ledger: ledger.allocate("film-1", at=CLOSE))
    done = [a for a in allocations if not isinstance(a, Exception)]
    assert len(done) == 1
    assert all("already allocated" in str(a) for a in allocations if isinstance(a, Exception))
    assert done[0].units_issued == 30
    assert sum(o.units_allocated for o in done[0].orders) == 30
    ledger = ledgers[0]
    assert sum(h.units for h in ledger.holdings("film-1")) == 30
    assert [e.action for e in ledger.audit_log("film-1")].count("offering.allocate") == 1
    assert ledger.invariant_violations() == []


def test_eight_threads_sending_one_idempotency_key_place_one_order(backend: Backend) -> None:
    ledgers = open_ledgers(backend)
    ledgers[0].create_offering(terms(total_units=30, rule="fcfs"), at=T0)
    results = run_at_once(ledgers, lambda i, ledger: ledger.subscribe(
        "film-1", "same-investor", 4, idempotency_key="retry-me", at=T0))
    assert all(r == results[0] for r in results)
    assert len(ledgers[0].orders("film-1")) == 1
    assert ledgers[0].offering("film-1").units_issued == 4


def test_eight_threads_transferring_from_one_holder_never_overdraw(backend: Backend) -> None:
    ledgers = open_ledgers(backend)
    ledger = ledgers[0]
    ledger.create_offering(terms(total_units=20, rule="fcfs"), at=T0)
    ledger.subscribe("film-1", "holder", 20, idempotency_key="all", at=T0)
    ledger.allocate("film-1", at=CLOSE)
    # each thread moves 3 units twice: 48 asked for, 20 held -> 6 transfers succeed (18 units)
    results = run_at_once(ledgers, lambda i, lg: [
        _try(lambda: lg.transfer("film-1", "holder", f"buyer-{i}", 3, at=CLOSE)),
        _try(lambda: lg.transfer("film-1", "holder", f"buyer-{i}", 3, at=CLOSE))])
    moved = [r for pair in results for r in pair if not isinstance(r, Exception)]
    assert len(moved) == 6
    held = {h.investor: h.units for h in ledger.holdings("film-1")}
    assert held[ledger.investor_token("holder")] == 2
    assert sum(held.values()) == 20
    assert ledger.invariant_violations() == []


def _try(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except LedgerError as exc:
        return exc
