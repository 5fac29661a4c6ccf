"""HTML report of a markets backtest: equity, drawdown and the return distribution with VaR/ES."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from jogak.report._html import HtmlReport, _plotly
from jogak.solutions.markets import RepairReport, StrategyBacktest

__all__ = ["backtest_report"]

_HEADLINE = {"final_equity": "final equity", "total_return": "total return", "sharpe": "Sharpe",
             "sortino": "Sortino", "max_drawdown": "max drawdown", "var_95_hist": "VaR 95 %",
             "es_95_hist": "ES 95 %", "n_trades": "trades", "turnover": "turnover / year"}


def _rounded(metrics: dict[str, Any]) -> dict[str, Any]:
    return {label: (round(metrics[key], 4) if isinstance(metrics.get(key), float)
                    else metrics.get(key)) for key, label in _HEADLINE.items()}


def _drawdown(equity: pd.Series) -> pd.Series:
    return equity / equity.cummax() - 1.0


def backtest_report(result: StrategyBacktest, *, title: str = "Backtest",
                    description: str | None = None,
                    repair: RepairReport | None = None) -> HtmlReport:
    """Build the HTML report of a strategy backtest beside buy-and-hold.

    Sections: key figures of both, the equity curves, the drawdowns, the distribution of
    close-to-close equity returns with the historical 95 % VaR and ES marked, the trades, and
    the data repairs when given.

    Parameters
    ----------
    result : StrategyBacktest
        From :func:`jogak.solutions.markets.backtest`.
    title : str
    description : str, optional
        The strategy and settings, in words (shown under the title).
    repair : RepairReport, optional
        What was repaired in the input bars.

    Returns
    -------
    HtmlReport
    """
    go = _plotly()
    strategy, hold = result.strategy, result.buy_and_hold
    config = strategy.config
    report = HtmlReport(title=title, subtitle=description)
    headline = report.section(
        "Key figures", intro=f"Fills at the next bar's open, fee {config.fee:.4%} and slippage "
        f"{config.slippage:.4%} per side, {config.sizing} sizing, annualised with "
        f"{config.periods_per_year:g} bars per year. Buy-and-hold buys at the same first open "
        "under the same costs.")
    headline.add_metrics(_rounded(strategy.metrics))
    headline.add_table(pd.DataFrame({"strategy": _rounded(strategy.metrics),
                                     "buy and hold": _rounded(hold.metrics)}),
                       caption="Strategy and buy-and-hold after costs")
    curves = go.Figure()
    curves.add_trace(go.Scatter(x=strategy.equity.index, y=strategy.equity.to_numpy(),
                                name="strategy", mode="lines"))
    curves.add_trace(go.Scatter(x=hold.equity.index, y=hold.equity.to_numpy(),
                                name="buy and hold", mode="lines"))
    curves.update_layout(yaxis_title="equity", yaxis_type="log")
    report.section("Equity curve").add_figure(curves, name="equity",
                                              caption="Equity at every close (log scale)")
    falls = go.Figure()
    falls.add_trace(go.Scatter(x=strategy.equity.index, y=_drawdown(strategy.equity).to_numpy(),
                               name="strategy", mode="lines", fill="tozeroy"))
    falls.add_trace(go.Scatter(x=hold.equity.index, y=_drawdown(hold.equity).to_numpy(),
                               name="buy and hold", mode="lines"))
    falls.update_layout(yaxis_title="drawdown", yaxis_tickformat=".0%")
    report.section("Drawdown").add_figure(falls, name="drawdown",
                                          caption="Fall below the running peak of equity")
    report.section("Return distribution", intro=(
        "Close-to-close returns of equity. VaR = -(5th percentile), ES = -(mean of the returns "
        "at or below it), both as positive losses.")).add_figure(
        _distribution(strategy.returns, strategy.metrics), name="returns",
        caption="Histogram of bar returns with the historical 95 % VaR and ES")
    trades = strategy.trades
    section = report.section("Trades", intro=f"{len(trades)} positions; an open one is marked "
                             "at the last close, not sold.")
    if len(trades):
        section.add_table(trades, max_rows=200)
    if repair is not None:
        repairs = report.section("Data repairs", intro=repair.summary().splitlines()[0])
        if repair.actions:
            repairs.add_table(pd.DataFrame([a.to_dict() for a in repair.actions]))
    return report


def _distribution(returns: pd.Series, metrics: dict[str, Any]) -> Any:
    go = _plotly()
    figure = go.Figure()
    figure.add_trace(go.Histogram(x=returns.to_numpy(), nbinsx=80, name="returns"))
    for key, label, dash in (("var_95_hist", "VaR 95 %", "dash"), ("es_95_hist", "ES 95 %",
                                                                   "dot")):
        value = metrics.get(key)
        if value is not None and np.isfinite(value):
            figure.add_vline(x=-value, line_dash=dash, line_color="firebrick",
                             annotation_text=f"{label}: {value:.2%}")
    figure.update_layout(xaxis_title="return per bar", xaxis_tickformat=".1%",
                         yaxis_title="bars", showlegend=False)
    return figure
