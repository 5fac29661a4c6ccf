"""One trial: a model family with parameters, cross-validated on the shared folds."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from jogak.data import Task
from jogak.models._metrics import Metric, score_all
from jogak.models.automl._folds import FoldCache, FoldPredictions
from jogak.models.catalog import BuildContext, ModelSpec
from jogak.pipeline import native_categorical_indices

_THREADED_ROWS = 20_000

__all__ = ["TrialPruned", "TrialRecord", "evaluate_trial", "leaderboard", "predict_learner",
           "quiet_convergence"]


class TrialPruned(Exception):
    """A trial stopped early: hopeless after its first folds, or out of time."""


@dataclass
class TrialRecord:
    """What a trial did: family, parameters, CV scores, timings and out-of-fold predictions."""

    number: int
    family: str
    params: dict[str, Any]
    source: str  # "default", "portfolio", "tpe", "remote"
    loss: float = float("inf")
    fold_losses: list[float] = field(default_factory=list)
    cv: dict[str, tuple[float, float]] = field(default_factory=dict)  # metric -> (mean, std)
    fit_seconds: float = 0.0
    predict_seconds: float = 0.0
    status: str = "complete"  # "complete", "pruned", "failed", "timeout"
    message: str = ""
    oof: np.ndarray | None = None
    fold_models: list[Any] | None = None
    finished_at: float = 0.0

    def to_row(self, metric: Metric) -> dict[str, Any]:
        row: dict[str, Any] = {
            "trial": self.number, "family": self.family, "source": self.source,
            "status": self.status, metric.name: self.cv.get(metric.name, (np.nan, np.nan))[0],
            f"{metric.name}_std": self.cv.get(metric.name, (np.nan, np.nan))[1],
            "fit_seconds": round(self.fit_seconds, 4),
            "predict_seconds": round(self.predict_seconds, 4),
            "finished_at": round(self.finished_at, 3),
        }
        for name, (mean, std) in self.cv.items():
            if name != metric.name:
                row[f"cv_{name}"] = mean
                row[f"cv_{name}_std"] = std
        row["params"] = dict(self.params)
        row["message"] = self.message
        return row


@contextmanager
def quiet_convergence(notes: list[str] | None = None) -> Iterator[None]:
    """Collect learners' ConvergenceWarnings instead of printing them; re-emit other warnings.

    A budgeted search stops iterative learners early on purpose: one warning per fold of every
    MLP, Lasso or ElasticNet trial buried the CLI's progress bar (10 on a 29-row table).
    ``notes`` receives one line per distinct convergence message on exit, for the trial record.
    """
    notes = [] if notes is None else notes
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        yield
    for item in caught:
        if issubclass(item.category, ConvergenceWarning):
            note = str(item.message).split(".")[0][:80]
            if note not in notes:
                notes.append(note)
        else:
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)


def predict_learner(learner: Any, X: Any, task: Task) -> np.ndarray:
    """Probabilities ``(n, k)`` for classifiers, values ``(n,)`` for regressors, as float64."""
    if task.is_classification:
        return np.asarray(learner.predict_proba(X), dtype=np.float64)
    return np.asarray(learner.predict(X), dtype=np.float64).reshape(-1)


def build_context(spec: ModelSpec, cache: FoldCache, *, task: Task, n_classes: int,
                  random_state: int, n_jobs: int) -> BuildContext:
    style = spec.style
    n_rows = int(len(cache.splits[0][0]))
    # below ~20k rows a second thread costs more in OpenMP synchronisation than it saves, and
    # spinning threads collapse when the machine is busy
    threads = n_jobs if n_rows >= _THREADED_ROWS else 1
    categorical = native_categorical_indices(cache.roles) if style.value == "native" else []
    return BuildContext(
        task=task, n_rows=n_rows, n_features=cache.n_features(style),
        n_classes=n_classes, categorical_indices=list(categorical), random_state=random_state,
        n_jobs=threads, has_sparse_input=cache.has_sparse(style),
        monotone=cache.monotone_vector(style))


def evaluate_trial(record: TrialRecord, spec: ModelSpec, cache: FoldCache, *, task: Task,
                   n_classes: int, metric: Metric, sample_weight: np.ndarray | None,
                   random_state: int, n_jobs: int, keep_models: bool,
                   on_fold: Callable[[int, float, float], None] | None = None,
                   fits_in_time: Callable[[], bool] | None = None) -> TrialRecord:
    """Fit ``spec`` with ``record.params`` on every fold; fill scores and out-of-fold predictions.

    ``on_fold(fold, loss, seconds)`` is called after each fold and may raise :class:`TrialPruned`;
    ``fits_in_time()`` is asked before each fold after the first.
    """
    y = cache.y
    n_rows = len(y)
    oof = FoldPredictions((n_rows, n_classes) if task.is_classification else (n_rows,))
    context = build_context(spec, cache, task=task, n_classes=n_classes,
                            random_state=random_state, n_jobs=n_jobs)
    template = spec.build(record.params, context)
    notes: list[str] = []
    try:
        with threadpool_limits(limits=context.n_jobs), quiet_convergence(notes):
            return _run_folds(record, spec, cache, template, task=task, n_classes=n_classes,
                              metric=metric, sample_weight=sample_weight,
                              keep_models=keep_models, on_fold=on_fold,
                              fits_in_time=fits_in_time, oof=oof)
    finally:
        if notes and not record.message:
            record.message = "not converged: " + "; ".join(notes)


def _run_folds(record: TrialRecord, spec: ModelSpec, cache: FoldCache, template: Any, *,
               task: Task, n_classes: int, metric: Metric, sample_weight: np.ndarray | None,
               keep_models: bool, on_fold: Callable[[int, float, float], None] | None,
               fits_in_time: Callable[[], bool] | None, oof: FoldPredictions) -> TrialRecord:
    # BLAS and OpenMP pools ignore the learners' n_jobs; on 2 cores extra threads only thrash
    y = cache.y
    fold_models: list[Any] = []
    fold_scores: dict[str, list[float]] = {}
    for index, (train, test) in enumerate(cache.splits):
        if index and fits_in_time is not None and not fits_in_time():
            raise TrialPruned("out of time")
        fold = cache.fold(spec.style, index)
        learner = clone(template)
        started = time.perf_counter()
        fit_kwargs: dict[str, Any] = {}
        if sample_weight is not None and spec.supports_sample_weight:
            fit_kwargs["sample_weight"] = sample_weight[train]
        learner.fit(fold.X_train, y[train], **fit_kwargs)
        fitted = time.perf_counter()
        prediction = predict_learner(learner, fold.X_test, task)
        done = time.perf_counter()
        record.fit_seconds += fitted - started
        record.predict_seconds += done - fitted
        if task.is_classification and prediction.shape[1] != n_classes:
            prediction = _widen(prediction, learner, n_classes)
        oof.add(test, prediction)
        weights = None if sample_weight is None else sample_weight[test]
        fold_loss = metric.loss(y[test], prediction, weights)
        record.fold_losses.append(fold_loss)
        for name, value in score_all(task, y[test], prediction, weights).items():
            fold_scores.setdefault(name, []).append(value)
        if keep_models:
            fold_models.append(learner)
        if on_fold is not None:
            on_fold(index, fold_loss, done - started)
    record.loss = float(np.mean(record.fold_losses))
    record.cv = {name: (float(np.mean(values)), float(np.std(values)))
                 for name, values in fold_scores.items()}
    record.oof = oof.mean()
    record.fold_models = fold_models if keep_models else None
    return record


def _widen(prediction: np.ndarray, learner: Any, n_classes: int) -> np.ndarray:
    """Put a fold model's probabilities in the full class space (a class absent from its fold)."""
    wide = np.zeros((prediction.shape[0], n_classes))
    wide[:, np.asarray(learner.classes_, dtype=np.int64)] = prediction
    return wide


def params_repr(params: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                     for k, v in sorted(params.items()))


def leaderboard(records: list[TrialRecord], metric: Metric, kind: str,
                cv: Mapping[str, tuple[float, float]]) -> pd.DataFrame:
    """Every completed trial and the final ensemble (``trial`` -1), best first."""
    rows = [r.to_row(metric) for r in records if r.status == "complete"]
    ensemble_row: dict[str, Any] = {"trial": -1, "family": f"ensemble ({kind})",
                                    "source": "ensemble", "status": "complete"}
    for name, (mean, std) in cv.items():
        key = name if name == metric.name else f"cv_{name}"
        ensemble_row[key] = mean
        ensemble_row[f"{key}_std"] = std
    board = pd.concat([pd.DataFrame([ensemble_row]), pd.DataFrame(rows)], ignore_index=True)
    return board.sort_values(metric.name, ascending=not metric.greater_is_better,
                             kind="stable", ignore_index=True)
