"""The database itself refuses what the ledger's checks refuse, and the audit log is
append-only and tamper-evident, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from jogak.solutions.sto import Ledger

from .conftest import T0, Backend, terms

CLOSE = T0 + timedelta(days=7)


@pytest.fixture
def filled(ledger: Ledger) -> Ledger:
    ledger.create_offering(terms(total_units=10, rule="fcfs"), at=T0)
    ledger.subscribe("film-1", "ann", 6, idempotency_key="a", at=T0)
    ledger.subscribe("film-1", "ben", 4, idempotency_key="b", at=T0)
    ledger.allocate("film-1", at=CLOSE)
    ledger.distribute("film-1", 1000, at=CLOSE)
    return ledger


@pytest.mark.parametrize(("table", "values", "constraint"), [
    ("offerings", {"units_issued": 11}, "offer_issued"),
    ("offerings", {"units_issued": -1}, "offer_issued"),
    ("offerings", {"unit_price_minor": 0}, "offer_price_pos"),
    # several rules break at once; the database names one of them
    ("offerings", {"total_units": 0}, "offer_total_pos|offer_issued|offer_limits"),
    ("offerings", {"status": "cancelled"}, "offer_status"),
    ("holdings", {"units": -1}, "holding_nonneg"),
    ("orders", {"units_allocated": 99}, "order_alloc"),
    ("orders", {"units_requested": 0}, "order_units_pos|order_alloc"),
    ("distributions", {"amount_minor": -5}, "dist_amount_pos"),
    ("payouts", {"amount_minor": -1}, "payout_nonneg"),
], ids=["oversold", "negative_issued", "zero_price", "zero_total", "unknown_status",
        "negative_holding", "over_allocated", "zero_order", "negative_distribution",
        "negative_payout"])
def test_check_constraints_refuse_direct_writes(filled: Ledger, table: str,
                                                values: dict[str, int], constraint: str) -> None:
    target = getattr(filled._tables, table)
    with pytest.raises(IntegrityError, match=constraint), filled._engine.begin() as conn:
        conn.execute(update(target).values(**values))
    assert filled.invariant_violations() == []


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_the_audit_log_refuses_update_and_delete(filled: Ledger, statement: str) -> None:
    audit = filled._tables.audit
    change = update(audit).values(action="forged") if statement == "update" else delete(audit)
    with pytest.raises(DBAPIError, match="append-only"), filled._engine.begin() as conn:
        conn.execute(change)
    assert filled.verify_audit().ok
    assert len(filled.audit_log()) == 7


def test_a_forged_audit_line_is_detected(backend: Backend) -> None:
    ledger = backend.ledger()
    ledger.create_offering(terms(total_units=10, rule="fcfs"), at=T0)
    ledger.subscribe("film-1", "ann", 6, idempotency_key="a", at=T0)
    ledger.subscribe("film-1", "ben", 4, idempotency_key="b", at=T0)
    audit = ledger._tables.audit
    trigger_off = {"sqlite": f"DROP TRIGGER {audit.name}_no_update",
                   "postgresql": f"ALTER TABLE {audit.name} DISABLE TRIGGER "
                                 f"{audit.name}_no_change"}[ledger.dialect]
    with ledger._engine.begin() as conn:
        conn.execute(text(trigger_off))  # an attacker with DDL rights
        conn.execute(update(audit).where(audit.c.seq == 3)
                     .values(detail='{"idempotency_key":"a","order_id":1,'
                                    '"units_allocated":60,"units_requested":60}'))
    check = ledger.verify_audit()
    assert (check.ok, check.first_bad_seq) == (False, 3)
    assert "altered" in str(check.reason)
    assert ledger.invariant_violations() == ["audit line 3: content does not match its sha256 "
                                             "(altered)"]
