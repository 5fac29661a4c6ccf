"""OHLCV loading and repair, resampling, returns (synthetic edge cases and the real files)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.solutions.markets import (
    MarketDataError,
    infer_periods_per_year,
    load_ohlcv,
    ohlcv_from_frame,
    panel_from_frame,
    repair_ohlcv,
    resample_ohlcv,
    returns,
)
from jogak.testing._markets import make_ohlcv


def _kinds(report) -> dict[str, int]:
    return {action.kind: action.n_rows for action in report.actions}


def test_repair_clean_bars_are_unchanged(global_random_seed: int) -> None:
    bars = make_ohlcv(50, seed=global_random_seed)
    repaired, report = repair_ohlcv(bars)
    assert report.is_clean
    pd.testing.assert_frame_equal(repaired, bars, check_freq=False)


def test_repair_sorts_and_drops_duplicate_timestamps(global_random_seed: int) -> None:
    bars = make_ohlcv(20, seed=global_random_seed)
    shuffled = pd.concat([bars.iloc[::-1], bars.iloc[[3]].assign(close=bars["close"].iloc[3] * 2,
                                                                  high=1e9)])
    repaired, report = repair_ohlcv(shuffled, duplicates="last")
    assert repaired.index.is_monotonic_increasing
    assert repaired.index.is_unique
    assert _kinds(report)["duplicate_timestamps"] == 1
    assert "unsorted" in _kinds(report)
    assert repaired["close"].iloc[3] == pytest.approx(bars["close"].iloc[3] * 2)
    first, _ = repair_ohlcv(shuffled, duplicates="first")
    assert first["close"].iloc[3] == pytest.approx(bars["close"].iloc[3])


def test_repair_fills_missing_and_nonpositive_prices() -> None:
    idx = pd.date_range("2024-01-01", periods=5, freq="D")
    bars = pd.DataFrame({"open": [10.0, 11, np.nan, 13, 14], "high": [11.0, 12, 13, -1, 15],
                         "low": [9.0, 10, 11, 12, 13], "close": [10.5, 0.0, 12.5, 13.5, np.inf],
                         "volume": [1.0, -5, np.nan, 3, 4]}, index=idx)
    repaired, report = repair_ohlcv(bars)
    kinds = _kinds(report)
    assert kinds["nonpositive_prices"] == 3  # close 0, high -1, close inf
    assert kinds["missing_prices"] == 4
    assert kinds["bad_volume"] == 2
    # close carried forward; open of a missing bar = previous close
    assert repaired["close"].tolist() == [10.5, 10.5, 12.5, 13.5, 13.5]
    assert repaired.loc[idx[2], "open"] == 10.5
    assert repaired.loc[idx[3], "high"] == 13.5  # max(open, close) replaces the bad high
    assert repaired["volume"].tolist() == [1.0, 0.0, 0.0, 3.0, 4.0]
    assert (repaired["high"] >= repaired[["open", "close"]].max(axis=1)).all()
    assert (repaired["low"] <= repaired[["open", "close"]].min(axis=1)).all()


def test_repair_drops_leading_rows_without_a_close() -> None:
    idx = pd.date_range("2024-01-01", periods=4, freq="D")
    bars = pd.DataFrame({"open": [np.nan, 1.0, 2, 3], "high": [np.nan, 2.0, 3, 4],
                         "low": [np.nan, 0.5, 1, 2], "close": [np.nan, 1.5, 2.5, 3.5]}, index=idx)
    repaired, report = repair_ohlcv(bars)
    assert len(repaired) == 3
    assert _kinds(report)["dropped_rows"] == 1


def test_repair_widens_inconsistent_high_low() -> None:
    idx = pd.date_range("2024-01-01", periods=3, freq="D")
    bars = pd.DataFrame({"open": [10.0, 10, 10], "high": [9.0, 11, 11], "low": [9.5, 12, 9],
                         "close": [10.0, 10.5, 10]}, index=idx)
    repaired, report = repair_ohlcv(bars)
    assert _kinds(report)["ohlc_inconsistent"] == 2
    assert repaired["high"].tolist() == [10.0, 11.0, 11.0]
    assert repaired["low"].tolist() == [9.5, 10.0, 9.0]


def test_repair_reports_and_fills_gaps() -> None:
    bars = make_ohlcv(30, seed=0).drop(index=pd.date_range("2021-01-05", periods=3, freq="D"))
    _, report = repair_ohlcv(bars)
    assert _kinds(report)["gaps"] == 3
    assert report.frequency == "D"
    filled, report = repair_ohlcv(bars, fill_gaps=True)
    assert len(filled) == 30
    assert _kinds(report)["gaps"] == 3
    flat = filled.loc["2021-01-05"]
    assert flat["open"] == flat["close"] == filled.loc["2021-01-04", "close"]
    assert flat["volume"] == 0.0


def test_repair_strict_policy_refuses_bad_bars() -> None:
    bars = make_ohlcv(10, seed=0).iloc[::-1]
    with pytest.raises(MarketDataError, match="policy='strict' refuses"):
        repair_ohlcv(bars, policy="strict")


@pytest.mark.parametrize(("frame", "message"), [
    (pd.DataFrame({"open": [1.0]}, index=pd.RangeIndex(1)), "DatetimeIndex"),
    (pd.DataFrame({"open": [1.0, 2.0], "close": [1.0, 2.0]},
                  index=pd.date_range("2024-01-01", periods=2)), "missing"),
    (pd.DataFrame({c: [0.0, -1.0] for c in ("open", "high", "low", "close")},
                  index=pd.date_range("2024-01-01", periods=2)), "No usable close"),
    (pd.DataFrame({c: ["a", "b"] for c in ("open", "high", "low", "close")},
                  index=pd.date_range("2024-01-01", periods=2)), "must be numeric"),
], ids=["range_index", "missing_columns", "all_prices_bad", "text_prices"])
def test_repair_refuses_unusable_input(frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(MarketDataError, match=message):
        repair_ohlcv(frame)


def test_ohlcv_from_frame_maps_columns_and_epoch_seconds() -> None:
    raw = pd.DataFrame({"unix": [1_700_000_000 + 3600 * k for k in (2, 1, 0)],
                        "Open": [3.0, 2, 1], "HIGH": [3.5, 2.5, 1.5], "low": [2.5, 1.5, 0.5],
                        "Close": [3.2, 2.2, 1.2], "Volume BTC": [1.0, 500.0, 3.0],
                        "Volume USD": [3.2, 2.0, 3.6]})
    bars, report = ohlcv_from_frame(raw)
    assert bars.index[0] == pd.Timestamp("2023-11-14 22:13:20")
    assert bars["close"].tolist() == [1.2, 2.2, 3.2]
    # the middle row had USD < BTC volume: swapped back to the base-currency volume
    assert bars["volume"].tolist() == [3.0, 2.0, 1.0]
    assert _kinds(report)["swapped_volume"] == 1


def test_ohlcv_from_frame_refuses_bad_timestamps_and_columns() -> None:
    with pytest.raises(MarketDataError, match="not timestamps"):
        ohlcv_from_frame(pd.DataFrame({"date": ["2024-01-01", "yesterday"], "close": [1, 2]}))
    with pytest.raises(MarketDataError, match="No timestamp column"):
        ohlcv_from_frame(pd.DataFrame({"x": [1, 2], "close": [1, 2]}))
    with pytest.raises(MarketDataError, match="missing"):
        ohlcv_from_frame(pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "open": [1, 2]}))
    with pytest.raises(MarketDataError, match="non-empty"):
        ohlcv_from_frame(pd.DataFrame())


def test_close_only_series_become_flat_bars() -> None:
    bars, _ = ohlcv_from_frame(pd.DataFrame({"date": ["2024-01-01", "2024-01-02", "2024-01-03"],
                                             "close": [1.0, 2.0, 3.0]}))
    assert (bars["open"] == bars["close"]).all()
    assert (bars["volume"] == 0).all()


def test_panel_reports_only_assets_that_needed_repair() -> None:
    rows = []
    for name, closes in (("AAA", [1.0, 1.1, 1.2, 1.3]), ("BBB", [5.0, np.nan, 6.0, 7.0]),
                         ("CCC", [1.0])):
        for k, close in enumerate(closes):
            rows.append({"date": f"2024-01-0{k + 1}", "open": close, "high": close,
                         "low": close, "close": close, "volume": 1, "Name": name})
    panel, reports = panel_from_frame(pd.DataFrame(rows), symbol="name")
    assert sorted(panel.index.get_level_values(0).unique()) == ["AAA", "BBB"]
    assert set(reports) == {"BBB", "CCC"}
    assert reports["CCC"].actions[-1].kind == "too_short"


def test_resample_and_returns() -> None:
    bars = make_ohlcv(48, seed=0, freq="h")
    daily = resample_ohlcv(bars, "D")
    assert len(daily) == 2
    assert daily["open"].iloc[0] == bars["open"].iloc[0]
    assert daily["high"].iloc[1] == bars["high"].iloc[24:].max()
    assert daily["volume"].iloc[0] == pytest.approx(bars["volume"].iloc[:24].sum())
    with pytest.raises(MarketDataError, match="Unknown resampling rule"):
        resample_ohlcv(bars, "fortnightly-ish")
    prices = pd.Series([100.0, 110.0, 121.0])
    assert returns(prices, periods=2).iloc[-1] == pytest.approx(0.21)
    assert returns(prices, kind="log").iloc[-1] == pytest.approx(np.log(1.1))


def test_infer_periods_per_year_needs_three_bars() -> None:
    with pytest.raises(MarketDataError, match="periods_per_year explicitly"):
        infer_periods_per_year(pd.date_range("2024-01-01", periods=2))


def test_real_btc_files_load_and_agree(data_dir: Path) -> None:
    folder = data_dir / "crypto_btc_prices"
    yahoo, report = load_ohlcv(folder / "btc_usd_daily_yahoo.csv.gz")
    assert len(yahoo) == 3484
    assert report.is_clean
    assert infer_periods_per_year(yahoo.index) == 365.0
    bitstamp, report = load_ohlcv(folder / "btc_usd_daily_bitstamp.csv.gz")
    kinds = _kinds(report)
    assert kinds["swapped_volume"] == 1180  # SOURCE.md: 1,180 daily rows on or before 2018-02-27
    assert kinds["unsorted"] == len(bitstamp) == 2823
    both = yahoo["close"].to_frame("yahoo").join(bitstamp["close"].rename("bitstamp"),
                                                 how="inner")
    # two sources of the same market: daily closes agree within a few per cent
    assert (both["yahoo"] / both["bitstamp"] - 1).abs().median() < 0.01


def test_real_sp500_panel_sample(data_dir: Path) -> None:
    raw = pd.read_csv(data_dir / "sp500_stocks_5yr" / "all_stocks_5yr.csv.gz")
    sample = raw[raw["Name"].isin(["AAPL", "LNT", "BHF"])]
    panel, reports = panel_from_frame(sample, symbol="Name")
    assert infer_periods_per_year(panel.loc["AAPL"].index) == 252.0
    assert _kinds(reports["LNT"])["large_moves"] == 2  # the 2016-05-19 glitch and its reversal
    assert "missing_prices" in _kinds(reports["BHF"])
    assert "AAPL" not in reports
