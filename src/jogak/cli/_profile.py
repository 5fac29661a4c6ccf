"""``jogak profile DATA``: what is in a table, as a Rich table or one JSON object."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jogak.cli._app import app
from jogak.data import ColumnProfile, ColumnRole, Profile, load, profile

__all__ = ["profile_command"]


@app.command("profile")
def profile_command(
    data: Annotated[str, typer.Argument(help="A data file (CSV, Parquet, Excel, JSON; .gz, .zip) "
                                             "or 'duckdb:SELECT ...'.")],
    target: Annotated[str | None, typer.Option("--target", "-t",
                                               help="The column to predict.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")
                       ] = False,
    sep: Annotated[str | None, typer.Option(help="Field delimiter of text files.")] = None,
    encoding: Annotated[str | None, typer.Option(help="Encoding of text files, e.g. cp949.")
                        ] = None,
    sheet: Annotated[str | None, typer.Option(help="Excel sheet name.")] = None,
) -> None:
    """Profile a table: column roles, missing values, distributions, outliers and leaks."""
    frame = load(data, sep=sep, encoding=encoding, sheet=sheet)
    result = profile(frame, target=target)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, allow_nan=False))
        return
    render_profile(result, Console(stderr=True))


def render_profile(result: Profile, console: Console) -> None:
    """Print a profile as a summary line and one table row per column."""
    summary = f"[bold]{result.n_rows:,}[/] rows x [bold]{result.n_columns}[/] columns"
    if result.n_duplicate_rows:
        summary += f", {result.n_duplicate_rows:,} duplicate rows"
    console.print(summary)
    if result.target is not None and result.task is not None:
        shown = ", ".join(f"{key}={_number(value)}" for key, value in
                          list((result.target_distribution or {}).items())[:8])
        console.print(f"target [bold]{escape(result.target)}[/]: {result.task.value} "
                      f"({escape(shown)})")
    for name in result.suspected_leaks:
        score = result.columns[name].leak_score
        console.print(f"[bold red]suspected leak[/]: {escape(name)} (single-feature score "
                      f"{_number(score)}) - check it is known before the outcome")
    table = Table(show_lines=False)
    table.add_column("column", overflow="fold", min_width=8)
    table.add_column("role", overflow="fold", min_width=7)
    table.add_column("dtype", overflow="fold")
    table.add_column("missing", justify="right", no_wrap=True)
    table.add_column("distinct", justify="right", no_wrap=True)
    table.add_column("summary", overflow="ellipsis", max_width=44)
    table.add_column("flags", overflow="fold")
    for column in result.columns.values():
        table.add_row(escape(column.name), column.role.value, column.dtype,
                      f"{column.missing_share:.1%}", f"{column.n_distinct:,}",
                      escape(_summary(column)), _flags(column))
    console.print(table)


def _summary(column: ColumnProfile) -> str:
    if column.quantiles is not None and column.role is not ColumnRole.BOOLEAN:
        q = column.quantiles
        return (f"min {_number(q['min'])}  median {_number(q['p50'])}  max {_number(q['max'])}"
                f"  skew {_number(column.skew)}")
    if column.first is not None:
        return f"{column.first[:10]} .. {column.last[:10] if column.last else ''}"
    if column.mean_words is not None:
        return f"{column.mean_words} words on average"
    if column.top_values:
        return ", ".join(f"{value[:20]} ({count:,})" for value, count in column.top_values[:3])
    return ""


def _flags(column: ColumnProfile) -> str:
    flags = []
    if column.suspected_leak:
        flags.append("[red]leak?[/]")
    if column.n_outliers:
        flags.append(f"{column.n_outliers:,} outliers")
    if column.n_impossible:
        flags.append(f"[red]{column.n_impossible:,} outside range[/]")
    if column.n_unparsed:
        flags.append(f"{column.n_unparsed:,} unreadable")
    if column.n_infinite:
        flags.append(f"{column.n_infinite:,} infinite")
    return ", ".join(flags)


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.4g}" if abs(value) < 1e15 else f"{value:.3g}"
