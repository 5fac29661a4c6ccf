"""Walk-forward forecasts of BTC returns: every model against the persistence baseline.

    .venv/bin/python benchmarks/markets_forecast.py --dataset daily
    .venv/bin/python benchmarks/markets_forecast.py --dataset hourly --epochs 3 --last 20000

Prints, per model, the MAE ratio to persistence (below 1 = better), MAE, R², MAPE on implied
prices, directional accuracy and its one-sided binomial p-value against a coin, over 5
expanding walk-forward folds (gap 0, next-bar return). Writes the table as JSON (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from jogak.solutions.markets import MODEL_NAMES, WalkForward, load_ohlcv, walk_forward

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("JOGAK_DATA_DIR", ROOT.parent / "shared" / "datasets"))
FILES = {"daily": "btc_usd_daily_yahoo.csv.gz", "hourly": "btc_usd_hourly_bitstamp.csv.gz"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", choices=sorted(FILES), default="daily")
    parser.add_argument("--models", default=",".join(MODEL_NAMES))
    parser.add_argument("--splits", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--last", type=int, default=None, help="only the last N bars")
    parser.add_argument("--features", choices=["indicators", "alpha158"], default="indicators")
    parser.add_argument("--out", type=Path, default=Path("markets_forecast.json"))
    args = parser.parse_args()
    bars, _ = load_ohlcv(DATA / "crypto_btc_prices" / FILES[args.dataset])
    if args.last:
        bars = bars.iloc[-args.last:]
    start = time.perf_counter()
    result = walk_forward(bars, models=args.models.split(","), features=args.features,
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


if __name__ == "__main__":
    main()
