"""The HTTP prediction service (FastAPI): create_app(settings)."""

from __future__ import annotations

__all__: list[str] = []
