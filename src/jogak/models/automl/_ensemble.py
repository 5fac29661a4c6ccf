"""Ensembles over out-of-fold predictions: greedy selection with replacement, and stacking.

Greedy selection is Caruana et al. (2004): start from the best model, repeatedly add (with
replacement) the model that most improves the averaged prediction's loss. The weights are the
counts normalised; models never picked get weight 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.linear_model import LogisticRegression, Ridge

from jogak.data import Task
from jogak.models._metrics import Metric
from jogak.models._validation import Split

__all__ = ["GreedyEnsemble", "StackingResult", "fit_stacker", "greedy_ensemble", "prune_by_cost",
           "stack_features"]


@dataclass(frozen=True)
class GreedyEnsemble:
    """The chosen members (keys into the candidates) and their weights (summing to 1)."""

    weights: dict[int, float]
    loss: float
    history: list[float]

    def blend(self, predictions: dict[int, np.ndarray]) -> np.ndarray:
        return sum(w * predictions[k] for k, w in self.weights.items())  # type: ignore[return-value]


Affordable = Callable[[frozenset[int]], bool]


def greedy_ensemble(candidates: dict[int, np.ndarray], y: np.ndarray, metric: Metric, *,
                    n_iterations: int = 40, sample_weight: np.ndarray | None = None,
                    mask: np.ndarray | None = None,
                    affordable: Affordable | None = None) -> GreedyEnsemble:
    """Greedy ensemble selection with replacement over out-of-fold ``candidates``.

    Parameters
    ----------
    candidates
        Trial number -> out-of-fold prediction (probabilities ``(n, k)`` or values ``(n,)``).
    y
        Encoded target.
    metric
        What to minimise (its :meth:`Metric.loss`).
    n_iterations
        Rounds of selection; ties keep the earlier (better-ranked) candidate.
    mask
        Rows to score on (rows without an out-of-fold prediction are left out).
    affordable
        Whether a set of members may be served together (an inference limit); a candidate
        that would make the chosen set unaffordable is not added. ``None``: no limit.
    """
    keys = list(candidates)
    rows = np.ones(len(y), dtype=bool) if mask is None else mask
    yt = y[rows]
    wt = None if sample_weight is None else sample_weight[rows]
    preds = {k: candidates[k][rows] for k in keys}
    single = {k: metric.loss(yt, preds[k], wt) for k in keys}
    # when no member is affordable alone, the caller's pool decides (it is never empty)
    starts = [k for k in keys if affordable is None or affordable(frozenset([k]))] or keys
    best_key = min(starts, key=lambda k: single[k])
    chosen: list[int] = [best_key]
    current = preds[best_key].copy()
    history = [single[best_key]]
    for _ in range(n_iterations - 1):
        n = len(chosen)
        best_loss, best_candidate = np.inf, None
        members = frozenset(chosen)
        for k in keys:
            if affordable is not None and k not in members and not affordable(members | {k}):
                continue
            trial_pred = (current * n + preds[k]) / (n + 1)
            loss = metric.loss(yt, trial_pred, wt)
            if loss < best_loss - 1e-12:
                best_loss, best_candidate = loss, k
        if best_candidate is None:
            break
        chosen.append(best_candidate)
        current = (current * n + preds[best_candidate]) / (n + 1)
        history.append(best_loss)
    # keep the prefix of rounds that reached the lowest loss
    stop = int(np.argmin(history)) + 1
    counts = Counter(chosen[:stop])
    total = sum(counts.values())
    weights = {k: c / total for k, c in counts.most_common()}
    return GreedyEnsemble(weights=weights, loss=float(history[stop - 1]), history=history)


def prune_by_cost(ensemble: GreedyEnsemble, candidates: dict[int, np.ndarray], y: np.ndarray,
                  metric: Metric, costs: dict[int, float], *, tolerance: float,
                  sample_weight: np.ndarray | None = None, mask: np.ndarray | None = None,
                  affordable: Affordable | None = None) -> GreedyEnsemble:
    """Leave out the members that cost most to serve while the loss stays within ``tolerance``.

    Members are tried from the most to the least expensive (``costs``: an estimated serving
    cost per member, deterministic so that ``n_trials`` runs stay reproducible). For each,
    greedy selection runs again over the candidates without it; the smaller ensemble is kept
    when its loss is at most ``tolerance`` (relative) above the full ensemble's. The bound is
    against the full ensemble, so several removals never add up to more than ``tolerance``.
    The cheapest member is never tried, so one always stays.
    """
    if len(ensemble.weights) < 2 or tolerance <= 0:
        return ensemble
    limit = ensemble.loss + tolerance * abs(ensemble.loss)
    pool = dict(candidates)
    best = ensemble
    for key in sorted(ensemble.weights, key=lambda k: costs.get(k, 0.0), reverse=True):
        if key not in best.weights or len(best.weights) < 2:
            continue
        rest = {k: p for k, p in pool.items() if k != key}
        trial = greedy_ensemble(rest, y, metric, sample_weight=sample_weight, mask=mask,
                                affordable=affordable)
        if trial.loss <= limit and _serving_cost(trial, costs) < _serving_cost(best, costs):
            pool, best = rest, trial
    return best


def _serving_cost(ensemble: GreedyEnsemble, costs: dict[int, float]) -> float:
    return sum(costs.get(k, 0.0) for k in ensemble.weights)


def stack_features(member_predictions: list[np.ndarray], originals: np.ndarray | None,
                   task: Task) -> np.ndarray:
    """Level-2 inputs: members' predictions (positive class for binary) beside original features."""
    parts = []
    for prediction in member_predictions:
        if prediction.ndim == 2 and task is Task.BINARY:
            parts.append(prediction[:, 1:2])
        elif prediction.ndim == 2:
            parts.append(prediction)
        else:
            parts.append(prediction.reshape(-1, 1))
    if originals is not None and originals.shape[1]:
        parts.append(originals)
    return np.hstack(parts).astype(np.float64)


@dataclass
class StackingResult:
    """A fitted level-2 model and its cross-validated loss."""

    model: object
    loss: float
    n_member_columns: int


def _make_stacker(task: Task, n_originals: int, random_state: int) -> object:
    if n_originals == 0:
        # predictions only: a linear blender is enough and cannot over-fit much
        if task.is_classification:
            return LogisticRegression(C=1.0, max_iter=1000)
        return Ridge(alpha=1.0)
    params = {"max_iter": 150, "learning_rate": 0.05, "max_leaf_nodes": 15,
              "min_samples_leaf": 40, "l2_regularization": 1.0, "random_state": random_state}
    if task.is_classification:
        return HistGradientBoostingClassifier(**params)
    return HistGradientBoostingRegressor(**params)


def fit_stacker(level2: np.ndarray, y: np.ndarray, splits: list[Split], task: Task,
                metric: Metric, *, n_member_columns: int,
                random_state: int = 0) -> StackingResult:
    """Cross-validate a stacker on ``level2`` over ``splits``; return it refitted on all rows."""
    from sklearn.base import clone

    template = _make_stacker(task, level2.shape[1] - n_member_columns, random_state)
    losses = []
    for train, test in splits:
        if np.unique(y[train]).size < 2 and task.is_classification:
            continue
        model = clone(template).fit(level2[train], y[train])
        if task.is_classification:
            prediction = _full_width(model, model.predict_proba(level2[test]),  # type: ignore[attr-defined]
                                     int(y.max()) + 1)
        else:
            prediction = model.predict(level2[test])  # type: ignore[attr-defined]
        losses.append(metric.loss(y[test], prediction))
    final = clone(template).fit(level2, y)
    loss = float(np.mean(losses)) if losses else float("inf")
    return StackingResult(model=final, loss=loss, n_member_columns=n_member_columns)


def _full_width(model: object, proba: np.ndarray, n_classes: int) -> np.ndarray:
    classes = np.asarray(model.classes_, dtype=np.int64)  # type: ignore[attr-defined]
    if classes.size == n_classes:
        return proba
    wide = np.zeros((proba.shape[0], n_classes))
    wide[:, classes] = proba
    return wide
