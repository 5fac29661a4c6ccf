"""The markets estimators that take an ``X`` matrix against scikit-learn's estimator contract.

No expected failures. ``Forecaster`` takes bars, not ``X``, and ``SentimentClassifier`` takes
texts; neither fits the numeric checks, and both have their own tests.
"""

from __future__ import annotations

from typing import Any

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from jogak.solutions.markets import DriftForecaster, LSTMRegressor


@parametrize_with_checks([DriftForecaster()])
def test_drift_forecaster_meets_sklearn_contract(estimator: Any, check: Any) -> None:
    check(estimator)


# small, with a high learning rate: the checks fit it dozens of times, and one of them wants
# R² > 0.5 on its toy regression
@pytest.mark.slow
@parametrize_with_checks([LSTMRegressor(sequence_length=1, hidden_size=8, epochs=30,
                                        batch_size=16, learning_rate=0.03,
                                        validation_fraction=0.0)])
def test_lstm_regressor_meets_sklearn_contract(estimator: Any, check: Any) -> None:
    check(estimator)
