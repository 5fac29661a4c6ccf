"""jogak's behaviour score side by side with optbinning and the AutoML core (issue 11).

On Taiwan credit default, the same stratified folds for every contender, and the same
``extended`` behaviour features (``CreditLayout.features``) unless a name says ``basic``:
jogak's scorecard (monotone WoE bins, sign-checked logistic regression), jogak's scorecard with
free bin shapes, jogak's monotonic GBM (LightGBM fitted directly, and the same constraints
through the AutoML core), jogak's AutoML without constraints, the scorecard and GBM on the
``basic`` features, and optbinning 1.0 scorecards (its own venv, see
benchmarks/setup_optbinning.sh) with monotone (``auto_asc_desc``) and free (``auto``) trends.
Prints AUC, Gini, KS (mean over folds), fit seconds per fold and the scorecard-to-GBM gap;
writes everything as JSON.

    .venv/bin/python benchmarks/credit.py [--folds 5] [--seed 0] [--automl-trials 4]
        [--no-basic] [--peer-python /work/peers/optbinning/bin/python]
        [--out credit_benchmark.json]
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
from dataclasses import replace
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
    parser.add_argument("--no-basic", action="store_true",
                        help="leave out the contenders on the basic behaviour features")
    parser.add_argument("--peer-python", type=Path,
                        default=Path(os.environ.get("JOGAK_PEERS_DIR", "/work/peers"))
                        / "optbinning" / "bin" / "python")
    parser.add_argument("--out", type=Path, default=Path("credit_benchmark.json"))
    return parser.parse_args(argv)


SCORECARD = "jogak scorecard (monotone)"
GBM = "jogak monotonic GBM (LightGBM)"
Contender = tuple[str, Callable[[], object]]  # (feature level, build)


def _features(path: Path) -> tuple[dict[str, pd.DataFrame], np.ndarray]:
    frame = TAIWAN_LAYOUT.rename_columns(pd.read_csv(path))
    y = frame.pop("Y").to_numpy()
    accounts = frame.drop(columns=list(TAIWAN_LAYOUT.exclude))
    levels = {level: replace(TAIWAN_LAYOUT, features=level).derive(accounts)
              for level in ("basic", "extended")}
    return levels, y


def _contenders(categorical: list[str], seed: int, automl_trials: int,
                with_basic: bool) -> dict[str, Contender]:
    contenders: dict[str, Contender] = {
        SCORECARD: ("extended", lambda: Scorecard(categorical_features=categorical)),
        "jogak scorecard (free shapes, no sign check)": ("extended", lambda: Scorecard(
            categorical_features=categorical, monotonic="none", max_n_bins=10,
            min_bin_share=0.02, sign_check=False)),
        GBM: ("extended", lambda: MonotonicGBM(categorical_features=categorical,
                                               random_state=seed)),
    }
    if automl_trials > 0:
        contenders["jogak monotonic GBM (AutoML core, lightgbm)"] = ("extended", lambda: (
            MonotonicGBM(categorical_features=categorical, engine="automl",
                         automl_trials=automl_trials, random_state=seed)))
        contenders["jogak AutoML lightgbm (unconstrained)"] = ("extended", lambda: (
            AutoMLClassifier(n_trials=automl_trials, include_models=["lightgbm"],
                             ensemble=False, stacking=False, cv=3, random_state=seed,
                             n_jobs=1)))
    if with_basic:
        contenders["jogak scorecard (monotone), basic features"] = (
            "basic", lambda: Scorecard(categorical_features=categorical))
        contenders["jogak monotonic GBM (LightGBM), basic features"] = (
            "basic", lambda: MonotonicGBM(categorical_features=categorical,
                                          random_state=seed))
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
    levels, y = _features(args.data)
    features = levels["extended"]
    categorical = list(TAIWAN_LAYOUT.categorical)
    folds = list(StratifiedKFold(args.folds, shuffle=True, random_state=args.seed)
                 .split(features, y))
    rows: list[dict] = []
    contenders = _contenders(categorical, args.seed, args.automl_trials, not args.no_basic)
    for name, (level, build) in contenders.items():
        features = levels[level]
        for k, (train, test) in enumerate(folds):
            model = build()
            started = time.perf_counter()
            model.fit(features.iloc[train], y[train])  # type: ignore[attr-defined]
            seconds = time.perf_counter() - started
            proba = model.predict_proba(features.iloc[test])[:, 1]  # type: ignore[attr-defined]
            rows.append({"variant": name, "fold": k, "fit_seconds": seconds,
                         **discrimination(y[test], proba)})
            print(f"{name} fold {k}: {seconds:.1f} s", file=sys.stderr, flush=True)
    for record in _run_peer(args.peer_python, levels["extended"], y, folds, categorical):
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
    auc = table.set_index("variant")["auc"]
    gap = float(auc[GBM] - auc[SCORECARD])
    print(f"gap {GBM} - {SCORECARD}: {gap:.4f} (goal <= 0.01)")
    args.out.write_text(json.dumps({"folds": args.folds, "seed": args.seed,
                                    "n_rows": int(len(y)), "load_average": load,
                                    "summary": table.to_dict(orient="records"),
                                    "gap": gap,
                                    "runs": rows}, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
