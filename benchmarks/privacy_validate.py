"""Pseudonymise + validate a big behaviour table: jogak against a pandas + hashlib baseline.

Both sides read the same CSV of raw behaviour events (buyer ids are e-mail addresses), turn
every buyer id into its HMAC-SHA256 token (first 32 hex digits, same key), check the e-commerce
standard's behaviour rules, count the failures per rule and write the pseudonymised table as
Parquet:

* jogak: ``jogak.solutions.commerce.prepare_file`` - one streaming pass over Arrow batches:
  the next batch parsed while this one is tokenised, the two before it assessed on two more
  threads, the last one written (zstd Parquet) on another; tokens remembered across batches
  in Arrow/numpy form (one HMAC per distinct id), numbers and time stamps read from the Arrow
  text with numpy (pandas only for other layouts), rules on distinct values where values
  repeat, cross-batch uniqueness by 64-bit hash.
* baseline: what one writes with pandas + hashlib: ``pd.read_csv`` of the whole file,
  ``hmac.new`` per row, the rules as vectorised pandas expressions, ``to_parquet``.

Each side runs in its own process (wall time and peak RSS of that process); both must agree
on the failure counts. A share of rows gets planted faults (negative amounts, dates that do not
exist, duplicated event ids, unknown event types).

    .venv/bin/python benchmarks/privacy_validate.py --rows 10000000
    .venv/bin/python benchmarks/privacy_validate.py --rows 1000000 --out pv_1m.json

Peaks and times are for the 2-core project machine shared with other jobs; run it alone.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

KEY = b"benchmark-key-0123456789abcdef-0123456789"
CHUNK = 1_000_000
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$"


def generate(path: Path, n_rows: int, fault_share: float, seed: int) -> dict[str, int]:
    """Write the raw CSV chunk by chunk; return the planted faults per kind."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    from jogak.testing._commerce import make_behaviour_events

    rng = np.random.default_rng(seed)
    planted = {"amount.range": 0, "timestamp.type": 0, "event_id.unique": 0,
               "event_type.allowed": 0}
    writer = None
    tmp = path.with_name(path.name + ".partial")
    for start in range(0, n_rows, CHUNK):
        size = min(CHUNK, n_rows - start)
        frame = make_behaviour_events(size, seed=seed + start, n_buyers=max(1, n_rows // 20),
                                      first_id=start + 1)
        frame["amount"] = frame["amount"].astype(object)
        frame["timestamp"] = frame["timestamp"].astype(object)
        for kind in planted:
            rows = rng.choice(np.arange(1, size), size=int(size * fault_share / 4),
                              replace=False)
            if kind == "amount.range":
                frame.loc[rows, "amount"] = -1.0
            elif kind == "timestamp.type":
                frame.loc[rows, "timestamp"] = "2024-02-30 12:00:00"
            elif kind == "event_id.unique":
                frame.loc[rows, "event_id"] = frame.loc[rows - 1, "event_id"].to_numpy()
            else:
                frame.loc[rows, "event_type"] = "buy"
            planted[kind] += len(rows)
        table = pa.Table.from_pandas(frame.astype(str).replace({"nan": "", "None": ""}),
                                     preserve_index=False)
        if writer is None:
            writer = pacsv.CSVWriter(str(tmp), table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()
    tmp.replace(path)
    return planted


def run_jogak(source: Path, out: Path, batch_size: int) -> dict[str, int]:
    from jogak.data.privacy import PseudonymKey
    from jogak.solutions.commerce import prepare_file

    prepared = prepare_file(source, out, table="behaviour", key=PseudonymKey(KEY),
                            batch_size=batch_size)
    return {r.rule.id.removeprefix("behaviour."): r.n_failed for r in prepared.report.failures}


def run_baseline(source: Path, out: Path) -> dict[str, int]:
    from jogak.solutions.commerce import get_table
    from jogak.solutions.commerce._standard import PRODUCT_EVENTS

    frame = pd.read_csv(source, dtype=str, keep_default_na=False)
    frame["buyer_id"] = [hmac.new(KEY, value.encode(), hashlib.sha256).hexdigest()[:32]
                         for value in frame["buyer_id"]]
    spec = get_table("behaviour")
    fails: dict[str, pd.Series] = {}
    blank = {c: frame[c].str.strip() == "" for c in frame.columns}
    for name in ("event_id", "buyer_id", "product_id", "order_id"):
        fails[f"{name}.pattern"] = ~blank[name] & ~frame[name].str.match(ID_PATTERN)
    for name in ("event_id", "buyer_id", "timestamp", "event_type"):
        fails[f"{name}.required"] = blank[name]
    fails["event_id.unique"] = ~blank["event_id"] & frame["event_id"].where(
        ~blank["event_id"]).duplicated() & frame["event_id"].where(~blank["event_id"]).notna()
    stamps = pd.to_datetime(frame["timestamp"], format="ISO8601", errors="coerce")
    fails["timestamp.type"] = stamps.isna() & ~blank["timestamp"]
    fails["timestamp.range"] = (stamps < "1970-01-01") | (stamps > "2100-12-31")
    for name, low, high in (("quantity", 1, 100_000), ("amount", 0, 1e10)):
        number = pd.to_numeric(frame[name], errors="coerce")
        fails[f"{name}.type"] = number.isna() & ~blank[name]
        if name == "quantity":
            fails[f"{name}.type"] |= number.notna() & (number != np.floor(number))
        fails[f"{name}.range"] = (number < low) | (number > high)
    fails["currency.pattern"] = ~blank["currency"] & ~frame["currency"].str.match(r"^[A-Z]{3}$")
    for name in ("event_type", "payment_method", "channel", "device"):
        fails[f"{name}.allowed"] = ~blank[name] & ~frame[name].isin(spec.item(name).allowed)
    fails["product_id.product_event"] = frame["event_type"].isin(PRODUCT_EVENTS) & \
        blank["product_id"]
    counts = {rule: int(mask.sum()) for rule, mask in fails.items() if mask.sum()}
    frame.to_parquet(out, index=False)
    return counts


def child(method: str, source: Path, workdir: Path, batch_size: int) -> None:
    import jogak.solutions.commerce  # noqa: F401 - imports are not what is measured

    start = time.perf_counter()
    cpu_start = time.process_time()
    out = workdir / f"{method}_out.parquet"
    counts = run_jogak(source, out, batch_size) if method == "jogak" else \
        run_baseline(source, out)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    print(json.dumps({"method": method, "seconds": seconds, "cpu_seconds": cpu_seconds,
                      "peak_rss_bytes": peak,
                      "failures": counts, "output_bytes": out.stat().st_size}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--batch-size", type=int, default=250_000)
    parser.add_argument("--fault-share", type=float, default=0.001)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jogak_privacy_validate"))
    parser.add_argument("--methods", nargs="+", default=["jogak", "baseline"],
                        choices=["jogak", "baseline"])
    parser.add_argument("--out", type=Path, default=Path("privacy_validate.json"))
    parser.add_argument("--run", choices=["jogak", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    source = args.workdir / f"behaviour_{args.rows}.csv"
    if args.run:
        child(args.run, source, args.workdir, args.batch_size)
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    meta_path = source.with_suffix(".planted.json")
    if not source.exists():
        started = time.perf_counter()
        planted = generate(source, args.rows, args.fault_share, args.seed)
        meta_path.write_text(json.dumps(planted))
        print(f"generated {args.rows:,} rows in {time.perf_counter() - started:.0f} s "
              f"({source.stat().st_size / 1e9:.2f} GB)", file=sys.stderr)
    planted = json.loads(meta_path.read_text())
    results = []
    for method in args.methods:
        done = subprocess.run([sys.executable, __file__, "--run", method, "--rows",
                               str(args.rows), "--batch-size", str(args.batch_size),
                               "--workdir", str(args.workdir)],
                              capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"\n{args.rows:,} behaviour rows ({source.stat().st_size / 1e9:.2f} GB CSV), "
          f"planted faults {planted}")
    print(f"{'method':10s} {'wall s':>9s} {'CPU s':>9s} {'peak RSS':>10s} {'rows/s':>12s}")
    for r in results:
        print(f"{r['method']:10s} {r['seconds']:9.1f} {r['cpu_seconds']:9.1f} "
              f"{r['peak_rss_bytes'] / 1e9:8.2f} GB {args.rows / r['seconds']:12,.0f}")
    by_method = {r["method"]: r for r in results}
    summary: dict[str, object] = {"rows": args.rows, "planted": planted, "results": results}
    if {"jogak", "baseline"} <= set(by_method):
        speedup = by_method["baseline"]["seconds"] / by_method["jogak"]["seconds"]
        cpu_speedup = by_method["baseline"]["cpu_seconds"] / by_method["jogak"]["cpu_seconds"]
        memory = by_method["baseline"]["peak_rss_bytes"] / by_method["jogak"]["peak_rss_bytes"]
        agree = by_method["jogak"]["failures"] == by_method["baseline"]["failures"]
        print(f"jogak is {speedup:.1f}x faster (wall; {cpu_speedup:.1f}x in CPU time) with "
              f"{memory:.1f}x less peak memory; failure counts agree: {agree}")
        if not agree:
            print(f"  jogak    {by_method['jogak']['failures']}\n"
                  f"  baseline {by_method['baseline']['failures']}")
        summary.update({"speedup": speedup, "cpu_speedup": cpu_speedup, "memory_ratio": memory,
                        "counts_agree": agree})
    args.out.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
