"""Policy simulation (S2): a grace period for good grades, suspension at once for bad ones."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError

__all__ = ["PolicyAssumptions", "PolicyComparison", "simulate_policies"]


@dataclass(frozen=True, kw_only=True)
class PolicyAssumptions:
    """The stated assumptions of the policy simulation (every amount in the data's currency).

    Each customer has a bill due now, a probability ``p`` of not paying it (the model's PD) and
    the amount due ``a`` (negative amounts count as 0). A policy either suspends the service at
    once when the bill is missed or grants ``grace_days`` of service first.

    Parameters
    ----------
    recovery_if_suspended : float, default=0.5
        Share of a defaulter's debt collected later when the service is suspended at once.
    recovery_if_grace : float, default=0.4
        Share collected when the defaulter kept the service through the grace period
        (less: the debt is older and the pressure came later).
    usage_per_day : float, default=1/30
        Unpaid charges a defaulter adds per grace day, as a share of the monthly amount due.
    attrition_if_suspended : float, default=0.10
        Share of good customers (who would have paid) lost after being suspended.
    attrition_if_grace : float, default=0.01
        Share of good customers lost when they get a grace period.
    good_customer_value_months : float, default=6.0
        What losing a good customer costs, in months of their amount due (margin x lifetime).
    """

    recovery_if_suspended: float = 0.5
    recovery_if_grace: float = 0.4
    usage_per_day: float = 1.0 / 30.0
    attrition_if_suspended: float = 0.10
    attrition_if_grace: float = 0.01
    good_customer_value_months: float = 6.0

    def __post_init__(self) -> None:
        for name in ("recovery_if_suspended", "recovery_if_grace", "attrition_if_suspended",
                     "attrition_if_grace"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise ConfigError(f"PolicyAssumptions.{name} must be a share in [0, 1], got "
                                  f"{value!r}.")
        for name in ("usage_per_day", "good_customer_value_months"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ConfigError(f"PolicyAssumptions.{name} must be a number >= 0, got "
                                  f"{value!r}.")


@dataclass(frozen=True)
class PolicyComparison:
    """Policies side by side.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per policy: ``policy, n_customers, n_grace, n_suspended, expected_defaults,
        exposure, expected_recovered, expected_bad_debt, avoided_bad_debt,
        expected_lost_good_customers, lost_customer_value, net_benefit``. ``avoided_bad_debt``
        and ``net_benefit`` (avoided bad debt minus the extra value of lost good customers) are
        against granting grace to everyone.
    best : str
        The policy with the largest net benefit.
    grace_days : int
    grace_grades : tuple of str
    assumptions : PolicyAssumptions
    """

    table: pd.DataFrame = field(repr=False)
    best: str
    grace_days: int
    grace_grades: tuple[str, ...]
    assumptions: PolicyAssumptions

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: assumptions, settings, one dict per policy and the best one."""
        return {"grace_days": self.grace_days, "grace_grades": list(self.grace_grades),
                "assumptions": asdict(self.assumptions), "best": self.best,
                "policies": [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                             for row in self.table.to_dict(orient="records")]}


def _outcome(name: str, grace: np.ndarray, p: np.ndarray, amount: np.ndarray, days: int,
             a: PolicyAssumptions) -> dict[str, Any]:
    exposure = np.where(grace, amount * (1.0 + a.usage_per_day * days), amount)
    recovery = np.where(grace, a.recovery_if_grace, a.recovery_if_suspended)
    attrition = np.where(grace, a.attrition_if_grace, a.attrition_if_suspended)
    lost = (1.0 - p) * attrition
    return {
        "policy": name,
        "n_customers": int(p.size),
        "n_grace": int(grace.sum()),
        "n_suspended": int((~grace).sum()),
        "expected_defaults": float(p.sum()),
        "exposure": float((p * exposure).sum()),
        "expected_recovered": float((p * exposure * recovery).sum()),
        "expected_bad_debt": float((p * exposure * (1.0 - recovery)).sum()),
        "expected_lost_good_customers": float(lost.sum()),
        "lost_customer_value": float((lost * amount * a.good_customer_value_months).sum()),
    }


def simulate_policies(pd_bad: Any, amount: Any, grades: Any, *, grace_days: int,
                      grace_grades: Sequence[str],
                      assumptions: PolicyAssumptions | None = None) -> PolicyComparison:
    """Compare suspending everyone, grace for everyone, and grace for ``grace_grades`` only.

    Parameters
    ----------
    pd_bad : array-like of float
        Probability that each customer does not pay.
    amount : array-like of float
        Amount due per customer (negative counts as 0; missing is refused).
    grades : array-like of str
        Each customer's grade.
    grace_days : int
        Days of service granted before suspension (1-365).
    grace_grades : sequence of str
        Grades that get the grace period under the grade-based policy.
    assumptions : PolicyAssumptions, optional

    Returns
    -------
    PolicyComparison
    """
    a = assumptions or PolicyAssumptions()
    if isinstance(grace_days, bool) or not isinstance(grace_days, int | np.integer) or \
            not 1 <= int(grace_days) <= 365:
        raise ConfigError(f"grace_days must be a whole number of days in [1, 365], got "
                          f"{grace_days!r}.")
    p = np.asarray(pd_bad, dtype=np.float64)
    money = np.asarray(amount, dtype=np.float64)
    labels = np.asarray(grades, dtype=object).astype(str)
    if not (p.shape == money.shape == labels.shape) or p.ndim != 1 or p.size == 0:
        raise SchemaError(f"pd_bad, amount and grades must be 1-D of one length, got "
                          f"{p.shape}, {money.shape}, {labels.shape}.")
    if not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
        raise SchemaError("pd_bad must hold probabilities in [0, 1].")
    if not np.isfinite(money).all():
        raise SchemaError("The amount due has missing or infinite values. Hint: fill them (0 "
                          "if nothing is due) before simulating.")
    money = np.clip(money, 0.0, None)
    days = int(grace_days)
    chosen = tuple(str(g) for g in grace_grades)
    rows = [_outcome("suspend_all", np.zeros(p.size, bool), p, money, days, a),
            _outcome("grace_all", np.ones(p.size, bool), p, money, days, a),
            _outcome(f"grace_for_{'+'.join(chosen) or 'none'}", np.isin(labels, chosen), p,
                     money, days, a)]
    table = pd.DataFrame(rows)
    baseline = table.loc[table["policy"] == "grace_all"].iloc[0]
    table.insert(8, "avoided_bad_debt", baseline["expected_bad_debt"] - table["expected_bad_debt"])
    table["net_benefit"] = table["avoided_bad_debt"] - (table["lost_customer_value"]
                                                        - baseline["lost_customer_value"])
    best = str(table.loc[table["net_benefit"].idxmax(), "policy"])
    return PolicyComparison(table, best, days, chosen, a)
