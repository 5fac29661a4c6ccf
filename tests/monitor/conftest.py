"""Telco split into a training reference and current data, and a small fitted model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from jogak.data import load


@pytest.fixture(scope="module")
def telco(data_dir: Path) -> pd.DataFrame:
    return load(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")


@pytest.fixture(scope="module")
def telco_split(telco: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    order = np.random.default_rng(0).permutation(len(telco))
    return telco.iloc[order[:3500]].reset_index(drop=True), \
        telco.iloc[order[3500:]].reset_index(drop=True)


@pytest.fixture(scope="module")
def telco_model(telco_split: tuple[pd.DataFrame, pd.DataFrame]) -> Any:
    from jogak.models import AutoMLClassifier

    train, _ = telco_split
    model = AutoMLClassifier(n_trials=1, include_models=["linear"], cv=3, time_budget=None,
                             random_state=0)
    return model.fit(train.drop(columns=["Churn"]), train["Churn"])
