"""Panel walk-forward: Qlib's label, date splits with a gap, daily IC against scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from jogak.errors import ConfigError
from jogak.solutions.markets import (
    MarketDataError,
    WalkForward,
    ic_summary,
    panel_walk_forward,
)
from jogak.testing._markets import make_ohlcv


def _trending_panel(n_assets: int, n_bars: int, seed: int) -> pd.DataFrame:
    """Each asset drifts at its own constant rate: past returns predict future ones."""
    rng = np.random.default_rng(seed)
    drifts = rng.normal(0.0, 0.004, size=n_assets)
    parts = {f"S{k:02d}": make_ohlcv(n_bars, seed=seed + k, freq="B", drift=drifts[k],
                                     vol=0.01) for k in range(n_assets)}
    return pd.concat(parts, names=["symbol", "timestamp"])


SPLITTER = WalkForward(n_splits=2, min_train=80, gap=2)


@pytest.fixture(scope="module")
def result() -> object:
    panel = _trending_panel(12, 200, seed=3)
    return panel, panel_walk_forward(panel, models=["momentum", "linear"], splitter=SPLITTER,
                                     windows=(5, 10, 20))


def test_panel_ic_per_date_matches_scipy(result: tuple) -> None:
    _, run = result
    predictions = run.predictions.dropna(subset=["label"])
    dates = predictions.index.get_level_values(1)
    for name in ("momentum", "linear"):
        per_date = run.per_date[name]
        assert len(per_date) == dates.nunique()
        for date in dates.unique()[::7]:
            rows = predictions[dates == date]
            assert per_date.loc[date, "ic"] == pytest.approx(
                stats.pearsonr(rows[name], rows["label"])[0], abs=1e-12)
            assert per_date.loc[date, "rank_ic"] == pytest.approx(
                stats.spearmanr(rows[name], rows["label"])[0], abs=1e-12)
        summary = run.summary.loc[name]
        assert summary["ic"] == pytest.approx(per_date["ic"].mean())
        assert summary["icir"] == pytest.approx(per_date["ic"].mean() / per_date["ic"].std(ddof=1))
        assert summary["rank_icir"] == pytest.approx(ic_summary(per_date)["rank_icir"])


def test_panel_label_momentum_and_folds_follow_the_definitions(result: tuple) -> None:
    panel, run = result
    close = panel["close"]
    symbol, date = run.predictions.index[40]
    bars = close.loc[symbol]
    t = bars.index.get_loc(date)
    # Qlib's label: from tomorrow's close to the day after's
    assert run.predictions.loc[(symbol, date), "label"] == pytest.approx(
        bars.iloc[t + 2] / bars.iloc[t + 1] - 1, rel=1e-12)
    assert run.predictions.loc[(symbol, date), "momentum"] == pytest.approx(
        bars.iloc[t] / bars.iloc[t - 20] - 1, rel=1e-12)
    # test blocks are the last dates, in order; the first 80 + 2 dates are never tested
    all_dates = np.unique(panel.index.get_level_values(1))
    tested = np.unique(run.predictions.index.get_level_values(1))
    assert tested[0] == all_dates[-len(tested)]
    assert len(all_dates) - len(tested) >= 82
    assert sorted(set(run.predictions["fold"])) == [0, 1]


def test_panel_models_find_a_planted_cross_sectional_signal(result: tuple) -> None:
    _, run = result
    # drifts differ by asset: past winners keep winning, so momentum ranks them
    assert run.summary.loc["momentum", "rank_ic"] > 0.1
    assert run.summary.loc["linear", "rank_ic"] > 0.05
    assert run.summary.loc["momentum", "n_dates"] > 50


def test_panel_walk_forward_refuses_bad_settings() -> None:
    panel = _trending_panel(3, 120, seed=0)
    with pytest.raises(ConfigError, match="gap >= 3"):
        panel_walk_forward(panel, horizon=3, splitter=WalkForward(n_splits=2, min_train=40,
                                                                  gap=1))
    with pytest.raises(ConfigError, match="Unknown panel models"):
        panel_walk_forward(panel, models=["prophet"])
    with pytest.raises(MarketDataError, match="MultiIndex"):
        panel_walk_forward(panel.droplevel(0), splitter=SPLITTER)
    with pytest.raises(ConfigError, match="too few"):
        panel_walk_forward(panel, models=["momentum"], splitter=WalkForward(
            n_splits=5, min_train=116, gap=2))
