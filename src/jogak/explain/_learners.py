"""Exact SHAP values of one fitted learner, summed back to source columns.

Two exact paths: Tree SHAP (``shap.TreeExplainer``, path-dependent, no background needed) for
LightGBM, XGBoost, CatBoost, HistGradientBoosting without categorical splits and the
scikit-learn forests; and the closed form of linear models, ``coef_j * (x_j - mean_j)`` with
the background mean. Any other learner returns ``None`` and the caller falls back to the
model-agnostic path.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import scipy.sparse as sp
from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge

from jogak.explain._model import require_shap
from jogak.pipeline import source_column_map

__all__ = ["LearnerShap", "aggregation_matrix", "learner_shap", "tree_model"]

Output = Literal["margin", "probability", "raw"]

_FORESTS = (RandomForestClassifier, RandomForestRegressor, ExtraTreesClassifier,
            ExtraTreesRegressor)
_HIST_GB = (HistGradientBoostingClassifier, HistGradientBoostingRegressor)
_LINEAR = (LogisticRegression, LinearRegression, Ridge, Lasso, ElasticNet)
_BOOSTER_LIBRARIES = ("lightgbm", "xgboost", "catboost")


@dataclass(frozen=True)
class LearnerShap:
    """SHAP values of one learner in its own output, per source column.

    ``values`` is ``(n, s)`` for one output or ``(n, s, k)`` for several (class margins or
    class probabilities); ``base`` is ``()`` or ``(k,)``. ``base + values.sum(axis=1)`` is the
    learner's output: a margin (log-odds for binary classifiers), class probabilities, or the
    regression value.
    """

    values: np.ndarray
    base: np.ndarray
    output: Output
    method: Literal["tree", "linear"]


def aggregation_matrix(preprocessor: Any, features: list[str]) -> sp.csr_matrix:
    """``(n_encoded, n_source)`` 0/1 matrix: encoded column -> the source column it came from.

    One-hot levels, TF-IDF terms, SVD components and date parts all map to their source column,
    so ``encoded_values @ matrix`` sums each source column's parts.
    """
    mapping = source_column_map(preprocessor)
    position = {name: j for j, name in enumerate(features)}
    rows = np.arange(len(mapping))
    cols = np.array([position[source] for source in mapping.values()], dtype=np.int64)
    return sp.csr_matrix((np.ones(len(mapping)), (rows, cols)),
                         shape=(len(mapping), len(features)))


def tree_model(learner: Any, X: Any) -> tuple[Any, Any, int | None] | None:
    """``(model, model_input, tree_limit)`` for Tree SHAP, or None when it does not apply.

    jogak's boosting adapters keep the library model in ``estimator_`` and convert the matrix
    for it in ``_prepare`` (CatBoost needs integer category codes).
    """
    inner = getattr(learner, "estimator_", None)
    if inner is not None and hasattr(learner, "_prepare"):
        library = type(inner).__module__.split(".")[0]
        if isinstance(inner, _HIST_GB):
            # shap reads HistGradientBoosting's trees without their categorical bitsets
            categorical = getattr(inner, "is_categorical_", None)
            if categorical is not None and np.any(categorical):
                return None
        elif library not in _BOOSTER_LIBRARIES:
            return None
        data = learner._prepare(np.asarray(X, dtype=np.float64))
        limit = None
        if library == "lightgbm":
            # the sklearn wrapper predicts with the best iteration; shap's default is every tree
            best = int(getattr(inner, "best_iteration_", 0) or 0)
            limit = best if best > 0 else None
        return inner, data, limit
    if isinstance(learner, _FORESTS):
        return learner, np.asarray(X, dtype=np.float64), None
    return None


def _is_classifier(model: Any) -> bool:
    return hasattr(model, "classes_") or hasattr(model, "predict_proba")


def _tree_shap(learner: Any, X: Any, aggregate: sp.csr_matrix) -> LearnerShap | None:
    found = tree_model(learner, X)
    if found is None:
        return None
    model, data, limit = found
    if sp.issparse(data):
        return None
    shap = require_shap()
    explainer = shap.TreeExplainer(model)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="LightGBM binary classifier",
                                category=UserWarning)
        phi = np.asarray(explainer.shap_values(data, tree_limit=limit, check_additivity=False),
                         dtype=np.float64)
    base = np.asarray(explainer.expected_value, dtype=np.float64)
    if isinstance(model, _FORESTS):
        output: Output = "probability" if _is_classifier(model) else "raw"
    else:
        output = "margin" if _is_classifier(learner) else "raw"
    if phi.ndim == 3 and phi.shape[2] == 1:
        phi, base = phi[:, :, 0], base.reshape(-1)[0]
    if output == "raw":
        base = base.reshape(-1)[0] if base.size == 1 else base
    return LearnerShap(values=_aggregate(phi, aggregate), base=np.asarray(base), output=output,
                       method="tree")


def _linear_shap(learner: Any, X: Any, background: Any,
                 aggregate: sp.csr_matrix) -> LearnerShap | None:
    if not isinstance(learner, _LINEAR):
        return None
    coef = np.atleast_2d(np.asarray(learner.coef_, dtype=np.float64))
    intercept = np.atleast_1d(np.asarray(learner.intercept_, dtype=np.float64))
    mean = np.asarray(background.mean(axis=0), dtype=np.float64).reshape(-1)
    per_output = []
    bases = []
    for k in range(coef.shape[0]):
        weighted = sp.csr_matrix(aggregate.multiply(coef[k][:, None]))
        # (x - mean) * coef summed per source column, without densifying sparse text features
        product = X @ weighted
        product = product.toarray() if sp.issparse(product) else np.asarray(product)
        per_output.append(product - (mean * coef[k]) @ aggregate)
        bases.append(float(mean @ coef[k] + intercept[k % intercept.size]))
    classifier = isinstance(learner, LogisticRegression)
    if len(per_output) == 1:
        return LearnerShap(values=per_output[0], base=np.asarray(bases[0]),
                           output="margin" if classifier else "raw", method="linear")
    return LearnerShap(values=np.stack(per_output, axis=2), base=np.asarray(bases),
                       output="margin", method="linear")


def _aggregate(phi: np.ndarray, aggregate: sp.csr_matrix) -> np.ndarray:
    if phi.ndim == 2:
        return np.asarray(phi @ aggregate)
    return np.stack([np.asarray(phi[:, :, k] @ aggregate) for k in range(phi.shape[2])], axis=2)


def learner_shap(learner: Any, X: Any, background: Any,
                 aggregate: sp.csr_matrix) -> LearnerShap | None:
    """Exact SHAP values of ``learner`` on the encoded rows ``X``, per source column.

    Parameters
    ----------
    learner : estimator
        A fitted learner of an ensemble member.
    X, background : ndarray or sparse matrix
        Encoded rows to explain and encoded background rows (used by linear models only).
    aggregate : sparse matrix of shape (n_encoded, n_source)
        From :func:`aggregation_matrix`.

    Returns
    -------
    LearnerShap or None
        None when no exact path exists for this learner.
    """
    if X.shape[1] != aggregate.shape[0]:
        return None
    return _tree_shap(learner, X, aggregate) or _linear_shap(learner, X, background, aggregate)
