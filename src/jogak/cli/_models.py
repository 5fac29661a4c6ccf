"""``jogak train``, ``jogak predict`` and ``jogak evaluate``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from jogak.cli._app import app
from jogak.cli._io import read_data, write_frame
from jogak.config import Settings
from jogak.errors import ConfigError, SchemaError, TargetError

__all__ = ["evaluate", "predict", "train"]

_err = Console(stderr=True)


def _close(name: str, options: list[str]) -> str:
    import difflib

    match = difflib.get_close_matches(name, options, n=1)
    return f" Did you mean {match[0]!r}?" if match else ""


def _split_target(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, pd.Series]:
    if target not in frame.columns:
        raise TargetError(f"Target column {target!r} is not in the data; columns are "
                          f"{list(frame.columns)[:30]}.{_close(target, list(frame.columns))}")
    return frame.drop(columns=[target]), frame[target]


class _ProgressCallback:
    """Shows trials done, elapsed time against the budget, and the best score so far."""

    def __init__(self, progress: Progress, task_id: Any, metric: str, greater: bool) -> None:
        self.progress, self.task_id, self.metric, self.greater = progress, task_id, metric, greater

    def __call__(self, record: Any, search: Any) -> None:
        best = search.best
        shown = "—" if best is None else f"{(-best.loss if self.greater else best.loss):.5g}"
        total = search.budget.seconds
        completed = search.budget.elapsed if total else len(search.records)
        self.progress.update(self.task_id, completed=completed,
                             description=f"{len(search.records)} trials · best {self.metric} "
                                         f"{shown} ({best.family if best else '—'})")


@contextmanager
def search_progress(console: Console, *, total: float, metric: str,
                    greater: bool) -> Iterator[_ProgressCallback]:
    """A Rich progress bar over the budget (or trials) fed by a search callback."""
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task_id = progress.add_task("starting", total=total)
        yield _ProgressCallback(progress, task_id, metric, greater)


@app.command()
def train(
    data: Annotated[str, typer.Argument(help="A data file or 'duckdb:SELECT ...'.")],
    target: Annotated[str, typer.Option("--target", "-t", help="The column to predict.")],
    task: Annotated[str, typer.Option(help="auto, regression, binary or multiclass.")] = "auto",
    metric: Annotated[str | None, typer.Option(help="Metric to optimise.")] = None,
    budget: Annotated[float, typer.Option(help="Wall-clock seconds for the search.")] = 60.0,
    trials: Annotated[int | None, typer.Option(help="Number of trials (reproducible; "
                                                    "overrides --budget).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    time_column: Annotated[str | None, typer.Option(help="Time-ordered validation.")] = None,
    group_column: Annotated[str | None, typer.Option(help="Grouped validation.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="Columns to leave out.")] = None,
    models: Annotated[str | None, typer.Option(help="Comma-separated model families.")] = None,
    log_target: Annotated[bool, typer.Option(help="Regression on log1p(target).")] = False,
    out: Annotated[Path, typer.Option(help="Bundle folder to write.")] = Path("jogak-model"),
    storage: Annotated[str | None, typer.Option(help="Optuna storage URL shared with "
                                                     "'jogak worker'.")] = None,
    study: Annotated[str | None, typer.Option(help="Study name in --storage.")] = None,
    benefit_tp: Annotated[float | None, typer.Option(
        help="Binary: money gained per true positive, for the max_profit operating "
             "point.")] = None,
    cost_contact: Annotated[float | None, typer.Option(
        help="Binary: money spent per flagged row (with --benefit-tp).")] = None,
    infer_limit: Annotated[float | None, typer.Option(
        help="Serving budget: seconds per row in a 10k-row batch (default 5e-5, i.e. 20k "
             "rows/s); models and ensembles estimated slower are left out.")] = None,
    infer_limit_row: Annotated[float | None, typer.Option(
        help="Serving budget: seconds per single-row prediction (default 1e-3).")] = None,
    no_infer_limit: Annotated[bool, typer.Option(
        "--no-infer-limit", help="No serving budget: the most accurate ensemble, however "
                                 "slow it serves.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary.")] = False,
) -> None:
    """Search models within the budget and write the best ensemble as a bundle."""
    from jogak.data import Task, detect_task
    from jogak.models import AutoMLClassifier, AutoMLRegressor, default_metric, get_metric

    if task not in {"auto", "regression", "binary", "multiclass"}:
        raise ConfigError(f"--task must be auto, regression, binary or multiclass; got {task!r}.")
    if (storage is None) != (study is None):
        raise ConfigError("--storage and --study go together; give both or neither.")
    if (benefit_tp is None) != (cost_contact is None):
        raise ConfigError("--benefit-tp and --cost-contact go together; give both or neither.")
    frame = read_data(data)
    X, y = _split_target(frame, target)
    detected = detect_task(y)
    chosen = detected if task == "auto" else Task(task)
    if chosen is Task.BINARY and y.nunique(dropna=True) != 2:
        raise TargetError(f"--task binary needs 2 classes in {target!r}, got {y.nunique()}.")
    estimator_cls = AutoMLRegressor if chosen is Task.REGRESSION else AutoMLClassifier
    metric_obj = get_metric(metric, chosen) if metric else default_metric(chosen)
    common: dict[str, Any] = {
        "time_budget": budget, "n_trials": trials, "metric": metric, "random_state": seed,
        "time_column": time_column, "group_column": group_column,
        "exclude_columns": tuple(exclude or ()),
        "include_models": tuple(models.split(",")) if models else None, "storage": storage,
        "study_name": study}
    if chosen is Task.REGRESSION:
        common["log_target"] = log_target
    if no_infer_limit and (infer_limit is not None or infer_limit_row is not None):
        raise ConfigError("--no-infer-limit turns the serving budget off; drop --infer-limit "
                          "and --infer-limit-row, or --no-infer-limit.")
    if no_infer_limit:
        common.update(infer_limit=None, infer_limit_row=None)
    for name, value in (("infer_limit", infer_limit), ("infer_limit_row", infer_limit_row)):
        if value is not None:
            common[name] = value
    estimator = estimator_cls(**common)
    if storage is not None and study is not None:
        from jogak.models.automl import publish_job

        params = {k: v for k, v in estimator.get_params().items() if k != "callbacks"}
        params["exclude_columns"] = list(params["exclude_columns"])
        if params["include_models"] is not None:
            params["include_models"] = list(params["include_models"])
        params["exclude_models"] = list(params["exclude_models"])
        publish_job(storage, study, {"data": data, "target": target,
                                     "estimator": estimator_cls.__name__, "params": params})
    with search_progress(_err, total=budget if trials is None else trials,
                         metric=metric_obj.name, greater=metric_obj.greater_is_better) as callback:
        estimator.set_params(callbacks=(callback,))
        estimator.fit(X, y)
    estimator.target_name_ = target
    if benefit_tp is not None:
        if estimator.task_ is not Task.BINARY:
            raise ConfigError("--benefit-tp and --cost-contact apply to binary targets only; "
                              f"{target!r} is {estimator.task_.value}.")
        estimator.set_operating_points(benefit_tp=benefit_tp, cost_contact=cost_contact)
    path = estimator.save(out, name=target, extra_manifest=training_reference(estimator, X))
    tracking_uri = Settings.from_env().mlflow_tracking_uri
    if tracking_uri:
        from jogak.registry import log_to_mlflow

        logged = log_to_mlflow(path, tracking_uri=tracking_uri, registered_model_name=target)
        _err.print(f"logged to MLflow at {tracking_uri}: run {logged.run_id}, model "
                   f"{logged.registered_name} v{logged.registered_version}")
    summary = {"bundle": str(path), "task": estimator.task_.value, "metric": estimator.metric_,
               "cv": {k: {"mean": m, "std": s} for k, (m, s) in estimator.cv_results_.items()},
               "ensemble": estimator.ensemble_.weights, "time_used": estimator.time_used_,
               "n_trials": len(estimator.history_),
               "serving_estimate": {
                   "batch_rows_per_s": estimator.serving_cost_.rows_per_second,
                   "row_ms": estimator.serving_cost_.row_seconds * 1e3,
                   "mode": estimator.ensemble_.mode,
                   # how many times the serving limit was loosened; null: dropped
                   "limit_relaxed": _finite_or_none(getattr(estimator, "infer_limit_relaxed_",
                                                            1.0))},
               "operating_points": {name: point.to_dict() for name, point
                                    in getattr(estimator, "operating_points_", {}).items()}}
    if as_json:
        typer.echo(json.dumps(summary, default=float))
        return
    table = Table(title=f"leaderboard ({estimator.metric_}, {estimator.n_folds_}-fold CV)")
    board = estimator.leaderboard_
    for column in ("family", "source", estimator.metric_, f"{estimator.metric_}_std",
                   "fit_seconds"):
        table.add_column(column)
    for _, row in board.head(10).iterrows():
        table.add_row(*[f"{row[c]:.5g}" if isinstance(row[c], float) else str(row[c])
                        for c in ("family", "source", estimator.metric_,
                                  f"{estimator.metric_}_std", "fit_seconds")])
    _err.print(table)
    _err.print(f"model bundle written to [bold]{path}[/bold] "
               f"({estimator.time_used_:.1f} s, {len(estimator.history_)} trials; serves an "
               f"estimated {estimator.serving_cost_.rows_per_second:,.0f} rows/s in batches, "
               f"{estimator.serving_cost_.row_seconds * 1e3:.2f} ms per row)")
    relaxed = getattr(estimator, "infer_limit_relaxed_", 1.0)
    if relaxed != 1.0:
        _err.print("[yellow]the serving limit was loosened "
                   + ("away" if relaxed == float("inf") else f"{relaxed:g}x")
                   + ": keeping to it cost more than 1 % of the cross-validated loss[/yellow]")


def _finite_or_none(value: float) -> float | None:
    return value if np.isfinite(value) else None


def training_reference(model: Any, X: pd.DataFrame) -> dict[str, Any]:
    """The training data's drift reference, for the bundle's manifest (``jogak monitor``)."""
    from jogak.monitor import MANIFEST_KEY, reference_profile

    oof = getattr(model, "oof_", None)
    usable = oof is not None and len(oof) == len(X) and not np.isnan(
        np.asarray(oof, dtype=np.float64)).any()
    return {MANIFEST_KEY: reference_profile(X, predictions=oof if usable else None,
                                            random_state=model.random_state or 0)}


def _check_operating_point(model: Any, name: str) -> None:
    from jogak.models import decide

    if not getattr(model, "operating_points_", None):
        task = getattr(getattr(model, "task_", None), "value", "unknown")
        raise ConfigError(f"--operating-point needs a binary classifier with stored operating "
                          f"points; this model is {task} and has none.")
    decide(np.empty(0), model.operating_points_, name)  # unknown name: lists the available


@app.command()
def predict(
    model: Annotated[Path, typer.Argument(help="A model bundle folder.")],
    data: Annotated[str, typer.Argument(help="A data file or 'duckdb:SELECT ...'.")],
    out: Annotated[Path | None, typer.Option(help="Output file (.csv, .parquet, .jsonl); "
                                                  "stdout CSV without it.")] = None,
    operating_point: Annotated[str | None, typer.Option(
        "--operating-point", help="Add a 'decision' column at this named threshold "
                                  "(recall_first, precision_first, max_profit).")] = None,
) -> None:
    """Write the input rows, in order, with a prediction column (and proba_<class> columns)."""
    from jogak.models import load_model
    from jogak.models._batch import prediction_frame, score_file

    fitted = load_model(model)
    if operating_point is not None:
        _check_operating_point(fitted, operating_point)
    if out is None:
        write_frame(prediction_frame(fitted, read_data(data), operating_point=operating_point),
                    None)
        return
    # a file: stream it in chunks, so that inputs larger than memory score too
    with Progress(SpinnerColumn(), TextColumn("scoring"), TextColumn("{task.completed:,} rows"),
                  TimeElapsedColumn(), console=_err, transient=True) as bar:
        task = bar.add_task("scoring", total=None)
        result = score_file(fitted, data, out, operating_point=operating_point,
                            progress=lambda n: bar.update(task, completed=n))
    _err.print(f"{result.n_rows:,} predictions written to {result.path}")


@app.command()
def evaluate(
    model: Annotated[Path, typer.Argument(help="A model bundle folder.")],
    data: Annotated[str, typer.Argument(help="A data file or 'duckdb:SELECT ...'.")],
    target: Annotated[str, typer.Option("--target", "-t", help="The true target column.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Score a model on labelled data with every metric of its task."""
    from jogak.models import evaluate_model, load_model

    fitted = load_model(model)
    X, y = _split_target(read_data(data), target)
    if y.isna().all():
        raise SchemaError(f"Target column {target!r} has no values to evaluate against.")
    scores = evaluate_model(fitted, X, y)
    if as_json:
        typer.echo(json.dumps(scores))
        return
    table = Table(title=f"{model} on {data} ({scores['n_rows']} rows)")
    table.add_column("metric")
    table.add_column("value")
    for name, value in scores["metrics"].items():
        table.add_row(name, f"{value:.6g}")
    Console().print(table)
