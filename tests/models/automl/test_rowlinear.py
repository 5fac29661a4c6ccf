"""One row's linear scores over its non-zero entries, as scipy's sparse product sums them."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from jogak.models.automl import _rowlinear
from jogak.models.automl._rowlinear import nonzero_dot


def _wide_row(seed: int, width: int = 40_000, nonzero: int = 700) -> np.ndarray:
    rng = np.random.default_rng(seed)
    row = np.zeros(width)
    row[rng.choice(width, nonzero, replace=False)] = rng.normal(scale=0.1, size=nonzero)
    return row


@pytest.mark.parametrize("n_outputs", [None, 1, 3])
def test_a_wide_text_like_row_sums_like_the_sparse_product_of_the_frame_path(
        n_outputs: int | None) -> None:
    rng = np.random.default_rng(1)
    row = _wide_row(0)
    coef = rng.normal(size=row.size if n_outputs is None else (row.size, n_outputs))
    expected = sparse.csr_matrix(row[None, :]) @ coef  # column order, as a CSR row
    got = nonzero_dot(row, coef)
    assert got.shape == expected.shape == ((1,) if n_outputs is None else (1, n_outputs))
    if _rowlinear.COMPILED_DOT:
        np.testing.assert_array_equal(got, expected)
    np.testing.assert_allclose(got, row[None, :] @ coef, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("row", [np.zeros(5), np.array([0.0, -0.0, 2.5, 0.0, -1e300]),
                                 np.array([1.0, np.nan, 0.0, 3.0, 0.0])],
                         ids=["all_zero", "huge_negative", "missing"])
def test_edge_rows_give_what_the_full_product_gives(row: np.ndarray) -> None:
    coef = np.array([[0.5, -1.0], [2.0, 0.0], [1.0, 1.0], [3.0, 3.0], [1e-300, 2.0]])
    np.testing.assert_array_equal(np.isnan(nonzero_dot(row, coef)), np.isnan(row @ coef)[None])
    np.testing.assert_allclose(nonzero_dot(row, coef), (row @ coef)[None], rtol=1e-12)


def test_without_numba_the_gathered_product_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    row, coef = _wide_row(2, width=2_000, nonzero=50), np.linspace(-1.0, 1.0, 2_000)
    compiled = nonzero_dot(row, coef)
    monkeypatch.setattr(_rowlinear, "COMPILED_DOT", False)
    np.testing.assert_allclose(nonzero_dot(row, coef), compiled, rtol=1e-12)
    assert nonzero_dot(row, coef).shape == (1,)
