"""Customer lifetime value: BTYD summaries, BG/NBD + Gamma-Gamma, holdout checks, discounted CLV."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.commerce._btyd import BetaGeoModel, GammaGammaModel
from jogak.solutions.commerce._transactions import read_transactions, to_day

__all__ = ["CLVResult", "clv_summary", "customer_lifetime_value", "customer_value"]

TimeUnit = Literal["day", "week"]
_DAYS = {"day": 1.0, "week": 7.0}


def clv_summary(transactions: pd.DataFrame, *, customer_col: str, date_col: str,
                amount_col: str | None = None,
                calibration_end: str | date | pd.Timestamp | None = None,
                observation_end: str | date | pd.Timestamp | None = None,
                time_unit: TimeUnit = "day") -> pd.DataFrame:
    """Per customer: repeat purchases, recency, age and mean spend, the BTYD way.

    Purchases are aggregated per calendar day (several orders on one day are one purchase,
    their amounts summed), as in Fader, Hardie & Lee's CDNOW analyses and ``lifetimes``'
    ``freq="D"``. Only customers whose first purchase falls on or before ``calibration_end``
    are kept.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase (or order line).
    customer_col, date_col : str
        Customer id and purchase date (ISO 8601 or ``YYYYMMDD``).
    amount_col : str, optional
        Purchase value; needed for ``monetary_value``.
    calibration_end : date-like, optional
        Last day of the calibration period; default ``observation_end`` (no holdout).
    observation_end : date-like, optional
        Last day observed; default the last purchase day in the data.
    time_unit : {"day", "week"}
        Unit of ``recency``, ``T`` and ``duration_holdout`` (weeks are days / 7, the unit of
        the published CDNOW parameters).

    Returns
    -------
    DataFrame indexed by customer
        ``frequency`` (purchase days after the first, in calibration), ``recency`` (first to
        last purchase day), ``T`` (first purchase day to ``calibration_end``),
        ``monetary_value`` (mean amount of the repeat purchase days, 0 without repeats); with
        a holdout also ``frequency_holdout``, ``monetary_value_holdout`` and
        ``duration_holdout``.

    Raises
    ------
    SchemaError
        Missing columns, unparsable dates, bad amounts, or no customer in calibration.
    ConfigError
        ``calibration_end`` after ``observation_end``, or an unknown ``time_unit``.
    """
    if time_unit not in _DAYS:
        raise ConfigError(f"time_unit must be 'day' or 'week', got {time_unit!r}.")
    tx = read_transactions(transactions, customer_col=customer_col, date_col=date_col,
                           amount_col=amount_col)
    daily = tx.daily()
    end = to_day(observation_end, "observation_end") or daily["day"].max()
    cal_end = to_day(calibration_end, "calibration_end") or end
    if cal_end > end:
        raise ConfigError(f"calibration_end ({cal_end.date()}) must not be after "
                          f"observation_end ({end.date()}).")
    daily = daily[daily["day"] <= end]
    calibration = daily[daily["day"] <= cal_end]
    if calibration.empty:
        raise SchemaError(f"No purchase on or before calibration_end {cal_end.date()}.")
    unit = _DAYS[time_unit]
    grouped = calibration.groupby("customer", sort=True, observed=True)
    first, last = grouped["day"].min(), grouped["day"].max()
    n_days = grouped.size()
    total = grouped["amount"].sum()
    first_amount = calibration.drop_duplicates("customer").set_index("customer")["amount"]
    frequency = n_days - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        monetary = ((total - first_amount.reindex(total.index)) / frequency).where(
            frequency > 0, 0.0)
    summary = pd.DataFrame({
        "frequency": frequency.astype("int64"),
        "recency": (last - first).dt.days / unit,
        "T": (cal_end - first).dt.days / unit,
        "monetary_value": monetary.astype(float),
    })
    summary.index.name = customer_col
    if cal_end < end:
        holdout = daily[(daily["day"] > cal_end) & daily["customer"].isin(summary.index)]
        by_customer = holdout.groupby("customer", observed=True)
        summary["frequency_holdout"] = by_customer.size().reindex(summary.index).fillna(
            0).astype("int64")
        summary["monetary_value_holdout"] = by_customer["amount"].mean().reindex(
            summary.index).fillna(0.0)
        summary["duration_holdout"] = (end - cal_end).days / unit
    return summary


def customer_lifetime_value(bgnbd: BetaGeoModel, gamma_gamma: GammaGammaModel,
                            summary: pd.DataFrame, *, months: int = 12,
                            discount_rate: float = 0.01, days_per_month: float = 30.0,
                            time_unit: TimeUnit = "day") -> pd.Series:
    """Discounted value of each customer's expected purchases over the next ``months``.

    ``sum over m of spend x (E[purchases by month m] - E[by month m-1]) / (1 + rate) ** m``,
    with expected spend from Gamma-Gamma and purchases from BG/NBD (the same discrete sum as
    ``lifetimes.GammaGammaFitter.customer_lifetime_value``).
    """
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ConfigError(f"months must be a whole number >= 1, got {months!r}.")
    if not 0 <= discount_rate < 1:
        raise ConfigError(f"discount_rate (per month) must be in [0, 1), got {discount_rate!r}.")
    spend = gamma_gamma.expected_spend(summary)
    step = days_per_month / _DAYS[time_unit]
    value = pd.Series(0.0, index=summary.index, name="clv")
    before = pd.Series(0.0, index=summary.index)
    for month in range(1, months + 1):
        by_then = bgnbd.expected_purchases(summary, t=month * step)
        value += spend * (by_then - before) / (1 + discount_rate) ** month
        before = by_then
    return value


@dataclass(frozen=True, kw_only=True, eq=False)
class CLVResult:
    """Fitted BTYD models and the per-customer value table.

    Attributes
    ----------
    customers : DataFrame
        Per customer: the summary columns, ``probability_alive``, ``expected_purchases``
        (over the holdout, or ``horizon_days`` without one), ``expected_spend``, ``clv``; with a
        holdout also ``actual_purchases`` and ``error`` (expected - actual).
    bgnbd : BetaGeoModel
    gamma_gamma : GammaGammaModel
    metrics : dict
        Customers, repeaters, horizon; with a holdout, MAE and RMSE of the per-customer
        purchase forecast and the predicted and actual totals.
    """

    customers: pd.DataFrame
    bgnbd: BetaGeoModel
    gamma_gamma: GammaGammaModel
    metrics: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready parameters and metrics (no customer ids)."""
        return {"bgnbd": self.bgnbd.params_, "gamma_gamma": self.gamma_gamma.params_,
                "bgnbd_log_likelihood": self.bgnbd.log_likelihood_,
                "gamma_gamma_log_likelihood": self.gamma_gamma.log_likelihood_,
                "frequency_monetary_corr": self.gamma_gamma.frequency_monetary_corr_,
                **self.metrics}


def customer_value(transactions: pd.DataFrame, *, customer_col: str, date_col: str,
                   amount_col: str,
                   calibration_end: str | date | pd.Timestamp | None = None,
                   observation_end: str | date | pd.Timestamp | None = None,
                   horizon_days: int = 365, months: int = 12, discount_rate: float = 0.01,
                   time_unit: TimeUnit = "day", penalizer: float = 0.0) -> CLVResult:
    """Fit BG/NBD and Gamma-Gamma on the calibration period and value every customer.

    Parameters
    ----------
    transactions : DataFrame
    customer_col, date_col, amount_col : str
    calibration_end, observation_end : date-like, optional
        See :func:`clv_summary`. With ``calibration_end`` before ``observation_end`` the
        purchases of each customer in the holdout are predicted and compared with the actual
        ones.
    horizon_days : int, default 365
        Forecast horizon when there is no holdout.
    months, discount_rate : int, float
        CLV horizon and monthly discount rate (see :func:`customer_lifetime_value`).
    time_unit : {"day", "week"}
        Unit of time in the summary and of ``alpha`` (see :func:`clv_summary`).
    penalizer : float
        L2 penalty of both fits.

    Returns
    -------
    CLVResult

    Examples
    --------
    >>> tx = pd.DataFrame({"c": ["a", "a", "a", "b", "b", "c", "d", "d"],
    ...                    "d": ["2024-01-01", "2024-02-01", "2024-03-01", "2024-01-05",
    ...                          "2024-03-20", "2024-01-09", "2024-01-02", "2024-01-30"],
    ...                    "v": [10.0, 12.0, 9.0, 30.0, 28.0, 5.0, 7.0, 8.0]})
    >>> result = customer_value(tx, customer_col="c", date_col="d", amount_col="v",
    ...                         horizon_days=30, penalizer=0.01)  # tiny data: penalise
    >>> result.customers["frequency"].tolist()
    [2, 1, 0, 1]
    >>> bool((result.customers["clv"] > 0).all())
    True
    """
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 1:
        raise ConfigError(f"horizon_days must be a whole number >= 1, got {horizon_days!r}.")
    summary = clv_summary(transactions, customer_col=customer_col, date_col=date_col,
                          amount_col=amount_col, calibration_end=calibration_end,
                          observation_end=observation_end, time_unit=time_unit)
    bgnbd = BetaGeoModel(penalizer=penalizer).fit(summary)
    gamma_gamma = GammaGammaModel(penalizer=penalizer).fit(summary)
    has_holdout = "frequency_holdout" in summary
    horizon = float(summary["duration_holdout"].iloc[0]) if has_holdout else \
        horizon_days / _DAYS[time_unit]
    out = summary.copy()
    out["probability_alive"] = bgnbd.probability_alive(summary)
    out["expected_purchases"] = bgnbd.expected_purchases(summary, t=horizon)
    out["expected_spend"] = gamma_gamma.expected_spend(summary)
    out["clv"] = customer_lifetime_value(bgnbd, gamma_gamma, summary, months=months,
                                         discount_rate=discount_rate, time_unit=time_unit)
    metrics: dict[str, Any] = {
        "n_customers": len(summary), "n_repeat_customers": int((summary["frequency"] > 0).sum()),
        "n_gamma_gamma_customers": gamma_gamma.n_customers_, "time_unit": time_unit,
        "horizon": horizon, "months": months, "discount_rate": discount_rate}
    if has_holdout:
        out["actual_purchases"] = summary["frequency_holdout"]
        out["error"] = out["expected_purchases"] - out["actual_purchases"]
        metrics.update({
            "holdout_mae": float(out["error"].abs().mean()),
            "holdout_rmse": float(np.sqrt((out["error"] ** 2).mean())),
            "holdout_predicted_total": float(out["expected_purchases"].sum()),
            "holdout_actual_total": float(out["actual_purchases"].sum())})
    return CLVResult(customers=out, bgnbd=bgnbd, gamma_gamma=gamma_gamma, metrics=metrics)
