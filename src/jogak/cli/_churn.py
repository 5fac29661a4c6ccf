"""``jogak churn``: subscription churn: multi-table features, training and campaign targeting."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from jogak.cli._app import app
from jogak.cli._io import echo_json, read_data, write_frame
from jogak.errors import ConfigError, TargetError

__all__ = ["group"]

group = typer.Typer(help="Subscription churn: multi-table features, training and campaign "
                         "targeting.", no_args_is_help=True)
app.add_typer(group, name="churn")

_err = Console(stderr=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]






def _table(frame: pd.DataFrame, title: str) -> Table:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column))
    for row in frame.itertuples(index=False):
        table.add_row(*[f"{v:.4g}" if isinstance(v, float) else str(v) for v in row])
    return table


@group.command()
def features(
    spec_or_preset: Annotated[str, typer.Argument(help="A spec file (.json/.yaml) or the "
                                                       "preset 'kkbox'.")],
    out: Annotated[Path, typer.Option("--out", help="Output file (.parquet, .csv, ...).")],
    engine: Annotated[str, typer.Option(help="duckdb (default) or spark.")] = "duckdb",
    cutoff: Annotated[str | None, typer.Option(help="Last day whose events count (YYYY-MM-DD); "
                                                    "default: the latest event.")] = None,
    data: Annotated[Path, typer.Option("--data", help="kkbox: the folder with members, "
                                                      "transactions, user_logs (and train).")
                    ] = Path("."),
    clean: Annotated[bool, typer.Option(help="kkbox: apply S3's cleaning (ages, "
                                             "categories).")] = True,
    as_json: JsonOpt = False,
) -> None:
    """Build one row of features per entity, point in time, on DuckDB or Spark."""
    from jogak.data.aggregate import FeatureSpec, build_features

    if engine not in ("duckdb", "spark"):
        raise ConfigError(f"--engine must be duckdb or spark, got {engine!r}.")
    preset = spec_or_preset.lower() == "kkbox"
    if preset:
        from jogak.solutions.churn import clean_kkbox_features, kkbox_spec

        spec = kkbox_spec(data)
    else:
        spec = FeatureSpec.from_file(spec_or_preset)
    streaming = not preset or not clean
    with _err.status(f"Building features on {engine} ..."):
        result = build_features(spec, cutoff=cutoff, engine=engine,  # type: ignore[arg-type]
                                out=out if streaming and engine == "duckdb" else None)
    summary = result.summary()
    if result.frame is not None:
        frame = result.frame
        if preset and clean:
            frame, cleaning = clean_kkbox_features(frame)
            summary["cleaning"] = cleaning.to_dict(orient="records")
        write_frame(frame, out)
        summary["path"] = str(out)
    if as_json:
        echo_json(summary)
        return
    _err.print(f"{summary['n_rows']:,} rows × {summary['n_features']} features "
               f"(cutoff {summary['cutoff'] or 'per entity'}, {engine}) → {out}")
    if len(result.repairs):
        _err.print(_table(result.repairs, "Repairs"))
    if summary.get("cleaning"):
        cleaning = pd.DataFrame(summary["cleaning"])
        _err.print(_table(cleaning[cleaning["n_rows"] > 0], "Cleaning"))


@group.command("train")
def train_command(
    data: Annotated[str, typer.Argument(help="Feature table (file or 'duckdb:SELECT ...').")],
    target: Annotated[str, typer.Option("--target", "-t", help="The churn column (0/1 or "
                                                               "Yes/No).")],
    out: Annotated[Path, typer.Option("--out", help="Model bundle folder to write.")],
    trials: Annotated[int | None, typer.Option(help="AutoML trials (reproducible).")] = 20,
    budget: Annotated[float | None, typer.Option(help="Seconds of search instead of "
                                                      "--trials.")] = None,
    id_column: Annotated[list[str] | None, typer.Option("--id-column", help="Identifier "
                                                        "columns to leave out.")] = None,
    time_column: Annotated[str | None, typer.Option(help="With --valid-from: train on rows "
                                                         "before it, score the rest.")] = None,
    valid_from: Annotated[str | None, typer.Option(help="First time (e.g. cohort 2017-03) of "
                                                        "the holdout.")] = None,
    calibration: Annotated[str, typer.Option(help="sigmoid, isotonic or none.")] = "sigmoid",
    recall_target: Annotated[float, typer.Option(help="Recall of the recall-first point.")
                             ] = 0.95,
    precision_target: Annotated[float, typer.Option(help="Precision of the precision-first "
                                                         "point.")] = 0.8,
    cv: Annotated[int, typer.Option(help="Folds.")] = 5,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    as_json: JsonOpt = False,
) -> None:
    """Train a calibrated churn model with recall-first and precision-first thresholds."""
    from jogak.solutions.churn import ChurnClassifier, evaluate_holdout, time_split

    if calibration not in ("sigmoid", "isotonic", "none"):
        raise ConfigError(f"--calibration must be sigmoid, isotonic or none, got "
                          f"{calibration!r}.")
    frame = read_data(data)
    if target not in frame.columns:
        raise TargetError(f"Target column {target!r} is not in the data; columns are "
                          f"{list(frame.columns)[:30]}.")
    if (time_column is None) != (valid_from is None):
        raise ConfigError("--time-column and --valid-from go together (a time-based holdout).")
    holdout = None
    if time_column is not None:
        frame, holdout = time_split(frame, time_column=time_column, valid_from=valid_from)
        frame, holdout = frame.drop(columns=[time_column]), holdout.drop(columns=[time_column])
    X, y = frame.drop(columns=[target]), frame[target]
    model = ChurnClassifier(n_trials=None if budget else trials, time_budget=budget, cv=cv,
                            exclude_columns=tuple(id_column or ()),
                            calibration=calibration,  # type: ignore[arg-type]
                            recall_target=recall_target, precision_target=precision_target,
                            random_state=seed)
    with _err.status("Searching models and calibrating ..."):
        model.fit(X, y)
    path = model.save(out)
    summary = {**model.summary(), "path": str(path)}
    if holdout is not None:
        summary["holdout"] = evaluate_holdout(model, holdout.drop(columns=[target]),
                                              holdout[target])
    if as_json:
        echo_json(summary)
        return
    auc = summary["cv"].get("roc_auc", {})
    _err.print(f"CV AUC {auc.get('mean', float('nan')):.4f} ± {auc.get('std', float('nan')):.4f}"
               f"; Brier {model.calibration_['brier_raw']:.4f} → "
               f"{model.calibration_['brier_calibrated']:.4f} ({calibration}); model → {path}")
    if holdout is not None:
        later = summary["holdout"]
        _err.print(f"Holdout from {valid_from}: {later['n_rows']:,} rows, AUC "
                   f"{later['roc_auc']:.4f}, churn rate {later['churn_rate']:.3f} vs mean "
                   f"probability {later['mean_probability']:.3f}")
    points = pd.DataFrame([p.to_dict() for p in model.operating_points_.values()])
    _err.print(_table(points[["name", "threshold", "precision", "recall", "flagged_share"]],
                      "Operating points"))


@group.command()
def target(
    model_path: Annotated[Path, typer.Argument(metavar="MODEL", help="Churn model bundle.")],
    data: Annotated[str, typer.Argument(help="Customers to score (file or 'duckdb:...').")],
    budget: Annotated[int, typer.Option("--budget", help="Customers to contact at most.")],
    out: Annotated[Path, typer.Option("--out", help="Target list (.csv, .parquet, ...).")],
    id_column: Annotated[str | None, typer.Option(help="Customer id column (default: the "
                                                       "first column).")] = None,
    operating_point: Annotated[str | None, typer.Option(help="Only customers flagged at "
                                                             "recall_first or "
                                                             "precision_first.")] = None,
    reasons: Annotated[int, typer.Option(help="Reasons per customer.")] = 3,
    customer_value: Annotated[float | None, typer.Option(help="Adds value at risk.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the customers to contact first, with their top churn reasons in words."""
    from jogak.solutions.churn import load_churn_model, target_list

    model = load_churn_model(model_path)
    frame = read_data(data)
    key = id_column or str(frame.columns[0])
    with _err.status("Scoring and explaining ..."):
        targets = target_list(model, frame, id_column=key, budget=budget,
                              operating_point=operating_point, n_reasons=reasons,
                              customer_value=customer_value)
    write_frame(targets, out)
    payload = {"n_targeted": len(targets), "n_customers": len(frame), "path": str(out),
               "mean_probability": float(targets["churn_probability"].mean())
               if len(targets) else None}
    if as_json:
        echo_json(payload)
        return
    _err.print(f"{len(targets):,} of {len(frame):,} customers → {out}")
    if len(targets):
        _err.print(_table(targets.head(5)[["rank", key, "churn_probability", "reason_1"]],
                          "Top of the list"))


@group.command()
def simulate(
    model_path: Annotated[Path, typer.Argument(metavar="MODEL", help="Churn model bundle.")],
    data: Annotated[str, typer.Argument(help="Customers to score.")],
    contact_cost: Annotated[float, typer.Option(help="Cost per contacted customer.")],
    offer_cost: Annotated[float, typer.Option(help="Cost per redeemed offer.")],
    customer_value: Annotated[float, typer.Option(help="Value of a kept customer.")],
    uplift: Annotated[float, typer.Option(help="Share of targeted churners kept (0-1).")],
    segment: Annotated[str | None, typer.Option(help="Segment column.")] = None,
    out: Annotated[Path | None, typer.Option(help="Write the full table here.")] = None,
    html: Annotated[Path | None, typer.Option(help="Also write an HTML report.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Saved customers, cost, profit and ROI by threshold (and segment) of a campaign."""
    from jogak.solutions.churn import (
        CampaignEconomics,
        best_thresholds,
        load_churn_model,
        simulate_campaign,
    )

    economics = CampaignEconomics(contact_cost=contact_cost, offer_cost=offer_cost,
                                  customer_value=customer_value, uplift=uplift)
    model = load_churn_model(model_path)
    frame = read_data(data)
    if segment is not None and segment not in frame.columns:
        raise ConfigError(f"No segment column {segment!r}; columns are "
                          f"{list(frame.columns)[:20]}.")
    proba = model.predict_proba(frame)[:, 1]
    table = simulate_campaign(proba, economics,
                              segments=None if segment is None else frame[segment])
    best = best_thresholds(table)
    if out is not None:
        write_frame(table, out)
    if html is not None:
        from jogak.report._churn import campaign_report

        campaign_report(table, model=model).write(html)
    if as_json:
        echo_json({"best": best.to_dict(orient="records"), "n_customers": len(frame)})
        return
    _err.print(_table(best[["segment", "threshold", "n_targeted", "saved", "cost", "profit",
                            "roi"]], "Most profitable threshold"))
