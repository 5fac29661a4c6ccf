"""Serving speed of AutoML bundles before and after a change, side by side in one run.

For each task and each variant the script starts a child process that fits ``AutoMLClassifier``
/ ``AutoMLRegressor`` under a wall-clock budget, saves the bundle, reloads it with
``jogak.load_model`` and measures it with the code of ``benchmarks/automl/measure.py``
(``single_row_latency``, ``batch_throughput``): single-row p50/p99 through
``predict_proba_row`` / ``predict_row`` (20 warm-up calls, then 300 calls or 15 s) and the
rows/s of a 10k-row ``predict_proba`` / ``predict`` batch (median of 3), in wall and in process
CPU time. The CV score is the fitted model's ``cv_results_`` mean of the task metric.
Variants alternate per task (before, after) so both see the same load; ``--before-src`` points
the "before" child at another checkout's ``src`` (e.g. ``git worktree add /tmp/jogak-before
HEAD~1``), ``--after-src`` the "after" child.

    nice -n 19 .venv/bin/python benchmarks/automl_serving.py --budget 60 \
        --before-src /tmp/jogak-before/src --out /tmp/serving.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent
DEFAULT_TASKS = ("telco_churn", "taiwan_credit", "wine", "breast_cancer", "diabetes")


def _child(task_name: str, budget: float, infer_limit: str | None) -> dict[str, Any]:
    sys.path.insert(0, str(_HERE / "automl"))
    from measure import (  # type: ignore[import-not-found]
        batch_throughput,
        own_cpu_seconds,
        single_row_latency,
    )
    from tasks import load_task  # type: ignore[import-not-found]

    from jogak import AutoMLClassifier, AutoMLRegressor, load_model

    task = load_task(task_name)
    estimator = AutoMLRegressor if task.kind == "regression" else AutoMLClassifier
    params: dict[str, Any] = {"time_budget": budget, "metric": task.metric, "random_state": 0}
    if infer_limit is not None:  # only the "after" code knows the parameter
        params["infer_limit"] = None if infer_limit == "none" else float(infer_limit)
    load_before = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), own_cpu_seconds()
    model = estimator(**params).fit(task.X, task.y)
    fit_wall, fit_cpu = time.perf_counter() - wall, own_cpu_seconds() - cpu
    with tempfile.TemporaryDirectory() as folder:
        model.save(Path(folder) / "bundle")
        bundle = load_model(Path(folder) / "bundle")
    X = task.X.reset_index(drop=True)
    one = bundle.predict_row if task.kind == "regression" else bundle.predict_proba_row
    latency = single_row_latency(lambda row, record: one(record), X, 300)
    many = bundle.predict if task.kind == "regression" else bundle.predict_proba
    throughput = batch_throughput(many, X, 10_000, seed=0)
    ensemble = bundle.ensemble_
    estimate = getattr(bundle, "serving_cost_", None)
    return {
        "task": task_name, "metric": task.metric,
        "cv_score": float(bundle.cv_results_[task.metric][0]),
        "kind": bundle.ensemble_kind_, "mode": ensemble.mode,
        "members": {k: round(v, 3) for k, v in ensemble.weights.items()},
        "fit_wall_s": round(fit_wall, 1), "fit_cpu_s": round(fit_cpu, 1),
        "p50_ms": round(latency.p50_ms, 3), "p99_ms": round(latency.p99_ms, 3),
        "batch_rows_per_s": round(throughput.rows_per_s),
        # CPU time of this process (all its threads): what the load average does not inflate
        "cpu_p50_ms": round(latency.cpu_p50_ms, 3),
        "batch_rows_per_cpu_s": round(throughput.rows_per_cpu_s),
        "estimate": None if estimate is None else
        {"batch_rows_per_s": round(1 / estimate.batch_seconds_per_row),
         "row_ms": round(estimate.row_seconds * 1e3, 3)},
        "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2),
        "timings": {k: round(v, 2) for k, v in model.timings_.items()},
        "n_trials": len(model.history_),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", nargs="+", default=list(DEFAULT_TASKS))
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--before-src", type=Path, default=None,
                        help="src folder of the checkout to compare against (omit: after only)")
    parser.add_argument("--after-src", type=Path, default=None,
                        help="src folder of the changed checkout (omit: the installed jogak)")
    parser.add_argument("--infer-limit", default=None,
                        help="'after' variant's infer_limit (seconds/row or 'none'); default: "
                             "the estimator's default")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.child, args.budget, args.infer_limit)))
        return
    variants = ([("before", args.before_src)] if args.before_src else []) + \
        [("after", args.after_src)]
    results = []
    for task_name in args.tasks:
        for variant, src in variants:
            env = dict(os.environ)
            if src is not None:
                env["PYTHONPATH"] = str(Path(src).resolve())
            command = [sys.executable, __file__, "--child", task_name,
                       "--budget", str(args.budget)]
            if variant == "after" and args.infer_limit is not None:
                command += ["--infer-limit", args.infer_limit]
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
            if done.returncode != 0:
                row = {"task": task_name, "error": done.stderr[-2000:]}
            else:
                row = json.loads(done.stdout.strip().splitlines()[-1])
            row["variant"] = variant
            results.append(row)
            print(json.dumps(row), flush=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
