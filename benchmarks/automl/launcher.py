"""Run one (framework, task, fold, budget) in its own subprocess and collect its result line.

Each run gets a fresh folder with a JSON config; the framework's interpreter runs its runner
script on it (see measure.py). A run that outlives ``2 * budget + 300`` seconds is killed with
its whole process group and recorded as a timeout. The run folder (models included) is deleted
afterwards unless asked to keep it; the log tail of a failed run goes into its result line.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .frameworks import Framework
from .measure import TARGET
from .tasks import TaskData

__all__ = ["RunSpec", "check_framework", "execute", "write_folds"]

IMPORT_CHECKS = {
    "run_jogak.py": "from jogak import AutoMLClassifier, AutoMLRegressor, load_model",
    "run_flaml.py": "from flaml import AutoML",
    "run_autogluon.py": "from autogluon.tabular import TabularPredictor",
    "run_baselines.py": "import lightgbm, sklearn",
}


@dataclass(frozen=True)
class RunSpec:
    """The identity of one run; results are keyed (and resumed) on these fields."""

    framework: str
    task: str
    budget: float
    n_folds: int
    fold: int
    seed: int

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.framework, self.task, float(self.budget), self.n_folds, self.fold, self.seed)

    @property
    def slug(self) -> str:
        return (f"{self.framework}-{self.task}-b{self.budget:g}-f{self.fold}of{self.n_folds}"
                f"-s{self.seed}")


def check_framework(framework: Framework) -> str | None:
    """None when the framework's interpreter exists and imports it, else the reason it cannot."""
    if not framework.python.exists():
        return (f"{framework.python} is missing; build it with benchmarks/setup_peers.sh "
                f"{framework.venv}")
    probe = subprocess.run([str(framework.python), "-c", IMPORT_CHECKS[framework.runner]],
                           capture_output=True, text=True, timeout=300, check=False)
    if probe.returncode != 0:
        return probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else "import failed"
    return None


def write_folds(task: TaskData, folds: list[tuple[Any, Any]], root: Path,
                n_folds: int, seed: int) -> list[tuple[Path, Path]]:
    """Write each fold's train and test rows (target in column ``__target__``) as parquet."""
    frame = task.X.assign(**{TARGET: task.y.to_numpy()})
    paths = []
    for i, (train_rows, test_rows) in enumerate(folds):
        folder = root / f"{task.name}-{n_folds}f-s{seed}-fold{i}"
        folder.mkdir(parents=True, exist_ok=True)
        train_path, test_path = folder / "train.parquet", folder / "test.parquet"
        frame.iloc[train_rows].reset_index(drop=True).to_parquet(train_path)
        frame.iloc[test_rows].reset_index(drop=True).to_parquet(test_path)
        paths.append((train_path, test_path))
    return paths


def _log_tail(path: Path, n_chars: int = 2000) -> str:
    return path.read_text(errors="replace")[-n_chars:] if path.exists() else ""


def execute(spec: RunSpec, framework: Framework, task: TaskData, train_path: Path,
            test_path: Path, workdir: Path, *, keep: bool = False) -> dict[str, Any]:
    """Run ``spec`` in a child process and return its result line (never raises for the run)."""
    run_dir = workdir / "runs" / spec.slug
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    result_path, log_path = run_dir / "result.json", run_dir / "log.txt"
    config = {**asdict(spec), "kind": task.kind, "metric": task.metric,
              "options": framework.options, "train_path": str(train_path),
              "test_path": str(test_path), "workdir": str(run_dir),
              "result_path": str(result_path), "n_latency": 300, "batch_rows": 10_000}
    (run_dir / "config.json").write_text(json.dumps(config, indent=1))
    hard_limit = 2 * spec.budget + 300
    record: dict[str, Any] = {**asdict(spec), "kind": task.kind, "metric": task.metric,
                              "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
                              "load_1min_before": round(os.getloadavg()[0], 2),
                              "host": {"cpus": os.cpu_count(), "machine": platform.machine(),
                                       "system": platform.platform()}}
    start = time.perf_counter()
    with open(log_path, "wb") as log:
        child = subprocess.Popen([str(framework.python), str(framework.script),
                                  str(run_dir / "config.json")], stdout=log, stderr=log,
                                 cwd=run_dir, start_new_session=True,
                                 env={**os.environ, "PYTHONHASHSEED": str(spec.seed)})
        try:
            child.wait(timeout=hard_limit)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        # The run's own process group: a hung child, or helpers it left behind (ray workers).
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    record["wall_seconds"] = round(time.perf_counter() - start, 2)
    record["returncode"] = child.returncode
    if result_path.exists():
        record.update(json.loads(result_path.read_text()))
    else:
        record["status"] = "timeout" if timed_out else "error"
        record["error"] = (f"killed after {hard_limit:g} s" if timed_out
                           else f"runner exited {child.returncode} without a result")
    if record["status"] != "ok":
        record["log_tail"] = _log_tail(log_path)
    if not keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    return record
