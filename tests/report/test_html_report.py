"""HtmlReport: structure, escaping, self-containment, atomic writes, PNG export."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

from jogak.errors import ConfigError
from jogak.report import HtmlReport

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _bar(title: str = "계약 유형별 이탈률") -> go.Figure:
    fig = go.Figure(go.Bar(x=["월별", "1년", "2년"], y=[0.43, 0.11, 0.03], name="이탈률"))
    fig.update_layout(title=title, xaxis_title="계약", yaxis_title="rate")
    return fig


def _report() -> HtmlReport:
    rep = HtmlReport(title="Churn <model>", subtitle="Telco & friends")
    first = rep.section("Summary", intro="What it does.\n\nSecond paragraph.")
    first.add_metrics({"AUC": 0.84123, "n rows": 7043, "F1": "0.61 ± 0.02"})
    first.add_table(pd.DataFrame({"계약": ["월별", "1년"], "rate": [0.4321, np.nan]}),
                    caption="Rates by contract")
    second = rep.section("그림 Figures")
    second.add_figure(_bar(), name="contract_rate", caption="Monthly contracts churn most.")
    second.add_figure(go.Figure(go.Scatter(x=[0, 1], y=[0, 1])), name="diag")
    return rep


def test_html_report_sections_in_creation_order_with_anchored_toc() -> None:
    rep = _report()
    page = rep.to_html()
    assert [s.heading for s in rep.sections] == ["Summary", "그림 Figures"]
    assert [s.anchor for s in rep.sections] == ["sec-1", "sec-2"]
    assert '<a href="#sec-1">Summary</a>' in page
    assert '<a href="#sec-2">그림 Figures</a>' in page
    assert page.index('id="sec-1"') < page.index('id="sec-2"')
    assert rep.sections[1].figure_names == ("contract_rate", "diag")
    assert list(rep.figures) == ["contract_rate", "diag"]


def test_html_report_inlines_plotly_js_exactly_once_and_loads_nothing_external() -> None:
    page = _report().to_html()
    assert page.count("<script") == 3  # plotly.js + one newPlot call per figure
    marker = get_plotlyjs()[:200]
    assert page.count(marker) == 1
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert "cdn.plot.ly/plotly" not in page.split("<script", 2)[0]  # nothing before the JS


def test_html_report_without_figures_has_no_plotly_js() -> None:
    rep = HtmlReport(title="Tables only")
    rep.section("One").add_text("hello")
    page = rep.to_html()
    assert "<script" not in page
    assert len(page) < 10_000


def test_html_report_escapes_user_text() -> None:
    rep = HtmlReport(title="<script>alert(1)</script>")
    sec = rep.section("<b>h</b>", intro="a < b")
    sec.add_text("x & y\n\n<img src=x>")
    sec.add_table(pd.DataFrame({"<col>": ["<u>x</u>"]}), caption="<i>cap</i>")
    sec.add_metrics({"<m>": "<v>"})
    page = rep.to_html()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for raw in ("<b>h</b>", "<img src=x>", "<col>", "<u>x</u>", "<i>cap</i>", "<m>", "<v>"):
        assert raw not in page
    assert "<p>x &amp; y</p><p>&lt;img src=x&gt;</p>" in page
    assert "<p>a &lt; b</p>" in page


@pytest.mark.parametrize(("value", "shown"), [
    (0.84123, "0.8412"), (7043, "7,043"), (np.int64(12), "12"), (12345.678, "12,346"),
    (1.5e-5, "1.500e-05"), (float("nan"), "—"), ("0.61 ± 0.02", "0.61 ± 0.02"), (True, "yes"),
    (0.0, "0"), (-2.5, "-2.5"), (3.2e17, "3.200e+17"), (float("inf"), "∞")],
    ids=["float", "int", "np_int", "large_float", "tiny", "nan", "str", "bool", "zero", "neg",
         "huge", "inf"])
def test_html_report_metric_values_are_formatted(value: object, shown: str) -> None:
    rep = HtmlReport(title="t")
    rep.section("s").add_metrics({"m": value})
    assert f'<div class="value">{shown}</div>' in rep.to_html()


def test_html_report_rejects_non_numeric_metric() -> None:
    sec = HtmlReport(title="t").section("s")
    with pytest.raises(ConfigError, match="Metric 'm' must be a number or a string"):
        sec.add_metrics({"m": [1, 2]})


def test_html_report_table_truncates_and_says_so() -> None:
    rep = HtmlReport(title="t")
    rep.section("s").add_table(pd.DataFrame({"a": range(120)}), max_rows=10)
    page = rep.to_html()
    assert page.count("<tr>") == 11  # header + 10 rows
    assert "Showing the first 10 of 120 rows." in page


def test_html_report_table_shows_named_index_and_empty_frames() -> None:
    rep = HtmlReport(title="t")
    sec = rep.section("s")
    sec.add_table(pd.Series([1.0, 2.0], index=pd.Index(["x", "y"], name="feature"), name="vif"))
    sec.add_table(pd.DataFrame({"a": []}))
    page = rep.to_html()
    assert "<th>feature</th><th>vif</th>" in page
    assert '<td>x</td><td class="num">1</td>' in page
    assert "No rows." in page


@pytest.mark.parametrize("bad", [0, -1, 2.5, True], ids=["zero", "negative", "float", "bool"])
def test_html_report_table_rejects_bad_max_rows(bad: object) -> None:
    sec = HtmlReport(title="t").section("s")
    with pytest.raises(ConfigError, match="max_rows must be an int >= 1"):
        sec.add_table(pd.DataFrame({"a": [1]}), max_rows=bad)  # type: ignore[arg-type]


def test_html_report_rejects_bad_inputs() -> None:
    with pytest.raises(ConfigError, match="non-empty title"):
        HtmlReport(title=" ")
    rep = HtmlReport(title="t")
    with pytest.raises(ConfigError, match="non-empty heading"):
        rep.section("")
    sec = rep.section("s")
    with pytest.raises(ConfigError, match="expects a pandas DataFrame"):
        sec.add_table([[1, 2]])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="expects a plotly.graph_objects.Figure"):
        sec.add_figure({"data": []}, name="f")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="not a valid file stem"):
        sec.add_figure(_bar(), name="../evil")
    sec.add_figure(_bar(), name="roc")
    with pytest.raises(ConfigError, match="'roc' is already used"):
        rep.section("other").add_figure(_bar(), name="roc")


def test_html_report_copies_figures_on_add() -> None:
    fig = _bar()
    rep = HtmlReport(title="t")
    rep.section("s").add_figure(fig, name="bar")
    fig.update_layout(title="changed afterwards")
    assert rep.figures["bar"].layout.title.text == "계약 유형별 이탈률"
    assert "changed afterwards" not in rep.to_html()


def test_html_report_sets_cjk_font_only_where_figure_has_none() -> None:
    rep = HtmlReport(title="t")
    own = _bar()
    own.update_layout(font_family="Courier New")
    rep.section("s").add_figure(_bar(), name="a").add_figure(own, name="b")
    page = rep.to_html()
    assert "Noto Sans CJK KR" in page
    assert '"family":"Courier New"' in page
    assert rep.figures["a"].layout.font.family is None  # the stored figure is not changed


def test_html_report_write_is_atomic_and_replaces_old_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "report.html"
    written = _report().write(target)
    assert written == target
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "그림 Figures" in text
    HtmlReport(title="second").write(target)
    assert "second" in target.read_text(encoding="utf-8")
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.html"]


def test_html_report_write_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a folder"):
        HtmlReport(title="t").write(tmp_path)


def test_html_report_write_png_dir_writes_one_png_per_figure(tmp_path: Path) -> None:
    _report().write(tmp_path / "r.html", png_dir=tmp_path / "png")
    names = sorted(p.name for p in (tmp_path / "png").iterdir())
    assert names == ["contract_rate.png", "diag.png"]
    for name in names:
        assert (tmp_path / "png" / name).read_bytes().startswith(PNG_MAGIC)
