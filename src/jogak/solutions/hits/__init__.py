"""Content hit scoring for films and songs (S1)."""

from __future__ import annotations

__all__: list[str] = []
