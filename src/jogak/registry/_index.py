"""The registry index: SQLAlchemy tables and engines (SQLite by default, PostgreSQL by URL).

SQLite runs in WAL mode with a busy timeout, and every writing transaction starts with
``BEGIN IMMEDIATE``, so concurrent writers queue instead of failing half-way. PostgreSQL writers
lock their model's row (``SELECT ... FOR UPDATE``), so two registrations of one name never pick
the same version number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    ForeignKeyConstraint,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.exc import SQLAlchemyError

from jogak.errors import ConfigError
from jogak.registry._engine import open_sql_engine, write_transaction

__all__ = ["IndexTables", "connect_index"]


_PREFIX = re.compile(r"[a-z][a-z0-9_]{0,30}")


@dataclass(frozen=True)
class IndexTables:
    """The four tables of one registry index, named with a common prefix."""

    metadata: MetaData
    models: Table
    versions: Table
    aliases: Table
    history: Table

    @classmethod
    def with_prefix(cls, prefix: str) -> IndexTables:
        if not _PREFIX.fullmatch(prefix):
            raise ConfigError(f"table_prefix must be lower-case letters, digits and '_', starting "
                              f"with a letter (at most 31 characters), got {prefix!r}.")
        metadata = MetaData()
        models = Table(
            f"{prefix}models", metadata,
            Column("name", String(64), primary_key=True),
            # never reused, so a folder being deleted can never belong to a newer version
            Column("next_version", Integer, nullable=False),
            Column("created_at", String(40), nullable=False),
        )
        versions = Table(
            f"{prefix}versions", metadata,
            Column("name", String(64), primary_key=True),
            Column("version", Integer, primary_key=True),
            Column("path", Text, nullable=False),
            Column("manifest_sha256", String(64), nullable=False),
            Column("kind", String(64)),
            Column("task", String(32)),
            Column("target", Text),
            Column("metrics", Text, nullable=False),
            Column("source", Text),
            Column("description", Text),
            Column("created_at", String(40), nullable=False),
            ForeignKeyConstraint(["name"], [models.c.name]),
        )
        aliases = Table(
            f"{prefix}aliases", metadata,
            Column("name", String(64), primary_key=True),
            Column("alias", String(32), primary_key=True),
            Column("version", Integer, nullable=False),
            Column("updated_at", String(40), nullable=False),
            ForeignKeyConstraint(["name", "version"], [versions.c.name, versions.c.version]),
        )
        history = Table(
            f"{prefix}alias_history", metadata,
            Column("id", Integer, primary_key=True, autoincrement=True),
            Column("name", String(64), nullable=False, index=True),
            Column("alias", String(32), nullable=False),
            Column("version", Integer, nullable=False),
            Column("active", Boolean, nullable=False),
            Column("at", String(40), nullable=False),
        )
        return cls(metadata, models, versions, aliases, history)


def connect_index(url: str, tables: IndexTables) -> Engine:
    """An engine on ``url`` with the registry tables created (safe to call from many processes)."""
    engine = open_sql_engine(url, what="registry", example="sqlite:////path/registry.db")
    try:
        with write_transaction(engine) as conn:
            if engine.dialect.name == "postgresql":
                # CREATE TABLE IF NOT EXISTS races between processes on PostgreSQL
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                             {"key": f"jogak-registry:{tables.models.name}"})
            tables.metadata.create_all(conn)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise ConfigError(f"Cannot open the registry index at {engine.url!r} "
                          f"({type(exc).__name__}: {str(exc).splitlines()[0]}). Hint: check that "
                          "the database server runs and the URL and credentials are right.") \
            from exc
    return engine
