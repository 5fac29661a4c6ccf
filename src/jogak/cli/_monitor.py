"""``jogak monitor``: drift and performance of a model on current data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from jogak.cli._app import app
from jogak.cli._io import read_data
from jogak.errors import ConfigError

if TYPE_CHECKING:
    from jogak.monitor import MonitorReport

__all__ = ["monitor"]


@app.command("monitor")
def monitor(
    model: Annotated[Path, typer.Argument(help="A model bundle folder.")],
    current: Annotated[str | None, typer.Argument(
        help="Current data: a file or 'duckdb:SELECT ...' (in time order for performance "
             "windows). Leave out with --prediction-log.")] = None,
    reference: Annotated[str | None, typer.Option(
        help="Training data to compare with (default: the profile stored in the bundle).")
    ] = None,
    labels: Annotated[str | None, typer.Option(
        help="Column of CURRENT_DATA with the true outcome: enables performance monitoring.")
    ] = None,
    method: Annotated[str, typer.Option(
        help="Drift test: auto (Evidently's defaults), ks, chi2, z, wasserstein, "
             "jensenshannon or psi.")] = "auto",
    window: Annotated[int, typer.Option(help="Rows per performance window.")] = 500,
    margin: Annotated[float, typer.Option(
        help="Alert when the metric is worse than the training CV by more than this.")
    ] = 0.05,
    html: Annotated[Path | None, typer.Option(help="Write the HTML drift report here.")
                    ] = None,
    fail_on_alert: Annotated[bool, typer.Option(
        "--fail-on-alert", help="Exit with code 1 when anything alerts.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")
                       ] = False,
    prediction_log: Annotated[str | None, typer.Option(
        help="Instead of CURRENT_DATA: the predictions `jogak serve --log-predictions` logged "
             "(a SQLite file or database URL); checks prediction drift, and drift of the "
             "features it kept.")] = None,
    logged_model: Annotated[str | None, typer.Option(
        help="With --prediction-log: the served model's name, NAME or NAME@VERSION (default: "
             "the only model in the log).")] = None,
    since: Annotated[str | None, typer.Option(
        help="With --prediction-log: rows logged at or after this ISO time (UTC).")] = None,
    until: Annotated[str | None, typer.Option(
        help="With --prediction-log: rows logged before this ISO time (UTC).")] = None,
) -> None:
    """Check feature drift, prediction drift and (with --labels) live performance."""
    from jogak.models import load_model
    from jogak.monitor import DriftConfig, DriftMethod, PerformanceConfig, monitor_model

    if html is not None and html.suffix.lower() not in (".html", ".htm"):
        raise ConfigError(f"--html must name an .html file, got {str(html)!r}.")
    if (current is None) == (prediction_log is None):
        raise ConfigError("Give either CURRENT_DATA or --prediction-log (exactly one).")
    if prediction_log is not None and labels is not None:
        raise ConfigError("--labels needs CURRENT_DATA with outcomes; the prediction log holds "
                          "none.")
    drift_config = DriftConfig(method=cast(DriftMethod, method))  # checked on creation
    performance_config = PerformanceConfig(window=window, margin=margin)
    console = Console(stderr=True)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=console, transient=not console.is_terminal) as progress:
        task_id = progress.add_task("loading", total=None)
        fitted = load_model(model)
        reference_frame = read_data(reference) if reference is not None else None
        if prediction_log is not None:
            from jogak.monitor import monitor_prediction_log

            logged = _logged(prediction_log, logged_model, since, until)
            progress.update(task_id, description="comparing")
            result = monitor_prediction_log(fitted, logged, reference=reference_frame,
                                            drift_config=drift_config)
        else:
            assert current is not None
            frame = read_data(current)
            progress.update(task_id, description="comparing")
            result = monitor_model(fitted, frame, reference=reference_frame, labels=labels,
                                   drift_config=drift_config,
                                   performance_config=performance_config)
        if html is not None:
            from jogak.report._drift import drift_report

            progress.update(task_id, description="writing the report")
            drift_report(result).write(html)
    if as_json:
        payload = result.to_dict()
        if html is not None:
            payload["html"] = str(html)
        typer.echo(json.dumps(payload, ensure_ascii=False, allow_nan=False))
    else:
        _render(result, console)
    if fail_on_alert and result.alerts:
        raise typer.Exit(1)


def _logged(target: str, model: str | None, since: str | None,
            until: str | None) -> pd.DataFrame:
    from jogak.monitor import read_prediction_log

    name, version = model, None
    if model is not None and "@" in model:
        name, _, text = model.partition("@")
        if not text.isdigit():
            raise ConfigError(f"--logged-model must be NAME or NAME@VERSION (a number), got "
                              f"{model!r}.")
        version = int(text)
    logged = read_prediction_log(target, model=name, version=version, since=since, until=until)
    names = sorted(set(logged["model"]))
    if name is None and len(names) > 1:
        raise ConfigError(f"The prediction log holds several models ({names[:10]}). Hint: pick "
                          "one with --logged-model NAME[@VERSION].")
    return logged


def _render(result: MonitorReport, console: Console) -> None:
    summary = result.drift.summary
    console.print(f"[bold]{summary.n_drifted}[/] of {summary.n_columns} features drifted"
                  + (" ([red]data set drift[/])" if summary.dataset_drift else ""))
    table = Table()
    for heading in ("feature", "test", "statistic", "p-value", "PSI", "drifted"):
        table.add_column(heading)
    rows = result.drift.columns
    if result.prediction_drift is not None:
        rows = pd.concat([rows, result.prediction_drift], ignore_index=True)
    for row in rows.itertuples(index=False):
        table.add_row(escape(str(row.column)), row.test, _number(row.statistic),
                      _number(row.p_value), _number(row.psi),
                      "[red]yes[/]" if row.drifted else "no")
    console.print(table)
    if result.performance is not None:
        perf = result.performance
        console.print(f"{perf.metric}: {_number(perf.overall)} now, {_number(perf.baseline)} in "
                      f"training CV; windows alerting: {perf.alert_windows or 'none'}")
    for line in result.alerts:
        console.print(f"[bold red]alert[/] {escape(line)}")


def _number(value: float | None) -> str:
    return "-" if value is None or value != value else f"{value:.4g}"
