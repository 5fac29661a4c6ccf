"""Grade stability between periods: the population stability index (PSI) of the grade mix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from jogak.errors import SchemaError
from jogak.monitor import PSI_EPSILON, psi

__all__ = ["GradeStability", "grade_stability"]

StabilityLevel = Literal["stable", "moderate shift", "major shift"]


def _level(psi: float) -> StabilityLevel:
    if psi < 0.1:
        return "stable"
    return "moderate shift" if psi < 0.25 else "major shift"


@dataclass(frozen=True)
class GradeStability:
    """How the grade mix moved between a reference period and a current one.

    Attributes
    ----------
    psi : float
        Population stability index of the grade shares.
    level : {"stable", "moderate shift", "major shift"}
        The usual reading: under 0.1 stable, 0.1-0.25 moderate, above 0.25 major.
    table : pandas.DataFrame
        ``grade, reference_share, current_share, psi_term`` per grade.
    """

    psi: float
    level: StabilityLevel
    table: pd.DataFrame = field(repr=False)


def grade_stability(reference: Any, current: Any, labels: Sequence[str]) -> GradeStability:
    """PSI of the grade mix of ``current`` against ``reference``.

    Parameters
    ----------
    reference : array-like of str, or pandas.Series indexed by grade
        Grades of the reference period, or the reference shares per grade (as
        :attr:`GradeScale.shares`).
    current : array-like of str, or pandas.Series indexed by grade
        Grades (or shares) of the period to check.
    labels : sequence of str
        All grade labels, best first.
    """
    ref = _shares(reference, labels, "reference")
    cur = _shares(current, labels, "current")
    value = psi(ref, cur)  # jogak.monitor's PSI: empty grades count as a share of 1e-4
    e = np.where(ref > 0, ref, PSI_EPSILON)
    a = np.where(cur > 0, cur, PSI_EPSILON)
    table = pd.DataFrame({"grade": list(labels), "reference_share": ref, "current_share": cur,
                          "psi_term": (a - e) * np.log(a / e)})
    return GradeStability(value, _level(value), table)


def _shares(values: Any, labels: Sequence[str], name: str) -> np.ndarray:
    if isinstance(values, pd.Series) and values.index.isin(list(labels)).all() and \
            pd.api.types.is_numeric_dtype(values) and len(values) <= len(labels):
        shares = values.reindex(list(labels), fill_value=0.0).to_numpy(dtype=np.float64)
    else:
        grades = pd.Series(np.asarray(values, dtype=object))
        if grades.empty:
            raise SchemaError(f"The {name} period has no grades.")
        unknown = sorted(set(grades.dropna().astype(str)) - set(labels))
        if unknown or grades.isna().any():
            raise SchemaError(f"The {name} grades hold values outside {list(labels)}: "
                              f"{unknown[:5] or ['missing']}.")
        shares = grades.astype(str).value_counts().reindex(list(labels), fill_value=0) \
            .to_numpy(dtype=np.float64)
    total = shares.sum()
    if total <= 0:
        raise SchemaError(f"The {name} grade shares sum to {total}; expected a positive total.")
    return shares / total
