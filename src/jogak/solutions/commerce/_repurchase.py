"""Repurchase propensity: who buys again within a horizon, learned by the AutoML core.

Leakage-proof by construction: features at a cut-off day use only purchases strictly before
it, and labels only purchases from it on. The model is trained at ``as_of - horizon`` (whose
labels are already observed) and scores customers at ``as_of``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from jogak.data import Task
from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.models import AutoMLClassifier, get_metric
from jogak.solutions.commerce._transactions import Transactions, read_transactions, to_day

__all__ = ["RepurchaseResult", "repurchase_features", "repurchase_labels", "repurchase_model"]

_MIN_CLASS = 10  # fewest buyers (and non-buyers) to learn from
_RECENT_DAYS = (30, 90, 180)


def _check_horizon(horizon_days: int) -> None:
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 1:
        raise ConfigError(f"horizon_days must be a whole number >= 1, got {horizon_days!r}.")


def _features(tx: Transactions, cutoff: pd.Timestamp) -> pd.DataFrame:
    before = (tx.day < cutoff).to_numpy()
    frame = pd.DataFrame({"customer": tx.customer[before], "day": tx.day[before],
                          "amount": tx.amount[before] if tx.amount is not None else 0.0,
                          "purchase": tx.order[before] if tx.order is not None else
                          tx.day[before]})
    if frame.empty:
        raise SchemaError(f"No purchase before the cut-off {cutoff.date()}; nothing to learn "
                          "from. Hint: choose a later --as-of or a shorter --horizon-days.")
    grouped = frame.groupby("customer", sort=True, observed=True)
    first, last = grouped["day"].min(), grouped["day"].max()
    out = pd.DataFrame({
        "recency_days": (cutoff - last).dt.days,
        "tenure_days": (cutoff - first).dt.days,
        "frequency": grouped["purchase"].nunique(),
        "purchase_days": grouped["day"].nunique(),
        "monetary": grouped["amount"].sum(),
        "mean_amount": grouped["amount"].mean(),
        "max_amount": grouped["amount"].max(),
    })
    span = (last - first).dt.days
    out["mean_gap_days"] = (span / (out["purchase_days"] - 1)).where(out["purchase_days"] > 1)
    for days in _RECENT_DAYS:
        recent = frame[frame["day"] >= cutoff - pd.Timedelta(days=days)]
        by_customer = recent.groupby("customer", observed=True)
        out[f"purchases_{days}d"] = by_customer["purchase"].nunique().reindex(out.index,
                                                                              fill_value=0)
        out[f"amount_{days}d"] = by_customer["amount"].sum().reindex(out.index, fill_value=0.0)
    return out.astype(float)


def _labels(tx: Transactions, customers: pd.Index, cutoff: pd.Timestamp,
            horizon_days: int) -> pd.Series:
    end = cutoff + pd.Timedelta(days=horizon_days)
    window = ((tx.day >= cutoff) & (tx.day < end)).to_numpy()
    buyers = set(tx.customer[window].unique())
    return pd.Series(customers.isin(list(buyers)).astype(int), index=customers,
                     name="repurchased")


def repurchase_features(transactions: pd.DataFrame, *, customer_col: str, date_col: str,
                        amount_col: str, as_of: str | date | pd.Timestamp,
                        order_col: str | None = None) -> pd.DataFrame:
    """Behaviour features of each customer from the purchases strictly before ``as_of``.

    Returns
    -------
    DataFrame indexed by customer
        ``recency_days``, ``tenure_days``, ``frequency`` (orders, or purchase days without
        ``order_col``), ``purchase_days``, ``monetary``, ``mean_amount``, ``max_amount``,
        ``mean_gap_days`` (missing for one-day customers) and purchases / amount in the last
        30, 90 and 180 days.
    """
    tx = read_transactions(transactions, customer_col=customer_col, date_col=date_col,
                           amount_col=amount_col, order_col=order_col)
    cutoff = to_day(as_of, "as_of")
    assert cutoff is not None
    return _features(tx, cutoff).rename_axis(customer_col)


def repurchase_labels(transactions: pd.DataFrame, *, customer_col: str, date_col: str,
                      as_of: str | date | pd.Timestamp, horizon_days: int) -> pd.Series:
    """1 for customers (with a purchase before ``as_of``) who buy in ``[as_of, as_of + h)``."""
    _check_horizon(horizon_days)
    tx = read_transactions(transactions, customer_col=customer_col, date_col=date_col)
    cutoff = to_day(as_of, "as_of")
    assert cutoff is not None
    known = pd.Index(sorted(tx.customer[(tx.day < cutoff).to_numpy()].unique()))
    return _labels(tx, known, cutoff, horizon_days).rename_axis(customer_col)


@dataclass(frozen=True, kw_only=True, eq=False)
class RepurchaseResult:
    """A fitted repurchase model and the scores of every customer at ``as_of``.

    Attributes
    ----------
    model : AutoMLClassifier
        Trained at ``train_cutoff`` on labels from ``[train_cutoff, as_of)``.
    scores : DataFrame
        Per customer: ``propensity`` (probability of buying in ``[as_of, as_of + horizon)``),
        and ``repurchased`` (0/1) when that window is fully in the data.
    metrics : dict
        Cut-offs, horizon, base rates, the AutoML CV scores; when the scoring window is
        observed, out-of-time ROC AUC and log loss.
    """

    model: AutoMLClassifier
    scores: pd.DataFrame
    metrics: dict[str, Any]


def repurchase_model(transactions: pd.DataFrame, *, customer_col: str, date_col: str,
                     amount_col: str, order_col: str | None = None,
                     as_of: str | date | pd.Timestamp | None = None, horizon_days: int = 90,
                     n_trials: int | None = 20, time_budget: float | None = None,
                     include_models: Sequence[str] | None = None,
                     random_state: int = 0, callbacks: Sequence[Any] = ()) -> RepurchaseResult:
    """Learn who buys again within ``horizon_days`` and score every customer at ``as_of``.

    Parameters
    ----------
    transactions : DataFrame
    customer_col, date_col, amount_col : str
    order_col : str, optional
        Count orders rather than purchase days.
    as_of : date-like, optional
        Scoring day; default the day after the last purchase. The model is trained at
        ``as_of - horizon_days``.
    horizon_days : int, default 90
    n_trials, time_budget : int, float, optional
        AutoML budget (``n_trials`` is reproducible; give ``time_budget`` for wall-clock).
    include_models : sequence of str, optional
        AutoML model families.
    random_state : int, default 0
    callbacks : sequence of callables
        AutoML trial callbacks (progress bars).

    Returns
    -------
    RepurchaseResult

    Raises
    ------
    TargetError
        Fewer than 10 customers bought again (or fewer than 10 did not) in the training
        window.
    SchemaError, ConfigError
        Bad columns, dates or parameters.
    """
    _check_horizon(horizon_days)
    tx = read_transactions(transactions, customer_col=customer_col, date_col=date_col,
                           amount_col=amount_col, order_col=order_col)
    last = tx.day.max()
    score_day = to_day(as_of, "as_of") or last + pd.Timedelta(days=1)
    train_day = score_day - pd.Timedelta(days=horizon_days)
    X_train = _features(tx, train_day)
    y_train = _labels(tx, X_train.index, train_day, horizon_days)
    n_positive = int(y_train.sum())
    if min(n_positive, len(y_train) - n_positive) < _MIN_CLASS:
        raise TargetError(
            f"Only {n_positive} of {len(y_train)} customers bought again in the "
            f"{horizon_days} days from {train_day.date()}: at least {_MIN_CLASS} buyers and "
            f"{_MIN_CLASS} non-buyers are needed to learn repurchase. Hint: use a longer "
            "--horizon-days, an earlier --as-of, or data with more repeat customers.")
    model = AutoMLClassifier(n_trials=n_trials, time_budget=time_budget, metric="roc_auc",
                             include_models=include_models, random_state=random_state,
                             callbacks=tuple(callbacks))
    model.fit(X_train.reset_index(drop=True), y_train.to_numpy())
    X_score = _features(tx, score_day)
    positive = list(model.classes_).index(1)
    scores = pd.DataFrame({"propensity": model.predict_proba(X_score.reset_index(drop=True))[
        :, positive]}, index=X_score.index)
    metrics: dict[str, Any] = {
        "train_cutoff": str(train_day.date()), "as_of": str(score_day.date()),
        "horizon_days": horizon_days, "n_train": len(y_train),
        "train_base_rate": n_positive / len(y_train),
        "cv": {name: {"mean": mean, "std": std}
               for name, (mean, std) in model.cv_results_.items()},
        "n_scored": len(scores)}
    if score_day + pd.Timedelta(days=horizon_days) <= last + pd.Timedelta(days=1):
        actual = _labels(tx, X_score.index, score_day, horizon_days)
        scores["repurchased"] = actual
        if actual.nunique() == 2:
            proba = scores["propensity"].to_numpy()
            metrics.update({
                "holdout_base_rate": float(actual.mean()),
                "holdout_roc_auc": float(get_metric("roc_auc", Task.BINARY).score(
                    actual.to_numpy(), np.column_stack([1 - proba, proba]))),
                "holdout_log_loss": float(get_metric("log_loss", Task.BINARY).score(
                    actual.to_numpy(), np.column_stack([1 - proba, proba])))})
    scores.index.name = customer_col
    return RepurchaseResult(model=model, scores=scores.reset_index(), metrics=metrics)
