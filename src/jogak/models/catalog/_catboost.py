"""CatBoost: ordered boosting with native categorical statistics (extra ``catboost``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jogak.data import Task
from jogak.models._optional import require
from jogak.models.catalog._boosting import BoosterAdapter, EvalSet
from jogak.models.catalog._holdout import EARLY_STOPPING_MIN_ROWS
from jogak.models.catalog._spec import BuildContext, ModelSpec, SearchSpace
from jogak.pipeline import FeatureStyle

__all__ = ["CATBOOST", "MISSING_CATEGORY_CODE", "CatBoostAdapter"]

# CatBoost takes categorical values as integers or strings only; NaN becomes this code.
MISSING_CATEGORY_CODE = -1


def categorical_frame(X: np.ndarray, categorical: list[int]) -> np.ndarray | pd.DataFrame:
    """``X`` with the categorical positions as int64 codes (NaN -> ``MISSING_CATEGORY_CODE``).

    Without categorical positions ``X`` is returned as it is (no copy).
    """
    if not categorical:
        return X
    frame = pd.DataFrame(X, copy=False)
    for j in categorical:
        column = X[:, j]
        frame[j] = np.where(np.isnan(column), MISSING_CATEGORY_CODE, column).astype(np.int64)
    return frame


class CatBoostAdapter(BoosterAdapter):
    """A CatBoost model that takes a float matrix with integer-coded categorical positions.

    CatBoost refuses float categorical values, so the categorical positions are turned into
    int64 codes (NaN becomes ``-1``, its own category) before ``fit`` and ``predict``. See
    :class:`BoosterAdapter` for the parameters; ``estimator`` is an unfitted
    ``catboost.CatBoostClassifier`` or ``catboost.CatBoostRegressor``.

    Examples
    --------
    >>> import numpy as np
    >>> from catboost import CatBoostRegressor
    >>> X = np.column_stack([np.arange(40) % 4, np.linspace(0, 1, 40)])
    >>> X[0, 0] = np.nan
    >>> model = CatBoostAdapter(CatBoostRegressor(iterations=5, verbose=False,
    ...                                           allow_writing_files=False),
    ...                         categorical_features=[0]).fit(X, np.arange(40.0))
    >>> model.predict(X[:2]).shape
    (2,)
    """

    def _fit_model(self, model: Any, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray,
                   evaluation: EvalSet | None, categorical: list[int]) -> None:
        catboost = require("catboost", extra="catboost")
        train = catboost.Pool(categorical_frame(X, categorical), label=y, weight=sample_weight,
                              cat_features=categorical or None)
        if evaluation is None:
            model.fit(train)
            return
        X_eval, y_eval, w_eval = evaluation
        held = catboost.Pool(categorical_frame(X_eval, categorical), label=y_eval, weight=w_eval,
                             cat_features=categorical or None)
        model.fit(train, eval_set=held, early_stopping_rounds=self._rounds(),
                  use_best_model=True)

    def _prepare(self, X: np.ndarray) -> Any:
        return categorical_frame(X, self.categorical_features_)

    def _best_iteration(self, model: Any) -> int | None:
        best = model.get_best_iteration()
        return None if best is None else int(best)


def _defaults(context: BuildContext) -> dict[str, Any]:
    large = context.n_rows >= EARLY_STOPPING_MIN_ROWS
    return {
        "iterations": 2000 if large else 100,
        "learning_rate": 0.08,
        "depth": 6,
        "l2_leaf_reg": 3.0,
        "random_strength": 1.0,
        "bagging_temperature": 1.0,
        "one_hot_max_size": 4,
        "early_stopping_rounds": 50 if large else None,
        "validation_fraction": 0.1,
    }


def _suggest(space: SearchSpace, context: BuildContext) -> dict[str, Any]:
    deepest = int(np.clip(np.log2(max(context.n_rows, 2)) - 3, 4, 10))
    params: dict[str, Any] = {
        "learning_rate": space.float("learning_rate", 0.01, 0.3, log=True),
        "depth": space.int("depth", 3, deepest),
        "l2_leaf_reg": space.float("l2_leaf_reg", 0.5, 30.0, log=True),
        "random_strength": space.float("random_strength", 0.1, 10.0, log=True),
        "bagging_temperature": space.float("bagging_temperature", 0.0, 2.0),
        "one_hot_max_size": space.int("one_hot_max_size", 2, 16, log=True),
    }
    if context.n_rows < EARLY_STOPPING_MIN_ROWS:
        params["iterations"] = space.int("iterations", 32, 1024, log=True)
    return params


def _portfolio(context: BuildContext) -> list[dict[str, Any]]:
    large = context.n_rows >= EARLY_STOPPING_MIN_ROWS
    return [
        {"learning_rate": 0.03, "iterations": 5000 if large else 300, "depth": 6},
        {"depth": 8, "learning_rate": 0.05, "l2_leaf_reg": 10.0},
        {"depth": 4, "learning_rate": 0.1, "random_strength": 2.0},
    ]


def _build(params: dict[str, Any], context: BuildContext) -> CatBoostAdapter:
    catboost = require("catboost", extra="catboost")
    if context.task is Task.REGRESSION:
        model_class, loss = catboost.CatBoostRegressor, "RMSE"
    else:
        model_class = catboost.CatBoostClassifier
        loss = "Logloss" if context.task is Task.BINARY else "MultiClass"
    estimator = model_class(
        iterations=int(params["iterations"]),
        learning_rate=float(params["learning_rate"]),
        depth=int(params["depth"]),
        l2_leaf_reg=float(params["l2_leaf_reg"]),
        random_strength=float(params["random_strength"]),
        bagging_temperature=float(params["bagging_temperature"]),
        one_hot_max_size=int(params["one_hot_max_size"]),
        loss_function=loss,
        random_seed=context.random_state,
        thread_count=context.n_jobs,
        verbose=False,
        allow_writing_files=False,
    )
    return CatBoostAdapter(
        estimator, categorical_features=list(context.categorical_indices),
        early_stopping_rounds=params["early_stopping_rounds"],
        validation_fraction=float(params["validation_fraction"]),
        random_state=context.random_state)


CATBOOST = ModelSpec(
    name="catboost",
    tasks=frozenset(Task),
    style=FeatureStyle("native"),
    relative_cost=3.0,
    extra="catboost",
    modules=("catboost",),
    builder=_build,
    suggester=_suggest,
    default_params=_defaults,
    portfolio_params=_portfolio,
    handles_sparse=False,
    supports_sample_weight=True,
    native_categorical="native",
    description="CatBoost ordered boosting with native categorical statistics",
)
