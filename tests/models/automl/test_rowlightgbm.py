"""The compiled LightGBM row path: the booster's own output, to the bit."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.models.automl.row_paths import coded_table, round_trip

from jogak.data import Task
from jogak.models.automl._rowpredict import _CompiledLightGBM, _LightGBM, compile_learner

pytest.importorskip("lightgbm")
from lightgbm import LGBMClassifier, LGBMRegressor  # noqa: E402

from jogak.models.catalog import LightGBMAdapter  # noqa: E402

NUMBA = importlib.util.find_spec("numba") is not None
pytestmark = pytest.mark.skipif(not NUMBA, reason="the compiled walk needs numba (extra 'fast')")


def _synthetic(seed: int, n: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    return coded_table(seed, n, zero_share=0.2)


def _hard_rows(seed: int, n: int = 3000) -> np.ndarray:
    """Rows the training data never had: unseen and negative codes, missing values, extremes."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=3.0, size=(n, 5))
    X[:, 0] = rng.integers(-2, 40, n) + rng.choice([0.0, 0.5], n)  # fractional codes truncate
    X[:, 3] = rng.integers(0, 5, n)
    X[rng.random((n, 5)) < 0.15] = np.nan
    X[::7, 4] = 0.0
    X[::11, 4] = 1e-40  # within LightGBM's zero threshold
    X[::97, 2] = 1e300
    X[::89, 0] = 3e9  # beyond a 32-bit category
    return X


def _target(task: Task, signal: np.ndarray) -> tuple[np.ndarray, type]:
    if task is Task.REGRESSION:
        return 10.0 * signal + 50.0, LGBMRegressor
    if task is Task.BINARY:
        return (signal > 1.2).astype(int), LGBMClassifier
    return np.digitize(signal, [-1.0, 0.5, 2.0]), LGBMClassifier


def _reference(adapter: LightGBMAdapter, task: Task, X: np.ndarray) -> np.ndarray:
    return _LightGBM(adapter, task)(X)


@pytest.mark.parametrize("options", [{}, {"zero_as_missing": True}, {"use_missing": False}],
                         ids=["nan_missing", "zero_as_missing", "no_missing"])
@pytest.mark.parametrize("early_stopping", [None, 5])
@pytest.mark.parametrize("task", [Task.REGRESSION, Task.BINARY, Task.MULTICLASS])
def test_compiled_walk_equals_lightgbm_on_categories_missing_values_and_unseen_codes(
        task: Task, early_stopping: int | None, options: dict) -> None:
    X, signal = _synthetic(1)
    target, estimator = _target(task, signal)
    adapter = LightGBMAdapter(estimator(n_estimators=300 if early_stopping else 60,
                                        num_leaves=15, min_child_samples=5, verbose=-1,
                                        n_jobs=1, **options),
                              categorical_features=[0, 3], early_stopping_rounds=early_stopping,
                              random_state=0).fit(X, target)
    row_path = compile_learner(adapter, task)
    assert isinstance(row_path, _CompiledLightGBM)
    if early_stopping:  # only the trees up to the best iteration, as predict
        per_iteration = len(np.unique(target)) if task is Task.MULTICLASS else 1
        assert row_path.trees.roots.size == adapter.best_iteration_ * per_iteration
    rows = np.vstack([X, _hard_rows(2)])
    np.testing.assert_array_equal(row_path(rows), _reference(adapter, task, rows))
    for row in rows[-60:]:
        np.testing.assert_array_equal(row_path(row[None, :]),
                                      _reference(adapter, task, row[None, :]))


def test_compiled_walk_equals_lightgbm_on_taiwan_credit(data_dir: Path) -> None:
    frame = pd.read_csv(data_dir / "taiwan_credit_default" /
                        "default_of_credit_card_clients.csv.gz")
    target = frame.pop(frame.columns[-1]).to_numpy()
    X = frame.drop(columns=frame.columns[0]).to_numpy(np.float64)
    sex_education_marriage = [1, 2, 3]
    adapter = LightGBMAdapter(LGBMClassifier(n_estimators=2000, learning_rate=0.05, verbose=-1,
                                             n_jobs=1),
                              categorical_features=sex_education_marriage,
                              early_stopping_rounds=50, random_state=0).fit(X[:20000],
                                                                            target[:20000])
    row_path = compile_learner(adapter, Task.BINARY)
    assert isinstance(row_path, _CompiledLightGBM)
    np.testing.assert_array_equal(row_path(X[20000:]), _reference(adapter, Task.BINARY,
                                                                  X[20000:]))
    for row in X[20000:20100]:
        np.testing.assert_array_equal(row_path(row[None, :]), adapter.predict_proba(row[None, :]))


def test_a_one_leaf_model_and_a_pickled_row_path_give_lightgbm_s_values() -> None:
    X = np.arange(20, dtype=np.float64).reshape(10, 2)
    adapter = LightGBMAdapter(LGBMRegressor(n_estimators=3, verbose=-1)).fit(X, np.full(10, 7.5))
    row_path = compile_learner(adapter, Task.REGRESSION)
    assert isinstance(row_path, _CompiledLightGBM)
    restored = round_trip(row_path)
    rows = np.vstack([X[:3], np.full((1, 2), np.nan)])
    np.testing.assert_array_equal(restored(rows), adapter.predict(rows))
    np.testing.assert_array_equal(restored(rows), np.full(4, 7.5))


@pytest.mark.parametrize("params", [{"objective": "poisson"}, {"linear_tree": True},
                                    {"boosting_type": "rf", "bagging_freq": 1,
                                     "bagging_fraction": 0.5}])
def test_models_the_walk_does_not_reproduce_keep_lightgbm_s_predict(params: dict) -> None:
    X, signal = _synthetic(3, n=400)
    adapter = LightGBMAdapter(LGBMRegressor(n_estimators=10, verbose=-1, **params)).fit(
        X[:, 1:], np.abs(signal))
    assert _CompiledLightGBM(adapter).trees is None
    assert isinstance(compile_learner(adapter, Task.REGRESSION), _LightGBM)
