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
from jogak.models.automl._serving_cost import (
    NO_LIMIT,
    ZERO,
    CostBook,
    InferLimit,
    member_cost,
    preprocessing_cost,
    stacker_cost,
    text_parts,
)
from jogak.models.automl._trial import TrialRecord, build_context
from jogak.models.catalog import ModelSpec

__all__ = ["FinalModel", "final_seconds", "finalize"]

_STACK_MEMBERS = 6
# members assumed when estimating the final stage's time during the search
_ESTIMATE_MEMBERS = 8
# An ensemble member that costs more to serve than it earns goes: members are dropped, most
# expensive first, while the blend's out-of-fold loss stays within 0.1 % of the full ensemble's.
_SERVING_COST_TOLERANCE = 1e-3
# Under a serving limit, a refit this small (share of the budget) runs even when time is up.
_REFIT_GRACE = 0.02
# When nothing better can be served bagged, refitting the best single learner may take this
# share of the budget past the deadline (the overrun goal is 10 %).
_SINGLE_REFIT_GRACE = 0.05
# The serving limit yields to accuracy: when the best choice within it has an out-of-fold loss
# more than this share worse than the best choice without it, the limit is loosened step by step
# (x2, x4, ... x32, then none) until a choice comes within that share. A lone MLP at log loss
# 0.437 was served on a 4-class table whose boosters reached 0.046 under a 5e-5 s/row limit.
_ACCURACY_TOLERANCE = 0.01
_RELAXATIONS = (2.0, 4.0, 8.0, 16.0, 32.0)


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
    # the serving limit the model was chosen under, and how many times looser than asked
    # (1: as asked; inf: dropped) - see _ACCURACY_TOLERANCE
    infer_limit: InferLimit = NO_LIMIT
    infer_limit_relaxed: float = 1.0


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
             random_state: int, n_jobs: int,
             infer_limit: InferLimit = NO_LIMIT) -> FinalModel:
    """Choose members by greedy selection, try a stacker, and fit the final learners.

    Under an active ``infer_limit`` only candidates and member sets whose estimated serving
    cost (as refitted when ``refit``, else bagged) meets the limit are chosen; if the final
    fit must fall back to bagging and the bagged set breaks the limit, members are chosen
    again under the bagged costs.
    """
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
    book = _cost_book(candidates, specs, cache, refit=refit)
    selection = _Selection(candidates, y, metric, infer_limit, ensemble=ensemble,
                           sample_weight=sample_weight, mask=mask)
    weights, greedy_loss = selection.choose(book)
    infer_limit = selection.limit  # loosened when the limit cost too much accuracy
    by_number = {r.number: r for r in candidates}

    timings["ensemble"] = time.perf_counter() - clock
    clock = time.perf_counter()
    stacker, stack_columns, stacked_loss = None, [], None
    stack_members = list(weights)
    # under a serving limit the refit comes first: it serves k times faster than bagging
    refit_first = refit and infer_limit.is_active and \
        _refit_fits(list(weights), by_number, cache, budget)
    # a stacker learns from out-of-fold predictions of every row, which time-ordered folds
    # do not give
    if stacking and mask is None and len(candidates) > 1 and \
            _stacking_fits(candidates, cache, budget) and \
            (not refit_first or _refit_fits(list(weights), by_number, cache, budget,
                                            after=3 * _stacking_seconds(candidates, cache))):
        stack_members = selection.stack_members(weights, book, _STACK_MEMBERS)
        stack_columns = cache.roles.columns(ColumnRole.NUMERIC)[:50]
        originals = stack_originals(cache.X, stack_columns)
        level2 = stack_features([by_number[k].oof for k in stack_members], originals, task)
        n_member_cols = level2.shape[1] - (0 if originals is None else originals.shape[1])
        with threadpool_limits(limits=1):
            result = fit_stacker(level2, y, cache.splits, task, metric,
                                 n_member_columns=n_member_cols, random_state=random_state)
        stacked_loss = result.loss
        served = book.total(stack_members) + stacker_cost(result.model)
        if result.loss < greedy_loss - 1e-4 * max(1.0, abs(greedy_loss)) and \
                infer_limit.admits(served):
            stacker = result.model
    if stacker is not None and refit_first and \
            not _refit_fits(stack_members, by_number, cache, budget):
        stacker = None  # its extra members could only be served bagged
    if stacker is None:
        stack_members, stack_columns = list(weights), []
    # a refit that takes at most 2 % of the budget serves k times faster: worth that overrun
    grace = _REFIT_GRACE if infer_limit.is_active else 0.0
    mode = "refit" if refit and _refit_fits(stack_members, by_number, cache, budget,
                                            grace=grace) else "bagged"
    if mode == "bagged" and refit and infer_limit.is_active:
        # no time to refit: the members are served bagged, k times dearer
        refit_book = book
        book = _cost_book(candidates, specs, cache, refit=False)
        extra = ZERO if stacker is None else stacker_cost(stacker)
        if not infer_limit.admits(book.total(stack_members) + extra):
            weights, greedy_loss = selection.choose(book)
            stacker, stack_columns, stack_members = None, [], list(weights)
            # what the limit lets us serve bagged can be far worse (a linear model instead of a
            # booster), or only within a loosened limit: one refitted learner that meets the
            # asked limit, a little past the deadline, may be the better deal
            best = selection.pool(refit_book, selection.asked)[0]
            best_loss = selection.loss_of(best)
            worth_it = best_loss < greedy_loss or (
                selection.relaxed != 1.0
                and best_loss <= greedy_loss + _ACCURACY_TOLERANCE * abs(greedy_loss))
            if worth_it and selection.asked.admits(refit_book.total([best.number])) and \
                    _refit_fits([best.number], by_number, cache, budget,
                                grace=_SINGLE_REFIT_GRACE):
                weights, greedy_loss = {best.number: 1.0}, best_loss
                stack_members, mode = [best.number], "refit"
                selection.limit, selection.relaxed = selection.asked, 1.0
    kind = "stacked" if stacker is not None else "greedy" if len(weights) > 1 else "single"
    oof = sum(w * by_number[k].oof for k, w in weights.items())  # type: ignore[operator]
    member_numbers = stack_members
    member_weights = {k: (weights.get(k, 0.0) if stacker is None else 0.0) for k in member_numbers}

    timings["stacking"] = time.perf_counter() - clock
    clock = time.perf_counter()
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
                      greedy_loss=greedy_loss, stacked_loss=stacked_loss,
                      infer_limit=selection.limit, infer_limit_relaxed=selection.relaxed)


def _cost_book(candidates: list[TrialRecord], specs: dict[str, ModelSpec], cache: FoldCache,
               *, refit: bool) -> CostBook:
    """Estimated serving costs: one learner per member when refitted, else one per fold.

    Text is costed from fold 0's fitted steps: every fold and the refit share them.
    """
    n_folds = len(cache.splits)
    members = {r.number: member_cost(r.family, r.fold_models or [],
                                     n_serving=1 if refit else None) for r in candidates}
    styles = {r.number: specs[r.family].style.value for r in candidates}
    text = {style.value: text_parts(cache.fold(style, 0).preprocessor)
            for style in {specs[r.family].style for r in candidates}}
    return CostBook(members=members, styles=styles, text=text,
                    style_cost=preprocessing_cost(len(cache.roles.features),
                                                  1 if refit else n_folds))


class _Selection:
    """Greedy selection (and stacking members) over the candidates that fit the limit."""

    def __init__(self, candidates: list[TrialRecord], y: np.ndarray, metric: Metric,
                 limit: InferLimit, *, ensemble: bool, sample_weight: np.ndarray | None,
                 mask: np.ndarray | None) -> None:
        self.candidates = candidates
        self.y, self.metric, self.asked, self.ensemble = y, metric, limit, ensemble
        self.sample_weight, self.mask = sample_weight, mask
        # the limit in force: the one asked for, or a looser one chosen by ``choose``
        self.limit, self.relaxed = limit, 1.0

    def pool(self, book: CostBook, limit: InferLimit | None = None) -> list[TrialRecord]:
        """Candidates (best first) that meet the limit alone; else the cheapest one."""
        limit = self.limit if limit is None else limit
        fitting = [r for r in self.candidates if limit.admits(book.total([r.number]))]
        if fitting:
            return fitting
        return [min(self.candidates, key=lambda r: (limit.pressure(book.total([r.number])),
                                                    r.loss))]

    def choose(self, book: CostBook) -> tuple[dict[int, float], float]:
        """Member weights and the blend's out-of-fold loss, under the asked limit if it costs
        at most ``_ACCURACY_TOLERANCE`` of the loss, else under the least loosened one that does
        (``limit`` and ``relaxed`` say which)."""
        weights, loss = self._choose(book, self.asked)
        self.limit, self.relaxed = self.asked, 1.0
        if not self.asked.is_active:
            return weights, loss
        free_weights, free_loss = self._choose(book, NO_LIMIT)
        bound = free_loss + _ACCURACY_TOLERANCE * abs(free_loss)
        if loss <= bound:
            return weights, loss
        for factor in _RELAXATIONS:
            looser = self.asked.relaxed(factor)
            weights, loss = self._choose(book, looser)
            if loss <= bound:
                self.limit, self.relaxed = looser, factor
                return weights, loss
        self.limit, self.relaxed = NO_LIMIT, float("inf")
        return free_weights, free_loss

    def _choose(self, book: CostBook, limit: InferLimit) -> tuple[dict[int, float], float]:
        pool = self.pool(book, limit)
        if self.ensemble and len(pool) > 1:
            oofs = {r.number: r.oof for r in pool}
            affordable = None if not limit.is_active else \
                (lambda keys: limit.admits(book.total(keys)))
            chosen = greedy_ensemble(oofs, self.y, self.metric,  # type: ignore[arg-type]
                                     sample_weight=self.sample_weight, mask=self.mask,
                                     affordable=affordable)
            costs = {k: limit.pressure(book.members[k]) for k in oofs}
            chosen = prune_by_cost(chosen, oofs, self.y, self.metric,  # type: ignore[arg-type]
                                   costs, tolerance=_SERVING_COST_TOLERANCE,
                                   sample_weight=self.sample_weight, mask=self.mask,
                                   affordable=affordable)
            return chosen.weights, chosen.loss
        best = pool[0]
        return {best.number: 1.0}, self.loss_of(best)

    def loss_of(self, record: TrialRecord) -> float:
        """One candidate's out-of-fold loss, on the rows the blends are scored on."""
        rows = self.mask if self.mask is not None else slice(None)
        weights = None if self.sample_weight is None else self.sample_weight[rows]
        return self.metric.loss(self.y[rows], record.oof[rows], weights)  # type: ignore[index]

    def stack_members(self, weights: dict[int, float], book: CostBook, n_members: int) -> list[int]:
        """The greedy members and the best others, cut to ``n_members`` and to the limit."""
        by_loss = {r.number: r.loss for r in self.candidates}
        pool = self.pool(book)
        chosen = sorted(set(weights) | {r.number for r in pool[:n_members]},
                        key=lambda k: by_loss[k])[:n_members]
        while len(chosen) > 1 and not self.limit.admits(book.total(chosen)):
            chosen.pop()
        return chosen


def _stacking_seconds(candidates: list[TrialRecord], cache: FoldCache) -> float:
    """A stacker costs about one small boosted model per fold."""
    n_folds = len(cache.splits)
    # a 150-round, 15-leaf booster: roughly a tenth of the cheapest tree trial's folds
    cheapest = min((r.fit_seconds for r in candidates if r.fit_seconds > 0), default=0.0)
    return max(0.5, 0.1 * cheapest) * n_folds


def _stacking_fits(candidates: list[TrialRecord], cache: FoldCache, budget: Budget) -> bool:
    """Try a stacker only when three times its estimated cost fits the time left."""
    if budget.seconds is None:
        return True
    return _stacking_seconds(candidates, cache) * 3 <= budget.remaining


def _refit_seconds(members: list[TrialRecord], cache: FoldCache) -> float:
    """Refitting costs about one fold fit per member on all rows (k/(k-1) of a fold's rows)."""
    n_folds = len(cache.splits)
    grow = n_folds / max(n_folds - 1, 1) if n_folds > 1 else 1.25
    n_styles = len({r.family for r in members})
    prep = cache.preprocessing_seconds(first_fold_only=True)
    fits = sum(r.fit_seconds / n_folds for r in members) * grow * 1.2
    return fits + prep * n_styles


def _refit_fits(numbers: list[int], by_number: dict[int, TrialRecord], cache: FoldCache,
                budget: Budget, *, after: float = 0.0, grace: float = 0.0) -> bool:
    """Whether refitting the members fits the time left.

    ``after``: seconds that will be spent before the refit starts (a stacker). ``grace``: a
    share of the budget a refit that small may take even when the time is up.
    """
    if budget.seconds is None:
        return True
    need = _refit_seconds([by_number[k] for k in numbers], cache)
    return need + after <= max(budget.remaining, 0.0) + grace * budget.seconds


def final_seconds(records: list[TrialRecord], cache: FoldCache, *, stacking: bool,
                  refit: bool) -> float:
    """Seconds :func:`finalize` is expected to take after a search that produced ``records``.

    The members are assumed to be the best ``_ESTIMATE_MEMBERS`` trials (greedy selection
    rarely goes further down the leaderboard); a stacker is tried when it fits three times.
    """
    candidates = sorted((r for r in records if r.status == "complete" and r.oof is not None),
                        key=lambda r: r.loss)
    if not candidates:
        return 0.0
    need = 3 * _stacking_seconds(candidates, cache) if stacking and len(candidates) > 1 else 0.0
    if refit:
        need += _refit_seconds(candidates[:_ESTIMATE_MEMBERS], cache)
    return need


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


