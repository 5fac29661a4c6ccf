"""HistGradientBoosting's trees for a few rows, compiled (numba) over flat node arrays.

scikit-learn predicts tree by tree: for one row, each of a model's trees is a Python call into
Cython (and the known-category bitsets are rebuilt per call), about 6 µs a tree, 0.3 ms for
51 trees. Here every tree's nodes sit in one set of arrays and one compiled loop walks them all,
adding the leaves to the raw prediction in scikit-learn's order (iteration by iteration), so the
result is the same to the bit. Without numba (extra ``fast``), :func:`flatten_hist_gb` returns
None and scikit-learn's loop serves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["COMPILED_TREES", "FlatTrees", "flatten_hist_gb", "linked"]

try:
    import numba
except ImportError:  # pragma: no cover - exercised where numba is not installed
    numba = None  # type: ignore[assignment]

COMPILED_TREES = numba is not None
"""Whether HistGradientBoosting rows are served by the compiled walk (the serving cost reads it)."""


@dataclass(frozen=True)
class FlatTrees:
    """Every tree of a fitted HistGradientBoosting model, node arrays end to end."""

    roots: np.ndarray  # first node of each tree, in scikit-learn's (iteration, output) order
    outputs: np.ndarray  # the output (class) each tree adds to
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray  # absolute node positions
    right: np.ndarray
    is_leaf: np.ndarray
    value: np.ndarray
    is_categorical: np.ndarray
    left_bitset: np.ndarray  # row of ``left_bitsets`` of a categorical split
    known_bitset: np.ndarray  # row of ``known_bitsets`` of the split's feature
    left_bitsets: np.ndarray
    known_bitsets: np.ndarray
    baseline: np.ndarray
    n_outputs: int

    def raw(self, X: np.ndarray) -> np.ndarray:
        """The raw prediction (baseline plus every tree) of each row of ``X``."""
        return _raw(np.ascontiguousarray(X, dtype=np.float64), self.roots, self.outputs,
                    self.feature, self.threshold, self.missing_left, self.left, self.right,
                    self.is_leaf, self.value, self.is_categorical, self.left_bitset,
                    self.known_bitset, self.left_bitsets, self.known_bitsets, self.baseline,
                    self.n_outputs)


def flatten_hist_gb(model: Any) -> FlatTrees | None:
    """The flat trees of a fitted HistGradientBoosting model (None without numba)."""
    if numba is None:
        return None
    known, f_idx_map = model._bin_mapper.make_known_categories_bitsets()
    parts: dict[str, list[np.ndarray]] = {name: [] for name in (
        "feature", "threshold", "missing_left", "left", "right", "is_leaf", "value",
        "is_categorical", "left_bitset", "known_bitset", "left_bitsets")}
    roots, outputs = [], []
    n_nodes = n_bitsets = 0
    for iteration in model._predictors:
        for k, predictor in enumerate(iteration):
            nodes = predictor.nodes
            roots.append(n_nodes)
            outputs.append(k)
            feature = nodes["feature_idx"].astype(np.int64)
            parts["feature"].append(feature)
            parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
            parts["missing_left"].append(nodes["missing_go_to_left"].astype(np.bool_))
            parts["left"].append(nodes["left"].astype(np.int64) + n_nodes)
            parts["right"].append(nodes["right"].astype(np.int64) + n_nodes)
            parts["is_leaf"].append(nodes["is_leaf"].astype(np.bool_))
            parts["value"].append(nodes["value"].astype(np.float64))
            parts["is_categorical"].append(nodes["is_categorical"].astype(np.bool_))
            parts["left_bitset"].append(nodes["bitset_idx"].astype(np.int64) + n_bitsets)
            parts["known_bitset"].append(np.asarray(f_idx_map, dtype=np.int64)[feature])
            bitsets = np.asarray(predictor.raw_left_cat_bitsets, dtype=np.uint32).reshape(-1, 8)
            parts["left_bitsets"].append(bitsets)
            n_nodes += len(nodes)
            n_bitsets += len(bitsets)
    joined = {name: np.concatenate(arrays) if arrays else np.zeros(0)
              for name, arrays in parts.items()}
    if not n_bitsets:
        joined["left_bitsets"] = np.zeros((0, 8), dtype=np.uint32)
    baseline = np.asarray(model._baseline_prediction, dtype=np.float64).reshape(-1)
    return FlatTrees(roots=np.asarray(roots, dtype=np.int64),
                     outputs=np.asarray(outputs, dtype=np.int64),
                     known_bitsets=np.ascontiguousarray(known, dtype=np.uint32).reshape(-1, 8),
                     baseline=baseline, n_outputs=int(model.n_trees_per_iteration_), **joined)


if numba is not None:
    @numba.njit(cache=True, nogil=True)
    def _in_bitset(bitsets: np.ndarray, row: int, value: float) -> bool:
        code = np.int64(value) & 255  # scikit-learn casts to uint8
        return (bitsets[row, code >> 5] >> np.uint32(code & 31)) & np.uint32(1) == 1

    @numba.njit(cache=True, nogil=True)
    def _raw(X: np.ndarray, roots: np.ndarray, outputs: np.ndarray, feature: np.ndarray,
             threshold: np.ndarray, missing_left: np.ndarray, left: np.ndarray,
             right: np.ndarray, is_leaf: np.ndarray, value: np.ndarray,
             is_categorical: np.ndarray, left_bitset: np.ndarray, known_bitset: np.ndarray,
             left_bitsets: np.ndarray, known_bitsets: np.ndarray, baseline: np.ndarray,
             n_outputs: int) -> np.ndarray:
        raw = np.empty((X.shape[0], n_outputs), dtype=np.float64)
        for r in range(X.shape[0]):
            for k in range(n_outputs):
                raw[r, k] = baseline[k] if baseline.size > 1 else baseline[0]
            for t in range(roots.size):
                node = roots[t]
                while not is_leaf[node]:
                    x = X[r, feature[node]]
                    if np.isnan(x):
                        go_left = missing_left[node]
                    elif is_categorical[node]:
                        if x < 0:
                            go_left = missing_left[node]
                        elif _in_bitset(left_bitsets, left_bitset[node], x):
                            go_left = True
                        elif _in_bitset(known_bitsets, known_bitset[node], x):
                            go_left = False
                        else:  # an unknown category goes the missing values' way
                            go_left = missing_left[node]
                    else:
                        go_left = x <= threshold[node]
                    node = left[node] if go_left else right[node]
                raw[r, outputs[t]] += value[node]
        return raw

    @numba.njit(cache=True, nogil=True)
    def linked(raw: np.ndarray, link: int, scale: float) -> np.ndarray:
        """Raw sums ``(n, outputs)`` through a link, in float64 as LightGBM and CatBoost
        compute them: 0 none; 1 the sigmoid of ``scale * x``, as ``(n, 2)`` probabilities
        ``[1 - p, p]``; 2 a softmax (shifted by the row's largest sum)."""
        n_rows, n_outputs = raw.shape
        if link == 0:
            return raw
        if link == 1:
            out = np.empty((n_rows, 2), dtype=np.float64)
            for r in range(n_rows):
                positive = 1.0 / (1.0 + math.exp(-scale * raw[r, 0]))
                out[r, 0] = 1.0 - positive
                out[r, 1] = positive
            return out
        out = np.empty((n_rows, n_outputs), dtype=np.float64)
        for r in range(n_rows):
            top = raw[r, 0]
            for k in range(1, n_outputs):
                top = max(top, raw[r, k])
            total = 0.0
            for k in range(n_outputs):
                out[r, k] = math.exp(raw[r, k] - top)
                total += out[r, k]
            for k in range(n_outputs):
                out[r, k] /= total
        return out

else:  # pragma: no cover
    def _raw(*args: Any) -> Any:
        raise RuntimeError("numba is not installed")

    linked = _raw
