"""AutoML robustness sweep: ``jogak train / evaluate / predict`` on a folder of unseen tables.

The folder holds data files (CSV, Parquet, ...) and a ``targets.json`` mapping each file name to
its target column. For every table the script

1. splits the rows 75/25 at random (seed 0) into a train and a test file of the same format,
   keeping the raw text of CSV cells (read as strings, written back unchanged);
2. runs ``jogak train TRAIN --target T --budget B --out BUNDLE --json`` in a child process,
   then ``jogak evaluate BUNDLE TEST --target T --json`` and ``jogak predict BUNDLE TEST``;
3. reloads the bundle with ``jogak.load_model`` and checks its predictions equal the CLI's;
4. fits a plain LightGBM (default parameters; text columns as pandas categories, dates left out)
   on the same train rows and scores it on the same test rows with jogak's metric;
5. flags crashes (exit code, last line of stderr), warning floods (more than 5 warning lines),
   budget overruns above 10 % and scores far behind the baseline.

The summary goes to ``OUT.json`` and ``OUT.md`` (dataset, rows, cols, task, status, score,
baseline score, fit seconds, flags)::

    nice -n 19 .venv/bin/python benchmarks/automl_robustness.py /tmp/h3data --budget 15 \
        --out benchmarks/results/automl_robustness
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

_JOGAK = [str(Path(sys.executable).parent / "jogak")]
# a child process per command costs ~1.5 s of CPU in imports, and about a minute of wall time
# under ``nice -n 19`` on a busy machine; the same Typer app runs in process unless --subprocess
_IN_PROCESS = True
_WARNING = re.compile(r"warning", re.IGNORECASE)
_UNNAMED = re.compile(r"^Unnamed: \d+$")


def split_file(path: Path, folder: Path, seed: int = 0) -> tuple[Path, Path, int, int]:
    """Train and test files (75/25 of the rows, same format), rows and columns of the table."""
    suffix = "".join(path.suffixes)
    if suffix == ".parquet":
        frame = pd.read_parquet(path)
    else:  # cells stay the exact text of the file; jogak parses them as it would the original
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame.columns = ["" if _UNNAMED.match(str(c)) else c for c in frame.columns]
    order = np.random.default_rng(seed).permutation(len(frame))
    cut = max(1, int(round(len(frame) * 0.75)))
    paths = []
    for name, rows in (("train", order[:cut]), ("test", order[cut:])):
        part = frame.iloc[np.sort(rows)]
        out = folder / f"{name}{suffix}"
        if suffix == ".parquet":
            part.to_parquet(out, index=False)
        else:
            part.to_csv(out, index=False)
        paths.append(out)
    return paths[0], paths[1], len(frame), frame.shape[1]


def _run(args: list[str], timeout: float) -> tuple[int, str, str, float]:
    """Exit code, stdout, stderr and wall seconds of ``jogak ARGS`` (in process by default)."""
    started = time.perf_counter()
    if _IN_PROCESS:
        import warnings

        from typer.testing import CliRunner

        from jogak.cli import app

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = CliRunner().invoke(app, args[1:])
        err = result.stderr + "".join(f"{w.category.__name__}: {w.message}\n" for w in caught)
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            err += f"{type(result.exception).__name__}: {result.exception}\n"
        return result.exit_code, result.stdout, err, time.perf_counter() - started
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return -9, "", f"timed out after {timeout:.0f} s", time.perf_counter() - started
    return done.returncode, done.stdout, done.stderr, time.perf_counter() - started


def _last_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _warning_lines(stderr: str) -> int:
    return sum(1 for line in stderr.splitlines() if _WARNING.search(line))


def baseline_score(train: pd.DataFrame, test: pd.DataFrame, target: str, task: str,
                   metric: str, classes: list[Any] | None,
                   features: list[str] | None = None) -> float | None:
    """Default LightGBM on the same split, scored with jogak's metric (None if it cannot run).

    ``features``: the columns jogak kept (R tables are often sorted by the target, so their row
    names would hand the baseline a leak that jogak rightly drops as an identifier).
    """
    import lightgbm as lgb

    from jogak.data import Task
    from jogak.models import get_metric

    train = train[train[target].notna()]
    test = test[test[target].notna()]
    features = features or [c for c in train.columns if c != target]

    def prepared(frame: pd.DataFrame) -> pd.DataFrame:
        out = {}
        for column in features:
            values = frame[column]
            numbers = pd.to_numeric(values, errors="coerce")
            if numbers.notna().sum() >= 0.9 * values.notna().sum():
                out[column] = numbers.astype("float64")
            else:
                levels = pd.Index(train[column].dropna().astype(str).unique())
                text = values.astype(str).where(values.notna())
                out[column] = pd.Categorical(text.where(text.isin(levels)), categories=levels)
        # LightGBM refuses some names (JSON characters, blanks): positions instead
        return pd.DataFrame({f"f{i}": v for i, v in enumerate(out.values())}, index=frame.index)

    X_train, X_test = prepared(train), prepared(test)
    scorer = get_metric(metric, Task(task))
    params = {"verbose": -1, "random_state": 0, "n_jobs": 1, "min_child_samples":
              max(2, min(20, len(train) // 10))}
    if task == "regression":
        y_train = pd.to_numeric(train[target]).to_numpy(float)
        model = lgb.LGBMRegressor(**params).fit(X_train, y_train)
        prediction = model.predict(X_test)
        return float(scorer.score(pd.to_numeric(test[target]).to_numpy(float), prediction))
    lookup = {_label(c): i for i, c in enumerate(classes or [])}
    y_train = train[target].map(_label).map(lookup)
    y_test = test[target].map(_label).map(lookup)
    labels = list(lookup)
    if y_train.isna().any() or y_test.isna().any():
        return None
    model = lgb.LGBMClassifier(**params).fit(X_train, y_train.to_numpy(int))
    proba = np.zeros((len(X_test), len(labels)))
    proba[:, model.classes_] = model.predict_proba(X_test)
    return float(scorer.score(y_test.to_numpy(int), proba))


def _label(value: Any) -> str:
    """A class label as text; 1.0 and 1 are one class (as jogak stores whole-number labels)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read(path: Path) -> pd.DataFrame:
    from jogak.data import load

    return load(path)


def sweep_one(path: Path, target: str, budget: float, work: Path) -> dict[str, Any]:
    """Train, evaluate, predict and reload one table; compare with the baseline."""
    name = path.name.split(".")[0]
    row: dict[str, Any] = {"dataset": name, "target": target, "flags": []}
    folder = work / name
    folder.mkdir(parents=True, exist_ok=True)
    train, test, row["rows"], row["cols"] = split_file(path, folder)
    bundle = folder / "bundle"
    cpu = time.process_time()
    code, out, err, wall = _run([*_JOGAK, "train", str(train), "--target", target, "--budget",
                                 str(budget), "--out", str(bundle), "--json"],
                                timeout=budget * 4 + 120)
    row["train_wall"] = round(wall, 1)
    if _IN_PROCESS:  # CPU seconds the process got: far below the wall time on a busy machine
        row["train_cpu"] = round(time.process_time() - cpu, 1)
    row["warnings"] = _warning_lines(err)
    row["warning_kinds"] = sorted({line.strip()[:120] for line in err.splitlines()
                                   if _WARNING.search(line)})[:5]
    if row["warnings"] > 5:
        row["flags"].append(f"{row['warnings']} warning lines")
    if code != 0:
        row.update(status=f"train exit {code}", error=_last_line(err))
        return row
    summary = json.loads(out.strip().splitlines()[-1])
    row.update(task=summary["task"], metric=summary["metric"],
               fit_seconds=round(summary["time_used"], 1), n_trials=summary["n_trials"],
               cv=summary["cv"][summary["metric"]]["mean"])
    if summary["time_used"] > 1.1 * budget:
        row["flags"].append(f"overrun {summary['time_used'] / budget - 1:.0%}")
    code, out, err, _ = _run([*_JOGAK, "evaluate", str(bundle), str(test), "--target", target,
                              "--json"], timeout=300)
    row["warnings"] += _warning_lines(err)
    if code != 0:
        row.update(status=f"evaluate exit {code}", error=_last_line(err))
        return row
    row["score"] = json.loads(out)["metrics"][row["metric"]]
    predictions = folder / "predictions.csv"
    code, out, err, _ = _run([*_JOGAK, "predict", str(bundle), str(test), "--out",
                              str(predictions)], timeout=300)
    if code != 0:
        row.update(status=f"predict exit {code}", error=_last_line(err))
        return row
    row["status"] = "ok"
    row.update(_reload_check(bundle, test, predictions))
    if row.get("reload") != "same":
        row["flags"].append(f"reload: {row.get('reload')}")
    try:
        from jogak import load_model

        model = load_model(bundle)
        classes = None if row["task"] == "regression" else list(model.classes_)
        kept = list(model.roles_.features)
        row["left_out"] = [c for c in model.feature_names_in_ if c not in kept]
        row["baseline"] = baseline_score(_read(train), _read(test), target, row["task"],
                                         row["metric"], classes, kept)
    except Exception as exc:  # noqa: BLE001 - the baseline is only a yardstick
        row["baseline"] = None
        row["baseline_error"] = f"{type(exc).__name__}: {exc}"[:200]
    row["flags"].extend(_score_flags(row))
    return row


def _reload_check(bundle: Path, test: Path, predictions: Path) -> dict[str, Any]:
    from jogak import load_model

    model = load_model(bundle)
    frame = _read(test)
    written = pd.read_csv(predictions, low_memory=False)
    if len(written) != len(frame):
        return {"reload": f"{len(written)} prediction rows for {len(frame)} input rows"}
    target_free = frame.drop(columns=[c for c in frame.columns
                                      if c not in model.feature_names_in_])
    again = model.predict(target_free)
    shown = written["prediction"].to_numpy()
    if np.asarray(again).dtype.kind in "fiu" and shown.dtype.kind in "fiu":
        same = np.allclose(np.asarray(again, float), shown.astype(float), rtol=1e-6,
                           equal_nan=True)
    else:
        same = bool((pd.Series(again).astype(str).to_numpy() ==
                     pd.Series(shown).astype(str).to_numpy()).all())
    return {"reload": "same" if same else "predictions differ"}


def _score_flags(row: dict[str, Any]) -> list[str]:
    from jogak.data import Task
    from jogak.models import get_metric

    score, base = row.get("score"), row.get("baseline")
    if score is None or base is None or not (math.isfinite(score) and math.isfinite(base)):
        return []
    greater = get_metric(row["metric"], Task(row["task"])).greater_is_better
    if greater:
        behind = base - score
        return [f"behind baseline by {behind:.3g}"] if behind > 0.05 * max(abs(base), 0.1) else []
    # log loss: an absolute margin (a baseline near 0 makes ratios meaningless); else 10 %
    behind = score - base > 0.05 if row["metric"] == "log_loss" else score > 1.1 * base + 1e-12
    return [f"behind baseline ({score:.4g} vs {base:.4g})"] if behind else []


def markdown(rows: list[dict[str, Any]], budget: float) -> str:
    """The summary table."""

    def fmt(value: Any) -> str:
        if value is None:
            return "—"
        return f"{value:.4g}" if isinstance(value, float) else str(value)

    lines = [f"budget {budget:g} s per table; score and baseline on the same 25 % test rows",
             "", "| dataset | rows | cols | task | metric | status | score | baseline | "
             "fit s | CPU s | trials | flags |", "|---" * 12 + "|"]
    for row in rows:
        status = row.get("status", "?")
        if row.get("error"):
            status += f": {row['error'][:120]}"
        lines.append("| " + " | ".join(fmt(row.get(k)) for k in (
            "dataset", "rows", "cols", "task", "metric")) + f" | {status} | "
            + " | ".join(fmt(row.get(k)) for k in ("score", "baseline", "fit_seconds",
                                                    "train_cpu", "n_trials"))
            + f" | {'; '.join(row.get('flags', []))} |")
    return "\n".join(lines) + "\n"


# (file, R package/item or "sm:<statsmodels name>" or "shared:<path>", target); R tables keep
# their row names as an unnamed first column, as R writes them
TABLES = (
    ("forbes2000.csv", "HSAUR/Forbes2000", "profits"), ("movies_rating.parquet",
    "ggplot2/movies", "rating"), ("economics.csv", "ggplot2/economics", "unemploy"),
    ("presidential.csv", "ggplot2/presidential", "party"),
    ("msleep.csv", "ggplot2/msleep", "sleep_total"),
    ("midwest.csv", "ggplot2/midwest", "percbelowpoverty"), ("aids2.csv", "MASS/Aids2", "status"),
    ("melanoma.csv", "MASS/Melanoma", "status"), ("chile.csv", "car/Chile", "vote"),
    ("slid.csv", "car/SLID", "wages"), ("un.csv", "car/UN", "gdp"),
    ("cranpackages.csv", "Ecdat/CRANpackages", "Packages"),
    ("animals.csv", "MASS/Animals", "brain"), ("fgl.csv", "MASS/fgl", "type"),
    ("uscereal.csv", "MASS/UScereal", "calories"), ("shuttle.csv", "MASS/shuttle", "use"),
    ("vietnami.parquet", "Ecdat/VietNamI", "lnhhexp"), ("fishing.csv", "Ecdat/Fishing", "mode"),
    ("doctoraus.csv", "Ecdat/DoctorAUS", "doctorco"), ("cracker.csv", "Ecdat/Cracker", "choice"),
    ("participation.csv", "Ecdat/Participation", "lfp"), ("davis.csv", "car/Davis", "weight"),
    ("womenlf.csv", "car/Womenlf", "partic"), ("biopsy.csv", "MASS/biopsy", "class"),
    ("cpus.csv", "MASS/cpus", "perf"), ("vocab.csv", "car/Vocab", "vocabulary"),
    ("fatality.csv", "Ecdat/Fatality", "mrall"),
    ("quakes_stations.csv", "datasets/quakes", "stations"),
    ("infert.csv", "datasets/infert", "case"), ("amssurvey.csv", "car/AMSsurvey", "count"),
    ("train_choice.csv", "Ecdat/Train", "choice"), ("medexp.csv", "Ecdat/MedExp", "med"),
    ("nlschools.csv", "MASS/nlschools", "lang"), ("diamonds.parquet", "ggplot2/diamonds",
    "price"), ("males.csv", "Ecdat/Males", "wage"), ("hdma.csv", "Ecdat/Hdma", "deny"),
    ("sm_anes96.csv", "sm:anes96", "vote"), ("sm_star98.csv", "sm:star98", "NABOVE"),
    ("sm_spector.csv", "sm:spector", "GRADE"), ("sm_fertility.csv", "sm:fertility", "2011"),
    ("sm_modechoice.csv", "sm:modechoice", "mode"), ("sm_ccard.csv", "sm:ccard", "AVGEXP"),
    ("sm_heart.csv", "sm:heart", "survival"),
    ("sm_china_smoking.csv", "sm:china_smoking", "smoking_yes_cancer_yes"),
    ("kkbox_members.csv", "shared:kkbox_churn_sample/members.csv.gz", "gender"),
    ("olist_reviews.csv", "shared:olist_ecommerce/olist_order_reviews_dataset.csv.gz",
     "review_score"),
    ("tmdb_vote.csv", "shared:tmdb_5000_movies/tmdb_5000_movies.csv.gz", "vote_average"),
    ("dacon_audience.csv", "shared:dacon_movie_audience/movies_train.csv.gz", "box_off_num"),
    ("melon_rank.parquet", "shared:melon_monthly_chart/melon_monthly_chart.csv.gz",
     "chart_rank"),
    ("cdnow.csv", "shared:cdnow_purchases/cdnow_master.csv.gz", "dollar_value"),
)
_SAMPLED = {"movies_rating.parquet": 8000, "melon_rank.parquet": 8000, "cdnow.csv": 20000}
_RAW_COPY = {"forbes2000.csv", "un.csv", "animals.csv"}  # the R file byte for byte


def make_tables(out: Path, rdata: Path, shared: Path) -> None:
    """Write the sweep's tables and ``targets.json`` into ``out``.

    Run with a scratch venv holding pydataset (its ``resources.tar.gz`` unpacked: ``rdata`` is
    its ``resources/rdata/csv`` folder) and statsmodels; jogak is not needed here.
    """
    import shutil

    import statsmodels.api as sm

    out.mkdir(parents=True, exist_ok=True)
    for name, source, _ in TABLES:
        if name in _RAW_COPY:
            shutil.copyfile(rdata / f"{source}.csv", out / name)
            continue
        if source.startswith("sm:"):
            frame = getattr(sm.datasets, source[3:]).load_pandas().data
        elif source.startswith("shared:"):
            frame = pd.read_csv(shared / source[7:], dtype={"customer_id": str})
        else:
            frame = pd.read_csv(rdata / f"{source}.csv")
        if name in _SAMPLED:
            frame = frame.sample(_SAMPLED[name], random_state=0)
        _write(frame, out / name)
    iris = pd.read_csv(rdata / "datasets/iris.csv").rename(columns={
        "Sepal.Length": "꽃받침 길이", "Sepal.Width": "꽃받침 너비", "Petal.Length": "꽃잎 길이",
        "Petal.Width": "꽃잎 너비", "Species": "품종"})
    _write(iris, out / "iris_unicode.csv")
    cars = pd.read_csv(rdata / "datasets/mtcars.csv")
    cars.columns = ["model", *cars.columns[1:]]
    cars["Disp "] = cars["disp"] * 16.387  # the same name as "disp" once stripped and lowered
    cars["country"] = "US"
    cars["is_auto"] = np.where(cars["am"] == 0, "TRUE", "FALSE")
    _write(cars, out / "mtcars_dupnames.csv")
    boston = pd.read_csv(rdata / "MASS/Boston.csv")
    boston["chas"] = boston["chas"].map({0: False, 1: True})
    boston["constant"] = 1.0
    _write(boston, out / "boston_bool_const.csv")
    targets = {name: target for name, _, target in TABLES}
    targets.update({"iris_unicode.csv": "품종", "mtcars_dupnames.csv": "mpg",
                    "boston_bool_const.csv": "medv"})
    (out / "targets.json").write_text(json.dumps(targets, indent=1, ensure_ascii=False))


def _write(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--make-tables", nargs=2, metavar=("RDATA_CSV", "SHARED_DATASETS"),
                        type=Path, help="Write the tables into FOLDER first (scratch venv with "
                                        "pydataset and statsmodels; see make_tables).")
    parser.add_argument("--budget", type=float, default=15.0)
    parser.add_argument("--out", type=Path, default=Path("automl_robustness"))
    parser.add_argument("--only", nargs="*", help="Dataset names (file stems) to run.")
    parser.add_argument("--subprocess", action="store_true",
                        help="Run each jogak command in a child process (slower).")
    args = parser.parse_args()
    if args.make_tables:
        make_tables(args.folder, *args.make_tables)
        return
    global _IN_PROCESS
    _IN_PROCESS = not args.subprocess
    targets = json.loads((args.folder / "targets.json").read_text())
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for file_name, target in sorted(targets.items()):
            if args.only and file_name.split(".")[0] not in args.only:
                continue
            started = time.perf_counter()
            row = sweep_one(args.folder / file_name, target, args.budget, Path(work))
            row["load"] = round(os.getloadavg()[0], 2)
            rows.append(row)
            print(f"{row['dataset']:<20} {row.get('status')!s:<16} score {row.get('score')} "
                  f"base {row.get('baseline')} fit {row.get('fit_seconds')} "
                  f"({time.perf_counter() - started:.0f} s) {row['flags']} "
                  f"{row.get('error', '')}", flush=True)
            args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1, default=str,
                                                                ensure_ascii=False))
    args.out.with_suffix(".md").write_text(markdown(rows, args.budget))


if __name__ == "__main__":
    main()
