"""LightGBM's trees for a few rows, compiled (numba), as LightGBM's own predictor walks them.

``Booster.predict`` costs about 25 µs a call whatever the size of the model (argument checks, a
parameter string, a C call with its thread set-up); one row through 100 trees is one or two
microseconds of work. Here the trees of ``dump_model()`` (thresholds and leaves as the 17-digit
decimals LightGBM writes, so read back to the same doubles) sit end to end in flat arrays and
one compiled loop walks them, deciding as LightGBM's ``Tree`` does, in double precision:

- a numeric split whose missing type is not ``NaN`` reads a missing value as 0.0; a value that is
  missing for the split (NaN for type ``NaN``; zero, within 1e-35, for type ``Zero``) goes to the
  node's default side; any other goes left when ``x <= threshold``;
- a categorical split sends a missing value right, and a value whose truncation to a 32-bit
  integer is negative (-1 or below, or 2**31 and above, which the cast wraps); otherwise it goes
  left when that integer is in the node's set;
- the leaves are added in float64, tree after tree, to the output (class) of the tree;
- the link is LightGBM's: none for ``regression``, ``1 / (1 + exp(-sigmoid * x))`` for
  ``binary``, a softmax for ``multiclass``.

Only the trees up to the best iteration are used, as ``predict`` does. Other objectives, linear
trees and random-forest averaging return None, so LightGBM's own predict serves;
:func:`jogak.models.automl._rowpredict.compile_learner` also checks the walk on probe rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from jogak.models.automl._rowtrees import linked, numba
from jogak.models.automl._rowxgboost import in_set

__all__ = ["FlatLightGBM", "flatten_lightgbm"]

_MISSING = {"None": 0, "Zero": 1, "NaN": 2}


@dataclass(frozen=True)
class FlatLightGBM:
    """Every tree of a fitted LightGBM model that its ``predict`` uses, node arrays end to end."""

    roots: np.ndarray  # first node of each tree, in the booster's order
    groups: np.ndarray  # the output (class) each tree adds to
    feature: np.ndarray
    threshold: np.ndarray  # float64 thresholds (and leaf values at the leaves)
    default_left: np.ndarray
    missing: np.ndarray  # 0 none, 1 zero, 2 NaN
    left: np.ndarray  # absolute node positions; -1 at a leaf
    right: np.ndarray
    category_start: np.ndarray  # start of a categorical node's sorted set in ``categories``
    category_size: np.ndarray  # its size; -1 at a numeric split
    categories: np.ndarray
    n_outputs: int
    link: int  # 0 identity, 1 sigmoid, 2 softmax
    sigmoid: float

    def predict(self, X: np.ndarray) -> np.ndarray:
        """What the booster's ``predict`` gives, as float64: values, the positive class's
        probability as ``(n, 2)`` probabilities, or ``(n, classes)`` probabilities."""
        out = _predict(np.ascontiguousarray(X, dtype=np.float64), self.roots, self.groups,
                       self.feature, self.threshold, self.default_left, self.missing, self.left,
                       self.right, self.category_start, self.category_size, self.categories,
                       self.n_outputs, self.link, self.sigmoid)
        return out[:, 0] if self.link == 0 else out


def _link(objective: str) -> tuple[int, float] | None:
    name, *options = objective.split()
    settings = dict(option.split(":", 1) for option in options if ":" in option)
    if name == "regression" and not any(o == "sqrt" for o in options):
        return 0, 1.0
    if name == "binary":
        return 1, float(settings.get("sigmoid", 1.0))
    if name in ("multiclass", "softmax"):
        return 2, 1.0
    return None


def flatten_lightgbm(booster: Any) -> FlatLightGBM | None:
    """The flat trees of a fitted ``lightgbm.Booster`` (None without numba, or for an objective
    or model the compiled walk does not reproduce)."""
    if numba is None:
        return None
    document = booster.dump_model()
    link = _link(str(document.get("objective", "")))
    if link is None or document.get("average_output"):
        return None
    per_iteration = int(document.get("num_tree_per_iteration", 1))
    trees = document.get("tree_info", [])
    best = int(getattr(booster, "best_iteration", 0) or 0)
    if best > 0:  # what predict uses: up to the best iteration after early stopping
        trees = trees[:best * per_iteration]
    try:
        return _joined([tree["tree_structure"] for tree in trees], per_iteration, *link)
    except _LinearLeaf:
        return None


class _LinearLeaf(Exception):
    """A leaf holds a linear model (``linear_tree``), which the walk does not compute."""


def _joined(structures: list[dict[str, Any]], n_outputs: int, link: int,
            sigmoid: float) -> FlatLightGBM:
    columns: dict[str, list[Any]] = {name: [] for name in (
        "feature", "threshold", "default_left", "missing", "left", "right", "category_start",
        "category_size")}
    categories: list[int] = []
    roots = []
    for structure in structures:
        roots.append(len(columns["feature"]))
        _append(structure, columns, categories)
    dtypes = {"threshold": np.float64, "default_left": np.bool_}
    arrays: dict[str, np.ndarray] = {
        name: np.asarray(values, dtype=dtypes.get(name, np.int64))
        for name, values in columns.items()}
    return FlatLightGBM(roots=np.asarray(roots, dtype=np.int64),
                        groups=np.arange(len(roots), dtype=np.int64) % n_outputs,
                        categories=np.asarray(categories, dtype=np.int64),
                        n_outputs=n_outputs, link=link, sigmoid=sigmoid, **arrays)


def _append(node: dict[str, Any], columns: dict[str, list[Any]], categories: list[int]) -> int:
    """Add ``node`` and its subtree, depth first; return its position."""
    position = len(columns["feature"])
    for name in columns:
        columns[name].append(0)
    if "leaf_value" in node or "split_feature" not in node:  # a leaf (or a one-leaf tree)
        if node.get("leaf_coeff") or node.get("leaf_features"):
            raise _LinearLeaf
        columns["threshold"][position] = float(node.get("leaf_value", 0.0))
        columns["left"][position] = columns["right"][position] = -1
        columns["category_size"][position] = -1
        return position
    columns["feature"][position] = int(node["split_feature"])
    columns["default_left"][position] = bool(node.get("default_left", False))
    columns["missing"][position] = _MISSING[str(node.get("missing_type", "None"))]
    if node.get("decision_type") == "==":
        members = sorted({int(value) for value in str(node["threshold"]).split("||")})
        columns["category_start"][position] = len(categories)
        columns["category_size"][position] = len(members)
        categories.extend(members)
    else:
        columns["threshold"][position] = float(node["threshold"])
        columns["category_size"][position] = -1
    columns["left"][position] = _append(node["left_child"], columns, categories)
    columns["right"][position] = _append(node["right_child"], columns, categories)
    return position


_ZERO = 1e-35  # LightGBM's kZeroThreshold

if numba is not None:
    @numba.njit(cache=True, nogil=True)
    def _predict(X: np.ndarray, roots: np.ndarray, groups: np.ndarray, feature: np.ndarray,
                 threshold: np.ndarray, default_left: np.ndarray, missing: np.ndarray,
                 left: np.ndarray, right: np.ndarray, category_start: np.ndarray,
                 category_size: np.ndarray, categories: np.ndarray, n_outputs: int, link: int,
                 sigmoid: float) -> np.ndarray:
        n_rows = X.shape[0]
        raw = np.zeros((n_rows, n_outputs), dtype=np.float64)
        for r in range(n_rows):
            for t in range(roots.size):
                node = roots[t]
                while left[node] != -1:  # the decision inline: a call per node costs 8x
                    x = X[r, feature[node]]
                    kind = missing[node]
                    if category_size[node] >= 0:
                        # LightGBM truncates to a 32-bit int: -0.5 is category 0, 2**31 wraps
                        # to a negative; missing and negative values go right
                        go_left = not (math.isnan(x) or x <= -1.0 or x >= 2147483648.0) and \
                            in_set(categories, category_start[node], category_size[node],
                                   int(x))
                    else:
                        if kind != 2 and math.isnan(x):
                            x = 0.0
                        if (kind == 1 and -_ZERO <= x <= _ZERO) or (kind == 2 and math.isnan(x)):
                            go_left = default_left[node]
                        else:
                            go_left = x <= threshold[node]
                    node = left[node] if go_left else right[node]
                raw[r, groups[t]] += threshold[node]  # a leaf's value
        return linked(raw, link, sigmoid)

else:  # pragma: no cover - exercised where numba is not installed
    def _predict(*args: Any) -> Any:
        raise RuntimeError("numba is not installed")
