"""``jogak hits``: content hit scoring for films and songs."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from jogak.cli._app import app
from jogak.cli._io import echo_json, read_data, write_frame
from jogak.errors import ConfigError

__all__ = ["group"]

group = typer.Typer(help="Content hit scoring for films and songs.", no_args_is_help=True)
app.add_typer(group, name="hits")

_err = Console(stderr=True)


class Kind(StrEnum):
    """What the data holds."""

    films = "films"
    songs = "songs"


KindArg = Annotated[Kind, typer.Argument(help="films (DACON-style table) or songs (Melon "
                                              "monthly chart history).")]
DataArg = Annotated[str, typer.Argument(help="Data file or duckdb:SELECT ...")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed.")]
TrialsOpt = Annotated[int, typer.Option("--trials", min=1, help="AutoML trials (reproducible).")]






def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                    console=_err, transient=True)


@group.command()
def train(kind: KindArg, data: DataArg,
          out: Annotated[Path, typer.Option("--out", help="Model bundle folder to write.")],
          trials: TrialsOpt = 20, seed: SeedOpt = 0,
          coverage: Annotated[float, typer.Option("--coverage", help="Interval coverage.")] = 0.9,
          as_json: JsonOpt = False) -> None:
    """Train a film audience model or a song chart-run model and save it as a bundle."""
    from jogak.solutions.hits import train_hit_model

    if not 0 < coverage < 1:
        raise ConfigError(f"--coverage must be in (0, 1), got {coverage}.")
    frame = read_data(data)
    with _progress() as progress:
        progress.add_task(f"Training the {kind.value} model ({trials} AutoML trials)")
        model = train_hit_model(kind.value, frame, n_trials=trials, coverage=coverage,
                                random_state=seed)
    path = model.save(out)
    cv = {k: v[0] for k, v in model.regressor.automl_.cv_results_.items()}
    summary = {"kind": kind.value, "model": str(path), "n_rows": model.n_rows,
               "cv_log_scale": cv, "blend_weight": model.regressor.blend_weight_,
               "interval_half_width_log": model.regressor.quantile_}
    if as_json:
        echo_json(summary)
    else:
        _err.print(f"Saved the {kind.value} model ({model.n_rows} rows) to {path}")


@group.command()
def evaluate(kind: KindArg, data: DataArg,
             folds: Annotated[int, typer.Option("--folds", min=2, help="CV folds.")] = 5,
             repeats: Annotated[int, typer.Option("--repeats", min=1, help="CV repeats.")] = 3,
             tuning_trials: Annotated[int, typer.Option(
                 "--tuning-trials", min=1, help="Optuna trials per S1 model and fold.")] = 10,
             trials: TrialsOpt = 20,
             no_tuning: Annotated[bool, typer.Option(
                 "--no-tuning", help="Score only the default S1 models.")] = False,
             models: Annotated[list[str] | None, typer.Option(
                 "--model", help="S1 model to include (repeatable; default all: "
                                 "random_forest, gradient_boosting, xgboost, lightgbm, "
                                 "extra_trees, stacking).")] = None,
             seed: SeedOpt = 0, as_json: JsonOpt = False) -> None:
    """Score S1's models (default and tuned) and jogak's model on the same folds."""
    from jogak.solutions.hits import S1_MODELS, evaluate_hits

    chosen = tuple(models) if models else S1_MODELS
    unknown = sorted(set(chosen) - set(S1_MODELS))
    if unknown:
        raise ConfigError(f"Unknown --model {unknown}; expected names from {list(S1_MODELS)}.")
    frame = read_data(data)
    with _progress() as progress:
        task = progress.add_task("Evaluating")
        comparison, auc = evaluate_hits(
            kind.value, frame, folds=folds, repeats=repeats, tuned=not no_tuning, models=chosen,
            n_tuning_trials=tuning_trials, n_trials=trials, random_state=seed,
            progress=lambda message: progress.update(task, description=message))
    payload = comparison.to_dict()
    if auc is not None:
        payload["top10_auc"] = {"mean": float(auc["roc_auc"].mean()),
                                "std": float(auc["roc_auc"].std(ddof=0))}
    if as_json:
        echo_json(payload)
        return
    table = Table(title=f"{kind.value}: mean over {payload['n_folds']} folds")
    for column in ("model", "rmse", "mae", "r2", "r2_log", "rmsle", "mape"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for name, row in comparison.summary().iterrows():
        table.add_row(str(name), *(f"{row[c]:,.4g}" for c in ("rmse", "mae", "r2", "r2_log",
                                                              "rmsle", "mape")))
    _err.print(table)
    if "coverage" in payload:
        _err.print(f"Interval coverage: {payload['coverage']['mean']:.1%} (nominal "
                   f"{payload['coverage']['nominal']:.0%})")


@group.command()
def board(model: Annotated[Path, typer.Argument(help="Bundle written by 'jogak hits train'.")],
          data: DataArg,
          out: Annotated[Path | None, typer.Option("--out", help="Board file (.csv, .csv.gz, "
                                                   ".parquet, .jsonl); CSV on stdout if "
                                                   "absent.")] = None,
          revenue_per_unit: Annotated[float | None, typer.Option(
              "--revenue-per-unit", help="Revenue per ticket (films, default 9,000 KRW x 0.4 "
                                         "producers' share) or per month on chart (songs, "
                                         "default 20,000,000 KRW).")] = None,
          holder_share: Annotated[float, typer.Option(
              "--holder-share", help="Share of revenue paid to token holders.")] = 0.3,
          raise_amount: Annotated[float | None, typer.Option(
              "--raise-amount", help="Money raised per title (default 1e9 KRW for films, "
                                     "5e7 KRW for songs).")] = None,
          costs: Annotated[float, typer.Option("--costs", help="Fixed costs per title.")] = 0.0,
          html: Annotated[Path | None, typer.Option("--html", help="Also write an HTML "
                                                    "report.")] = None,
          as_json: JsonOpt = False) -> None:
    """Rank titles by expected return to token holders, with intervals and a risk grade."""
    from jogak.solutions.hits import InvestmentTerms, load_hit_model

    hit_model = load_hit_model(model)
    films = hit_model.kind == "films"
    terms = InvestmentTerms(
        revenue_per_unit=revenue_per_unit if revenue_per_unit is not None
        else (9_000 * 0.4 if films else 20_000_000),
        holder_share=holder_share, costs=costs,
        raise_amount=raise_amount if raise_amount is not None else (1e9 if films else 5e7),
        unit="audience" if films else "months_on_chart")
    frame = read_data(data)
    table = hit_model.board(frame, terms)
    if html is not None:
        from jogak.report._hits import hits_report

        hits_report(title=f"Investment board: {hit_model.kind}", board=table,
                    terms=terms).write(html)
    if as_json:
        echo_json({"kind": hit_model.kind, "n_titles": len(table),
                    "board": table.to_dict(orient="records")})
        if out is not None:
            write_frame(table, out)
        return
    write_frame(table, out)
    if out is not None:
        _err.print(f"Wrote the board of {len(table)} titles to {out}")
