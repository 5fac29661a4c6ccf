"""Fixtures of the churn tests: synthetic KKBOX features at each user's cutoff, a model."""

from __future__ import annotations

import pandas as pd
import pytest

from jogak.data.aggregate import FeatureSpec, Population, build_features
from jogak.solutions.churn import (
    ChurnClassifier,
    clean_kkbox_features,
    kkbox_churn_labels,
    kkbox_spec,
)
from jogak.testing._kkbox import make_kkbox


@pytest.fixture(scope="session")
def kkbox_features() -> pd.DataFrame:
    """400 synthetic users labelled by KKBOX's rule, features as of expiry - 1 day, cleaned."""
    tables = make_kkbox(400, seed=7)
    labels, _ = kkbox_churn_labels(tables["transactions"], month="2017-02",
                                   data_end="2017-03-31")
    preset = kkbox_spec(tables, population=False)
    spec = FeatureSpec(key="msno", events=preset.events, entities=preset.entities,
                       ratios=preset.ratios,
                       population=Population(source=labels, key="msno", cutoff="cutoff",
                                             keep=("is_churn",)))
    frame = build_features(spec).frame
    assert frame is not None
    clean, _ = clean_kkbox_features(frame)
    return clean


@pytest.fixture(scope="session")
def churn_model(kkbox_features: pd.DataFrame) -> ChurnClassifier:
    X = kkbox_features.drop(columns=["is_churn"])
    return ChurnClassifier(n_trials=4, cv=3, include_models=("linear", "lightgbm"),
                           exclude_columns=("msno",), random_state=0).fit(
        X, kkbox_features["is_churn"])
