"""The model catalog: one :class:`ModelSpec` per family, with its own data-size-aware search space.

AutoML iterates over :func:`available_specs`; a family is one module here. Learners are
scikit-learn estimators; the gradient-boosting libraries come wrapped in adapters that take
categorical columns by position and stop early on a holdout, and the PyTorch nets are estimators
of their own.
"""

from __future__ import annotations

from jogak.models.catalog._boosting import BoosterAdapter
from jogak.models.catalog._catboost import CATBOOST, CatBoostAdapter
from jogak.models.catalog._forests import EXTRA_TREES, RANDOM_FOREST
from jogak.models.catalog._hist_gb import HIST_GB, HistGBAdapter
from jogak.models.catalog._holdout import EARLY_STOPPING_MIN_ROWS
from jogak.models.catalog._lightgbm import LIGHTGBM, LightGBMAdapter
from jogak.models.catalog._linear import LINEAR
from jogak.models.catalog._mlp import MLP
from jogak.models.catalog._neighbors import KNN
from jogak.models.catalog._registry import CATALOG, available_specs, get_spec
from jogak.models.catalog._spec import BuildContext, CategoricalHandling, ModelSpec, SearchSpace
from jogak.models.catalog._torch_nets import (
    TABULAR_MLP,
    TABULAR_RESNET,
    TabularMLPClassifier,
    TabularMLPRegressor,
    TabularResNetClassifier,
    TabularResNetRegressor,
)
from jogak.models.catalog._xgboost import XGBOOST, XGBoostAdapter

__all__ = [
    "CATALOG",
    "CATBOOST",
    "EARLY_STOPPING_MIN_ROWS",
    "EXTRA_TREES",
    "HIST_GB",
    "KNN",
    "LIGHTGBM",
    "LINEAR",
    "MLP",
    "RANDOM_FOREST",
    "TABULAR_MLP",
    "TABULAR_RESNET",
    "XGBOOST",
    "BoosterAdapter",
    "BuildContext",
    "CatBoostAdapter",
    "CategoricalHandling",
    "HistGBAdapter",
    "LightGBMAdapter",
    "ModelSpec",
    "SearchSpace",
    "TabularMLPClassifier",
    "TabularMLPRegressor",
    "TabularResNetClassifier",
    "TabularResNetRegressor",
    "XGBoostAdapter",
    "available_specs",
    "get_spec",
]
