"""The ledger's tables, their constraints, and engines (SQLite by default, PostgreSQL by URL).

The constraints are the last line of defence behind the checks in :class:`Ledger`: units and
prices are positive, no holding goes below zero, an offering never issues more than its total,
an order is never allocated more than it asked for, and the audit log refuses UPDATE and DELETE
(a trigger on both databases). SQLite writers start with ``BEGIN IMMEDIATE`` (one writer at a
time, the others queue on the busy timeout); PostgreSQL writers lock the offering's row with
``SELECT ... FOR UPDATE``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from jogak.errors import ConfigError
from jogak.registry import open_sql_engine, write_transaction

__all__ = ["LedgerTables", "open_engine", "write_transaction"]

_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,30}")
_Id = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements INTEGER keys only


def _time(name: str, nullable: bool = False) -> Column[Any]:
    return Column(name, String(32), nullable=nullable)


@dataclass(frozen=True)
class LedgerTables:
    """The ledger's tables, named with a common prefix."""

    prefix: str
    metadata: MetaData
    offerings: Table
    accounts: Table
    orders: Table
    holdings: Table
    transfers: Table
    distributions: Table
    payouts: Table
    audit: Table

    @classmethod
    def with_prefix(cls, prefix: str) -> LedgerTables:
        if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
            raise ConfigError(f"table_prefix must be lower-case letters, digits and '_', starting "
                              f"with a letter (at most 31 characters), got {prefix!r}.")
        md = MetaData()
        p = prefix
        offerings = Table(
            f"{p}offerings", md,
            Column("offering_id", String(64), primary_key=True),
            Column("content_id", String(128), nullable=False),
            Column("total_units", BigInteger, nullable=False),
            Column("unit_price_minor", BigInteger, nullable=False),
            Column("currency", String(3), nullable=False),
            Column("decimals", Integer, nullable=False),
            _time("opens_at"), _time("closes_at"),
            Column("min_units", BigInteger, nullable=False),
            Column("max_units", BigInteger, nullable=False),
            Column("rule", String(16), nullable=False),
            Column("status", String(16), nullable=False),
            Column("units_requested", BigInteger, nullable=False),
            Column("units_issued", BigInteger, nullable=False),
            _time("created_at"),
            CheckConstraint("total_units > 0", name=f"{p}offer_total_pos"),
            CheckConstraint("unit_price_minor > 0", name=f"{p}offer_price_pos"),
            CheckConstraint("decimals >= 0 AND decimals <= 6", name=f"{p}offer_decimals"),
            CheckConstraint("closes_at > opens_at", name=f"{p}offer_window"),
            CheckConstraint("min_units >= 1 AND max_units >= min_units "
                            "AND max_units <= total_units", name=f"{p}offer_limits"),
            CheckConstraint("rule IN ('pro_rata', 'fcfs')", name=f"{p}offer_rule"),
            CheckConstraint("status IN ('open', 'allocated')", name=f"{p}offer_status"),
            CheckConstraint("units_requested >= 0", name=f"{p}offer_requested"),
            # the one rule of the whole ledger: never more units than issued
            CheckConstraint("units_issued >= 0 AND units_issued <= total_units",
                            name=f"{p}offer_issued"),
        )
        accounts = Table(
            f"{p}accounts", md,
            Column("investor", String(64), primary_key=True),
            _time("created_at"),
        )
        orders = Table(
            f"{p}orders", md,
            Column("order_id", _Id, primary_key=True, autoincrement=True),
            Column("idempotency_key", String(64), nullable=False, unique=True),
            Column("request_sha256", String(64), nullable=False),
            Column("offering_id", String(64), ForeignKey(offerings.c.offering_id),
                   nullable=False, index=True),
            Column("investor", String(64), ForeignKey(accounts.c.investor), nullable=False),
            Column("units_requested", BigInteger, nullable=False),
            Column("units_allocated", BigInteger),
            Column("status", String(16), nullable=False),
            _time("placed_at"),
            CheckConstraint("units_requested > 0", name=f"{p}order_units_pos"),
            CheckConstraint("units_allocated IS NULL OR (units_allocated >= 0 AND "
                            "units_allocated <= units_requested)", name=f"{p}order_alloc"),
            CheckConstraint("(status = 'pending' AND units_allocated IS NULL) OR "
                            "(status = 'allocated' AND units_allocated IS NOT NULL)",
                            name=f"{p}order_status"),
        )
        holdings = Table(
            f"{p}holdings", md,
            Column("offering_id", String(64), ForeignKey(offerings.c.offering_id),
                   primary_key=True),
            Column("investor", String(64), ForeignKey(accounts.c.investor), primary_key=True),
            Column("units", BigInteger, nullable=False),
            CheckConstraint("units >= 0", name=f"{p}holding_nonneg"),
        )
        transfers = Table(
            f"{p}transfers", md,
            Column("transfer_id", _Id, primary_key=True, autoincrement=True),
            Column("idempotency_key", String(64), unique=True),
            Column("request_sha256", String(64), nullable=False),
            Column("offering_id", String(64), ForeignKey(offerings.c.offering_id),
                   nullable=False, index=True),
            Column("sender", String(64), ForeignKey(accounts.c.investor), nullable=False),
            Column("recipient", String(64), ForeignKey(accounts.c.investor), nullable=False),
            Column("units", BigInteger, nullable=False),
            _time("at"),
            CheckConstraint("units > 0", name=f"{p}transfer_units_pos"),
            CheckConstraint("sender <> recipient", name=f"{p}transfer_parties"),
        )
        distributions = Table(
            f"{p}distributions", md,
            Column("distribution_id", _Id, primary_key=True, autoincrement=True),
            Column("idempotency_key", String(64), unique=True),
            Column("request_sha256", String(64), nullable=False),
            Column("offering_id", String(64), ForeignKey(offerings.c.offering_id),
                   nullable=False, index=True),
            Column("amount_minor", BigInteger, nullable=False),
            Column("units_outstanding", BigInteger, nullable=False),
            _time("at"),
            CheckConstraint("amount_minor > 0", name=f"{p}dist_amount_pos"),
            CheckConstraint("units_outstanding > 0", name=f"{p}dist_units_pos"),
        )
        payouts = Table(
            f"{p}payouts", md,
            Column("distribution_id", _Id, ForeignKey(distributions.c.distribution_id),
                   primary_key=True),
            Column("investor", String(64), ForeignKey(accounts.c.investor), primary_key=True),
            Column("units", BigInteger, nullable=False),
            Column("amount_minor", BigInteger, nullable=False),
            CheckConstraint("units > 0", name=f"{p}payout_units_pos"),
            CheckConstraint("amount_minor >= 0", name=f"{p}payout_nonneg"),
        )
        audit = Table(
            f"{p}audit", md,
            Column("seq", BigInteger, primary_key=True, autoincrement=False),
            _time("at"),
            Column("action", String(32), nullable=False),
            Column("offering_id", String(64), index=True),
            Column("investor", String(64)),
            Column("detail", Text, nullable=False),
            Column("prev_sha256", String(64), nullable=False),
            Column("sha256", String(64), nullable=False),
            CheckConstraint("seq >= 1", name=f"{p}audit_seq_pos"),
            UniqueConstraint("sha256", name=f"{p}audit_sha_unique"),
        )
        return cls(prefix, md, offerings, accounts, orders, holdings, transfers, distributions,
                   payouts, audit)


def open_engine(url: str, tables: LedgerTables) -> Engine:
    """An engine on ``url`` with the ledger's tables and triggers created (idempotent)."""
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(f"The ledger needs a database URL, got {url!r}. Expected e.g. "
                          "'sqlite:////path/sto.sqlite' or 'postgresql+psycopg://user@host/db'.")
    engine = open_sql_engine(url, what="ledger", example="sqlite:////path/sto.sqlite")
    if engine.dialect.name not in ("sqlite", "postgresql"):
        engine.dispose()
        raise ConfigError(f"The ledger runs on SQLite or PostgreSQL, got {engine.dialect.name}.")
    try:
        with write_transaction(engine) as conn:
            if engine.dialect.name == "postgresql":
                # CREATE TABLE IF NOT EXISTS races between processes on PostgreSQL
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                             {"key": f"jogak-sto:{tables.prefix}"})
            tables.metadata.create_all(conn)
            _create_append_only_triggers(conn, tables)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise ConfigError(f"Cannot open the ledger database at {engine.url!r} "
                          f"({type(exc).__name__}: {str(exc).splitlines()[0]}). Hint: check that "
                          "the database server runs and the URL and credentials are right.") \
            from exc
    return engine


def _create_append_only_triggers(conn: Connection, tables: LedgerTables) -> None:
    name = tables.audit.name
    message = "the audit log is append-only"
    if conn.dialect.name == "sqlite":
        for event_name in ("UPDATE", "DELETE"):
            conn.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS {name}_no_{event_name.lower()} BEFORE {event_name} "
                f"ON {name} BEGIN SELECT RAISE(ABORT, '{message}'); END")
        return
    conn.exec_driver_sql(
        f"CREATE OR REPLACE FUNCTION {name}_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN RAISE EXCEPTION '{message}'; END $$")
    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}_no_change ON {name}")
    conn.exec_driver_sql(
        f"CREATE TRIGGER {name}_no_change BEFORE UPDATE OR DELETE ON {name} "
        f"FOR EACH ROW EXECUTE FUNCTION {name}_append_only()")
