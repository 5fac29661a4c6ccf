"""XGBoost: histogram gradient boosting with categorical feature types (extra ``xgboost``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from jogak.data import Task
from jogak.models._optional import require
from jogak.models.catalog._boosting import BoosterAdapter, EvalSet
from jogak.models.catalog._holdout import EARLY_STOPPING_MIN_ROWS, size_cap
from jogak.models.catalog._spec import BuildContext, ModelSpec, SearchSpace
from jogak.pipeline import FeatureStyle

__all__ = ["XGBOOST", "XGBoostAdapter"]


class XGBoostAdapter(BoosterAdapter):
    """An XGBoost model fitted with categorical positions and optional holdout early stopping.

    Categorical positions become ``feature_types="c"`` with ``enable_categorical=True`` (XGBoost
    reads them from a plain float matrix). See :class:`BoosterAdapter` for the parameters;
    ``estimator`` is an unfitted ``xgboost.XGBClassifier`` or ``xgboost.XGBRegressor``.

    Examples
    --------
    >>> import numpy as np
    >>> from xgboost import XGBRegressor
    >>> X = np.column_stack([np.arange(40) % 4, np.linspace(0, 1, 40)])
    >>> model = XGBoostAdapter(XGBRegressor(n_estimators=5), categorical_features=[0])
    >>> model.fit(X, X[:, 0] * 2.0).predict(X[:2]).shape
    (2,)
    """

    def _fit_model(self, model: Any, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray,
                   evaluation: EvalSet | None, categorical: list[int]) -> None:
        if categorical:
            chosen = set(categorical)
            types = ["c" if j in chosen else "q" for j in range(X.shape[1])]
            model.set_params(feature_types=types, enable_categorical=True)
        kwargs: dict[str, Any] = {}
        if evaluation is not None:
            X_eval, y_eval, w_eval = evaluation
            model.set_params(early_stopping_rounds=self._rounds())
            kwargs.update(eval_set=[(X_eval, y_eval)], sample_weight_eval_set=[w_eval],
                          verbose=False)
        model.fit(X, y, sample_weight=sample_weight, **kwargs)

    def _best_iteration(self, model: Any) -> int | None:
        return int(model.best_iteration)


def _defaults(context: BuildContext) -> dict[str, Any]:
    large = context.n_rows >= EARLY_STOPPING_MIN_ROWS
    return {
        "n_estimators": 2000 if large else 100,
        "learning_rate": 0.05,
        "max_depth": 6,
        "min_child_weight": 1.0,
        "subsample": 1.0,
        "colsample_bytree": 1.0,
        "reg_alpha": 0.0,
        "reg_lambda": 1.0,
        "gamma": 0.0,
        "max_cat_to_onehot": 4,
        "early_stopping_rounds": 50 if large else None,
        "validation_fraction": 0.1,
    }


def _suggest(space: SearchSpace, context: BuildContext) -> dict[str, Any]:
    n_rows = context.n_rows
    # deeper trees only pay off once there are rows to fill them
    deepest = int(np.clip(np.log2(max(n_rows, 2)) - 2, 3, 12))
    params: dict[str, Any] = {
        "learning_rate": space.float("learning_rate", 0.01, 0.3, log=True),
        "max_depth": space.int("max_depth", 2, deepest),
        "min_child_weight": space.float("min_child_weight", 0.5,
                                        float(size_cap(n_rows, 100, low=2, high=64)), log=True),
        "subsample": space.float("subsample", 0.5, 1.0),
        "colsample_bytree": space.float("colsample_bytree", 0.3, 1.0),
        "reg_alpha": space.float("reg_alpha", 1e-8, 10.0, log=True),
        "reg_lambda": space.float("reg_lambda", 1e-3, 10.0, log=True),
        "gamma": space.float("gamma", 1e-8, 1.0, log=True),
    }
    if n_rows < EARLY_STOPPING_MIN_ROWS:
        params["n_estimators"] = space.int("n_estimators", 32, 1024, log=True)
    return params


def _portfolio(context: BuildContext) -> list[dict[str, Any]]:
    large = context.n_rows >= EARLY_STOPPING_MIN_ROWS
    return [
        {"learning_rate": 0.02, "n_estimators": 4000 if large else 300, "subsample": 0.8,
         "colsample_bytree": 0.8},
        {"max_depth": 3, "learning_rate": 0.1, "reg_lambda": 5.0},
        {"max_depth": 10, "min_child_weight": float(size_cap(context.n_rows, 500, low=1,
                                                             high=10)),
         "learning_rate": 0.03, "colsample_bytree": 0.6, "subsample": 0.8},
    ]


def _build(params: dict[str, Any], context: BuildContext) -> XGBoostAdapter:
    xgboost = require("xgboost", extra="xgboost")
    model_class = xgboost.XGBRegressor if context.task is Task.REGRESSION \
        else xgboost.XGBClassifier
    estimator = model_class(
        n_estimators=int(params["n_estimators"]),
        learning_rate=float(params["learning_rate"]),
        max_depth=int(params["max_depth"]),
        min_child_weight=float(params["min_child_weight"]),
        subsample=float(params["subsample"]),
        colsample_bytree=float(params["colsample_bytree"]),
        reg_alpha=float(params["reg_alpha"]),
        reg_lambda=float(params["reg_lambda"]),
        gamma=float(params["gamma"]),
        max_cat_to_onehot=int(params["max_cat_to_onehot"]),
        tree_method="hist",
        random_state=context.random_state,
        n_jobs=context.n_jobs,
        verbosity=0,
        **({"monotone_constraints": tuple(context.monotone)} if context.is_monotone else {}),
    )
    return XGBoostAdapter(
        estimator, categorical_features=list(context.categorical_indices),
        early_stopping_rounds=params["early_stopping_rounds"],
        validation_fraction=float(params["validation_fraction"]),
        random_state=context.random_state)


XGBOOST = ModelSpec(
    name="xgboost",
    tasks=frozenset(Task),
    style=FeatureStyle("native"),
    relative_cost=1.5,
    extra="xgboost",
    modules=("xgboost",),
    builder=_build,
    suggester=_suggest,
    default_params=_defaults,
    portfolio_params=_portfolio,
    handles_sparse=False,
    supports_sample_weight=True,
    native_categorical="native",
    supports_monotone=True,
    description="XGBoost histogram gradient-boosted trees with categorical feature types",
)
