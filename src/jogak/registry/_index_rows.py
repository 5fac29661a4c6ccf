"""Rows of the registry index, read and written inside a caller's transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, and_, insert, select, update

from jogak.registry._index import IndexTables
from jogak.registry._records import AliasMove

__all__ = ["alias_version", "aliases_of", "insert_version", "move_alias", "now", "set_alias",
           "version_numbers", "version_row"]


def now() -> str:
    """The current UTC time as stored in the index (ISO 8601, milliseconds)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def insert_version(conn: Connection, tables: IndexTables, name: str, version: int,
                   manifest: dict[str, Any], source: Path, description: str | None) -> None:
    """Add the row of a registered version and advance the model's next version number."""
    conn.execute(insert(tables.versions).values(
        name=name, version=version, path=f"{name}/{version}",
        manifest_sha256=str(manifest.get("manifest_sha256")),
        kind=_text(manifest.get("kind")), task=_text(manifest.get("task")),
        target=_text(manifest.get("target")),
        metrics=json.dumps(manifest.get("metrics") or {}, default=str),
        source=str(source), description=description, created_at=now()))
    conn.execute(update(tables.models).where(
        tables.models.c.name == name).values(next_version=version + 1))


def version_numbers(conn: Connection, tables: IndexTables, name: str) -> list[int]:
    """The version numbers of ``name``, ascending."""
    versions = tables.versions
    return [int(row.version) for row in conn.execute(
        select(versions.c.version).where(versions.c.name == name)
        .order_by(versions.c.version))]


def version_row(conn: Connection, tables: IndexTables, name: str,
                version: int) -> Row[Any] | None:
    """The index row of one version, or None."""
    versions = tables.versions
    return conn.execute(select(versions).where(versions.c.name == name,
                                               versions.c.version == int(version))).first()


def alias_version(conn: Connection, tables: IndexTables, name: str, alias: str) -> int | None:
    """The version ``alias`` of ``name`` points to, or None when it is not set."""
    aliases = tables.aliases
    row = conn.execute(select(aliases.c.version).where(
        aliases.c.name == name, aliases.c.alias == alias)).first()
    return None if row is None else int(row.version)


def aliases_of(conn: Connection, tables: IndexTables, name: str) -> dict[int, tuple[str, ...]]:
    """The aliases of each version of ``name`` (versions without one are left out)."""
    aliases = tables.aliases
    out: dict[int, list[str]] = {}
    for row in conn.execute(select(aliases.c.alias, aliases.c.version)
                            .where(aliases.c.name == name).order_by(aliases.c.alias)):
        out.setdefault(int(row.version), []).append(row.alias)
    return {version: tuple(names) for version, names in out.items()}


def move_alias(conn: Connection, tables: IndexTables, name: str, alias: str,
               version: int) -> AliasMove:
    """Point ``alias`` at ``version``, recording the move in the alias history."""
    previous = alias_version(conn, tables, name, alias)
    if previous != version:
        conn.execute(insert(tables.history).values(
            name=name, alias=alias, version=version, active=True, at=now()))
        set_alias(conn, tables, name, alias, version)
    return AliasMove(name, alias, previous, version)


def set_alias(conn: Connection, tables: IndexTables, name: str, alias: str,
              version: int) -> None:
    """Point ``alias`` at ``version`` without touching the history."""
    aliases = tables.aliases
    changed = conn.execute(update(aliases).where(and_(
        aliases.c.name == name, aliases.c.alias == alias)).values(
        version=version, updated_at=now())).rowcount
    if not changed:
        conn.execute(insert(aliases).values(name=name, alias=alias, version=version,
                                            updated_at=now()))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
