"""``Ledger``: the offering ledger over SQLAlchemy (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import Connection, select
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from jogak.data.privacy import PseudonymKey, Tokenizer
from jogak.errors import ConfigError
from jogak.solutions.sto import _operations as ops
from jogak.solutions.sto._audit import verify_chain
from jogak.solutions.sto._errors import LedgerError, LedgerUnavailableError
from jogak.solutions.sto._invariants import invariant_violations
from jogak.solutions.sto._reads import (
    audit_record,
    distribution_record,
    find_offering,
    holding_rows,
    offering_record,
    order_record,
)
from jogak.solutions.sto._records import (
    Allocation,
    AuditCheck,
    AuditEntry,
    Distribution,
    Holding,
    Offering,
    Order,
    Transfer,
)
from jogak.solutions.sto._tables import LedgerTables, open_engine, write_transaction
from jogak.solutions.sto._terms import OfferingTerms, check_id, check_key, check_units, timestamp

__all__ = ["Ledger"]

T = TypeVar("T")
_TOKEN = re.compile(r"[0-9a-f]{16,64}")
_RETRIES = 3


class Ledger:
    """The security-token offering ledger: offerings, orders, holdings, transfers, payouts.

    Every change runs in one database transaction that also appends its audit line; a request
    that breaks a rule raises and writes nothing. Times are passed in (``at=``), never read
    from the clock here. Investors are stored only as pseudonymous tokens.

    Parameters
    ----------
    url : str
        SQLAlchemy URL: ``sqlite:////path/sto.sqlite`` (default of the CLI and service) or
        ``postgresql+psycopg://user@host/db``. Tables are created when missing.
    investor_key : PseudonymKey, optional
        With a key, every investor id given to the ledger is turned into its keyed
        HMAC-SHA256 token (:class:`jogak.data.privacy.Tokenizer`) before it is stored or
        compared; the raw id never reaches the database. Without a key, investor ids must
        already be tokens (16-64 lower-case hex digits).
    table_prefix : str, default="jogak_sto_"
        Prefix of the ledger's table names (the ledger can share a database).

    Raises
    ------
    ConfigError
        For a bad URL, an unreachable database or a bad prefix.

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> from decimal import Decimal
    >>> ledger = Ledger("sqlite://", investor_key=PseudonymKey(b"k" * 32))
    >>> opens = datetime(2024, 5, 1, tzinfo=UTC)
    >>> closes = datetime(2024, 5, 8, tzinfo=UTC)
    >>> _ = ledger.create_offering(OfferingTerms(
    ...     offering_id="film-1", content_id="tt0001", total_units=10, unit_price=10_000,
    ...     opens_at=opens, closes_at=closes), at=opens)
    >>> order = ledger.subscribe("film-1", "alice", 4, idempotency_key="o-1",
    ...                          at=datetime(2024, 5, 2, tzinfo=UTC))
    >>> order.status, order.units_requested
    ('pending', 4)
    """

    def __init__(self, url: str, *, investor_key: PseudonymKey | None = None,
                 table_prefix: str = "jogak_sto_") -> None:
        if investor_key is not None and not isinstance(investor_key, PseudonymKey):
            raise ConfigError(f"investor_key must be a jogak.data.privacy.PseudonymKey, got "
                              f"{type(investor_key).__name__}. Hint: "
                              "PseudonymKey.from_file(path).")
        self._tables = LedgerTables.with_prefix(table_prefix)
        self._engine = open_engine(url, self._tables)
        self._tokenizer = None if investor_key is None else Tokenizer(investor_key)

    def __repr__(self) -> str:
        return f"Ledger({self._engine.url.render_as_string(hide_password=True)!r})"

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self._engine.dialect.name)

    def investor_token(self, investor: str) -> str:
        """The pseudonymous token that stands for ``investor`` in the ledger.

        Raises
        ------
        LedgerError
            An empty id, or (without ``investor_key``) an id that is not a token. The id is
            never repeated in the message: it may be personal data.
        """
        if not isinstance(investor, str) or not 1 <= len(investor.strip()) <= 256:
            raise LedgerError("An investor id must be 1-256 characters of text.")
        if self._tokenizer is not None:
            return self._tokenizer.tokens([investor.strip()])[0]
        if _TOKEN.fullmatch(investor):
            return investor
        raise LedgerError(
            "This ledger has no investor_key, so investor ids must already be pseudonymous "
            "tokens (16-64 lower-case hex digits); the id given is not one (it is not repeated "
            "here: it may be personal data). Hint: open the ledger with "
            "investor_key=PseudonymKey.from_file(...) to turn raw ids into tokens.")

    def _write(self, operation: Callable[..., T], *args: Any) -> T:
        for attempt in range(_RETRIES):
            try:
                with write_transaction(self._engine) as conn:
                    return operation(conn, self._tables, *args)
            except IntegrityError as exc:
                # a concurrent request won a race for a unique key; rerunning sees its row
                if attempt == _RETRIES - 1:
                    raise LedgerError(f"The database refused the change "
                                      f"({str(exc.orig).splitlines()[0]}); nothing was "
                                      "written.") from exc
            except DBAPIError as exc:
                deadlock = getattr(exc.orig, "sqlstate", None) in ("40P01", "40001")
                if not deadlock or attempt == _RETRIES - 1:
                    raise _unavailable(exc) from exc
            except SQLAlchemyError as exc:
                raise _unavailable(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _read(self, query: Callable[[Connection], T]) -> T:
        try:
            with self._engine.connect() as conn:
                return query(conn)
        except SQLAlchemyError as exc:
            raise _unavailable(exc) from exc

    # -- changes --------------------------------------------------------------------------

    def create_offering(self, terms: OfferingTerms, *, at: datetime) -> Offering:
        """Record a new offering (status ``open``).

        Raises
        ------
        LedgerError
            ``terms`` is not an :class:`OfferingTerms`, or the id is taken.
        """
        if not isinstance(terms, OfferingTerms):
            raise LedgerError(f"create_offering needs OfferingTerms, got {type(terms).__name__}.")
        self._write(ops.create_offering, terms, timestamp(at, "at"))
        return self.offering(terms.offering_id)

    def subscribe(self, offering_id: str, investor: str, units: int, *,
                  idempotency_key: str, at: datetime) -> Order:
        """Place a subscription order.

        Under ``fcfs`` the order is filled at once from the units left; under ``pro_rata`` it
        waits (``pending``) for :meth:`allocate`. The same ``idempotency_key`` with the same
        offering, investor and units returns the first order again and writes nothing; with a
        different body it raises :class:`IdempotencyConflictError`.

        Raises
        ------
        LedgerError
            Zero or negative units, outside the window, below the minimum order, over the
            per-investor maximum, sold out (``fcfs``) or already allocated.
        LedgerNotFoundError
            No such offering.
        """
        check_id(offering_id, "offering_id")
        check_units(units, "units")
        key, now = check_key(idempotency_key), timestamp(at, "at")
        return self._write(ops.subscribe, offering_id, self.investor_token(investor), units,
                           key, now)

    def allocate(self, offering_id: str, *, at: datetime) -> Allocation:
        """Close an offering after its window: settle every pending order.

        Pro rata, when more units were requested than issued, each order gets the floor of
        ``total_units * requested / all_requested``; the units left over go one each to the
        largest remainders, ties to the earlier order. Nobody gets more than they asked for,
        and exactly ``total_units`` are issued. Undersubscribed, every order is filled.
        """
        check_id(offering_id, "offering_id")
        return self._write(ops.allocate, offering_id, timestamp(at, "at"))

    def transfer(self, offering_id: str, sender: str, recipient: str, units: int, *,
                 at: datetime, idempotency_key: str | None = None) -> Transfer:
        """Move units of an allocated offering from ``sender`` to ``recipient``."""
        check_id(offering_id, "offering_id")
        check_units(units, "units")
        key = None if idempotency_key is None else check_key(idempotency_key)
        sender_token, recipient_token = self.investor_token(sender), self.investor_token(recipient)
        if sender_token == recipient_token:
            raise LedgerError("The sender and the recipient of a transfer are the same investor.")
        return self._write(ops.transfer, offering_id, sender_token, recipient_token, units, key,
                           timestamp(at, "at"))

    def distribute(self, offering_id: str, amount: Decimal | int | str, *, at: datetime,
                   idempotency_key: str | None = None) -> Distribution:
        """Pay ``amount`` out to the holders of an offering, pro rata to their units.

        Money is exact: each holder gets the floor of ``amount * units / outstanding`` in the
        currency's minor unit, and the minor units left over go one each to the largest
        remainders, ties to the larger holding, then to the smaller token. The payouts sum to
        ``amount`` exactly.
        """
        check_id(offering_id, "offering_id")
        key = None if idempotency_key is None else check_key(idempotency_key)
        return self._write(ops.distribute, offering_id, amount, key, timestamp(at, "at"))

    # -- reads ----------------------------------------------------------------------------

    def offering(self, offering_id: str) -> Offering:
        """One offering's terms and state."""
        check_id(offering_id, "offering_id")
        return self._read(lambda c: offering_record(find_offering(c, self._tables,
                                                                  offering_id)))

    def offerings(self) -> list[Offering]:
        """Every offering, by id."""
        table = self._tables.offerings
        return self._read(lambda c: [offering_record(r) for r in
                                     c.execute(select(table).order_by(table.c.offering_id))])

    def orders(self, offering_id: str) -> list[Order]:
        """An offering's orders in arrival order."""
        check_id(offering_id, "offering_id")
        orders = self._tables.orders

        def query(conn: Connection) -> list[Order]:
            find_offering(conn, self._tables, offering_id)
            rows = conn.execute(select(orders).where(orders.c.offering_id == offering_id)
                                .order_by(orders.c.order_id))
            return [order_record(r) for r in rows]

        return self._read(query)

    def holdings(self, offering_id: str | None = None, *,
                 investor: str | None = None) -> list[Holding]:
        """Non-zero holdings, optionally of one offering and/or one investor."""
        if offering_id is not None:
            check_id(offering_id, "offering_id")
        token = None if investor is None else self.investor_token(investor)
        return self._read(lambda c: holding_rows(c, self._tables, offering_id, token))

    def distributions(self, offering_id: str) -> list[Distribution]:
        """An offering's distributions with their payouts, oldest first."""
        check_id(offering_id, "offering_id")
        table = self._tables.distributions

        def query(conn: Connection) -> list[Distribution]:
            offering = find_offering(conn, self._tables, offering_id)
            rows = conn.execute(select(table).where(table.c.offering_id == offering_id)
                                .order_by(table.c.distribution_id)).all()
            return [distribution_record(conn, self._tables, r, offering) for r in rows]

        return self._read(query)

    def audit_log(self, offering_id: str | None = None, *, after_seq: int = 0,
                  limit: int | None = None) -> list[AuditEntry]:
        """Audit lines in order, optionally of one offering, after ``after_seq``."""
        audit = self._tables.audit
        query = select(audit).where(audit.c.seq > after_seq).order_by(audit.c.seq)
        if offering_id is not None:
            query = query.where(audit.c.offering_id == check_id(offering_id, "offering_id"))
        if limit is not None:
            query = query.limit(check_units(limit, "limit"))
        return self._read(lambda c: [audit_record(r) for r in c.execute(query)])

    def verify_audit(self) -> AuditCheck:
        """Recompute the audit chain: ``ok`` unless a line was altered, removed or reordered."""
        audit = self._tables.audit
        return self._read(lambda c: verify_chain(c.execute(select(audit).order_by(audit.c.seq))))

    def invariant_violations(self) -> list[str]:
        """Every broken invariant (see :func:`invariant_violations`); empty when consistent."""
        return self._read(lambda c: invariant_violations(c, self._tables))


def _unavailable(exc: SQLAlchemyError) -> LedgerUnavailableError:
    first = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    return LedgerUnavailableError(f"The ledger database failed ({type(exc).__name__}: {first}); "
                                  "nothing was written. Hint: check that the database is "
                                  "reachable, then retry with the same idempotency key.")
