"""Sparse blocks side by side without a copy when there is only one."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["side_by_side"]


def side_by_side(blocks: list[Any]) -> sp.csr_matrix:
    """``scipy.sparse.hstack(blocks, format="csr", dtype=float64)``, but a single float64 CSR
    block comes back as it is.

    scipy copies even one block; a text-only table's TF-IDF went through two such copies per
    prediction (the text step's and the column transformer's), 2.5 ms of a 10k-row batch each.
    The block is not changed afterwards: callers only read it.
    """
    if len(blocks) == 1 and sp.issparse(blocks[0]) and blocks[0].format == "csr" \
            and blocks[0].dtype == np.float64:
        return blocks[0]
    return sp.hstack([sp.csr_matrix(block) for block in blocks], format="csr",
                     dtype=np.float64)
