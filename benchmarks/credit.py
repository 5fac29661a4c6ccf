"""jogak's behaviour score side by side with optbinning and the AutoML core (issue 11).

On Taiwan credit default, the same behaviour features and the same stratified folds for every
contender: jogak's scorecard (monotone WoE bins, sign-checked logistic regression), jogak's
scorecard with free bin shapes, jogak's monotonic GBM, jogak's AutoML (LightGBM family, no
constraints: the catalog cannot pass them), and optbinning 1.0 scorecards (its own venv, see
benchmarks/setup_optbinning.sh) with monotone (``auto_asc_desc``) and free (``auto``) trends.
Prints AUC, Gini, KS (mean over folds) and fit seconds per fold; writes everything as JSON.

    .venv/bin/python benchmarks/credit.py [--folds 5] [--seed 0] [--automl-trials 4]
        [--peer-python /work/peers/optbinning/bin/python] [--out credit_benchmark.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from jogak.models import AutoMLClassifier
from jogak.solutions.credit import TAIWAN_LAYOUT, MonotonicGBM, Scorecard, discrimination

REPO = Path(__file__).resolve().parents[1]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_data = Path(os.environ.get("JOGAK_DATA_DIR", REPO.parent / "shared" / "datasets"))
    parser.add_argument("--data", type=Path, default=default_data / "taiwan_credit_default"
                        / "default_of_credit_card_clients.csv.gz")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--automl-trials", type=int, default=4,
                        help="trials of jogak's AutoML per fold (0: leave it out)")
    parser.add_argument("--peer-python", type=Path,
                        default=Path(os.environ.get("JOGAK_PEERS_DIR", "/work/peers"))
                        / "optbinning" / "bin" / "python")
    parser.add_argument("--out", type=Path, default=Path("credit_benchmark.json"))
    return parser.parse_args(argv)


def _features(path: Path) -> tuple[pd.DataFrame, np.ndarray]:
    frame = TAIWAN_LAYOUT.rename_columns(pd.read_csv(path))
    y = frame.pop("Y").to_numpy()
    features = TAIWAN_LAYOUT.derive(frame.drop(columns=list(TAIWAN_LAYOUT.exclude)))
    return features, y


def _contenders(categorical: list[str], seed: int,
                automl_trials: int) -> dict[str, Callable[[], object]]:
    contenders: dict[str, Callable[[], object]] = {
        "jogak scorecard (monotone)": lambda: Scorecard(categorical_features=categorical),
        "jogak scorecard (free shapes, no sign check)": lambda: Scorecard(
            categorical_features=categorical, monotonic="none", max_n_bins=10,
            min_bin_share=0.02, sign_check=False),
        "jogak monotonic GBM": lambda: MonotonicGBM(categorical_features=categorical,
                                                    random_state=seed),
    }
    if automl_trials > 0:
        contenders["jogak AutoML lightgbm (unconstrained)"] = lambda: AutoMLClassifier(
            n_trials=automl_trials, include_models=["lightgbm"], ensemble=False,
            stacking=False, cv=3, random_state=seed, n_jobs=1)
    return contenders


def _run_peer(python: Path, features: pd.DataFrame, y: np.ndarray, folds: list,
              categorical: list[str]) -> list[dict]:
    if not python.exists():
        print(f"optbinning venv not found at {python}; run benchmarks/setup_optbinning.sh",
              file=sys.stderr)
        return []
    with tempfile.TemporaryDirectory(prefix="jogak_credit_bench_") as tmp:
        work = Path(tmp)
        features.assign(target=y).to_csv(work / "features.csv", index=False)
        spec = {"folds": [[tr.tolist(), te.tolist()] for tr, te in folds],
                "categorical": categorical, "trends": ["auto_asc_desc", "auto"]}
        (work / "spec.json").write_text(json.dumps(spec))
        subprocess.run([str(python), str(REPO / "benchmarks" / "credit_optbinning_peer.py"),
                        str(work)], check=True)
        return json.loads((work / "optbinning.json").read_text())


def main(argv: list[str] | None = None) -> None:
    args = _parse(argv)
    features, y = _features(args.data)
    categorical = list(TAIWAN_LAYOUT.categorical)
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
                 .split(features, y))
    rows: list[dict] = []
    for name, build in _contenders(categorical, args.seed, args.automl_trials).items():
        for k, (train, test) in enumerate(folds):
            model = build()
            started = time.perf_counter()
            model.fit(features.iloc[train], y[train])  # type: ignore[attr-defined]
            seconds = time.perf_counter() - started
            proba = model.predict_proba(features.iloc[test])[:, 1]  # type: ignore[attr-defined]
            rows.append({"variant": name, "fold": k, "fit_seconds": seconds,
                         **discrimination(y[test], proba)})
            print(f"{name} fold {k}: {seconds:.1f} s", file=sys.stderr, flush=True)
    for record in _run_peer(args.peer_python, features, y, folds, categorical):
        test = folds[record["fold"]][1]
        rows.append({"variant": record["variant"], "fold": record["fold"],
                     "fit_seconds": record["fit_seconds"],
                     **discrimination(y[test], np.asarray(record["proba"]))})
    table = (pd.DataFrame(rows).groupby("variant", sort=False)
             .agg(auc=("auc", "mean"), auc_std=("auc", "std"), gini=("gini", "mean"),
                  ks=("ks", "mean"), fit_seconds=("fit_seconds", "mean"))
             .reset_index())
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nTaiwan credit default, {len(y)} rows, {args.folds}-fold stratified CV "
          f"(seed {args.seed}); 1-min load average at the end {load:.1f}")
    print(table.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    args.out.write_text(json.dumps({"folds": args.folds, "seed": args.seed,
                                    "n_rows": int(len(y)), "load_average": load,
                                    "summary": table.to_dict(orient="records"),
                                    "runs": rows}, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
