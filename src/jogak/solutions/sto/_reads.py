"""Rows to records, and the ledger's read queries (each inside the caller's connection)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, Row, select

from jogak.solutions.sto._errors import LedgerNotFoundError
from jogak.solutions.sto._money import from_minor
from jogak.solutions.sto._records import (
    AuditEntry,
    Distribution,
    Holding,
    Offering,
    Order,
    Payout,
    Transfer,
)
from jogak.solutions.sto._tables import LedgerTables
from jogak.solutions.sto._terms import parse_timestamp

__all__ = ["audit_record", "distribution_record", "find_offering", "holding_rows",
           "offering_record", "order_record", "transfer_record"]


def offering_record(row: Row[Any]) -> Offering:
    return Offering(
        offering_id=row.offering_id, content_id=row.content_id, total_units=int(row.total_units),
        unit_price=from_minor(int(row.unit_price_minor), int(row.decimals)),
        currency=row.currency, decimals=int(row.decimals),
        opens_at=parse_timestamp(row.opens_at), closes_at=parse_timestamp(row.closes_at),
        min_units=int(row.min_units), max_units=int(row.max_units), rule=row.rule,
        status=row.status, units_requested=int(row.units_requested),
        units_issued=int(row.units_issued), created_at=parse_timestamp(row.created_at))


def order_record(row: Row[Any]) -> Order:
    return Order(order_id=int(row.order_id), idempotency_key=row.idempotency_key,
                 offering_id=row.offering_id, investor=row.investor,
                 units_requested=int(row.units_requested),
                 units_allocated=None if row.units_allocated is None
                 else int(row.units_allocated),
                 status=row.status, placed_at=parse_timestamp(row.placed_at))


def transfer_record(row: Row[Any]) -> Transfer:
    return Transfer(transfer_id=int(row.transfer_id), idempotency_key=row.idempotency_key,
                    offering_id=row.offering_id, sender=row.sender, recipient=row.recipient,
                    units=int(row.units), at=parse_timestamp(row.at))


def distribution_record(conn: Connection, tables: LedgerTables, row: Row[Any],
                        offering: Row[Any]) -> Distribution:
    payouts = tables.payouts
    decimals = int(offering.decimals)
    paid = conn.execute(select(payouts).where(payouts.c.distribution_id == row.distribution_id)
                        .order_by(payouts.c.investor)).all()
    return Distribution(
        distribution_id=int(row.distribution_id), idempotency_key=row.idempotency_key,
        offering_id=row.offering_id, amount=from_minor(int(row.amount_minor), decimals),
        currency=offering.currency, units_outstanding=int(row.units_outstanding),
        at=parse_timestamp(row.at),
        payouts=tuple(Payout(investor=p.investor, units=int(p.units),
                             amount=from_minor(int(p.amount_minor), decimals)) for p in paid))


def audit_record(row: Row[Any]) -> AuditEntry:
    return AuditEntry(seq=int(row.seq), at=parse_timestamp(row.at), action=row.action,
                      offering_id=row.offering_id, investor=row.investor,
                      detail=json.loads(row.detail), prev_sha256=row.prev_sha256,
                      sha256=row.sha256)


def find_offering(conn: Connection, tables: LedgerTables, offering_id: str, *,
                  lock: bool = False) -> Row[Any]:
    """The offering's row (locked ``FOR UPDATE`` on PostgreSQL when ``lock``)."""
    query = select(tables.offerings).where(tables.offerings.c.offering_id == offering_id)
    if lock:
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        raise LedgerNotFoundError(f"No offering {offering_id!r} in this ledger. Hint: "
                                  "`jogak sto offerings` lists the offerings.")
    return row


def holding_rows(conn: Connection, tables: LedgerTables, offering_id: str | None,
                 investor: str | None) -> list[Holding]:
    holdings = tables.holdings
    query = select(holdings).where(holdings.c.units > 0)
    if offering_id is not None:
        query = query.where(holdings.c.offering_id == offering_id)
    if investor is not None:
        query = query.where(holdings.c.investor == investor)
    query = query.order_by(holdings.c.offering_id, holdings.c.units.desc(), holdings.c.investor)
    return [Holding(offering_id=r.offering_id, investor=r.investor, units=int(r.units))
            for r in conn.execute(query)]
