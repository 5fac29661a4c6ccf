"""HTML fragments for report blocks: paragraphs, metric cards and tables (all escaped)."""

from __future__ import annotations

import html
import math
import numbers
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError

__all__ = ["format_value", "metrics_html", "paragraphs_html", "table_html"]


def format_value(value: Any, *, label: str = "value") -> str:
    """Readable text for one number or string: ints and floats from 10,000 up with thousands
    separators, smaller floats with 4 significant digits, tiny ones in scientific notation, NaN
    as an em dash."""
    if value is None:
        return "—"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isnan(number):
            return "—"
        if math.isinf(number):
            return "∞" if number > 0 else "−∞"
        magnitude = abs(number)
        if 1e4 <= magnitude < 1e15:
            return f"{number:,.0f}"
        if magnitude == 0 or 1e-3 <= magnitude < 1e4:
            return f"{number:.4g}"
        return f"{number:.3e}"
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    raise ConfigError(f"Metric {label!r} must be a number or a string, got "
                      f"{type(value).__name__} ({value!r}).")


def paragraphs_html(text: str) -> str:
    """Blank-line separated paragraphs as escaped ``<p>`` elements (single newlines kept)."""
    chunks = [c.strip() for c in text.replace("\r\n", "\n").split("\n\n")]
    return "".join("<p>" + html.escape(c).replace("\n", "<br>") + "</p>" for c in chunks if c)


def metrics_html(metrics: Mapping[str, Any]) -> str:
    """Key-figure cards, one per item, in the mapping's order."""
    cards = "".join(
        f'<div class="metric"><div class="label">{html.escape(str(label))}</div>'
        f'<div class="value">{html.escape(format_value(value, label=str(label)))}</div></div>'
        for label, value in metrics.items())
    return f'<div class="metrics">{cards}</div>'


def _cell(value: Any) -> tuple[str, bool]:
    if isinstance(value, numbers.Number) and not isinstance(value, bool | np.bool_):
        return format_value(value), True
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA \
            or value is pd.NaT:
        return "—", False
    return str(value), False


def table_html(frame: pd.DataFrame, *, max_rows: int) -> str:
    """An escaped HTML table of the first ``max_rows`` rows, with a note when rows were cut."""
    shown = frame.head(max_rows)
    show_index = not isinstance(frame.index, pd.RangeIndex) or frame.index.name is not None
    if show_index:
        shown = shown.reset_index()
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for record in shown.itertuples(index=False, name=None):
        cells = []
        for value in record:
            text, numeric = _cell(value)
            css = ' class="num"' if numeric else ""
            cells.append(f"<td{css}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = ""
    if len(frame) > max_rows:
        note = (f'<p class="note">Showing the first {max_rows:,} of {len(frame):,} rows.</p>')
    elif len(frame) == 0:
        note = '<p class="note">No rows.</p>'
    return (f'<table class="data"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}'
            f"</tbody></table>{note}")
