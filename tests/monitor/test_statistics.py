"""Every drift statistic against a hand computation with numpy/scipy on fixed samples."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from jogak.errors import ConfigError
from jogak.monitor import (
    PSI_EPSILON,
    bin_counts,
    chi_square_test,
    jensen_shannon,
    ks_test,
    psi,
    quantile_edges,
    wasserstein_norm,
    z_test,
)

REFERENCE = np.array([1.0, 2.0, 2.0, 3.0, 4.0, 5.0, 5.0, 6.0, 7.0, 9.0])
CURRENT = np.array([2.0, 3.0, 4.0, 6.0, 6.0, 7.0, 8.0, 9.0, 9.0, 11.0, 12.0])


def test_quantile_edges_and_counts_by_hand() -> None:
    # deciles of 0..9 at 0.9, 1.8, ...; five bins -> the 20/40/60/80 % quantiles
    edges = quantile_edges(np.arange(10.0), n_bins=5)
    np.testing.assert_allclose(edges, [1.8, 3.6, 5.4, 7.2])
    # bins: (-inf,1.8) [1.8,3.6) [3.6,5.4) [5.4,7.2) [7.2,inf)
    assert bin_counts(np.array([-5.0, 1.8, 2.0, 3.6, 7.2, 100.0, np.nan]), edges).tolist() == \
        [1, 2, 1, 0, 2]
    # ties merge bins: the deciles of seven 0s and three 1s are 0 (x6), 0.3 and 1 (x2)
    np.testing.assert_allclose(quantile_edges(np.array([0.0] * 7 + [1.0] * 3), n_bins=10),
                               [0.0, 0.3, 1.0])


def test_psi_by_hand() -> None:
    ref = np.array([10, 20, 30, 40])
    cur = np.array([20, 20, 20, 40])
    r, c = ref / 100, cur / 100
    expected = float(np.sum((c - r) * np.log(c / r)))
    assert psi(ref, cur) == pytest.approx(expected, rel=1e-12)
    assert psi(ref, ref) == 0.0


def test_psi_replaces_empty_bins_by_epsilon() -> None:
    ref, cur = np.array([50, 50, 0]), np.array([40, 40, 20])
    r = np.array([0.5, 0.5, PSI_EPSILON])
    c = np.array([0.4, 0.4, 0.2])
    assert psi(ref, cur) == pytest.approx(float(np.sum((c - r) * np.log(c / r))))
    assert PSI_EPSILON == 1e-4


def test_psi_on_quantile_bins_of_fixed_samples() -> None:
    edges = quantile_edges(REFERENCE, n_bins=10)
    ref_counts, cur_counts = bin_counts(REFERENCE, edges), bin_counts(CURRENT, edges)
    assert ref_counts.sum() == 10
    assert cur_counts.sum() == 11
    # hand: same bins through numpy's digitize on the quantiles
    hand_edges = np.unique(np.quantile(REFERENCE, np.arange(1, 10) / 10))
    hand_ref = np.bincount(np.digitize(REFERENCE, hand_edges), minlength=len(hand_edges) + 1)
    hand_cur = np.bincount(np.digitize(CURRENT, hand_edges), minlength=len(hand_edges) + 1)
    r = np.where(hand_ref > 0, hand_ref / 10, 1e-4)
    c = np.where(hand_cur > 0, hand_cur / 11, 1e-4)
    assert psi(ref_counts, cur_counts) == pytest.approx(float(np.sum((c - r) * np.log(c / r))))


def test_ks_equals_scipy_and_the_largest_cdf_gap() -> None:
    statistic, p_value = ks_test(REFERENCE, CURRENT)
    grid = np.union1d(REFERENCE, CURRENT)
    cdf_ref = np.searchsorted(np.sort(REFERENCE), grid, side="right") / len(REFERENCE)
    cdf_cur = np.searchsorted(np.sort(CURRENT), grid, side="right") / len(CURRENT)
    assert statistic == pytest.approx(np.max(np.abs(cdf_ref - cdf_cur)))
    assert p_value == pytest.approx(stats.ks_2samp(REFERENCE, CURRENT).pvalue)


def test_chi_square_of_homogeneity_by_hand() -> None:
    ref, cur = np.array([30, 50, 20]), np.array([20, 50, 30])
    table = np.vstack([ref, cur]).astype(float)
    expected = table.sum(axis=1, keepdims=True) * table.sum(axis=0) / table.sum()
    statistic = float(((table - expected) ** 2 / expected).sum())
    got_statistic, got_p = chi_square_test(ref, cur)
    assert got_statistic == pytest.approx(statistic)
    assert got_p == pytest.approx(stats.chi2.sf(statistic, df=2))
    # a category only the current data has stays defined; nothing to test with one category
    assert np.isfinite(chi_square_test(np.array([10, 0]), np.array([5, 5]))[1])
    assert chi_square_test(np.array([10, 0]), np.array([7, 0])) == (0.0, 1.0)


def test_z_test_by_hand() -> None:
    ref, cur = np.array([30, 70]), np.array([45, 55])
    pooled = 75 / 200
    z = (0.30 - 0.45) / math.sqrt(pooled * (1 - pooled) * (1 / 100 + 1 / 100))
    got_z, got_p = z_test(ref, cur)
    assert got_z == pytest.approx(z)
    assert got_p == pytest.approx(2 * (1 - stats.norm.cdf(abs(z))))
    assert z_test(np.array([10, 0]), np.array([5, 0])) == (0.0, 1.0)
    with pytest.raises(ConfigError, match="compares two categories"):
        z_test(np.array([1, 2, 3]), np.array([1, 2, 3]))


def test_jensen_shannon_by_hand() -> None:
    ref, cur = np.array([10, 30, 60]), np.array([30, 30, 40])
    p, q = ref / 100, cur / 100
    m = (p + q) / 2
    kl = lambda a, b: float(np.sum(a * np.log(a / b)))  # noqa: E731
    assert jensen_shannon(ref, cur) == pytest.approx(math.sqrt((kl(p, m) + kl(q, m)) / 2))
    assert jensen_shannon(ref, ref) == 0.0
    assert jensen_shannon(np.array([1, 0]), np.array([0, 1])) == pytest.approx(
        math.sqrt(math.log(2)))
    assert math.isnan(jensen_shannon(np.array([0, 0]), np.array([1, 1])))


def test_wasserstein_norm_by_hand() -> None:
    # equal-size samples: W1 is the mean gap between the sorted values
    ref = np.array([1.0, 2.0, 4.0, 7.0])
    cur = np.array([2.0, 2.0, 6.0, 10.0])
    w1 = np.mean(np.abs(np.sort(ref) - np.sort(cur)))
    assert wasserstein_norm(ref, cur) == pytest.approx(w1 / np.std(ref))
    assert wasserstein_norm(REFERENCE, CURRENT) == pytest.approx(
        stats.wasserstein_distance(REFERENCE, CURRENT) / np.std(REFERENCE))
    # a constant reference divides by 0.001, not by zero
    assert wasserstein_norm(np.ones(5), np.ones(5) + 0.01) == pytest.approx(10.0)
    assert wasserstein_norm(ref, cur, reference_std=2.0) == pytest.approx(w1 / 2.0)


def test_statistics_reject_mismatched_bins() -> None:
    with pytest.raises(ConfigError, match="two 1-D arrays of one length"):
        psi(np.array([1, 2]), np.array([1, 2, 3]))
    with pytest.raises(ConfigError, match="n_bins must be an integer >= 2"):
        quantile_edges(REFERENCE, n_bins=1)
