"""RFM: recency, frequency and monetary value per customer, quintile scores, named segments."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from jogak.errors import SchemaError
from jogak.solutions.commerce._transactions import read_transactions, to_day

__all__ = ["SEGMENT_RULES", "SEGMENTS", "rfm", "rfm_segment", "quintile_scores"]

#: The segment of every (r_score, f_score) cell: the classic R x F grid, folded into the
#: issue's eight names. Checked in this order; every cell matches exactly one rule.
SEGMENT_RULES: tuple[tuple[str, str], ...] = (
    ("Champions", "R = 5 and F >= 4"),
    ("Loyal", "R in 3-4 and F >= 4, or R = 3 and F = 3"),
    ("Potential loyalist", "R in 4-5 and F in 2-3, or R = 4 and F = 1"),
    ("New", "R = 5 and F = 1"),
    ("At risk", "R <= 2 and F in 3-4"),
    ("Can't lose", "R <= 2 and F = 5"),
    ("Hibernating", "R in 2-3 and F <= 2"),
    ("Lost", "R = 1 and F <= 2"),
)
SEGMENTS = tuple(name for name, _ in SEGMENT_RULES)

# rows: r_score 1..5, columns: f_score 1..5
_GRID = np.array([
    ["Lost", "Lost", "At risk", "At risk", "Can't lose"],
    ["Hibernating", "Hibernating", "At risk", "At risk", "Can't lose"],
    ["Hibernating", "Hibernating", "Loyal", "Loyal", "Loyal"],
    ["Potential loyalist", "Potential loyalist", "Potential loyalist", "Loyal", "Loyal"],
    ["New", "Potential loyalist", "Potential loyalist", "Champions", "Champions"],
], dtype=object)


def quintile_scores(values: pd.Series, *, higher_is_better: bool = True) -> pd.Series:
    """Scores 1-5 by the share of customers strictly worse: ``1 + floor(5 * below / n)``.

    Ties share a score (the lowest rank of the tie decides), so equal values always score the
    same and a score of ``s`` says that at least ``(s - 1) / 5`` of the customers are worse.
    With ``higher_is_better=False`` (recency) smaller values score higher.

    Examples
    --------
    >>> quintile_scores(pd.Series([1, 1, 2, 3, 4, 5, 6, 7, 8, 9])).tolist()
    [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    """
    ranked = values if higher_is_better else -values
    below = ranked.rank(method="min") - 1
    return (1 + np.floor(5 * below / len(values))).clip(1, 5).astype("int64")


def rfm_segment(r_score: pd.Series, f_score: pd.Series) -> pd.Series:
    """The named segment of each customer from their R and F scores (see SEGMENT_RULES)."""
    cells = _GRID[r_score.to_numpy(dtype=int) - 1, f_score.to_numpy(dtype=int) - 1]
    return pd.Series(cells, index=r_score.index, name="segment", dtype="str")


def rfm(transactions: pd.DataFrame, *, customer_col: str, date_col: str, amount_col: str,
        order_col: str | None = None, as_of: str | date | pd.Timestamp | None = None
        ) -> pd.DataFrame:
    """Recency, frequency, monetary value, quintile scores and segment of each customer.

    Parameters
    ----------
    transactions : DataFrame
        One row per purchase or order line.
    customer_col, date_col, amount_col : str
        Customer id, purchase date (ISO 8601 or ``YYYYMMDD``; a time of day is ignored) and
        amount.
    order_col : str, optional
        Order id. ``frequency`` counts distinct orders with it, distinct purchase days
        without it.
    as_of : date-like, optional
        The day recency is measured to; default the day after the last purchase in the data.
        Purchases after ``as_of`` are left out.

    Returns
    -------
    DataFrame
        One row per customer, sorted by customer: ``customer_col``, ``recency_days`` (whole
        calendar days from the last purchase day to ``as_of``), ``frequency``, ``monetary``
        (total amount), ``r_score``, ``f_score``, ``m_score`` (1-5, see
        :func:`quintile_scores`; recency inverted), ``rfm_score`` (e.g. ``"545"``) and
        ``segment`` (see :data:`SEGMENT_RULES`).

    Raises
    ------
    SchemaError
        Columns missing, dates that do not parse, bad amounts, or no purchase on or before
        ``as_of``.

    Examples
    --------
    >>> tx = pd.DataFrame({"c": ["a", "a", "b"], "d": ["2024-01-01", "2024-01-05", "2024-01-03"],
    ...                    "amt": [10.0, 5.0, 7.0]})
    >>> rfm(tx, customer_col="c", date_col="d", amount_col="amt")[
    ...     ["c", "recency_days", "frequency", "monetary"]].to_dict("records")
    [{'c': 'a', 'recency_days': 1, 'frequency': 2, 'monetary': 15.0}, \
{'c': 'b', 'recency_days': 3, 'frequency': 1, 'monetary': 7.0}]
    """
    tx = read_transactions(transactions, customer_col=customer_col, date_col=date_col,
                           amount_col=amount_col, order_col=order_col)
    last_day = tx.day.max()
    day_as_of = to_day(as_of, "as_of") or last_day + pd.Timedelta(days=1)
    keep = (tx.day <= day_as_of).to_numpy()
    if not keep.any():
        raise SchemaError(f"No purchase on or before as_of {day_as_of.date()}; the first is on "
                          f"{tx.day.min().date()}.")
    frame = pd.DataFrame({"customer": tx.customer[keep], "day": tx.day[keep],
                          "amount": tx.amount[keep] if tx.amount is not None else 0.0})
    if tx.order is not None:
        frame["purchase"] = tx.order[keep]
    else:
        frame["purchase"] = frame["day"]
    grouped = frame.groupby("customer", sort=True, observed=True)
    out = pd.DataFrame({
        "recency_days": (day_as_of - grouped["day"].max()).dt.days.astype("int64"),
        "frequency": grouped["purchase"].nunique().astype("int64"),
        "monetary": grouped["amount"].sum().astype(float),
    })
    out["r_score"] = quintile_scores(out["recency_days"], higher_is_better=False)
    out["f_score"] = quintile_scores(out["frequency"])
    out["m_score"] = quintile_scores(out["monetary"])
    out["rfm_score"] = (out["r_score"].astype(str) + out["f_score"].astype(str)
                        + out["m_score"].astype(str))
    out["segment"] = rfm_segment(out["r_score"], out["f_score"])
    out.index.name = customer_col
    return out.reset_index()
