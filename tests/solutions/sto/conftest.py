"""Ledger backends: a SQLite file per test, and a unique PostgreSQL schema per test."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from jogak.data.privacy import PseudonymKey
from jogak.solutions.sto import Ledger, OfferingTerms

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)
KEY = PseudonymKey(b"sto-test-key-0123456789abcdef-0123456789")


def terms(offering_id: str = "film-1", **overrides: Any) -> OfferingTerms:
    """A one-week offering of 100 units at 10,000 KRW opening at ``T0``."""
    values: dict[str, Any] = {"offering_id": offering_id, "content_id": "movie-0001",
                              "total_units": 100, "unit_price": 10_000, "opens_at": T0,
                              "closes_at": T0 + timedelta(days=7)}
    values.update(overrides)
    return OfferingTerms(**values)


class Backend:
    """Opens ledgers on one database; each ledger gets its own table prefix."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url
        self._prefixes = (f"t{n}_" for n in itertools.count())
        self.opened: list[Ledger] = []

    def ledger(self, *, key: PseudonymKey | None = KEY, prefix: str | None = None) -> Ledger:
        """A ledger on new tables, or on the tables of ``prefix`` (shared with others)."""
        ledger = Ledger(self.url, investor_key=key, table_prefix=prefix or next(self._prefixes))
        self.opened.append(ledger)
        return ledger

    def close(self) -> None:
        for ledger in self.opened:
            ledger.close()


@pytest.fixture
def sqlite_backend(tmp_path: Path) -> Iterator[Backend]:
    backend = Backend("sqlite", f"sqlite:///{tmp_path / 'sto.sqlite'}")
    yield backend
    backend.close()


@pytest.fixture
def postgresql_backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    base = request.getfixturevalue("postgres_url")  # skips locally when no server answers
    schema = f"jogak_sto_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    backend = Backend("postgresql", url.render_as_string(hide_password=False))
    try:
        yield backend
    finally:
        backend.close()
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> Backend:
    """Each backend in turn (PostgreSQL skips locally when absent, fails under CI=true)."""
    return request.getfixturevalue(f"{request.param}_backend")


@pytest.fixture
def ledger(backend: Backend) -> Ledger:
    return backend.ledger()


@pytest.fixture
def make_terms() -> Callable[..., OfferingTerms]:
    return terms
