"""Credit table layouts: which columns hold the limit and the monthly history, and the
behaviour features derived from them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError

__all__ = ["TAIWAN_LAYOUT", "BehaviourFeatures", "CreditLayout", "behaviour_features",
           "detect_layout"]

BehaviourFeatures = Literal["none", "basic", "extended"]
_LEVELS = ("none", "basic", "extended")
# a payment under this share of the statement it pays counts as a month underpaid
_UNDERPAID_SHARE = 0.1

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
    status_codes : mapping of str to float, default={}
        Named status codes that are not a number of months late (Taiwan: -1 paid in full,
        0 revolving credit, -2 no use); ``extended`` features count the months at each code
        as ``months_<name>``.
    features : {"none", "basic", "extended"}, default="extended"
        Which behaviour features :meth:`derive` adds (see :func:`behaviour_features`).
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
    status_codes: Mapping[str, float] = field(default_factory=dict)
    features: BehaviourFeatures = "extended"

    def __post_init__(self) -> None:
        for name in ("status", "bills", "payments", "categorical", "exclude"):
            object.__setattr__(self, name, tuple(str(c) for c in getattr(self, name)))
        object.__setattr__(self, "rename", dict(self.rename))
        object.__setattr__(self, "status_codes",
                           {str(k): float(v) for k, v in self.status_codes.items()})
        if self.features not in _LEVELS:
            raise ConfigError(f"CreditLayout.features must be one of {list(_LEVELS)}, got "
                              f"{self.features!r}.")
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
    status_codes={"paid_in_full": -1, "revolving": 0, "no_use": -2},
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


def _row_min(values: np.ndarray) -> np.ndarray:
    """Smallest non-missing value of each row (NaN when there is none), without warnings."""
    known = ~np.isnan(values)
    lowest = np.where(known, values, np.inf).min(axis=1)
    return np.where(known.any(axis=1), lowest, np.nan)


def _basic(frame: pd.DataFrame, layout: CreditLayout) -> dict[str, np.ndarray]:
    derived: dict[str, np.ndarray] = {}
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
    return derived


def _extended_status(frame: pd.DataFrame, layout: CreditLayout) -> dict[str, Any]:
    status = _numbers(frame, layout.status)
    derived: dict[str, Any] = {}
    late = status >= 1
    n_months = status.shape[1]
    # months back to the latest late month (0: late now); the history length when never late
    derived["months_since_late"] = np.where(late.any(axis=1), late.argmax(axis=1),
                                            n_months).astype(np.float64)
    overdue = np.clip(np.nan_to_num(status, nan=0.0), 0.0, None)
    derived["months_late_total"] = overdue.sum(axis=1)
    half = max(1, n_months // 2)
    if n_months >= 2:
        derived["late_trend"] = overdue[:, :half].mean(axis=1) - overdue[:, half:].mean(axis=1)
    for name, code in layout.status_codes.items():
        derived[f"months_{name}"] = (status == code).sum(axis=1).astype(np.float64)
    if n_months >= 2:
        # the roll from last month's status to this month's, a category (e.g. "0>1": revolving
        # last month, one month late now); missing when either month is
        before, now = status[:, 1], status[:, 0]
        known = ~(np.isnan(before) | np.isnan(now))
        derived["status_roll"] = pd.Series(
            [f"{b:g}>{a:g}" if k else None for b, a, k in zip(before, now, known, strict=True)],
            index=frame.index, dtype="object")
    return derived


def _extended_amounts(frame: pd.DataFrame, layout: CreditLayout) -> dict[str, np.ndarray]:
    derived: dict[str, np.ndarray] = {}
    limit = _numbers(frame, [layout.limit])[:, 0] if layout.limit else None
    bills = _numbers(frame, layout.bills) if layout.bills else None
    paid = _numbers(frame, layout.payments) if layout.payments else None
    if limit is not None and bills is not None:
        usage = np.column_stack([_ratio(bills[:, k], limit) for k in range(bills.shape[1])])
        derived["utilization_max"] = -_row_min(-usage)
        derived["headroom_1"] = limit - bills[:, 0]
        derived["headroom_mean"] = limit - _row_mean(bills)
        if bills.shape[1] >= 2:
            derived["balance_growth"] = _ratio(bills[:, 0] - bills[:, 1], limit)
    if limit is not None and paid is not None:
        derived["paid_to_limit"] = _ratio(paid.sum(axis=1), limit)
        derived["paid_1_to_limit"] = _ratio(paid[:, 0], limit)
    if bills is not None and paid is not None and bills.shape[1] >= 2:
        n = min(paid.shape[1], bills.shape[1] - 1)
        owed, pays = bills[:, 1:n + 1], paid[:, :n]
        ratios = np.column_stack([_ratio(pays[:, k], owed[:, k]) for k in range(n)])
        derived["payment_ratio_min"] = _row_min(ratios)
        billed = owed > 0
        derived["months_underpaid"] = (billed & (pays < _UNDERPAID_SHARE * owed)) \
            .sum(axis=1).astype(np.float64)
        derived["months_unpaid"] = (billed & (pays == 0)).sum(axis=1).astype(np.float64)
        derived["shortfall_1"] = owed[:, 0] - pays[:, 0]
        derived["shortfall_total"] = np.clip(owed - pays, 0.0, None).sum(axis=1)
        derived["months_balance_up"] = (bills[:, :n] > owed).sum(axis=1).astype(np.float64)
        derived["paid_1_to_bill_1"] = _ratio(paid[:, 0], bills[:, 0])
        if limit is not None:
            # new purchases: this statement minus the last one, plus what was paid in between
            spend = bills[:, :n] - owed + pays
            derived["spend_1"] = _ratio(spend[:, 0], limit)
            derived["spend_mean"] = _ratio(spend.mean(axis=1), limit)
    return derived


def behaviour_features(frame: pd.DataFrame, layout: CreditLayout) -> pd.DataFrame:
    """The frame plus behaviour features from the layout's limit and monthly history.

    Row-wise arithmetic only (nothing is learned), so the features cannot leak the target
    across folds. Features need the layout columns they read; the others are skipped.

    ``basic``: ``utilization_1`` (latest bill / limit), ``utilization_mean``,
    ``utilization_change`` (latest minus oldest), ``payment_ratio_1`` (latest payment /
    previous statement), ``payment_ratio_mean`` (all payments / the statements they paid),
    ``months_late`` (months with status >= 1), ``months_late_recent`` (of the latest three),
    ``max_months_late``.

    ``extended`` adds what a credit analyst builds from the same history:
    ``months_since_late`` (0: late now; the history length when never late),
    ``months_late_total`` (sum of months overdue), ``late_trend`` (mean months overdue in the
    recent half minus the older half), ``months_<code>`` per named status code,
    ``status_roll`` (a category: last month's status, ``>``, this month's, e.g. ``"0>2"``),
    ``utilization_max``, ``headroom_1`` and ``headroom_mean`` (limit minus the latest and the
    mean statement), ``balance_growth`` (latest minus previous statement, over the limit),
    ``paid_to_limit`` and ``paid_1_to_limit``, ``payment_ratio_min`` (lowest monthly payment
    ratio), ``months_underpaid`` (paid under 10 % of a positive statement),
    ``months_unpaid`` (paid nothing against one), ``shortfall_1`` (previous statement minus
    the latest payment), ``shortfall_total`` (unpaid statement amounts summed),
    ``months_balance_up`` (months the statement grew), ``paid_1_to_bill_1``, ``spend_1`` and
    ``spend_mean`` (new purchases, statement minus the previous one plus the payment between,
    over the limit).

    A ratio over a statement or limit of 0 or less (nothing owed) is missing, so it gets the
    documented Missing bin.
    """
    out = frame.copy()
    derived: dict[str, Any] = {}
    if layout.features != "none":
        derived.update(_basic(frame, layout))
    if layout.features == "extended":
        if layout.status:
            derived.update(_extended_status(frame, layout))
        derived.update(_extended_amounts(frame, layout))
    for name, values in derived.items():
        if name in out.columns:
            raise SchemaError(f"The data already has a column {name!r}, which the credit layout "
                              "derives. Hint: rename it.")
        out[name] = values
    return out
