"""Random histories of create / subscribe / allocate / transfer / distribute keep every
invariant, on SQLite and on PostgreSQL, checked step by step against an independent model.

One rule draws the next operation from a weighted list rather than one rule per operation:
Hypothesis' swarm testing switches whole rules off per example, which left most histories
without a single oversubscribed allocation or payout. Each operation also has a "random"
variant (any offering, any amount, any time) whose expected outcome is usually an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from jogak.solutions.sto import IdempotencyConflictError, Ledger, LedgerError

from .conftest import T0, Backend, terms

pytestmark = pytest.mark.slow

INVESTORS = ["ann", "ben", "cho", "dan", "eve"]
HOUR = timedelta(hours=1)
ACTIONS = (["subscribe_open"] * 8 + ["subscribe_any", "retry", "tick", "allocate_due",
                                     "allocate_any", "transfer_held", "transfer_held",
                                     "transfer_any", "distribute", "distribute", "create"])


@dataclass
class ModelOffering:
    """What the ledger should hold for one offering, computed without the ledger's code."""

    total: int
    min_units: int
    max_units: int
    rule: str
    opens: datetime
    closes: datetime
    allocated: bool = False
    orders: list[tuple[str, int]] = field(default_factory=list)
    fills: list[int | None] = field(default_factory=list)
    holdings: dict[str, int] = field(default_factory=dict)

    @property
    def issued(self) -> int:
        return sum(self.holdings.values())

    def requested_by(self, investor: str) -> int:
        return sum(units for who, units in self.orders if who == investor)

    def add(self, investor: str, units: int) -> None:
        self.holdings[investor] = self.holdings.get(investor, 0) + units


def pro_rata(total: int, requests: list[int]) -> list[int]:
    """Largest remainder with exact fractions; ties to the earlier order."""
    requested = sum(requests)
    if requested <= total:
        return list(requests)
    quotas = [Fraction(total * r, requested) for r in requests]
    parts = [int(q) for q in quotas]
    order = sorted(range(len(requests)), key=lambda i: (-(quotas[i] - parts[i]), i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def pick(data: st.DataObject, options: list[str], label: str) -> str:
    """One of ``options``, about uniformly (small draws, which Hypothesis favours, would
    pick the first option far more often than the others)."""
    return options[data.draw(st.integers(0, 2**16), label=label) % len(options)]


class LedgerMachine(RuleBasedStateMachine):
    backend: Backend

    def __init__(self) -> None:
        super().__init__()
        self.ledger: Ledger = self.backend.ledger()
        self.now = T0
        self.model: dict[str, ModelOffering] = {}
        self.keys: dict[str, tuple[str, str, int, int]] = {}  # key -> body and order id
        self.accounts: set[str] = set()
        self.audit_lines = 0

    @initialize()
    def two_small_offerings(self) -> None:
        self._create(6, 1, 4, "pro_rata", 0, 12)
        self._create(6, 2, None, "fcfs", 0, 12)

    @rule(data=st.data())
    def act(self, data: st.DataObject) -> None:
        getattr(self, pick(data, ACTIONS, "action"))(data)

    # -- create ----------------------------------------------------------------------------

    def create(self, data: st.DataObject) -> None:
        if len(self.model) >= 5:
            return
        self._create(data.draw(st.integers(1, 20), label="total"),
                     data.draw(st.integers(1, 3), label="min_units"),
                     data.draw(st.one_of(st.none(), st.integers(1, 20)), label="max_units"),
                     data.draw(st.sampled_from(["pro_rata", "fcfs"]), label="rule"),
                     data.draw(st.integers(0, 1), label="start"),
                     data.draw(st.integers(2, 10), label="length"))

    def _create(self, total: int, min_units: int, cap: int | None, allocation: str,
                start: int, length: int) -> None:
        offering_id = f"o{len(self.model)}"
        opens, closes = self.now + start * HOUR, self.now + (start + length) * HOUR
        maximum = total if cap is None else cap
        if not min_units <= maximum <= total:
            with pytest.raises(LedgerError, match="min_units <= max_units <= total_units"):
                terms(offering_id, total_units=total, min_units=min_units, max_units=cap)
            min_units, maximum = min(min_units, total), total
        self.ledger.create_offering(terms(offering_id, total_units=total, min_units=min_units,
                                          max_units=maximum, rule=allocation, opens_at=opens,
                                          closes_at=closes), at=self.now)
        self.model[offering_id] = ModelOffering(total, min_units, maximum, allocation, opens,
                                                closes)
        self.audit_lines += 1

    def tick(self, data: st.DataObject) -> None:
        self.now += data.draw(st.integers(1, 6), label="hours") * HOUR

    # -- subscribe -------------------------------------------------------------------------

    def subscribe_open(self, data: st.DataObject) -> None:
        open_now = [n for n, o in self.model.items()
                    if not o.allocated and o.opens <= self.now < o.closes]
        if not open_now:
            self.subscribe_any(data)
            return
        offering_id = data.draw(st.sampled_from(open_now), label="offering")
        extra = data.draw(st.integers(0, 2**16), label="extra") % 6
        units = self.model[offering_id].min_units + extra
        self._subscribe(offering_id, pick(data, INVESTORS, "investor"),
                        units, f"k{len(self.keys)}")

    def subscribe_any(self, data: st.DataObject) -> None:
        self._subscribe(data.draw(st.sampled_from(sorted(self.model)), label="offering"),
                        pick(data, INVESTORS, "investor"),
                        data.draw(st.integers(-1, 12), label="units"), f"k{len(self.keys)}")

    def retry(self, data: st.DataObject) -> None:
        """The same key again: with the same body (same order back) or another (refused)."""
        if not self.keys:
            return
        key = data.draw(st.sampled_from(sorted(self.keys)), label="key")
        offering_id, investor, units, _ = self.keys[key]
        if data.draw(st.booleans(), label="change the body"):
            units += 1
        self._subscribe(offering_id, investor, units, key)

    def _subscribe(self, offering_id: str, investor: str, units: int, key: str) -> None:
        if key in self.keys:
            first_offering, first_investor, first_units, order_id = self.keys[key]
            if (first_offering, first_investor, first_units) == (offering_id, investor, units):
                event("subscribe: replayed")
                again = self.ledger.subscribe(offering_id, investor, units, idempotency_key=key,
                                              at=self.now)
                assert again.order_id == order_id
            else:
                event("subscribe: key reused with another body")
                with pytest.raises(IdempotencyConflictError):
                    self.ledger.subscribe(offering_id, investor, units, idempotency_key=key,
                                          at=self.now)
            return
        offering = self.model[offering_id]
        fill: int | None = None
        reason = None
        if units < 1:
            reason = "units must be from 1"
        elif offering.allocated:
            reason = "already allocated"
        elif not offering.opens <= self.now < offering.closes:
            reason = "takes subscriptions from"
        elif units < offering.min_units:
            reason = "smallest order"
        elif offering.requested_by(investor) + units > offering.max_units:
            reason = "may request at most"
        elif offering.rule == "fcfs":
            left = offering.total - offering.issued
            fill = units if left >= units else left if left >= offering.min_units else None
            if fill is None:
                reason = "sold out|below the minimum order"
        event(f"subscribe: {reason or offering.rule}")
        if reason is not None:
            with pytest.raises(LedgerError, match=reason):
                self.ledger.subscribe(offering_id, investor, units, idempotency_key=key,
                                      at=self.now)
            return
        order = self.ledger.subscribe(offering_id, investor, units, idempotency_key=key,
                                      at=self.now)
        assert (order.units_requested, order.units_allocated) == (units, fill)
        assert order.investor == self.ledger.investor_token(investor)
        offering.orders.append((investor, units))
        offering.fills.append(fill)
        if fill:
            offering.add(investor, fill)
        self.keys[key] = (offering_id, investor, units, order.order_id)
        self._account(investor)
        self.audit_lines += 1

    def _account(self, investor: str) -> None:
        if investor not in self.accounts:
            self.accounts.add(investor)
            self.audit_lines += 1

    # -- allocate --------------------------------------------------------------------------

    def allocate_due(self, data: st.DataObject) -> None:
        """An offering still open is allocated once its window closed (the clock moves on)."""
        waiting = sorted(n for n, o in self.model.items() if not o.allocated)
        if not waiting:
            return
        offering_id = data.draw(st.sampled_from(waiting), label="offering")
        self.now = max(self.now, self.model[offering_id].closes)
        self._allocate(offering_id)

    def allocate_any(self, data: st.DataObject) -> None:
        self._allocate(data.draw(st.sampled_from(sorted(self.model)), label="offering"))

    def _allocate(self, offering_id: str) -> None:
        offering = self.model[offering_id]
        if offering.allocated or self.now < offering.closes:
            with pytest.raises(LedgerError, match="already allocated|once its window closes"):
                self.ledger.allocate(offering_id, at=self.now)
            return
        result = self.ledger.allocate(offering_id, at=self.now)
        event(f"allocate: {offering.rule}, oversubscribed={result.oversubscribed}")
        if offering.rule == "pro_rata":
            offering.fills = list(pro_rata(offering.total, [u for _, u in offering.orders]))
            for (investor, _), part in zip(offering.orders, offering.fills, strict=True):
                if part:
                    offering.add(investor, part)
        assert [o.units_allocated for o in result.orders] == offering.fills
        assert result.units_issued == offering.issued <= offering.total
        assert result.oversubscribed == (sum(u for _, u in offering.orders) > offering.total)
        offering.allocated = True
        self.audit_lines += 1

    # -- transfer --------------------------------------------------------------------------

    def transfer_held(self, data: st.DataObject) -> None:
        held = sorted((name, who) for name, o in self.model.items() if o.allocated
                      for who, units in o.holdings.items() if units)
        if not held:
            self.transfer_any(data)
            return
        offering_id, sender = data.draw(st.sampled_from(held), label="holding")
        units = data.draw(st.integers(1, self.model[offering_id].holdings[sender]),
                          label="units")
        self._transfer(offering_id, sender,
                       pick(data, INVESTORS, "recipient"), units)

    def transfer_any(self, data: st.DataObject) -> None:
        self._transfer(data.draw(st.sampled_from(sorted(self.model)), label="offering"),
                       pick(data, INVESTORS, "sender"),
                       pick(data, INVESTORS, "recipient"),
                       data.draw(st.integers(1, 6), label="units"))

    def _transfer(self, offering_id: str, sender: str, recipient: str, units: int) -> None:
        offering = self.model[offering_id]
        if sender == recipient or not offering.allocated \
                or offering.holdings.get(sender, 0) < units:
            with pytest.raises(LedgerError, match="same investor|once it is allocated|fewer than"):
                self.ledger.transfer(offering_id, sender, recipient, units, at=self.now)
            return
        self.ledger.transfer(offering_id, sender, recipient, units, at=self.now)
        event("transfer: done")
        offering.holdings[sender] -= units
        offering.add(recipient, units)
        self._account(recipient)
        self.audit_lines += 1

    # -- distribute ------------------------------------------------------------------------

    def distribute(self, data: st.DataObject) -> None:
        paying = [n for n, o in self.model.items() if o.allocated and o.issued]
        offering_id = data.draw(st.sampled_from(paying or sorted(self.model)), label="offering")
        amount = data.draw(st.integers(1, 10**7), label="amount")
        offering = self.model[offering_id]
        if not offering.allocated or offering.issued == 0:
            with pytest.raises(LedgerError, match="no units outstanding"):
                self.ledger.distribute(offering_id, amount, at=self.now)
            return
        paid = self.ledger.distribute(offering_id, amount, at=self.now)
        event("distribute: done")
        assert sum(p.amount for p in paid.payouts) == Decimal(amount)
        held = {self.ledger.investor_token(k): v for k, v in offering.holdings.items() if v}
        assert {p.investor: p.units for p in paid.payouts} == held
        for p in paid.payouts:
            exact = Fraction(amount * p.units, offering.issued)
            assert exact - 1 < p.amount < exact + 1
        self.audit_lines += 1

    @invariant()
    def ledger_matches_the_model(self) -> None:
        assert self.ledger.invariant_violations() == []
        for offering_id, offering in self.model.items():
            expected = {self.ledger.investor_token(k): v for k, v in offering.holdings.items()
                        if v}
            assert {h.investor: h.units for h in self.ledger.holdings(offering_id)} == expected
            assert offering.issued <= offering.total
        assert len(self.ledger.audit_log()) == self.audit_lines

    def teardown(self) -> None:
        self.ledger.close()


def test_random_ledger_histories_keep_every_invariant(backend: Backend) -> None:
    machine = type("Machine", (LedgerMachine,), {"backend": backend})
    run_state_machine_as_test(machine, settings=settings(
        max_examples=20 if backend.name == "sqlite" else 10, stateful_step_count=50,
        deadline=None, derandomize=True, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
