"""Domain solutions built on the AutoML core; each is independent of the others."""

from __future__ import annotations

__all__: list[str] = []
