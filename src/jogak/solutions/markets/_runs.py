"""One call per command: load and repair the data, run the work, return what the CLI prints."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from jogak.errors import ConfigError
from jogak.solutions.markets._backtest import BacktestConfig
from jogak.solutions.markets._forecaster import (
    Forecaster,
    ModelStrategy,
    load_forecaster,
    save_forecaster,
)
from jogak.solutions.markets._ohlcv import infer_periods_per_year, load_ohlcv
from jogak.solutions.markets._repair import RepairReport
from jogak.solutions.markets._risk import risk_report
from jogak.solutions.markets._strategies import SMACross, Strategy, StrategyBacktest, backtest
from jogak.solutions.markets._walkforward import WalkForward, WalkForwardResult, walk_forward

__all__ = ["BacktestRun", "ForecastRun", "asset_risk", "backtest_source", "forecast_source"]


@dataclass(frozen=True)
class BacktestRun:
    """A backtest of a data source: the result, the data repairs, the strategy in words."""

    result: StrategyBacktest
    repair: RepairReport
    description: str


def _strategy(spec: str, *, fast: int, slow: int, allow_short: bool,
              bars: pd.DataFrame) -> tuple[Strategy, pd.DataFrame, str]:
    if spec == "sma_cross":
        return (SMACross(fast=fast, slow=slow, allow_short=allow_short), bars,
                f"sma_cross fast={fast} slow={slow}")
    if spec.startswith("model:"):
        forecaster = load_forecaster(Path(spec.removeprefix("model:")))
        out_of_sample = bars.index > forecaster.train_end_
        if not out_of_sample.any():
            raise ConfigError(
                f"The model learned from bars up to {forecaster.train_end_}, and the data ends "
                f"at {bars.index[-1]}: a backtest on bars it was trained on would be "
                "look-ahead. Hint: save the model with --train-until an earlier date.")
        return (ModelStrategy(forecaster=forecaster, allow_short=allow_short), bars,
                f"model {forecaster.model} (out of sample after {forecaster.train_end_})")
    raise ConfigError(f"--strategy must be 'sma_cross' or 'model:PATH', got {spec!r}.")


def backtest_source(source: str | Path | pd.DataFrame, *, strategy: str = "sma_cross",
                    fast: int = 10, slow: int = 30, fee: float = 0.0, slippage: float = 0.0,
                    sizing: Literal["full", "risk"] = "full", capital: float = 10_000.0,
                    allow_short: bool = False,
                    periods_per_year: float | None = None) -> BacktestRun:
    """Load, repair and backtest OHLCV data with ``sma_cross`` or a saved model (``model:PATH``).

    A model strategy is backtested only on the bars after the last one its training used; its
    decisions are still computed with the earlier bars as history.

    Raises
    ------
    ConfigError
        Unknown strategy, or a model that learned from all the bars.
    MarketDataError
        Bars that cannot be repaired, invalid settings.
    """
    bars, repair = load_ohlcv(source)
    chosen, bars, description = _strategy(strategy, fast=fast, slow=slow,
                                          allow_short=allow_short, bars=bars)
    config = BacktestConfig(initial_capital=capital, fee=fee, slippage=slippage, sizing=sizing,
                            periods_per_year=periods_per_year or infer_periods_per_year(
                                bars.index))
    if isinstance(chosen, ModelStrategy):
        decisions = chosen.decisions(bars)
        keep = bars.index > chosen.forecaster.train_end_
        # the first out-of-sample bar only receives a fill from the decision made the bar before
        first = max(int(keep.argmax()) - 1, 0)
        bars_oos, decided = bars.iloc[first:], decisions.iloc[first:]
        result = backtest(bars_oos, _Fixed(decided), config, verify=False)
        return BacktestRun(result, repair, description)
    return BacktestRun(backtest(bars, chosen, config), repair, description)


@dataclass(frozen=True)
class _Fixed:
    """Decisions computed beforehand (over the full history), served for a slice of bars."""

    values: pd.Series

    def decisions(self, bars: pd.DataFrame) -> pd.Series:
        return self.values.reindex(bars.index)


def asset_risk(source: str | Path | pd.DataFrame, *,
               periods_per_year: float | None = None) -> dict[str, Any]:
    """Risk metrics of holding the asset (close-to-close returns), with the data repairs."""
    bars, repair = load_ohlcv(source)
    per_year = periods_per_year or infer_periods_per_year(bars.index)
    report = risk_report(bars["close"].pct_change().iloc[1:], periods_per_year=per_year)
    return {**report.to_dict(), "start": str(bars.index[0]), "end": str(bars.index[-1]),
            "repairs": repair.to_dict()}


@dataclass(frozen=True)
class ForecastRun:
    """Walk-forward results, the data repairs, and where a fitted forecaster was saved."""

    result: WalkForwardResult
    repair: RepairReport
    saved: Path | None = None


def forecast_source(source: str | Path | pd.DataFrame, *, models: list[str], horizon: int = 1,
                    target: Literal["return", "price", "direction"] = "return",
                    features: Literal["indicators", "alpha158"] = "indicators",
                    n_splits: int = 5, mode: Literal["expanding", "rolling"] = "expanding",
                    train_size: int | None = None, gap: int | None = None,
                    lstm_epochs: int = 10, random_state: int = 0,
                    save: Path | None = None, save_model: str = "ensemble_fixed",
                    train_until: str | None = None,
                    progress: Any = None) -> ForecastRun:
    """Walk-forward evaluation of the models on one asset; optionally fit and save one model.

    The saved model learns from bars up to ``train_until`` (all bars when omitted), so that a
    later ``backtest --strategy model:PATH`` runs on bars it never saw.
    """
    bars, repair = load_ohlcv(source)
    splitter = WalkForward(n_splits=n_splits, mode=mode, train_size=train_size,
                           gap=horizon - 1 if gap is None else gap)
    lstm_params = {"epochs": lstm_epochs}
    result = walk_forward(bars, models=models, splitter=splitter, horizon=horizon,
                          target=target, features=features, lstm_params=lstm_params,
                          random_state=random_state, progress=progress)
    saved = None
    if save is not None:
        history = bars if train_until is None else bars.loc[:pd.Timestamp(train_until)]
        forecaster = Forecaster(model=save_model, horizon=horizon, features=features,
                                lstm_params=lstm_params, random_state=random_state)
        forecaster.fit(history)
        saved = save_forecaster(forecaster, save, metrics=result.to_dict()["metrics"].get(
            save_model, {}))
    return ForecastRun(result, repair, saved)
