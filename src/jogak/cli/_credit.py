"""``jogak credit``: behaviour score: scorecards, grades and policy simulation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from jogak.cli._app import app
from jogak.cli._io import read_data, write_frame
from jogak.errors import ConfigError, TargetError

__all__ = ["group"]

group = typer.Typer(help="Behaviour score: scorecards, grades and policy simulation.",
                    no_args_is_help=True)
app.add_typer(group, name="credit")

_err = Console(stderr=True)
_ENGINES = ("scorecard", "gbm")


def _bad_label(frame: pd.DataFrame, target: str, label: str | None) -> Any:
    """The target value whose text is ``label`` (CLI options are text; targets often ints)."""
    if label is None:
        return None
    if target not in frame.columns:
        return label  # the library names the missing column
    values = frame[target].dropna().unique().tolist()
    for value in values:
        if str(value) == label:
            return value
    raise TargetError(f"--bad-label {label!r} is not a value of {target!r}; it has "
                      f"{sorted(map(str, values))[:10]}.")


def _check_engine(engine: str) -> None:
    if engine not in _ENGINES:
        raise ConfigError(f"--engine must be one of {list(_ENGINES)}, got {engine!r}.")


def _split(values: str | None) -> list[str]:
    return [v.strip() for v in (values or "").split(",") if v.strip()]


@group.command()
def scorecard(
    data: Annotated[str, typer.Argument(help="A data file or 'duckdb:SELECT ...'.")],
    target: Annotated[str, typer.Option("--target", "-t", help="The 0/1 default column.")],
    out: Annotated[Path, typer.Option(help="Bundle folder to write.")] = Path("credit-model"),
    folds: Annotated[int, typer.Option(help="Cross-validation folds.")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed of the folds and the GBM.")] = 0,
    exclude: Annotated[str | None, typer.Option(help="Comma-separated columns to leave "
                                                     "out.")] = None,
    categorical: Annotated[str | None, typer.Option(help="Comma-separated numeric-coded "
                                                         "columns to bin as categories.")] = None,
    bad_label: Annotated[str | None, typer.Option(help="The target value meaning default "
                                                       "(default: 1/yes/true).")] = None,
    gbm: Annotated[bool, typer.Option(help="Also fit the monotonic GBM.")] = True,
    report: Annotated[Path | None, typer.Option(help="Also write the HTML report here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON summary on stdout.")] = False,
) -> None:
    """Fit the scorecard (and monotonic GBM), cross-validate them and write the model."""
    from jogak.solutions.credit import CreditConfig, fit_credit_model

    frame = read_data(data)
    config = CreditConfig(n_splits=folds, random_state=seed, exclude=_split(exclude),
                          categorical_features=_split(categorical), with_gbm=gbm,
                          positive_label=_bad_label(frame, target, bad_label))
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=_err, transient=True) as progress:
        task = progress.add_task("fitting", total=folds * (2 if gbm else 1) + (2 if gbm else 1))

        def update(done: int, total: int, label: str) -> None:
            progress.update(task, completed=done, total=total, description=label)

        model = fit_credit_model(frame, target, config=config, progress=update)
    path = model.save(out)
    if report is not None:
        from jogak.report._credit import credit_report

        credit_report(model).write(report)
        _err.print(f"report written to {report}")
    summary = model.summary()
    if as_json:
        typer.echo(json.dumps({"bundle": str(path), **summary}, default=float))
        return
    table = Table(title=f"{folds}-fold cross-validation ({len(frame)} rows, "
                        f"bad rate {model.bad_rate:.1%})")
    for column in ("engine", "AUC", "Gini", "KS", "Brier", "calibration slope"):
        table.add_column(column)
    for engine, result in summary["engines"].items():
        cv = result["cv"]
        table.add_row(engine, f"{cv['auc']['mean']:.4f} ± {cv['auc']['std']:.4f}",
                      f"{cv['gini']['mean']:.4f}", f"{cv['ks']['mean']:.4f}",
                      f"{result['calibration']['brier']:.4f}",
                      f"{result['calibration']['slope']:.3f}")
    _err.print(table)
    grades = Table(title="scorecard grades (out-of-fold)")
    for column in ("grade", "score from", "share", "bad rate", "target"):
        grades.add_column(column)
    for row in summary["engines"]["scorecard"]["grades"]:
        target_rate = row["target_bad_rate"]
        grades.add_row(row["grade"], f"{row['min_score']:.1f}", f"{row['share']:.1%}",
                       f"{row['bad_rate']:.1%}",
                       "-" if target_rate is None or target_rate != target_rate
                       else f"<= {target_rate:.1%}")
    _err.print(grades)
    _err.print(f"{len(summary['features'])} features in the scorecard; model written to "
               f"[bold]{path}[/bold]")


@group.command()
def grade(
    model: Annotated[Path, typer.Argument(help="A credit model bundle folder.")],
    data: Annotated[str, typer.Argument(help="A data file or 'duckdb:SELECT ...'.")],
    out: Annotated[Path | None, typer.Option(help="Output file (.csv, .parquet, .jsonl); "
                                                  "stdout CSV without it.")] = None,
    engine: Annotated[str, typer.Option(help="scorecard or gbm.")] = "scorecard",
    reasons: Annotated[int, typer.Option(help="Reason codes per row.")] = 3,
    keep: Annotated[str | None, typer.Option(help="Comma-separated input columns to copy "
                                                  "first (e.g. an id).")] = None,
    with_pd: Annotated[bool, typer.Option("--with-pd", help="Add the probability of "
                                                            "default.")] = False,
) -> None:
    """Score and grade every row: score (higher = lower risk), grade and reasons, in order."""
    from jogak.solutions.credit import grade_stability, load_credit_model

    _check_engine(engine)
    fitted = load_credit_model(model)
    frame = read_data(data)
    kept = _split(keep)
    missing = [c for c in kept if c not in frame.columns]
    if missing:
        raise ConfigError(f"--keep names column(s) {missing} that are not in the data.")
    graded = fitted.grade(frame, engine=engine, n_reasons=reasons)  # type: ignore[arg-type]
    columns = ["score", "grade", "reasons"] + (["pd"] if with_pd else [])
    result = pd.concat([frame[kept].reset_index(drop=True),
                        graded[columns].reset_index(drop=True)], axis=1)
    write_frame(result, out)
    scale = fitted.grade_scales[engine]
    stability = grade_stability(scale.shares, graded["grade"], scale.labels)
    shares = graded["grade"].value_counts(normalize=True).reindex(scale.labels, fill_value=0.0)
    _err.print("grades: " + ", ".join(f"{g} {s:.1%}" for g, s in shares.items())
               + f" | PSI vs development {stability.psi:.3f} ({stability.level})")
    if out is not None:
        _err.print(f"{len(result)} rows written to {out}")


@group.command()
def policy(
    model: Annotated[Path, typer.Argument(help="A credit model bundle folder.")],
    data: Annotated[str, typer.Argument(help="A data file or 'duckdb:SELECT ...'.")],
    grace_days: Annotated[int, typer.Option(help="Days of service before suspension.")],
    grace_grades: Annotated[str | None, typer.Option(help="Comma-separated grades that get "
                                                          "grace (default: the better half)."
                                                     )] = None,
    amount_column: Annotated[str | None, typer.Option(help="Column with the amount due "
                                                           "(default: the layout's).")] = None,
    engine: Annotated[str, typer.Option(help="scorecard or gbm.")] = "scorecard",
    recovery_if_suspended: Annotated[float, typer.Option(help="Share of a defaulter's debt "
                                                              "recovered after suspension."
                                                         )] = 0.5,
    recovery_if_grace: Annotated[float, typer.Option(help="Share recovered after a grace "
                                                          "period.")] = 0.4,
    attrition_if_suspended: Annotated[float, typer.Option(help="Share of good customers lost "
                                                               "when suspended.")] = 0.10,
    attrition_if_grace: Annotated[float, typer.Option(help="Share of good customers lost with "
                                                           "grace.")] = 0.01,
    usage_per_day: Annotated[float, typer.Option(help="Unpaid usage per grace day, as a share "
                                                      "of the monthly amount.")] = 1 / 30,
    value_months: Annotated[float, typer.Option(help="Value of a good customer in months of "
                                                     "their amount due.")] = 6.0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Compare suspension at once, grace for all and grace for good grades, side by side."""
    from jogak.solutions.credit import PolicyAssumptions, load_credit_model

    _check_engine(engine)
    assumptions = PolicyAssumptions(
        recovery_if_suspended=recovery_if_suspended, recovery_if_grace=recovery_if_grace,
        attrition_if_suspended=attrition_if_suspended, attrition_if_grace=attrition_if_grace,
        usage_per_day=usage_per_day, good_customer_value_months=value_months)
    fitted = load_credit_model(model)
    frame = read_data(data)
    chosen = _split(grace_grades) if grace_grades is not None else None
    result = fitted.policy(frame, grace_days=grace_days, grace_grades=chosen,
                           amount_column=amount_column, assumptions=assumptions,
                           engine=engine)  # type: ignore[arg-type]
    if as_json:
        typer.echo(json.dumps(result.to_dict()))
        return
    table = Table(title=f"policies, {grace_days} grace days ({len(frame)} customers)")
    shown = ["policy", "n_grace", "n_suspended", "expected_recovered", "expected_bad_debt",
             "avoided_bad_debt", "expected_lost_good_customers", "net_benefit"]
    for column in shown:
        table.add_column(column)
    for _, row in result.table.iterrows():
        table.add_row(*[str(row[c]) if isinstance(row[c], str | int) else f"{row[c]:,.1f}"
                        for c in shown])
    _err.print(table)
    _err.print(f"best by net benefit: [bold]{result.best}[/bold]")
