"""Target lists: who to contact first, with each customer's top churn reasons in words."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.churn._model import ChurnClassifier

__all__ = ["KKBOX_FEATURE_LABELS", "reason_text", "target_list"]

#: Readable names of the ``kkbox`` preset's features (others are spelled from their names).
KKBOX_FEATURE_LABELS: dict[str, str] = {
    "tx_count_all": "number of transactions",
    "tx_total_paid_all": "total paid",
    "tx_mean_paid_all": "average payment",
    "tx_mean_discount_all": "average discount",
    "tx_auto_renew_rate_all": "auto-renew rate",
    "tx_cancel_rate_all": "cancellation rate",
    "tx_cancel_count_all": "cancellations",
    "tx_auto_renew_x_cancel_all": "cancelled while on auto-renew",
    "tx_mean_plan_days_all": "average plan length (days)",
    "tx_max_plan_days_all": "longest plan (days)",
    "tx_mean_membership_days_all": "average membership length (days)",
    "tx_days_to_expiry_all": "days to membership expiry",
    "tx_last_auto_renew_all": "auto-renew on the last plan",
    "tx_days_since_last_all": "days since the last transaction",
    "log_secs_7d": "listening time in the last 7 days",
    "log_secs_30d": "listening time in the last 30 days",
    "log_secs_all": "total listening time",
    "log_active_days_7d": "active days in the last 7 days",
    "log_active_days_30d": "active days in the last 30 days",
    "log_days_since_last_all": "days since the last listen",
    "log_secs_trend_all": "listening trend",
    "log_completion_rate": "share of songs played to the end",
    "no_log_flag": "no listening recorded",
    "bd": "age",
    "age_band": "age band",
    "registration_init_time_days": "days since registration",
    "registered_via": "registration channel",
}


def _label(column: str, labels: Mapping[str, str]) -> str:
    return labels.get(column, column.replace("_", " "))


def _number(value: float) -> str:
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}" if abs(value) < 1000 else f"{value:,.0f}"


def reason_text(column: str, value: Any, typical: Any, labels: Mapping[str, str]) -> str:
    """One reason in words: ``"auto-renew rate is low (0 vs typical 1)"``."""
    name = _label(column, labels)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return f"{name} is missing"
    if isinstance(value, int | float | np.number) and not isinstance(value, bool) \
            and isinstance(typical, int | float | np.number) and np.isfinite(typical):
        if value > typical:
            level = "high"
        elif value < typical:
            level = "low"
        else:
            return f"{name} is {_number(float(value))}"
        return f"{name} is {level} ({_number(float(value))} vs typical {_number(float(typical))})"
    return f"{name} is {value}"


def target_list(model: ChurnClassifier, X: pd.DataFrame, *, id_column: str,
                budget: int | None = None, operating_point: str | None = None,
                n_reasons: int = 3, labels: Mapping[str, str] | None = None,
                customer_value: float | None = None, max_background: int = 100,
                random_state: int = 0) -> pd.DataFrame:
    """The customers to contact, most likely churners first, with their top reasons.

    Parameters
    ----------
    model : ChurnClassifier
        Fitted (or loaded with :func:`load_churn_model`).
    X : DataFrame
        Customers with the model's feature columns and ``id_column``.
    id_column : str
        Customer identifier, copied to the list.
    budget : int, optional
        Contact at most this many customers.
    operating_point : str, optional
        Only customers flagged at ``recall_first`` / ``precision_first``.
    n_reasons : int, default 3
        Reasons per customer: the features whose SHAP values push the churn probability up
        most, in words (``labels`` names them; values compared with the median customer).
    customer_value : float, optional
        Adds ``value_at_risk = probability * customer_value``.

    Returns
    -------
    DataFrame
        ``rank, <id_column>, churn_probability, reason_1..n, impact_1..n`` (SHAP impact on the
        churn probability or log-odds, see :func:`jogak.explain.explain`), and
        ``value_at_risk``.
    """
    from jogak.explain import explain

    if id_column not in X.columns:
        raise SchemaError(f"No id column {id_column!r} in the data; columns are "
                          f"{list(X.columns)[:15]}...")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, int)
                               or budget < 1):
        raise ConfigError(f"budget must be a whole number of customers >= 1, got {budget!r}.")
    if not isinstance(n_reasons, int) or n_reasons < 1:
        raise ConfigError(f"n_reasons must be an int >= 1, got {n_reasons!r}.")
    words = {**KKBOX_FEATURE_LABELS, **(labels or {})}
    proba = model.predict_proba(X)[:, 1] if len(X) else np.empty(0)
    chosen = np.ones(len(X), bool)
    if operating_point is not None and len(X):
        chosen = model.decide(X, operating_point)
    order = np.argsort(-proba, kind="stable")
    order = order[chosen[order]]
    if budget is not None:
        order = order[:budget]
    picked = X.iloc[order].reset_index(drop=True)
    out = pd.DataFrame({"rank": np.arange(1, len(order) + 1),
                        id_column: picked[id_column].to_numpy(),
                        "churn_probability": proba[order]})
    if len(order):
        background = X.sample(n=min(len(X), max_background), random_state=random_state)
        explanation = explain(model.automl_, picked, background=background,
                              max_background=max_background, random_state=random_state)
        values = explanation.values.to_numpy(dtype=float)
        columns = list(explanation.values.columns)
        typical = {c: (X[c].median() if pd.api.types.is_numeric_dtype(X[c]) else None)
                   for c in columns if c in X.columns}
        top = np.argsort(-values, axis=1, kind="stable")[:, :n_reasons]
        for j in range(n_reasons):
            texts: list[str | None] = []
            impacts: list[float] = []
            for i in range(len(order)):
                if j < top.shape[1] and values[i, top[i, j]] > 1e-9:
                    column = columns[top[i, j]]
                    texts.append(reason_text(column, picked.at[i, column], typical.get(column),
                                             words))
                    impacts.append(float(values[i, top[i, j]]))
                else:
                    texts.append(None)
                    impacts.append(float("nan"))
            out[f"reason_{j + 1}"] = texts
            out[f"impact_{j + 1}"] = impacts
    else:
        for j in range(n_reasons):
            out[f"reason_{j + 1}"] = pd.Series(dtype=object)
            out[f"impact_{j + 1}"] = pd.Series(dtype=float)
    if customer_value is not None:
        out["value_at_risk"] = out["churn_probability"] * float(customer_value)
    return out
