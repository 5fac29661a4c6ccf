"""``jogak explain``: per-row contributions in source-column space."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jogak.cli._app import app
from jogak.cli._io import read_data
from jogak.errors import ConfigError

__all__ = ["explain_command"]

_SHOWN_CONTRIBUTIONS = 10


@app.command("explain")
def explain_command(
    model: Annotated[Path, typer.Argument(help="A model bundle folder.")],
    data: Annotated[str, typer.Argument(help="A data file or 'duckdb:SELECT ...' with the "
                                             "training columns.")],
    rows: Annotated[int | None, typer.Option("--rows", "-n", help="Explain the first N rows "
                                                                  "(default: all).")] = None,
    background: Annotated[int, typer.Option(help="Background rows sampled at most.")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed (background sample, permutations).")
                    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout: "
                                                         "{\"rows\": [...]}.")] = False,
) -> None:
    """Explain predictions: each row's base value plus one contribution per source column.

    For every row, base_value + sum(contributions) = prediction, in the stated space
    (log_odds, probability, raw, or log1p for log-target regressors).
    """
    from jogak.explain import explain
    from jogak.models import load_model

    if rows is not None and rows < 1:
        raise ConfigError(f"--rows must be >= 1, got {rows}.")
    fitted = load_model(model)
    frame = read_data(data)
    if rows is not None:
        frame = frame.head(rows)
    console = Console(stderr=True)
    with Progress(TextColumn("explaining"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        task_id = progress.add_task("explaining", total=len(frame))
        result = explain(fitted, frame, max_background=background, random_state=seed,
                         on_progress=lambda n: progress.advance(task_id, n))
        progress.update(task_id, completed=len(frame))
    records = result.to_records()
    if as_json:
        payload = {"model": str(model), "space": result.space, "method": result.method,
                   "n_rows": len(records), "rows": records}
        typer.echo(json.dumps(_finite(payload), ensure_ascii=False, allow_nan=False))
        return
    _render(result, records, console)


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: they become null."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _render(result: Any, records: list[dict[str, Any]], console: Console) -> None:
    console.print(f"[bold]{len(records)}[/] row(s) explained in [bold]{result.space}[/] space "
                  f"({result.method}); base value + contributions = prediction")
    importance = result.global_importance(_SHOWN_CONTRIBUTIONS)
    table = Table(title="mean |contribution|")
    for name in ("column", "mean_abs", "direction"):
        table.add_column(name)
    for row in importance.itertuples(index=False):
        table.add_row(escape(str(row.column)), f"{row.mean_abs:.4g}", row.direction)
    console.print(table)
    for i in range(min(len(records), 20)):
        steps = result.waterfall(i)
        detail = Table(title=f"row {i}: prediction {steps.attrs['prediction']:.4g} = base "
                             f"{steps.attrs['base_value']:.4g} + contributions")
        for name in ("column", "value", "contribution"):
            detail.add_column(name)
        for step in steps.head(_SHOWN_CONTRIBUTIONS).itertuples(index=False):
            detail.add_row(escape(str(step.column)), escape(str(step.value)),
                           f"{step.contribution:+.4g}")
        console.print(detail)
    if len(records) > 20:
        console.print(f"... {len(records) - 20} more row(s); use --json for all of them")
