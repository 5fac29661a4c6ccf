"""Churn tables beyond KKBOX: plain tabular churn (Telco) and churn from a purchase log."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from jogak.data.aggregate import (
    Aggregation,
    EventTable,
    FeatureSpec,
    Population,
    Ratio,
    build_features,
)
from jogak.errors import SchemaError, TargetError
from jogak.solutions.churn._labels import event_log_labels

__all__ = ["event_log_churn_table", "prepare_telco", "purchase_log_spec"]

_TELCO_ID = "customerID"


def prepare_telco(frame: pd.DataFrame, *, target: str = "Churn") -> tuple[pd.DataFrame,
                                                                           pd.Series]:
    """Features and 0/1 target of the IBM Telco table.

    ``TotalCharges`` is text with 11 blanks (all brand-new customers, ``tenure`` 0): it becomes
    numeric and the blanks become 0, since nothing has been charged yet. ``customerID`` stays
    in the frame (exclude it from the model); ``Churn`` Yes/No becomes 1/0.
    """
    missing = [c for c in (target, "TotalCharges", "tenure") if c not in frame.columns]
    if missing:
        raise SchemaError(f"The Telco table lacks {missing}; columns are "
                          f"{list(frame.columns)}.")
    labels = frame[target].astype(str).str.strip().str.lower()
    mapping = {"yes": 1, "no": 0, "1": 1, "0": 0, "true": 1, "false": 0}
    unknown = sorted(set(labels) - set(mapping))
    if unknown:
        raise TargetError(f"{target} must be Yes/No (or 1/0), got values like {unknown[:3]}.")
    X = frame.drop(columns=[target]).copy()
    charges = pd.to_numeric(X["TotalCharges"].astype(str).str.strip().replace("", "nan"),
                            errors="coerce")
    X["TotalCharges"] = charges.mask(charges.isna() & (X["tenure"] == 0), 0.0)
    return X, labels.map(mapping).astype("int64").rename("churn")


def purchase_log_spec(source: pd.DataFrame | str | Path, *, key: str, time: str,
                      amount: str, quantity: str | None = None,
                      population: pd.DataFrame | None = None) -> FeatureSpec:
    """RFM-style features of a purchase log: recency, frequency and money per window.

    Windows are 30, 90 and 180 days and all history; trends are least-squares slopes of the
    amount per day; ``population`` (a frame with ``key`` and labels) fixes the rows.
    """
    windows = (30, 90, 180, None)
    aggs = [Aggregation(func="count", windows=windows, name="orders"),
            Aggregation(func="sum", column=amount, windows=windows, name="spend"),
            Aggregation(func="mean", column=amount, name="order_value_mean"),
            Aggregation(func="max", column=amount, name="order_value_max"),
            Aggregation(func="active_days", windows=(90, None), name="purchase_days"),
            Aggregation(func="days_since_last", name="recency_days"),
            Aggregation(func="days_since_first", name="age_days"),
            Aggregation(func="slope", column=amount, name="spend_trend")]
    if quantity is not None:
        aggs.append(Aggregation(func="sum", column=quantity, windows=(90, None), name="units"))
    events = EventTable(name="purchases", source=source, key=key, time=time,
                        aggregations=tuple(aggs), non_negative=(amount,))
    ratios = (Ratio(name="spend_share_90d", numerator="spend_90d", denominator="spend_all"),)
    pop = None
    if population is not None:
        keep = tuple(c for c in population.columns if c != key)
        pop = Population(source=population, key=key, keep=keep)
    return FeatureSpec(key=key, events=(events,), population=pop, ratios=ratios)


def event_log_churn_table(events: pd.DataFrame | str | Path, *, key: str, time: str,
                          amount: str, cutoff: Any, horizon_days: int,
                          quantity: str | None = None) -> pd.DataFrame:
    """Features as of ``cutoff`` plus ``is_churn`` (no event in the next ``horizon_days``).

    The protocol: every customer with an event on or before the cutoff gets one row; features
    use events dated ``<= cutoff`` only (point in time, :mod:`jogak.data.aggregate`); the label
    is 1 when the customer has no event in ``(cutoff, cutoff + horizon_days]``.
    """
    labels = event_log_labels(events, key=key, time=time, cutoff=cutoff,
                              horizon_days=horizon_days)
    spec = purchase_log_spec(events, key=key, time=time, amount=amount, quantity=quantity,
                             population=labels)
    result = build_features(spec, cutoff=cutoff)
    assert result.frame is not None
    return result.frame
