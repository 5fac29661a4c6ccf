from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from jogak.pipeline._sparse import side_by_side


def test_one_float64_csr_block_is_returned_without_a_copy() -> None:
    block = sp.random(50, 400, density=0.02, format="csr", random_state=0)
    assert side_by_side([block]) is block


def test_several_or_other_blocks_are_stacked_as_scipy_does() -> None:
    rng = np.random.default_rng(1)
    sparse = sp.random(6, 5, density=0.3, format="csr", random_state=1)
    dense = rng.normal(size=(6, 2))
    narrow = sp.random(6, 3, density=0.5, format="csc", random_state=2).astype(np.float32)
    for blocks in ([sparse, dense], [narrow], [sparse, narrow, dense]):
        stacked = side_by_side(blocks)
        assert stacked.format == "csr"
        assert stacked.dtype == np.float64
        expected = np.hstack([b.toarray() if sp.issparse(b) else b for b in blocks])
        np.testing.assert_array_equal(stacked.toarray(), expected.astype(np.float64))
        assert stacked is not blocks[0]
