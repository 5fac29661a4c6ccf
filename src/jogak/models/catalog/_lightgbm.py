"""LightGBM: leaf-wise gradient boosting with native categorical splits (extra ``lightgbm``)."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from jogak.data import Task
from jogak.models._optional import require
from jogak.models.catalog._boosting import BoosterAdapter, EvalSet
from jogak.models.catalog._holdout import EARLY_STOPPING_MIN_ROWS, size_cap
from jogak.models.catalog._spec import BuildContext, ModelSpec, SearchSpace
from jogak.pipeline import FeatureStyle

__all__ = ["LIGHTGBM", "LightGBMAdapter"]


class LightGBMAdapter(BoosterAdapter):
    """A LightGBM model fitted with categorical positions and optional holdout early stopping.

    See :class:`BoosterAdapter` for the parameters. ``estimator`` is an unfitted
    ``lightgbm.LGBMClassifier`` or ``lightgbm.LGBMRegressor``.

    Examples
    --------
    >>> import numpy as np
    >>> from lightgbm import LGBMRegressor
    >>> X = np.column_stack([np.arange(40) % 4, np.linspace(0, 1, 40)])
    >>> model = LightGBMAdapter(LGBMRegressor(n_estimators=5, verbose=-1),
    ...                         categorical_features=[0]).fit(X, X[:, 0] * 2.0)
    >>> model.predict(X[:2]).shape
    (2,)
    """

    def _fit_model(self, model: Any, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray,
                   evaluation: EvalSet | None, categorical: list[int]) -> None:
        kwargs: dict[str, Any] = {"categorical_feature": categorical or "auto"}
        if evaluation is not None:
            lightgbm = require("lightgbm", extra="lightgbm")
            X_eval, y_eval, w_eval = evaluation
            if "eval_X" in inspect.signature(model.fit).parameters:  # lightgbm >= 4.7
                kwargs.update(eval_X=(X_eval,), eval_y=(y_eval,))
            else:
                kwargs.update(eval_set=[(X_eval, y_eval)])
            kwargs.update(eval_sample_weight=[w_eval], callbacks=[
                lightgbm.early_stopping(self._rounds(), verbose=False)])
        model.fit(X, y, sample_weight=sample_weight, **kwargs)

    def _best_iteration(self, model: Any) -> int | None:
        best = getattr(model, "best_iteration_", None)
        return int(best) if best else None


def _defaults(context: BuildContext) -> dict[str, Any]:
    large = context.n_rows >= EARLY_STOPPING_MIN_ROWS
    return {
        "n_estimators": 2000 if large else 100,
        "learning_rate": 0.05,
        "num_leaves": 31 if large else 15,
        "min_child_samples": 20,
        "subsample": 1.0,
        "colsample_bytree": 1.0,
        "reg_alpha": 0.0,
        "reg_lambda": 0.0,
        "extra_trees": False,
        "min_data_per_group": size_cap(context.n_rows, 50, low=2, high=100),
        "cat_smooth": 10.0,
        "early_stopping_rounds": 50 if large else None,
        "validation_fraction": 0.1,
    }


def _suggest(space: SearchSpace, context: BuildContext) -> dict[str, Any]:
    n_rows = context.n_rows
    params: dict[str, Any] = {
        "learning_rate": space.float("learning_rate", 0.01, 0.3, log=True),
        "num_leaves": space.int("num_leaves", 4, size_cap(n_rows, 20, low=8, high=512), log=True),
        "min_child_samples": space.int("min_child_samples", 2,
                                       size_cap(n_rows, 10, low=4, high=200), log=True),
        "subsample": space.float("subsample", 0.5, 1.0),
        "colsample_bytree": space.float("colsample_bytree", 0.3, 1.0),
        "reg_alpha": space.float("reg_alpha", 1e-8, 10.0, log=True),
        "reg_lambda": space.float("reg_lambda", 1e-8, 10.0, log=True),
        "extra_trees": space.categorical("extra_trees", [False, True]),
        "cat_smooth": space.float("cat_smooth", 1.0, 50.0, log=True),
    }
    if n_rows < EARLY_STOPPING_MIN_ROWS:  # otherwise early stopping picks the number of rounds
        params["n_estimators"] = space.int("n_estimators", 32, 1024, log=True)
    return params


def _portfolio(context: BuildContext) -> list[dict[str, Any]]:
    large = context.n_rows >= EARLY_STOPPING_MIN_ROWS
    big_leaves = size_cap(context.n_rows, 20, low=8, high=128)
    return [
        # small steps, many rounds, light bagging: the usual winner given time
        {"learning_rate": 0.02, "n_estimators": 4000 if large else 300, "subsample": 0.8,
         "colsample_bytree": 0.8},
        # extremely randomised splits: robust on small or noisy data
        {"extra_trees": True, "learning_rate": 0.05, "colsample_bytree": 0.7},
        # large trees for interactions
        {"num_leaves": big_leaves, "min_child_samples": size_cap(context.n_rows, 200, low=2,
                                                                 high=10),
         "learning_rate": 0.03, "reg_lambda": 1.0, "colsample_bytree": 0.9},
        # small, strongly regularised trees
        {"num_leaves": 8, "learning_rate": 0.1, "reg_lambda": 10.0,
         "min_child_samples": size_cap(context.n_rows, 20, low=2, high=50)},
    ]


def _build(params: dict[str, Any], context: BuildContext) -> LightGBMAdapter:
    lightgbm = require("lightgbm", extra="lightgbm")
    model_class = lightgbm.LGBMRegressor if context.task is Task.REGRESSION \
        else lightgbm.LGBMClassifier
    # "intermediate" keeps constrained splits from locking neighbouring leaves (LightGBM docs)
    monotone: dict[str, Any] = {"monotone_constraints": list(context.monotone),
                                "monotone_constraints_method": "intermediate"} \
        if context.is_monotone else {}
    estimator = model_class(
        n_estimators=int(params["n_estimators"]),
        learning_rate=float(params["learning_rate"]),
        num_leaves=int(params["num_leaves"]),
        min_child_samples=int(params["min_child_samples"]),
        subsample=float(params["subsample"]),
        subsample_freq=1 if float(params["subsample"]) < 1.0 else 0,
        colsample_bytree=float(params["colsample_bytree"]),
        reg_alpha=float(params["reg_alpha"]),
        reg_lambda=float(params["reg_lambda"]),
        extra_trees=bool(params["extra_trees"]),
        min_data_per_group=int(params["min_data_per_group"]),
        cat_smooth=float(params["cat_smooth"]),
        random_state=context.random_state,
        n_jobs=context.n_jobs,
        deterministic=True,
        force_col_wise=True,
        verbose=-1,
        **monotone,
    )
    return LightGBMAdapter(
        estimator, categorical_features=list(context.categorical_indices),
        early_stopping_rounds=params["early_stopping_rounds"],
        validation_fraction=float(params["validation_fraction"]),
        random_state=context.random_state)


LIGHTGBM = ModelSpec(
    name="lightgbm",
    tasks=frozenset(Task),
    style=FeatureStyle("native"),
    relative_cost=1.0,
    extra="lightgbm",
    modules=("lightgbm",),
    builder=_build,
    suggester=_suggest,
    default_params=_defaults,
    portfolio_params=_portfolio,
    handles_sparse=False,
    supports_sample_weight=True,
    native_categorical="native",
    supports_monotone=True,
    description="LightGBM gradient-boosted trees with native categorical splits",
)
