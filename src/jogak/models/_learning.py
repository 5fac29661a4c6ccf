"""Learning curves and an over-fitting diagnosis (train score vs cross-validated score)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.base import clone, is_classifier
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from jogak.data import Task, coerce_frame
from jogak.errors import ConfigError, NotFittedError, SchemaError
from jogak.models._metrics import Metric, default_metric, get_metric
from jogak.models._validation import CVScheme, make_splits

__all__ = ["FitDiagnosis", "LearningCurve", "best_member_pipeline", "learning_curve"]

Verdict = Literal["over-fitting", "still learning", "good fit"]


@dataclass(frozen=True, kw_only=True)
class FitDiagnosis:
    """Reading of a learning curve at its largest training size.

    Attributes
    ----------
    verdict : {"over-fitting", "still learning", "good fit"}
        ``over-fitting`` when the train score beats the CV score by more than the tolerance
        (relative to the CV score); else ``still learning`` when the CV score still improved by
        more than 1 % over the last step; else ``good fit``.
    train_score, cv_score : float
        Mean scores at the largest size.
    gap : float
        How much better the train score is than the CV score (in the metric's units, positive
        means train is better, whatever the metric's direction).
    relative_gap : float
        ``gap / |cv_score|``.
    cv_gain : float
        Relative improvement of the CV score over the last step of the curve.
    message : str
        One sentence for readers.
    """

    verdict: Verdict
    metric: str
    train_score: float
    cv_score: float
    gap: float
    relative_gap: float
    cv_gain: float
    message: str


@dataclass(frozen=True, kw_only=True)
class LearningCurve:
    """Scores against training-set size.

    Attributes
    ----------
    metric : str
        The metric's name.
    greater_is_better : bool
        Its direction.
    table : pandas.DataFrame
        One row per size: ``n_rows, fraction, train_mean, train_std, cv_mean, cv_std``.
    """

    metric: str
    greater_is_better: bool
    table: pd.DataFrame

    def diagnose(self, *, tolerance: float = 0.1) -> FitDiagnosis:
        """Over-fitting, still learning or a good fit (see :class:`FitDiagnosis`).

        Parameters
        ----------
        tolerance : float, default 0.1
            Largest train-vs-CV gap, relative to the CV score, still called a good fit.
        """
        if not tolerance > 0:
            raise ConfigError(f"tolerance must be > 0, got {tolerance!r}.")
        rows = self.table.dropna(subset=["train_mean", "cv_mean"])
        if rows.empty:
            raise ConfigError("The learning curve has no scored size to diagnose.")
        sign = 1.0 if self.greater_is_better else -1.0
        last = rows.iloc[-1]
        train, cv = float(last["train_mean"]), float(last["cv_mean"])
        scale = max(abs(cv), 1e-12)
        gap = sign * (train - cv)
        relative = gap / scale
        gain = sign * (cv - float(rows["cv_mean"].iloc[-2])) / scale if len(rows) > 1 else 0.0
        name = self.metric
        if relative > tolerance:
            verdict: Verdict = "over-fitting"
            message = (f"Over-fitting: {name} is {train:.4g} on training rows but {cv:.4g} in "
                       f"cross-validation ({relative:.0%} apart). Simpler models, stronger "
                       "regularisation or more data would help.")
        elif gain > 0.01:
            verdict = "still learning"
            message = (f"Still learning: cross-validated {name} rose by {gain:.1%} over the last "
                       "step; more rows would likely improve the model.")
        else:
            verdict = "good fit"
            message = (f"Good fit: train and cross-validated {name} are within {tolerance:.0%} "
                       f"({train:.4g} vs {cv:.4g}) and the curve has levelled off.")
        return FitDiagnosis(verdict=verdict, metric=name, train_score=train, cv_score=cv,
                            gap=gap, relative_gap=relative, cv_gain=gain, message=message)


def best_member_pipeline(model: Any) -> Pipeline:
    """An unfitted ``Pipeline(preprocess, learner)`` of a fitted AutoML model's leading member.

    The leading member is the one with the largest ensemble weight (for a stacked model, whose
    members all weigh 0, the best-ranked member). Its preprocessor and learner are cloned with
    their fitted parameters, so the pipeline re-learns exactly that configuration.
    """
    predictor = getattr(model, "ensemble_", None)
    if predictor is None:
        raise NotFittedError(f"{type(model).__name__} is not fitted; call fit first.")
    member = max(predictor.members, key=lambda m: m.weight)  # ties keep the best-ranked
    preprocessor = predictor.preprocessors[member.style][0]
    return Pipeline([("preprocess", clone(preprocessor)), ("learner", clone(member.learners[0]))])


def _automl_inputs(model: Any, X: pd.DataFrame, y: Any) -> tuple[Any, pd.DataFrame,
                                                                  np.ndarray, Task]:
    missing = [c for c in model.roles_.features if c not in X.columns]
    if missing:
        raise SchemaError(f"X lacks the model's feature column(s) {missing}. Hint: pass the "
                          "columns the model was trained on.")
    frame = coerce_frame(X, model.roles_)[model.roles_.features].reset_index(drop=True)
    target = pd.Series(np.asarray(y, dtype=object))
    keep = target.notna().to_numpy()
    frame, target = frame.loc[keep].reset_index(drop=True), target[keep]
    task: Task = model.task_
    if task.is_classification:
        lookup = {str(c): i for i, c in enumerate(model.classes_)}
        unknown = sorted(set(target.astype(str)) - set(lookup))
        if unknown:
            raise SchemaError(f"y has labels the model never saw: {unknown[:5]}.")
        encoded = target.astype(str).map(lookup).to_numpy(dtype=np.int64)
    else:
        encoded = pd.to_numeric(target).to_numpy(dtype=np.float64)
        if getattr(model, "log_target", False):
            encoded = np.log1p(encoded)
    return best_member_pipeline(model), frame, encoded, task


def _plain_inputs(estimator: Any, X: Any, y: Any) -> tuple[Any, pd.DataFrame, np.ndarray, Task]:
    frame = X.reset_index(drop=True) if isinstance(X, pd.DataFrame) else pd.DataFrame(X)
    values = np.asarray(y)
    if is_classifier(estimator):
        classes, encoded = np.unique(values, return_inverse=True)
        task = Task.BINARY if classes.size == 2 else Task.MULTICLASS
        return clone(estimator), frame, encoded.astype(np.int64), task
    return clone(estimator), frame, values.astype(np.float64), Task.REGRESSION


def _predict(fitted: Any, X: pd.DataFrame, task: Task, n_classes: int) -> np.ndarray:
    if not task.is_classification:
        return np.asarray(fitted.predict(X), dtype=np.float64).reshape(-1)
    proba = np.asarray(fitted.predict_proba(X), dtype=np.float64)
    wide = np.zeros((len(X), n_classes))
    wide[:, np.asarray(fitted.classes_, dtype=np.int64)] = proba
    return wide


def learning_curve(model: Any, X: Any, y: Any, *, metric: str | None = None,
                   train_sizes: Sequence[float] = (0.1, 0.25, 0.5, 0.75, 1.0), cv: int = 3,
                   random_state: int = 0) -> LearningCurve:
    """Train and cross-validated scores as the training set grows.

    Each fold's training rows are shuffled once (seeded) and nested prefixes of them are used,
    so a larger size always contains the smaller ones.

    Parameters
    ----------
    model : estimator
        A fitted :class:`~jogak.models.AutoMLClassifier` / ``AutoMLRegressor`` (its leading
        member's pipeline is re-fitted, see :func:`best_member_pipeline`) or any unfitted
        scikit-learn estimator taking ``X`` as given.
    X : DataFrame or array of shape (n_rows, n_columns)
        Features (raw columns for an AutoML model).
    y : array-like of shape (n_rows,)
        Target (labels as the model knows them).
    metric : str, optional
        Metric name; defaults to the AutoML model's metric or the task's default.
    train_sizes : sequence of float, default (0.1, 0.25, 0.5, 0.75, 1.0)
        Fractions in (0, 1] of each fold's training rows, increasing.
    cv : int, default 3
        Folds (stratified for classification).
    random_state : int, default 0
        Seed of folds and row order.

    Returns
    -------
    LearningCurve
        Call :meth:`LearningCurve.diagnose` for the over-fitting verdict.
    """
    sizes = [float(s) for s in train_sizes]
    if not sizes or any(not 0 < s <= 1 for s in sizes) or sorted(set(sizes)) != sizes:
        raise ConfigError(f"train_sizes must be increasing fractions in (0, 1], got "
                          f"{list(train_sizes)!r}.")
    if hasattr(model, "ensemble_"):
        if not isinstance(X, pd.DataFrame):
            raise SchemaError("An AutoML model's learning curve needs X as a DataFrame of raw "
                              "columns.")
        estimator, frame, target, task = _automl_inputs(model, X, y)
        chosen = get_metric(metric or model.metric_, task)
    else:
        estimator, frame, target, task = _plain_inputs(model, X, y)
        chosen = get_metric(metric, task) if metric else default_metric(task)
    if len(frame) != len(target):
        raise SchemaError(f"X has {len(frame)} rows but y has {len(target)}.")
    n_classes = int(target.max()) + 1 if task.is_classification else 0
    splits = make_splits(CVScheme(n_splits=cv, random_state=random_state), task=task, y=target)
    rng = np.random.default_rng(random_state)
    scores: dict[float, tuple[list[float], list[float], list[int]]] = {s: ([], [], [])
                                                                       for s in sizes}
    with threadpool_limits(limits=1):
        for train, test in splits:
            order = rng.permutation(train)
            for size in sizes:
                rows = order[:max(2, math.ceil(size * len(order)))]
                if task.is_classification and np.unique(target[rows]).size < 2:
                    continue
                fitted = clone(estimator).fit(frame.iloc[rows], target[rows])
                train_score = _score(chosen, target[rows],
                                     _predict(fitted, frame.iloc[rows], task, n_classes))
                cv_score = _score(chosen, target[test],
                                  _predict(fitted, frame.iloc[test], task, n_classes))
                scores[size][0].append(train_score)
                scores[size][1].append(cv_score)
                scores[size][2].append(len(rows))
    table = pd.DataFrame([{
        "n_rows": int(np.mean(n)) if n else 0, "fraction": size,
        "train_mean": _mean(tr), "train_std": _std(tr), "cv_mean": _mean(te), "cv_std": _std(te),
    } for size, (tr, te, n) in scores.items()])
    return LearningCurve(metric=chosen.name, greater_is_better=chosen.greater_is_better,
                         table=table)


def _score(metric: Metric, y: np.ndarray, prediction: np.ndarray) -> float:
    return metric.score(y, prediction)


def _mean(values: list[float]) -> float:
    return float(np.mean(values)) if values else float("nan")


def _std(values: list[float]) -> float:
    return float(np.std(values)) if values else float("nan")
