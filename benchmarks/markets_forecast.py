"""Walk-forward forecasts: BTC returns against persistence, and the S&P 500 panel's daily IC.

    .venv/bin/python benchmarks/markets_forecast.py --dataset daily
    .venv/bin/python benchmarks/markets_forecast.py --dataset hourly --epochs 3 --last 20000
    .venv/bin/python benchmarks/markets_forecast.py --dataset sp500

BTC: prints, per model, the MAE ratio to persistence (below 1 = better), MAE, R², MAPE on
implied prices, directional accuracy and its one-sided binomial p-value against a coin, over 5
expanding walk-forward folds (gap 0, next-bar return).

S&P 500 (505 stocks, 2013-2018): Alpha158-style features, Qlib's label (close t+2 over close
t+1), 5 expanding walk-forward blocks by date (first 250 dates train only, gap 2 dates); prints
IC, ICIR, Rank IC and Rank ICIR of LightGBM beside ridge and 20-day momentum (``--assets N``
keeps the first N tickers). Writes the table as JSON (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import pandas as pd

from jogak.solutions.markets import (
    MODEL_NAMES,
    PANEL_MODELS,
    WalkForward,
    load_ohlcv,
    load_panel,
    panel_walk_forward,
    walk_forward,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("JOGAK_DATA_DIR", ROOT.parent / "shared" / "datasets"))
FILES = {"daily": "btc_usd_daily_yahoo.csv.gz", "hourly": "btc_usd_hourly_bitstamp.csv.gz"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=[*sorted(FILES), "sp500"], default="daily")
    parser.add_argument("--models", default=None, help="default: every model of the dataset")
    parser.add_argument("--assets", type=int, default=None, help="sp500: first N tickers")
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--last", type=int, default=None, help="only the last N bars")
    parser.add_argument("--features", choices=["indicators", "alpha158"], default="indicators")
    parser.add_argument("--out", type=Path, default=Path("markets_forecast.json"))
    args = parser.parse_args()
    if args.dataset == "sp500":
        panel_main(args)
        return
    bars, _ = load_ohlcv(DATA / "crypto_btc_prices" / FILES[args.dataset])
    if args.last:
        bars = bars.iloc[-args.last:]
    start = time.perf_counter()
    models = (args.models or ",".join(MODEL_NAMES)).split(",")
    result = walk_forward(bars, models=models, features=args.features,
                          splitter=WalkForward(n_splits=args.splits, min_train=500),
                          lstm_params={"epochs": args.epochs},
                          progress=lambda message: print(f"  {message}", flush=True))
    seconds = time.perf_counter() - start
    table = result.metrics
    print(f"\nBTC {args.dataset}: {len(bars)} bars, {int(table['n'].iloc[0])} out-of-sample "
          f"predictions, {args.splits} expanding folds, {seconds:.0f} s")
    print(f"{'model':<18}{'MAE ratio':>10}{'MAE':>10}{'R2':>9}{'MAPE':>8}{'dir acc':>9}"
          f"{'p-value':>9}")
    for name, row in table.iterrows():
        print(f"{name:<18}{row['mae_ratio']:>10.3f}{row['mae']:>10.5f}{row['r2']:>9.3f}"
              f"{row['mape']:>8.4f}{row['directional_accuracy']:>9.3f}{row['p_value']:>9.3f}")
    payload = {"dataset": args.dataset, "n_bars": len(bars), "seconds": seconds,
               **result.to_dict()}
    args.out.write_text(json.dumps(payload, indent=2, default=float))
    print(f"\nwritten: {args.out}")


def panel_main(args: argparse.Namespace) -> None:
    """The S&P 500 panel: daily cross-sectional IC of each model."""
    start = time.perf_counter()
    frame = pd.read_csv(DATA / "sp500_stocks_5yr" / "all_stocks_5yr.csv.gz")
    if args.assets:
        keep = sorted(frame["Name"].unique())[:args.assets]
        frame = frame[frame["Name"].isin(keep)]
    panel, repairs = load_panel(frame, symbol="Name", min_bars=300)
    loaded = time.perf_counter()
    n_dates = panel.index.get_level_values(1).nunique()
    print(f"  panel: {panel.index.get_level_values(0).nunique()} assets, {n_dates} dates, "
          f"{len(panel)} rows, {len(repairs)} assets repaired or dropped, "
          f"{loaded - start:.0f} s", flush=True)
    models = (args.models or ",".join(PANEL_MODELS)).split(",")
    result = panel_walk_forward(panel, models=models, splitter=WalkForward(
        n_splits=args.splits, min_train=250, gap=2),
        progress=lambda message: print(f"  {message}", flush=True))
    seconds = time.perf_counter() - loaded
    table = result.summary
    n_test = int(result.predictions["label"].notna().sum())
    print(f"\nS&P 500 panel: {n_test} labelled out-of-sample stock-days over "
          f"{int(table['n_dates'].iloc[0])} dates, {args.splits} expanding blocks, gap 2 dates, "
          f"{seconds:.0f} s")
    print(f"{'model':<12}{'IC':>9}{'ICIR':>9}{'Rank IC':>9}{'Rank ICIR':>11}")
    for name, row in table.iterrows():
        print(f"{name:<12}{row['ic']:>9.4f}{row['icir']:>9.3f}{row['rank_ic']:>9.4f}"
              f"{row['rank_icir']:>11.3f}")
    payload = {"dataset": "sp500", "n_rows": len(panel), "n_dates": n_dates,
               "n_test": n_test, "seconds": seconds, **result.to_dict()}
    args.out.write_text(json.dumps(payload, indent=2, default=float))
    print(f"\nwritten: {args.out}")


if __name__ == "__main__":
    main()
