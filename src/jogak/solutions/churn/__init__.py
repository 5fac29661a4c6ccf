"""Subscription churn prediction and retention targeting (S3)."""

from __future__ import annotations

__all__: list[str] = []
