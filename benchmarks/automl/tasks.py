"""The benchmark tasks: real tables turned into (X, y), plus the outer CV folds.

Every loader returns raw columns: strings stay strings and each framework does its own
preprocessing. The only cleaning is what a loader must do to make the table mean what it says
(blanks to NaN, a date string to a datetime, JSON genre lists to their names) and what keeps a
task leakage-free (columns recorded after the outcome are dropped). Each task's ``note`` says
what was done; README.md repeats it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold

__all__ = ["TASKS", "TaskData", "data_dir", "default_n_folds", "fold_indices", "load_task"]

LARGE_TASK_ROWS = 10_000


@dataclass(frozen=True)
class TaskData:
    """One benchmark task: features, target, its kind and the metric frameworks are ranked on."""

    name: str
    kind: str  # "binary", "multiclass" or "regression"
    metric: str  # "roc_auc", "accuracy" or "rmse"
    X: pd.DataFrame
    y: pd.Series
    note: str


def data_dir() -> Path:
    """The datasets folder: env JOGAK_DATA_DIR, else ``<repo>/../shared/datasets``."""
    repo = Path(__file__).resolve().parents[2]
    return Path(os.environ.get("JOGAK_DATA_DIR", repo.parent / "shared" / "datasets"))


def _telco(root: Path) -> TaskData:
    frame = pd.read_csv(root / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    frame["TotalCharges"] = pd.to_numeric(frame["TotalCharges"], errors="coerce")
    y = (frame.pop("Churn") == "Yes").astype(np.int64).rename("churn")
    X = frame.drop(columns=["customerID"])
    return TaskData("telco_churn", "binary", "roc_auc", X, y,
                    "IBM Telco: Churn Yes=1; customerID dropped; 11 blank TotalCharges -> NaN.")


_TAIWAN_NAMES = {
    "X1": "LIMIT_BAL", "X2": "SEX", "X3": "EDUCATION", "X4": "MARRIAGE", "X5": "AGE",
    "X6": "PAY_0", "X7": "PAY_2", "X8": "PAY_3", "X9": "PAY_4", "X10": "PAY_5", "X11": "PAY_6",
    **{f"X{12 + i}": f"BILL_AMT{i + 1}" for i in range(6)},
    **{f"X{18 + i}": f"PAY_AMT{i + 1}" for i in range(6)},
}


def _taiwan(root: Path) -> TaskData:
    frame = pd.read_csv(root / "taiwan_credit_default" / "default_of_credit_card_clients.csv.gz")
    y = frame.pop("Y").astype(np.int64).rename("default_next_month")
    X = frame.drop(columns=["ID"]).rename(columns=_TAIWAN_NAMES)
    return TaskData("taiwan_credit", "binary", "roc_auc", X, y,
                    "UCI Taiwan default: ID dropped, X1..X23 renamed to the Kaggle names; "
                    "undocumented codes (EDUCATION 0/5/6, MARRIAGE 0, PAY_* -2/0) kept as given.")


def _dacon(root: Path) -> TaskData:
    frame = pd.read_csv(root / "dacon_movie_audience" / "movies_train.csv.gz")
    frame["release_time"] = pd.to_datetime(frame["release_time"], format="%Y-%m-%d")
    y = np.log1p(frame.pop("box_off_num").astype(np.float64)).rename("log1p_audience")
    X = frame.drop(columns=["title"])
    return TaskData("dacon_audience", "regression", "rmse", X, y,
                    "DACON train file (600 films): target log1p(box_off_num); title dropped; "
                    "release_time parsed to a datetime; dir_prev_bfnum NaN kept.")


# popularity and vote_* are 2017 snapshots taken after release: they encode the film's success.
_TMDB_LEAKY = ["popularity", "vote_average", "vote_count"]


def _genre_names(text: object) -> str:
    if not isinstance(text, str) or not text:
        return ""
    return ", ".join(item["name"] for item in json.loads(text))


def _tmdb(root: Path) -> TaskData:
    frame = pd.read_csv(root / "tmdb_5000_movies" / "tmdb_5000_movies.csv.gz")
    frame = frame[frame["revenue"] > 0].reset_index(drop=True)
    released = pd.to_datetime(frame["release_date"], format="%Y-%m-%d")
    X = pd.DataFrame({
        "budget": frame["budget"].where(frame["budget"] > 0).astype(np.float64),
        "runtime": frame["runtime"].where(frame["runtime"] > 0).astype(np.float64),
        "genres": frame["genres"].map(_genre_names),
        "release_year": released.dt.year.astype(np.float64),
        "release_month": released.dt.month.astype(np.float64),
        "overview": frame["overview"],
    })
    y = np.log1p(frame["revenue"].astype(np.float64)).rename("log1p_revenue")
    return TaskData("tmdb_revenue", "regression", "rmse", X, y,
                    "TMDB 5000, films with revenue > 0: target log1p(revenue); features budget "
                    "(0 -> NaN), runtime (0 -> NaN), genre names, release year/month, overview "
                    f"text. Excluded as leaky (post-release snapshots): {', '.join(_TMDB_LEAKY)}; "
                    "ids, titles, homepage and other JSON lists are not used.")


def _phrasebank(root: Path) -> TaskData:
    frame = pd.read_csv(root / "financial_phrasebank" / "sentences_50agree.csv.gz")
    frame = frame.drop_duplicates(subset="sentence", keep="first").reset_index(drop=True)
    y = frame["label"].rename("sentiment")
    return TaskData("phrasebank", "multiclass", "accuracy", frame[["sentence"]], y,
                    "Financial PhraseBank 50% agreement; the sentence text is the only feature; "
                    "duplicate sentences dropped (first kept) so no sentence is in two folds.")


def _melon(root: Path) -> TaskData:
    chart = pd.read_csv(root / "melon_monthly_chart" / "melon_monthly_chart.csv.gz",
                        dtype={"song_id": "string"})
    chart["song"] = chart["song_id"].fillna(chart["song_name"] + " / " + chart["artist"])
    chart["month_index"] = chart["chart_year"] * 12 + chart["chart_month"] - 1
    chart = chart.sort_values(["month_index", "chart_rank"])
    songs = chart.groupby("song", sort=False).agg(
        debut=("month_index", "min"), months_on_chart=("month_index", "nunique"),
        artist=("artist", "first"), genre=("genre", "first"),
        release_date=("release_date", "first"))
    # The artist's charted songs whose debut is strictly before this one's (from all songs).
    songs["artist_prior_songs"] = songs.groupby("artist")["debut"].rank(method="min").sub(1)
    first, last = chart["month_index"].min(), chart["month_index"].max()
    # Songs already charting in the first month began earlier (left-censored); songs debuting in
    # the last 12 months may still be charting (right-censored).
    songs = songs[(songs["debut"] > first) & (songs["debut"] <= last - 12)]
    release = songs["release_date"].fillna("").str.extract(r"^(\d{4})(?:\.(\d{2}))?")
    release_year = pd.to_numeric(release[0], errors="coerce")
    release_month = pd.to_numeric(release[1], errors="coerce")
    X = pd.DataFrame({
        "genre": songs["genre"],
        "release_year": release_year,
        "release_month": release_month,
        "debut_year": songs["debut"] // 12,
        "debut_month": songs["debut"] % 12 + 1,
        "months_release_to_debut":
            songs["debut"] - (release_year * 12 + release_month.fillna(1) - 1),
        "artist_prior_songs": songs["artist_prior_songs"],
    }).astype({"debut_year": np.float64, "debut_month": np.float64,
               "artist_prior_songs": np.float64}).reset_index(drop=True)
    y = np.log1p(songs["months_on_chart"].astype(np.float64)).rename("log1p_months_on_chart")
    return TaskData("melon_months", "regression", "rmse", X, y.reset_index(drop=True),
                    "Melon monthly chart, one row per song (song_id, else title/artist): target "
                    "log1p(months on chart). Features known at the first chart month only: "
                    "genre text, release year/month, debut year/month, months from release to "
                    "debut, and the artist's count of songs that debuted strictly earlier. No "
                    "ranks (the debut rank is not known at release), no artist identity. Songs "
                    "debuting in 2000-01 (left-censored) or in the last 12 months (right-"
                    "censored) are dropped; 2014-06..09 and 2023-03 are missing months.")


def _breast_cancer(_: Path) -> TaskData:
    from sklearn.datasets import load_breast_cancer

    bunch = load_breast_cancer(as_frame=True)
    return TaskData("breast_cancer", "binary", "roc_auc", bunch.data, bunch.target.rename("y"),
                    "scikit-learn bundled breast_cancer (569 rows, 30 numeric).")


def _wine(_: Path) -> TaskData:
    from sklearn.datasets import load_wine

    bunch = load_wine(as_frame=True)
    return TaskData("wine", "multiclass", "accuracy", bunch.data, bunch.target.rename("y"),
                    "scikit-learn bundled wine (178 rows, 13 numeric, 3 classes).")


def _diabetes(_: Path) -> TaskData:
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes(as_frame=True, scaled=False)
    return TaskData("diabetes", "regression", "rmse", bunch.data, bunch.target.rename("y"),
                    "scikit-learn bundled diabetes (442 rows, 10 numeric, unscaled).")


TASKS: dict[str, Callable[[Path], TaskData]] = {
    "telco_churn": _telco,
    "taiwan_credit": _taiwan,
    "dacon_audience": _dacon,
    "tmdb_revenue": _tmdb,
    "phrasebank": _phrasebank,
    "melon_months": _melon,
    "breast_cancer": _breast_cancer,
    "wine": _wine,
    "diabetes": _diabetes,
}


def load_task(name: str, root: Path | None = None) -> TaskData:
    """Load one task by name from ``root`` (default :func:`data_dir`)."""
    if name not in TASKS:
        raise KeyError(f"Unknown task {name!r}; expected one of {sorted(TASKS)}.")
    task = TASKS[name](root or data_dir())
    if len(task.X) != len(task.y) or task.y.isna().any():
        raise ValueError(f"Task {name!r}: X has {len(task.X)} rows, y {len(task.y)} "
                         f"with {int(task.y.isna().sum())} missing.")
    return task


def default_n_folds(n_rows: int) -> int:
    """5 outer folds under 10k rows, 3 above (Taiwan credit is the only larger task)."""
    return 5 if n_rows < LARGE_TASK_ROWS else 3


def fold_indices(task: TaskData, n_folds: int,
                 seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train, test) row positions of each outer fold: stratified for classification, shuffled."""
    splitter = (StratifiedKFold(n_folds, shuffle=True, random_state=seed)
                if task.kind != "regression" else KFold(n_folds, shuffle=True, random_state=seed))
    return list(splitter.split(task.X, task.y))
