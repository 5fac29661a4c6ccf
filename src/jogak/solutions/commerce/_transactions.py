"""Checking and reading the transaction columns shared by RFM, CLV and repurchase."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError

__all__ = ["Transactions", "read_transactions", "to_day"]


class Transactions:
    """Validated transactions: customer, calendar day, amount and (optional) order per row."""

    __slots__ = ("amount", "customer", "day", "order")

    def __init__(self, customer: pd.Series, day: pd.Series, amount: pd.Series | None,
                 order: pd.Series | None) -> None:
        self.customer, self.day, self.amount, self.order = customer, day, amount, order

    def daily(self) -> pd.DataFrame:
        """One row per (customer, day) with purchase ``amount`` summed (0 without amounts)."""
        frame = pd.DataFrame({"customer": self.customer, "day": self.day,
                              "amount": self.amount if self.amount is not None else 0.0})
        return frame.groupby(["customer", "day"], sort=True, observed=True)["amount"].sum(
            ).reset_index()


def _check_columns(frame: pd.DataFrame, columns: Sequence[str | None]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ConfigError(f"Expected a pandas DataFrame of transactions, got "
                          f"{type(frame).__name__}.")
    named = [c for c in columns if c is not None]
    absent = [c for c in named if c not in frame.columns]
    if absent:
        raise SchemaError(f"Column(s) {absent} are not in the transactions; the columns are "
                          f"{list(frame.columns)[:30]}. Hint: name them with --customer-col, "
                          "--date-col, --amount-col and --order-col.")
    if len(set(named)) != len(named):
        raise ConfigError(f"Each role needs its own column; got {named}.")
    if len(frame) == 0:
        raise SchemaError("The transactions table has no rows.")


def _parse_days(values: pd.Series, column: str) -> pd.Series:
    if values.dtype.kind == "M":
        stamps = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
    else:
        text = values.astype("string").str.strip()
        compact = text.str.fullmatch(r"\d{8}").fillna(False).astype(bool)
        fmt = "%Y%m%d" if compact[text.notna()].all() else "ISO8601"
        stamps = pd.to_datetime(text, format=fmt, errors="coerce")
    bad = stamps.isna() & values.notna()
    if bad.any():
        examples = values[bad].astype(str).unique()[:3].tolist()
        raise SchemaError(f"{int(bad.sum())} value(s) of the date column {column!r} do not parse "
                          f"as dates (ISO 8601 like 2024-05-01 or YYYYMMDD), e.g. {examples}. "
                          "Hint: fix or drop those rows.")
    if stamps.isna().any():
        raise SchemaError(f"{int(stamps.isna().sum())} row(s) have no date in {column!r}; "
                          "every transaction needs one. Hint: drop those rows.")
    return stamps.dt.normalize()


def read_transactions(frame: pd.DataFrame, *, customer_col: str, date_col: str,
                      amount_col: str | None = None, order_col: str | None = None
                      ) -> Transactions:
    """Check the transaction columns and read dates as calendar days.

    Raises
    ------
    SchemaError
        A column is missing; dates do not parse; customers are missing; amounts are not
        numbers, not finite, or negative (the message counts rows and never quotes a
        customer).
    """
    _check_columns(frame, [customer_col, date_col, amount_col, order_col])
    customer = frame[customer_col]
    if customer.isna().any():
        raise SchemaError(f"{int(customer.isna().sum())} row(s) have no customer in "
                          f"{customer_col!r}. Hint: drop them first.")
    day = _parse_days(frame[date_col], date_col)
    amount = None
    if amount_col is not None:
        amount = pd.to_numeric(frame[amount_col], errors="coerce").astype("float64")
        bad = ~np.isfinite(amount.to_numpy())
        if bad.any():
            raise SchemaError(f"{int(bad.sum())} value(s) of the amount column {amount_col!r} "
                              "are missing or not numbers. Hint: fix or drop those rows.")
        if (amount < 0).any():
            raise SchemaError(f"{int((amount < 0).sum())} amount(s) in {amount_col!r} are "
                              "negative; RFM and CLV need purchase values >= 0. Hint: drop "
                              "returns and refunds, or net them into their orders first.")
    order = None
    if order_col is not None:
        order = frame[order_col]
        if order.isna().any():
            raise SchemaError(f"{int(order.isna().sum())} row(s) have no order id in "
                              f"{order_col!r}. Hint: drop them, or leave out --order-col to "
                              "count purchase days.")
    return Transactions(customer.reset_index(drop=True), day.reset_index(drop=True),
                        None if amount is None else amount.reset_index(drop=True),
                        None if order is None else order.reset_index(drop=True))


def to_day(value: str | date | pd.Timestamp | None, name: str) -> pd.Timestamp | None:
    """A calendar day from an ISO date (``YYYY-MM-DD``), a date or a Timestamp."""
    if value is None:
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{name} must be a date like 2024-05-01, got {value!r}.") from exc
    if pd.isna(stamp):
        raise ConfigError(f"{name} must be a date like 2024-05-01, got {value!r}.")
    return stamp.tz_localize(None).normalize() if stamp.tzinfo else stamp.normalize()
