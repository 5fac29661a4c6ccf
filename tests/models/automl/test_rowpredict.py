from __future__ import annotations

import importlib.util
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import ExtraTreesRegressor, RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier
from threadpoolctl import threadpool_limits

from jogak.data import Task
from jogak.models.automl._rowpredict import compile_learner

NUMBA = importlib.util.find_spec("numba") is not None


def test_forest_and_knn_rows_run_on_one_thread_without_touching_the_batch_learner() -> None:
    X, y = make_classification(n_samples=300, n_features=6, random_state=0)
    for learner in (RandomForestClassifier(n_estimators=20, n_jobs=2, random_state=0),
                    KNeighborsClassifier(n_jobs=-1)):
        learner.fit(X, y)
        row_path = compile_learner(learner, Task.BINARY)
        assert row_path.learner.n_jobs == 1
        assert learner.n_jobs in (2, -1)  # the batch path keeps its threads
        for row in X[:5]:
            np.testing.assert_array_equal(row_path(row.reshape(1, -1)),
                                          learner.predict_proba(row.reshape(1, -1)))


def test_regressor_row_path_shares_the_fitted_trees() -> None:
    X, y = make_regression(n_samples=200, n_features=4, random_state=1)
    learner = ExtraTreesRegressor(n_estimators=10, n_jobs=2, random_state=0).fit(X, y)
    row_path = compile_learner(learner, Task.REGRESSION)
    assert row_path.learner.estimators_ is learner.estimators_
    np.testing.assert_array_equal(row_path(X[:1]), learner.predict(X[:1]))


def _catboost_data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    n = 400
    X = np.column_stack([rng.integers(0, 5, n), rng.normal(size=n), rng.integers(0, 30, n),
                         rng.normal(size=n)]).astype(np.float64)
    X[::17, 0] = np.nan  # a missing category is its own code
    X[::13, 3] = np.nan
    return X, X[:, 1] + np.where(X[:, 0] == 2, 1.0, 0.0)


def test_catboost_row_path_equals_the_adapter_on_categorical_codes_and_missing_values() -> None:
    pytest.importorskip("catboost")
    from catboost import CatBoostClassifier, CatBoostRegressor

    from jogak.models.catalog import CatBoostAdapter

    X, signal = _catboost_data()
    options = {"iterations": 30, "verbose": False, "allow_writing_files": False,
               "thread_count": 1, "random_seed": 0}
    labels = np.digitize(signal, [-0.5, 0.5])  # three classes
    unseen = X[:12].copy()
    unseen[:, 2] = 99  # a category never seen in training
    for task, estimator, target, categorical in (
            (Task.MULTICLASS, CatBoostClassifier(**options), labels, [0, 2]),
            (Task.BINARY, CatBoostClassifier(**options), (signal > 0).astype(int), [0, 2]),
            (Task.REGRESSION, CatBoostRegressor(**options), signal, [0, 2]),
            (Task.REGRESSION, CatBoostRegressor(**options), signal, [])):
        adapter = CatBoostAdapter(estimator, categorical_features=categorical)
        adapter.fit(X, target)
        row_path = compile_learner(adapter, task)
        reference = adapter.predict_proba if task.is_classification else adapter.predict
        for row in np.vstack([X[:20], unseen]):
            np.testing.assert_allclose(row_path(row.reshape(1, -1)),
                                       np.asarray(reference(row.reshape(1, -1)), np.float64)
                                       .reshape(row_path(row.reshape(1, -1)).shape),
                                       rtol=0, atol=1e-12)


def test_linear_row_path_on_wide_sparse_rows_equals_the_learner() -> None:
    # a text row: tens of thousands of columns, a few hundred non-zero (read without BLAS)
    from sklearn.linear_model import LogisticRegression, Ridge

    rng = np.random.default_rng(2)
    X = np.where(rng.random((200, 5000)) < 0.01, rng.random((200, 5000)), 0.0)
    X[0] = 0.0  # a row with no known word
    labels = rng.integers(0, 3, 200)
    cases = [(LogisticRegression(max_iter=300).fit(X, labels), Task.MULTICLASS, "predict_proba"),
             (LogisticRegression(max_iter=300).fit(X, labels == 1), Task.BINARY, "predict_proba"),
             (Ridge().fit(X, rng.normal(size=200)), Task.REGRESSION, "predict")]
    for learner, task, method in cases:
        row_path = compile_learner(learner, task)
        for row in X[:10]:
            np.testing.assert_allclose(row_path(row.reshape(1, -1)),
                                       getattr(learner, method)(row.reshape(1, -1)),
                                       rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(row_path(X[:5]), getattr(learner, method)(X[:5]),
                                   rtol=1e-12, atol=1e-12)


def test_hist_gb_row_path_skips_the_category_encoder_and_equals_the_adapter() -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    from jogak.models.automl._rowpredict import _HistGB
    from jogak.models.catalog import HistGBAdapter

    X, signal = _catboost_data(1)
    labels = np.digitize(signal, [-0.5, 0.5])
    unseen = X[:12].copy()
    unseen[:, 2] = 99  # a category never seen in training
    unseen[::3, 0] = np.nan
    options = {"max_iter": 25, "random_state": 0}
    for task, estimator, target in (
            (Task.MULTICLASS, HistGradientBoostingClassifier, labels),
            (Task.BINARY, HistGradientBoostingClassifier, (signal > 0).astype(int)),
            (Task.REGRESSION, HistGradientBoostingRegressor, signal)):
        adapter = HistGBAdapter(estimator(categorical_features=[0, 2], **options),
                                categorical_features=[0, 2], n_jobs=1).fit(X, target)
        row_path = compile_learner(adapter, task)
        assert isinstance(row_path, _HistGB)  # the encoder is skipped
        own = adapter.predict_proba if task.is_classification else adapter.predict
        for row in np.vstack([X[:30], unseen]):
            np.testing.assert_allclose(row_path(row[None, :]), own(row[None, :]), rtol=1e-12)
        if NUMBA:  # every tree in one compiled walk, to the bit
            assert row_path.trees is not None
            np.testing.assert_array_equal(row_path(unseen), own(unseen))
    # without categorical features scikit-learn has no encoder: only the compiled trees gain
    plain = HistGBAdapter(HistGradientBoostingRegressor(**options), n_jobs=1).fit(X, signal)
    assert isinstance(compile_learner(plain, Task.REGRESSION), _HistGB) is NUMBA


@pytest.mark.skipif(not NUMBA, reason="the compiled trees need numba (extra 'fast')")
def test_compiled_hist_gb_trees_equal_scikit_learn_on_breast_cancer() -> None:
    from sklearn.datasets import load_breast_cancer
    from sklearn.ensemble import HistGradientBoostingClassifier

    from jogak.models.automl._rowtrees import flatten_hist_gb

    X, y = load_breast_cancer(return_X_y=True)
    X = X.copy()
    X[::7, 3] = np.nan  # missing values take each split's learned side
    model = HistGradientBoostingClassifier(max_iter=60, random_state=0).fit(X[::2], y[::2])
    trees = flatten_hist_gb(model)
    assert trees is not None
    assert trees.roots.size == model.n_iter_
    np.testing.assert_array_equal(trees.raw(X)[:, 0], model.decision_function(X))


@pytest.mark.parametrize("algorithm", ["brute", "kd_tree", "ball_tree"])
@pytest.mark.parametrize("weights", ["uniform", "distance"])
@pytest.mark.parametrize("p", [1, 2])
def test_knn_row_path_skips_the_input_checks_and_equals_the_learner(algorithm, weights,
                                                                    p) -> None:
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
    from sklearn.neighbors import KNeighborsRegressor
    from sklearn.preprocessing import StandardScaler

    from jogak.models.automl._rowpredict import _KNeighbors

    options = {"n_neighbors": 7, "weights": weights, "p": p, "algorithm": algorithm}
    for load, task in ((load_breast_cancer, Task.BINARY), (load_wine, Task.MULTICLASS),
                       (load_diabetes, Task.REGRESSION)):
        X, y = load(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        X = np.round(X, 1)  # coarse values: neighbours tie at equal distances
        learner = (KNeighborsRegressor(**options) if task is Task.REGRESSION
                   else KNeighborsClassifier(n_jobs=2, **options)).fit(X[::2], y[::2])
        row_path = compile_learner(learner, task)
        assert isinstance(row_path, _KNeighbors)
        own = learner.predict if task is Task.REGRESSION else learner.predict_proba
        # scikit-learn breaks ties between equally distant neighbours by how its search is
        # split across threads; rows are served on one thread, so compare on one thread
        with threadpool_limits(limits=1):
            for row in np.vstack([X[1::2], X[:6]]):  # unseen rows, then fitted ones (d = 0)
                np.testing.assert_array_equal(row_path(row[None, :]),
                                              np.asarray(own(row[None, :]), np.float64))


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
def test_mlp_row_path_skips_the_input_checks_and_equals_the_learner(activation) -> None:
    from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.preprocessing import StandardScaler

    from jogak.models.automl._rowpredict import _MLP

    options = {"hidden_layer_sizes": (16, 8), "activation": activation, "max_iter": 200,
               "random_state": 0}
    for load, task in ((load_breast_cancer, Task.BINARY), (load_wine, Task.MULTICLASS),
                       (load_diabetes, Task.REGRESSION)):
        X, y = load(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        learner = (MLPRegressor(**options) if task is Task.REGRESSION
                   else MLPClassifier(**options))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # not converged in 200 iterations: no matter here
            learner.fit(X[::2], y[::2])
        row_path = compile_learner(learner, task)
        assert isinstance(row_path, _MLP)
        own = learner.predict if task is Task.REGRESSION else learner.predict_proba
        for row in X[1::2]:
            np.testing.assert_array_equal(row_path(row[None, :]),
                                          np.asarray(own(row[None, :]), np.float64))
        np.testing.assert_array_equal(row_path(X[:9]), np.asarray(own(X[:9]), np.float64))
