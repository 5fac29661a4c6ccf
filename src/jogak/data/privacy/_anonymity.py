"""k-anonymity and l-diversity of a table on declared quasi-identifiers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError, SchemaError

__all__ = ["AnonymityReport", "k_anonymity", "l_diversity", "suppress_small_classes"]


@dataclass(frozen=True)
class AnonymityReport:
    """How well a table hides people among others sharing their quasi-identifiers.

    Attributes
    ----------
    quasi_identifiers : tuple of str
    k : int
        Size of the smallest equivalence class (rows sharing all quasi-identifier values):
        the table is k-anonymous for this k.
    n_rows, n_classes : int
    smallest_classes : pandas.DataFrame
        The smallest classes, smallest first: the quasi-identifier values, ``n_rows`` and,
        with a sensitive column, ``n_distinct`` and ``entropy``.
    sensitive : str or None
    l_distinct : int or None
        Fewest distinct sensitive values in a class (distinct l-diversity).
    l_entropy : float or None
        ``exp`` of the lowest entropy of the sensitive values in a class (entropy
        l-diversity): at most ``l_distinct``, equal when every class is balanced.
    """

    quasi_identifiers: tuple[str, ...]
    k: int
    n_rows: int
    n_classes: int
    smallest_classes: pd.DataFrame
    sensitive: str | None = None
    l_distinct: int | None = None
    l_entropy: float | None = None

    def n_rows_below(self, k: int) -> int:
        """Rows in classes smaller than ``k`` (those :func:`suppress_small_classes` drops)."""
        return int(self.class_sizes_below(k).sum())

    def class_sizes_below(self, k: int) -> pd.Series:
        """Sizes of the classes smaller than ``k`` among the reported smallest classes."""
        sizes = self.smallest_classes["n_rows"]
        return sizes[sizes < k]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (class values as text)."""
        smallest = self.smallest_classes.astype(object).where(self.smallest_classes.notna(),
                                                              None)
        records = [{str(k): (v if isinstance(v, int | float | str) or v is None else str(v))
                    for k, v in row.items()} for row in smallest.to_dict(orient="records")]
        return {"quasi_identifiers": list(self.quasi_identifiers), "k": self.k,
                "n_rows": self.n_rows, "n_classes": self.n_classes,
                "sensitive": self.sensitive, "l_distinct": self.l_distinct,
                "l_entropy": self.l_entropy, "smallest_classes": records}


def _check(frame: pd.DataFrame, quasi_identifiers: Sequence[str], n_smallest: int,
           extra: Sequence[str] = ()) -> list[str]:
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"Expected a pandas DataFrame, got {type(frame).__name__}.")
    qis = [quasi_identifiers] if isinstance(quasi_identifiers, str) else list(quasi_identifiers)
    if not qis:
        raise ConfigError("Declare at least one quasi-identifier column (age band, gender, "
                          "region, ...).")
    absent = [c for c in [*qis, *extra] if c not in frame.columns]
    if absent:
        raise SchemaError(f"Columns {absent} are not in the table. Expected some of "
                          f"{[str(c) for c in frame.columns][:20]}.")
    if len(frame) == 0:
        raise SchemaError("k-anonymity needs at least one row; the table is empty.")
    if isinstance(n_smallest, bool) or not isinstance(n_smallest, int) or n_smallest < 1:
        raise ConfigError(f"n_smallest must be a positive integer, got {n_smallest!r}.")
    return qis


def k_anonymity(frame: pd.DataFrame, quasi_identifiers: Sequence[str], *,
                n_smallest: int = 10) -> AnonymityReport:
    """The k of ``frame`` on ``quasi_identifiers`` and its smallest classes.

    Missing values form a class value of their own (a missing age is not hidden among the
    others).

    Raises
    ------
    SchemaError
        An empty table or an absent column.
    ConfigError
        No quasi-identifier, or a bad ``n_smallest``.

    Examples
    --------
    >>> table = pd.DataFrame({"age": ["30-39", "30-39", "40-49"], "sex": ["F", "F", "M"]})
    >>> report = k_anonymity(table, ["age", "sex"])
    >>> report.k, report.n_classes
    (1, 2)
    """
    qis = _check(frame, quasi_identifiers, n_smallest)
    sizes = frame.groupby(qis, dropna=False, observed=True, sort=False).size()
    table = sizes.rename("n_rows").reset_index()
    table = table.sort_values("n_rows", kind="stable").head(n_smallest).reset_index(drop=True)
    return AnonymityReport(quasi_identifiers=tuple(qis), k=int(sizes.min()), n_rows=len(frame),
                           n_classes=int(len(sizes)), smallest_classes=table)


def l_diversity(frame: pd.DataFrame, quasi_identifiers: Sequence[str], sensitive: str, *,
                n_smallest: int = 10) -> AnonymityReport:
    """k-anonymity plus the l-diversity of ``sensitive`` within each class.

    ``l_distinct`` is the fewest distinct (non-missing) sensitive values in a class;
    ``l_entropy`` is ``exp(min over classes of the entropy of the sensitive values)``. The
    smallest classes are those with the fewest distinct sensitive values, then fewest rows.

    Examples
    --------
    >>> table = pd.DataFrame({"age": ["30-39"] * 3 + ["40-49"] * 2,
    ...                       "disease": ["flu", "flu", "cold", "flu", "flu"]})
    >>> report = l_diversity(table, ["age"], "disease")
    >>> report.k, report.l_distinct
    (2, 1)
    """
    qis = _check(frame, quasi_identifiers, n_smallest, extra=[sensitive])
    if sensitive in qis:
        raise ConfigError(f"The sensitive column {sensitive!r} cannot also be a "
                          "quasi-identifier.")
    keys = frame[qis]
    groups = pd.MultiIndex.from_frame(keys.astype(object).where(keys.notna(), None))
    codes = pd.factorize(groups)[0]
    values = frame[sensitive]
    counts = pd.DataFrame({"cls": codes, "value": values}).dropna() \
        .groupby(["cls", "value"], observed=True, sort=False).size()
    by_class = counts.groupby(level="cls")
    distinct = by_class.size().reindex(range(codes.max() + 1), fill_value=0)
    shares = counts / by_class.transform("sum")
    entropy = (-(shares * np.log(shares))).groupby(level="cls").sum() \
        .reindex(range(codes.max() + 1), fill_value=0.0)
    sizes = np.bincount(codes)
    first = pd.Series(range(len(frame))).groupby(codes).first()
    table = keys.iloc[first.to_numpy()].reset_index(drop=True)
    table["n_rows"] = sizes
    table["n_distinct"] = distinct.to_numpy()
    table["entropy"] = entropy.to_numpy()
    table = table.sort_values(["n_distinct", "n_rows"], kind="stable").head(n_smallest) \
        .reset_index(drop=True)
    return AnonymityReport(quasi_identifiers=tuple(qis), k=int(sizes.min()), n_rows=len(frame),
                           n_classes=int(len(sizes)), smallest_classes=table,
                           sensitive=sensitive, l_distinct=int(distinct.min()),
                           l_entropy=float(np.exp(entropy.min())))


def suppress_small_classes(frame: pd.DataFrame, quasi_identifiers: Sequence[str],
                           k: int) -> pd.DataFrame:
    """``frame`` without the rows of classes smaller than ``k`` (record suppression).

    Examples
    --------
    >>> table = pd.DataFrame({"age": ["30-39", "30-39", "40-49"]})
    >>> len(suppress_small_classes(table, ["age"], k=2))
    2
    """
    qis = _check(frame, quasi_identifiers, 1)
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ConfigError(f"k must be a positive integer, got {k!r}.")
    sizes = frame.groupby(qis, dropna=False, observed=True, sort=False)[qis[0]] \
        .transform("size")
    return frame[sizes.to_numpy() >= k]
