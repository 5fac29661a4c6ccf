"""Markets (S4): forecast against actual, equity curve, drawdown, VaR and ES, sentiment.

Forecasts are what ``jogak markets forecast --predictions … --json`` saved under
``HOME/results/markets/``; the backtest runs here, through the library, on the bars at
``HOME/data/markets.csv`` (any format ``jogak.data.load`` reads) with the strategy settings of
the sidebar; sentiment is ``jogak markets sentiment score … --date … --json``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from jogak.dashboard._charts import metric_row, styled
from jogak.dashboard._results import read_table, result_payload, run_hint
from jogak.dashboard._sources import _data_for, config

__all__ = ["BARS_COMMAND", "FORECAST_COMMAND", "SENTIMENT_COMMAND", "render_markets"]

BARS_COMMAND = ("cp PRICES.csv {home}/data/markets.csv   "
                "# OHLCV bars: timestamp, open, high, low, close, volume")
FORECAST_COMMAND = ("jogak markets forecast {home}/data/markets.csv --models "
                    "persistence,drift,linear,lightgbm --predictions "
                    "{folder}/predictions.csv --json > {out}")
SENTIMENT_COMMAND = ("jogak markets sentiment train PHRASEBANK.csv --model tfidf --save "
                     "{home}/models/sentiment && jogak markets sentiment score "
                     "{home}/models/sentiment HEADLINES.csv --text headline --date date --json "
                     "> {out}")
_RISK_FIGURES = {"var_95_hist": "VaR 95 % (historical)", "es_95_hist": "ES 95 % (historical)",
                 "var_95_normal": "VaR 95 % (normal)", "es_95_normal": "ES 95 % (normal)",
                 "var_95_cornish_fisher": "VaR 95 % (Cornish-Fisher)",
                 "max_drawdown": "max drawdown", "sharpe": "Sharpe", "cagr": "CAGR"}


@st.cache_resource(show_spinner="Backtesting …", max_entries=16)
def _backtest(path: str, mtime: float, fast: int, slow: int, fee: float) -> Any:
    from jogak.report import backtest_report
    from jogak.solutions.markets import backtest_source

    run = backtest_source(path, strategy="sma_cross", fast=fast, slow=slow, fee=fee)
    return run, backtest_report(run.result, title=f"Backtest: {run.description}").figures


def _forecast(cfg: Any) -> None:
    import plotly.graph_objects as go

    folder = cfg.home / "results" / "markets"
    command = FORECAST_COMMAND.format(home=cfg.home, folder=folder, out="{out}")
    payload = result_payload(cfg, "markets", "forecast", command)
    if payload is None:
        return
    metrics = pd.DataFrame.from_dict(payload.get("metrics") or {}, orient="index")
    if not metrics.empty:
        st.dataframe(metrics.rename_axis("model").reset_index(), hide_index=True,
                     key="markets_metrics")
    path = folder / "predictions.csv"
    if not path.exists():
        st.info(run_hint("saved predictions (forecast against actual)", folder,
                         command.format(out=folder / "forecast.json")))
        return
    predictions = read_table(path)
    models = [c for c in predictions.columns if c not in ("timestamp", "actual", "close", "fold")]
    default = [m for m in ("ensemble_fixed", "linear", "lightgbm") if m in models] or models[:1]
    chosen = st.multiselect("Models", models, default=default, key="markets_models")
    fig = go.Figure(go.Scatter(x=predictions["timestamp"], y=predictions["actual"],
                               name="actual", mode="lines", line={"color": "black"}))
    for model in chosen:
        fig.add_trace(go.Scatter(x=predictions["timestamp"], y=predictions[model], name=model,
                                 mode="lines"))
    fig.update_layout(yaxis_title="return over the horizon", yaxis_tickformat=".1%")
    st.plotly_chart(styled(fig, "Forecast against actual (out of sample, walk-forward)"),
                    key="markets_forecast")


def _risk(cfg: Any) -> None:
    bars = _data_for(cfg.home, "markets")
    if bars is None:
        st.info(run_hint("price bars", cfg.home / "data", BARS_COMMAND.format(home=cfg.home)))
        return
    left, middle, right = st.columns(3)
    fast = int(left.number_input("Fast SMA", 2, 200, 10, key="markets_fast"))
    slow = int(middle.number_input("Slow SMA", 3, 400, 30, key="markets_slow"))
    fee = float(right.number_input("Fee per side", 0.0, 0.05, 0.001, 0.0005, format="%.4f",
                                   key="markets_fee"))
    if slow <= fast:
        st.warning(f"The slow average ({slow}) must be longer than the fast one ({fast}).")
        return
    run, figures = _backtest(str(bars), bars.stat().st_mtime, fast, slow, fee)
    metrics = run.result.strategy.metrics
    st.caption(f"{run.description} on `{bars.name}`, next-open fills, beside buy-and-hold "
               "under the same costs")
    metric_row({label: "n/a" if metrics.get(key) is None else (
        f"{metrics[key]:.2f}" if key == "sharpe" else f"{metrics[key]:.2%}")
        for key, label in _RISK_FIGURES.items()})
    titles = {"equity": "Equity curve (log scale)", "drawdown": "Drawdown",
              "returns": "Bar returns with the historical 95 % VaR and ES"}
    for name, title in titles.items():
        st.plotly_chart(styled(figures[name], title), key=f"markets_{name}")


def _sentiment(cfg: Any) -> None:
    import plotly.graph_objects as go

    command = SENTIMENT_COMMAND.format(home=cfg.home, out="{out}")
    payload = result_payload(cfg, "markets", "sentiment", command)
    if payload is None:
        return
    counts = payload.get("counts") or {}
    mean = payload.get("mean_score")
    metric_row({"headlines": f"{payload.get('n_texts', 0):,}",
                **{label: f"{counts.get(label, 0):,}" for label in ("negative", "neutral",
                                                                    "positive")},
                "mean score": "n/a" if mean is None else f"{mean:+.3f}"}, per_row=5)
    daily = pd.DataFrame(payload.get("daily") or [])
    if daily.empty:
        st.caption("No daily series: score with `--date DATE_COLUMN` to see sentiment by day.")
        return
    fig = go.Figure(go.Bar(x=daily["day"], y=daily["mean_score"], name="mean score",
                           marker_color=["#1a9850" if v >= 0 else "#d73027"
                                         for v in daily["mean_score"].fillna(0)]))
    fig.update_layout(yaxis_title="P(positive) − P(negative)", yaxis_range=[-1, 1])
    st.plotly_chart(styled(fig, "News sentiment by day"), key="markets_sentiment")
    st.dataframe(daily, hide_index=True, key="markets_daily")


def render_markets() -> None:
    """Forecasts, the backtest's equity, drawdown and tail risk, and news sentiment."""
    st.title("Markets · 시장")
    cfg = config()
    st.subheader("Forecast against actual · 예측 대 실제")
    _forecast(cfg)
    st.subheader("Backtest: equity, drawdown, VaR and ES · 백테스트와 위험")
    _risk(cfg)
    st.subheader("News sentiment · 뉴스 감성")
    _sentiment(cfg)
