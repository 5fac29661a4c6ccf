"""The Streamlit business dashboard over models and results under JOGAK_HOME."""

from __future__ import annotations

__all__: list[str] = []
