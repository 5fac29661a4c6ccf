"""Explanations of fitted models: SHAP in source-column space, PDP/ICE, permutation importance."""

from __future__ import annotations

__all__: list[str] = []
