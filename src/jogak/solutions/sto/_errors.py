"""The ledger's errors: rule violations, unknown ids and reused idempotency keys."""

from __future__ import annotations

from jogak.errors import JogakError

__all__ = ["IdempotencyConflictError", "LedgerError", "LedgerNotFoundError",
           "LedgerUnavailableError"]


class LedgerError(JogakError, ValueError):
    """A ledger request breaks a rule (bad amount, closed window, too few units, ...).

    Nothing is written when it is raised: the transaction is rolled back.
    """


class LedgerNotFoundError(LedgerError, LookupError):
    """An offering, order or distribution id is not in the ledger."""


class IdempotencyConflictError(LedgerError):
    """An idempotency key was reused for a request with a different body."""


class LedgerUnavailableError(JogakError, RuntimeError):
    """The ledger's database failed mid-request (unreachable, locked too long); nothing was
    written, and the same request with the same idempotency key may be retried."""
