"""XGBoost's trees for a few rows, compiled (numba), in XGBoost's own float32 arithmetic.

``inplace_predict`` costs about 0.2 ms a call whatever the size of the model (a DMatrix-free
C call, but with its argument checks, a JSON configuration and a thread pool per call); one row
through 100 trees of depth 6 is a few microseconds of work. Here the trees of the saved model
(``save_raw("json")``, floats read straight to float32) sit end to end in flat arrays and one
compiled loop walks them, doing what XGBoost's CPU predictor does, in its order:

- the row's values are cast to float32; a numeric split sends ``x < split_condition`` left and a
  missing value (NaN) to the node's default side;
- a categorical split sends a category in the node's set right, any other category left, and an
  invalid one (negative, or at least 2**24) left too;
- the leaves are added in float32, tree after tree, to the base margin of the tree's output;
- the link is XGBoost's: ``1 / (exp(min(-x, 88.7)) + 1 + 1e-16)`` for ``binary:logistic``, a
  softmax with a float64 sum for ``multi:softprob``, none for ``reg:squarederror``.

The result is XGBoost's to the bit (tests compare them on categorical, missing and unseen
values); :func:`jogak.models.automl._rowpredict.compile_learner` checks it again on probe rows
and keeps XGBoost's own predict for any other objective or model.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from jogak.models.automl._rowtrees import numba

__all__ = ["FlatXGBoost", "flatten_xgboost", "in_set"]

_LINKS = {"reg:squarederror": 0, "binary:logistic": 1, "multi:softprob": 2}
"""XGBoost objectives served by the compiled walk, and their link code in :func:`_predict`."""


@dataclass(frozen=True)
class FlatXGBoost:
    """Every tree of a fitted XGBoost model that its ``predict`` uses, node arrays end to end."""

    roots: np.ndarray  # first node of each tree, in the booster's order
    groups: np.ndarray  # the output (class) each tree adds to
    feature: np.ndarray
    threshold: np.ndarray  # float32 split conditions (and leaf values at the leaves)
    default_left: np.ndarray
    left: np.ndarray  # absolute node positions; -1 at a leaf
    right: np.ndarray
    category_start: np.ndarray  # start of a categorical node's sorted set in ``categories``
    category_size: np.ndarray  # its size; -1 at a numeric split
    categories: np.ndarray
    base: np.ndarray  # float32 base margin of each output
    link: int

    def predict(self, X: np.ndarray) -> np.ndarray:
        """What the scikit-learn wrapper gives, as float64: values, or ``(n, classes)``
        probabilities."""
        out = _predict(np.ascontiguousarray(X, dtype=np.float64), self.roots, self.groups,
                       self.feature, self.threshold, self.default_left, self.left, self.right,
                       self.category_start, self.category_size, self.categories, self.base,
                       self.link)
        return out[:, 0] if self.link == 0 else out


def _float32(text: str) -> np.float32:
    return np.float32(text)  # the decimal straight to float32, no double rounding on the way


def flatten_xgboost(model: Any) -> FlatXGBoost | None:
    """The flat trees of a fitted ``XGBRegressor``/``XGBClassifier`` (None without numba, or
    for an objective or model layout the compiled walk does not reproduce)."""
    if numba is None:
        return None
    document = json.loads(model.get_booster().save_raw("json"), parse_float=_float32)
    learner = document["learner"]
    link = _LINKS.get(learner["objective"]["name"])
    parameters = learner["learner_model_param"]
    if link is None or int(parameters.get("num_target", 1)) != 1:
        return None
    booster = learner["gradient_booster"]
    if booster.get("name", "gbtree") != "gbtree":
        return None  # dart weighs its trees; gblinear has none
    trees_model = booster["model"]
    try:  # what the wrapper's predict uses: up to the best iteration after early stopping
        n_trees = trees_model["iteration_indptr"][int(model.best_iteration) + 1]
    except AttributeError:
        n_trees = len(trees_model["trees"])
    trees = trees_model["trees"][:n_trees]
    base = _base_margin(parameters["base_score"], link)
    return _joined(trees, trees_model["tree_info"][:n_trees], base, link)


def _base_margin(text: str, link: int) -> np.ndarray:
    """The float32 margin each output starts from (a binary model stores a probability)."""
    values = np.asarray([_float32(v) for v in str(text).strip("[]").split(",")], np.float32)
    if link == 1:  # ProbToMargin: -logf(1 / p - 1), libm's logf as XGBoost calls it
        values = np.asarray([_margin_of(v) for v in values], dtype=np.float32)
    return values


def _joined(trees: list[dict[str, Any]], groups: list[int], base: np.ndarray,
            link: int) -> FlatXGBoost:
    parts: dict[str, list[np.ndarray]] = {name: [] for name in (
        "feature", "threshold", "default_left", "left", "right", "category_start",
        "category_size", "categories")}
    roots = []
    n_nodes = n_categories = 0
    for tree in trees:
        left = np.asarray(tree["left_children"], dtype=np.int64)
        right = np.asarray(tree["right_children"], dtype=np.int64)
        leaf = left == -1
        roots.append(n_nodes)
        parts["left"].append(np.where(leaf, -1, left + n_nodes))
        parts["right"].append(np.where(leaf, -1, right + n_nodes))
        parts["feature"].append(np.asarray(tree["split_indices"], dtype=np.int64))
        parts["threshold"].append(np.asarray(tree["split_conditions"], dtype=np.float32))
        parts["default_left"].append(np.asarray(tree["default_left"], dtype=np.bool_))
        start = np.zeros(left.size, dtype=np.int64)
        size = np.full(left.size, -1, dtype=np.int64)
        members = np.asarray(tree.get("categories", []), dtype=np.int64)
        for node, segment, count in zip(tree.get("categories_nodes", []),
                                        tree.get("categories_segments", []),
                                        tree.get("categories_sizes", []), strict=True):
            start[node], size[node] = n_categories + segment, count
            members[segment:segment + count] = np.sort(members[segment:segment + count])
        parts["category_start"].append(start)
        parts["category_size"].append(size)
        parts["categories"].append(members)
        n_nodes += left.size
        n_categories += members.size
    empty = {"threshold": np.float32, "default_left": np.bool_}
    joined = {name: np.concatenate(arrays) if arrays
              else np.zeros(0, dtype=empty.get(name, np.int64)) for name, arrays in parts.items()}
    n_outputs = max(base.size, (max(groups) + 1) if groups else 1)
    if base.size != n_outputs:
        base = np.full(n_outputs, base[0], dtype=np.float32)
    return FlatXGBoost(roots=np.asarray(roots, dtype=np.int64),
                       groups=np.asarray(groups, dtype=np.int64), base=base, link=link, **joined)


_INVALID_CATEGORY = 16777216.0  # 2**24: XGBoost reads larger codes as invalid

if numba is not None:
    @numba.njit(cache=True, nogil=True)
    def _margin_of(probability: np.float32) -> np.float32:
        # numpy's float32 log differs from libm's logf in the last bit for some values
        return -np.float32(math.log(np.float32(1.0) / probability - np.float32(1.0)))

    @numba.njit(cache=True, nogil=True)
    def in_set(categories: np.ndarray, start: int, size: int, code: int) -> bool:
        low, high = start, start + size
        while low < high:  # binary search of the node's sorted set
            middle = (low + high) // 2
            if categories[middle] < code:
                low = middle + 1
            else:
                high = middle
        return low < start + size and categories[low] == code

    @numba.njit(cache=True, nogil=True)
    def _margins(X: np.ndarray, roots: np.ndarray, groups: np.ndarray, feature: np.ndarray,
                 threshold: np.ndarray, default_left: np.ndarray, left: np.ndarray,
                 right: np.ndarray, category_start: np.ndarray, category_size: np.ndarray,
                 categories: np.ndarray, base: np.ndarray) -> np.ndarray:
        margins = np.empty((X.shape[0], base.size), dtype=np.float32)
        for r in range(X.shape[0]):
            for k in range(base.size):
                margins[r, k] = base[k]
            for t in range(roots.size):
                node = roots[t]
                while left[node] != -1:
                    x = np.float32(X[r, feature[node]])
                    if np.isnan(x):
                        go_left = default_left[node]
                    elif category_size[node] >= 0:
                        go_left = True  # invalid codes and codes outside the set go left
                        if 0.0 <= x < _INVALID_CATEGORY:
                            go_left = not in_set(categories, category_start[node],
                                                  category_size[node], np.int64(np.int32(x)))
                    else:
                        go_left = x < threshold[node]
                    node = left[node] if go_left else right[node]
                margins[r, groups[t]] += threshold[node]  # a leaf's value
        return margins

    @numba.njit(cache=True, nogil=True)
    def _predict(X: np.ndarray, roots: np.ndarray, groups: np.ndarray, feature: np.ndarray,
                 threshold: np.ndarray, default_left: np.ndarray, left: np.ndarray,
                 right: np.ndarray, category_start: np.ndarray, category_size: np.ndarray,
                 categories: np.ndarray, base: np.ndarray, link: int) -> np.ndarray:
        margins = _margins(X, roots, groups, feature, threshold, default_left, left, right,
                           category_start, category_size, categories, base)
        n_rows, n_outputs = margins.shape
        if link == 0:
            return margins.astype(np.float64)
        if link == 1:
            out = np.empty((n_rows, 2), dtype=np.float64)
            for r in range(n_rows):
                x = min(-margins[r, 0], np.float32(88.7))
                positive = np.float32(1.0) / (np.float32(math.exp(x)) + np.float32(1.0)
                                              + np.float32(1e-16))
                out[r, 0] = np.float32(1.0) - positive
                out[r, 1] = positive
            return out
        out = np.empty((n_rows, n_outputs), dtype=np.float64)
        shifted = np.empty(n_outputs, dtype=np.float32)
        for r in range(n_rows):
            top = margins[r, 0]
            for k in range(1, n_outputs):
                top = max(top, margins[r, k])
            total = 0.0  # XGBoost sums the float32 exponentials in float64
            for k in range(n_outputs):
                shifted[k] = np.float32(math.exp(margins[r, k] - top))
                total += shifted[k]
            for k in range(n_outputs):
                out[r, k] = shifted[k] / np.float32(total)
        return out

else:  # pragma: no cover - exercised where numba is not installed
    def _predict(*args: Any) -> Any:
        raise RuntimeError("numba is not installed")

    _margin_of = in_set = _predict
