"""What the ledger returns: frozen records with ``to_dict()`` for JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

__all__ = ["Allocation", "AuditCheck", "AuditEntry", "Distribution", "Holding", "Offering",
           "Order", "Payout", "Transfer"]


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


class _Record:
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: Decimals as strings (exact), datetimes as ISO 8601."""
        return {key: _jsonable(value) for key, value in asdict(self).items()}  # type: ignore[call-overload]


@dataclass(frozen=True)
class Offering(_Record):
    """An offering's terms and its state (``open`` until allocated, then ``allocated``)."""

    offering_id: str
    content_id: str
    total_units: int
    unit_price: Decimal
    currency: str
    decimals: int
    opens_at: datetime
    closes_at: datetime
    min_units: int
    max_units: int
    rule: str
    status: str
    units_requested: int
    units_issued: int
    created_at: datetime


@dataclass(frozen=True)
class Order(_Record):
    """A subscription order; ``units_allocated`` is None while a pro-rata order waits."""

    order_id: int
    idempotency_key: str
    offering_id: str
    investor: str
    units_requested: int
    units_allocated: int | None
    status: str
    placed_at: datetime


@dataclass(frozen=True)
class Allocation(_Record):
    """The outcome of closing an offering: what each order got."""

    offering_id: str
    rule: str
    units_requested: int
    units_issued: int
    oversubscribed: bool
    orders: tuple[Order, ...]


@dataclass(frozen=True)
class Holding(_Record):
    """Units of one offering held by one (pseudonymous) investor."""

    offering_id: str
    investor: str
    units: int


@dataclass(frozen=True)
class Transfer(_Record):
    """Units moved between two investors of one offering."""

    transfer_id: int
    idempotency_key: str | None
    offering_id: str
    sender: str
    recipient: str
    units: int
    at: datetime


@dataclass(frozen=True)
class Payout(_Record):
    """One holder's share of a distribution."""

    investor: str
    units: int
    amount: Decimal


@dataclass(frozen=True)
class Distribution(_Record):
    """Revenue paid out pro rata to the holders; ``sum(p.amount for p in payouts) == amount``."""

    distribution_id: int
    idempotency_key: str | None
    offering_id: str
    amount: Decimal
    currency: str
    units_outstanding: int
    at: datetime
    payouts: tuple[Payout, ...]


@dataclass(frozen=True)
class AuditEntry(_Record):
    """One line of the append-only audit log, chained to the one before by sha256."""

    seq: int
    at: datetime
    action: str
    offering_id: str | None
    investor: str | None
    detail: dict[str, Any]
    prev_sha256: str
    sha256: str


@dataclass(frozen=True)
class AuditCheck(_Record):
    """Whether the audit chain is intact: each hash recomputes and links to the one before."""

    ok: bool
    n_entries: int
    first_bad_seq: int | None
    reason: str | None
