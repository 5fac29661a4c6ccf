"""``jogak report``: one self-contained HTML report for a model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from jogak.cli._app import app
from jogak.cli._io import read_data
from jogak.errors import ConfigError

__all__ = ["report"]

_STEPS = ("summary", "data profile", "leaderboard and search", "metrics",
          "errors and thresholds", "learning curve", "explanations", "partial dependence",
          "collinearity")


@app.command()
def report(
    model: Annotated[Path, typer.Argument(help="A model bundle folder.")],
    out: Annotated[Path, typer.Option(help="The HTML file to write.")] = Path("report.html"),
    data: Annotated[str | None, typer.Option(help="Rows with the training columns (and the "
                                                  "target): a file or 'duckdb:SELECT ...'.")
                    ] = None,
    target: Annotated[str | None, typer.Option("--target", "-t", help="Target column in DATA "
                                               "(default: the model's).")] = None,
    png: Annotated[Path | None, typer.Option(help="Also write every figure as PNG into this "
                                                  "folder.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the row samples.")] = 0,
    explain_seconds: Annotated[float, typer.Option(help="Time budget for SHAP values (rows "
                                                        "explained: as many as fit).")] = 10.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout.")
                       ] = False,
) -> None:
    """Write one self-contained HTML report (works offline) of a model bundle."""
    from jogak.models import load_model
    from jogak.report import model_report

    if out.suffix.lower() not in (".html", ".htm"):
        raise ConfigError(f"--out must be an .html file, got {str(out)!r}.")
    fitted = load_model(model)
    frame = read_data(data) if data is not None else None
    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=not console.is_terminal) as progress:
        task_id = progress.add_task("report", total=len(_STEPS) + 1)

        def step(name: str) -> None:
            progress.update(task_id, description=name, completed=_STEPS.index(name)
                            if name in _STEPS else 0)

        built = model_report(fitted, frame, target=target, random_state=seed,
                             explain_seconds=explain_seconds, on_progress=step)
        progress.update(task_id, description="writing", completed=len(_STEPS))
        path = built.write(out, png_dir=png)
        progress.update(task_id, completed=len(_STEPS) + 1)
    summary = {"report": str(path), "size_bytes": path.stat().st_size,
               "sections": [s.heading for s in built.sections],
               "figures": list(built.figures),
               "png_dir": None if png is None else str(png)}
    if as_json:
        typer.echo(json.dumps(summary, ensure_ascii=False))
        return
    console.print(f"report written to [bold]{path}[/bold] ({summary['size_bytes'] / 1e6:.1f} MB, "
                  f"{len(summary['sections'])} sections, {len(summary['figures'])} figures)")
