"""What every runner measures, the same way in every framework's interpreter.

A runner script (run_<framework>.py) defines an adapter class and calls :func:`main`. This
module must import with numpy, pandas and scikit-learn only, because it runs inside each peer's
own venv. The child process: reads the fold's train/test parquet files and the JSON config, fits
under the budget, scores the test fold, saves and reloads the model, times single-row and 10k-row
predictions, and writes one JSON result. Anything that goes wrong is written as an error result.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
from sklearn import metrics as skm

__all__ = ["Adapter", "Latency", "Throughput", "batch_throughput", "main", "own_cpu_seconds",
           "package_versions", "score", "single_row_latency"]

TARGET = "__target__"
N_WARMUP = 20
LATENCY_SECONDS = 15.0


class Adapter(Protocol):
    """What a runner implements for one framework (probabilities in ``classes`` order)."""

    classes: list[Any]

    def fit(self, X: pd.DataFrame, y: pd.Series) -> None: ...
    def predict(self, X: pd.DataFrame) -> np.ndarray: ...
    def predict_proba(self, X: pd.DataFrame) -> np.ndarray: ...
    def predict_one(self, row: pd.DataFrame, record: dict[str, Any]) -> Any: ...
    def save(self, path: Path) -> None: ...
    def load(self, path: Path) -> Adapter: ...
    def describe(self) -> dict[str, Any]: ...
    def versions(self) -> dict[str, str]: ...


def package_versions(*names: str) -> dict[str, str]:
    """Installed versions of the given distributions plus python/numpy/pandas/scikit-learn."""
    found = {"python": platform.python_version()}
    for name in ("numpy", "pandas", "scikit-learn", *names):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def score(kind: str, y_true: pd.Series, pred: np.ndarray,
          proba: np.ndarray | None, classes: list[Any]) -> dict[str, float]:
    """The task metrics: roc_auc/accuracy/log_loss for classes, rmse/mae/r2 for values."""
    if kind == "regression":
        return {"rmse": float(np.sqrt(skm.mean_squared_error(y_true, pred))),
                "mae": float(skm.mean_absolute_error(y_true, pred)),
                "r2": float(skm.r2_score(y_true, pred))}
    assert proba is not None
    proba = np.clip(proba, 1e-15, 1.0)
    proba = proba / proba.sum(axis=1, keepdims=True)
    out = {"accuracy": float(skm.accuracy_score(y_true, pred)),
           "log_loss": float(skm.log_loss(y_true, proba, labels=classes))}
    if kind == "binary":
        out["roc_auc"] = float(skm.roc_auc_score(y_true == classes[1], proba[:, 1]))
    else:
        out["roc_auc"] = float(skm.roc_auc_score(y_true, proba, multi_class="ovr",
                                                 labels=classes))
    return out


def _rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def _tree_pids(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo += [int(p) for p in (task / "children").read_text().split()]
            except OSError:
                continue
    return pids


def _pss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class PeakMemory(threading.Thread):
    """Samples the PSS of this process and all its descendants (ray workers too) 4 times/s.

    PSS splits shared pages between the processes that map them, so the sum does not double
    count; ``peak_mb`` also covers this process's exact ru_maxrss (PSS <= RSS).
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.tree_peak_mb = 0.0
        self.is_running = True

    def run(self) -> None:
        while self.is_running:
            total = sum(_pss_mb(pid) for pid in _tree_pids(os.getpid()))
            self.tree_peak_mb = max(self.tree_peak_mb, total)
            time.sleep(0.25)

    def peak_mb(self) -> float:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
        return max(own, self.tree_peak_mb)


def _proc_cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` plus those of the children it has reaped (cutime + cstime)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds of this process and of the children it has waited for."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def _tree_cpu_seconds(start: float) -> float:
    """CPU seconds used since ``start`` (a :func:`own_cpu_seconds` reading) by this process and
    its descendants: its own and reaped children's time, plus each live descendant's own and
    reaped time (ray or loky workers still running). Processes that detached from the tree are
    not seen."""
    live = sum(_proc_cpu_seconds(pid) for pid in _tree_pids(os.getpid())[1:])
    return own_cpu_seconds() - start + live


def _size_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _aligned_proba(adapter: Adapter, X: pd.DataFrame, classes: list[Any]) -> np.ndarray:
    proba = np.asarray(adapter.predict_proba(X), dtype=np.float64)
    order = [list(adapter.classes).index(c) for c in classes]
    return proba[:, order]


@dataclass(frozen=True)
class Latency:
    """Single-row call times: wall p50/p99 and process-CPU p50 in ms, over ``calls`` calls."""

    p50_ms: float
    p99_ms: float
    cpu_p50_ms: float
    calls: int


@dataclass(frozen=True)
class Throughput:
    """Rows per second of one batch call (median of up to 3), in wall and in process CPU time."""

    rows_per_s: float
    rows_per_cpu_s: float


def single_row_latency(predict_one: Callable[[pd.DataFrame, dict[str, Any]], Any],
                       X: pd.DataFrame, n_calls: int) -> Latency:
    """Time ``predict_one(row, record)`` on rows of ``X`` (a one-row frame and its dict).

    ``N_WARMUP`` calls first, then ``n_calls`` timed ones; slow predictors stop after
    ``LATENCY_SECONDS`` (>= 50 calls). Wall time excludes the CPU clock reads around it; CPU
    time is that of this process (all its threads), which the load average does not inflate.
    """
    rows = [X.iloc[[i % len(X)]] for i in range(n_calls)]
    records = [row.iloc[0].to_dict() for row in rows]
    for i in range(N_WARMUP):
        predict_one(rows[i % n_calls], records[i % n_calls])
    times, cpu_times = [], []
    deadline = time.perf_counter() + LATENCY_SECONDS
    for i in range(n_calls):
        cpu = time.process_time_ns()
        start = time.perf_counter_ns()
        predict_one(rows[i], records[i])
        times.append(time.perf_counter_ns() - start)
        cpu_times.append(time.process_time_ns() - cpu)
        if i >= 49 and time.perf_counter() > deadline:
            break
    return Latency(p50_ms=float(np.percentile(times, 50) / 1e6),
                   p99_ms=float(np.percentile(times, 99) / 1e6),
                   cpu_p50_ms=float(np.percentile(cpu_times, 50) / 1e6), calls=len(times))


def batch_throughput(predict: Callable[[pd.DataFrame], Any], X: pd.DataFrame, n_rows: int,
                     seed: int) -> Throughput:
    """``n_rows`` rows of ``X`` drawn with replacement, predicted in one call (after a 100-row
    warm-up); the median of 3 calls, or of 1 when a call takes more than 20 s."""
    batch = X.sample(n_rows, replace=True, random_state=seed).reset_index(drop=True)
    predict(batch.iloc[:100])
    seconds, cpu_seconds = [], []
    for _ in range(3):
        cpu = time.process_time()
        start = time.perf_counter()
        predict(batch)
        seconds.append(time.perf_counter() - start)
        cpu_seconds.append(time.process_time() - cpu)
        if seconds[-1] > 20:
            break  # slow predictors are measured once
    return Throughput(rows_per_s=n_rows / float(np.median(seconds)),
                      rows_per_cpu_s=n_rows / max(float(np.median(cpu_seconds)), 1e-9))


def _run(adapter_cls: type, config: dict[str, Any], result: dict[str, Any]) -> None:
    kind, budget = config["kind"], float(config["budget"])
    train = pd.read_parquet(config["train_path"])
    test = pd.read_parquet(config["test_path"])
    y_train, X_train = train.pop(TARGET), train
    y_test, X_test = test.pop(TARGET), test
    result.update(n_train=len(X_train), n_test=len(X_test), n_features=X_train.shape[1],
                  baseline_rss_mb=round(_rss_mb(), 1))
    adapter: Adapter = adapter_cls(config)
    result["versions"] = adapter.versions()

    memory = PeakMemory()
    memory.start()
    cpu_start = own_cpu_seconds()
    start = time.perf_counter()
    result.update(phase="fit", fit_started=start)
    adapter.fit(X_train, y_train)
    fit_seconds = time.perf_counter() - start
    fit_cpu_seconds = _tree_cpu_seconds(cpu_start)
    memory.is_running = False
    result.update(fit_seconds=round(fit_seconds, 3), fit_cpu_seconds=round(fit_cpu_seconds, 2),
                  overrun=round(max(0.0, fit_seconds / budget - 1.0), 4),
                  peak_memory_mb=round(memory.peak_mb(), 1),
                  peak_tree_pss_mb=round(memory.tree_peak_mb, 1))

    result["phase"] = "predict"
    classes = sorted(pd.unique(y_train).tolist()) if kind != "regression" else []
    proba = _aligned_proba(adapter, X_test, classes) if classes else None
    pred = np.asarray(adapter.predict(X_test))
    result["metrics"] = score(kind, y_test, pred, proba, classes)
    result["score"] = result["metrics"][config["metric"]]
    result["model"] = adapter.describe()

    result["phase"] = "save"
    artifact = Path(config["workdir"]) / "artifact"
    adapter.save(artifact)
    result["artifact_bytes"] = _size_bytes(artifact)
    reloaded = adapter.load(artifact)
    head = X_test.iloc[:200]
    again = (_aligned_proba(reloaded, head, classes) if classes
             else np.asarray(reloaded.predict(head), dtype=np.float64))
    before = proba[:200] if proba is not None else pred[:200].astype(np.float64)
    result["reload_ok"] = bool(np.allclose(before, again, rtol=1e-6, atol=1e-9))
    del reloaded

    result["phase"] = "latency"
    latency = single_row_latency(adapter.predict_one, X_test,
                                 int(config.get("n_latency", 300)))
    result.update(latency_p50_ms=round(latency.p50_ms, 4),
                  latency_p99_ms=round(latency.p99_ms, 4), latency_calls=latency.calls)
    many = adapter.predict if kind == "regression" else adapter.predict_proba
    throughput = batch_throughput(many, X_test, int(config.get("batch_rows", 10_000)),
                                  int(config["seed"]))
    result["batch_rows_per_s"] = round(throughput.rows_per_s, 1)
    if artifact.is_dir():
        shutil.rmtree(artifact, ignore_errors=True)
    else:
        artifact.unlink()
    result.update(status="ok", phase="done")


def main(adapter_cls: type) -> None:
    """Entry point of a runner: ``python run_<framework>.py CONFIG.json``."""
    config = json.loads(Path(sys.argv[1]).read_text())
    result: dict[str, Any] = {"status": "error"}
    try:
        _run(adapter_cls, config, result)
    except BaseException as exc:  # every failure, even KeyboardInterrupt, becomes a result
        result["error"] = f"{type(exc).__name__}: {exc}"[:500]
        result["traceback"] = traceback.format_exc()[-4000:]
        if result.get("phase") == "fit":
            fit_seconds = time.perf_counter() - result["fit_started"]
            result.update(fit_seconds=round(fit_seconds, 3), overrun=round(
                max(0.0, fit_seconds / float(config["budget"]) - 1.0), 4))
    result.pop("fit_started", None)
    Path(config["result_path"]).write_text(json.dumps(result, default=str))
    sys.exit(0 if result["status"] == "ok" else 1)
