"""Learning curves of S1's models on the hit features (over-fitting check, as S1 did)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sklearn.pipeline import Pipeline

from jogak.models import LearningCurve, learning_curve
from jogak.solutions.hits._regressor import check_count_target
from jogak.solutions.hits._s1_models import S1_BASE_MODELS, s1_encoder, s1_estimator

__all__ = ["s1_learning_curves"]


def s1_learning_curves(X: pd.DataFrame, y: Any, *, features: Any,
                       models: Sequence[str] = S1_BASE_MODELS,
                       train_sizes: Sequence[float] = (0.2, 0.4, 0.6, 0.8, 1.0), cv: int = 3,
                       random_state: int = 0) -> dict[str, LearningCurve]:
    """RMSE learning curve of each model as ``Pipeline(features, one-hot, model)``.

    The whole pipeline is re-fitted on each training prefix, so track records stay
    leakage-free. Call ``LearningCurve.diagnose()`` for the over-fitting verdict.
    """
    target = check_count_target(y)
    curves = {}
    for name in models:
        pipeline = Pipeline([("features", features), ("encode", s1_encoder()),
                             ("model", s1_estimator(name, random_state=random_state))])
        curves[name] = learning_curve(pipeline, X.reset_index(drop=True), target, metric="rmse",
                                      train_sizes=train_sizes, cv=cv, random_state=random_state)
    return curves
