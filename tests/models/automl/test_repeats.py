"""Repeated k-fold: "auto" repeats tiny tables in a timed search; out-of-fold means over repeats."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes

from jogak.errors import ConfigError
from jogak.models import AutoMLClassifier, AutoMLRegressor
from jogak.models.automl._estimator import AUTO_REPEAT_ROWS, AUTO_REPEATS
from jogak.models.automl._folds import FoldPredictions
from jogak.testing import make_classification_frame


def test_fold_predictions_average_the_repeats_and_leave_untested_rows_missing() -> None:
    values = FoldPredictions((5,))
    values.add(np.array([0, 1]), np.array([1.0, 2.0]))
    values.add(np.array([1, 2]), np.array([4.0, 3.0]))
    values.add(np.array([0]), np.array([5.0]))
    np.testing.assert_array_equal(values.mean(), [3.0, 3.0, 3.0, np.nan, np.nan])
    proba = FoldPredictions((3, 2))
    proba.add(np.array([0, 2]), np.array([[0.2, 0.8], [0.6, 0.4]]))
    proba.add(np.array([0]), np.array([[0.4, 0.6]]))
    np.testing.assert_allclose(proba.mean(), [[0.3, 0.7], [np.nan, np.nan], [0.6, 0.4]])
    once = FoldPredictions((2,))  # one shuffle: the prediction itself, to the bit
    once.add(np.array([1, 0]), np.array([0.1 + 0.2, -1e300]))
    np.testing.assert_array_equal(once.mean(), [-1e300, 0.1 + 0.2])


def _resolved(n_rows: int, **params) -> int:
    return AutoMLRegressor(**params)._repeats(n_rows)


def test_auto_repeats_only_a_timed_search_on_a_tiny_table() -> None:
    assert _resolved(300, time_budget=30.0) == AUTO_REPEATS
    assert _resolved(AUTO_REPEAT_ROWS + 1, time_budget=30.0) == 1
    assert _resolved(300, n_trials=5) == 1  # a trial count asked for that many fits
    assert _resolved(300, time_budget=30.0, n_repeats=2) == 2
    assert _resolved(10**6, n_trials=5, n_repeats=4) == 4


def test_a_timed_fit_on_diabetes_repeats_its_folds_and_averages_them() -> None:
    X, y = load_diabetes(return_X_y=True, as_frame=True)
    model = AutoMLRegressor(time_budget=6.0, include_models=("linear",), cv=3,
                            stacking=False).fit(X, y)
    assert model.n_repeats_ == AUTO_REPEATS
    assert model.n_folds_ == 3 * AUTO_REPEATS
    assert np.isfinite(model.oof_).all()  # every row tested by every shuffle, then averaged
    rmse = float(np.sqrt(np.mean((model.oof_ - y.to_numpy()) ** 2)))
    assert rmse < 0.95 * float(y.std())  # the averaged predictions still predict


def test_time_ordered_folds_are_never_repeated() -> None:
    frame = make_classification_frame(200, seed=3, missing_share=0.0)
    frame["when"] = pd.date_range("2024-01-01", periods=200, freq="D")
    model = AutoMLClassifier(time_budget=5.0, include_models=("linear",), cv=3,
                             time_column="when", stacking=False)
    model.fit(frame.drop(columns="target"), frame["target"])
    assert model.n_repeats_ == 1  # a time scheme has one order
    assert model.n_folds_ == 3
    assert _resolved(300, time_budget=30.0, group_column="store") == 1
    assert _resolved(300, time_budget=30.0, cv_kind="holdout") == 1


@pytest.mark.parametrize("bad", [0, -1, "twice", 2.5, True])
def test_n_repeats_must_be_a_positive_int_or_auto(bad) -> None:
    frame = make_classification_frame(60, seed=1)
    with pytest.raises(ConfigError, match="n_repeats must be an int >= 1 or 'auto'"):
        AutoMLClassifier(n_trials=1, n_repeats=bad).fit(frame.drop(columns="target"),
                                                         frame["target"])
