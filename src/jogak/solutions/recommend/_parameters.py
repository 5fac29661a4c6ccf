"""The :class:`Recommender`'s parameter checks and the collaborative models it knows by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from sklearn.base import BaseEstimator, clone

from jogak.errors import ConfigError
from jogak.solutions.recommend._collaborative import (
    ALSRecommender,
    BlendRecommender,
    BPRRecommender,
    ItemKNNRecommender,
    PopularityRecommender,
    recency_blend,
)

__all__ = ["ALGORITHMS", "Algorithm", "ColdStart", "check_k", "check_recommender_params"]

Algorithm = Literal["popularity", "item_knn", "als", "bpr", "blend", "recency_blend"]
ColdStart = Literal["content", "ridge"]
ALGORITHMS: dict[str, Callable[[], BaseEstimator]] = {
    "popularity": PopularityRecommender, "item_knn": ItemKNNRecommender,
    "als": ALSRecommender, "bpr": BPRRecommender, "blend": BlendRecommender,
    "recency_blend": recency_blend}


def check_recommender_params(model: Any) -> BaseEstimator:
    """Raise ConfigError for an invalid parameter of ``model``; else its unfitted collaborative
    model (built from its name, or a clone of the estimator given)."""
    for name in ("content_weight", "mmr_lambda", "fallback_lambda", "item_zscore_weight"):
        value = getattr(model, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not 0.0 <= value <= 1.0:
            raise ConfigError(f"{name} must be a number in [0, 1], got {value!r}.")
    for name in ("long_tail_weight", "exposure_weight"):
        value = getattr(model, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                not value >= 0:
            raise ConfigError(f"{name} must be a number >= 0, got {value!r}.")
    if model.cold_start not in ("content", "ridge"):
        raise ConfigError(f"cold_start must be 'content' or 'ridge', got "
                          f"{model.cold_start!r}.")
    if isinstance(model.cold_start_alpha, bool) or \
            not isinstance(model.cold_start_alpha, (int, float)) or \
            not model.cold_start_alpha > 0:
        raise ConfigError(f"cold_start_alpha must be a positive number, got "
                          f"{model.cold_start_alpha!r}.")
    for name in ("n_candidates", "exposure_depth"):
        value = getattr(model, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value!r}.")
    if isinstance(model.collaborative, str):
        if model.collaborative not in ALGORITHMS:
            raise ConfigError(f"collaborative must be one of {sorted(ALGORITHMS)} or an "
                              f"estimator, got {model.collaborative!r}.")
        return ALGORITHMS[model.collaborative]()
    if not hasattr(model.collaborative, "score_items"):
        raise ConfigError(f"collaborative must be one of {sorted(ALGORITHMS)} or one of "
                          f"their estimators, got {type(model.collaborative).__name__}.")
    return clone(model.collaborative)


def check_k(k: object) -> int:
    """``k`` as an int; ConfigError unless it is a positive integer."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ConfigError(f"k must be a positive integer, got {k!r}.")
    return int(k)
