"""SQLAlchemy engines for jogak's own tables (the registry index, the STO ledger).

SQLite gets WAL, a long busy timeout, full fsync and foreign keys, and transactions that jogak
begins itself: ``BEGIN IMMEDIATE`` for writers, so two processes never deadlock upgrading a read
lock. PostgreSQL gets pre-pinged pooled connections.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from jogak.errors import ConfigError

__all__ = ["open_sql_engine", "write_transaction"]

_BUSY_TIMEOUT_MS = 60_000
_WRITE = "jogak_write"


def open_sql_engine(url: str, *, what: str, example: str) -> Engine:
    """An engine on ``url``; ``what`` and ``example`` word the error for a URL that cannot work."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000})
            _configure_sqlite(engine)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, NoSuchModuleError, ImportError, ValueError) as exc:
        raise ConfigError(f"Cannot use the {what} database URL ({type(exc).__name__}: {exc}). "
                          f"Expected e.g. '{example}' or 'postgresql+psycopg://user@host/db'. "
                          "Hint: check JOGAK_DATABASE_URL and that the driver is installed.") \
            from exc
    return engine


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that writes: committed on success, rolled back on any exception."""
    with engine.connect() as conn:
        conn.execution_options(**{_WRITE: True})
        with conn.begin():
            yield conn
