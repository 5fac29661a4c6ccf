"""Indicators against TA-Lib (after warm-up) and hand values; Alpha158 features."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.solutions.markets import (
    MarketDataError,
    alpha158_features,
    alpha158_panel,
    atr,
    bollinger_bands,
    ema,
    indicator_frame,
    load_ohlcv,
    macd,
    next_return_label,
    obv,
    rolling_volatility,
    rsi,
    sma,
    stochastic,
)
from jogak.testing._markets import make_ohlcv, make_ohlcv_panel


@pytest.fixture(scope="module")
def btc(data_dir: Path) -> pd.DataFrame:
    bars, _ = load_ohlcv(data_dir / "crypto_btc_prices" / "btc_usd_daily_yahoo.csv.gz")
    return bars


def _close_after(mine: pd.Series, reference: np.ndarray, warm_up: int) -> None:
    ours = mine.to_numpy()[warm_up:]
    theirs = reference[warm_up:]
    assert np.isnan(ours).sum() == 0
    assert np.isnan(theirs).sum() == 0
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-9)


def test_indicators_match_talib_on_real_btc(btc: pd.DataFrame) -> None:
    talib = pytest.importorskip("talib")
    c, h, lo, v = (btc[k].to_numpy() for k in ("close", "high", "low", "volume"))
    _close_after(sma(btc["close"], 20), talib.SMA(c, 20), 19)
    _close_after(ema(btc["close"], 20), talib.EMA(c, 20), 19)
    _close_after(rsi(btc["close"], 14), talib.RSI(c, 14), 14)
    _close_after(atr(btc["high"], btc["low"], btc["close"], 14), talib.ATR(h, lo, c, 14), 14)
    _close_after(obv(btc["close"], btc["volume"]), talib.OBV(c, v), 0)
    upper, middle, lower = talib.BBANDS(c, 20, 2, 2)
    bands = bollinger_bands(btc["close"], 20, 2.0)
    _close_after(bands["bb_upper"], upper, 19)
    _close_after(bands["bb_lower"], lower, 19)
    slow_k, slow_d = talib.STOCH(h, lo, c, 14, 3, 0, 3, 0)
    stoch = stochastic(btc["high"], btc["low"], btc["close"], 14, 3, 3)
    _close_after(stoch["stoch_k"], slow_k, 17)
    _close_after(stoch["stoch_d"], slow_d, 17)
    # TA-Lib seeds MACD's fast EMA later than a plain EMA(12); the difference decays as
    # (11/13)^t, so after 250 bars the two agree to far below a cent
    line, signal, hist = talib.MACD(c, 12, 26, 9)
    moving = macd(btc["close"], 12, 26, 9)
    _close_after(moving["macd"], line, 250)
    _close_after(moving["macd_signal"], signal, 250)
    _close_after(moving["macd_hist"], hist, 250)


def test_indicator_hand_values() -> None:
    close = pd.Series([1.0, 2.0, 3.0, 2.0, 3.0])
    assert sma(close, 2).tolist()[1:] == [1.5, 2.5, 2.5, 2.5]
    # EMA(3): seed = mean(1, 2, 3) = 2, then 2 + 0.5 (2 - 2) = 2, 2 + 0.5 (3 - 2) = 2.5
    assert ema(close, 3).tolist()[2:] == [2.0, 2.0, 2.5]
    # RSI(2): changes +1 +1 -1 +1; seed gain 1, loss 0 -> 100; then gain .5 loss .5 -> 50
    assert rsi(close, 2).round(6).tolist()[2:] == [100.0, 50.0, 75.0]
    high, low = close + 1, close - 1
    # true range = max(h - l, |h - c_prev|, |l - c_prev|) = 2, 2, 2, 2 -> ATR 2
    assert atr(high, low, close, 2).tolist()[2:] == [2.0, 2.0, 2.0]
    assert obv(close, pd.Series([1.0, 2.0, 4.0, 8.0, 16.0])).tolist() == [1, 3, 7, -1, 15]
    vol = rolling_volatility(pd.Series([1.0, np.e, 1.0, np.e]), 3, periods_per_year=4)
    assert vol.iloc[-1] == pytest.approx(np.std([1, -1, 1], ddof=1) * 2)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True], ids=["zero", "negative", "float", "bool"])
def test_indicators_refuse_bad_windows(bad: object) -> None:
    with pytest.raises(MarketDataError, match="window must be an integer"):
        sma(pd.Series([1.0, 2.0]), bad)  # type: ignore[arg-type]


def test_macd_needs_fast_below_slow() -> None:
    with pytest.raises(MarketDataError, match="fast < slow"):
        macd(pd.Series(np.arange(50.0)), 26, 12)


def test_short_series_give_all_nan() -> None:
    assert ema(pd.Series([1.0, 2.0]), 5).isna().all()
    assert rsi(pd.Series([1.0]), 14).isna().all()


def test_features_never_use_later_bars(global_random_seed: int) -> None:
    bars = make_ohlcv(200, seed=global_random_seed)
    corrupted = bars.copy()
    corrupted.iloc[150:] *= 3.0
    for build in (indicator_frame, alpha158_features):
        before, after = build(bars), build(corrupted)
        pd.testing.assert_frame_equal(before.iloc[:150], after.iloc[:150])


def test_alpha158_hand_values() -> None:
    idx = pd.date_range("2024-01-01", periods=8, freq="D")
    close = pd.Series([10.0, 11, 12, 11, 13, 14, 13, 15], index=idx)
    bars = pd.DataFrame({"open": close - 0.5, "high": close + 1, "low": close - 1,
                         "close": close, "volume": [100.0, 200, 100, 300, 100, 200, 100, 400]})
    feats = alpha158_features(bars, windows=[5])
    last = feats.iloc[-1]
    window = np.array([11.0, 13, 14, 13, 15])
    assert feats.shape == (8, 42)
    assert last["KMID"] == pytest.approx(0.5 / 14.5)
    assert last["KLEN"] == pytest.approx(2 / 14.5)
    assert last["ROC5"] == pytest.approx(12 / 15)
    assert last["MA5"] == pytest.approx(window.mean() / 15)
    assert last["STD5"] == pytest.approx(window.std(ddof=1) / 15)
    slope, intercept = np.polyfit(np.arange(5), window, 1)
    assert last["BETA5"] == pytest.approx(slope / 15)
    fitted = intercept + slope * np.arange(5)
    r2 = 1 - np.sum((window - fitted) ** 2) / np.sum((window - window.mean()) ** 2)
    assert last["RSQR5"] == pytest.approx(r2)
    assert last["RESI5"] == pytest.approx((15 - fitted[-1]) / 15)
    assert last["MAX5"] == pytest.approx(16 / 15)
    assert last["IMAX5"] == pytest.approx(1.0)  # the high of the last bar is the window's max
    assert last["IMIN5"] == pytest.approx(0.2)
    assert last["CNTP5"] == pytest.approx(0.6)  # moves -1, +2, +1, -1, +2: three up of five
    assert last["RANK5"] == pytest.approx(1.0)
    assert last["QTLU5"] == pytest.approx(np.quantile(window, 0.8) / 15)
    assert last["CORR5"] == pytest.approx(np.corrcoef(window, np.log(
        bars["volume"].to_numpy()[-5:] + 1))[0, 1])


def test_alpha158_panel_equals_per_asset_features() -> None:
    panel = make_ohlcv_panel(3, 120, seed=1)
    features = alpha158_panel(panel, windows=[5, 20])
    assert features.index.equals(panel.index)
    for symbol in ("S00", "S02"):
        alone = alpha158_features(panel.loc[symbol], windows=[5, 20])
        np.testing.assert_allclose(features.loc[symbol].to_numpy(), alone.to_numpy(),
                                   rtol=1e-9, atol=1e-12)


def test_alpha158_rejects_bad_input() -> None:
    with pytest.raises(MarketDataError, match="windows must be"):
        alpha158_features(make_ohlcv(30), windows=[1])
    with pytest.raises(MarketDataError, match="MultiIndex"):
        alpha158_panel(make_ohlcv(30))


def test_next_return_label_per_asset() -> None:
    panel = make_ohlcv_panel(2, 10, seed=0, freq="D")
    label = next_return_label(panel["close"], horizon=1, start=1)
    first = panel.loc["S00", "close"]
    assert label.loc["S00"].iloc[0] == pytest.approx(first.iloc[2] / first.iloc[1] - 1)
    assert label.loc["S00"].iloc[-2:].isna().all()  # never borrows the next asset's prices
