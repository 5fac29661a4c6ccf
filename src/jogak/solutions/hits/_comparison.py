"""S1's comparison table beside jogak's model: every model scored on the same repeated folds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.metrics import mean_absolute_percentage_error, r2_score

from jogak.data import Task
from jogak.errors import ConfigError, SchemaError
from jogak.models import CVScheme, make_splits
from jogak.solutions.hits._conformal import interval_coverage
from jogak.solutions.hits._regressor import HitRegressor, check_count_target
from jogak.solutions.hits._s1_models import (
    S1_MODELS,
    s1_encoder,
    s1_estimator,
    tune_s1_model,
)

__all__ = ["JOGAK_MODEL", "METRIC_NAMES", "Comparison", "compare_models", "regression_scores"]

#: Name of jogak's model in the table.
JOGAK_MODEL = "jogak_automl"
#: Metrics of every row of the table.
METRIC_NAMES = ("rmse", "mae", "r2", "r2_log", "rmsle", "mape")
Progress = Callable[[str], None]


def regression_scores(y: np.ndarray, prediction: np.ndarray) -> dict[str, float]:
    """RMSE, MAE, R² on the raw scale, R² of ``log1p``, RMSLE and MAPE (a fraction).

    Negative predictions are clipped at 0 for the log-scale metrics.

    Examples
    --------
    >>> s = regression_scores(np.array([0.0, 9.0]), np.array([0.0, 3.0]))
    >>> round(s["rmse"], 4), round(s["rmsle"], 4)
    (4.2426, 0.6479)
    """
    target, predicted = np.asarray(y, dtype=float), np.asarray(prediction, dtype=float)
    if target.shape != predicted.shape or target.size == 0:
        raise ConfigError(f"y and prediction must be non-empty and of equal length; got "
                          f"{target.shape} and {predicted.shape}.")
    log_t, log_p = np.log1p(target), np.log1p(np.clip(predicted, 0.0, None))
    single = target.size < 2
    return {
        "rmse": float(np.sqrt(np.mean((target - predicted) ** 2))),
        "mae": float(np.mean(np.abs(target - predicted))),
        "r2": 0.0 if single else float(r2_score(target, predicted)),
        "r2_log": 0.0 if single else float(r2_score(log_t, log_p)),
        "rmsle": float(np.sqrt(np.mean((log_t - log_p) ** 2))),
        "mape": float(mean_absolute_percentage_error(target, predicted)),
    }


@dataclass(frozen=True)
class Comparison:
    """Scores of every model on every fold.

    Attributes
    ----------
    scores : DataFrame
        One row per (model, fold): ``model, fold, repeat`` and :data:`METRIC_NAMES`.
    coverage : DataFrame
        jogak's interval coverage per fold: ``fold, coverage, mean_width_log``.
    nominal_coverage : float
        The coverage the intervals aim at.
    tuned_params : dict
        Per fold, the Optuna parameters found for each base model.
    """

    scores: pd.DataFrame
    coverage: pd.DataFrame
    nominal_coverage: float
    tuned_params: dict[int, dict[str, dict[str, Any]]] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Mean and standard deviation of each metric per model, best RMSE first."""
        grouped = self.scores.groupby("model", sort=False)[list(METRIC_NAMES)]
        table = grouped.mean().join(grouped.std(ddof=0).add_suffix("_std"))
        return table.sort_values("rmse", kind="stable")

    def to_dict(self) -> dict[str, Any]:
        """``{"models": {NAME: {metric: mean}}, "coverage": {...}}`` for ``--json`` output."""
        means = self.scores.groupby("model", sort=False)[list(METRIC_NAMES)].mean()
        out: dict[str, Any] = {"models": {name: {m: float(row[m]) for m in METRIC_NAMES}
                                          for name, row in means.iterrows()}}
        if not self.coverage.empty:
            out["coverage"] = {"nominal": self.nominal_coverage,
                               "mean": float(self.coverage["coverage"].mean()),
                               "min": float(self.coverage["coverage"].min()),
                               "max": float(self.coverage["coverage"].max())}
        out["n_folds"] = int(self.scores["fold"].nunique())
        return out


def _matrices(features: Any, X_train: pd.DataFrame, y_train: np.ndarray,
              X_test: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    fitted = clone(features).fit(X_train, y_train)
    encoder = s1_encoder()
    train = encoder.fit_transform(fitted.transform(X_train))
    test = encoder.transform(fitted.transform(X_test))
    return np.asarray(train, dtype=float), np.asarray(test, dtype=float)


def compare_models(X: pd.DataFrame, y: Any, *, features: Any, jogak_model: HitRegressor | None,
                   models: Sequence[str] = S1_MODELS, tuned: bool = True,
                   n_tuning_trials: int = 10, folds: int = 5, repeats: int = 3,
                   random_state: int = 0, n_jobs: int = 1,
                   progress: Progress | None = None,
                   on_fold: Callable[[Comparison], None] | None = None,
                   fold_subset: Sequence[int] | None = None) -> Comparison:
    """Score S1's models (default and Optuna-tuned) and jogak's model on the same folds.

    S1's models learn the raw target from the same leakage-free features (re-fitted per fold),
    one-hot encoded; tuned variants search ``n_tuning_trials`` Optuna trials on an inner 3-fold
    split of each training fold, and the tuned stack stacks the tuned base models. jogak's
    model is cloned and fitted per fold; its conformal intervals' coverage is measured on each
    held-out fold.

    Parameters
    ----------
    X : DataFrame
        Raw rows (film or song table).
    y : array-like
        Non-negative target (audience, months on chart).
    features : transformer
        :class:`FilmFeatures` or :class:`SongFeatures`.
    jogak_model : HitRegressor or None
        jogak's model (None leaves it out).
    models : sequence of str, default S1_MODELS
    tuned : bool, default True
        Also score each model after Optuna tuning (``<name>_tuned``).
    n_tuning_trials : int, default 10
    folds, repeats : int, default 5 and 3
        Repeated k-fold: ``folds * repeats`` fits per model.
    random_state : int, default 0
    n_jobs : int, default 1
    progress : callable, optional
        Called with a short message after each (fold, model).
    on_fold : callable, optional
        Called with the results so far after each fold (e.g. to save partial results).
    fold_subset : sequence of int, optional
        Score only these folds (0-based over all ``folds * repeats``), keeping their numbers:
        parts of one protocol run as separate processes and concatenated give the whole table.

    Returns
    -------
    Comparison
    """
    unknown = [m for m in models if m not in S1_MODELS]
    if unknown:
        raise ConfigError(f"Unknown model(s) {unknown}; expected names from {list(S1_MODELS)}.")
    if not isinstance(X, pd.DataFrame):
        raise SchemaError(f"compare_models needs a DataFrame, got {type(X).__name__}.")
    target = check_count_target(y)
    if len(target) != len(X):
        raise SchemaError(f"X has {len(X)} rows but y has {len(target)}.")
    X = X.reset_index(drop=True)
    scheme = CVScheme(kind="kfold", n_splits=folds, n_repeats=repeats, random_state=random_state)
    splits = make_splits(scheme, task=Task.REGRESSION, y=target)
    per_repeat = max(1, len(splits) // repeats)
    chosen = set(range(len(splits)) if fold_subset is None else fold_subset)
    outside = sorted(chosen - set(range(len(splits))))
    if outside:
        raise ConfigError(f"fold_subset must hold fold numbers from 0 to {len(splits) - 1}; "
                          f"got {outside}.")
    rows: list[dict[str, Any]] = []
    coverage: list[dict[str, float]] = []
    tuned_params: dict[int, dict[str, dict[str, Any]]] = {}
    report = progress or (lambda message: None)
    for fold, (train, test) in enumerate(splits):
        if fold not in chosen:
            continue
        M_train, M_test = _matrices(features, X.iloc[train], target[train], X.iloc[test])
        found: dict[str, dict[str, Any]] = {}
        predictions: dict[str, np.ndarray] = {}
        for name in models:
            variants: list[tuple[str, dict[str, Any] | None]] = [(name, None)]
            if tuned:
                if name != "stacking":
                    found[name] = tune_s1_model(name, M_train, target[train],
                                                n_trials=n_tuning_trials,
                                                random_state=random_state, n_jobs=n_jobs)
                variants.append((f"{name}_tuned", found.get(name, {})))
            for label, params in variants:
                if name == "stacking":
                    model = s1_estimator(name, random_state=random_state, n_jobs=n_jobs,
                                         base_params=found if params is not None else None)
                else:
                    model = s1_estimator(name, params, random_state=random_state, n_jobs=n_jobs)
                predictions[label] = model.fit(M_train, target[train]).predict(M_test)
                report(f"fold {fold + 1}/{len(splits)}: {label}")
        tuned_params[fold] = found
        if jogak_model is not None:
            fitted = clone(jogak_model).fit(X.iloc[train], target[train])
            predictions[JOGAK_MODEL] = fitted.predict(X.iloc[test])
            bounds = fitted.predict_interval(X.iloc[test])
            coverage.append({"fold": fold, "coverage": interval_coverage(
                target[test], bounds[:, 0], bounds[:, 1]),
                "mean_width_log": float(np.mean(np.log1p(bounds[:, 1])
                                                - np.log1p(bounds[:, 0])))})
            report(f"fold {fold + 1}/{len(splits)}: {JOGAK_MODEL}")
        for label, predicted in predictions.items():
            rows.append({"model": label, "fold": fold, "repeat": fold // per_repeat,
                         **regression_scores(target[test], predicted)})
        if on_fold is not None:
            on_fold(_result(rows, coverage, jogak_model, tuned_params))
    return _result(rows, coverage, jogak_model, tuned_params)


def _result(rows: list[dict[str, Any]], coverage: list[dict[str, float]],
            jogak_model: HitRegressor | None,
            tuned_params: dict[int, dict[str, dict[str, Any]]]) -> Comparison:
    return Comparison(scores=pd.DataFrame(rows), coverage=pd.DataFrame(coverage),
                      nominal_coverage=jogak_model.coverage if jogak_model else float("nan"),
                      tuned_params=dict(tuned_params))

