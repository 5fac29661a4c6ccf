"""SMA-cross sweeps and backtest parity: jogak side by side with vectorbt and backtesting.py.

    .venv/bin/python benchmarks/backtest_sweep.py                 # sweep vs vectorbt + parity
    .venv/bin/python benchmarks/backtest_sweep.py --skip-parity   # sweep only

Sweep: all (fast, slow) SMA pairs with 2 <= fast < slow <= 100 (4,851 pairs) on the full BTC
daily history (Yahoo, 3,484 bars), long/flat, next-open fills, full equity, fee 0.1 %. jogak runs
here; vectorbt runs in its own venv (benchmarks/setup_vectorbt.sh; its Commons Clause licence
keeps it out of jogak's dependencies) on the same bars with the same semantics
(``from_signals`` with the close-t state shifted one bar and filled at the open), in the same
run, one after the other. vectorbt is timed cold (first call, numba compiling) and warm (best of
``--repeats``); jogak best of ``--repeats``. Final equities of the two are compared pair by pair.

Parity: SMA(10)/SMA(30) long/flat on BTC daily with 10,000,000 of cash and whole units (the
only kind backtesting.py trades with relative sizes), and SMA(20)/SMA(50) on AAPL with 10,000,
fee 0.1 %, next-open fills, against backtesting.py (AGPL; own venv,
benchmarks/setup_backtesting.sh). Prints the relative error of final equity and whether every
trade (entry and exit date, units, prices) is the same.

Writes the results as JSON (``--out``, default ./backtest_sweep.json).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd

from jogak.solutions.markets import (
    BacktestConfig,
    SMACross,
    backtest,
    load_ohlcv,
    sma_pairs,
    sma_sweep,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("JOGAK_DATA_DIR", ROOT.parent / "shared" / "datasets"))
PEERS = Path(os.environ.get("JOGAK_PEERS_DIR", "/work/peers"))
BTC = DATA / "crypto_btc_prices" / "btc_usd_daily_yahoo.csv.gz"
SP500 = DATA / "sp500_stocks_5yr" / "all_stocks_5yr.csv.gz"

VECTORBT_CODE = r"""
import json, sys, time
import numpy as np, pandas as pd
import vectorbt as vbt
cfg = json.load(sys.stdin)
bars = pd.read_csv(cfg["bars"], index_col=0, parse_dates=True)
close, open_ = bars["close"], bars["open"]
windows = list(range(cfg["low"], cfg["high"] + 1))
def run():
    fast, slow = vbt.MA.run_combs(close, window=windows, r=2, short_names=["fast", "slow"])
    state = fast.ma_above(slow)
    held = state.vbt.fshift(1).fillna(False).astype(bool)
    pf = vbt.Portfolio.from_signals(close, entries=held, exits=~held, price=open_,
                                    fees=cfg["fee"], init_cash=cfg["cash"], freq="1D")
    return pf.final_value()
timings = []
for _ in range(cfg["repeats"] + 1):
    start = time.perf_counter(); final = run(); timings.append(time.perf_counter() - start)
keys = [[int(a), int(b)] for a, b in final.index]
print(json.dumps({"cold": timings[0], "warm": min(timings[1:]), "keys": keys,
                  "final": final.to_numpy().tolist(), "version": vbt.__version__}))
"""

BACKTESTING_CODE = r"""
import json, sys, warnings
import pandas as pd
import backtesting
from backtesting import Backtest, Strategy
cfg = json.load(sys.stdin)
bars = pd.read_csv(cfg["bars"], index_col=0, parse_dates=True)
data = bars.rename(columns=str.capitalize)[["Open", "High", "Low", "Close", "Volume"]]
def SMA(x, n):
    return pd.Series(x).rolling(n).mean().to_numpy()
class SmaCross(Strategy):
    fast = 10
    slow = 30
    def init(self):
        self.f = self.I(SMA, self.data.Close, self.fast)
        self.s = self.I(SMA, self.data.Close, self.slow)
    def next(self):
        long = self.f[-1] > self.s[-1]
        if long and not self.position:
            self.buy(size=0.999999999999)  # "all cash": sizes < 1 are fractions of equity
        elif not long and self.position:
            self.position.close()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    bt = Backtest(data, SmaCross, cash=cfg["cash"], commission=cfg["fee"],
                  trade_on_close=False, finalize_trades=False)
    stats = bt.run(fast=cfg["fast"], slow=cfg["slow"])
closed = [[str(r.EntryTime), str(r.ExitTime), int(r.Size), float(r.EntryPrice),
           float(r.ExitPrice)] for r in stats._trades.itertuples()]
open_trades = [[str(bars.index[t.entry_bar]), None, int(t.size), float(t.entry_price), None]
               for t in stats._strategy.trades]
print(json.dumps({"final_equity": float(stats["Equity Final [$]"]), "trades": closed + open_trades,
                  "version": backtesting.__version__}))
"""


def run_peer(venv: str, code: str, payload: dict) -> dict | None:
    python = PEERS / venv / "bin" / "python"
    if not python.exists():
        print(f"(peer venv {python} missing: run benchmarks/setup_{venv}.sh)")
        return None
    done = subprocess.run([str(python), "-c", code], input=json.dumps(payload), text=True,
                          capture_output=True, check=False)
    if done.returncode != 0:
        print(f"(peer {venv} failed: {done.stderr[-800:]})")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def sweep(bars: pd.DataFrame, args: argparse.Namespace, bars_path: Path) -> dict:
    pairs = sma_pairs(range(args.low, args.high + 1))
    config = BacktestConfig(fee=args.fee, initial_capital=args.cash)
    timings = []
    table = None
    for _ in range(args.repeats):
        start = time.perf_counter()
        table = sma_sweep(bars, pairs, config)
        timings.append(time.perf_counter() - start)
    assert table is not None
    result = {"n_pairs": len(pairs), "n_bars": len(bars), "jogak_seconds": min(timings),
              "best": table.sort_values("sharpe").iloc[-1].to_dict(),
              "deflated_sharpe_best": table.attrs["deflated_sharpe_best"]}
    peer = run_peer("vectorbt", VECTORBT_CODE, {"bars": str(bars_path), "low": args.low,
                                                "high": args.high, "fee": args.fee,
                                                "cash": args.cash, "repeats": args.repeats})
    if peer is not None:
        theirs = pd.Series(peer["final"], index=pd.MultiIndex.from_tuples(
            [tuple(k) for k in peer["keys"]]))
        ours = table.set_index(["fast", "slow"])["final_equity"]
        joined = pd.concat([ours, theirs.rename("peer")], axis=1, join="inner")
        rel = (joined["final_equity"] / joined["peer"] - 1).abs()
        result.update({"vectorbt_version": peer["version"], "vectorbt_cold_seconds": peer["cold"],
                       "vectorbt_warm_seconds": peer["warm"], "pairs_compared": len(joined),
                       "max_rel_diff_final_equity": float(rel.max())})
    return result


def _same_trade(ours: list, theirs: list) -> bool:
    if ours[:3] != theirs[:3] or not np.isclose(ours[3], theirs[3], rtol=1e-12):
        return False
    if ours[4] is None or theirs[4] is None:
        return ours[4] is None and theirs[4] is None
    return bool(np.isclose(ours[4], theirs[4], rtol=1e-12))


def parity_case(bars: pd.DataFrame, name: str, fast: int, slow: int, cash: float, fee: float,
                bars_path: Path) -> dict:
    ours = backtest(bars, SMACross(fast=fast, slow=slow),
                    BacktestConfig(initial_capital=cash, fee=fee, lot_size=1.0))
    trades = [[str(r.entry_time), None if pd.isna(r.exit_time) else str(r.exit_time),
               int(r.units), float(r.entry_price),
               None if np.isnan(r.exit_price) else float(r.exit_price)]
              for r in ours.strategy.trades.itertuples()]
    row = {"case": name, "fast": fast, "slow": slow, "cash": cash, "fee": fee,
           "jogak_final_equity": ours.strategy.metrics["final_equity"],
           "jogak_n_trades": len(trades)}
    peer = run_peer("backtesting", BACKTESTING_CODE, {"bars": str(bars_path), "cash": cash,
                                                      "fee": fee, "fast": fast, "slow": slow})
    if peer is not None:
        differences = [(a, b) for a, b in zip(trades, peer["trades"], strict=False)
                       if not _same_trade(a, b)]
        same = len(peer["trades"]) == len(trades) and not differences
        if differences:
            row["first_difference"] = {"jogak": differences[0][0], "peer": differences[0][1]}
        row.update({"backtesting_version": peer["version"],
                    "backtesting_final_equity": peer["final_equity"],
                    "rel_error": abs(row["jogak_final_equity"] / peer["final_equity"] - 1),
                    "same_trades": bool(same)})
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--low", type=int, default=2)
    parser.add_argument("--high", type=int, default=100)
    parser.add_argument("--fee", type=float, default=0.001)
    parser.add_argument("--cash", type=float, default=10_000.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-parity", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("backtest_sweep.json"))
    args = parser.parse_args()
    work = Path(os.environ.get("TMPDIR", "/tmp")) / f"jogak-sweep-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    btc, _ = load_ohlcv(BTC)
    btc_path = work / "btc.csv"
    btc.to_csv(btc_path)
    results: dict = {"sweep": sweep(btc, args, btc_path)}
    s = results["sweep"]
    print(f"\nSMA sweep: {s['n_pairs']} pairs x {s['n_bars']} bars (BTC daily, fee {args.fee})")
    print(f"{'engine':<22}{'seconds':>10}")
    print(f"{'jogak (numpy)':<22}{s['jogak_seconds']:>10.2f}")
    if "vectorbt_warm_seconds" in s:
        print(f"{'vectorbt warm':<22}{s['vectorbt_warm_seconds']:>10.2f}")
        print(f"{'vectorbt cold (JIT)':<22}{s['vectorbt_cold_seconds']:>10.2f}")
        print(f"max relative difference of final equity over {s['pairs_compared']} pairs: "
              f"{s['max_rel_diff_final_equity']:.2e}")
    if not args.skip_parity:
        raw = pd.read_csv(SP500)
        aapl, _ = load_ohlcv(raw[raw["Name"] == "AAPL"].drop(columns=["Name"]))
        aapl_path = work / "aapl.csv"
        aapl.to_csv(aapl_path)
        results["parity"] = [parity_case(btc, "BTC daily", 10, 30, 10_000_000.0, 0.001,
                                         btc_path),
                             parity_case(aapl, "AAPL daily", 20, 50, 10_000.0, 0.001, aapl_path)]
        print(f"\n{'parity case':<14}{'jogak final':>18}{'backtesting.py':>18}{'rel err':>10}"
              f"{'trades':>8}{'same':>6}")
        for row in results["parity"]:
            print(f"{row['case']:<14}{row['jogak_final_equity']:>18.6f}"
                  f"{row.get('backtesting_final_equity', float('nan')):>18.6f}"
                  f"{row.get('rel_error', float('nan')):>10.1e}{row['jogak_n_trades']:>8}"
                  f"{str(row.get('same_trades', '-')):>6}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=float))
    print(f"\nwritten: {args.out}")


if __name__ == "__main__":
    main()
