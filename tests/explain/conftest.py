"""Fitted models shared by the explain tests (fitted once per session: fits dominate the cost)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from jogak.models import AutoMLClassifier, AutoMLRegressor
from jogak.testing import make_classification_frame

# session fixtures cannot take the function-scoped global_random_seed; same variable, same default
SEED = int(os.environ.get("JOGAK_TEST_SEED", "0"))


def _fit(estimator: Any, frame: pd.DataFrame, target: str) -> Any:
    return estimator.fit(frame.drop(columns=[target]), frame[target])


@pytest.fixture(scope="session")
def telco(data_dir: Path) -> pd.DataFrame:
    """600 Telco subscribers (target ``Churn``), without the customer id.

    Fixed sample: with it the greedy selection below keeps several members.
    """
    frame = pd.read_csv(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    return frame.drop(columns=["customerID"]).sample(600, random_state=0)


@pytest.fixture(scope="session")
def taiwan(data_dir: Path) -> pd.DataFrame:
    """1,200 Taiwan card holders (target ``Y``), without the row id."""
    frame = pd.read_csv(data_dir / "taiwan_credit_default" /
                        "default_of_credit_card_clients.csv.gz")
    return frame.drop(columns=["ID"]).sample(1200, random_state=SEED)


@pytest.fixture(scope="session")
def telco_lightgbm(telco: pd.DataFrame) -> AutoMLClassifier:
    """One LightGBM model (native categorical splits)."""
    return _fit(AutoMLClassifier(n_trials=1, cv=3, include_models=["lightgbm"], ensemble=False,
                                 stacking=False, random_state=SEED), telco, "Churn")


@pytest.fixture(scope="session")
def telco_ensemble(telco: pd.DataFrame) -> AutoMLClassifier:
    """A greedy ensemble of LightGBM and XGBoost, refitted on all rows (fixed seed, see above)."""
    return _fit(AutoMLClassifier(n_trials=4, cv=3, include_models=["lightgbm", "xgboost"],
                                 stacking=False, random_state=0), telco, "Churn")


@pytest.fixture(scope="session")
def telco_bagged(telco: pd.DataFrame) -> AutoMLClassifier:
    """The same ensemble kept as its fold models (one preprocessor per fold)."""
    return _fit(AutoMLClassifier(n_trials=4, cv=3, include_models=["lightgbm", "xgboost"],
                                 stacking=False, refit=False, random_state=0), telco, "Churn")


@pytest.fixture(scope="session")
def taiwan_lightgbm(taiwan: pd.DataFrame) -> AutoMLClassifier:
    """LightGBM on 800 training rows per fold: early stopping keeps a best iteration."""
    return _fit(AutoMLClassifier(n_trials=1, cv=3, include_models=["lightgbm"], ensemble=False,
                                 stacking=False, random_state=SEED), taiwan, "Y")


@pytest.fixture(scope="session")
def mixed() -> pd.DataFrame:
    """Synthetic rows with numeric, boolean, categorical, date and text columns."""
    return make_classification_frame(300, seed=SEED).drop(columns=["id"])


@pytest.fixture(scope="session")
def mixed_linear(mixed: pd.DataFrame) -> AutoMLClassifier:
    """Logistic regression on one-hot, TF-IDF (sparse) and date-part features."""
    return _fit(AutoMLClassifier(n_trials=1, cv=3, include_models=["linear"], ensemble=False,
                                 stacking=False, random_state=SEED), mixed, "target")


@pytest.fixture(scope="session")
def mixed_lightgbm(mixed: pd.DataFrame) -> AutoMLClassifier:
    """LightGBM on category codes, date parts and SVD components of the text."""
    return _fit(AutoMLClassifier(n_trials=1, cv=3, include_models=["lightgbm"], ensemble=False,
                                 stacking=False, random_state=SEED), mixed, "target")


@pytest.fixture(scope="session")
def regression_frame() -> pd.DataFrame:
    """y = 3 x1 + x2 * x3 + noise, with a categorical column that shifts y."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    n_rows = 300
    frame = pd.DataFrame({"x1": rng.normal(size=n_rows), "x2": rng.normal(size=n_rows),
                          "x3": rng.normal(size=n_rows),
                          "group": rng.choice(["a", "b", "c"], n_rows)})
    frame["y"] = (3.0 * frame["x1"] + 2.0 * frame["x2"] * frame["x3"]
                  + frame["group"].map({"a": 0.0, "b": 1.0, "c": -1.0})
                  + rng.normal(0.0, 0.1, n_rows) + 10.0)
    return frame


@pytest.fixture(scope="session")
def regression_lightgbm(regression_frame: pd.DataFrame) -> AutoMLRegressor:
    return _fit(AutoMLRegressor(n_trials=1, cv=3, include_models=["lightgbm"], ensemble=False,
                                stacking=False, random_state=SEED), regression_frame, "y")
