"""PNG export with matplotlib: pixels, sizes, Korean glyphs and unsupported traces."""

from __future__ import annotations

import io

import numpy as np
import plotly.graph_objects as go
import pytest
from matplotlib.image import imread
from plotly.subplots import make_subplots

from jogak.errors import ConfigError
from jogak.report import SUPPORTED_TRACES, figure_to_png
from jogak.report._png import font_families


def _pixels(png: bytes) -> np.ndarray:
    return imread(io.BytesIO(png), format="png")


def test_figure_to_png_size_follows_layout_and_scale() -> None:
    fig = go.Figure(go.Scatter(x=[0, 1], y=[1, 0]))
    fig.update_layout(width=400, height=300)
    assert _pixels(figure_to_png(fig, scale=1.0)).shape[:2] == (300, 400)
    assert _pixels(figure_to_png(fig, scale=2.0)).shape[:2] == (600, 800)


def test_figure_to_png_draws_bars_in_their_colour() -> None:
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2], marker_color="rgb(255,0,0)"))
    image = _pixels(figure_to_png(fig, scale=1.0))
    red = (image[..., 0] > 0.95) & (image[..., 1] < 0.05) & (image[..., 2] < 0.05)
    assert red.mean() > 0.05  # two big red bars cover a good part of the picture


def test_figure_to_png_renders_korean_without_missing_glyphs() -> None:
    # A missing glyph is a matplotlib UserWarning, and warnings fail the test run.
    assert any("CJK" in family or "Nanum" in family for family in font_families()), (
        "no CJK font installed; on Debian: apt-get install fonts-noto-cjk")
    fig = go.Figure(go.Bar(x=["월별 계약", "1년"], y=[3, 1], name="이탈"))
    fig.update_layout(title="계약 유형별 이탈", xaxis_title="계약", yaxis_title="고객 수")
    assert figure_to_png(fig).startswith(b"\x89PNG")


@pytest.mark.parametrize("trace", [
    go.Scatter(x=[0, 1, 2], y=[0, 1, 0], mode="lines+markers+text", text=["a", "b", "c"]),
    go.Bar(y=["x", "y"], x=[1, -2], orientation="h", text=["1", "-2"]),
    go.Histogram(x=np.arange(100.0), nbinsx=10),
    go.Heatmap(z=[[1, 2], [3, np.nan]], x=["p0", "p1"], y=["t0", "t1"], texttemplate="%{z}"),
    go.Box(y=[1.0, 2.0, 3.0, 10.0], name="lgbm"),
    go.Violin(y=[1.0, 2.0, 3.0, 2.5], name="xgb"),
    go.Waterfall(orientation="h", y=["base", "tenure", "sum"], x=[0.2, 0.1, 0],
                 measure=["absolute", "relative", "total"]),
    go.Pie(labels=["a", "b"], values=[3, 1], hole=0.4),
], ids=lambda t: t.type)
def test_figure_to_png_draws_each_supported_trace(trace: go.BaseTraceType) -> None:
    assert trace.type in SUPPORTED_TRACES
    image = _pixels(figure_to_png(go.Figure(trace), scale=1.0))
    assert (image[..., :3] < 0.9).any(axis=-1).mean() > 0.01  # something besides white


def test_figure_to_png_handles_subplots_shapes_and_log_axes() -> None:
    fig = make_subplots(rows=1, cols=2, subplot_titles=["ROC", "loss"])
    fig.add_trace(go.Scatter(x=[0, 0.2, 1], y=[0, 0.8, 1], name="roc"), row=1, col=1)
    fig.add_trace(go.Scatter(x=[1, 10, 100], y=[3, 2, 1], name="loss"), row=1, col=2)
    fig.add_shape(type="line", x0=0, y0=0, x1=1, y1=1, line={"dash": "dash"}, row=1, col=1)
    fig.add_hline(y=2, row=1, col=2)
    fig.update_xaxes(type="log", row=1, col=2)
    assert _pixels(figure_to_png(fig)).shape[2] in (3, 4)


def test_figure_to_png_rejects_unsupported_trace_types() -> None:
    fig = go.Figure(go.Scatter3d(x=[0], y=[0], z=[0]))
    with pytest.raises(ConfigError, match=r"cannot draw trace type\(s\) \['scatter3d'\]"):
        figure_to_png(fig)
