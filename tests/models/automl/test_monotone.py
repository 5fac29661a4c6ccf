"""AutoML with monotone constraints: only families that honour them, predictions move one way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError
from jogak.models import AutoMLClassifier, AutoMLRegressor
from jogak.testing import make_classification_frame

HONOURING = {"lightgbm", "xgboost", "hist_gb"}


def _u_shaped(n_rows: int = 600, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Risk falls then rises with ``usage`` (a U), rises with ``late``; ``plan`` is categorical."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "usage": rng.uniform(-2, 2, n_rows),
        "late": rng.integers(0, 6, n_rows).astype(float),
        "plan": rng.choice(["basic", "plus", "pro"], n_rows),
    })
    score = frame["usage"] ** 2 + 0.6 * frame["late"] + rng.normal(0, 0.5, n_rows)
    return frame, pd.Series(np.where(score > np.median(score), "bad", "good"), name="y")


def _sweep(model: AutoMLClassifier, X: pd.DataFrame, column: str) -> np.ndarray:
    grid = np.linspace(X[column].min(), X[column].max(), 40)
    rows = X.iloc[np.repeat(np.arange(8), grid.size)].reset_index(drop=True)
    rows[column] = np.tile(grid, 8)
    bad = list(model.classes_).index("bad")
    return model.predict_proba(rows)[:, bad].reshape(8, grid.size)


def test_classifier_with_constraints_searches_only_honouring_families_and_stays_monotone() -> None:
    X, y = _u_shaped()
    # classes_ is ["bad", "good"]: +1 lets P("good") only rise, so P("bad") only falls
    model = AutoMLClassifier(n_trials=6, cv=3, random_state=0, n_jobs=1,
                             monotone_constraints={"usage": 1, "late": -1}).fit(X, y)
    families = set(model.leaderboard_["family"]) - {"ensemble (greedy)", "ensemble (single)"}
    assert families <= HONOURING
    assert model.ensemble_kind_ != "stacked"
    assert model.monotone_constraints_ == {"usage": 1, "late": -1}
    assert np.all(np.diff(_sweep(model, X, "usage"), axis=1) <= 1e-9)
    assert np.all(np.diff(_sweep(model, X, "late"), axis=1) >= -1e-9)


def test_unconstrained_search_follows_the_u_shape() -> None:
    X, y = _u_shaped()
    model = AutoMLClassifier(n_trials=2, cv=3, include_models=["lightgbm"], ensemble=False,
                             random_state=0, n_jobs=1).fit(X, y)
    assert np.any(np.diff(_sweep(model, X, "usage"), axis=1) > 1e-3)


def test_regressor_honours_a_constraint_and_zero_means_free() -> None:
    X, y = _u_shaped()
    target = X["usage"] ** 2
    model = AutoMLRegressor(n_trials=2, cv=3, include_models=["hist_gb"], random_state=0,
                            n_jobs=1, monotone_constraints={"usage": -1, "late": 0}).fit(X, target)
    assert model.monotone_constraints_ == {"usage": -1}
    grid = pd.DataFrame({"usage": np.linspace(-2, 2, 30), "late": 1.0, "plan": "basic"})
    assert np.all(np.diff(model.predict(grid)) <= 1e-9)


@pytest.mark.parametrize(("constraints", "include", "match"), [
    ({"usage": 2}, None, "values must be -1, 0 or 1"),
    ({"nope": 1}, None, r"not numeric features: \{'nope': 'not in the data'\}"),
    ({"plan": 1}, None, r"not numeric features: \{'plan': 'categorical_low'\}"),
    ({"usage": 1}, ["linear", "random_forest"], "only lightgbm, xgboost and hist_gb"),
], ids=["bad_value", "unknown_column", "categorical_column", "no_honouring_family"])
def test_invalid_constraints_are_refused_clearly(constraints: dict, include: list | None,
                                                 match: str) -> None:
    X, y = _u_shaped(120)
    with pytest.raises(ConfigError, match=match):
        AutoMLClassifier(n_trials=1, cv=3, include_models=include,
                         monotone_constraints=constraints).fit(X, y)


def test_constraints_are_refused_for_multiclass_targets() -> None:
    frame = make_classification_frame(150, seed=0, n_classes=3)
    with pytest.raises(ConfigError, match="binary or regression target"):
        AutoMLClassifier(n_trials=1, cv=3, monotone_constraints={"num": 1}).fit(
            frame.drop(columns="target"), frame["target"])
