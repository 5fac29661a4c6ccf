"""Self-contained HTML reports (Plotly inline, offline) and PNG figures."""

from __future__ import annotations

__all__: list[str] = []
