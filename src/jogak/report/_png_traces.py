"""Matplotlib drawing of single Plotly traces, used by the PNG exporter."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["SUPPORTED_TRACES", "draw_trace", "to_mpl_color"]

_RGB = re.compile(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*([\d.]+)\s*)?\)")
_DASH = {"dash": "--", "dot": ":", "dashdot": "-.", "longdash": "--", "solid": "-"}
_MARKERS = {"circle": "o", "square": "s", "diamond": "D", "cross": "P", "x": "X",
            "triangle-up": "^", "triangle-down": "v", "star": "*"}


def to_mpl_color(value: Any) -> Any:
    """A Plotly colour (``'#abc'``, ``'rgb(…)'``, ``'rgba(…)'``, a CSS name) for matplotlib."""
    if isinstance(value, str):
        match = _RGB.fullmatch(value.strip())
        if match:
            r, g, b = (float(match.group(i)) / 255 for i in (1, 2, 3))
            alpha = float(match.group(4)) if match.group(4) is not None else 1.0
            return (r, g, b, alpha)
        return value
    return value


def _colormap(scale: Any) -> Any:
    from matplotlib.colors import LinearSegmentedColormap

    if not scale:
        return "viridis"
    stops = [(float(pos), to_mpl_color(color)) for pos, color in scale]
    return LinearSegmentedColormap.from_list("plotly", stops)


def _values(data: Any) -> list[Any]:
    if data is None:
        return []
    return list(np.asarray(data, dtype=object).ravel()) if not isinstance(data, str) else [data]


def _marker_colors(trace: Any, fallback: str, n: int) -> Any:
    marker = getattr(trace, "marker", None)
    color = marker.color if marker is not None else None
    if color is None:
        return to_mpl_color(fallback)
    if isinstance(color, str):
        return to_mpl_color(color)
    colors = list(color)
    if colors and all(isinstance(c, str) for c in colors):
        return [to_mpl_color(c) for c in colors][:n] if n else to_mpl_color(colors[0])
    import matplotlib as mpl

    numeric = np.asarray(colors, dtype=float)
    span = np.nanmax(numeric) - np.nanmin(numeric) if numeric.size else 0.0
    scaled = (numeric - np.nanmin(numeric)) / span if span else np.full_like(numeric, 0.5)
    cmap = _colormap(marker.colorscale)
    cmap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    return [cmap(v) for v in scaled]


def _scatter(ax: Any, trace: Any, color: str, slot: int, layout: Any) -> None:
    x, y = _values(trace.x), _values(trace.y)
    if not x and y:
        x = list(range(len(y)))
    mode = trace.mode or ("lines+markers" if len(y) < 20 else "lines")
    line_color = to_mpl_color(trace.line.color) if trace.line.color else to_mpl_color(color)
    label = trace.name or None
    if "lines" in mode:
        ax.plot(x, y, color=line_color, linestyle=_DASH.get(trace.line.dash or "solid", "-"),
                linewidth=float(trace.line.width or 2) * 0.75, label=label,
                drawstyle="steps-post" if trace.line.shape in ("hv", "vh") else "default")
        label = None
    if "markers" in mode:
        size = trace.marker.size if isinstance(trace.marker.size, int | float) else 6
        ax.scatter(x, y, s=float(size) ** 2 * 0.6, color=_marker_colors(trace, color, len(y)),
                   marker=_MARKERS.get(str(trace.marker.symbol or "circle"), "o"),
                   alpha=float(trace.opacity or trace.marker.opacity or 1.0), label=label,
                   zorder=3)
    if "text" in mode and trace.text is not None:
        for xi, yi, text in zip(x, y, _values(trace.text), strict=False):
            ax.annotate(str(text), (xi, yi), fontsize=7, ha="center", va="bottom")
    if trace.fill in ("tozeroy", "tonexty") and y:
        ax.fill_between(x, y, 0, color=line_color, alpha=0.15)


def _bar(ax: Any, trace: Any, color: str, slot: int, layout: Any) -> None:
    horizontal = trace.orientation == "h"
    cats, vals = (_values(trace.y), _values(trace.x)) if horizontal else \
        (_values(trace.x), _values(trace.y))
    if not cats:
        cats = list(range(len(vals)))
    labels = [str(c) for c in cats] if any(isinstance(c, str) for c in cats) else cats
    heights = np.asarray(vals, dtype=float)
    colors = _marker_colors(trace, color, len(heights))
    base = trace.base if trace.base is not None else 0
    if layout.barmode == "stack":
        stacks = getattr(ax, "_jogak_stack", {})
        base = np.asarray([stacks.get(c, 0.0) for c in labels], dtype=float)
        for c, h, b in zip(labels, heights, base, strict=True):
            stacks[c] = b + h
        ax._jogak_stack = stacks
    kwargs = {"color": colors, "label": trace.name or None,
              "alpha": float(trace.opacity or 1.0)}
    bars = (ax.barh(labels, heights, left=base, **kwargs) if horizontal
            else ax.bar(labels, heights, bottom=base, **kwargs))
    if trace.text is not None:
        ax.bar_label(bars, labels=[str(t) for t in _values(trace.text)], fontsize=7, padding=2)


def _histogram(ax: Any, trace: Any, color: str, slot: int, layout: Any) -> None:
    horizontal = trace.x is None and trace.y is not None
    values = np.asarray(_values(trace.y if horizontal else trace.x), dtype=float)
    values = values[np.isfinite(values)]
    density = trace.histnorm in ("probability density", "probability", "percent")
    ax.hist(values, bins=int(trace.nbinsx or 30), color=to_mpl_color(
            trace.marker.color if isinstance(trace.marker.color, str) else color),
            alpha=float(trace.opacity or (0.6 if layout.barmode == "overlay" else 1.0)),
            density=density, label=trace.name or None,
            orientation="horizontal" if horizontal else "vertical")


def _heatmap(ax: Any, trace: Any, color: str, slot: int, layout: Any) -> None:
    z = np.asarray(trace.z, dtype=float)
    x = _values(trace.x) or list(range(z.shape[1]))
    y = _values(trace.y) or list(range(z.shape[0]))
    zmin = trace.zmin if trace.zmin is not None else np.nanmin(z)
    zmax = trace.zmax if trace.zmax is not None else np.nanmax(z)
    if trace.zmid is not None:
        half = max(abs(zmax - trace.zmid), abs(trace.zmid - zmin))
        zmin, zmax = trace.zmid - half, trace.zmid + half
    ax._jogak_image = True
    image = ax.imshow(z, cmap=_colormap(trace.colorscale), vmin=zmin, vmax=zmax, aspect="auto",
                      origin="lower", interpolation="nearest")
    ax.set_xticks(range(len(x)), [str(v) for v in x])
    ax.set_yticks(range(len(y)), [str(v) for v in y])
    text = trace.text
    if text is None and trace.texttemplate and "%{z" in str(trace.texttemplate):
        text = [[f"{v:.3g}" for v in row] for row in z]
    if text is not None and z.size <= 400:
        mid = (zmin + zmax) / 2
        for i, row in enumerate(np.asarray(text, dtype=object)):
            for j, value in enumerate(row):
                ax.text(j, i, str(value), ha="center", va="center", fontsize=8,
                        color="white" if np.isfinite(z[i, j]) and z[i, j] > mid else "black")
    if trace.showscale is not False:
        colorbar = ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
        colorbar.ax.tick_params(labelsize=8)


def _distribution(ax: Any, trace: Any, color: str, slot: int, layout: Any) -> None:
    horizontal = trace.orientation == "h"
    values = np.asarray(_values(trace.x if horizontal else trace.y), dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return
    groups = _values(trace.y if horizontal else trace.x)
    if groups and len(groups) == len(np.asarray(_values(trace.x if horizontal else trace.y))):
        raw = np.asarray(_values(trace.x if horizontal else trace.y), dtype=float)
        labels = list(dict.fromkeys(str(g) for g in groups))
        data = [raw[[str(g) == lab for g in groups]] for lab in labels]
        data = [d[np.isfinite(d)] for d in data]
        positions = list(range(len(labels)))
    else:
        labels, data, positions = [str(trace.name or slot)], [values], [slot]
    face = to_mpl_color(trace.marker.color if isinstance(trace.marker.color, str) else color)
    if trace.type == "violin":
        nonempty = [(p, d) for p, d in zip(positions, data, strict=True) if d.size > 1]
        if nonempty:
            parts = ax.violinplot([d for _, d in nonempty], positions=[p for p, _ in nonempty],
                                  orientation="horizontal" if horizontal else "vertical",
                                  showmedians=True)
            for body in parts["bodies"]:
                body.set_facecolor(face)
    else:
        parts = ax.boxplot(data, positions=positions, orientation=(
            "horizontal" if horizontal else "vertical"), patch_artist=True, widths=0.5)
        for box in parts["boxes"]:
            box.set_facecolor(face)
            box.set_alpha(0.6)
    ticks = ax.set_yticks if horizontal else ax.set_xticks
    existing = getattr(ax, "_jogak_ticks", {})
    existing.update(dict(zip(positions, labels, strict=True)))
    ax._jogak_ticks = existing
    ticks(list(existing), list(existing.values()))


def _waterfall(ax: Any, trace: Any, color: str, slot: int, layout: Any) -> None:
    horizontal = trace.orientation == "h"
    cats = _values(trace.y if horizontal else trace.x)
    deltas = np.asarray(_values(trace.x if horizontal else trace.y), dtype=float)
    measures = _values(trace.measure) or ["relative"] * len(deltas)
    starts, ends, total = [], [], float(trace.base or 0.0)
    for delta, measure in zip(deltas, measures, strict=True):
        if measure == "total":
            starts.append(float(trace.base or 0.0))
            ends.append(total)
            continue
        if measure == "absolute":
            total = 0.0
        starts.append(total)
        total += float(delta)
        ends.append(total)
    start, end = np.asarray(starts), np.asarray(ends)
    colors = ["#2ca02c" if e >= s else "#d62728" for s, e in zip(start, end, strict=True)]
    colors = [("#1f77b4" if m in ("total", "absolute") else c)
              for m, c in zip(measures, colors, strict=True)]
    labels = [str(c) for c in cats] if cats else [str(i) for i in range(len(deltas))]
    if horizontal:  # first step at the bottom, as Plotly draws it (layouts may reverse it)
        ax.barh(labels, end - start, left=start, color=colors)
    else:
        ax.bar(labels, end - start, bottom=start, color=colors)


def _pie(ax: Any, trace: Any, color: str, slot: int, layout: Any) -> None:
    values = np.asarray(_values(trace.values), dtype=float)
    labels = [str(v) for v in _values(trace.labels)] or None
    ax.pie(values, labels=labels, autopct="%1.0f%%", textprops={"fontsize": 8},
           wedgeprops={"width": 1 - float(trace.hole or 0)} if trace.hole else None)


_DRAW: dict[str, Callable[[Any, Any, str, int, Any], None]] = {
    "scatter": _scatter, "scattergl": _scatter, "bar": _bar, "histogram": _histogram,
    "heatmap": _heatmap, "box": _distribution, "violin": _distribution,
    "waterfall": _waterfall, "pie": _pie,
}
SUPPORTED_TRACES: Sequence[str] = tuple(_DRAW)


def draw_trace(ax: Any, trace: Any, *, color: str, slot: int, layout: Any) -> None:
    """Draw one Plotly trace on a matplotlib axes (``slot``: its rank among same-type traces)."""
    _DRAW[trace.type](ax, trace, color, slot, layout)
