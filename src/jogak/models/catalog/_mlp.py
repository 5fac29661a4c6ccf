"""scikit-learn's multi-layer perceptron (core; the PyTorch nets are in ``_torch_nets``)."""

from __future__ import annotations

import inspect
from typing import Any

from sklearn.neural_network import MLPClassifier, MLPRegressor

from jogak.data import Task
from jogak.models.catalog._holdout import size_cap
from jogak.models.catalog._spec import BuildContext, ModelSpec, SearchSpace
from jogak.pipeline import FeatureStyle

__all__ = ["MLP"]

# MLP.fit takes sample_weight from scikit-learn 1.7 on.
_TAKES_SAMPLE_WEIGHT = "sample_weight" in inspect.signature(MLPClassifier.fit).parameters

# Below this many rows a 10 % validation split is too small to stop on.
_EARLY_STOPPING_MIN_ROWS = 200


def _defaults(context: BuildContext) -> dict[str, Any]:
    return {
        "n_layers": 2,
        "width": 128,
        "activation": "relu",
        "alpha": 1e-4,
        "learning_rate_init": 1e-3,
        "batch_size": size_cap(context.n_rows, 10, low=16, high=256),
        "max_iter": 200,
        "early_stopping": context.n_rows >= _EARLY_STOPPING_MIN_ROWS,
        "validation_fraction": 0.1,
        "n_iter_no_change": 10,
    }


def _suggest(space: SearchSpace, context: BuildContext) -> dict[str, Any]:
    return {
        "n_layers": space.int("n_layers", 1, 3),
        "width": space.int("width", 16, 512, log=True),
        "activation": space.categorical("activation", ["relu", "tanh"]),
        "alpha": space.float("alpha", 1e-6, 1e-1, log=True),
        "learning_rate_init": space.float("learning_rate_init", 1e-4, 1e-2, log=True),
        "batch_size": space.int("batch_size", 16, size_cap(context.n_rows, 10, low=16,
                                                           high=1024), log=True),
    }


def _portfolio(context: BuildContext) -> list[dict[str, Any]]:
    return [
        {"n_layers": 1, "width": 64, "alpha": 1e-3},
        {"n_layers": 3, "width": 256, "alpha": 1e-3, "learning_rate_init": 3e-4},
    ]


def _build(params: dict[str, Any], context: BuildContext) -> Any:
    model_class = MLPRegressor if context.task is Task.REGRESSION else MLPClassifier
    return model_class(
        hidden_layer_sizes=(int(params["width"]),) * int(params["n_layers"]),
        activation=params["activation"],
        alpha=float(params["alpha"]),
        learning_rate_init=float(params["learning_rate_init"]),
        batch_size=max(1, min(int(params["batch_size"]), context.n_rows)),
        max_iter=int(params["max_iter"]),
        early_stopping=bool(params["early_stopping"]),
        validation_fraction=float(params["validation_fraction"]),
        n_iter_no_change=int(params["n_iter_no_change"]),
        random_state=context.random_state,
    )


MLP = ModelSpec(
    name="mlp",
    tasks=frozenset(Task),
    style=FeatureStyle("scaled"),
    relative_cost=2.0,
    extra=None,
    builder=_build,
    suggester=_suggest,
    default_params=_defaults,
    portfolio_params=_portfolio,
    handles_sparse=True,
    width_sensitive=True,
    supports_sample_weight=_TAKES_SAMPLE_WEIGHT,
    native_categorical="one_hot",
    description="scikit-learn multi-layer perceptron (Adam, optional early stopping)",
)
