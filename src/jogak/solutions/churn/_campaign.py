"""Retention campaign simulation: customers saved and ROI by threshold and by segment.

The model of a campaign (stated so it can be argued with): every targeted customer is
contacted (``contact_cost``); a targeted would-be churner (probability ``p``, calibrated) is
kept with probability ``uplift``; everyone targeted who stays — the kept churners and the
customers who would have stayed anyway (``1 - p``) — redeems the offer (``offer_cost``); a
kept customer is worth ``customer_value``. So per targeted customer::

    saved  = uplift * p
    cost   = contact_cost + offer_cost * (1 - p + uplift * p)
    profit = customer_value * saved - cost

Expected figures use the calibrated probabilities; with true labels the realised figures use
``p = 1`` for churners and ``0`` for the others.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError

__all__ = ["CampaignEconomics", "best_thresholds", "simulate_campaign"]

_GRID = tuple(round(t, 2) for t in np.arange(0.05, 0.96, 0.05))


@dataclass(frozen=True, kw_only=True)
class CampaignEconomics:
    """Money and effect of one campaign (all amounts in the same currency).

    Parameters
    ----------
    contact_cost : float
        Cost of reaching one customer (message, call).
    offer_cost : float
        Cost of the offer to one customer who redeems it (coupon value, event seat).
    customer_value : float
        Value of keeping one customer (e.g. margin over the next year).
    uplift : float
        Share of targeted would-be churners the campaign keeps, in [0, 1].
    """

    contact_cost: float
    offer_cost: float
    customer_value: float
    uplift: float

    def __post_init__(self) -> None:
        for name in ("contact_cost", "offer_cost", "customer_value", "uplift"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) \
                    or not math.isfinite(value) or value < 0:
                raise ConfigError(f"{name} must be a finite number >= 0, got {value!r}.")
        if self.uplift > 1:
            raise ConfigError(f"uplift is a share of churners kept, in [0, 1]; got "
                              f"{self.uplift!r}.")


def _figures(p: np.ndarray, econ: CampaignEconomics) -> dict[str, float]:
    n = p.size
    saved = econ.uplift * float(p.sum())
    contact = econ.contact_cost * n
    offers = econ.offer_cost * float((1.0 - p + econ.uplift * p).sum())
    cost = contact + offers
    profit = econ.customer_value * saved - cost
    return {"n_targeted": n, "expected_churners": float(p.sum()), "saved": saved,
            "cost": cost, "profit": profit, "roi": profit / cost if cost > 0 else float("nan")}


def simulate_campaign(proba: Any, economics: CampaignEconomics, *,
                      thresholds: Any = None, segments: Any = None,
                      y: Any = None) -> pd.DataFrame:
    """Expected saved customers, cost, profit and ROI of targeting ``proba >= threshold``.

    Parameters
    ----------
    proba : array-like of shape (n,)
        Calibrated churn probabilities.
    economics : CampaignEconomics
    thresholds : sequence of float, optional
        Default 0.05, 0.10, ..., 0.95.
    segments : array-like of shape (n,), optional
        A segment per customer: rows for every segment, plus ``"all"``.
    y : array-like of shape (n,), optional
        True 0/1 churn: adds ``realised_saved`` and ``realised_profit``.

    Returns
    -------
    DataFrame
        ``segment, threshold, n_customers, n_targeted, expected_churners, saved, cost, profit,
        roi`` (and the realised columns), by segment then threshold.

    Examples
    --------
    >>> econ = CampaignEconomics(contact_cost=1, offer_cost=10, customer_value=100, uplift=0.5)
    >>> table = simulate_campaign([0.9, 0.1], econ, thresholds=[0.5])
    >>> table[["n_targeted", "saved", "cost", "profit"]].to_numpy().tolist()
    [[1.0, 0.45, 6.5, 38.5]]
    """
    if not isinstance(economics, CampaignEconomics):
        raise ConfigError("economics must be a CampaignEconomics.")
    p = np.asarray(proba, dtype=float)
    if p.ndim != 1 or p.size == 0:
        raise SchemaError(f"proba must be a non-empty 1-D array, got shape {p.shape}.")
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise SchemaError("proba must hold probabilities in [0, 1] without missing values.")
    grid = np.asarray(_GRID if thresholds is None else thresholds, dtype=float)
    labels = None if y is None else np.asarray(y, dtype=float)
    if labels is not None and labels.shape != p.shape:
        raise SchemaError(f"y has {labels.size} rows but proba has {p.size}.")
    groups = np.full(p.size, "all", dtype=object) if segments is None else \
        np.asarray(segments, dtype=object).astype(str)
    if groups.shape != p.shape:
        raise SchemaError(f"segments has {groups.size} rows but proba has {p.size}.")
    names = ["all"] + ([] if segments is None else sorted(set(groups.tolist()) - {"all"}))
    rows: list[dict[str, Any]] = []
    for name in names:
        member = np.ones(p.size, bool) if name == "all" else groups == name
        for threshold in grid:
            chosen = member & (p >= threshold)
            row = {"segment": name, "threshold": float(threshold),
                   "n_customers": int(member.sum()), **_figures(p[chosen], economics)}
            if labels is not None:
                real = _figures(labels[chosen], economics)
                row["realised_saved"], row["realised_profit"] = real["saved"], real["profit"]
            rows.append(row)
    table = pd.DataFrame(rows)
    table["n_targeted"] = table["n_targeted"].astype(float)
    return table


def best_thresholds(table: pd.DataFrame) -> pd.DataFrame:
    """The most profitable threshold of each segment of a :func:`simulate_campaign` table."""
    best = table.loc[table.groupby("segment", sort=False)["profit"].idxmax()]
    return best.reset_index(drop=True)
