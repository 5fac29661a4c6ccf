"""Per-user KKBOX listening features from N synthetic user_log rows: DuckDB vs Spark vs pandas.

The log is written once as Parquet (``jogak.testing._kkbox.write_kkbox_user_logs``; synthetic,
never a real result) under ``--data-dir``. Each (engine, size) runs in its own subprocess; a
sampler in this process adds up the RSS of the subprocess and all its children (the Spark JVM
included) every 0.2 s, so peak RSS is the whole engine's. Wall time is the feature build only
(reading Parquet to writing the per-user Parquet); Spark's session start is reported apart.
CPU seconds of the whole tree are reported too: on a shared machine the wall time also
measures the other jobs. Features: the ``kkbox`` preset's listening table (seconds, plays,
5 completion buckets, unique songs, active days over 7 / 30 days / all history, mean seconds,
trend slope, days since the last listen) for every user, at the cutoff 2017-03-31. pandas runs
the same aggregation with groupby; the script checks that pandas and DuckDB agree. On a shared
machine the load moves between runs: ``--repeat N`` runs the engines in turn N times and prints
the median pandas / DuckDB ratio of the rounds.

    .venv/bin/python benchmarks/churn_aggregate.py --rows 10000000 100000000 \\
        --engines duckdb spark pandas --data-dir /work/bench-data/churn
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CUTOFF = "2017-03-31"
WINDOWS = (7, 30, None)
BUCKETS = ("num_25", "num_50", "num_75", "num_985", "num_100")


# -- the work of one subprocess ------------------------------------------------------------------
def _spec(path: str) -> Any:
    from jogak.data.aggregate import Aggregation, EventTable, FeatureSpec

    aggs = [Aggregation(func="sum", column="total_secs", windows=WINDOWS, name="log_secs"),
            Aggregation(func="mean", column="total_secs", name="log_mean_secs"),
            Aggregation(func="sum", column="plays", windows=WINDOWS, name="log_plays"),
            *(Aggregation(func="sum", column=b, windows=WINDOWS, name=f"log_{b}")
              for b in BUCKETS),
            Aggregation(func="sum", column="num_unq", windows=WINDOWS, name="log_unique_songs"),
            Aggregation(func="active_days", windows=WINDOWS, name="log_active_days"),
            Aggregation(func="slope", column="total_secs", name="log_secs_trend"),
            Aggregation(func="days_since_last", name="log_days_since_last")]
    logs = EventTable(name="logs", source=path, key="msno", time="date",
                      non_negative=("total_secs",), derived={"plays": " + ".join(BUCKETS)},
                      aggregations=tuple(aggs))
    return FeatureSpec(key="msno", events=(logs,))


def _pandas_features(path: str, *, string_keys: bool = False) -> Any:
    import numpy as np
    import pandas as pd

    frame = pd.read_parquet(path)  # msno comes back categorical (dictionary-encoded Parquet)
    if string_keys:  # as read from CSV (KKBOX's format) or a plain string Parquet column
        frame["msno"] = frame["msno"].astype(str)
    ymd = frame["date"].to_numpy()
    # integer YYYYMMDD -> days since 1970 without going through strings (the fast way)
    stamps = pd.to_datetime(pd.DataFrame({"year": ymd // 10000, "month": ymd // 100 % 100,
                                          "day": ymd % 100}))
    epoch_day = ((stamps - pd.Timestamp("1970-01-01")).dt.days).to_numpy()
    cutoff_day = (pd.Timestamp(CUTOFF) - pd.Timestamp("1970-01-01")).days
    keep = epoch_day <= cutoff_day
    frame = frame.loc[keep]
    frame = frame.assign(total_secs=frame["total_secs"].mask(frame["total_secs"] < 0),
                         plays=frame[list(BUCKETS)].sum(axis=1),
                         age=cutoff_day - epoch_day[keep], day=epoch_day[keep])
    measures = ["total_secs", "plays", *BUCKETS, "num_unq"]
    names = {"total_secs": "log_secs", "plays": "log_plays", "num_unq": "log_unique_songs",
             **{b: f"log_{b}" for b in BUCKETS}}
    parts = []
    for window in WINDOWS:
        suffix = "all" if window is None else f"{window}d"
        part = frame if window is None else frame[frame["age"] < window]
        grouped = part.groupby("msno", sort=False, observed=True)
        sums = grouped[measures].sum(min_count=0).rename(
            columns={m: f"{names[m]}_{suffix}" for m in measures})
        sums[f"log_active_days_{suffix}"] = part[["msno", "day"]].drop_duplicates() \
            .groupby("msno", sort=False, observed=True).size()
        parts.append(sums)
    grouped = frame.groupby("msno", sort=False, observed=True)
    stats = pd.DataFrame({"log_mean_secs_all": grouped["total_secs"].mean(),
                          "log_days_since_last_all": grouped["age"].min()})
    valid = frame[frame["total_secs"].notna()]
    x, y = valid["day"].astype(float), valid["total_secs"]
    moments = valid.assign(x=x, y=y, xy=x * y, xx=x * x).groupby("msno", sort=False,
                                                                 observed=True)[
        ["x", "y", "xy", "xx"]].agg(["sum", "count"])
    n = moments[("x", "count")]
    sxy = moments[("xy", "sum")] - moments[("x", "sum")] * moments[("y", "sum")] / n
    sxx = moments[("xx", "sum")] - moments[("x", "sum")] ** 2 / n
    stats["log_secs_trend_all"] = (sxy / sxx.where(sxx.abs() > 1e-9)).replace(
        [np.inf, -np.inf], np.nan)
    out = parts[-1].join(parts[:-1], how="left").join(stats).fillna(
        {c: 0 for p in parts for c in p.columns})
    return out.reset_index().sort_values("msno", ignore_index=True)


def run_one(engine: str, path: str, out: str, memory_limit: str | None) -> dict[str, Any]:
    """Build the features with one engine; returns timings (runs inside the subprocess)."""
    import resource

    def cpu() -> float:  # this process, all its threads (not the Spark JVM)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    result: dict[str, Any] = {"engine": engine}
    if engine.startswith("pandas"):
        started, cpu_started = time.perf_counter(), cpu()
        features = _pandas_features(path, string_keys=engine == "pandas_str")
        features.to_parquet(out, index=False)
        result.update(seconds=time.perf_counter() - started, n_users=len(features),
                      build_cpu_seconds=cpu() - cpu_started)
        return result
    from jogak.data.aggregate import DuckDBEngine, SparkEngine, build_features, local_spark_session

    if engine == "spark":
        started = time.perf_counter()
        session = local_spark_session(cores=2, memory="4g")
        session.sparkContext.setLogLevel("ERROR")
        result["session_seconds"] = time.perf_counter() - started
        runner: Any = SparkEngine(session)
    else:
        runner = DuckDBEngine(memory_limit=memory_limit, threads=2)
    started, cpu_started = time.perf_counter(), cpu()
    with runner:
        built = build_features(_spec(path), cutoff=CUTOFF, engine=runner, out=out)
    result.update(seconds=time.perf_counter() - started, n_users=built.n_rows,
                  repairs=built.repairs.to_dict(orient="records"))
    if engine == "duckdb":
        result["build_cpu_seconds"] = cpu() - cpu_started
    return result


# -- the driver ----------------------------------------------------------------------------------
_TICKS = os.sysconf("SC_CLK_TCK")


def _tree_usage(pid: int) -> tuple[float, float]:
    """RSS (MB) and CPU seconds (user + system, reaped children included) of a process tree."""
    rss, cpu, stack = 0.0, 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1]) / 1024.0
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            cpu += sum(int(v) for v in fields[11:15]) / _TICKS  # utime stime cutime cstime
            for task in Path(f"/proc/{current}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return rss, cpu


def measure(engine: str, path: Path, out: Path, memory_limit: str | None,
            timeout: float) -> dict[str, Any]:
    """Run one engine in a subprocess; sample the peak RSS of its whole process tree."""
    command = [sys.executable, __file__, "--child", engine, str(path), str(out)]
    if memory_limit:
        command += ["--memory-limit", memory_limit]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env, cwd=ROOT)
    peak, cpu = [0.0], [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, used = _tree_usage(process.pid)
            peak[0], cpu[0] = max(peak[0], rss), max(cpu[0], used)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        done.set()
        return {"engine": engine, "error": f"timeout after {timeout:.0f} s",
                "peak_rss_mb": peak[0]}
    done.set()
    sampler.join()
    if process.returncode != 0:
        return {"engine": engine, "error": stderr.strip().splitlines()[-1:],
                "peak_rss_mb": peak[0]}
    result = json.loads(stdout.strip().splitlines()[-1])
    # CPU time tells the work apart from the machine's load (the wall time depends on both)
    result.update(peak_rss_mb=round(peak[0], 1), process_seconds=time.perf_counter() - started,
                  process_cpu_seconds=round(cpu[0], 1))
    return result


def ensure_data(data_dir: Path, n_rows: int, seed: int) -> Path:
    from jogak.testing._kkbox import write_kkbox_user_logs

    path = data_dir / f"user_logs_{n_rows}.parquet"
    if not path.exists():
        started = time.perf_counter()
        write_kkbox_user_logs(path, n_rows, n_users=max(1, n_rows // 100), seed=seed,
                              n_days=120, chunk_rows=2_000_000)
        print(f"generated {path} ({path.stat().st_size / 1e9:.2f} GB) in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    return path


def check_agreement(duckdb_out: Path, pandas_out: Path) -> float:
    """The largest relative difference between the DuckDB and pandas feature tables."""
    import numpy as np
    import pandas as pd

    a = pd.read_parquet(duckdb_out)
    b = pd.read_parquet(pandas_out)[list(a.columns)]
    a, b = (f.assign(msno=f["msno"].astype(str)).sort_values("msno", ignore_index=True)
            for f in (a, b))
    assert a["msno"].tolist() == b["msno"].tolist(), "different users"
    worst = 0.0
    for column in a.columns[1:]:
        x, y = a[column].to_numpy(float), b[column].to_numpy(float)
        both = ~(np.isnan(x) & np.isnan(y))
        scale = np.maximum(np.abs(x[both]), 1.0)
        worst = max(worst, float(np.nanmax(np.abs(x[both] - y[both]) / scale)))
    return worst


def run_round(args: argparse.Namespace, path: Path, n_rows: int) -> dict[str, dict[str, Any]]:
    """Each engine once on the ``n_rows`` file; results by engine."""
    timed: dict[str, dict[str, Any]] = {}
    for engine in args.engines:
        if engine.startswith("pandas") and n_rows > args.pandas_max_rows:
            timed[engine] = {"rows": n_rows, "engine": engine,
                             "error": "skipped: above --pandas-max-rows"}
            continue
        load = os.getloadavg()[0]
        result = measure(engine, path, _features_path(args.data_dir, engine, n_rows),
                         args.memory_limit, args.timeout)
        result.update(rows=n_rows, load_average=[round(load, 1), round(os.getloadavg()[0], 1)])
        timed[engine] = result
        print(json.dumps({k: v for k, v in result.items() if k != "repairs"}, default=str),
              flush=True)
    return timed


def _features_path(data_dir: Path, engine: str, n_rows: int) -> Path:
    return data_dir / f"features_{engine}_{n_rows}.parquet"


def compare(timed: dict[str, dict[str, Any]], data_dir: Path, n_rows: int, run: int
            ) -> dict[str, Any]:
    """DuckDB against pandas in one round: agreement, wall and CPU ratios."""
    duck, pand = timed["duckdb"], timed["pandas"]
    return {"rows": n_rows, "engine": "check", "round": run,
            "max_rel_diff_duckdb_vs_pandas": check_agreement(
                _features_path(data_dir, "duckdb", n_rows),
                _features_path(data_dir, "pandas", n_rows)),
            "pandas_over_duckdb_wall": pand["seconds"] / duck["seconds"],
            "pandas_over_duckdb_cpu": pand["build_cpu_seconds"] / duck["build_cpu_seconds"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000_000, 100_000_000])
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark", "pandas"],
                        choices=["duckdb", "spark", "pandas", "pandas_str"],
                        help="pandas groups by categorical ids (as read from dictionary-encoded "
                             "Parquet); pandas_str by string ids (as read from CSV).")
    parser.add_argument("--data-dir", type=Path, default=Path("/work/bench-data/churn"))
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit.")
    parser.add_argument("--pandas-max-rows", type=int, default=30_000_000,
                        help="pandas only up to this size (it holds the log in memory).")
    parser.add_argument("--timeout", type=float, default=3600.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=1,
                        help="Rounds per size, each running every engine once in turn (on a "
                             "shared machine the load moves; the median ratio is printed).")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" /
                        "churn_aggregate.json")
    parser.add_argument("--child", nargs=3, metavar=("ENGINE", "PATH", "OUT"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        engine, path, out = args.child
        print(json.dumps(run_one(engine, path, out, args.memory_limit), default=str))
        return
    args.data_dir.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for n_rows in args.rows:
        path = ensure_data(args.data_dir, n_rows, args.seed)
        checks = []
        for run in range(args.repeat):  # rounds alternate the engines under the same load
            timed = run_round(args, path, n_rows)
            rows += timed.values()
            if {"duckdb", "pandas"} <= set(timed) and all("error" not in r
                                                         for r in timed.values()):
                checks.append(compare(timed, args.data_dir, n_rows, run))
        rows += checks
        if len(checks) > 1:
            rows.append({"rows": n_rows, "engine": "median", "rounds": len(checks),
                         **{k: statistics.median(c[k] for c in checks)
                            for k in ("pandas_over_duckdb_wall", "pandas_over_duckdb_cpu")}})
    print(f"\n{'rows':>12} {'engine':>8} {'seconds':>9} {'CPU s':>8} {'peak RSS MB':>12} "
          f"{'users':>10}")
    for r in rows:
        if r["engine"] == "median":
            print(f"{r['rows']:>12,} {'median':>8}  of {r['rounds']} rounds, pandas / DuckDB: "
                  f"wall {r['pandas_over_duckdb_wall']:.1f}x, CPU "
                  f"{r['pandas_over_duckdb_cpu']:.1f}x")
        elif r["engine"] == "check":
            print(f"{r['rows']:>12,} {'check':>8}  max relative difference DuckDB vs pandas "
                  f"{r['max_rel_diff_duckdb_vs_pandas']:.2e}; pandas / DuckDB: wall "
                  f"{r['pandas_over_duckdb_wall']:.1f}x, CPU {r['pandas_over_duckdb_cpu']:.1f}x")
        elif "error" in r:
            print(f"{r['rows']:>12,} {r['engine']:>8}  {r['error']}")
        else:
            extra = f" (+{r['session_seconds']:.0f} s session)" if "session_seconds" in r else ""
            print(f"{r['rows']:>12,} {r['engine']:>8} {r['seconds']:>9.1f} "
                  f"{r['process_cpu_seconds']:>8.0f} {r['peak_rss_mb']:>12,.0f} "
                  f"{r['n_users']:>10,}{extra}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"cutoff": CUTOFF, "cores": os.cpu_count(),
                                    "load_average": os.getloadavg(), "results": rows},
                                   indent=2, default=str))
    print(f"\nwritten {args.out}")


if __name__ == "__main__":
    main()
