"""Drift statistics of one column: PSI, KS, chi-squared, two-proportion z, Jensen-Shannon,
normalised Wasserstein. Pure functions of samples or bin counts."""

from __future__ import annotations

import numpy as np
from scipy import stats
from scipy.spatial import distance

from jogak.errors import ConfigError

__all__ = [
    "PSI_EPSILON",
    "bin_counts",
    "chi_square_test",
    "jensen_shannon",
    "ks_test",
    "psi",
    "quantile_edges",
    "wasserstein_norm",
    "z_test",
]

#: Share that replaces an empty bin in PSI, so that ``ln(0)`` never occurs (Evidently's choice).
PSI_EPSILON = 1e-4
#: Smallest reference standard deviation the Wasserstein distance is divided by.
MIN_STD = 1e-3


def quantile_edges(values: np.ndarray, n_bins: int = 10) -> np.ndarray:
    """The inner edges of ``n_bins`` quantile bins of ``values`` (ties merge bins).

    Bin ``i`` holds ``edges[i-1] <= x < edges[i]``; the first and last bins are open, so
    values outside the reference range land in them.

    Examples
    --------
    >>> quantile_edges(np.arange(10.0), n_bins=5).tolist()
    [1.8, 3.6, 5.4, 7.2]
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 2:
        raise ConfigError(f"n_bins must be an integer >= 2, got {n_bins!r}.")
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return np.array([], dtype=np.float64)
    inner = np.quantile(finite, np.linspace(0.0, 1.0, n_bins + 1)[1:-1])
    return np.unique(inner)


def bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """How many finite ``values`` fall in each of the ``len(edges) + 1`` bins."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    index = np.searchsorted(np.asarray(edges, dtype=np.float64), finite, side="right")
    return np.bincount(index, minlength=len(edges) + 1).astype(np.int64)


def _shares(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.float64)
    total = counts.sum()
    return counts / total if total > 0 else np.zeros_like(counts)


def psi(reference_counts: np.ndarray, current_counts: np.ndarray, *,
        epsilon: float = PSI_EPSILON) -> float:
    """Population stability index ``sum((c - r) * ln(c / r))`` over bin shares.

    Shares of empty bins are replaced by ``epsilon``. Read: below 0.1 no significant change,
    0.1 to 0.25 a moderate change, 0.25 and above a major change.

    Examples
    --------
    >>> round(psi(np.array([50, 50]), np.array([25, 75])), 4)
    0.2747
    """
    ref, cur = _check_pair(reference_counts, current_counts)
    r = np.where(ref > 0, _shares(ref), epsilon)
    c = np.where(cur > 0, _shares(cur), epsilon)
    return float(np.sum((c - r) * np.log(c / r)))


def _check_pair(reference: np.ndarray, current: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ref = np.asarray(reference, dtype=np.float64)
    cur = np.asarray(current, dtype=np.float64)
    if ref.shape != cur.shape or ref.ndim != 1:
        raise ConfigError(f"Bin counts must be two 1-D arrays of one length, got shapes "
                          f"{ref.shape} and {cur.shape}.")
    return ref, cur


def jensen_shannon(reference_counts: np.ndarray, current_counts: np.ndarray) -> float:
    """Jensen-Shannon distance (natural log; 0 = same, at most ``sqrt(ln 2)`` ~ 0.833).

    The square root of the mean of the KL divergences of each distribution from their
    average; empty bins need no smoothing.

    Examples
    --------
    >>> round(jensen_shannon(np.array([1, 0]), np.array([0, 1])), 4)
    0.8326
    """
    ref, cur = _check_pair(reference_counts, current_counts)
    if ref.sum() == 0 or cur.sum() == 0:
        return float("nan")
    return float(distance.jensenshannon(_shares(ref), _shares(cur)))


def ks_test(reference: np.ndarray, current: np.ndarray) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov statistic and p-value (:func:`scipy.stats.ks_2samp`)."""
    result = stats.ks_2samp(np.asarray(reference, dtype=np.float64),
                            np.asarray(current, dtype=np.float64))
    return float(result.statistic), float(result.pvalue)


def chi_square_test(reference_counts: np.ndarray,
                    current_counts: np.ndarray) -> tuple[float, float]:
    """Chi-squared test of homogeneity of two category count vectors (no continuity correction).

    Unlike a goodness-of-fit test against the reference shares, it stays defined when the
    current data has categories the reference never had. Categories absent from both are
    dropped; with one category left there is nothing to test (statistic 0, p-value 1).
    """
    ref, cur = _check_pair(reference_counts, current_counts)
    keep = (ref + cur) > 0
    if keep.sum() < 2 or ref.sum() == 0 or cur.sum() == 0:
        return 0.0, 1.0
    result = stats.chi2_contingency(np.vstack([ref[keep], cur[keep]]), correction=False)
    return float(result.statistic), float(result.pvalue)


def z_test(reference_counts: np.ndarray, current_counts: np.ndarray) -> tuple[float, float]:
    """Two-proportion z-test on the share of the first of two categories (two-sided p-value)."""
    ref, cur = _check_pair(reference_counts, current_counts)
    if ref.shape != (2,):
        raise ConfigError(f"The z-test compares two categories, got {ref.shape[0]}.")
    n1, n2 = ref.sum(), cur.sum()
    if n1 == 0 or n2 == 0:
        return 0.0, 1.0
    pooled = (ref[0] + cur[0]) / (n1 + n2)
    spread = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if spread == 0:
        return 0.0, 1.0
    z = (ref[0] / n1 - cur[0] / n2) / spread
    return float(z), float(2 * stats.norm.sf(abs(z)))


def wasserstein_norm(reference: np.ndarray, current: np.ndarray, *,
                     reference_std: float | None = None) -> float:
    """Wasserstein-1 distance divided by the reference standard deviation (at least 0.001).

    ``reference_std`` (population, ``ddof=0``) defaults to that of ``reference``; pass the
    full reference's when ``reference`` is a sample of it.

    Examples
    --------
    >>> wasserstein_norm(np.array([0.0, 2.0]), np.array([1.0, 3.0]))
    1.0
    """
    ref = np.asarray(reference, dtype=np.float64)
    cur = np.asarray(current, dtype=np.float64)
    std = float(np.std(ref)) if reference_std is None else float(reference_std)
    return float(stats.wasserstein_distance(ref, cur) / max(std, MIN_STD))
