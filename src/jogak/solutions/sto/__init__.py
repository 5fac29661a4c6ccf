"""The security-token offering ledger: issue, subscribe, allocate, transfer, distribute (S1).

Offerings of fractional units backed by content (films, songs), subscription orders with
idempotency keys, pro-rata (largest remainder) or first-come-first-served allocation,
holdings, transfers, exact pro-rata revenue distribution and a hash-chained append-only audit
log, on SQLite or PostgreSQL. See ``docs/sto.md``.
"""

from __future__ import annotations

from jogak.solutions.sto._apportion import apportion
from jogak.solutions.sto._errors import (
    IdempotencyConflictError,
    LedgerError,
    LedgerNotFoundError,
    LedgerUnavailableError,
)
from jogak.solutions.sto._home import open_ledger
from jogak.solutions.sto._ledger import Ledger
from jogak.solutions.sto._records import (
    Allocation,
    AuditCheck,
    AuditEntry,
    Distribution,
    Holding,
    Offering,
    Order,
    Payout,
    Transfer,
)
from jogak.solutions.sto._terms import AllocationRule, OfferingTerms

__all__ = [
    "Allocation",
    "AllocationRule",
    "AuditCheck",
    "AuditEntry",
    "Distribution",
    "Holding",
    "IdempotencyConflictError",
    "Ledger",
    "LedgerError",
    "LedgerNotFoundError",
    "LedgerUnavailableError",
    "Offering",
    "OfferingTerms",
    "Order",
    "Payout",
    "Transfer",
    "apportion",
    "open_ledger",
]
