"""PNG export of Plotly figures, drawn with matplotlib (no browser needed).

Plotly's own exporter (kaleido) drives a Chrome; reports are written on servers and laptops
without one, so we redraw each figure with matplotlib's Agg backend instead. The common trace
types are covered (scatter, bar, histogram, heatmap, box, violin, waterfall, pie), with
subplots, shared/overlaid axes, log and category axes, straight-line shapes and data-anchored
annotations. Hover-only details are left out. Korean text renders through a CJK font found on
the machine (Debian: ``fonts-noto-cjk``).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from jogak.errors import ConfigError
from jogak.report._atomic import write_bytes_atomic
from jogak.report._png_traces import SUPPORTED_TRACES, draw_trace

__all__ = ["SUPPORTED_TRACES", "figure_to_png", "write_pngs"]

_CJK_FAMILIES = ("Noto Sans CJK KR", "Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Sans KR",
                 "NanumGothic", "Malgun Gothic", "Apple SD Gothic Neo", "AppleGothic")
_TAG = re.compile(r"<[^>]+>")


def _matplotlib() -> Any:
    from jogak.models._optional import require

    return require("matplotlib", extra="report", purpose="PNG export of report figures")


@lru_cache(maxsize=1)
def font_families() -> tuple[str, ...]:
    """Font fallback list for PNGs: DejaVu Sans for Latin, then the first CJK font installed."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [name for name in _CJK_FAMILIES if name in installed][:1]
    return ("DejaVu Sans", *cjk)


def plain(text: Any) -> str:
    """Plotly text without its HTML tags (``<b>``, ``<br>`` becomes a newline)."""
    if text is None:
        return ""
    return _TAG.sub("", str(text).replace("<br>", "\n").replace("<br/>", "\n"))


def _domain(axis: Any) -> tuple[float, float]:
    domain = axis.domain if axis is not None and axis.domain is not None else (0.0, 1.0)
    return float(domain[0]), float(domain[1])


def _axis_key(ref: str | None, letter: str) -> str:
    suffix = (ref or letter)[1:]
    return f"{letter}axis{suffix}"


def _plot_area(fig: Any, *, right: float) -> tuple[float, float, float, float]:
    """Left, right, bottom, top of the plotting area as figure fractions, honouring margins
    the figure sets in pixels (long category labels need their room)."""
    width, height = float(fig.layout.width or 760), float(fig.layout.height or 460)
    margin = fig.layout.margin
    left = 0.1 if margin.l is None else min(max(margin.l / width, 0.06), 0.5)
    right = right if margin.r is None else max(min(1 - margin.r / width, right), left + 0.3)
    bottom = 0.12 if margin.b is None else min(max(margin.b / height, 0.08), 0.4)
    top = 0.88 if margin.t is None else max(min(1 - margin.t / height, 0.9), bottom + 0.3)
    return left, right, bottom, top


def _build_axes(fig: Any, mpl_fig: Any) -> dict[tuple[str, str], Any]:
    """Matplotlib axes per (xref, yref) pair, placed by the Plotly axis domains."""
    pairs: list[tuple[str, str]] = []
    for trace in fig.data:
        if trace.type in ("pie",):
            continue
        pair = (getattr(trace, "xaxis", None) or "x", getattr(trace, "yaxis", None) or "y")
        if pair not in pairs:
            pairs.append(pair)
    if not pairs and not any(t.type == "pie" for t in fig.data):
        pairs.append(("x", "y"))
    has_scale = any(t.type == "heatmap" and t.showscale is not False for t in fig.data)
    left, right, bottom, top = _plot_area(fig, right=0.9 if has_scale else 0.97)
    axes: dict[tuple[str, str], Any] = {}
    for xref, yref in pairs:
        xaxis = fig.layout[_axis_key(xref, "x")]
        yaxis = fig.layout[_axis_key(yref, "y")]
        overlay = yaxis.overlaying if yaxis is not None else None
        base_pair = (xref, overlay) if overlay else None
        if base_pair is not None and base_pair in axes:
            axes[(xref, yref)] = axes[base_pair].twinx()
            continue
        x0, x1 = _domain(xaxis)
        y0, y1 = _domain(yaxis)
        gap_x, gap_y = (0.06 if x1 - x0 < 1 else 0.0), (0.08 if y1 - y0 < 1 else 0.0)
        rect = (left + x0 * (right - left), bottom + y0 * (top - bottom),
                max((x1 - x0) * (right - left) - gap_x / 2, 0.05),
                max((y1 - y0) * (top - bottom) - gap_y, 0.05))
        axes[(xref, yref)] = mpl_fig.add_axes(rect)
    return axes


def _style_axes(fig: Any, axes: Mapping[tuple[str, str], Any]) -> None:
    for (xref, yref), ax in axes.items():
        for letter, ref in (("x", xref), ("y", yref)):
            spec = fig.layout[_axis_key(ref, letter)]
            if spec is None:
                continue
            set_label = ax.set_xlabel if letter == "x" else ax.set_ylabel
            set_label(plain(spec.title.text), fontsize=9)
            if spec.type == "log":
                (ax.set_xscale if letter == "x" else ax.set_yscale)("log")
            if spec.range is not None and spec.type != "log":
                (ax.set_xlim if letter == "x" else ax.set_ylim)(*spec.range)
            if spec.autorange == "reversed":
                (ax.invert_xaxis if letter == "x" else ax.invert_yaxis)()
        ax.tick_params(labelsize=8)
        if not getattr(ax, "_jogak_image", False):
            ax.grid(alpha=0.3)
        for label in ax.get_xticklabels():
            if len(label.get_text()) > 6 and len(ax.get_xticklabels()) > 6:
                label.set_rotation(45)
                label.set_ha("right")


def _draw_shapes(fig: Any, axes: Mapping[tuple[str, str], Any]) -> None:
    for shape in fig.layout.shapes or ():
        if shape.type not in ("line", "rect"):
            continue
        xref, yref = (shape.xref or "x"), (shape.yref or "y")
        x_base, y_base = xref.split(" ")[0], yref.split(" ")[0]
        ax = axes.get((x_base, y_base)) or next(iter(axes.values()), None)
        if ax is None:
            continue
        line = shape.line
        color = line.color if line is not None and line.color else "#555555"
        dash = {"dash": "--", "dot": ":", "dashdot": "-."}.get(
            (line.dash if line is not None else None) or "", "-")
        kwargs: dict[str, Any] = {"color": _color(color), "linestyle": dash, "linewidth": 1}
        if shape.type == "rect":
            continue
        x_domain, y_domain = xref.endswith("domain"), yref.endswith("domain")
        if x_domain and not y_domain:
            ax.axhline(shape.y0, xmin=shape.x0, xmax=shape.x1, **kwargs)
        elif y_domain and not x_domain:
            ax.axvline(shape.x0, ymin=shape.y0, ymax=shape.y1, **kwargs)
        elif not x_domain and not y_domain and xref != "paper" and yref != "paper":
            ax.plot([shape.x0, shape.x1], [shape.y0, shape.y1], **kwargs)


def _draw_annotations(fig: Any, axes: Mapping[tuple[str, str], Any], mpl_fig: Any) -> None:
    for note in fig.layout.annotations or ():
        text = plain(note.text)
        if not text:
            continue
        xref, yref = note.xref or "x", note.yref or "y"
        if xref == "paper" and yref == "paper":
            # subplot titles: paper coordinates mapped into the axes rectangle area
            left, right, bottom, top = _plot_area(fig, right=0.97)
            mpl_fig.text(left + (note.x or 0) * (right - left),
                         bottom + (note.y or 0) * (top - bottom) + 0.01, text,
                         ha="center", va="bottom", fontsize=9)
            continue
        ax = axes.get((xref, yref))
        if ax is not None and note.x is not None and note.y is not None:
            ax.annotate(text, (note.x, note.y), fontsize=8, ha="center", va="bottom")


def _color(value: Any) -> Any:
    from jogak.report._png_traces import to_mpl_color

    return to_mpl_color(value)


def figure_to_png(figure: Any, *, scale: float = 2.0) -> bytes:
    """Render one Plotly figure to PNG bytes with matplotlib.

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        The figure; its trace types must be in ``SUPPORTED_TRACES``.
    scale : float, default 2.0
        Pixel density relative to the figure's layout size (2.0 gives sharp images).

    Returns
    -------
    bytes
        The PNG file content.

    Raises
    ------
    ConfigError
        If the figure holds a trace type that cannot be drawn.
    """
    _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    unknown = sorted({t.type for t in figure.data} - set(SUPPORTED_TRACES))
    if unknown:
        raise ConfigError(f"PNG export cannot draw trace type(s) {unknown}; supported: "
                          f"{sorted(SUPPORTED_TRACES)}. Hint: build the figure from these "
                          "trace types, or export it from the HTML report's camera button.")
    import matplotlib as mpl

    width = float(figure.layout.width or 760) / 100
    height = float(figure.layout.height or 460) / 100
    with mpl.rc_context({"font.family": list(font_families()), "axes.unicode_minus": False}):
        mpl_fig = Figure(figsize=(width, height), dpi=100)
        FigureCanvasAgg(mpl_fig)
        axes = _build_axes(figure, mpl_fig)
        colorway = list(figure.layout.template.layout.colorway or ()) or ["#636efa"]
        counters: dict[str, int] = {}
        for index, trace in enumerate(figure.data):
            if trace.type == "pie":
                ax = mpl_fig.add_axes((0.1, 0.1, 0.8, 0.75))
            else:
                pair = (getattr(trace, "xaxis", None) or "x", getattr(trace, "yaxis", None) or "y")
                ax = axes[pair]
            slot = counters.get(trace.type, 0)
            counters[trace.type] = slot + 1
            draw_trace(ax, trace, color=colorway[index % len(colorway)], slot=slot,
                       layout=figure.layout)
        _draw_shapes(figure, axes)
        _style_axes(figure, axes)
        _draw_annotations(figure, axes, mpl_fig)
        shown = [t for t in figure.data if t.name and t.showlegend is not False
                 and t.type not in ("pie", "heatmap")]
        if len(shown) > 1 or (shown and figure.layout.showlegend):
            for ax in axes.values():
                if ax.get_legend_handles_labels()[0]:
                    ax.legend(fontsize=7, loc="best", framealpha=0.8)
        title = plain(figure.layout.title.text)
        if title:
            mpl_fig.suptitle(title, fontsize=11, x=_plot_area(figure, right=0.97)[0], ha="left")
        buffer = io.BytesIO()
        mpl_fig.savefig(buffer, format="png", dpi=100 * scale)
    return buffer.getvalue()


def write_pngs(figures: Mapping[str, Any], folder: Path, *, scale: float = 2.0) -> list[Path]:
    """Write each figure as ``<folder>/<name>.png`` (atomic per file); return the paths.

    Every figure is rendered before any file is written, so an unsupported figure leaves the
    folder untouched.
    """
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"PNG folder {str(folder)!r} exists and is not a folder.")
    rendered = {name: figure_to_png(fig, scale=scale) for name, fig in figures.items()}
    folder.mkdir(parents=True, exist_ok=True)
    return [write_bytes_atomic(folder / f"{name}.png", data) for name, data in rendered.items()]
