"""``jogak markets``: market data: forecasts, backtests, risk and news sentiment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from jogak.cli._app import app
from jogak.cli._io import echo_json, write_frame
from jogak.errors import ConfigError

__all__ = ["group"]

group = typer.Typer(help="Market data: forecasts, backtests, risk and news sentiment.",
                    no_args_is_help=True)
app.add_typer(group, name="markets")

_err = Console(stderr=True)

DataArg = Annotated[str, typer.Argument(help="OHLCV file (any supported format) or "
                                             "duckdb:SELECT ...")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object on stdout.")]
PeriodsOpt = Annotated[float | None, typer.Option(
    "--periods-per-year", help="Annualisation factor (365 crypto daily, 252 stocks daily); "
                               "inferred from the bar spacing when omitted.")]






def _show(title: str, metrics: dict[str, Any]) -> None:
    _err.print(f"[bold]{title}[/bold]")
    for key, value in metrics.items():
        if isinstance(value, dict):
            continue
        shown = f"{value:.6g}" if isinstance(value, float) else str(value)
        _err.print(f"  {key:<24} {shown}")


@group.command()
def backtest(
    data: DataArg,
    strategy: Annotated[str, typer.Option(
        "--strategy", help="sma_cross, or model:PATH (a forecaster saved by "
                           "'jogak markets forecast --save PATH').")] = "sma_cross",
    fast: Annotated[int, typer.Option("--fast", help="Fast SMA window (sma_cross).")] = 10,
    slow: Annotated[int, typer.Option("--slow", help="Slow SMA window (sma_cross).")] = 30,
    fee: Annotated[float, typer.Option("--fee", help="Proportional fee per side "
                                                     "(0.001 = 0.1 %).")] = 0.0,
    slippage: Annotated[float, typer.Option("--slippage", help="Proportional slippage per "
                                                               "side.")] = 0.0,
    sizing: Annotated[str, typer.Option("--sizing", help="full (all equity) or risk (2 % x "
                                                         "confidence, at most 5 %).")] = "full",
    capital: Annotated[float, typer.Option("--capital", help="Initial capital.")] = 10_000.0,
    short: Annotated[bool, typer.Option("--short", help="sma_cross: short instead of flat "
                                                        "below the slow average.")] = False,
    periods_per_year: PeriodsOpt = None,
    report: Annotated[Path | None, typer.Option("--report", help="Also write an HTML report "
                                                                  "(equity, drawdown, VaR/ES)."
                                                )] = None,
    as_json: JsonOpt = False,
) -> None:
    """Backtest a strategy with next-open fills, beside buy-and-hold after the same costs."""
    from jogak.solutions.markets import backtest_source

    if sizing not in ("full", "risk"):
        raise ConfigError(f"--sizing must be 'full' or 'risk', got {sizing!r}.")
    run = backtest_source(data, strategy=strategy, fast=fast, slow=slow, fee=fee,
                          slippage=slippage, sizing=sizing,  # type: ignore[arg-type]
                          capital=capital, allow_short=short, periods_per_year=periods_per_year)
    if report is not None:
        from jogak.report._markets import backtest_report

        backtest_report(run.result, title=f"Backtest: {run.description}",
                        description=f"{data}", repair=run.repair).write(report)
    payload = {**run.result.to_dict(), "strategy": run.description,
               "repairs": run.repair.to_dict()}
    if as_json:
        echo_json(payload)
    else:
        _show(f"{run.description} on {data}", run.result.strategy.metrics)
        _show("buy and hold", run.result.buy_and_hold.metrics)
    if report is not None:
        _err.print(f"report written: {report}")


@group.command()
def risk(
    data: DataArg,
    periods_per_year: PeriodsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Risk of holding the asset: VaR/ES (historical, normal, Cornish-Fisher), drawdown, ratios."""
    from jogak.solutions.markets import asset_risk

    payload = asset_risk(data, periods_per_year=periods_per_year)
    if as_json:
        echo_json(payload)
    else:
        _show(f"risk of holding {data}", payload)


@group.command()
def forecast(
    data: DataArg,
    models: Annotated[str, typer.Option(
        "--models", help="Comma-separated: persistence, drift, linear, lightgbm, xgboost, "
                         "random_forest, lstm, ensemble_fixed, ensemble_learned.")] = (
        "persistence,drift,linear,lightgbm,xgboost,random_forest,lstm,ensemble_fixed,"
        "ensemble_learned"),
    horizon: Annotated[int, typer.Option("--horizon", help="Bars ahead.")] = 1,
    target: Annotated[str, typer.Option("--target", help="Errors reported on: return, price "
                                                         "or direction.")] = "return",
    features: Annotated[str, typer.Option("--features", help="indicators or alpha158."
                                          )] = "indicators",
    splits: Annotated[int, typer.Option("--splits", help="Walk-forward test blocks.")] = 5,
    mode: Annotated[str, typer.Option("--mode", help="expanding or rolling.")] = "expanding",
    train_size: Annotated[int | None, typer.Option("--train-size", help="Rows per rolling "
                                                                        "window.")] = None,
    gap: Annotated[int | None, typer.Option("--gap", help="Rows between train and test "
                                                          "(default horizon - 1).")] = None,
    epochs: Annotated[int, typer.Option("--epochs", help="LSTM epochs.")] = 10,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    save: Annotated[Path | None, typer.Option("--save", help="Fit --save-model on the bars up "
                                                             "to --train-until and save it here."
                                              )] = None,
    save_model: Annotated[str, typer.Option("--save-model")] = "ensemble_fixed",
    train_until: Annotated[str | None, typer.Option("--train-until", help="Last date the "
                                                                          "saved model learns "
                                                                          "from.")] = None,
    predictions: Annotated[Path | None, typer.Option(
        "--predictions", help="Also write the out-of-sample predictions (timestamp, actual, "
                              "close, fold, one column per model) to this CSV, e.g. for the "
                              "dashboard's Markets page.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Walk-forward forecasts of the next return: every model against persistence."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from jogak.solutions.markets import forecast_source

    names = [m.strip() for m in models.split(",") if m.strip()]
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=_err, transient=True) as bar:
        task = bar.add_task("walk-forward", total=None)
        run = forecast_source(
            data, models=names, horizon=horizon, target=target,  # type: ignore[arg-type]
            features=features, n_splits=splits, mode=mode,  # type: ignore[arg-type]
            train_size=train_size, gap=gap, lstm_epochs=epochs, random_state=seed, save=save,
            save_model=save_model, train_until=train_until,
            progress=lambda message: bar.update(task, description=message))
    payload = {**run.result.to_dict(), "repairs": run.repair.to_dict(),
               "saved": None if run.saved is None else str(run.saved)}
    if predictions is not None:
        write_frame(run.result.predictions.rename_axis("timestamp").reset_index(), predictions)
        payload["predictions"] = str(predictions)
    if as_json:
        echo_json(payload)
        return
    from rich.table import Table

    table = Table(title=f"walk-forward on {data}")
    columns = ["mae_ratio", "mae", "r2", "mape", "directional_accuracy", "p_value"]
    table.add_column("model")
    for column in columns:
        table.add_column(column, justify="right")
    for name, row in run.result.metrics.iterrows():
        table.add_row(str(name), *(f"{row[c]:.4g}" if c in row and row[c] == row[c] else "-"
                                   for c in columns))
    _err.print(table)
    if run.saved is not None:
        _err.print(f"model saved: {run.saved}")


sentiment = typer.Typer(help="News sentiment: train on labelled sentences, score headlines.",
                        no_args_is_help=True)
group.add_typer(sentiment, name="sentiment")


@sentiment.command("train")
def sentiment_train(
    data: Annotated[str, typer.Argument(help="Labelled sentences (e.g. Financial PhraseBank's "
                                             "sentences_50agree.csv.gz).")],
    text: Annotated[str, typer.Option("--text", help="Text column.")] = "sentence",
    label: Annotated[str, typer.Option("--label", help="Label column: negative, neutral, "
                                                       "positive.")] = "label",
    model: Annotated[str, typer.Option("--model", help="tfidf, embedding, stacked, tuned "
                                                       "(MiniLM, top layers fine-tuned) or "
                                                       "ensemble (tuned + tfidf).")] = "ensemble",
    test_size: Annotated[float, typer.Option("--test-size", help="Held-out share (stratified)."
                                             )] = 0.2,
    epochs: Annotated[int, typer.Option("--epochs", help="Fine-tuning epochs (tuned).")] = 3,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    save: Annotated[Path | None, typer.Option("--save", help="Save the trained model (a "
                                                             "verified bundle) here.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Train a sentiment classifier and report accuracy and macro-F1 on a held-out split."""
    from jogak.solutions.markets import SENTIMENT_MODELS, train_sentiment_source

    if model not in SENTIMENT_MODELS:
        raise ConfigError(f"--model must be one of {list(SENTIMENT_MODELS)}, got {model!r}.")
    with _err.status(f"training the {model} sentiment model"):
        run = train_sentiment_source(data, text=text, label=label,
                                     model=model,  # type: ignore[arg-type]
                                     test_size=test_size, random_state=seed, epochs=epochs,
                                     save=save)
    payload = {**run.metrics, "saved": None if run.saved is None else str(run.saved)}
    if as_json:
        echo_json(payload)
        return
    _show(f"{model} sentiment, held-out {test_size:.0%} of {data}", payload)
    if run.saved is not None:
        _err.print(f"model saved: {run.saved}")


@sentiment.command("score")
def sentiment_score(
    model: Annotated[Path, typer.Argument(help="A model saved by 'jogak markets sentiment "
                                               "train --save'.")],
    data: Annotated[str, typer.Argument(help="Headlines (any supported format).")],
    text: Annotated[str, typer.Option("--text", help="Text column.")] = "headline",
    date: Annotated[str | None, typer.Option("--date", help="Date column: also aggregate by "
                                                            "day.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write per-text scores (CSV); with "
                                                           "--date, the daily features.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Score headlines (label, probabilities, score = P(pos) - P(neg)); daily features."""
    from jogak.solutions.markets import score_sentiment_source

    with _err.status("scoring"):
        scores = score_sentiment_source(model, data, text=text, timestamp=date)
    if out is not None:
        table = scores.scored if scores.daily is None else scores.daily
        table.to_csv(out, index=scores.daily is not None)
    payload = scores.to_dict()
    if as_json:
        echo_json(payload)
    else:
        _show(f"sentiment of {data}", payload)
        _err.print("  " + ", ".join(f"{k}: {v}" for k, v in payload["counts"].items()))
    if out is not None:
        _err.print(f"written: {out}")
