"""Behaviour score, scorecards, customer grades and policy simulation (S2)."""

from __future__ import annotations

__all__: list[str] = []
