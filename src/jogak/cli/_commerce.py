"""``jogak commerce``: the e-commerce data standard: spec, validate, RFM, CLV, repurchase."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, cast

import pandas as pd
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from jogak.cli._app import app
from jogak.cli._io import echo_json, read_data, write_frame
from jogak.errors import ConfigError

__all__ = ["group"]

group = typer.Typer(help="The e-commerce data standard: spec, validate, RFM, CLV, repurchase.",
                    no_args_is_help=True)
app.add_typer(group, name="commerce")

_err = Console(stderr=True)

TableOpt = Annotated[str, typer.Option("--table", help="Standard table: buyer, behaviour or "
                                                       "product.")]
CustomerOpt = Annotated[str, typer.Option("--customer-col", help="Customer id column.")]
DateOpt = Annotated[str, typer.Option("--date-col", help="Purchase date column (ISO 8601 or "
                                                         "YYYYMMDD).")]
AmountOpt = Annotated[str, typer.Option("--amount-col", help="Purchase amount column.")]
OrderOpt = Annotated[str | None, typer.Option("--order-col", help="Order id column: frequency "
                                                                  "counts orders, not days.")]
OutOpt = Annotated[Path, typer.Option("--out", help="Output file (.csv, .csv.gz, .parquet, "
                                                    ".jsonl).")]
KeyOpt = Annotated[Path | None, typer.Option("--key-file", help="Replace customer ids in the "
                                                                "output by HMAC tokens made "
                                                                "with this key.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
HtmlOpt = Annotated[Path | None, typer.Option("--html", help="Also write an HTML report.")]






def _tokenizer(key_file: Path | None) -> Any:
    """Read the key first, so that a bad key fails before any work or output."""
    if key_file is None:
        return None
    from jogak.data.privacy import PseudonymKey, Tokenizer

    return Tokenizer(PseudonymKey.from_file(key_file))


def _pseudonymise(frame: pd.DataFrame, column: str, tokenizer: Any) -> pd.DataFrame:
    if tokenizer is None:
        return frame
    from jogak.data.privacy import PiiKind

    return frame.assign(**{column: tokenizer.tokenize(frame[column].astype("str"),
                                                      PiiKind.ACCOUNT_ID)})


def _check_outputs(*paths: Path | None) -> None:
    for path in paths:
        if path is not None and path.exists() and path.is_dir():
            raise ConfigError(f"{str(path)!r} is a folder; give a file name to write.")


def _write_html(report: Any, path: Path) -> None:
    report.write(path)
    _err.print(f"HTML report written to [bold]{escape(str(path))}[/bold]")


@group.command()
def spec(
    fmt: Annotated[str, typer.Option("--format", help="md, html or json (JSON Schema).")] = "md",
    table: Annotated[str | None, typer.Option("--table", help="Only this table.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write here instead of stdout.")
                   ] = None,
) -> None:
    """Print the standard as Markdown, HTML or JSON Schema."""
    from jogak.solutions.commerce import get_table, spec_json_schema, spec_markdown

    if fmt not in ("md", "html", "json"):
        raise ConfigError(f"--format must be md, html or json, got {fmt!r}.")
    if table is not None:
        get_table(table)
    if fmt == "html":
        from jogak.report._commerce import spec_report

        if table is not None:
            raise ConfigError("--format html always shows the whole standard; drop --table.")
        report = spec_report()
        if out is None:
            typer.echo(report.to_html())
        else:
            _write_html(report, out)
        return
    text = spec_markdown(table) if fmt == "md" else json.dumps(spec_json_schema(table),
                                                                indent=2, ensure_ascii=False)
    if out is None:
        typer.echo(text)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(text + "\n", encoding="utf-8")
    os.replace(partial, out)
    _err.print(f"spec written to [bold]{escape(str(out))}[/bold]")


@group.command()
def validate(
    data: Annotated[str, typer.Argument(help="A data file, 'duckdb:SELECT ...', or the Olist "
                                             "folder with --mapping olist.")],
    table: TableOpt,
    mapping: Annotated[str | None, typer.Option("--mapping", help="A mapping file (.yaml, "
                                                                  ".json) or a built-in adapter: "
                                                                  "olist, cdnow.")] = None,
    samples: Annotated[int, typer.Option("--samples", help="Failing rows shown per rule.")] = 5,
    batch_size: Annotated[int | None, typer.Option(
        "--batch-size", help="Stream the file in batches of this many rows (big files).")
    ] = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
) -> None:
    """Check a table against the standard; exit 1 when a rule fails."""
    from jogak.solutions.commerce import validate_file, validate_source

    _check_outputs(html)
    if batch_size is None:
        report = validate_source(data, table, mapping=mapping, n_samples=samples)
    else:
        report = validate_file(data, table, mapping=mapping, batch_size=batch_size,
                               n_samples=samples)
    if html is not None:
        from jogak.report._commerce import validation_report

        _write_html(validation_report(report, source=Path(data).name), html)
    if as_json:
        echo_json(report.to_dict())
    else:
        _render_validation(report)
    if not report.passed:
        raise typer.Exit(1)


@group.command()
def prepare(
    data: Annotated[str, typer.Argument(help="A CSV/TSV (.gz) or Parquet file in the "
                                             "standard's columns.")],
    table: TableOpt,
    key_file: Annotated[Path, typer.Option("--key-file", help="Secret key for the HMAC "
                                                              "tokens (kept apart from data).")],
    out: Annotated[Path, typer.Option("--out", help="Output file (.parquet or .csv).")],
    record: Annotated[Path | None, typer.Option("--record", help="Write the processing record "
                                                                 "(JSON) here.")] = None,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Rows per batch.")] = 250_000,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
) -> None:
    """Pseudonymise the direct identifiers and validate, in one streaming pass; exit 1 when a
    rule fails (the pseudonymised file is written either way)."""
    from jogak.data.privacy import PseudonymKey
    from jogak.solutions.commerce import prepare_file

    _check_outputs(out, html, record)
    key = PseudonymKey.from_file(key_file)
    prepared = prepare_file(data, out, table=table, key=key, batch_size=batch_size)
    if record is not None:
        prepared.record.write(record)
    if html is not None:
        from jogak.report._commerce import validation_report

        _write_html(validation_report(prepared.report, source=out.name), html)
    if as_json:
        echo_json({"out": str(out), "record": prepared.record.to_dict(),
                    **prepared.report.to_dict()})
    else:
        _render_validation(prepared.report)
        _err.print(f"pseudonymised table written to [bold]{escape(str(out))}[/bold] (key id "
                   f"{prepared.record.key_id})")
    if not prepared.report.passed:
        raise typer.Exit(1)


def _render_validation(report: Any) -> None:
    verdict = "[green]passed[/]" if report.passed else \
        f"[bold red]{len(report.failures)} rule(s) failed[/]"
    _err.print(f"{report.table} table, {report.n_rows:,} rows, standard "
               f"{report.standard_version}: {verdict}")
    table = Table()
    for column in ("rule", "status", "failures", "share", "how to fix"):
        table.add_column(column, overflow="fold")
    for result in report.results:
        if result.status == "passed":
            continue
        style = "red" if result.status == "failed" else "dim"
        table.add_row(escape(result.rule.id), f"[{style}]{result.status}[/]",
                      f"{result.n_failed:,}", f"{result.share:.2%}",
                      escape(result.rule.hint) if result.status == "failed" else "")
    if table.row_count:
        _err.print(table)
    for result in report.failures:
        if not result.samples.empty:
            _err.print(f"[bold]{escape(result.rule.id)}[/] sample rows:")
            _err.print(escape(result.samples.to_string(index=False, max_colwidth=40)))


@group.command()
def rfm(
    data: Annotated[str, typer.Argument(help="Transactions: a data file or 'duckdb:SELECT ...'.")],
    customer_col: CustomerOpt,
    date_col: DateOpt,
    amount_col: AmountOpt,
    out: OutOpt,
    order_col: OrderOpt = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Day recency is measured to "
                                                              "(default: the day after the last "
                                                              "date).")] = None,
    key_file: KeyOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
) -> None:
    """Recency, frequency, monetary value, quintile scores and segment per customer."""
    from jogak.solutions.commerce import SEGMENTS
    from jogak.solutions.commerce import rfm as rfm_table

    _check_outputs(out, html)
    tokenizer = _tokenizer(key_file)
    result = rfm_table(read_data(data), customer_col=customer_col, date_col=date_col,
                       amount_col=amount_col, order_col=order_col, as_of=as_of)
    segments = result["segment"].value_counts().reindex(list(SEGMENTS), fill_value=0)
    if html is not None:
        from jogak.report._commerce import rfm_report

        _write_html(rfm_report(result), html)
    write_frame(_pseudonymise(result, customer_col, tokenizer), out)
    summary = {"out": str(out), "n_customers": len(result),
               "segments": {k: int(v) for k, v in segments.items()}}
    if as_json:
        echo_json(summary)
        return
    table = Table(title=f"RFM segments of {len(result):,} customers")
    table.add_column("segment")
    table.add_column("customers", justify="right")
    for name, count in segments.items():
        table.add_row(escape(name), f"{count:,}")
    _err.print(table)
    _err.print(f"written to [bold]{escape(str(out))}[/bold]")


@group.command()
def clv(
    data: Annotated[str, typer.Argument(help="Transactions: a data file or 'duckdb:SELECT ...'.")],
    customer_col: CustomerOpt,
    date_col: DateOpt,
    amount_col: AmountOpt,
    out: OutOpt,
    calibration_end: Annotated[str | None, typer.Option(
        "--calibration-end", help="Last day of calibration; later purchases are the holdout.")
    ] = None,
    observation_end: Annotated[str | None, typer.Option(
        "--observation-end", help="Last day observed (default: the last date).")] = None,
    horizon_days: Annotated[int, typer.Option("--horizon-days", help="Forecast horizon "
                                                                     "without a holdout.")
                            ] = 365,
    months: Annotated[int, typer.Option("--months", help="CLV horizon in months.")] = 12,
    discount_rate: Annotated[float, typer.Option("--discount-rate", help="Monthly discount "
                                                                         "rate.")] = 0.01,
    time_unit: Annotated[str, typer.Option("--time-unit", help="day or week (unit of recency, "
                                                              "T and alpha).")] = "day",
    key_file: KeyOpt = None,
    as_json: JsonOpt = False,
    html: HtmlOpt = None,
) -> None:
    """BG/NBD + Gamma-Gamma: expected purchases, spend and lifetime value per customer."""
    from jogak.solutions.commerce import customer_value

    _check_outputs(out, html)
    tokenizer = _tokenizer(key_file)
    frame = read_data(data)
    with _err.status("fitting BG/NBD and Gamma-Gamma"):
        result = customer_value(frame, customer_col=customer_col, date_col=date_col,
                                amount_col=amount_col, calibration_end=calibration_end,
                                observation_end=observation_end, horizon_days=horizon_days,
                                months=months, discount_rate=discount_rate,
                                time_unit=cast(Any, time_unit))
    if html is not None:
        from jogak.report._commerce import clv_report

        _write_html(clv_report(result), html)
    write_frame(_pseudonymise(result.customers.reset_index(), customer_col, tokenizer), out)
    summary = {"out": str(out), **result.to_dict()}
    if as_json:
        echo_json(summary)
        return
    table = Table(title="BG/NBD and Gamma-Gamma parameters")
    table.add_column("model")
    table.add_column("parameters")
    table.add_row("BG/NBD", ", ".join(f"{k}={v:.4g}" for k, v in result.bgnbd.params_.items()))
    table.add_row("Gamma-Gamma", ", ".join(f"{k}={v:.4g}"
                                           for k, v in result.gamma_gamma.params_.items()))
    _err.print(table)
    if "holdout_mae" in result.metrics:
        m = result.metrics
        _err.print(f"holdout: predicted {m['holdout_predicted_total']:,.0f} purchases, actual "
                   f"{m['holdout_actual_total']:,.0f}; per customer MAE {m['holdout_mae']:.3f}, "
                   f"RMSE {m['holdout_rmse']:.3f}")
    _err.print(f"written to [bold]{escape(str(out))}[/bold]")


@group.command()
def repurchase(
    data: Annotated[str, typer.Argument(help="Transactions: a data file or 'duckdb:SELECT ...'.")],
    customer_col: CustomerOpt,
    date_col: DateOpt,
    amount_col: AmountOpt,
    out: OutOpt,
    order_col: OrderOpt = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Scoring day (default: the day "
                                                              "after the last date).")] = None,
    horizon_days: Annotated[int, typer.Option("--horizon-days", help="Buy again within this "
                                                                     "many days.")] = 90,
    trials: Annotated[int | None, typer.Option("--trials", help="AutoML trials (reproducible)."
                                               )] = 20,
    budget: Annotated[float | None, typer.Option("--budget", help="AutoML seconds (instead of "
                                                                  "--trials).")] = None,
    models: Annotated[str | None, typer.Option("--models", help="Comma-separated model "
                                                                "families.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    key_file: KeyOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Probability that each customer buys again within the horizon (AutoML)."""
    from jogak.cli._models import search_progress
    from jogak.solutions.commerce import repurchase_model

    _check_outputs(out)
    tokenizer = _tokenizer(key_file)
    frame = read_data(data)
    n_trials = None if budget is not None else trials
    with search_progress(_err, total=budget if budget is not None else float(trials or 1),
                         metric="roc_auc", greater=True) as callback:
        result = repurchase_model(frame, customer_col=customer_col, date_col=date_col,
                                  amount_col=amount_col, order_col=order_col, as_of=as_of,
                                  horizon_days=horizon_days, n_trials=n_trials,
                                  time_budget=budget,
                                  include_models=tuple(models.split(",")) if models else None,
                                  random_state=seed, callbacks=(callback,))
    write_frame(_pseudonymise(result.scores, customer_col, tokenizer), out)
    summary = {"out": str(out), **result.metrics}
    if as_json:
        echo_json(summary)
        return
    m = result.metrics
    _err.print(f"trained at {m['train_cutoff']} ({m['n_train']:,} customers, "
               f"{m['train_base_rate']:.1%} bought again within {m['horizon_days']} days); "
               f"CV ROC AUC {m['cv']['roc_auc']['mean']:.3f}")
    if "holdout_roc_auc" in m:
        _err.print(f"out-of-time check from {m['as_of']}: ROC AUC {m['holdout_roc_auc']:.3f}, "
                   f"log loss {m['holdout_log_loss']:.3f}")
    _err.print(f"{m['n_scored']:,} customers scored; written to [bold]{escape(str(out))}[/bold]")
