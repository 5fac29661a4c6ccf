"""Single-row serving load test: ``jogak serve`` against ``mlflow models serve`` of one model.

A LightGBM model is trained on Telco churn, registered, and served by jogak (its fast
single-row path, ``POST /v1/models/telco/predict``) and by MLflow (the pyfunc jogak registers,
``POST /invocations``). Each server runs pinned to CPU 0; the load generator (a minimal
keep-alive HTTP/1.1 client on asyncio streams, in its own process) is pinned to CPU 1. For
each server: open-loop runs at fixed rates (latency counted from each request's *scheduled*
time, so queueing is not hidden) and a closed-loop saturation run. Prints a table and writes JSON.

    python benchmarks/serve_load.py                       # both servers, 100 and 400 req/s
    bash benchmarks/setup_mlflow.sh                       # once: the MLflow peer's own venv
    python benchmarks/serve_load.py --duration 30 --rates 100,400,800 --out results.json
    python benchmarks/serve_load.py --with-log --skip-mlflow  # also jogak with the prediction
                                                             # log on (customerID tokenised)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
KEY = "benchmark-key-000000000001"


# ------------------------------------------------------------------ load generator (CPU 1)
# A minimal HTTP/1.1 keep-alive client on raw asyncio streams: a general-purpose client (httpx)
# costs more CPU per request than the server under test, so it would measure itself.

class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    @classmethod
    async def open(cls, host: str, port: int) -> _Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def post(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        await self.reader.readexactly(length)
        return status


def _requests(url: str, bodies: list[bytes], headers: dict[str, str]) -> tuple[str, int,
                                                                                list[bytes]]:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    built = [(f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{extra}"
              f"Content-Length: {len(body)}\r\n\r\n").encode() + body for body in bodies]
    return parts.hostname or "127.0.0.1", int(parts.port or 80), built


async def _open_loop(url: str, bodies: list[bytes], headers: dict[str, str], rate: float,
                     duration: float) -> dict[str, Any]:
    host, port, requests = _requests(url, bodies, headers)
    idle: asyncio.Queue[_Connection] = asyncio.Queue()
    for _ in range(64):
        idle.put_nowait(await _Connection.open(host, port))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    start = time.perf_counter() + 0.1
    tasks = []

    async def one(i: int, scheduled: float) -> None:
        connection = await idle.get()
        try:
            key = str(await connection.post(requests[i % len(requests)]))
            idle.put_nowait(connection)
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            key = type(exc).__name__
            idle.put_nowait(await _Connection.open(host, port))
        latencies.append(time.perf_counter() - scheduled)  # from the scheduled time
        statuses[key] = statuses.get(key, 0) + 1

    for i in range(int(rate * duration)):
        scheduled = start + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, scheduled)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    return _summary(latencies, statuses, elapsed, mode=f"{rate:g} req/s")


async def _closed_loop(url: str, bodies: list[bytes], headers: dict[str, str], concurrency: int,
                       duration: float) -> dict[str, Any]:
    host, port, requests = _requests(url, bodies, headers)
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    start = time.perf_counter()
    stop = start + duration

    async def worker(offset: int) -> None:
        connection = await _Connection.open(host, port)
        i = offset
        while time.perf_counter() < stop:
            sent = time.perf_counter()
            try:
                key = str(await connection.post(requests[i % len(requests)]))
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                key = type(exc).__name__
                connection = await _Connection.open(host, port)
            latencies.append(time.perf_counter() - sent)
            statuses[key] = statuses.get(key, 0) + 1
            i += concurrency
        connection.writer.close()

    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    elapsed = time.perf_counter() - start
    return _summary(latencies, statuses, elapsed, mode=f"saturation ({concurrency} clients)")


def _summary(latencies: list[float], statuses: dict[str, int], elapsed: float,
             mode: str) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else \
            float("nan")

    errors = sum(v for k, v in statuses.items() if k != "200")
    return {"mode": mode, "requests": len(latencies), "seconds": round(elapsed, 2),
            "throughput": round(len(latencies) / elapsed, 1), "p50_ms": round(pct(0.50), 2),
            "p90_ms": round(pct(0.90), 2), "p99_ms": round(pct(0.99), 2),
            "max_ms": round(1000 * ordered[-1], 2) if ordered else None, "errors": errors,
            "statuses": statuses}


def _generate(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    bodies = [body.encode() for body in spec["bodies"]]
    if spec["kind"] == "open":
        result = asyncio.run(_open_loop(spec["url"], bodies, spec["headers"], spec["rate"],
                                        spec["duration"]))
    else:
        result = asyncio.run(_closed_loop(spec["url"], bodies, spec["headers"],
                                          spec["concurrency"], spec["duration"]))
    print(json.dumps(result))


def _run_load(spec: dict[str, Any], workdir: Path) -> dict[str, Any]:
    path = workdir / f"spec-{time.time_ns()}.json"
    path.write_text(json.dumps(spec))
    command = [sys.executable, __file__, "--generate", str(path)]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "1", *command]
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ servers (CPU 0)

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(command: list[str], env: dict[str, str], health: str, log: Path,
           timeout: float = 300.0) -> subprocess.Popen[bytes]:
    import httpx

    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    with open(log, "wb") as handle:
        process = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{command[0]} exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(health, timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"server did not answer {health} in {timeout} s: {log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _measure(name: str, url: str, bodies: list[str], headers: dict[str, str],
             args: argparse.Namespace, workdir: Path) -> list[dict[str, Any]]:
    results = []
    warm = {"kind": "closed", "url": url, "bodies": bodies, "headers": headers,
            "concurrency": 4, "duration": 3.0}
    _run_load(warm, workdir)
    for rate in args.rates:
        spec = {"kind": "open", "url": url, "bodies": bodies, "headers": headers, "rate": rate,
                "duration": args.duration}
        results.append({"server": name, **_run_load(spec, workdir)})
        print(_row(results[-1]), flush=True)
    spec = {"kind": "closed", "url": url, "bodies": bodies, "headers": headers,
            "concurrency": args.concurrency, "duration": args.duration}
    results.append({"server": name, **_run_load(spec, workdir)})
    print(_row(results[-1]), flush=True)
    return results


def _row(result: dict[str, Any]) -> str:
    return (f"{result['server']:<22}{result['mode']:<26}{result['throughput']:>9.1f}"
            f"{result['p50_ms']:>9.2f}{result['p99_ms']:>9.2f}{result['errors']:>8}")


# ------------------------------------------------------------------ main

def _train(data_dir: Path, workdir: Path, n_trials: int) -> tuple[Path, Any, Any]:
    import pandas as pd

    from jogak.models import AutoMLClassifier

    frame = pd.read_csv(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    X, y = frame.drop(columns=["Churn", "customerID"]), frame["Churn"]
    model = AutoMLClassifier(n_trials=n_trials, include_models=("lightgbm",), random_state=0,
                             n_jobs=1, stacking=False)
    model.fit(X, y)
    model.target_name_ = "Churn"
    return model.save(workdir / "telco-bundle", name="telco"), X, frame["customerID"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("JOGAK_DATA_DIR",
                                                    REPO.parent / "shared" / "datasets")))
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per run")
    parser.add_argument("--rates", type=lambda s: [float(x) for x in s.split(",")],
                        default=[100.0, 400.0])
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--mlflow-bin", type=Path, default=Path(sys.executable).parent,
                        help="bin folder holding the `mlflow` to serve with: default this "
                             "venv's (the `mlflow` extra, mlflow-skinny: the same scoring "
                             "server); or /work/peers/mlflow/bin from benchmarks/setup_mlflow.sh "
                             "if that venv has every library the bundle's manifest records")
    parser.add_argument("--skip-mlflow", action="store_true")
    parser.add_argument("--with-log", action="store_true",
                        help="also measure jogak with --log-predictions (SQLite, customerID as "
                             "the pseudonymised entity key, tenure kept)")
    parser.add_argument("--out", type=Path, default=Path("serve_load_results.json"))
    args = parser.parse_args()
    if args.generate:
        _generate(args.generate)
        return

    workdir = Path(tempfile.mkdtemp(prefix="jogak-serve-load-"))
    print(f"training LightGBM on Telco ({args.trials} trials) ...", flush=True)
    bundle, X, ids = _train(args.data, workdir, args.trials)
    from jogak.registry import Registry

    home = workdir / "home"
    with Registry(home) as registry:
        registry.register(bundle, "telco", alias="production")
    sample = X.sample(500, random_state=0)
    rows = json.loads(sample.to_json(orient="records"))
    keyed = json.loads(sample.assign(customerID=ids.loc[sample.index]).to_json(orient="records"))
    order = list(range(len(rows)))
    random.Random(0).shuffle(order)
    rows, keyed = [rows[i] for i in order], [keyed[i] for i in order]
    env = {**os.environ, "JOGAK_HOME": str(home), "JOGAK_API_KEYS": f"{KEY}:all"}
    results: list[dict[str, Any]] = []
    header = f"{'server':<22}{'load':<26}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}"
    print(header, flush=True)

    port = _free_port()
    jogak = [str(Path(sys.executable).with_name("jogak")), "serve", "--port", str(port),
             "--model", "telco", "--log-level", "warning"]
    server = _start(jogak, env, f"http://127.0.0.1:{port}/health", workdir / "jogak.log")
    try:
        auth = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
        results += _measure("jogak /v1 predict", f"http://127.0.0.1:{port}/v1/models/telco/"
                            "predict", [json.dumps({"record": r}) for r in rows], auth, args,
                            workdir)
        results += _measure("jogak /invocations", f"http://127.0.0.1:{port}/invocations",
                            [json.dumps({"dataframe_records": [r]}) for r in rows], auth, args,
                            workdir)
    finally:
        _stop(server)

    if args.with_log:
        port = _free_port()
        logged = [*jogak[:3], str(port), *jogak[4:], "--log-predictions",
                  str(workdir / "predictions.db"), "--log-entity", "customerID",
                  "--log-key-file", str(workdir / "log.key"), "--log-columns", "tenure"]
        from jogak.data.privacy import generate_key_file

        generate_key_file(workdir / "log.key")
        server = _start(logged, env, f"http://127.0.0.1:{port}/health", workdir / "logged.log")
        try:
            auth = {"Authorization": f"Bearer {KEY}", "Content-Type": "application/json"}
            results += _measure("jogak /v1 + log", f"http://127.0.0.1:{port}/v1/models/telco/"
                                "predict", [json.dumps({"record": r}) for r in keyed], auth,
                                args, workdir)
        finally:
            _stop(server)
        from jogak.monitor import read_prediction_log

        n_logged = len(read_prediction_log(workdir / "predictions.db"))
        served = sum(r["statuses"].get("200", 0) for r in results if r["server"] ==
                     "jogak /v1 + log")
        print(f"prediction log: {n_logged} rows for {served} answered requests (plus warm-up)")

    if not args.skip_mlflow:
        from jogak.registry import log_to_mlflow

        tracking = f"sqlite:///{workdir / 'mlflow.db'}"
        import mlflow

        mlflow.set_tracking_uri(tracking)
        mlflow.create_experiment("jogak", artifact_location=str(workdir / "mlartifacts"))
        log_to_mlflow(bundle, tracking_uri=tracking, registered_model_name="telco")
        executable = str(args.mlflow_bin / "mlflow")
        port = _free_port()
        command = [executable, "models", "serve", "-m", "models:/telco/1", "--env-manager",
                   "local", "--host", "127.0.0.1", "-p", str(port)]
        path = f"{Path(executable).parent}{os.pathsep}{env.get('PATH', '')}"  # its uvicorn
        server = _start(command, {**env, "MLFLOW_TRACKING_URI": tracking, "PATH": path},
                        f"http://127.0.0.1:{port}/ping", workdir / "mlflow.log")
        try:
            results += _measure("mlflow /invocations", f"http://127.0.0.1:{port}/invocations",
                                [json.dumps({"dataframe_records": [r]}) for r in rows],
                                {"Content-Type": "application/json"}, args, workdir)
        finally:
            _stop(server)
        results[-1]["mlflow"] = executable

    saturated = {r["server"]: r["throughput"] for r in results if r["mode"].startswith("sat")}
    summary: dict[str, Any] = {"results": results, "cpus": os.cpu_count(),
                               "load_average": os.getloadavg(), "duration": args.duration}
    if "mlflow /invocations" in saturated:
        summary["throughput_ratio_vs_mlflow"] = round(
            saturated["jogak /v1 predict"] / saturated["mlflow /invocations"], 2)
        print(f"jogak / MLflow saturation throughput: {summary['throughput_ratio_vs_mlflow']}x")
    args.out.write_text(json.dumps(summary, indent=2))
    print(f"results written to {args.out}")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
