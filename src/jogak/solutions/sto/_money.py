"""Exact money: amounts are integers of the currency's minor unit; Decimal at the edges."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from jogak.solutions.sto._errors import LedgerError

__all__ = ["MAX_MINOR", "from_minor", "to_minor"]

#: Largest amount, in minor units, that the ledger stores (fits a signed 64-bit integer with
#: room for sums; 10**15 won is a thousand trillion).
MAX_MINOR = 10**15


def to_minor(value: Decimal | int | str, *, decimals: int, what: str) -> int:
    """``value`` in minor units (``decimals`` digits after the point), exactly.

    Floats are refused: ``0.1`` has no exact binary value, and money must not drift.

    Raises
    ------
    LedgerError
        A float, a non-number, a value with more decimals than the currency has, or a value
        outside ``[-MAX_MINOR, MAX_MINOR]`` minor units.
    """
    if isinstance(value, bool | float):
        raise LedgerError(f"{what} must be a Decimal, an integer or a decimal string, got the "
                          f"{type(value).__name__} {value!r}. Hint: pass Decimal('{value}') or "
                          f"the string '{value}' (floats are inexact).")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation as exc:
            raise LedgerError(f"{what} must be a decimal number, got {value!r}.") from exc
    else:
        raise LedgerError(f"{what} must be a Decimal, an integer or a decimal string, got "
                          f"{type(value).__name__}.")
    if not amount.is_finite():
        raise LedgerError(f"{what} must be a finite number, got {value!r}.")
    if amount and amount.adjusted() + decimals > 18:  # checked before int() builds a huge int
        raise LedgerError(f"{what} is too large: at most {from_minor(MAX_MINOR, decimals)} is "
                          "supported.")
    scaled = amount.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise LedgerError(f"{what} {amount} has more than {decimals} decimal place(s), the "
                          f"precision of the offering's currency. Hint: round it to "
                          f"{decimals} place(s) first.")
    minor = int(scaled)
    if abs(minor) > MAX_MINOR:
        raise LedgerError(f"{what} {amount} is too large: at most {from_minor(MAX_MINOR, decimals)}"
                          " is supported.")
    return minor


def from_minor(minor: int, decimals: int) -> Decimal:
    """The Decimal of ``minor`` minor units, with exactly ``decimals`` places."""
    return Decimal(minor).scaleb(-decimals)
