"""Collaborative, content-based and hybrid recommendation with diversity (S2)."""

from __future__ import annotations

__all__: list[str] = []
