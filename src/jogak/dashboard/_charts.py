"""The dashboard's figure style (Korean-capable font, one height) and metric rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

__all__ = ["metric_row", "styled"]


def styled(fig: Any, title: str | None = None, *, height: int = 360) -> Any:
    """``fig`` with the report font (Noto Sans CJK first), a title and the page height."""
    from jogak.report import FONT_FAMILY

    fig.update_layout(font={"family": FONT_FAMILY}, height=height,
                      margin={"l": 40, "r": 20, "t": 50 if title else 20, "b": 40})
    if title is not None:
        fig.update_layout(title=title)
    return fig


def metric_row(figures: Mapping[str, Any], *, per_row: int = 4) -> None:
    """Key figures side by side, ``per_row`` to a row."""
    items = list(figures.items())
    for start in range(0, len(items), per_row):
        chunk = items[start:start + per_row]
        for column, (label, value) in zip(st.columns(per_row), chunk, strict=False):
            column.metric(label, value)
