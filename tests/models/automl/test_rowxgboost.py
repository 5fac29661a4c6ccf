"""The compiled XGBoost row path: XGBoost's own output, to the bit."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tests.models.automl.row_paths import coded_table, round_trip

from jogak.data import Task
from jogak.models.automl import _rowpredict
from jogak.models.automl._rowpredict import _Fallback, _XGBoost, compile_learner

pytest.importorskip("xgboost")
from xgboost import XGBClassifier, XGBRegressor  # noqa: E402

from jogak.models.catalog import XGBoostAdapter  # noqa: E402

NUMBA = importlib.util.find_spec("numba") is not None
pytestmark = pytest.mark.skipif(not NUMBA, reason="the compiled walk needs numba (extra 'fast')")

TELCO = Path(__file__).parents[3] / ".." / "shared" / "datasets" / "telco_customer_churn" / \
    "telco_customer_churn.csv.gz"


def _reference(adapter: XGBoostAdapter, task: Task, X: np.ndarray) -> np.ndarray:
    return adapter.predict_proba(X) if task.is_classification else adapter.predict(X)


def _synthetic(seed: int, n: int = 1500) -> tuple[np.ndarray, np.ndarray]:
    return coded_table(seed, n)


def _hard_rows(seed: int, n: int = 3000) -> np.ndarray:
    """Rows the training data never had: unseen and invalid codes, missing values, extremes."""
    rng = np.random.default_rng(seed)
    X = rng.normal(scale=3.0, size=(n, 5))
    X[:, 0] = rng.integers(-2, 40, n)  # negative (invalid) and unseen categories
    X[:, 3] = rng.integers(0, 5, n)
    X[rng.random((n, 5)) < 0.15] = np.nan
    X[::97, 4] = 1e30
    X[::89, 0] = 2.0**25  # beyond XGBoost's largest category
    return X


@pytest.mark.parametrize("early_stopping", [None, 5])
@pytest.mark.parametrize("task", [Task.REGRESSION, Task.BINARY, Task.MULTICLASS])
def test_compiled_walk_equals_xgboost_on_categories_missing_values_and_unseen_codes(
        task: Task, early_stopping: int | None) -> None:
    X, signal = _synthetic(1)
    if task is Task.REGRESSION:
        target, estimator = 10.0 * signal + 50.0, XGBRegressor
    elif task is Task.BINARY:
        target, estimator = (signal > 1.2).astype(int), XGBClassifier
    else:
        target, estimator = np.digitize(signal, [-1.0, 0.5, 2.0]), XGBClassifier
    adapter = XGBoostAdapter(estimator(n_estimators=300 if early_stopping else 60, max_depth=5,
                                       max_cat_to_onehot=4, n_jobs=1),
                             categorical_features=[0, 3], early_stopping_rounds=early_stopping,
                             random_state=0).fit(X, target)
    row_path = compile_learner(adapter, task)
    assert isinstance(row_path, _XGBoost)
    if early_stopping:  # only the trees up to the best iteration, as XGBoost's predict
        booster = adapter.estimator_.get_booster()
        per_round = row_path.trees.roots.size / (adapter.estimator_.best_iteration + 1)
        assert row_path.trees.roots.size < booster.num_boosted_rounds() * per_round
    rows = _hard_rows(2)
    np.testing.assert_array_equal(row_path(rows), _reference(adapter, task, rows))
    for row in rows[:50]:
        np.testing.assert_array_equal(row_path(row[None, :]),
                                      _reference(adapter, task, row[None, :]))


@pytest.mark.skipif(not TELCO.exists(), reason="the shared Telco dataset is not beside the repo")
def test_compiled_walk_equals_xgboost_on_telco_churn() -> None:
    frame = pd.read_csv(TELCO)
    target = (frame.pop("Churn") == "Yes").astype(int).to_numpy()
    frame = frame.drop(columns="customerID")
    frame["TotalCharges"] = pd.to_numeric(frame["TotalCharges"], errors="coerce")  # blanks: NaN
    text = [j for j, column in enumerate(frame.columns)
            if not pd.api.types.is_numeric_dtype(frame[column])]
    X = np.column_stack([
        frame[column].astype("category").cat.codes.to_numpy(np.float64) if j in text
        else frame[column].to_numpy(np.float64) for j, column in enumerate(frame.columns)])
    adapter = XGBoostAdapter(XGBClassifier(n_estimators=2000, learning_rate=0.05, n_jobs=1),
                             categorical_features=text, early_stopping_rounds=50,
                             random_state=0).fit(X[:5000], target[:5000])
    row_path = compile_learner(adapter, Task.BINARY)
    assert isinstance(row_path, _XGBoost)
    np.testing.assert_array_equal(row_path(X[5000:]), adapter.predict_proba(X[5000:]))
    for row in X[5000:5100]:
        np.testing.assert_array_equal(row_path(row[None, :]), adapter.predict_proba(row[None, :]))


def test_a_model_of_single_leaf_trees_and_a_pickled_row_path_give_xgboost_s_values() -> None:
    X = np.arange(20, dtype=np.float64).reshape(10, 2)
    adapter = XGBoostAdapter(XGBRegressor(n_estimators=3, n_jobs=1)).fit(X, np.full(10, 7.5))
    row_path = compile_learner(adapter, Task.REGRESSION)
    assert isinstance(row_path, _XGBoost)
    restored = round_trip(row_path)
    rows = np.vstack([X[:3], np.full((1, 2), np.nan)])
    np.testing.assert_array_equal(restored(rows), adapter.predict(rows))
    np.testing.assert_array_equal(restored(rows), np.full(4, 7.5))


def test_objectives_the_walk_does_not_reproduce_keep_xgboost_s_predict() -> None:
    X, signal = _synthetic(3, n=300)
    adapter = XGBoostAdapter(XGBRegressor(objective="count:poisson", n_estimators=10, n_jobs=1))
    adapter.fit(X, np.exp(signal / 3.0))
    row_path = compile_learner(adapter, Task.REGRESSION)
    assert isinstance(row_path, _Fallback)
    np.testing.assert_allclose(row_path(X[:5]), adapter.predict(X[:5]), rtol=1e-12)


def test_a_walk_that_disagrees_on_the_probe_rows_is_never_served(monkeypatch) -> None:
    X, signal = _synthetic(4, n=300)
    adapter = XGBoostAdapter(XGBRegressor(n_estimators=10, n_jobs=1)).fit(X, signal)
    true_flatten = _rowpredict.flatten_xgboost

    def shifted(model):  # a layout misread: every margin off by a little
        trees = true_flatten(model)
        return dataclasses.replace(trees, base=trees.base + np.float32(1e-3))

    monkeypatch.setattr(_rowpredict, "flatten_xgboost", shifted)
    assert isinstance(compile_learner(adapter, Task.REGRESSION), _Fallback)
    monkeypatch.setattr(_rowpredict, "flatten_xgboost", lambda model: None)  # no numba
    assert isinstance(compile_learner(adapter, Task.REGRESSION), _Fallback)
