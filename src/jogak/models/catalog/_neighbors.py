"""k-nearest neighbours on scaled features (core)."""

from __future__ import annotations

import math
from typing import Any

from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

from jogak.data import Task
from jogak.models.catalog._spec import BuildContext, ModelSpec, SearchSpace
from jogak.pipeline import FeatureStyle

__all__ = ["KNN"]


def _max_neighbours(n_rows: int) -> int:
    # sqrt(n) is the classic consistent choice; beyond ~100 neighbours only prediction slows down
    return max(1, min(100, math.isqrt(n_rows)))


def _defaults(context: BuildContext) -> dict[str, Any]:
    # many uniform votes: few neighbours give 0/1 class shares, which log loss punishes hard
    return {"n_neighbors": min(30, _max_neighbours(context.n_rows)), "weights": "uniform",
            "p": 2}


def _suggest(space: SearchSpace, context: BuildContext) -> dict[str, Any]:
    return {
        "n_neighbors": space.int("n_neighbors", 1, _max_neighbours(context.n_rows), log=True),
        "weights": space.categorical("weights", ["uniform", "distance"]),
        "p": space.categorical("p", [1, 2]),
    }


def _portfolio(context: BuildContext) -> list[dict[str, Any]]:
    top = _max_neighbours(context.n_rows)
    return [
        {"n_neighbors": min(10, top), "weights": "distance"},
        {"n_neighbors": top, "p": 1},
    ]


def _build(params: dict[str, Any], context: BuildContext) -> Any:
    # a neighbour count above the training rows fails at predict time; clip it here
    n_neighbors = max(1, min(int(params["n_neighbors"]), context.n_rows))
    model_class = KNeighborsRegressor if context.task is Task.REGRESSION \
        else KNeighborsClassifier
    return model_class(n_neighbors=n_neighbors, weights=params["weights"], p=int(params["p"]),
                       n_jobs=context.n_jobs)


KNN = ModelSpec(
    name="knn",
    tasks=frozenset(Task),
    style=FeatureStyle("scaled"),
    relative_cost=0.3,
    extra=None,
    builder=_build,
    suggester=_suggest,
    default_params=_defaults,
    portfolio_params=_portfolio,
    handles_sparse=True,
    supports_sample_weight=False,
    native_categorical="one_hot",
    description="k-nearest neighbours (uniform or distance weighted)",
)
