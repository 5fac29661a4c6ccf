"""Versioned model registry with aliases, on SQLite or PostgreSQL, with optional MLflow logging."""

from __future__ import annotations

__all__: list[str] = []
