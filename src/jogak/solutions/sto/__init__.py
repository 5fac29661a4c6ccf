"""The security-token offering ledger: issue, subscribe, allocate, transfer, distribute (S1)."""

from __future__ import annotations

__all__: list[str] = []
