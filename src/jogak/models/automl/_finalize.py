"""From finished trials to the fitted predictor: ensemble selection, stacking, refit or bagging."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone
from threadpoolctl import threadpool_limits

from jogak.data import ColumnRole, Task
from jogak.models._metrics import Metric, score_all
from jogak.models.automl._budget import Budget
from jogak.models.automl._ensemble import (
    fit_stacker,
    greedy_ensemble,
    prune_by_cost,
    stack_features,
)
from jogak.models.automl._folds import FoldCache
from jogak.models.automl._predictor import EnsemblePredictor, Member, stack_originals
from jogak.models.automl._trial import TrialRecord, build_context
from jogak.models.catalog import ModelSpec

__all__ = ["FinalModel", "finalize"]

_STACK_MEMBERS = 6
# An ensemble member that costs more to serve than it earns goes: members are dropped, most
# expensive first, while the blend's out-of-fold loss stays within 0.1 % of the full ensemble's.
_SERVING_COST_TOLERANCE = 1e-3


@dataclass
class FinalModel:
    """The predictor and what the report needs about how it was chosen."""

    predictor: EnsemblePredictor
    kind: str  # "single", "greedy" or "stacked"
    timings: dict[str, float]
    oof: np.ndarray
    cv: dict[str, tuple[float, float]]
    greedy_loss: float
    stacked_loss: float | None


def _fold_scores(task: Task, y: np.ndarray, oof: np.ndarray, cache: FoldCache,
                 sample_weight: np.ndarray | None) -> dict[str, tuple[float, float]]:
    per: dict[str, list[float]] = {}
    for _, test in cache.splits:
        weights = None if sample_weight is None else sample_weight[test]
        for name, value in score_all(task, y[test], oof[test], weights).items():
            per.setdefault(name, []).append(value)
    return {name: (float(np.mean(v)), float(np.std(v))) for name, v in per.items()}


def finalize(records: list[TrialRecord], specs: dict[str, ModelSpec], cache: FoldCache, *,
             task: Task, metric: Metric, n_classes: int, budget: Budget,
             sample_weight: np.ndarray | None, ensemble: bool, stacking: bool, refit: bool,
             random_state: int, n_jobs: int) -> FinalModel:
    """Choose members by greedy selection, try a stacker, and fit the final learners."""
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    candidates = [r for r in sorted(records, key=lambda r: r.loss)
                  if r.status == "complete" and r.oof is not None]
    y = cache.y
    # time-ordered folds never validate the earliest rows: they have no out-of-fold prediction
    covered = np.zeros(len(y), dtype=bool)
    for _, test in cache.splits:
        covered[test] = True
    mask = None if covered.all() else covered
    if ensemble and len(candidates) > 1:
        oofs = {r.number: r.oof for r in candidates}
        chosen = greedy_ensemble(oofs, y, metric, sample_weight=sample_weight, mask=mask)
        costs = {r.number: r.predict_seconds / max(1, len(y)) for r in candidates}
        chosen = prune_by_cost(chosen, oofs, y, metric, costs,  # type: ignore[arg-type]
                               tolerance=_SERVING_COST_TOLERANCE,
                               sample_weight=sample_weight, mask=mask)
        weights = chosen.weights
        greedy_loss = chosen.loss
    else:
        best = candidates[0]
        weights = {best.number: 1.0}
        rows = covered if mask is not None else slice(None)
        greedy_loss = metric.loss(y[rows], best.oof[rows],
                                  None if sample_weight is None else sample_weight[rows])
    by_number = {r.number: r for r in candidates}
    kind = "greedy" if len(weights) > 1 else "single"
    oof = sum(w * by_number[k].oof for k, w in weights.items())  # type: ignore[operator]

    timings["ensemble"] = time.perf_counter() - clock
    clock = time.perf_counter()
    stacker, stack_columns, stacked_loss = None, [], None
    stack_members = list(weights)
    # a stacker learns from out-of-fold predictions of every row, which time-ordered folds
    # do not give
    if stacking and mask is None and len(candidates) > 1 and \
            _stacking_fits(candidates, cache, budget):
        stack_members = sorted(set(weights) | {r.number for r in candidates[:_STACK_MEMBERS]},
                               key=lambda k: by_number[k].loss)[:_STACK_MEMBERS]
        stack_columns = cache.roles.columns(ColumnRole.NUMERIC)[:50]
        originals = stack_originals(cache.X, stack_columns)
        level2 = stack_features([by_number[k].oof for k in stack_members], originals, task)
        n_member_cols = level2.shape[1] - (0 if originals is None else originals.shape[1])
        with threadpool_limits(limits=1):
            result = fit_stacker(level2, y, cache.splits, task, metric,
                                 n_member_columns=n_member_cols, random_state=random_state)
        stacked_loss = result.loss
        if result.loss < greedy_loss - 1e-4 * max(1.0, abs(greedy_loss)):
            stacker, kind = result.model, "stacked"
        else:
            stack_columns = []
    member_numbers = stack_members if stacker is not None else list(weights)
    member_weights = {k: (weights.get(k, 0.0) if stacker is None else 0.0) for k in member_numbers}

    timings["stacking"] = time.perf_counter() - clock
    clock = time.perf_counter()
    mode = "refit" if refit and _refit_fits(member_numbers, by_number, cache, budget) else "bagged"
    predictor = _build_predictor(member_numbers, member_weights, by_number, specs, cache,
                                 task=task, n_classes=n_classes, mode=mode,
                                 sample_weight=sample_weight, random_state=random_state,
                                 n_jobs=n_jobs)
    predictor.stacker = stacker
    predictor.stack_columns = stack_columns
    timings["final_fit"] = time.perf_counter() - clock
    cv_oof = oof if stacker is None else None
    cv = _fold_scores(task, y, cv_oof, cache, sample_weight) if cv_oof is not None else \
        {metric.name: (-stacked_loss if metric.greater_is_better else stacked_loss, float("nan"))}
    return FinalModel(predictor=predictor, kind=kind, timings=timings, oof=oof, cv=cv,
                      greedy_loss=greedy_loss, stacked_loss=stacked_loss)


def _stacking_fits(candidates: list[TrialRecord], cache: FoldCache, budget: Budget) -> bool:
    """A stacker costs about one small boosted model per fold; try it only when that fits."""
    if budget.seconds is None:
        return True
    n_folds = len(cache.splits)
    # a 150-round, 15-leaf booster: roughly a tenth of the cheapest tree trial's folds
    cheapest = min((r.fit_seconds for r in candidates if r.fit_seconds > 0), default=0.0)
    estimate = max(0.5, 0.1 * cheapest) * n_folds
    return estimate * 3 <= budget.remaining


def _refit_fits(numbers: list[int], by_number: dict[int, TrialRecord], cache: FoldCache,
                budget: Budget) -> bool:
    """Refitting costs about one fold fit per member on all rows (k/(k-1) of a fold's rows)."""
    if budget.seconds is None:
        return True
    n_folds = len(cache.splits)
    grow = n_folds / max(n_folds - 1, 1) if n_folds > 1 else 1.25
    n_styles = len({by_number[k].family for k in numbers})
    prep = cache.preprocessing_seconds(first_fold_only=True)
    fits = sum(by_number[k].fit_seconds / n_folds for k in numbers) * grow * 1.2
    need = fits + prep * n_styles
    return need <= budget.remaining


def _build_predictor(numbers: list[int], weights: dict[int, float],
                     by_number: dict[int, TrialRecord], specs: dict[str, ModelSpec],
                     cache: FoldCache, *, task: Task, n_classes: int, mode: str,
                     sample_weight: np.ndarray | None, random_state: int,
                     n_jobs: int) -> EnsemblePredictor:
    styles = {specs[by_number[k].family].style for k in numbers}
    preprocessors: dict[Any, list[Any]] = {}
    transformed: dict[Any, Any] = {}
    for style in styles:
        if mode == "refit":
            preprocessor = cache.template(style)
            transformed[style] = preprocessor.fit_transform(cache.X, cache.y)
            preprocessors[style] = [preprocessor]
        else:
            preprocessors[style] = [cache.fold(style, i).preprocessor
                                    for i in range(len(cache.splits))]
    members = []
    for k in numbers:
        record = by_number[k]
        spec = specs[record.family]
        if mode == "refit":
            context = build_context(spec, cache, task=task, n_classes=n_classes,
                                    random_state=random_state, n_jobs=n_jobs)
            learner = clone(spec.build(record.params, context))
            fit_kwargs: dict[str, Any] = {}
            if sample_weight is not None and spec.supports_sample_weight:
                fit_kwargs["sample_weight"] = sample_weight
            with threadpool_limits(limits=context.n_jobs):
                learner.fit(transformed[spec.style], cache.y, **fit_kwargs)
            learners = [learner]
        else:
            learners = list(record.fold_models or [])
        members.append(Member(trial=k, family=record.family, style=spec.style,
                              weight=weights[k], learners=learners, params=dict(record.params)))
    return EnsemblePredictor(task=task, n_classes=n_classes, preprocessors=preprocessors,
                             members=members, mode=mode)


