"""Load + profile + fit_transform: jogak against plain pandas + scikit-learn, side by side.

Each (contender, dataset) runs in its own subprocess so that peak memory is its own.
Datasets: a synthetic 1M-row × 30-column CSV (20 numeric, 8 categorical, 2 date-like) and
Taiwan credit default. Contenders: jogak (float64 output, the default), jogak with
``dtype="float32"`` output, and pandas + scikit-learn. Reported: wall time of each stage, and
memory as multiples of the raw frame (``frame_mb``: ``DataFrame.memory_usage(deep=True)`` of the
loaded table), all measured from the process's resident memory just before loading
(``rss_before_mb``, VmRSS: the interpreter and imported libraries):

- ``load_profile_peak_over_frame``: (VmHWM after load + infer_roles + profile − rss_before) /
  frame. It includes the frame itself, so 1.0 is the least possible.
- ``peak_growth_over_frame``: (VmHWM at the end, after fit_transform − rss_before) / frame. It
  includes the frame and the output matrix (``output_mb``), which exist together at the end.
- ``peak_over_frame_plus_output``: the same growth / (frame + output); 1.0 is the least possible.

    .venv/bin/python benchmarks/load_and_preprocess.py [--rows 1000000] [--repeats 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("JOGAK_DATA_DIR", ROOT.parent / "shared" / "datasets"))
WORK = ROOT / "benchmarks" / "results"


def make_synthetic(path: Path, n_rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    data: dict[str, object] = {}
    for j in range(20):
        column = rng.lognormal(0, 1, n_rows) if j % 3 == 0 else rng.normal(j, 1 + j, n_rows)
        column[rng.random(n_rows) < 0.05] = np.nan
        data[f"num{j}"] = column
    for j in range(8):
        levels = [5, 12, 40, 300, 3, 8, 1000, 25][j]
        data[f"cat{j}"] = np.array([f"L{k}" for k in range(levels)])[
            rng.integers(0, levels, n_rows)]
    data["date0"] = (20150101 + rng.integers(0, 28, n_rows)
                     + 100 * rng.integers(0, 12, n_rows)).astype(np.int64)
    data["flag"] = rng.choice(["Yes", "No"], n_rows)
    data["target"] = rng.integers(0, 2, n_rows)
    pd.DataFrame(data).to_csv(path, index=False)


def _status_mb(field: str) -> float:
    # VmHWM belongs to this process's address space, so unlike ru_maxrss it does not inherit the
    # parent's high-water mark across fork + exec
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_mb() -> float:
    return _status_mb("VmRSS")


def peak_mb() -> float:
    return _status_mb("VmHWM")


def _output_mb(matrix: object) -> float:
    data = getattr(matrix, "data", None)
    if data is not None and hasattr(matrix, "indices"):  # scipy sparse
        return (data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes) / 2**20
    return matrix.nbytes / 2**20


def _result(times: tuple[float, float, float, float], before: float, peak_profiled: float,
            frame: pd.DataFrame, matrix: object) -> dict[str, float]:
    t0, t1, t2, t3 = times
    return {"load_s": t1 - t0, "profile_s": t2 - t1, "fit_transform_s": t3 - t2,
            "total_s": t3 - t0, "rss_before_mb": before, "peak_rss_mb": peak_mb(),
            "peak_load_profile_mb": peak_profiled,
            "frame_mb": frame.memory_usage(deep=True).sum() / 2**20,
            "output_mb": _output_mb(matrix), "n_output_columns": int(matrix.shape[1])}


def run_jogak(path: str, target: str, dtype: str = "float64") -> dict[str, float]:
    from jogak.data import coerce_frame, infer_roles, load, profile
    from jogak.pipeline import FeatureStyle, build_preprocessor

    before = rss_mb()
    t0 = time.perf_counter()
    frame = load(path)
    t1 = time.perf_counter()
    roles = infer_roles(frame, target=target)
    profile(frame, target=target, roles=roles)
    t2 = time.perf_counter()
    peak_profiled = peak_mb()
    X = coerce_frame(frame.drop(columns=[target]), roles)
    matrix = build_preprocessor(roles, FeatureStyle.SCALED, dtype=dtype).fit_transform(
        X, frame[target])
    t3 = time.perf_counter()
    return _result((t0, t1, t2, t3), before, peak_profiled, frame, matrix)


def run_baseline(path: str, target: str) -> dict[str, float]:
    """The same steps with plain pandas + scikit-learn: read, profile facts plus a one-feature
    leak check, then median imputation with indicators, Yeo-Johnson, clipping, scaling, one-hot
    for low-cardinality and target encoding for high-cardinality columns."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import (
        FunctionTransformer,
        OneHotEncoder,
        PowerTransformer,
        StandardScaler,
        TargetEncoder,
    )
    from sklearn.tree import DecisionTreeClassifier

    before = rss_mb()
    t0 = time.perf_counter()
    frame = pd.read_csv(path)
    t1 = time.perf_counter()
    numeric = frame.select_dtypes("number")
    q1, q3 = numeric.quantile(0.25), numeric.quantile(0.75)
    profile = {"missing": frame.isna().mean(), "distinct": frame.nunique(),
               "quantiles": numeric.quantile([0.0, 0.25, 0.5, 0.75, 1.0]),
               "skew": numeric.skew(),
               "outliers": ((numeric < q1 - 1.5 * (q3 - q1)) | (numeric > q3 + 1.5 * (q3 - q1)))
               .sum(),
               "top": {c: frame[c].value_counts().head(5) for c in frame.columns}}
    sample = frame.sample(min(len(frame), 50_000), random_state=0)
    leak = {}
    for column in sample.columns.drop(target):
        codes = sample[column]
        codes = codes.fillna(-1) if codes.dtype.kind in "fi" else codes.astype("category").cat.codes
        leak[column] = cross_val_score(DecisionTreeClassifier(max_depth=3),
                                       codes.to_frame(), sample[target], cv=3).mean()
    del profile, leak
    t2 = time.perf_counter()
    peak_profiled = peak_mb()
    X = frame.drop(columns=[target])
    num_cols = list(X.select_dtypes("number").columns)
    cat_cols = [c for c in X.columns if c not in num_cols]
    low = [c for c in cat_cols if X[c].nunique() <= 20]
    high = [c for c in cat_cols if c not in low]
    clip = FunctionTransformer(lambda a: np.clip(a, -5.0, 5.0))
    transformer = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                              PowerTransformer(method="yeo-johnson"), clip, StandardScaler()),
         num_cols),
        ("low", make_pipeline(SimpleImputer(strategy="constant", fill_value="__unknown__"),
                              OneHotEncoder(handle_unknown="ignore", sparse_output=False)), low),
        ("high", make_pipeline(SimpleImputer(strategy="constant", fill_value="__unknown__"),
                               TargetEncoder(random_state=0), StandardScaler()), high)])
    matrix = transformer.fit_transform(X, frame[target])
    t3 = time.perf_counter()
    return _result((t0, t1, t2, t3), before, peak_profiled, frame, matrix)


def child(contender: str, path: str, target: str) -> None:
    if contender == "pandas+sklearn":
        result = run_baseline(path, target)
    else:
        result = run_jogak(path, target, "float32" if contender == "jogak-float32" else "float64")
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--child", nargs=3, metavar=("CONTENDER", "PATH", "TARGET"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    WORK.mkdir(parents=True, exist_ok=True)
    synthetic = WORK / f"synthetic_{args.rows}.csv"
    if not synthetic.exists():
        print(f"writing {synthetic} …", file=sys.stderr)
        make_synthetic(synthetic, args.rows)
    datasets = {f"synthetic {args.rows:,}×30": (synthetic, "target"),
                "taiwan credit": (DATA_DIR / "taiwan_credit_default" /
                                  "default_of_credit_card_clients.csv.gz",
                                  "Y")}
    rows = []
    for name, (path, target) in datasets.items():
        if not Path(path).exists():
            print(f"skipping {name}: {path} not found (set JOGAK_DATA_DIR)", file=sys.stderr)
            continue
        for contender in ("jogak", "jogak-float32", "pandas+sklearn"):
            for _ in range(args.repeats):
                out = subprocess.run([sys.executable, __file__, "--child", contender, str(path),
                                      target], capture_output=True, text=True, check=False)
                if out.returncode:
                    print(out.stderr[-3000:], file=sys.stderr)
                    continue
                result = json.loads(out.stdout.strip().splitlines()[-1])
                result.update(dataset=name, contender=contender)
                growth = result["peak_rss_mb"] - result["rss_before_mb"]
                result["load_profile_peak_over_frame"] = (
                    (result["peak_load_profile_mb"] - result["rss_before_mb"]) / result["frame_mb"])
                result["peak_growth_over_frame"] = growth / result["frame_mb"]
                # the output matrix has to exist: what matters is the working memory beyond it
                result["peak_over_frame_plus_output"] = growth / (result["frame_mb"]
                                                                  + result["output_mb"])
                rows.append(result)
                print(json.dumps(result), file=sys.stderr)
    table = pd.DataFrame(rows)
    columns = ["dataset", "contender", "load_s", "profile_s", "fit_transform_s", "total_s",
               "frame_mb", "output_mb", "peak_rss_mb", "load_profile_peak_over_frame",
               "peak_growth_over_frame",
               "peak_over_frame_plus_output", "n_output_columns"]
    summary = table[columns].groupby(["dataset", "contender"], sort=False).median().round(2)
    print(summary.to_string())
    (WORK / "load_and_preprocess.json").write_text(table.to_json(orient="records", indent=1))


if __name__ == "__main__":
    main()
