"""scikit-learn's histogram gradient boosting, with native categorical splits (core)."""

from __future__ import annotations

from typing import Any

from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

from jogak.data import Task
from jogak.models.catalog._holdout import EARLY_STOPPING_MIN_ROWS, size_cap
from jogak.models.catalog._spec import BuildContext, ModelSpec, SearchSpace
from jogak.pipeline import FeatureStyle

__all__ = ["HIST_GB"]


def _defaults(context: BuildContext) -> dict[str, Any]:
    large = context.n_rows >= EARLY_STOPPING_MIN_ROWS
    return {
        "max_iter": 1000 if large else 200,
        "learning_rate": 0.1,
        "max_leaf_nodes": min(31, size_cap(context.n_rows, 10, low=4, high=31)),
        "min_samples_leaf": size_cap(context.n_rows, 50, low=2, high=20),
        "l2_regularization": 0.0,
        "max_features": 1.0,
        "early_stopping": large,
        "validation_fraction": 0.1,
        "n_iter_no_change": 20,
    }


def _suggest(space: SearchSpace, context: BuildContext) -> dict[str, Any]:
    n_rows = context.n_rows
    params: dict[str, Any] = {
        "learning_rate": space.float("learning_rate", 0.01, 0.3, log=True),
        "max_leaf_nodes": space.int("max_leaf_nodes", 4, size_cap(n_rows, 20, low=8, high=256),
                                    log=True),
        "min_samples_leaf": space.int("min_samples_leaf", 2,
                                      size_cap(n_rows, 10, low=4, high=200), log=True),
        "l2_regularization": space.float("l2_regularization", 1e-8, 10.0, log=True),
        "max_features": space.float("max_features", 0.3, 1.0),
    }
    if n_rows < EARLY_STOPPING_MIN_ROWS:
        params["max_iter"] = space.int("max_iter", 32, 1024, log=True)
    return params


def _portfolio(context: BuildContext) -> list[dict[str, Any]]:
    large = context.n_rows >= EARLY_STOPPING_MIN_ROWS
    return [
        {"learning_rate": 0.03, "max_iter": 3000 if large else 600, "max_features": 0.8},
        {"max_leaf_nodes": size_cap(context.n_rows, 20, low=8, high=128),
         "min_samples_leaf": size_cap(context.n_rows, 200, low=2, high=10),
         "learning_rate": 0.05, "l2_regularization": 1.0},
        {"max_leaf_nodes": 8, "learning_rate": 0.15, "l2_regularization": 5.0},
    ]


def _build(params: dict[str, Any], context: BuildContext) -> Any:
    model_class = HistGradientBoostingRegressor if context.task is Task.REGRESSION \
        else HistGradientBoostingClassifier
    return model_class(
        max_iter=int(params["max_iter"]),
        learning_rate=float(params["learning_rate"]),
        max_leaf_nodes=int(params["max_leaf_nodes"]),
        min_samples_leaf=int(params["min_samples_leaf"]),
        l2_regularization=float(params["l2_regularization"]),
        max_features=float(params["max_features"]),
        early_stopping=bool(params["early_stopping"]),
        validation_fraction=float(params["validation_fraction"]),
        n_iter_no_change=int(params["n_iter_no_change"]),
        categorical_features=list(context.categorical_indices) or None,
        random_state=context.random_state,
    )


HIST_GB = ModelSpec(
    name="hist_gb",
    tasks=frozenset(Task),
    style=FeatureStyle("native"),
    relative_cost=1.0,
    extra=None,
    builder=_build,
    suggester=_suggest,
    default_params=_defaults,
    portfolio_params=_portfolio,
    handles_sparse=False,
    supports_sample_weight=True,
    native_categorical="native",
    description="scikit-learn histogram gradient boosting with native categorical splits",
)
