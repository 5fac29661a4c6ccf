"""Cold titles scored like warm ones: collaborative item factors predicted from synopses."""

from __future__ import annotations

from typing import Any

import numpy as np

from jogak.solutions.recommend._content import ContentModel

__all__ = ["factor_models", "map_cold_factors"]


def factor_models(collaborative: Any) -> list[Any]:
    """The fitted parts of ``collaborative`` (itself, or a blend's estimators) with item factors."""
    parts = getattr(collaborative, "estimators_", [collaborative])
    return [part for part in parts if getattr(part, "item_factors_", None) is not None]


def map_cold_factors(models: list[Any], content: ContentModel, is_cold: np.ndarray, *,
                     alpha: float) -> np.ndarray | None:
    """Write predicted factors of cold titles into each model's ``item_factors_``.

    A ridge regression (L2 penalty ``alpha``) from TF-IDF synopses to each model's item
    factors is trained on the warm titles with a synopsis and predicts the cold titles with
    one. Returns the mask of mapped titles, or None when nothing could be mapped (no factor
    model, no cold title with a synopsis, or fewer than two warm ones).
    """
    from sklearn.linear_model import Ridge

    train, cold = ~is_cold & content.has_text_, is_cold & content.has_text_
    if not models or not cold.any() or train.sum() < 2:
        return None
    features = content.item_tfidf_
    for model in models:
        ridge = Ridge(alpha=float(alpha))
        ridge.fit(features[train], model.item_factors_[train])
        factors = model.item_factors_.copy()
        factors[cold] = ridge.predict(features[cold]).astype(np.float32)
        model.item_factors_ = factors
    return cold
