"""The three ways of presenting features to a learner."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["FeatureStyle"]


class FeatureStyle(StrEnum):
    """How :func:`~jogak.pipeline.build_preprocessor` prepares features for a learner family.

    ``SCALED``: linear models, kNN, MLPs and neural nets (imputed, skew-corrected,
    standardised, one-hot; sparse TF-IDF for text). ``TREE``: random forests and extra trees
    (imputed, ordinal codes, no scaling; text reduced by SVD). ``NATIVE``: gradient boosting
    with native missing-value and categorical support (LightGBM, XGBoost, CatBoost,
    HistGradientBoosting): NaN kept, category codes first.
    """

    SCALED = "scaled"
    TREE = "tree"
    NATIVE = "native"
