"""Random forests and extremely randomised trees (core)."""

from __future__ import annotations

from typing import Any

from sklearn.ensemble import (
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

from jogak.data import Task
from jogak.models.catalog._holdout import size_cap
from jogak.models.catalog._spec import BuildContext, ModelSpec, SearchSpace
from jogak.pipeline import FeatureStyle

__all__ = ["EXTRA_TREES", "RANDOM_FOREST"]

_CLASSES = {
    "random_forest": (RandomForestClassifier, RandomForestRegressor),
    "extra_trees": (ExtraTreesClassifier, ExtraTreesRegressor),
}


def _defaults(context: BuildContext) -> dict[str, Any]:
    return {
        "n_estimators": 300,
        "max_features": 0.5 if context.task is Task.REGRESSION else "sqrt",
        "min_samples_leaf": 1,
        "max_depth": None,
        "criterion": "squared_error" if context.task is Task.REGRESSION else "gini",
    }


def _suggest(space: SearchSpace, context: BuildContext) -> dict[str, Any]:
    params = {
        "n_estimators": space.int("n_estimators", 64, 512, log=True),
        "max_features": space.float("max_features", 0.1, 1.0),
        "min_samples_leaf": space.int("min_samples_leaf", 1,
                                      size_cap(context.n_rows, 50, low=2, high=32), log=True),
    }
    if context.task is not Task.REGRESSION:  # absolute_error is too slow to offer for regression
        params["criterion"] = space.categorical("criterion", ["gini", "entropy"])
    return params


def _portfolio(context: BuildContext) -> list[dict[str, Any]]:
    return [
        {"max_features": 1.0 if context.task is Task.REGRESSION else 0.5},
        {"max_features": "sqrt", "min_samples_leaf": size_cap(context.n_rows, 500, low=1,
                                                              high=5)},
        {"max_features": 0.3, "n_estimators": 500, "max_depth": 16},
    ]


def _builder(name: str) -> Any:
    classifier_class, regressor_class = _CLASSES[name]

    def build(params: dict[str, Any], context: BuildContext) -> Any:
        model_class = regressor_class if context.task is Task.REGRESSION else classifier_class
        return model_class(
            n_estimators=int(params["n_estimators"]),
            max_features=params["max_features"],
            min_samples_leaf=int(params["min_samples_leaf"]),
            max_depth=None if params["max_depth"] is None else int(params["max_depth"]),
            criterion=params["criterion"],
            random_state=context.random_state,
            n_jobs=context.n_jobs,
        )

    return build


RANDOM_FOREST = ModelSpec(
    name="random_forest",
    tasks=frozenset(Task),
    style=FeatureStyle("tree"),
    relative_cost=1.5,
    extra=None,
    builder=_builder("random_forest"),
    suggester=_suggest,
    default_params=_defaults,
    portfolio_params=_portfolio,
    handles_sparse=False,
    supports_sample_weight=True,
    native_categorical="ordinal",
    description="scikit-learn random forest on ordinal-coded categoricals",
)

EXTRA_TREES = ModelSpec(
    name="extra_trees",
    tasks=frozenset(Task),
    style=FeatureStyle("tree"),
    relative_cost=1.2,
    extra=None,
    builder=_builder("extra_trees"),
    suggester=_suggest,
    default_params=_defaults,
    portfolio_params=_portfolio,
    handles_sparse=False,
    supports_sample_weight=True,
    native_categorical="ordinal",
    description="scikit-learn extremely randomised trees on ordinal-coded categoricals",
)
