"""Monitoring of deployed models: feature and prediction drift, performance alerts."""

from __future__ import annotations

__all__: list[str] = []
