from __future__ import annotations

import numpy as np
import pytest

from jogak.data import Task
from jogak.models._metrics import get_metric
from jogak.models.automl._ensemble import greedy_ensemble


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
