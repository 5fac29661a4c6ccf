"""The ledger's invariants, checked from the tables themselves (for tests and operators)."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from jogak.solutions.sto._audit import verify_chain
from jogak.solutions.sto._tables import LedgerTables

__all__ = ["invariant_violations"]


def _sums(conn: Connection, key: object, value: object) -> dict[object, int]:
    query = select(key, func.sum(value)).group_by(key)  # type: ignore[call-overload]
    return {k: int(v) for k, v in conn.execute(query)}


def invariant_violations(conn: Connection, tables: LedgerTables) -> list[str]:
    """Every broken invariant, one sentence each; empty when the ledger is consistent.

    Checked: no offering issues more than its total or a negative amount; the holdings of each
    offering sum to its units issued, and so do its orders' allocations; requested units match
    the orders; no holding is negative; each distribution's payouts sum exactly to its amount
    and cover its outstanding units; the audit chain verifies, and it has one line for every
    offering, order, allocation, transfer, distribution and account.
    """
    t = tables
    problems: list[str] = []
    held = _sums(conn, t.holdings.c.offering_id, t.holdings.c.units)
    allocated = _sums(conn, t.orders.c.offering_id,
                      func.coalesce(t.orders.c.units_allocated, 0))
    requested = _sums(conn, t.orders.c.offering_id, t.orders.c.units_requested)
    n_allocated = 0
    for o in conn.execute(select(t.offerings)):
        name, issued = o.offering_id, int(o.units_issued)
        n_allocated += o.status == "allocated"
        if not 0 <= issued <= int(o.total_units):
            problems.append(f"{name}: {issued} units issued of {o.total_units}")
        if held.get(name, 0) != issued:
            problems.append(f"{name}: holdings sum to {held.get(name, 0)}, issued {issued}")
        if allocated.get(name, 0) != issued:
            problems.append(f"{name}: orders were allocated {allocated.get(name, 0)}, "
                            f"issued {issued}")
        if requested.get(name, 0) != int(o.units_requested):
            problems.append(f"{name}: orders request {requested.get(name, 0)}, offering "
                            f"records {o.units_requested}")
    negative = conn.execute(select(func.count()).where(t.holdings.c.units < 0)).scalar_one()
    if negative:
        problems.append(f"{negative} holding(s) below zero")
    paid = _sums(conn, t.payouts.c.distribution_id, t.payouts.c.amount_minor)
    units = _sums(conn, t.payouts.c.distribution_id, t.payouts.c.units)
    for d in conn.execute(select(t.distributions)):
        if paid.get(d.distribution_id, 0) != int(d.amount_minor):
            problems.append(f"distribution {d.distribution_id}: payouts sum to "
                            f"{paid.get(d.distribution_id, 0)} of {d.amount_minor} minor units")
        if units.get(d.distribution_id, 0) != int(d.units_outstanding):
            problems.append(f"distribution {d.distribution_id}: payouts cover "
                            f"{units.get(d.distribution_id, 0)} of {d.units_outstanding} units")
    check = verify_chain(conn.execute(select(t.audit).order_by(t.audit.c.seq)))
    if not check.ok:
        problems.append(f"audit line {check.first_bad_seq}: {check.reason}")
    lines: dict[str, int] = {str(action): int(n) for action, n in conn.execute(
        select(t.audit.c.action, func.count()).group_by(t.audit.c.action))}
    expected = {
        "offering.create": conn.execute(select(func.count()).select_from(t.offerings)),
        "order.place": conn.execute(select(func.count()).select_from(t.orders)),
        "account.open": conn.execute(select(func.count()).select_from(t.accounts)),
        "transfer": conn.execute(select(func.count()).select_from(t.transfers)),
        "distribution": conn.execute(select(func.count()).select_from(t.distributions)),
    }
    counts = {action: int(result.scalar_one()) for action, result in expected.items()}
    counts["offering.allocate"] = int(n_allocated)
    for action, count in counts.items():
        if int(lines.get(action, 0)) != count:
            problems.append(f"audit has {lines.get(action, 0)} {action} line(s) for {count} "
                            "change(s)")
    return problems
