"""Report build time and file size on Telco churn (goal: < 30 s, < 10 MB).

Fits an AutoML classifier (n_trials, so the model is reproducible), then times
``model_report`` + ``write`` (the HTML file), and separately the PNG export of every figure.
Prints a table and writes JSON.

    .venv/bin/python benchmarks/report_build.py --trials 8
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import pandas as pd

from jogak.models import AutoMLClassifier
from jogak.report import model_report

ROOT = Path(__file__).resolve().parents[1]


def _telco() -> pd.DataFrame:
    data_dir = Path(os.environ.get("JOGAK_DATA_DIR", ROOT.parent / "shared" / "datasets"))
    frame = pd.read_csv(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    # 11 new customers have a blank TotalCharges (SOURCE.md): numbers with missing values
    frame["TotalCharges"] = pd.to_numeric(frame["TotalCharges"], errors="coerce")
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--models", default="linear,lightgbm,xgboost,random_forest")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" /
                        "report_build.json")
    args = parser.parse_args()

    frame = _telco()
    started = time.perf_counter()
    model = AutoMLClassifier(n_trials=args.trials, include_models=tuple(args.models.split(",")),
                             cv=5, random_state=0)
    model.fit(frame.drop(columns=["Churn"]), frame["Churn"])
    model.target_name_ = "Churn"
    model.set_operating_points(benefit_tp=300.0, cost_contact=50.0)
    fit_seconds = time.perf_counter() - started

    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for repeat in range(args.repeats):
            steps: list[tuple[str, float]] = []
            started = time.perf_counter()
            report = model_report(model, frame, random_state=repeat,
                                  on_progress=lambda name, log=steps: log.append(
                                      (name, time.perf_counter())))
            steps.append(("write", time.perf_counter()))
            path = report.write(Path(folder) / "telco.html")
            build = time.perf_counter() - started
            step_seconds = {name: round(steps[i + 1][1] - at, 2)
                            for i, (name, at) in enumerate(steps[:-1])}
            started = time.perf_counter()
            report.write(Path(folder) / "telco_png.html", png_dir=Path(folder) / "png")
            with_png = time.perf_counter() - started
            runs.append({"build_and_write_s": build, "write_with_png_s": with_png,
                         "size_bytes": path.stat().st_size, "n_figures": len(report.figures),
                         "n_sections": len(report.sections), "steps_s": step_seconds})
    best = min(runs, key=lambda r: r["build_and_write_s"])
    result = {
        "dataset": "telco_customer_churn (7,043 rows, 20 features)",
        "model": {"trials": args.trials, "families": args.models,
                  "ensemble": model.ensemble_kind_, "fit_s": fit_seconds,
                  "members": [m.family for m in model.ensemble_.members]},
        "runs": runs, "best_build_and_write_s": best["build_and_write_s"],
        "size_mb": best["size_bytes"] / 1e6,
        "goals": {"build_s": 30, "size_mb": 10},
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_avg_1min": os.getloadavg()[0]},
    }
    print(f"{'measure':<34}{'value':>12}{'goal':>10}")
    print(f"{'report build + write (s, best)':<34}{best['build_and_write_s']:>12.1f}{'< 30':>10}")
    print(f"{'HTML size (MB)':<34}{best['size_bytes'] / 1e6:>12.2f}{'< 10':>10}")
    print(f"{'re-write with PNGs (s)':<34}{best['write_with_png_s']:>12.1f}{'':>10}")
    print(f"{'figures / sections':<34}{best['n_figures']:>9} / {best['n_sections']}")
    print(f"{'model fit (s, not in the goal)':<34}{fit_seconds:>12.1f}")
    for name, seconds in best["steps_s"].items():
        print(f"{'  step: ' + name:<34}{seconds:>12.1f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
