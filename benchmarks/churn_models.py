"""Churn models on real data: IBM Telco (tabular) and CDNOW (churn derived from a purchase log).

Telco: the 7,043 subscribers, ``Churn`` Yes/No, ``customerID`` excluded; 5-fold stratified CV
of the AutoML ensemble (``n_trials`` reproducible), AUC mean ± std over the folds.

CDNOW, cutoff protocol: features from purchases dated on or before ``--cutoff`` (default
1997-09-30: the Q1-1997 cohort's first 9 months), RFM per 30/90/180 days and all history; a
customer churns when they buy nothing in the ``--horizon`` days after the cutoff (default 180,
to 1998-03-29, inside the log's end 1998-06-30). 5-fold stratified CV, AUC mean ± std.

    .venv/bin/python benchmarks/churn_models.py [--trials 12] [--cutoff 1997-09-30]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("JOGAK_DATA_DIR", ROOT.parent / "shared" / "datasets"))


def _fit(X: pd.DataFrame, y: pd.Series, *, trials: int, exclude: tuple[str, ...],
         seed: int) -> dict[str, Any]:
    from jogak.solutions.churn import ChurnClassifier

    started = time.perf_counter()
    model = ChurnClassifier(n_trials=trials, cv=5, exclude_columns=exclude, random_state=seed)
    model.fit(X, y)
    summary = model.summary()
    return {"auc_mean": summary["cv"]["roc_auc"]["mean"],
            "auc_std": summary["cv"]["roc_auc"]["std"],
            "brier_raw": summary["calibration"]["brier_raw"],
            "brier_calibrated": summary["calibration"]["brier_calibrated"],
            "operating_points": summary["operating_points"],
            "best": summary["leaderboard"][:3], "rows": len(X),
            "churn_rate": float(pd.Series(y).mean()),
            "seconds": time.perf_counter() - started}


def telco(trials: int, seed: int) -> dict[str, Any]:
    from jogak.solutions.churn import prepare_telco

    frame = pd.read_csv(DATA_DIR / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    X, y = prepare_telco(frame)
    return _fit(X, y, trials=trials, exclude=("customerID",), seed=seed)


def cdnow(trials: int, seed: int, cutoff: str, horizon: int) -> dict[str, Any]:
    from jogak.solutions.churn import event_log_churn_table

    log = pd.read_csv(DATA_DIR / "cdnow_purchases" / "cdnow_master.csv.gz",
                      dtype={"customer_id": str, "date": str})
    table = event_log_churn_table(log, key="customer_id", time="date", amount="dollar_value",
                                  quantity="number_of_cds", cutoff=cutoff,
                                  horizon_days=horizon)
    result = _fit(table.drop(columns=["is_churn"]), table["is_churn"], trials=trials,
                  exclude=("customer_id",), seed=seed)
    result["protocol"] = {"cutoff": cutoff, "horizon_days": horizon,
                          "features": "purchases dated <= cutoff",
                          "label": f"no purchase in (cutoff, cutoff + {horizon} days]"}
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cutoff", default="1997-09-30")
    parser.add_argument("--horizon", type=int, default=180)
    parser.add_argument("--only", choices=["telco", "cdnow"], default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" /
                        "churn_models.json")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    if args.only in (None, "telco"):
        results["telco"] = telco(args.trials, args.seed)
    if args.only in (None, "cdnow"):
        results["cdnow"] = cdnow(args.trials, args.seed, args.cutoff, args.horizon)
    print(f"{'dataset':>8} {'rows':>7} {'churn':>6} {'AUC (5-fold)':>18} {'Brier raw → cal':>18}")
    for name, r in results.items():
        print(f"{name:>8} {r['rows']:>7,} {r['churn_rate']:>6.3f} "
              f"{r['auc_mean']:>10.4f} ± {r['auc_std']:.4f} "
              f"{r['brier_raw']:>8.4f} → {r['brier_calibrated']:.4f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"trials": args.trials, "seed": args.seed, **results},
                                   indent=2, default=str))
    print(f"written {args.out}")


if __name__ == "__main__":
    main()
