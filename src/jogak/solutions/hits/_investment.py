"""Investment scoring: predicted hit size -> revenue -> holders' return and a risk grade."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError

__all__ = ["RISK_GRADES", "InvestmentTerms", "investment_board"]

#: Risk grades, best first, by the return at the interval's lower bound.
RISK_GRADES = ("A", "B", "C", "D", "E")


@dataclass(frozen=True, kw_only=True)
class InvestmentTerms:
    """How a predicted hit size becomes money for token holders.

    Parameters
    ----------
    revenue_per_unit : float
        Revenue per unit of the predicted quantity: per ticket for films (KRW), per month on
        the chart for songs.
    holder_share : float
        Share of revenue paid to token holders, in (0, 1].
    costs : float, default 0
        Fixed costs taken from the holders' share before payout.
    raise_amount : float
        Money raised from token holders for this title (the investment).
    unit : {"audience", "months_on_chart"}, default "audience"
        What the predictions count (for the board's labels).

    Examples
    --------
    >>> InvestmentTerms(revenue_per_unit=10_000, holder_share=0.3, raise_amount=1e9).costs
    0.0
    """

    revenue_per_unit: float
    holder_share: float
    raise_amount: float
    costs: float = 0.0
    unit: Literal["audience", "months_on_chart"] = "audience"

    def __post_init__(self) -> None:
        if not np.isfinite(self.revenue_per_unit) or self.revenue_per_unit <= 0:
            raise ConfigError(f"revenue_per_unit must be > 0, got {self.revenue_per_unit!r}.")
        if not 0.0 < self.holder_share <= 1.0:
            raise ConfigError(f"holder_share must be in (0, 1], got {self.holder_share!r}.")
        if not np.isfinite(self.raise_amount) or self.raise_amount <= 0:
            raise ConfigError(f"raise_amount must be > 0, got {self.raise_amount!r}.")
        if not np.isfinite(self.costs) or self.costs < 0:
            raise ConfigError(f"costs must be >= 0, got {self.costs!r}.")
        if self.unit not in ("audience", "months_on_chart"):
            raise ConfigError(f"unit must be 'audience' or 'months_on_chart', got {self.unit!r}.")

    def holder_return(self, quantity: np.ndarray) -> np.ndarray:
        """Return on the raise: ``(quantity * revenue * share - costs) / raise - 1``."""
        payout = np.asarray(quantity, dtype=float) * self.revenue_per_unit * self.holder_share
        return (np.clip(payout - self.costs, 0.0, None)) / self.raise_amount - 1.0


def _grade(low_return: np.ndarray, expected_return: np.ndarray) -> np.ndarray:
    grades = np.full(low_return.shape, "E", dtype=object)
    grades[expected_return > 0] = "D"  # profitable on average, may lose much
    grades[(expected_return > 0) & (low_return > -0.5)] = "C"
    grades[(expected_return > 0) & (low_return > -0.2)] = "B"
    grades[low_return >= 0] = "A"  # profitable even at the interval's lower bound
    return grades


def investment_board(titles: pd.Series, predicted: np.ndarray, interval: np.ndarray,
                     terms: InvestmentTerms) -> pd.DataFrame:
    """Rank titles by expected return, with the interval's returns and a risk grade.

    Grades: ``A`` profitable even at the lower bound; ``B`` expected profit and the lower bound
    loses under 20 %; ``C`` under 50 %; ``D`` expected profit otherwise; ``E`` expected loss.

    Parameters
    ----------
    titles : Series
        Title of each row.
    predicted : ndarray of shape (n,)
        Expected quantity (audience, months on chart).
    interval : ndarray of shape (n, 2)
        Lower and upper bound of the quantity.
    terms : InvestmentTerms

    Returns
    -------
    DataFrame
        ``rank, title, predicted, lower, upper, expected_revenue, expected_payout,
        expected_return, return_low, return_high, risk_grade``, best expected return first.

    Examples
    --------
    >>> terms = InvestmentTerms(revenue_per_unit=1.0, holder_share=1.0, raise_amount=100.0)
    >>> board = investment_board(pd.Series(["a", "b"]), np.array([50.0, 300.0]),
    ...                          np.array([[10.0, 90.0], [200.0, 400.0]]), terms)
    >>> board[["title", "expected_return", "risk_grade"]].values.tolist()
    [['b', 2.0, 'A'], ['a', -0.5, 'E']]
    """
    predicted = np.asarray(predicted, dtype=float)
    bounds = np.asarray(interval, dtype=float)
    if bounds.shape != (len(predicted), 2) or len(titles) != len(predicted):
        raise SchemaError(f"titles ({len(titles)}), predictions {predicted.shape} and the "
                          f"interval {bounds.shape} must describe the same rows (interval: n x 2).")
    if len(predicted) and (not np.isfinite(predicted).all() or (predicted < 0).any()):
        raise SchemaError("Predicted quantities must be finite and >= 0.")
    revenue = predicted * terms.revenue_per_unit
    board = pd.DataFrame({
        "title": pd.Series(titles).astype(str).str.strip().to_numpy(),
        "predicted": predicted, "lower": bounds[:, 0], "upper": bounds[:, 1],
        "expected_revenue": revenue,
        "expected_payout": np.clip(revenue * terms.holder_share - terms.costs, 0.0, None),
        "expected_return": terms.holder_return(predicted),
        "return_low": terms.holder_return(bounds[:, 0]),
        "return_high": terms.holder_return(bounds[:, 1]),
    })
    board["risk_grade"] = _grade(board["return_low"].to_numpy(),
                                 board["expected_return"].to_numpy())
    board = board.sort_values(["expected_return", "return_low"], ascending=False,
                              kind="stable", ignore_index=True)
    board.insert(0, "rank", np.arange(1, len(board) + 1))
    return board
