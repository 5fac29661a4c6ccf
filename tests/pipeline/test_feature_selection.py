"""ElasticNetSelector and RecursiveEliminator keep the informative columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, TargetError
from jogak.pipeline import ElasticNetSelector, RecursiveEliminator


def _regression(seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(200, 5)), columns=["a", "b", "n1", "n2", "n3"])
    X["b"] *= 1000.0  # units must not matter: selection standardises
    y = 3 * X["a"] - 0.002 * X["b"] + rng.normal(scale=0.2, size=200)
    return X, y.to_numpy()


def test_elastic_net_selector_keeps_informative_regression_features() -> None:
    X, y = _regression()
    selector = ElasticNetSelector(l1_ratios=(1.0,), random_state=0).fit(X, y)
    kept = selector.get_feature_names_out().tolist()
    assert kept[:2] == ["a", "b"]
    assert selector.transform(X).shape == (200, len(kept))
    assert selector.importances_[0] > selector.importances_[2:].max()


def test_elastic_net_selector_classification_uses_logistic_net() -> None:
    X, y = _regression()
    labels = np.where(y > 0, "up", "down")
    selector = ElasticNetSelector(l1_ratios=(0.5,), n_strengths=5, cv=3, random_state=0)
    selector.fit(X, labels)
    assert type(selector.estimator_).__name__ == "LogisticRegressionCV"
    assert {"a", "b"} <= set(selector.get_feature_names_out())


def test_elastic_net_selector_keeps_min_features_when_all_coefficients_vanish() -> None:
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(100, 3)), columns=["x", "y", "z"])
    selector = ElasticNetSelector(min_features=2, random_state=0).fit(X, rng.normal(size=100))
    assert selector.support_.sum() >= 2


def test_recursive_eliminator_drops_noise() -> None:
    X, y = _regression()
    eliminator = RecursiveEliminator(random_state=0).fit(X, y)
    assert eliminator.get_feature_names_out().tolist() == ["a", "b"]
    assert eliminator.ranking_[:2].tolist() == [1, 1]


def test_selectors_require_y_and_valid_task() -> None:
    X, _ = _regression()
    with pytest.raises(TargetError, match="requires y"):
        ElasticNetSelector().fit(X)
    with pytest.raises(ConfigError, match="'task' parameter"):
        RecursiveEliminator(task="ranking").fit(X, np.zeros(200))
