"""Explanations of fitted models: SHAP in source-column space, PDP/ICE, permutation importance.

Every function takes a fitted :class:`~jogak.models.AutoMLClassifier` or
:class:`~jogak.models.AutoMLRegressor` (or a bundle loaded with
:func:`jogak.models.load_model`) and raw rows with the training columns; results are reported
in the original (source) column names.
"""

from __future__ import annotations

from jogak.explain._dependence import PartialDependence, partial_dependence
from jogak.explain._explanation import Explanation
from jogak.explain._importance import permutation_importance
from jogak.explain._interactions import interaction_pairs
from jogak.explain._permutation import permutation_shapley
from jogak.explain._shapley import explain

__all__ = [
    "Explanation",
    "PartialDependence",
    "explain",
    "interaction_pairs",
    "partial_dependence",
    "permutation_importance",
    "permutation_shapley",
]
