"""Market data, indicators, forecasting, sentiment, honest backtests and risk (S4)."""

from __future__ import annotations

__all__: list[str] = []
