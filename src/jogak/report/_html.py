"""``HtmlReport``: one self-contained HTML file (Plotly JS inline once, no CDN, works offline)."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from jogak.errors import ConfigError
from jogak.report._atomic import write_text_atomic
from jogak.report._format import format_value, metrics_html, paragraphs_html, table_html

if TYPE_CHECKING:
    import plotly.graph_objects as go

__all__ = ["FONT_FAMILY", "HtmlReport", "Section"]

#: Font stack used by the page and by every Plotly figure: Latin first, then CJK fonts so
#: Korean titles and categories render (Debian: ``fonts-noto-cjk``; macOS / Windows defaults).
FONT_FAMILY = ("'Noto Sans', 'Noto Sans CJK KR', 'Noto Sans KR', 'Apple SD Gothic Neo', "
               "'Malgun Gothic', 'NanumGothic', 'DejaVu Sans', Arial, sans-serif")

_NAME = re.compile(r"[\w-][\w.-]*")


def _plotly() -> Any:
    from jogak.models._optional import require

    return require("plotly.graph_objects", extra="report", purpose="HTML report figures")


@dataclass(frozen=True)
class _Block:
    kind: str  # "text" | "metrics" | "table" | "figure"
    body: str = ""
    figure: Any = None
    name: str = ""
    caption: str | None = None


@dataclass(eq=False)
class Section:
    """One titled part of an :class:`HtmlReport`; blocks appear in the order they are added.

    Created by :meth:`HtmlReport.section`, never directly.
    """

    heading: str
    intro: str | None
    anchor: str
    _report: HtmlReport = field(repr=False)
    _blocks: list[_Block] = field(default_factory=list, repr=False)

    @property
    def n_blocks(self) -> int:
        """How many blocks (texts, metric cards, tables, figures) the section holds."""
        return len(self._blocks)

    @property
    def figure_names(self) -> tuple[str, ...]:
        """Names of this section's figures, in order."""
        return tuple(b.name for b in self._blocks if b.kind == "figure")

    def add_text(self, text: str) -> Section:
        """Add plain text; blank lines separate paragraphs. The text is HTML-escaped.

        Parameters
        ----------
        text : str
            Plain text (no markup).

        Returns
        -------
        Section
            This section, for chaining.
        """
        if not isinstance(text, str):
            raise ConfigError(f"add_text expects a str, got {type(text).__name__}.")
        self._blocks.append(_Block("text", paragraphs_html(text)))
        return self

    def add_metrics(self, metrics: Mapping[str, Any]) -> Section:
        """Add key-figure cards, one per item (numbers are formatted, strings shown as given).

        Parameters
        ----------
        metrics : Mapping[str, float | int | str]
            Label → value, e.g. ``{"AUC": 0.84, "n rows": 7043, "F1": "0.61 ± 0.02"}``.

        Returns
        -------
        Section
            This section, for chaining.
        """
        if not isinstance(metrics, Mapping):
            raise ConfigError(f"add_metrics expects a mapping of label to value, got "
                              f"{type(metrics).__name__}.")
        for label, value in metrics.items():
            format_value(value, label=str(label))  # fail now, not at to_html time
        self._blocks.append(_Block("metrics", metrics_html(metrics)))
        return self

    def add_table(self, frame: pd.DataFrame | pd.Series, caption: str | None = None,
                  max_rows: int = 50) -> Section:
        """Add a table; rows beyond ``max_rows`` are left out and the cut is stated.

        Parameters
        ----------
        frame : pandas.DataFrame or pandas.Series
            The data to show. A non-default index is shown as the first column(s).
        caption : str, optional
            Shown above the table.
        max_rows : int, default 50
            Largest number of rows rendered (must be ≥ 1).

        Returns
        -------
        Section
            This section, for chaining.
        """
        if isinstance(frame, pd.Series):
            frame = frame.to_frame()
        if not isinstance(frame, pd.DataFrame):
            raise ConfigError(f"add_table expects a pandas DataFrame, got "
                              f"{type(frame).__name__}.")
        if isinstance(max_rows, bool) or not isinstance(max_rows, int) or max_rows < 1:
            raise ConfigError(f"max_rows must be an int >= 1, got {max_rows!r}.")
        self._blocks.append(_Block("table", table_html(frame, max_rows=max_rows),
                                   caption=caption))
        return self

    def add_figure(self, figure: go.Figure, name: str, caption: str | None = None) -> Section:
        """Add a Plotly figure; ``name`` is its file stem for PNG export (unique in the report).

        The figure is copied, so later changes to ``figure`` do not reach the report.

        Parameters
        ----------
        figure : plotly.graph_objects.Figure
            The figure.
        name : str
            File stem: letters, digits, ``_``, ``-`` and ``.``; unique within the report.
        caption : str, optional
            Shown under the figure.

        Returns
        -------
        Section
            This section, for chaining.
        """
        go_module = _plotly()
        if not isinstance(figure, go_module.Figure):
            raise ConfigError(f"add_figure expects a plotly.graph_objects.Figure, got "
                              f"{type(figure).__name__}. Hint: wrap a dict with go.Figure(d).")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ConfigError(f"Figure name {name!r} is not a valid file stem; use letters, "
                              "digits, '_', '-' and '.', not starting with '.'.")
        self._report._claim_figure_name(name)
        self._blocks.append(_Block("figure", figure=go_module.Figure(figure), name=name,
                                   caption=caption))
        return self


class HtmlReport:
    """A report assembled from sections and written as one self-contained HTML file.

    Plotly's JavaScript (from the installed ``plotly`` package) is inlined once, so the file
    opens offline and nothing is fetched from a CDN. Each section gets an anchor and an entry in
    the table of contents. Text, tables and captions are HTML-escaped.

    Parameters
    ----------
    title : str
        Page title and main heading.
    subtitle : str, optional
        One line under the title.

    Examples
    --------
    >>> import pandas as pd
    >>> rep = HtmlReport(title="Churn model")
    >>> sec = rep.section("Summary", intro="What the model does.")
    >>> _ = sec.add_metrics({"AUC": 0.8412, "n rows": 7043})
    >>> _ = sec.add_table(pd.DataFrame({"a": [1, 2]}))
    >>> [s.heading for s in rep.sections]
    ['Summary']
    >>> "7,043" in rep.to_html()
    True
    """

    def __init__(self, title: str, subtitle: str | None = None) -> None:
        if not isinstance(title, str) or not title.strip():
            raise ConfigError(f"A report needs a non-empty title, got {title!r}.")
        self.title = title
        self.subtitle = subtitle
        self._sections: list[Section] = []
        self._figure_names: set[str] = set()

    @property
    def sections(self) -> tuple[Section, ...]:
        """The sections, in order of creation."""
        return tuple(self._sections)

    @property
    def figures(self) -> dict[str, go.Figure]:
        """Every figure of the report by name, in order."""
        return {b.name: b.figure for s in self._sections for b in s._blocks
                if b.kind == "figure"}

    def section(self, heading: str, intro: str | None = None) -> Section:
        """Start a new section (appended after the existing ones) and return it.

        Parameters
        ----------
        heading : str
            Section heading, also its table-of-contents entry.
        intro : str, optional
            A short text shown under the heading.

        Returns
        -------
        Section
        """
        if not isinstance(heading, str) or not heading.strip():
            raise ConfigError(f"A section needs a non-empty heading, got {heading!r}.")
        anchor = f"sec-{len(self._sections) + 1}"
        section = Section(heading=heading, intro=intro, anchor=anchor, _report=self)
        self._sections.append(section)
        return section

    def _claim_figure_name(self, name: str) -> None:
        if name in self._figure_names:
            raise ConfigError(f"Figure name {name!r} is already used in this report; figure "
                              "names are PNG file stems and must be unique.")
        self._figure_names.add(name)

    def to_html(self) -> str:
        """Render the whole report as one HTML document (a ``str``).

        Returns
        -------
        str
            A complete HTML5 document with Plotly's JS inline once (only when the report has
            figures), an anchored table of contents, and every section.
        """
        has_figures = bool(self._figure_names)
        head_script = ""
        if has_figures:
            from plotly.offline import get_plotlyjs

            # Inline JS must not close its own <script> element early.
            head_script = ('<script type="text/javascript">'
                           + get_plotlyjs().replace("</script", "<\\/script") + "</script>")
        toc = "".join(f'<li><a href="#{s.anchor}">{html.escape(s.heading)}</a></li>'
                      for s in self._sections)
        body = "".join(self._section_html(s) for s in self._sections)
        subtitle = (f'<p class="subtitle">{html.escape(self.subtitle)}</p>'
                    if self.subtitle else "")
        from jogak import __version__

        return (
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="generator" content="jogak">'
            f"<title>{html.escape(self.title)}</title><style>{_CSS}</style>{head_script}"
            "</head><body><header>"
            f"<h1>{html.escape(self.title)}</h1>{subtitle}</header>"
            f'<nav id="toc"><h2>Contents</h2><ol>{toc}</ol></nav>'
            f"<main>{body}</main>"
            f"<footer>Made with jogak {html.escape(str(__version__))}. "
            "Self-contained: works offline.</footer></body></html>\n"
        )

    def _section_html(self, section: Section) -> str:
        parts = [f'<section id="{section.anchor}" class="report-section">'
                 f"<h2>{html.escape(section.heading)}</h2>"]
        if section.intro:
            parts.append(f'<div class="intro">{paragraphs_html(section.intro)}</div>')
        for block in section._blocks:
            if block.kind == "figure":
                parts.append(_figure_html(block.figure, block.name, block.caption))
            elif block.kind == "table":
                caption = (f'<p class="caption">{html.escape(block.caption)}</p>'
                           if block.caption else "")
                parts.append(f'<div class="table-block">{caption}{block.body}</div>')
            else:
                parts.append(block.body)
        parts.append("</section>")
        return "".join(parts)

    def write(self, path: str | Path, png_dir: str | Path | None = None) -> Path:
        """Write the HTML file atomically (a crash leaves any previous file intact).

        Parameters
        ----------
        path : str or Path
            The ``.html`` file to write; its folder is created if needed.
        png_dir : str or Path, optional
            Also write every figure as ``<png_dir>/<name>.png`` (rendered with matplotlib,
            see :func:`jogak.report.figure_to_png`).

        Returns
        -------
        Path
            The written HTML path.
        """
        target = Path(path)
        if target.exists() and target.is_dir():
            raise ConfigError(f"Report path {str(target)!r} is a folder; give a file name "
                              "such as report.html.")
        document = self.to_html()
        if png_dir is not None:
            from jogak.report._png import write_pngs

            write_pngs(self.figures, Path(png_dir))
        write_text_atomic(target, document)
        return target


def _figure_html(figure: go.Figure, name: str, caption: str | None) -> str:
    shown = figure
    if shown.layout.font.family is None:
        shown = _plotly().Figure(figure)
        shown.update_layout(font_family=FONT_FAMILY)
    div = shown.to_html(full_html=False, include_plotlyjs=False, div_id=f"fig-{name}",
                        config={"displaylogo": False, "responsive": True,
                                "toImageButtonOptions": {"filename": name}})
    cap = (f'<figcaption>{html.escape(caption)}</figcaption>' if caption else "")
    return f'<figure class="plot" data-name="{html.escape(name)}">{div}{cap}</figure>'


_CSS = f"""
:root {{ --ink:#1f2933; --muted:#52606d; --line:#d9e2ec; --accent:#2563eb; --card:#f5f7fa; }}
* {{ box-sizing:border-box; }}
body {{ font-family:{FONT_FAMILY}; color:var(--ink); margin:0 auto; max-width:1180px;
  padding:24px 32px 48px; line-height:1.5; background:#fff; }}
header h1 {{ margin:0 0 4px; font-size:1.9em; }}
.subtitle {{ color:var(--muted); margin:0 0 16px; }}
nav#toc {{ background:var(--card); border:1px solid var(--line); border-radius:8px;
  padding:8px 20px; margin:16px 0 24px; }}
nav#toc h2 {{ font-size:1em; margin:8px 0 4px; }}
nav#toc ol {{ margin:4px 0 8px; padding-left:22px; columns:2; }}
nav#toc a {{ color:var(--accent); text-decoration:none; }}
section.report-section {{ border-top:1px solid var(--line); padding-top:8px; margin-top:24px; }}
section h2 {{ font-size:1.4em; margin:12px 0 8px; }}
.intro {{ color:var(--muted); }}
.metrics {{ display:flex; flex-wrap:wrap; gap:12px; margin:12px 0; }}
.metric {{ background:var(--card); border:1px solid var(--line); border-radius:8px;
  padding:10px 16px; min-width:130px; }}
.metric .label {{ color:var(--muted); font-size:.85em; }}
.metric .value {{ font-size:1.5em; font-weight:600; }}
.table-block {{ overflow-x:auto; margin:12px 0; }}
table.data {{ border-collapse:collapse; font-size:.88em; }}
table.data th, table.data td {{ border-bottom:1px solid var(--line); padding:4px 10px;
  text-align:left; white-space:nowrap; }}
table.data th {{ background:var(--card); }}
table.data td.num {{ text-align:right; font-variant-numeric:tabular-nums; }}
.caption, figcaption {{ color:var(--muted); font-size:.9em; }}
figure.plot {{ margin:12px 0; }}
.note {{ color:var(--muted); font-size:.85em; }}
footer {{ color:var(--muted); font-size:.8em; margin-top:40px; border-top:1px solid var(--line);
  padding-top:8px; }}
"""
