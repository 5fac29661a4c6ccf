"""The ledger's changes, each run inside one writing transaction opened by :class:`Ledger`.

Every function locks the offering's row first (``FOR UPDATE`` on PostgreSQL; SQLite's
``BEGIN IMMEDIATE`` already holds the only write lock), checks the request against the state it
then sees, writes, and appends its audit lines last. A check that fails raises before anything
is written, and the caller's transaction rolls back.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import Connection, CursorResult, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jogak.solutions.sto._apportion import apportion
from jogak.solutions.sto._audit import PendingEntry, append_entries
from jogak.solutions.sto._errors import IdempotencyConflictError, LedgerError
from jogak.solutions.sto._money import from_minor, to_minor
from jogak.solutions.sto._reads import (
    distribution_record,
    find_offering,
    order_record,
    transfer_record,
)
from jogak.solutions.sto._records import Allocation, Distribution, Order, Transfer
from jogak.solutions.sto._tables import LedgerTables
from jogak.solutions.sto._terms import OfferingTerms, parse_timestamp, timestamp

__all__ = ["allocate", "create_offering", "distribute", "request_sha256", "subscribe",
           "transfer"]


def request_sha256(kind: str, body: dict[str, Any]) -> str:
    """The fingerprint of a request's body, compared when its idempotency key comes again."""
    text = json.dumps({"kind": kind, **body}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _new_id(result: CursorResult[Any]) -> int:
    key = result.inserted_primary_key
    if key is None:  # pragma: no cover - every insert here has an autoincrement key
        raise LedgerError("The database returned no id for the new row; nothing was written.")
    return int(key[0])


def _replayed(conn: Connection, table: Any, key: str | None, digest: str,
              what: str) -> Any:
    if key is None:
        return None
    row = conn.execute(select(table).where(table.c.idempotency_key == key)).first()
    if row is not None and row.request_sha256 != digest:
        raise IdempotencyConflictError(
            f"The idempotency key {key!r} was already used for a different {what} request; "
            "nothing was written. Hint: repeat the original request exactly to get its result, "
            "or send a new key for a new request.")
    return row


def _ensure_account(conn: Connection, tables: LedgerTables, investor: str, at: str,
                    audit: list[PendingEntry]) -> None:
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    created = conn.execute(insert(tables.accounts).values(investor=investor, created_at=at)
                           .on_conflict_do_nothing(index_elements=["investor"])
                           .returning(tables.accounts.c.investor)).first()
    if created is not None:
        audit.append(PendingEntry(at, "account.open", None, investor, {}))


def _add_units(conn: Connection, tables: LedgerTables, offering_id: str, investor: str,
               delta: int) -> None:
    holdings = tables.holdings
    changed = conn.execute(update(holdings)
                           .where(holdings.c.offering_id == offering_id,
                                  holdings.c.investor == investor)
                           .values(units=holdings.c.units + delta)).rowcount
    if changed == 0:
        conn.execute(holdings.insert().values(offering_id=offering_id, investor=investor,
                                              units=delta))


def _units_held(conn: Connection, tables: LedgerTables, offering_id: str, investor: str) -> int:
    holdings = tables.holdings
    held = conn.execute(select(holdings.c.units).where(holdings.c.offering_id == offering_id,
                                                       holdings.c.investor == investor)
                        ).scalar()
    return 0 if held is None else int(held)


def create_offering(conn: Connection, tables: LedgerTables, terms: OfferingTerms,
                    at: str) -> None:
    offerings = tables.offerings
    exists = conn.execute(select(offerings.c.offering_id)
                          .where(offerings.c.offering_id == terms.offering_id)).first()
    if exists is not None:
        raise LedgerError(f"An offering {terms.offering_id!r} already exists; offering ids are "
                          "never reused. Hint: choose another id.")
    values = {"offering_id": terms.offering_id, "content_id": terms.content_id.strip(),
              "total_units": terms.total_units, "unit_price_minor": terms.unit_price_minor,
              "currency": terms.currency, "decimals": terms.decimals,
              "opens_at": timestamp(terms.opens_at, "opens_at"),
              "closes_at": timestamp(terms.closes_at, "closes_at"),
              "min_units": terms.min_units, "max_units": terms.max_units, "rule": terms.rule}
    conn.execute(offerings.insert().values(**values, status="open", units_requested=0,
                                           units_issued=0, created_at=at))
    detail = {k: v for k, v in values.items() if k != "offering_id"}
    append_entries(conn, tables, [PendingEntry(at, "offering.create", terms.offering_id, None,
                                               detail)])


def _check_subscription(offering: Any, units: int, already: int, at: str) -> None:
    name = offering.offering_id
    if offering.status != "open":
        raise LedgerError(f"Offering {name!r} is already allocated and takes no more "
                          "subscriptions.")
    if not offering.opens_at <= at < offering.closes_at:
        raise LedgerError(
            f"Offering {name!r} takes subscriptions from {offering.opens_at} until "
            f"{offering.closes_at} (UTC, end excluded); this one came at {at}. Nothing was "
            "written.")
    if units < offering.min_units:
        raise LedgerError(f"The smallest order for {name!r} is {offering.min_units} units, got "
                          f"{units}.")
    if already + units > offering.max_units:
        raise LedgerError(f"One investor may request at most {offering.max_units} units of "
                          f"{name!r}; this investor has requested {already} and asks {units} "
                          "more.")


def _fcfs_fill(offering: Any, units: int) -> int:
    left = int(offering.total_units) - int(offering.units_issued)
    if left >= units:
        return units
    if left >= int(offering.min_units):
        return left  # a partial fill: what is left, when it still makes a minimum order
    state = "is sold out" if left == 0 else f"has {left} unit(s) left, below the minimum order " \
                                            f"of {offering.min_units}"
    raise LedgerError(f"Offering {offering.offering_id!r} {state}; nothing was written.")


def subscribe(conn: Connection, tables: LedgerTables, offering_id: str, investor: str,
              units: int, key: str, at: str) -> Order:
    orders, offerings = tables.orders, tables.offerings
    offering = find_offering(conn, tables, offering_id, lock=True)
    digest = request_sha256("order", {"offering_id": offering_id, "investor": investor,
                                      "units": units})
    replay = _replayed(conn, orders, key, digest, "subscription")
    if replay is not None:
        return order_record(replay)
    already = conn.execute(select(func.coalesce(func.sum(orders.c.units_requested), 0))
                           .where(orders.c.offering_id == offering_id,
                                  orders.c.investor == investor)).scalar_one()
    _check_subscription(offering, units, int(already), at)
    fill = _fcfs_fill(offering, units) if offering.rule == "fcfs" else None
    audit: list[PendingEntry] = []
    _ensure_account(conn, tables, investor, at, audit)
    order_id = _new_id(conn.execute(orders.insert().values(
        idempotency_key=key, request_sha256=digest, offering_id=offering_id, investor=investor,
        units_requested=units, units_allocated=fill,
        status="pending" if fill is None else "allocated", placed_at=at)))
    conn.execute(update(offerings).where(offerings.c.offering_id == offering_id).values(
        units_requested=offerings.c.units_requested + units,
        units_issued=offerings.c.units_issued + (fill or 0)))
    if fill:
        _add_units(conn, tables, offering_id, investor, fill)
    audit.append(PendingEntry(at, "order.place", offering_id, investor, {
        "order_id": int(order_id), "idempotency_key": key, "units_requested": units,
        "units_allocated": fill}))
    append_entries(conn, tables, audit)
    row = conn.execute(select(orders).where(orders.c.order_id == order_id)).one()
    return order_record(row)


def allocate(conn: Connection, tables: LedgerTables, offering_id: str, at: str) -> Allocation:
    orders, offerings = tables.orders, tables.offerings
    offering = find_offering(conn, tables, offering_id, lock=True)
    if offering.status == "allocated":
        raise LedgerError(f"Offering {offering_id!r} is already allocated. Hint: `jogak sto "
                          "holdings` shows the result.")
    if at < offering.closes_at:
        raise LedgerError(f"Offering {offering_id!r} can be allocated once its window closes at "
                          f"{offering.closes_at} (UTC); it is {at}.")
    total, requested = int(offering.total_units), int(offering.units_requested)
    issued, allocations = int(offering.units_issued), []
    if offering.rule == "pro_rata" and requested > 0:
        pending = conn.execute(select(orders.c.order_id, orders.c.investor,
                                      orders.c.units_requested)
                               .where(orders.c.offering_id == offering_id)
                               .order_by(orders.c.order_id)).all()
        issued = min(total, requested)
        # ties between equal remainders go to the earlier order
        parts = apportion(issued, [int(o.units_requested) for o in pending])
        conn.execute(update(orders).where(orders.c.order_id == bindparam("oid"))
                     .values(units_allocated=bindparam("units"), status="allocated"),
                     [{"oid": o.order_id, "units": part} for o, part in zip(pending, parts,
                                                                            strict=True)])
        per_investor: dict[str, int] = {}
        for o, part in zip(pending, parts, strict=True):
            per_investor[o.investor] = per_investor.get(o.investor, 0) + part
            allocations.append([int(o.order_id), part])
        for investor, units in per_investor.items():
            if units:
                _add_units(conn, tables, offering_id, investor, units)
    conn.execute(update(offerings).where(offerings.c.offering_id == offering_id)
                 .values(status="allocated", units_issued=issued))
    append_entries(conn, tables, [PendingEntry(at, "offering.allocate", offering_id, None, {
        "rule": offering.rule, "units_requested": requested, "units_issued": issued,
        "oversubscribed": requested > total, "allocations": allocations})])
    rows = conn.execute(select(orders).where(orders.c.offering_id == offering_id)
                        .order_by(orders.c.order_id)).all()
    return Allocation(offering_id=offering_id, rule=offering.rule, units_requested=requested,
                      units_issued=issued, oversubscribed=requested > total,
                      orders=tuple(order_record(r) for r in rows))


def transfer(conn: Connection, tables: LedgerTables, offering_id: str, sender: str,
             recipient: str, units: int, key: str | None, at: str) -> Transfer:
    transfers = tables.transfers
    offering = find_offering(conn, tables, offering_id, lock=True)
    digest = request_sha256("transfer", {"offering_id": offering_id, "sender": sender,
                                         "recipient": recipient, "units": units})
    replay = _replayed(conn, transfers, key, digest, "transfer")
    if replay is not None:
        return transfer_record(replay)
    if offering.status != "allocated":
        raise LedgerError(f"Units of {offering_id!r} can be transferred once it is allocated "
                          "(after its subscription window).")
    held = _units_held(conn, tables, offering_id, sender)
    if held < units:
        raise LedgerError(f"The sender holds {held} unit(s) of {offering_id!r}, fewer than the "
                          f"{units} to transfer; nothing was written.")
    audit: list[PendingEntry] = []
    _ensure_account(conn, tables, recipient, at, audit)
    _add_units(conn, tables, offering_id, sender, -units)
    _add_units(conn, tables, offering_id, recipient, units)
    transfer_id = _new_id(conn.execute(transfers.insert().values(
        idempotency_key=key, request_sha256=digest, offering_id=offering_id, sender=sender,
        recipient=recipient, units=units, at=at)))
    audit.append(PendingEntry(at, "transfer", offering_id, sender, {
        "transfer_id": int(transfer_id), "idempotency_key": key, "recipient": recipient,
        "units": units}))
    append_entries(conn, tables, audit)
    return Transfer(transfer_id=int(transfer_id), idempotency_key=key, offering_id=offering_id,
                    sender=sender, recipient=recipient, units=units, at=parse_timestamp(at))


def distribute(conn: Connection, tables: LedgerTables, offering_id: str, amount: Any,
               key: str | None, at: str) -> Distribution:
    distributions, holdings = tables.distributions, tables.holdings
    offering = find_offering(conn, tables, offering_id, lock=True)
    decimals = int(offering.decimals)
    minor = to_minor(amount, decimals=decimals, what="amount")
    if minor <= 0:
        raise LedgerError(f"A distribution must pay more than 0 {offering.currency}, got {amount}.")
    digest = request_sha256("distribution", {"offering_id": offering_id, "amount_minor": minor})
    replay = _replayed(conn, distributions, key, digest, "distribution")
    if replay is not None:
        return distribution_record(conn, tables, replay, offering)
    if offering.status != "allocated" or int(offering.units_issued) == 0:
        raise LedgerError(f"Offering {offering_id!r} has no units outstanding to pay (it must be "
                          "allocated with at least one unit issued).")
    holders = conn.execute(select(holdings.c.investor, holdings.c.units)
                           .where(holdings.c.offering_id == offering_id, holdings.c.units > 0)
                           .order_by(holdings.c.investor)).all()
    outstanding = sum(int(h.units) for h in holders)
    # equal remainders: the larger holding first, then the investor token (alphabetical)
    ranks = sorted(range(len(holders)), key=lambda i: (-int(holders[i].units),
                                                        holders[i].investor))
    tie_order = [0] * len(holders)
    for rank, index in enumerate(ranks):
        tie_order[index] = rank
    parts = apportion(minor, [int(h.units) for h in holders], tie_order)
    distribution_id = _new_id(conn.execute(distributions.insert().values(
        idempotency_key=key, request_sha256=digest, offering_id=offering_id,
        amount_minor=minor, units_outstanding=outstanding, at=at)))
    conn.execute(tables.payouts.insert(), [
        {"distribution_id": distribution_id, "investor": h.investor, "units": int(h.units),
         "amount_minor": part} for h, part in zip(holders, parts, strict=True)])
    append_entries(conn, tables, [PendingEntry(at, "distribution", offering_id, None, {
        "distribution_id": int(distribution_id), "idempotency_key": key,
        "amount": str(from_minor(minor, decimals)), "units_outstanding": outstanding,
        "n_holders": len(holders)})])
    row = conn.execute(select(distributions)
                       .where(distributions.c.distribution_id == distribution_id)).one()
    return distribution_record(conn, tables, row, offering)
