from __future__ import annotations

import numpy as np
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import ExtraTreesRegressor, RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier

from jogak.data import Task
from jogak.models.automl._rowpredict import compile_learner


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
