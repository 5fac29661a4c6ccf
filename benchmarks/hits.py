"""S1's hit-model table beside jogak's model, on the same repeated folds.

Films: DACON movie audience (600 films), 5-fold CV x 3 repeats, RMSE etc. on the raw audience.
Songs: Melon monthly chart, months on chart (RMSE, R²) and top-10 hit (AUC).
Also: the 90 % interval coverage of jogak's model on each held-out fold.

    python benchmarks/hits.py films --data-dir ../shared/datasets --out bench_hits_films.json
    python benchmarks/hits.py songs --data-dir ../shared/datasets --max-songs 3000 \
        --out bench_hits_songs.json

The 15 film folds can run as parts in separate processes (same folds: they depend only on
--folds, --repeats and --seed) and be merged into one table:

    python benchmarks/hits.py films --no-jogak --fold-subset 0 1 2 3 4 --out part_a.json
    python benchmarks/hits.py films --models --out part_j.json        # jogak's model only
    python benchmarks/hits.py films --merge part_a.json ... part_j.json --out merged.json
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
    parser.add_argument("--models", nargs="*", default=list(S1_MODELS), choices=list(S1_MODELS),
                        help="S1 models in the table (default: all; none: jogak's model only)")
    parser.add_argument("--no-jogak", action="store_true", help="score S1's models only")
    parser.add_argument("--blend-target", choices=["sqrt", "raw"], default="raw",
                        help="scale of jogak's second model (HitRegressor.blend_target)")
    parser.add_argument("--competition", choices=["train", "all", "none"], default="none",
                        help="FilmFeatures(competition=...): films opening around each film")
    parser.add_argument("--competition-columns", nargs="+", default=None,
                        help="keep only these competition columns (default: all)")
    parser.add_argument("--no-tuning", action="store_true", help="skip the Optuna-tuned rows")
    parser.add_argument("--fold-subset", nargs="+", type=int, default=None,
                        help="score only these folds (0-based over folds x repeats)")
    parser.add_argument("--merge", nargs="+", type=Path, default=None,
                        help="merge the per-fold scores of earlier --out files into one table")
    parser.add_argument("--learning-curves", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    if args.merge:
        return merge(args.merge, args.out)

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
            payload = {**partial.to_dict(), **per_fold(partial), "partial": True}
            args.out.write_text(json.dumps(payload, indent=2, ensure_ascii=False))

    comparison, auc = evaluate_hits(
        args.kind, frame, folds=args.folds, repeats=args.repeats,
        models=args.models, tuned=not args.no_tuning, n_tuning_trials=args.tuning_trials,
        n_trials=args.trials, with_jogak=not args.no_jogak, blend_target=args.blend_target,
        random_state=args.seed,
        fold_subset=args.fold_subset,
        features=(FilmFeatures(competition=None if args.competition == "none"
                               else args.competition,
                               competition_columns=args.competition_columns)
                  if args.kind == "films" else None),
        on_fold=save_partial, progress=lambda message: print(
            f"[{time.perf_counter() - started:7.0f}s] {message}", file=sys.stderr, flush=True))
    seconds = time.perf_counter() - started
    show(comparison)
    result = {**comparison.to_dict(), **per_fold(comparison)}
    if auc is not None:
        result["top10_auc"] = {"mean": float(auc["roc_auc"].mean()),
                               "std": float(auc["roc_auc"].std(ddof=0)),
                               "per_fold": auc["roc_auc"].round(4).tolist()}
        print(f"top-10 hit AUC: {auc['roc_auc'].mean():.4f} +/- {auc['roc_auc'].std(ddof=0):.4f}")
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


def per_fold(comparison: Comparison) -> dict[str, object]:
    """The per-fold rows (scores and coverage) that --merge reads back."""
    return {"coverage_per_fold": comparison.coverage["coverage"].round(4).tolist()
            if not comparison.coverage.empty else [],
            "nominal_coverage": comparison.nominal_coverage,
            "scores": comparison.scores.to_dict(orient="records"),
            "coverage_rows": comparison.coverage.to_dict(orient="records")}


def show(comparison: Comparison) -> None:
    """Print the summary table and the interval coverage."""
    summary = comparison.summary()
    with pd.option_context("display.width", 200, "display.float_format", "{:,.4g}".format):
        print(summary[["rmse", "rmse_std", "mae", "r2", "r2_log", "rmsle", "mape"]])
    if not comparison.coverage.empty:
        cov = comparison.coverage["coverage"]
        print(f"{comparison.nominal_coverage:.0%} interval coverage on held-out folds: mean "
              f"{cov.mean():.3f}, range {cov.min():.3f}-{cov.max():.3f}")


def merge(paths: list[Path], out: Path | None) -> int:
    """One table from the per-fold scores of several part runs (duplicate rows dropped)."""
    parts = [json.loads(path.read_text()) for path in paths]
    scores = pd.concat([pd.DataFrame(part["scores"]) for part in parts], ignore_index=True)
    scores = scores.drop_duplicates(["model", "fold"]).sort_values(["fold", "model"])
    coverage = pd.DataFrame([row for part in parts for row in part.get("coverage_rows", [])])
    if not coverage.empty:
        coverage = coverage.drop_duplicates("fold").sort_values("fold")
    nominal = next((p["nominal_coverage"] for p in parts if p.get("coverage_rows")), float("nan"))
    comparison = Comparison(scores=scores.reset_index(drop=True),
                            coverage=coverage.reset_index(drop=True), nominal_coverage=nominal)
    show(comparison)
    folds = scores.groupby("model")["fold"].nunique()
    print("folds per model: " + ", ".join(f"{m} {n}" for m, n in folds.items()))
    result = {**comparison.to_dict(), **per_fold(comparison),
              "merged_from": [str(path) for path in paths],
              "seconds": sum(float(part.get("seconds", 0.0)) for part in parts),
              "settings": [part.get("settings") for part in parts]}
    if out:
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
