from __future__ import annotations

import numpy as np
import pytest

from jogak.data import Task
from jogak.models._metrics import get_metric
from jogak.models.automl._ensemble import GreedyEnsemble, greedy_ensemble, prune_by_cost


def test_greedy_ensemble_blends_complementary_models_and_never_loses_to_the_best() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=500)
    noise_a, noise_b = rng.normal(size=500), rng.normal(size=500)
    candidates = {0: y + noise_a, 1: y + noise_b, 2: y + 3 * rng.normal(size=500)}
    metric = get_metric("rmse", Task.REGRESSION)
    result = greedy_ensemble(candidates, y, metric)
    single = min(metric.loss(y, p) for p in candidates.values())
    assert result.loss < single * 0.8  # two independent noises average to ~1/sqrt(2)
    assert sum(result.weights.values()) == pytest.approx(1.0)
    assert result.weights.get(0, 0) > 0
    assert result.weights.get(1, 0) > 0
    assert result.weights.get(2, 0) < 0.2
    blended = result.blend(candidates)
    assert metric.loss(y, blended) == pytest.approx(result.loss)


def test_greedy_ensemble_of_one_candidate_is_that_candidate() -> None:
    y = np.array([0, 1, 1, 0, 1])
    proba = np.column_stack([1 - y * 0.8, y * 0.8 + 0.1])
    result = greedy_ensemble({7: proba}, y, get_metric("log_loss", Task.BINARY))
    assert result.weights == {7: 1.0}


def _two_near_twins() -> tuple[np.ndarray, dict[int, np.ndarray]]:
    rng = np.random.default_rng(1)
    y = rng.normal(size=2000)
    base = y + rng.normal(size=2000)
    # member 1 is member 0 plus a whisper of independent noise: it adds almost nothing
    return y, {0: base, 1: base + 0.01 * rng.normal(size=2000), 2: y + rng.normal(size=2000)}


def test_prune_by_cost_drops_an_expensive_member_that_adds_almost_nothing() -> None:
    y, candidates = _two_near_twins()
    metric = get_metric("rmse", Task.REGRESSION)
    blend = 0.25 * candidates[0] + 0.25 * candidates[1] + 0.5 * candidates[2]
    full = GreedyEnsemble(weights={0: 0.25, 1: 0.25, 2: 0.5}, loss=metric.loss(y, blend),
                          history=[])
    pruned = prune_by_cost(full, candidates, y, metric, {0: 1e-6, 1: 1e-3, 2: 1e-6},
                           tolerance=1e-3)
    assert 1 not in pruned.weights
    assert set(pruned.weights) == {0, 2}
    assert sum(pruned.weights.values()) == pytest.approx(1.0)
    assert pruned.loss <= full.loss * (1 + 1e-3)
    assert metric.loss(y, pruned.blend(candidates)) == pytest.approx(pruned.loss)


def test_prune_by_cost_keeps_a_member_whose_removal_costs_accuracy() -> None:
    y, candidates = _two_near_twins()
    del candidates[1]
    metric = get_metric("rmse", Task.REGRESSION)
    full = greedy_ensemble(candidates, y, metric)
    assert set(full.weights) == {0, 2}
    # the independent member 2 is the expensive one, but dropping it costs ~20 % of RMSE
    pruned = prune_by_cost(full, candidates, y, metric, {0: 1e-6, 2: 1.0}, tolerance=1e-3)
    assert pruned is full


def test_prune_by_cost_keeps_one_member_and_zero_tolerance_changes_nothing() -> None:
    y, candidates = _two_near_twins()
    twins = {0: candidates[0], 1: candidates[1]}
    metric = get_metric("rmse", Task.REGRESSION)
    full = GreedyEnsemble(weights={0: 0.5, 1: 0.5}, history=[],
                          loss=metric.loss(y, 0.5 * twins[0] + 0.5 * twins[1]))
    pruned = prune_by_cost(full, twins, y, metric, {0: 2.0, 1: 1.0}, tolerance=0.5)
    assert list(pruned.weights) == [1]  # the dearer twin goes, the cheaper one stays
    assert prune_by_cost(full, twins, y, metric, {0: 2.0, 1: 1.0}, tolerance=0.0) is full
