"""S1's hit-model table beside jogak's model, on the same repeated folds.

Films: DACON movie audience (600 films), 5-fold CV x 3 repeats, RMSE etc. on the raw audience.
Songs: Melon monthly chart, months on chart (RMSE, R²) and top-10 hit (AUC).
Also: the 90 % interval coverage of jogak's model on each held-out fold.

    python benchmarks/hits.py films --data-dir ../shared/datasets --out bench_hits_films.json
    python benchmarks/hits.py songs --data-dir ../shared/datasets --max-songs 3000 \
        --out bench_hits_songs.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

from jogak.solutions.hits import (
    S1_MODELS,
    Comparison,
    FilmFeatures,
    evaluate_hits,
    s1_learning_curves,
    song_table,
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["films", "songs"])
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tuning-trials", type=int, default=10)
    parser.add_argument("--trials", type=int, default=20, help="jogak AutoML trials")
    parser.add_argument("--max-songs", type=int, default=0,
                        help="use the latest N uncensored songs (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--models", nargs="+", default=list(S1_MODELS), choices=list(S1_MODELS),
                        help="S1 models in the table (default: all)")
    parser.add_argument("--no-tuning", action="store_true", help="skip the Optuna-tuned rows")
    parser.add_argument("--learning-curves", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    if args.kind == "films":
        frame = pd.read_csv(args.data_dir / "dacon_movie_audience" / "movies_train.csv.gz")
    else:
        chart = pd.read_csv(args.data_dir / "melon_monthly_chart" / "melon_monthly_chart.csv.gz",
                            dtype={"song_id": "string"})
        frame = song_table(chart)
        if args.max_songs:
            frame = frame.tail(args.max_songs).reset_index(drop=True)
    started = time.perf_counter()

    def save_partial(partial: Comparison) -> None:
        if args.out:
            payload = {**partial.to_dict(), "partial": True,
                       "coverage_per_fold": partial.coverage["coverage"].round(4).tolist()}
            args.out.write_text(json.dumps(payload, indent=2, ensure_ascii=False))

    comparison, auc = evaluate_hits(
        args.kind, frame, folds=args.folds, repeats=args.repeats,
        models=args.models, tuned=not args.no_tuning, n_tuning_trials=args.tuning_trials,
        n_trials=args.trials, random_state=args.seed,
        on_fold=save_partial, progress=lambda message: print(
            f"[{time.perf_counter() - started:7.0f}s] {message}", file=sys.stderr, flush=True))
    seconds = time.perf_counter() - started
    summary = comparison.summary()
    with pd.option_context("display.width", 200, "display.float_format", "{:,.4g}".format):
        print(summary[["rmse", "rmse_std", "mae", "r2", "r2_log", "rmsle", "mape"]])
    result = comparison.to_dict()
    result["coverage_per_fold"] = comparison.coverage["coverage"].round(4).tolist()
    if auc is not None:
        result["top10_auc"] = {"mean": float(auc["roc_auc"].mean()),
                               "std": float(auc["roc_auc"].std(ddof=0)),
                               "per_fold": auc["roc_auc"].round(4).tolist()}
        print(f"top-10 hit AUC: {auc['roc_auc'].mean():.4f} +/- {auc['roc_auc'].std(ddof=0):.4f}")
    cov = result.get("coverage", {})
    print(f"90 % interval coverage on held-out folds: mean {cov.get('mean', float('nan')):.3f}, "
          f"range {cov.get('min', float('nan')):.3f}-{cov.get('max', float('nan')):.3f}")
    if args.learning_curves and args.kind == "films":
        X = frame.drop(columns=["box_off_num"])
        curves = s1_learning_curves(X, frame["box_off_num"], features=FilmFeatures(),
                                    random_state=args.seed)
        result["learning_curves"] = {name: {"table": curve.table.to_dict(orient="list"),
                                            "verdict": curve.diagnose().verdict}
                                     for name, curve in curves.items()}
        for name, curve in curves.items():
            print(f"{name}: {curve.diagnose().message}")
    result.update({"kind": args.kind, "n_rows": len(frame), "seconds": seconds,
                   "settings": {k: str(v) for k, v in vars(args).items()}})
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"{seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
