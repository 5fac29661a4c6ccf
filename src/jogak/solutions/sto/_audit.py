"""The append-only audit log: one hash-chained line per change, written in the change's
transaction.

Each line's sha256 covers its content and the previous line's sha256, so editing, removing or
reordering a line (even with the triggers dropped) shows up in :func:`verify_chain`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, text

from jogak.solutions.sto._records import AuditCheck
from jogak.solutions.sto._tables import LedgerTables

__all__ = ["GENESIS", "PendingEntry", "append_entries", "entry_sha256", "verify_chain"]

GENESIS = "0" * 64


@dataclass(frozen=True)
class PendingEntry:
    """A line to append when the transaction's work is done."""

    at: str
    action: str
    offering_id: str | None
    investor: str | None
    detail: dict[str, Any]


def _canonical(detail: dict[str, Any]) -> str:
    return json.dumps(detail, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_sha256(seq: int, at: str, action: str, offering_id: str | None,
                 investor: str | None, detail_json: str, prev_sha256: str) -> str:
    """The sha256 of one line, chained to ``prev_sha256``."""
    payload = json.dumps([seq, at, action, offering_id, investor, detail_json, prev_sha256],
                         separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(payload.encode("ascii")).hexdigest()


def append_entries(conn: Connection, tables: LedgerTables,
                   entries: Sequence[PendingEntry]) -> None:
    """Append ``entries`` after the last line, inside the caller's transaction."""
    if not entries:
        return
    if conn.dialect.name == "postgresql":
        # writers of different offerings run in parallel; the chain's tail is taken in turn
        # (released at commit, so the next writer sees this transaction's lines)
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                     {"key": f"jogak-sto-audit:{tables.prefix}"})
    audit = tables.audit
    last = conn.execute(select(audit.c.seq, audit.c.sha256)
                        .where(audit.c.seq == select(func.max(audit.c.seq)).scalar_subquery())
                        ).first()
    seq, prev = (0, GENESIS) if last is None else (int(last.seq), str(last.sha256))
    rows = []
    for entry in entries:
        seq += 1
        detail_json = _canonical(entry.detail)
        digest = entry_sha256(seq, entry.at, entry.action, entry.offering_id, entry.investor,
                              detail_json, prev)
        rows.append({"seq": seq, "at": entry.at, "action": entry.action,
                     "offering_id": entry.offering_id, "investor": entry.investor,
                     "detail": detail_json, "prev_sha256": prev, "sha256": digest})
        prev = digest
    conn.execute(audit.insert(), rows)


def verify_chain(rows: Iterable[Any]) -> AuditCheck:
    """Recompute every line's hash in ``seq`` order; the first mismatch is reported."""
    prev, expected_seq, count = GENESIS, 1, 0
    for row in rows:
        count += 1
        if int(row.seq) != expected_seq:
            return AuditCheck(ok=False, n_entries=count, first_bad_seq=int(row.seq),
                              reason=f"line {expected_seq} is missing")
        if row.prev_sha256 != prev:
            return AuditCheck(ok=False, n_entries=count, first_bad_seq=int(row.seq),
                              reason="does not link to the line before")
        digest = entry_sha256(int(row.seq), row.at, row.action, row.offering_id, row.investor,
                              row.detail, prev)
        if digest != row.sha256:
            return AuditCheck(ok=False, n_entries=count, first_bad_seq=int(row.seq),
                              reason="content does not match its sha256 (altered)")
        prev, expected_seq = digest, expected_seq + 1
    return AuditCheck(ok=True, n_entries=count, first_bad_seq=None, reason=None)
