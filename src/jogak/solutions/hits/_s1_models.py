"""S1's regressors (RF, GB, XGBoost, LightGBM, ExtraTrees, Stacking), default and Optuna-tuned."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import optuna
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import (
    ExtraTreesRegressor,
    GradientBoostingRegressor,
    RandomForestRegressor,
    StackingRegressor,
)
from sklearn.impute import SimpleImputer
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold
from sklearn.preprocessing import OneHotEncoder

from jogak.errors import ConfigError
from jogak.models._optional import require

__all__ = ["S1_BASE_MODELS", "S1_MODELS", "s1_encoder", "s1_estimator", "tune_s1_model"]

#: The tree ensembles S1 compared; "stacking" stacks them.
S1_BASE_MODELS = ("random_forest", "gradient_boosting", "xgboost", "lightgbm", "extra_trees")
S1_MODELS = (*S1_BASE_MODELS, "stacking")
Params = dict[str, Any]


def s1_encoder() -> ColumnTransformer:
    """One-hot text columns (rare levels pooled), median-impute numbers: S1's dummies."""
    return ColumnTransformer([
        ("categories", OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5,
                                     sparse_output=False),
         make_column_selector(dtype_include=["object", "string", "category"])),
        ("numbers", SimpleImputer(strategy="median", keep_empty_features=True),
         make_column_selector(dtype_include="number")),
    ], verbose_feature_names_out=False)


def _forest(kind: type, params: Params, seed: int, n_jobs: int) -> BaseEstimator:
    return kind(**{"n_estimators": 100, **params}, random_state=seed, n_jobs=n_jobs)


def s1_estimator(name: str, params: Mapping[str, Any] | None = None, *, random_state: int = 0,
                 n_jobs: int = 1, base_params: Mapping[str, Params] | None = None
                 ) -> BaseEstimator:
    """An unfitted S1 regressor with the library defaults updated by ``params``.

    ``stacking`` stacks the five base models (with ``base_params`` per family, e.g. the tuned
    ones) under a ridge meta-model on 5-fold out-of-fold predictions (S1's StackingCV).
    """
    values = dict(params or {})
    if name == "random_forest":
        return _forest(RandomForestRegressor, values, random_state, n_jobs)
    if name == "extra_trees":
        return _forest(ExtraTreesRegressor, values, random_state, n_jobs)
    if name == "gradient_boosting":
        return GradientBoostingRegressor(**values, random_state=random_state)
    if name == "xgboost":
        xgboost = require("xgboost", extra="xgboost", purpose="S1's XGBoost model")
        return xgboost.XGBRegressor(**values, random_state=random_state, n_jobs=n_jobs,
                                    verbosity=0)
    if name == "lightgbm":
        lightgbm = require("lightgbm", extra="lightgbm", purpose="S1's LightGBM model")
        return lightgbm.LGBMRegressor(**values, random_state=random_state, n_jobs=n_jobs,
                                      verbose=-1)
    if name == "stacking":
        bases = dict(base_params or {})
        members = [(family, s1_estimator(family, bases.get(family), random_state=random_state,
                                         n_jobs=n_jobs)) for family in S1_BASE_MODELS]
        return StackingRegressor(members, final_estimator=RidgeCV(alphas=np.logspace(-3, 3, 13)),
                                 cv=KFold(5, shuffle=True, random_state=random_state))
    raise ConfigError(f"Unknown S1 model {name!r}; expected one of {list(S1_MODELS)}.")


def _forest_space(trial: optuna.Trial) -> Params:
    return {"n_estimators": trial.suggest_int("n_estimators", 50, 300, step=50),
            "max_depth": trial.suggest_int("max_depth", 3, 24),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 10),
            "max_features": trial.suggest_float("max_features", 0.3, 1.0)}


def _gb_space(trial: optuna.Trial) -> Params:
    return {"n_estimators": trial.suggest_int("n_estimators", 50, 300, step=50),
            "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
            "max_depth": trial.suggest_int("max_depth", 2, 6),
            "subsample": trial.suggest_float("subsample", 0.6, 1.0),
            "min_samples_leaf": trial.suggest_int("min_samples_leaf", 1, 20)}


def _xgb_space(trial: optuna.Trial) -> Params:
    return {"n_estimators": trial.suggest_int("n_estimators", 50, 300, step=50),
            "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
            "max_depth": trial.suggest_int("max_depth", 2, 8),
            "subsample": trial.suggest_float("subsample", 0.6, 1.0),
            "colsample_bytree": trial.suggest_float("colsample_bytree", 0.5, 1.0),
            "min_child_weight": trial.suggest_float("min_child_weight", 1.0, 10.0, log=True)}


def _lgbm_space(trial: optuna.Trial) -> Params:
    return {"n_estimators": trial.suggest_int("n_estimators", 50, 300, step=50),
            "learning_rate": trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
            "num_leaves": trial.suggest_int("num_leaves", 4, 64, log=True),
            "min_child_samples": trial.suggest_int("min_child_samples", 5, 50),
            "subsample": trial.suggest_float("subsample", 0.6, 1.0), "subsample_freq": 1,
            "colsample_bytree": trial.suggest_float("colsample_bytree", 0.5, 1.0)}


_SPACES: dict[str, Callable[[optuna.Trial], Params]] = {
    "random_forest": _forest_space, "extra_trees": _forest_space, "gradient_boosting": _gb_space,
    "xgboost": _xgb_space, "lightgbm": _lgbm_space}


def tune_s1_model(name: str, X: np.ndarray | pd.DataFrame, y: np.ndarray, *, n_trials: int,
                  inner_cv: int = 3, random_state: int = 0, n_jobs: int = 1) -> Params:
    """Best parameters of a base model by Optuna TPE on ``inner_cv``-fold RMSE of the rows given.

    Only the rows given (one outer training fold) are used, so the outer test fold stays
    unseen: tuning "inside CV".
    """
    if name not in _SPACES:
        raise ConfigError(f"Tuning applies to {list(_SPACES)}; got {name!r}.")
    if n_trials < 1:
        raise ConfigError(f"n_trials must be >= 1, got {n_trials!r}.")
    matrix = np.asarray(X, dtype=float)
    target = np.asarray(y, dtype=float)
    folds = list(KFold(inner_cv, shuffle=True, random_state=random_state).split(matrix))

    def objective(trial: optuna.Trial) -> float:
        params = _SPACES[name](trial)
        errors = []
        for train, test in folds:
            model = s1_estimator(name, params, random_state=random_state, n_jobs=n_jobs)
            model.fit(matrix[train], target[train])
            errors.append(np.mean((target[test] - model.predict(matrix[test])) ** 2))
        return float(np.sqrt(np.mean(errors)))

    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.create_study(direction="minimize",
                                    sampler=optuna.samplers.TPESampler(seed=random_state))
        study.optimize(objective, n_trials=n_trials)
    finally:
        optuna.logging.set_verbosity(verbosity)
    best = dict(study.best_params)
    if name == "lightgbm":
        best["subsample_freq"] = 1
    return best
