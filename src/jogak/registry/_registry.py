"""The model registry: verified bundle copies under ``<home>/models`` and an SQL index."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from jogak.errors import BundleError, ConfigError
from jogak.registry._engine import write_transaction
from jogak.registry._files import (
    copy_verified,
    remove_tree,
    stale_leftovers,
    sync_dir,
    verified_manifest,
)
from jogak.registry._index import IndexTables, connect_index
from jogak.registry._index_rows import (
    alias_version,
    aliases_of,
    insert_version,
    move_alias,
    now,
    set_alias,
    version_numbers,
    version_row,
)
from jogak.registry._records import AliasMove, IntegrityReport, ModelNotFoundError, ModelVersion
from jogak.registry._refs import ModelRef, check_alias, check_name, parse_ref

__all__ = ["Registry"]

_MANIFEST_FIELDS = ("name", "estimator", "task", "target", "metric", "classes",
                    "feature_names_in", "n_trials", "time_used", "seed", "created_at",
                    "library_versions", "data_fingerprint")


class Registry:
    """Versioned model store with aliases, safe for concurrent processes.

    Each registered bundle is copied (after its sha256 checks) to
    ``<home>/models/<name>/<version>/``; versions are numbered 1, 2, ... per name and never
    reused. The index (versions, aliases, alias history) lives in SQLite at
    ``<home>/registry.db`` unless ``database_url`` names another database (PostgreSQL:
    ``postgresql+psycopg://user@host/db``).

    Writes are atomic: the copy is made in a staging folder, renamed into place, and only then
    the index row is committed in the same transaction that allocated the version number. A
    writer killed at any moment leaves the registry as it was (plus a leftover folder that no
    reader sees and the next writer removes).

    Parameters
    ----------
    home : str or pathlib.Path
        jogak's home folder (``JOGAK_HOME``).
    database_url : str, optional
        SQLAlchemy URL of the index; default SQLite in ``home``.
    table_prefix : str, default "jogak_registry_"
        Prefix of the index tables (several registries can share one database).

    Examples
    --------
    >>> import tempfile
    >>> registry = Registry(tempfile.mkdtemp())
    >>> registry.list_versions()
    []
    """

    def __init__(self, home: str | Path, database_url: str | None = None, *,
                 table_prefix: str = "jogak_registry_") -> None:
        self.home = Path(home).expanduser().absolute()
        self.database_url = database_url
        self.table_prefix = table_prefix
        self._tables = IndexTables.with_prefix(table_prefix)
        if database_url is None:
            self.home.mkdir(parents=True, exist_ok=True)
            database_url = f"sqlite:///{self.home / 'registry.db'}"
        self._engine = connect_index(database_url, self._tables)

    @property
    def models_dir(self) -> Path:
        """Where the version folders live: ``<home>/models``."""
        return self.home / "models"

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    def register(self, bundle: str | Path, name: str, *, alias: str | None = None,
                 description: str | None = None) -> ModelVersion:
        """Copy a bundle in as the next version of ``name`` (and point ``alias`` at it).

        Parameters
        ----------
        bundle : str or pathlib.Path
            A bundle folder written by ``model.save`` / :func:`jogak.models.save_model`.
        name : str
            The model's name in the registry.
        alias : str, optional
            Point this alias (e.g. ``"production"``) at the new version, in the same
            transaction.
        description : str, optional
            Free text stored with the version.

        Returns
        -------
        ModelVersion

        Raises
        ------
        BundleError
            If the folder is not a bundle or fails its sha256 checks (nothing is registered).
        ConfigError
            For an invalid name or alias.
        """
        check_name(name)
        if alias is not None:
            check_alias(alias)
        source = Path(bundle).expanduser().absolute()
        manifest = verified_manifest(source)
        parent = self.models_dir / name
        staging = copy_verified(source, parent, manifest)
        try:
            with self._write() as conn:
                next_version = self._lock_model(conn, name)
                self._clean(conn, name)
                placed = parent / str(next_version)
                os.replace(staging, placed)
                try:
                    sync_dir(parent)
                    insert_version(conn, self._tables, name, next_version, manifest, source,
                                   description)
                    if alias is not None:
                        move_alias(conn, self._tables, name, alias, next_version)
                except BaseException:
                    os.replace(placed, staging)  # back out while the model is still locked
                    raise
            # a failed commit leaves `placed` without a row: invisible, and the next writer
            # removes it (it must not be removed here, unlocked, nor if the commit did land)
        finally:
            remove_tree(staging)
        return self.get(ModelRef(name, version=next_version))

    def promote(self, name: str, version: int, alias: str = "production") -> AliasMove:
        """Point ``alias`` at ``version`` of ``name`` (recorded, so it can be rolled back)."""
        check_name(name)
        check_alias(alias)
        with self._write() as conn:
            self._lock_existing(conn, name)
            if version_row(conn, self._tables, name, version) is None:
                raise ModelNotFoundError(f"Model {name!r} has no version {version}; versions are "
                                         f"{version_numbers(conn, self._tables, name)}.")
            return move_alias(conn, self._tables, name, alias, version)

    def rollback(self, name: str, alias: str = "production") -> AliasMove:
        """Point ``alias`` back at the version it pointed to before its last move.

        Repeated rollbacks walk further back through the alias's history (deleted versions are
        skipped).

        Raises
        ------
        ModelNotFoundError
            If the alias is not set or has no earlier version to return to.
        """
        check_name(name)
        check_alias(alias)
        history = self._tables.history
        with self._write() as conn:
            self._lock_existing(conn, name)
            current = alias_version(conn, self._tables, name, alias)
            if current is None:
                raise ModelNotFoundError(f"Alias {alias!r} of model {name!r} is not set, so "
                                         "there is nothing to roll back. Hint: promote a version "
                                         "first.")
            rows = conn.execute(select(history.c.id, history.c.version).where(
                history.c.name == name, history.c.alias == alias, history.c.active)
                .order_by(history.c.id.desc())).all()
            existing = set(version_numbers(conn, self._tables, name))
            earlier = [row for row in rows[1:] if row.version in existing
                       and row.version != current]
            if not earlier:
                raise ModelNotFoundError(f"Alias {alias!r} of model {name!r} (version {current}) "
                                         "has no earlier version to roll back to.")
            target = earlier[0]
            retired = [row.id for row in rows if row.id > target.id]
            conn.execute(update(history).where(history.c.id.in_(retired)).values(active=False))
            set_alias(conn, self._tables, name, alias, target.version)
            return AliasMove(name, alias, current, target.version)

    def delete(self, name: str, version: int, *, force: bool = False) -> ModelVersion:
        """Remove one version (its folder and index row).

        Parameters
        ----------
        force : bool, default=False
            Also unset aliases pointing at it; without it such a version is refused.
        """
        check_name(name)
        tables = self._tables
        with self._write() as conn:
            self._lock_existing(conn, name)
            row = version_row(conn, self._tables, name, version)
            if row is None:
                raise ModelNotFoundError(f"Model {name!r} has no version {version}; versions are "
                                         f"{version_numbers(conn, self._tables, name)}.")
            removed = self._to_version(row, aliases_of(conn, self._tables, name).get(version, ()))
            if removed.aliases and not force:
                raise ConfigError(f"Version {version} of {name!r} is the target of alias(es) "
                                  f"{list(removed.aliases)}. Hint: promote another version "
                                  "first, or pass force=True (--force) to unset them.")
            conn.execute(delete(tables.aliases).where(tables.aliases.c.name == name,
                                                      tables.aliases.c.version == version))
            conn.execute(delete(tables.history).where(tables.history.c.name == name,
                                                      tables.history.c.version == version))
            conn.execute(delete(tables.versions).where(tables.versions.c.name == name,
                                                       tables.versions.c.version == version))
        # after the commit: a crash here leaves a folder without a row, removed by the next write
        remove_tree(self.models_dir / name / str(version))
        return removed

    # ------------------------------------------------------------------ reading
    def get(self, ref: str | ModelRef) -> ModelVersion:
        """The version a reference points to: ``name`` (``production`` if set, else the latest
        version), ``name@alias`` or ``name@3``.

        Raises
        ------
        ModelNotFoundError
            If the model, version or alias does not exist.
        """
        ref = parse_ref(ref) if isinstance(ref, str) else ref
        tables = self._tables
        with self._engine.connect() as conn:
            numbers = version_numbers(conn, self._tables, ref.name)
            if not numbers:
                known = self.list_models(conn)
                raise ModelNotFoundError(f"No model named {ref.name!r} in the registry; it holds "
                                         f"{known or 'no models'}. Hint: jogak registry register "
                                         "BUNDLE --name NAME.")
            aliases = aliases_of(conn, self._tables, ref.name)
            if ref.version is not None:
                version = ref.version
            elif ref.alias is not None:
                found = alias_version(conn, self._tables, ref.name, ref.alias)
                if found is None:
                    named = sorted({a for names in aliases.values() for a in names})
                    raise ModelNotFoundError(f"Model {ref.name!r} has no alias {ref.alias!r}; its "
                                             f"aliases are {named or 'none'}.")
                version = found
            else:
                found = alias_version(conn, self._tables, ref.name, "production")
                version = found if found is not None else numbers[-1]
            row = conn.execute(select(tables.versions).where(
                tables.versions.c.name == ref.name,
                tables.versions.c.version == version)).first()
            if row is None:
                raise ModelNotFoundError(f"Model {ref.name!r} has no version {version}; versions "
                                         f"are {numbers}.")
            return self._to_version(row, aliases.get(version, ()))

    def list_models(self, conn: Connection | None = None) -> list[str]:
        """Names of the models that have at least one version."""
        versions = self._tables.versions
        query = select(versions.c.name).distinct().order_by(versions.c.name)
        if conn is not None:
            return [row.name for row in conn.execute(query)]
        with self._engine.connect() as own:
            return [row.name for row in own.execute(query)]

    def list_versions(self, name: str | None = None) -> list[ModelVersion]:
        """Every version (of ``name``, or of all models), by name then version number."""
        tables = self._tables
        query = select(tables.versions).order_by(tables.versions.c.name,
                                                 tables.versions.c.version)
        alias_query = select(tables.aliases)
        if name is not None:
            check_name(name)
            query = query.where(tables.versions.c.name == name)
            alias_query = alias_query.where(tables.aliases.c.name == name)
        with self._engine.connect() as conn:
            rows = conn.execute(query).all()
            alias_rows = conn.execute(alias_query).all()
        by_version: dict[tuple[str, int], list[str]] = {}
        for row in sorted(alias_rows, key=lambda r: r.alias):
            by_version.setdefault((row.name, row.version), []).append(row.alias)
        return [self._to_version(row, tuple(by_version.get((row.name, row.version), ())))
                for row in rows]

    def alias_map(self) -> dict[str, int]:
        """Every alias as ``{"name@alias": version}`` (cheap: for watching alias moves)."""
        aliases = self._tables.aliases
        with self._engine.connect() as conn:
            rows = conn.execute(select(aliases.c.name, aliases.c.alias, aliases.c.version)).all()
        return {f"{row.name}@{row.alias}": int(row.version) for row in rows}

    def describe(self, ref: str | ModelRef) -> dict[str, Any]:
        """A version's record plus a summary of its manifest (task, features, classes, ...)."""
        version = self.get(ref)
        manifest = verified_manifest(version.path)
        summary = {key: manifest[key] for key in _MANIFEST_FIELDS if key in manifest}
        return {**version.to_dict(), "manifest": summary}

    def load(self, ref: str | ModelRef) -> tuple[ModelVersion, Any]:
        """The version a reference points to and its model, loaded with
        :func:`jogak.models.load_model` (hashes and library versions checked first)."""
        from jogak.models import load_model

        version = self.get(ref)
        return version, load_model(version.path)

    def check(self) -> IntegrityReport:
        """Verify every indexed version's folder (sha256 of every file) and list leftovers."""
        problems = []
        versions = self.list_versions()
        for version in versions:
            try:
                manifest = verified_manifest(version.path)
            except BundleError as exc:
                problems.append(f"{version.name}@{version.version}: {exc}")
                continue
            if manifest.get("manifest_sha256") != version.manifest_sha256:
                problems.append(f"{version.name}@{version.version}: the folder holds another "
                                "bundle than the one registered")
        known: dict[str, set[int]] = {}
        for version in versions:
            known.setdefault(version.name, set()).add(version.version)
        leftovers = []
        if self.models_dir.is_dir():
            for parent in sorted(self.models_dir.iterdir()):
                if parent.is_dir() and not parent.name.startswith("."):
                    leftovers += [str(item) for item in
                                  stale_leftovers(parent, known.get(parent.name, set()))]
        return IntegrityReport(len(versions), tuple(problems), tuple(sorted(leftovers)))

    # ------------------------------------------------------------------ internals
    @contextmanager
    def _write(self) -> Iterator[Connection]:
        try:
            with write_transaction(self._engine) as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise ConfigError(f"The registry index at {self._engine.url!r} failed "
                              f"({type(exc).__name__}: {str(exc).splitlines()[0]}); nothing was "
                              "changed. Hint: check the database and retry.") from exc

    def _lock_model(self, conn: Connection, name: str) -> int:
        """Create the model's row if needed and lock it; returns its next version number."""
        models = self._tables.models
        dialect = sqlite if self._engine.dialect.name == "sqlite" else postgresql
        conn.execute(dialect.insert(models).values(name=name, next_version=1, created_at=now())
                     .on_conflict_do_nothing(index_elements=["name"]))
        row = conn.execute(select(models.c.next_version).where(models.c.name == name)
                           .with_for_update()).one()
        return int(row.next_version)

    def _lock_existing(self, conn: Connection, name: str) -> None:
        models = self._tables.models
        row = conn.execute(select(models.c.name).where(models.c.name == name)
                           .with_for_update()).first()
        if row is None or not version_numbers(conn, self._tables, name):
            raise ModelNotFoundError(f"No model named {name!r} in the registry; it holds "
                                     f"{self.list_models(conn) or 'no models'}.")

    def _clean(self, conn: Connection, name: str) -> None:
        known = set(version_numbers(conn, self._tables, name))
        for leftover in stale_leftovers(self.models_dir / name, known):
            remove_tree(leftover)

    def _to_version(self, row: Row[Any], aliases: Iterable[str]) -> ModelVersion:
        return ModelVersion(
            name=row.name, version=int(row.version), path=self.models_dir / row.path,
            manifest_sha256=row.manifest_sha256, kind=row.kind, task=row.task,
            target=row.target, metrics=json.loads(row.metrics), source=row.source,
            description=row.description, created_at=row.created_at, aliases=tuple(aliases))

