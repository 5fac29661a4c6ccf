"""CatBoost's oblivious trees for a few rows, compiled (numba), as CatBoost evaluates them.

CatBoost's ``predict`` costs about 0.18 ms a call whatever the size of the model (a ``Pool`` is
built from the input on every call); one row through 300 trees of depth 6 is a few microseconds
of work. A CatBoost tree is oblivious: every level asks one question of every row, so a row's
leaf is the bits of its answers. Here the trees of the saved model (``save_model(format="json")``)
sit end to end in flat arrays and one compiled loop walks them:

- a float feature is cast to float32 and level ``i`` of a tree sets bit ``i`` of the leaf index
  when ``x > border`` (the border a float32); a missing value sets it only when the feature's
  ``nan_value_treatment`` is ``AsTrue`` (``nan_mode="Max"``);
- the leaves' values (one per output) are added in float64, tree after tree, then multiplied by
  the model's scale and shifted by its bias;
- the link is CatBoost's: none for ``RMSE``, the sigmoid for ``Logloss``, a softmax for
  ``MultiClass``.

The raw sums equal CatBoost's to the bit (tests compare them); the probabilities differ from
CatBoost's by an ulp or two at most, as its vectorised ``exp`` does. Models with categorical,
text or embedding features (whose splits read CatBoost's hashed statistics) and other losses
return None, so CatBoost's own predict serves them;
:func:`jogak.models.automl._rowpredict.compile_learner` also checks the walk on probe rows.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from jogak.models.automl._rowtrees import linked, numba

__all__ = ["FlatCatBoost", "flatten_catboost"]

_LINKS = {"RMSE": 0, "Logloss": 1, "MultiClass": 2}
"""CatBoost losses served by the compiled walk, and their link code in :func:`_predict`."""


@dataclass(frozen=True)
class FlatCatBoost:
    """Every tree of a fitted numeric-only CatBoost model, split and leaf arrays end to end."""

    split_start: np.ndarray  # first split of each tree (its depth: the next start minus this)
    feature: np.ndarray  # the float feature each split reads
    border: np.ndarray  # float32: a value above it sets the level's bit
    leaf_start: np.ndarray  # first value of each tree's leaves in ``leaf_values``
    leaf_values: np.ndarray  # float64, leaf after leaf, one value per output
    nan_sets_bit: np.ndarray  # per feature: whether a missing value answers "above"
    scale: float
    bias: np.ndarray  # float64, one per output
    link: int

    def predict(self, X: np.ndarray) -> np.ndarray:
        """What the scikit-learn style wrapper gives, as float64: values, or ``(n, classes)``
        probabilities."""
        out = _predict(np.ascontiguousarray(X, dtype=np.float64), self.split_start,
                       self.feature, self.border, self.leaf_start, self.leaf_values,
                       self.nan_sets_bit, self.scale, self.bias, self.link)
        return out[:, 0] if self.link == 0 else out


def _document(model: Any) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="jogak-catboost-") as folder:
        path = Path(folder) / "model.json"
        model.save_model(str(path), format="json")
        document: dict[str, Any] = json.loads(path.read_text())
        return document


def flatten_catboost(model: Any) -> FlatCatBoost | None:
    """The flat trees of a fitted ``CatBoostRegressor``/``CatBoostClassifier`` (None without
    numba, or for features, losses or layouts the compiled walk does not reproduce)."""
    if numba is None:
        return None
    link = _LINKS.get(str(model.get_all_params().get("loss_function", "")).split(":")[0])
    if link is None:
        return None
    document = _document(model)
    info = document.get("features_info", {})
    if any(info.get(kind) for kind in ("categorical_features", "text_features",
                                       "embedding_features")):
        return None
    floats = info.get("float_features", [])
    n_features = max((int(f["flat_feature_index"]) for f in floats), default=-1) + 1
    if any(int(f["flat_feature_index"]) != int(f["feature_index"]) for f in floats):
        return None
    nan_sets_bit = np.zeros(n_features, dtype=np.bool_)
    for feature in floats:
        nan_sets_bit[int(feature["flat_feature_index"])] = \
            feature.get("nan_value_treatment") == "AsTrue"
    scale, bias = document.get("scale_and_bias", [1.0, [0.0]])
    bias = np.atleast_1d(np.asarray(bias, dtype=np.float64))
    return _joined(document.get("oblivious_trees", []), nan_sets_bit, float(scale), bias, link)


def _joined(trees: list[dict[str, Any]], nan_sets_bit: np.ndarray, scale: float,
            bias: np.ndarray, link: int) -> FlatCatBoost | None:
    n_outputs = bias.size
    if (link == 2) != (n_outputs > 1):
        return None
    split_start, leaf_start = [0], [0]
    features: list[int] = []
    borders: list[float] = []
    leaves: list[float] = []
    for tree in trees:
        splits = tree.get("splits", [])
        if any(split.get("split_type") != "FloatFeature" for split in splits):
            return None
        values = tree["leaf_values"]
        if len(values) != n_outputs << len(splits):
            return None
        features += [int(split["float_feature_index"]) for split in splits]
        borders += [float(split["border"]) for split in splits]
        leaves += values
        split_start.append(len(features))
        leaf_start.append(len(leaves))
    feature = np.asarray(features, dtype=np.int64)
    if feature.size and feature.max() >= nan_sets_bit.size:
        return None
    return FlatCatBoost(split_start=np.asarray(split_start, dtype=np.int64), feature=feature,
                        border=np.asarray(borders, dtype=np.float32),
                        leaf_start=np.asarray(leaf_start[:-1], dtype=np.int64),
                        leaf_values=np.asarray(leaves, dtype=np.float64),
                        nan_sets_bit=nan_sets_bit, scale=scale, bias=bias, link=link)


if numba is not None:
    @numba.njit(cache=True, nogil=True)
    def _raw(X: np.ndarray, split_start: np.ndarray, feature: np.ndarray, border: np.ndarray,
             leaf_start: np.ndarray, leaf_values: np.ndarray, nan_sets_bit: np.ndarray,
             scale: float, bias: np.ndarray) -> np.ndarray:
        n_outputs = bias.size
        raw = np.empty((X.shape[0], n_outputs), dtype=np.float64)
        total = np.empty(n_outputs, dtype=np.float64)
        for r in range(X.shape[0]):
            total[:] = 0.0
            for t in range(leaf_start.size):
                leaf = 0
                for level in range(split_start[t + 1] - split_start[t]):
                    split = split_start[t] + level
                    x = np.float32(X[r, feature[split]])
                    above = nan_sets_bit[feature[split]] if np.isnan(x) else x > border[split]
                    if above:
                        leaf |= 1 << level
                first = leaf_start[t] + leaf * n_outputs
                for k in range(n_outputs):
                    total[k] += leaf_values[first + k]
            for k in range(n_outputs):
                scaled = total[k] * scale
                raw[r, k] = scaled + bias[k]
        return raw

    @numba.njit(cache=True, nogil=True)
    def _predict(X: np.ndarray, split_start: np.ndarray, feature: np.ndarray,
                 border: np.ndarray, leaf_start: np.ndarray, leaf_values: np.ndarray,
                 nan_sets_bit: np.ndarray, scale: float, bias: np.ndarray,
                 link: int) -> np.ndarray:
        return linked(_raw(X, split_start, feature, border, leaf_start, leaf_values,
                           nan_sets_bit, scale, bias), link, 1.0)

else:  # pragma: no cover - exercised where numba is not installed
    def _predict(*args: Any) -> Any:
        raise RuntimeError("numba is not installed")
