"""The e-commerce data standard, customer grading (RFM, CLV) and repurchase (S5)."""

from __future__ import annotations

__all__: list[str] = []
