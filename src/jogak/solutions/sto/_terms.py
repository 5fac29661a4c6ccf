"""The terms of an offering, and the checks every request's arguments go through."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal, get_args

from jogak.solutions.sto._errors import LedgerError
from jogak.solutions.sto._money import to_minor

__all__ = ["MAX_UNITS", "AllocationRule", "OfferingTerms", "check_id", "check_key",
           "check_units", "parse_timestamp", "timestamp"]

AllocationRule = Literal["pro_rata", "fcfs"]

#: Most units one offering can issue (and so any order or transfer can move).
MAX_UNITS = 10**12

_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
_CURRENCY = re.compile(r"[A-Z]{3}")


def check_id(value: object, what: str) -> str:
    """An offering id: 1-64 lower-case letters, digits, ``.``, ``_``, ``-``."""
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise LedgerError(f"{what} must be 1-64 lower-case letters, digits, '.', '_' or '-', "
                          f"starting with a letter or digit; got {value!r}.")
    return value


def check_key(value: object) -> str:
    """An idempotency key: 1-64 letters, digits, ``.``, ``_``, ``:``, ``-``."""
    if not isinstance(value, str) or not _KEY.fullmatch(value):
        raise LedgerError(f"The idempotency key must be 1-64 letters, digits, '.', '_', ':' or "
                          f"'-'; got {value!r}. Hint: a UUID works.")
    return value


def check_units(value: object, what: str, *, minimum: int = 1) -> int:
    """A whole number of units from ``minimum`` to :data:`MAX_UNITS`."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise LedgerError(f"{what} must be a whole number of units, got "
                          f"{type(value).__name__} {value!r}.")
    if not minimum <= value <= MAX_UNITS:
        raise LedgerError(f"{what} must be from {minimum} to {MAX_UNITS:,} units, got {value}.")
    return value


def timestamp(value: object, what: str) -> str:
    """A timezone-aware datetime as fixed-width UTC text, which sorts in time order."""
    if not isinstance(value, datetime):
        raise LedgerError(f"{what} must be a datetime, got {type(value).__name__}.")
    if value.tzinfo is None or value.utcoffset() is None:
        raise LedgerError(f"{what} must be timezone-aware, got the naive {value.isoformat()}. "
                          "Hint: datetime(..., tzinfo=UTC) or an ISO time ending in Z/+09:00.")
    utc = value.astimezone(UTC)
    if not 1970 <= utc.year <= 9999:
        raise LedgerError(f"{what} must be between the years 1970 and 9999, got {utc.year}.")
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> datetime:
    """The datetime of :func:`timestamp` text."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@dataclass(frozen=True, kw_only=True)
class OfferingTerms:
    """What an offering sells, at what price, when, and how oversubscription is resolved.

    Validated on creation; a bad value raises :class:`LedgerError` naming it.

    Parameters
    ----------
    offering_id : str
        1-64 lower-case letters, digits, ``.``, ``_``, ``-`` (e.g. ``film-2024-017``).
    content_id : str
        The film, song or other content the tokens are backed by (1-128 characters).
    total_units : int
        Units issued at most (1 to 10**12).
    unit_price : Decimal, int or str
        Price of one unit, > 0, with at most ``decimals`` places (floats are refused).
    opens_at, closes_at : datetime
        Timezone-aware; subscriptions are accepted from ``opens_at`` (inclusive) to
        ``closes_at`` (exclusive).
    min_units : int, default=1
        Smallest order.
    max_units : int, optional
        Most units one investor may request in total (default: ``total_units``).
    rule : {"pro_rata", "fcfs"}, default="pro_rata"
        ``pro_rata``: orders wait until the window closes, then :meth:`Ledger.allocate` scales
        them down by the largest-remainder rule if oversubscribed. ``fcfs``: each order is
        filled when it arrives, from what is left (partially, if at least ``min_units`` remain).
    currency : str, default="KRW"
        ISO 4217 code.
    decimals : int, default=0
        Digits after the point of the currency's minor unit (KRW 0, USD 2; at most 6).
    """

    offering_id: str
    content_id: str
    total_units: int
    unit_price: Decimal | int | str
    opens_at: datetime
    closes_at: datetime
    min_units: int = 1
    max_units: int | None = None
    rule: AllocationRule = "pro_rata"
    currency: str = "KRW"
    decimals: int = 0

    def __post_init__(self) -> None:
        check_id(self.offering_id, "offering_id")
        if not isinstance(self.content_id, str) or not 1 <= len(self.content_id.strip()) <= 128:
            raise LedgerError(f"content_id must be 1-128 characters, got {self.content_id!r}.")
        check_units(self.total_units, "total_units")
        if self.rule not in get_args(AllocationRule):
            raise LedgerError(f"rule must be one of {list(get_args(AllocationRule))}, got "
                              f"{self.rule!r}.")
        if not isinstance(self.currency, str) or not _CURRENCY.fullmatch(self.currency):
            raise LedgerError(f"currency must be an ISO 4217 code like 'KRW', got "
                              f"{self.currency!r}.")
        if isinstance(self.decimals, bool) or not isinstance(self.decimals, int) \
                or not 0 <= self.decimals <= 6:
            raise LedgerError(f"decimals must be an integer from 0 to 6, got {self.decimals!r}.")
        price = to_minor(self.unit_price, decimals=self.decimals, what="unit_price")
        if price <= 0:
            raise LedgerError(f"unit_price must be greater than 0, got {self.unit_price}.")
        object.__setattr__(self, "unit_price", Decimal(price).scaleb(-self.decimals))
        opens = timestamp(self.opens_at, "opens_at")
        if timestamp(self.closes_at, "closes_at") <= opens:
            raise LedgerError(f"closes_at ({self.closes_at.isoformat()}) must be after opens_at "
                              f"({self.opens_at.isoformat()}).")
        check_units(self.min_units, "min_units")
        maximum = self.total_units if self.max_units is None else self.max_units
        check_units(maximum, "max_units")
        if not self.min_units <= maximum <= self.total_units:
            raise LedgerError(f"Expected min_units <= max_units <= total_units, got "
                              f"{self.min_units} <= {maximum} <= {self.total_units}.")
        object.__setattr__(self, "max_units", maximum)

    @property
    def unit_price_minor(self) -> int:
        """The unit price in minor units."""
        return to_minor(self.unit_price, decimals=self.decimals, what="unit_price")
