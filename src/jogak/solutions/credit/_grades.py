"""Customer grades A-E from score cut-offs chosen to meet target bad rates, and their stability."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression

from jogak.errors import ConfigError, SchemaError

__all__ = ["GradeConfig", "GradeScale", "fit_grade_scale"]


@dataclass(frozen=True, kw_only=True)
class GradeConfig:
    """How to grade: the labels, best first, and the bad rate each grade's customers may reach.

    Parameters
    ----------
    labels : sequence of str, default=("A", "B", "C", "D", "E")
        Grade names from the lowest risk to the highest (at least 2, unique).
    bad_rate_multiples : sequence of float, default=(0.4, 0.7, 1.0, 2.0)
        Highest bad rate of every grade but the last, as multiples of the portfolio's bad rate
        (strictly increasing, positive). Used unless ``bad_rates`` is given. With a 22 %
        portfolio: A up to 8.8 %, B up to 15.4 %, C up to 22 %, D up to 44 %, E above.
    bad_rates : sequence of float or None, default=None
        Absolute highest bad rates of every grade but the last (strictly increasing, in (0, 1)).
    min_share : float, default=0.02
        Smallest share of the rows a grade may hold.

    Examples
    --------
    >>> GradeConfig().targets(0.2)
    [0.08, 0.14, 0.2, 0.4]
    """

    labels: Sequence[str] = ("A", "B", "C", "D", "E")
    bad_rate_multiples: Sequence[float] = (0.4, 0.7, 1.0, 2.0)
    bad_rates: Sequence[float] | None = None
    min_share: float = 0.02

    def __post_init__(self) -> None:
        labels = tuple(str(label) for label in self.labels)
        object.__setattr__(self, "labels", labels)
        if len(labels) < 2 or len(set(labels)) != len(labels):
            raise ConfigError(f"GradeConfig.labels must be at least 2 unique names, got "
                              f"{list(labels)}.")
        targets = self.bad_rates if self.bad_rates is not None else self.bad_rate_multiples
        name = "bad_rates" if self.bad_rates is not None else "bad_rate_multiples"
        values = tuple(float(v) for v in targets)
        object.__setattr__(self, name, values)
        if len(values) != len(labels) - 1:
            raise ConfigError(f"GradeConfig.{name} needs one value per grade but the last "
                              f"({len(labels) - 1} for {list(labels)}), got {len(values)}.")
        if any(v <= 0 for v in values) or any(b <= a for a, b in zip(values, values[1:],
                                                                       strict=False)):
            raise ConfigError(f"GradeConfig.{name} must be positive and strictly increasing "
                              f"(a worse grade may have more bads), got {list(values)}.")
        if self.bad_rates is not None and values[-1] >= 1.0:
            raise ConfigError(f"GradeConfig.bad_rates must lie in (0, 1), got {list(values)}.")
        if not 0.0 < self.min_share < 1.0 / len(labels):
            raise ConfigError(f"GradeConfig.min_share must be in (0, 1/{len(labels)}), got "
                              f"{self.min_share!r}.")

    def targets(self, portfolio_bad_rate: float) -> list[float]:
        """Target bad rates of every grade but the last, for a portfolio's bad rate."""
        if self.bad_rates is not None:
            return list(self.bad_rates)
        return [round(m * portfolio_bad_rate, 12) for m in self.bad_rate_multiples]


@dataclass(frozen=True)
class GradeScale:
    """Fitted grades: a score at or above ``cutoffs[k]`` (and below the previous cut-off) is
    grade ``labels[k]``; scores below every cut-off get the last grade.

    Attributes
    ----------
    labels : tuple of str
    cutoffs : tuple of float
        Lowest score of each grade but the last, strictly decreasing.
    target_bad_rates : tuple of float
        The highest bad rate of each grade but the last, that the cut-offs were chosen for.
    table : pandas.DataFrame
        Per grade on the fitting rows: ``grade, min_score, max_score, count, share, n_bad,
        bad_rate, target_bad_rate, widened``.
    """

    labels: tuple[str, ...]
    cutoffs: tuple[float, ...]
    target_bad_rates: tuple[float, ...]
    table: pd.DataFrame = field(repr=False)

    def assign(self, scores: Any) -> np.ndarray:
        """Grade label of each score (higher score = lower risk = better grade)."""
        values = np.asarray(scores, dtype=np.float64)
        if np.isnan(values).any():
            raise SchemaError("Cannot grade a missing score. Hint: score every row first.")
        index = np.searchsorted(-np.asarray(self.cutoffs), -values, side="left")
        return np.asarray(self.labels, dtype=object)[index]

    @property
    def shares(self) -> pd.Series:
        """Share of the fitting rows in each grade (the reference for stability checks)."""
        return pd.Series(self.table["share"].to_numpy(), index=list(self.labels))


def fit_grade_scale(scores: Any, y: Any, config: GradeConfig | None = None) -> GradeScale:
    """Choose score cut-offs so every grade's customers stay within its target bad rate.

    The bad rate at each score is estimated by isotonic regression of the outcome on the score
    (non-increasing: a higher score never means more risk). Grade ``k`` takes the scores whose
    estimated bad rate lies in ``(target[k-1], target[k]]``; the last grade the rest. Isotonic
    blocks average the outcomes they hold and grades take whole blocks, so each grade's observed
    bad rate lies in its band and bad rates strictly increase from the best grade to the worst.
    A grade whose band holds fewer than ``min_share`` of the rows is widened to that share
    towards riskier scores (``widened`` in the table; its bad rate may then pass its target).
    A grade whose band would leave the riskier grades less than ``min_share`` each ends early
    instead (its bad rate then stays under its target).
    Tied scores never straddle a cut-off. The result is checked: grades whose bad rates do not
    strictly increase are refused.

    Parameters
    ----------
    scores : array-like of shape (n,)
        Scores, higher = lower risk (out-of-fold scores give honest grades).
    y : array-like of shape (n,)
        1 = bad, 0 = good.
    config : GradeConfig, optional

    Returns
    -------
    GradeScale

    Raises
    ------
    ConfigError
        When the grades' bad rates would not strictly increase, or too few distinct scores are
        left for the grades.
    """
    config = config or GradeConfig()
    s = np.asarray(scores, dtype=np.float64)
    bad = np.asarray(y, dtype=np.float64)
    if s.shape != bad.shape or s.ndim != 1:
        raise SchemaError(f"scores and y must be 1-D of the same length, got {s.shape} and "
                          f"{bad.shape}.")
    if np.isnan(s).any() or not np.isin(bad, (0.0, 1.0)).all():
        raise SchemaError("fit_grade_scale needs finite scores and a 0/1 target.")
    n = s.size
    n_grades = len(config.labels)
    if n < n_grades / config.min_share:
        raise SchemaError(f"Grading into {n_grades} grades of at least {config.min_share:.0%} "
                          f"needs at least {int(np.ceil(n_grades / config.min_share))} rows, "
                          f"got {n}.")
    targets = config.targets(float(bad.mean()))
    order = np.argsort(-s, kind="stable")
    s_sorted, bad_sorted = s[order], bad[order]
    local = IsotonicRegression(increasing=False).fit(s, bad).predict(s_sorted)
    # grade of each row by its local bad rate (rounded against float noise in block means);
    # non-decreasing along the sorted rows because the isotonic fit is
    natural = np.searchsorted(np.asarray(targets), np.round(local, 12), side="left")
    boundaries = np.concatenate([np.flatnonzero(np.diff(s_sorted) != 0) + 1, [n]])
    min_rows = int(np.ceil(config.min_share * n))
    edges, widened = [0], []
    for k in range(n_grades - 1):
        start = edges[-1]
        wanted = max(int(np.searchsorted(natural, k, side="right")), start + min_rows)
        limit = n - min_rows * (n_grades - 1 - k)  # rows the later grades need
        allowed = boundaries[(boundaries >= wanted) & (boundaries <= limit)]
        if allowed.size == 0:
            # the grade's natural band runs into the rows the riskier grades need: end it at
            # the last tie-free cut that leaves them their minimum share (a narrower grade)
            allowed = boundaries[(boundaries >= start + min_rows) & (boundaries <= limit)][-1:]
        if allowed.size == 0:
            raise ConfigError(
                f"Cannot cut grade {config.labels[k]!r}: too few distinct scores left for "
                f"{n_grades} grades of at least {config.min_share:.0%} each. Hint: use fewer "
                "grades or a smaller min_share.")
        end = int(allowed[0])
        widened.append(end > int(np.searchsorted(natural, k, side="right")))
        edges.append(end)
    edges.append(n)
    widened.append(n - edges[-2] < min_rows)
    rows = []
    for k, label in enumerate(config.labels):
        lo, hi = edges[k], edges[k + 1]
        members = bad_sorted[lo:hi]
        rows.append({"grade": label, "min_score": float(s_sorted[hi - 1]),
                     "max_score": float(s_sorted[lo]), "count": hi - lo, "share": (hi - lo) / n,
                     "n_bad": int(members.sum()), "bad_rate": float(members.mean()),
                     "target_bad_rate": targets[k] if k < len(targets) else float("nan"),
                     "widened": bool(widened[k])})
    table = pd.DataFrame(rows)
    rates = table["bad_rate"].to_numpy()
    if not np.all(np.diff(rates) > 0):
        shown = ", ".join(f"{g} {r:.1%}" for g, r in zip(config.labels, rates, strict=True))
        raise ConfigError(
            f"Grades for the target bad rates {[round(t, 4) for t in targets]} do not strictly "
            f"increase in bad rate ({shown}): the scores do not separate risk finely enough. "
            "Hint: use fewer grades, targets further apart, or a smaller min_share.")
    cutoffs = tuple((float(s_sorted[b - 1]) + float(s_sorted[b])) / 2.0 for b in edges[1:-1])
    return GradeScale(tuple(config.labels), cutoffs, tuple(targets), table)
