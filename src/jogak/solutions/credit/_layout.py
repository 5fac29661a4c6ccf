"""Credit table layouts: which columns hold the limit and the monthly history, and the
behaviour features derived from them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError

__all__ = ["TAIWAN_LAYOUT", "CreditLayout", "behaviour_features", "detect_layout"]

_UCI_NAMES = ["LIMIT_BAL", "SEX", "EDUCATION", "MARRIAGE", "AGE", "PAY_0", "PAY_2", "PAY_3",
              "PAY_4", "PAY_5", "PAY_6", *[f"BILL_AMT{i}" for i in range(1, 7)],
              *[f"PAY_AMT{i}" for i in range(1, 7)]]


@dataclass(frozen=True, kw_only=True)
class CreditLayout:
    """Where a credit table keeps the limit and the monthly history.

    Monthly columns are listed most recent month first. ``payments[k]`` is the amount paid in
    month ``k`` against the statement of the month before (``bills[k + 1]``), as in card data.

    Parameters
    ----------
    name : str, default="custom"
    rename : mapping of str to str, default={}
        Source column -> readable name, applied before anything else.
    limit : str or None, default=None
        Credit limit (amount).
    status : sequence of str, default=()
        Monthly repayment status: months late (>= 1 late; 0 or below on time).
    bills, payments : sequence of str, default=()
        Monthly statement amounts and amounts paid.
    categorical : sequence of str, default=()
        Numeric-coded columns to bin as categories (codes such as -2/-1/0 that are not an order).
    exclude : sequence of str, default=()
        Columns never used as features (identifiers, protected attributes).
    amount : str or None, default=None
        The amount due per customer, used by the policy simulation.
    """

    name: str = "custom"
    rename: Mapping[str, str] = field(default_factory=dict)
    limit: str | None = None
    status: Sequence[str] = ()
    bills: Sequence[str] = ()
    payments: Sequence[str] = ()
    categorical: Sequence[str] = ()
    exclude: Sequence[str] = ()
    amount: str | None = None

    def __post_init__(self) -> None:
        for name in ("status", "bills", "payments", "categorical", "exclude"):
            object.__setattr__(self, name, tuple(str(c) for c in getattr(self, name)))
        object.__setattr__(self, "rename", dict(self.rename))
        if self.payments and len(self.bills) < 2:
            raise ConfigError("CreditLayout.payments needs at least 2 bills columns (payments "
                              "are compared with the previous statement).")

    def columns(self) -> list[str]:
        """Every column the layout names (after renaming)."""
        named = [self.limit, *self.status, *self.bills, *self.payments, self.amount]
        return [c for c in dict.fromkeys(named) if c is not None]

    def rename_columns(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The frame with the layout's readable column names."""
        return frame.rename(columns=dict(self.rename)) if self.rename else frame

    def derive(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Check the named columns exist (after renaming) and add the behaviour features."""
        missing = [c for c in self.columns() if c not in frame.columns]
        if missing:
            raise SchemaError(f"The data lacks column(s) {missing} of the {self.name!r} credit "
                              f"layout; it has {list(frame.columns)[:15]}. Hint: pass the "
                              "account columns the model was fitted with, or another layout.")
        return behaviour_features(frame, self)


TAIWAN_LAYOUT = CreditLayout(
    name="taiwan_uci",
    rename={f"X{i + 1}": name for i, name in enumerate(_UCI_NAMES)},
    limit="LIMIT_BAL",
    status=("PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6"),
    bills=tuple(f"BILL_AMT{i}" for i in range(1, 7)),
    payments=tuple(f"PAY_AMT{i}" for i in range(1, 7)),
    # -2 (no use), -1 (paid in full) and 0 (revolving) are codes, not an order; so is EDUCATION
    categorical=("EDUCATION", "PAY_0", "PAY_2", "PAY_3", "PAY_4", "PAY_5", "PAY_6"),
    # an identifier, and attributes that lenders may not score on (EU gender directive, US ECOA)
    exclude=("ID", "SEX", "MARRIAGE"),
    amount="BILL_AMT1",
)


def detect_layout(columns: Sequence[str]) -> CreditLayout | None:
    """The Taiwan (UCI) layout when the columns are its ``X1..X23`` or its Kaggle names."""
    names = set(map(str, columns))
    if {f"X{i}" for i in range(1, 24)} <= names or set(_UCI_NAMES) <= names:
        return TAIWAN_LAYOUT
    return None


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """numerator / denominator where the denominator is positive, else NaN (a Missing bin)."""
    safe = np.where(denominator > 0, denominator, 1.0)
    return np.where(denominator > 0, numerator / safe, np.nan)


def _row_mean(values: np.ndarray) -> np.ndarray:
    """Mean of each row's non-missing values (NaN when there are none), without warnings."""
    known = ~np.isnan(values)
    counts = known.sum(axis=1)
    totals = np.where(known, values, 0.0).sum(axis=1)
    return np.where(counts > 0, totals / np.maximum(counts, 1), np.nan)


def _numbers(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    try:
        return frame[list(columns)].apply(pd.to_numeric, errors="raise") \
            .to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise SchemaError(f"Credit history columns {list(columns)} must be numeric: {exc}. "
                          "Hint: clean the amounts before scoring.") from exc


def behaviour_features(frame: pd.DataFrame, layout: CreditLayout) -> pd.DataFrame:
    """The frame plus behaviour features from the layout's limit and monthly history.

    Added (when the layout has the columns): ``utilization_1`` (latest bill / limit),
    ``utilization_mean``, ``utilization_change`` (latest minus oldest), ``payment_ratio_1``
    (latest payment / previous statement), ``payment_ratio_mean`` (all payments / the
    statements they paid), ``months_late`` (months with status >= 1), ``months_late_recent``
    (of the latest three), ``max_months_late``. A ratio over a statement of 0 or less (nothing
    owed) is missing, so it gets the documented Missing bin.
    """
    out = frame.copy()
    derived: dict[str, Any] = {}
    if layout.limit and layout.bills:
        limit = _numbers(frame, [layout.limit])[:, 0]
        bills = _numbers(frame, layout.bills)
        usage = np.column_stack([_ratio(bills[:, k], limit) for k in range(bills.shape[1])])
        derived["utilization_1"] = usage[:, 0]
        derived["utilization_mean"] = _row_mean(usage)
        derived["utilization_change"] = usage[:, 0] - usage[:, -1]
    if layout.payments and len(layout.bills) >= 2:
        bills = _numbers(frame, layout.bills)
        paid = _numbers(frame, layout.payments)
        n = min(paid.shape[1], bills.shape[1] - 1)
        derived["payment_ratio_1"] = _ratio(paid[:, 0], bills[:, 1])
        owed = np.clip(bills[:, 1:n + 1], 0.0, None).sum(axis=1)
        derived["payment_ratio_mean"] = _ratio(paid[:, :n].sum(axis=1), owed)
    if layout.status:
        status = _numbers(frame, layout.status)
        late = status >= 1
        derived["months_late"] = late.sum(axis=1).astype(np.float64)
        derived["months_late_recent"] = late[:, :3].sum(axis=1).astype(np.float64)
        worst = np.where(np.isnan(status), -np.inf, status).max(axis=1)
        derived["max_months_late"] = np.where(np.isfinite(worst), worst, np.nan)
    for name, values in derived.items():
        if name in out.columns:
            raise SchemaError(f"The data already has a column {name!r}, which the credit layout "
                              "derives. Hint: rename it.")
        out[name] = values
    return out
