"""The compiled CatBoost row path: CatBoost's raw sums to the bit, its probabilities to an ulp."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from tests.models.automl.row_paths import round_trip

from jogak.data import Task
from jogak.models.automl._rowpredict import _CatBoost, _CompiledCatBoost, compile_learner

pytest.importorskip("catboost")
from catboost import CatBoostClassifier, CatBoostRegressor  # noqa: E402

from jogak.models.catalog import CatBoostAdapter  # noqa: E402

NUMBA = importlib.util.find_spec("numba") is not None
pytestmark = pytest.mark.skipif(not NUMBA, reason="the compiled walk needs numba (extra 'fast')")

LOADERS = {Task.REGRESSION: load_diabetes, Task.BINARY: load_breast_cancer,
           Task.MULTICLASS: load_wine}


def _with_gaps(X: np.ndarray, seed: int) -> np.ndarray:
    X = X.copy()
    rng = np.random.default_rng(seed)
    X[rng.random(X.shape) < 0.1] = np.nan
    return X


def _hard_rows(X: np.ndarray, seed: int, n: int = 2000) -> np.ndarray:
    """Rows beyond the training data: shifted and scaled values, missing values, extremes."""
    rng = np.random.default_rng(seed)
    rows = X[rng.integers(0, len(X), n)] * rng.uniform(0.5, 1.5, size=(n, X.shape[1]))
    rows[rng.random(rows.shape) < 0.15] = np.nan
    rows[::97] = 1e30
    rows[::89] = -1e300  # beyond float32: -inf once cast, as CatBoost casts
    return rows


def _fitted(task: Task, nan_mode: str, early_stopping: int | None = None) -> tuple[
        CatBoostAdapter, np.ndarray]:
    X, y = LOADERS[task](return_X_y=True)
    X = _with_gaps(X, 0)
    estimator = CatBoostRegressor if task is Task.REGRESSION else CatBoostClassifier
    loss = {Task.REGRESSION: "RMSE", Task.BINARY: "Logloss", Task.MULTICLASS: "MultiClass"}
    adapter = CatBoostAdapter(
        estimator(iterations=400 if early_stopping else 80, depth=5, nan_mode=nan_mode,
                  loss_function=loss[task], thread_count=1, verbose=False,
                  allow_writing_files=False, random_seed=0),
        early_stopping_rounds=early_stopping, random_state=0).fit(X, y)
    return adapter, X


@pytest.mark.parametrize("early_stopping", [None, 10])
@pytest.mark.parametrize("nan_mode", ["Min", "Max"])
@pytest.mark.parametrize("task", [Task.REGRESSION, Task.BINARY, Task.MULTICLASS])
def test_compiled_walk_gives_catboost_s_output_on_missing_and_extreme_values(
        task: Task, nan_mode: str, early_stopping: int | None) -> None:
    adapter, X = _fitted(task, nan_mode, early_stopping)
    row_path = compile_learner(adapter, task)
    assert isinstance(row_path, _CompiledCatBoost)
    rows = np.vstack([X, _hard_rows(X, 1)])
    model = adapter.estimator_
    raw = model.predict(rows, prediction_type="RawFormulaVal", thread_count=1)
    trees = row_path.trees
    if task is Task.REGRESSION:
        np.testing.assert_array_equal(row_path(rows), raw)  # the raw sum is the prediction
        for row in rows[:40]:
            np.testing.assert_array_equal(row_path(row[None, :]), adapter.predict(row[None, :]))
    else:
        np.testing.assert_allclose(row_path(rows), adapter.predict_proba(rows), rtol=1e-12,
                                   atol=1e-300)
        assert trees.leaf_start.size == model.tree_count_
        for row in rows[:40]:
            np.testing.assert_allclose(row_path(row[None, :]),
                                       adapter.predict_proba(row[None, :]), rtol=1e-12)


def test_a_binary_model_s_raw_sum_is_catboost_s_to_the_bit() -> None:
    adapter, X = _fitted(Task.BINARY, "Min")
    rows = np.vstack([X, _hard_rows(X, 3)])
    from jogak.models.automl._rowcatboost import _predict

    trees = _CompiledCatBoost(adapter).trees
    raw = _predict(rows, trees.split_start, trees.feature, trees.border, trees.leaf_start,
                   trees.leaf_values, trees.nan_sets_bit, trees.scale, trees.bias, 0)
    np.testing.assert_array_equal(raw[:, 0], adapter.estimator_.predict(
        rows, prediction_type="RawFormulaVal", thread_count=1))


def test_categorical_models_and_losses_it_does_not_reproduce_keep_catboost_s_predict() -> None:
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 6, 400), rng.normal(size=400)]).astype(np.float64)
    y = X[:, 1] + (X[:, 0] == 2) + rng.normal(scale=0.3, size=400)
    categorical = CatBoostAdapter(CatBoostRegressor(iterations=20, verbose=False,
                                                    allow_writing_files=False),
                                  categorical_features=[0]).fit(X, y)
    assert type(compile_learner(categorical, Task.REGRESSION)) is _CatBoost
    absolute = CatBoostAdapter(CatBoostRegressor(iterations=20, loss_function="MAE",
                                                 verbose=False, allow_writing_files=False)
                               ).fit(X[:, 1:], y)
    assert _CompiledCatBoost(absolute).trees is None
    assert type(compile_learner(absolute, Task.REGRESSION)) is _CatBoost


def test_a_pickled_row_path_and_depth_one_trees_give_catboost_s_values() -> None:
    X, y = load_diabetes(return_X_y=True)
    adapter = CatBoostAdapter(CatBoostRegressor(iterations=7, depth=1, verbose=False,
                                                allow_writing_files=False)).fit(X, y)
    row_path = compile_learner(adapter, Task.REGRESSION)
    assert isinstance(row_path, _CompiledCatBoost)
    restored = round_trip(row_path)
    rows = np.vstack([X[:5], np.full((1, X.shape[1]), np.nan)])
    np.testing.assert_array_equal(restored(rows), adapter.predict(rows))
    assert np.isfinite(restored(rows)).all()
