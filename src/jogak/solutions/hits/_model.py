"""Train, evaluate, save and load film and song hit models; build the investment board."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline

from jogak.data import Task
from jogak.errors import BundleError, ConfigError, SchemaError
from jogak.models import AutoMLClassifier, CVScheme, make_splits
from jogak.models._artifacts import data_fingerprint, load_bundle, save_bundle
from jogak.solutions.hits._comparison import Comparison, compare_models
from jogak.solutions.hits._films import FILM_TARGET, FilmFeatures
from jogak.solutions.hits._investment import InvestmentTerms, investment_board
from jogak.solutions.hits._regressor import DEFAULT_FAMILIES, HitRegressor, check_count_target
from jogak.solutions.hits._s1_models import S1_MODELS
from jogak.solutions.hits._song_features import SongFeatures
from jogak.solutions.hits._songs import CHART_COLUMNS, song_outcomes

__all__ = ["HitKind", "HitModel", "evaluate_hits", "load_hit_model", "song_table",
           "top10_auc", "train_hit_model"]

HitKind = Literal["films", "songs"]
BUNDLE_KIND = "jogak.hits"
SONG_TARGET = "months_on_chart"
Progress = Callable[[str], None]


def _check_kind(kind: str) -> None:
    if kind not in ("films", "songs"):
        raise ConfigError(f"kind must be 'films' or 'songs', got {kind!r}.")


def song_table(frame: pd.DataFrame, *, include_censored: bool = False) -> pd.DataFrame:
    """Songs from a chart history (via :func:`song_outcomes`) or an already per-song table.

    Censored runs (cut off by the data window) are dropped unless ``include_censored``.
    """
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"Expected a DataFrame, got {type(frame).__name__}.")
    if all(c in frame.columns for c in CHART_COLUMNS):
        songs = song_outcomes(frame)
    else:
        songs = frame.reset_index(drop=True)
    if not include_censored and "is_censored" in songs.columns:
        songs = songs[~songs["is_censored"].astype(bool)].reset_index(drop=True)
    return songs


def _training_rows(kind: HitKind, frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    if kind == "films":
        if FILM_TARGET not in frame.columns:
            raise SchemaError(f"Training on films needs the target column {FILM_TARGET!r} "
                              "(total audience).")
        return frame.drop(columns=[FILM_TARGET]).reset_index(drop=True), check_count_target(
            frame[FILM_TARGET], name=FILM_TARGET)
    songs = song_table(frame)
    if SONG_TARGET not in songs.columns:
        raise SchemaError(f"Training on songs needs a chart history or a song table with "
                          f"{SONG_TARGET!r}.")
    if len(songs) < 20:
        raise SchemaError(f"Training on songs needs at least 20 uncensored songs, got "
                          f"{len(songs)}.")
    return songs, check_count_target(songs[SONG_TARGET], name=SONG_TARGET)


def _features(kind: HitKind, *, embedding_size: int, random_state: int) -> Any:
    if kind == "films":
        return FilmFeatures()
    return SongFeatures(embedding_size=embedding_size, random_state=random_state)


@dataclass
class HitModel:
    """A fitted film or song hit model.

    Attributes
    ----------
    kind : {"films", "songs"}
    regressor : HitRegressor
        Audience (films) or months on chart (songs), with conformal intervals.
    classifier : Pipeline or None
        Songs: probability of a top-10 peak (SongFeatures + AutoMLClassifier).
    n_rows : int
    fingerprint : str
        sha256 of the training rows.
    """

    kind: HitKind
    regressor: HitRegressor
    classifier: Pipeline | None
    n_rows: int
    fingerprint: str

    def _rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        if self.kind == "songs":
            return song_table(frame, include_censored=True)
        return frame.reset_index(drop=True)

    def predict(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Per title: ``title``, ``predicted``, ``lower``, ``upper`` (+ ``top10_probability``)."""
        rows = self._rows(frame)
        bounds = self.regressor.predict_interval(rows)
        out = pd.DataFrame({"title": _titles(self.kind, rows),
                            "predicted": self.regressor.predict(rows),
                            "lower": bounds[:, 0], "upper": bounds[:, 1]})
        if self.classifier is not None:
            out["top10_probability"] = self.classifier.predict_proba(rows)[:, 1]
        return out

    def board(self, frame: pd.DataFrame, terms: InvestmentTerms) -> pd.DataFrame:
        """The investment board of these titles (see :func:`investment_board`)."""
        predicted = self.predict(frame)
        board = investment_board(predicted["title"], predicted["predicted"].to_numpy(),
                                 predicted[["lower", "upper"]].to_numpy(), terms)
        if "top10_probability" in predicted.columns:
            lookup = dict(zip(predicted["title"], predicted["top10_probability"], strict=False))
            board["top10_probability"] = board["title"].map(lookup)
        return board

    def save(self, path: str | Path) -> Path:
        """Write a verified bundle folder (atomic)."""
        regressor = self.regressor
        manifest = {"kind": BUNDLE_KIND, "name": f"hits-{self.kind}", "version": 1,
                    "task": "regression", "hit_kind": self.kind,
                    "target": FILM_TARGET if self.kind == "films" else SONG_TARGET,
                    "n_rows": self.n_rows, "data_fingerprint": self.fingerprint,
                    "seed": regressor.random_state, "n_trials": regressor.n_trials,
                    "coverage": regressor.coverage, "interval_half_width_log":
                    _finite(regressor.quantile_), "back_transform": regressor.back_transform,
                    "back_transform_scale": regressor.scale_,
                    "back_transform_power": list(regressor.power_),
                    "blend_weight": regressor.blend_weight_,
                    "blend_target": regressor.blend_target if regressor.raw_blend else None,
                    "blend_scale": regressor.blend_scale_,
                    "metrics": {k: {"mean": m, "std": s} for k, (m, s)
                                in regressor.automl_.cv_results_.items()}}
        return save_bundle(Path(path), objects={"hit_model": self}, manifest=manifest)


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _titles(kind: HitKind, rows: pd.DataFrame) -> pd.Series:
    if kind == "films":
        column = "title" if "title" in rows.columns else None
        return (rows[column].astype(str).str.strip() if column
                else pd.Series([f"film {i}" for i in range(len(rows))]))
    return rows["song_name"].astype(str).str.strip() + " - " + rows["artist"].astype(str)


def train_hit_model(kind: HitKind, frame: pd.DataFrame, *, n_trials: int = 20,
                    coverage: float = 0.9, include_models: Sequence[str] = DEFAULT_FAMILIES,
                    embedding_size: int = 16, raw_blend: bool = True, random_state: int = 0,
                    n_jobs: int = 1) -> HitModel:
    """Fit a film audience model (DACON table) or a song model (Melon chart history).

    Songs get a months-on-chart regressor and a top-10 classifier. Both use ``n_trials`` AutoML
    trials (reproducible for a given ``random_state``).
    """
    _check_kind(kind)
    X, y = _training_rows(kind, frame)
    features = _features(kind, embedding_size=embedding_size, random_state=random_state)
    regressor = HitRegressor(features=features, n_trials=n_trials, coverage=coverage,
                             include_models=tuple(include_models), raw_blend=raw_blend,
                             random_state=random_state, n_jobs=n_jobs).fit(X, y)
    classifier = None
    if kind == "songs":
        classifier = _song_classifier(features, n_trials, include_models, random_state, n_jobs)
        classifier.fit(X, X["is_top10"].to_numpy())
    return HitModel(kind=kind, regressor=regressor, classifier=classifier, n_rows=len(X),
                    fingerprint=data_fingerprint(X))


def _song_classifier(features: Any, n_trials: int, include_models: Sequence[str],
                     random_state: int, n_jobs: int) -> Pipeline:
    automl = AutoMLClassifier(time_budget=None, n_trials=n_trials, metric="roc_auc",
                              include_models=list(include_models), random_state=random_state,
                              n_jobs=n_jobs)
    return Pipeline([("features", features), ("automl", automl)])


def load_hit_model(path: str | Path, *, allow_version_mismatch: bool = False) -> HitModel:
    """Load a hit-model bundle after verifying its files and library versions."""
    bundle = load_bundle(Path(path), allow_version_mismatch=allow_version_mismatch)
    model = bundle.objects.get("hit_model")
    if bundle.manifest.get("kind") != BUNDLE_KIND or not isinstance(model, HitModel):
        raise BundleError(f"{path} is a bundle of kind {bundle.manifest.get('kind')!r}, "
                          f"expected {BUNDLE_KIND!r} (made by 'jogak hits train').")
    return model


def top10_auc(songs: pd.DataFrame, *, folds: int = 5, repeats: int = 3, n_trials: int = 10,
              include_models: Sequence[str] = DEFAULT_FAMILIES, embedding_size: int = 16,
              random_state: int = 0, n_jobs: int = 1) -> pd.DataFrame:
    """ROC AUC of the top-10 classifier on repeated k-fold (``fold, roc_auc``)."""
    target = songs["is_top10"].to_numpy(dtype=int)
    scheme = CVScheme(kind="stratified", n_splits=folds, n_repeats=repeats,
                      random_state=random_state)
    rows = []
    for fold, (train, test) in enumerate(make_splits(scheme, task=Task.BINARY, y=target)):
        features = _features("songs", embedding_size=embedding_size, random_state=random_state)
        model = _song_classifier(features, n_trials, include_models, random_state, n_jobs)
        model.fit(songs.iloc[train], target[train])
        proba = model.predict_proba(songs.iloc[test])[:, 1]
        rows.append({"fold": fold, "roc_auc": float(roc_auc_score(target[test], proba))})
    return pd.DataFrame(rows)


def evaluate_hits(kind: HitKind, frame: pd.DataFrame, *, folds: int = 5, repeats: int = 3,
                  models: Sequence[str] = S1_MODELS, tuned: bool = True,
                  n_tuning_trials: int = 10, n_trials: int = 20,
                  include_models: Sequence[str] = DEFAULT_FAMILIES, embedding_size: int = 16,
                  with_top10: bool = True, with_jogak: bool = True, blend_target: str = "raw",
                  random_state: int = 0,
                  n_jobs: int = 1, progress: Progress | None = None,
                  on_fold: Callable[[Comparison], None] | None = None,
                  fold_subset: Sequence[int] | None = None, features: Any = None
                  ) -> tuple[Comparison, pd.DataFrame | None]:
    """S1's table beside jogak's model on the same folds (and, for songs, the top-10 AUC).

    See :func:`compare_models` for the table; ``progress``, ``on_fold`` and ``fold_subset``
    are passed to it.
    ``blend_target`` is that of jogak's :class:`HitRegressor`. ``features`` replaces the
    default feature transformer (e.g. ``FilmFeatures(competition=None)``) for every model.
    ``with_jogak=False`` scores S1's models only (e.g. to run S1's rows and jogak's row as two
    processes: the folds depend only on ``folds``, ``repeats`` and ``random_state``).
    """
    _check_kind(kind)
    X, y = _training_rows(kind, frame)
    if features is None:
        features = _features(kind, embedding_size=embedding_size, random_state=random_state)
    jogak = (HitRegressor(features=features, n_trials=n_trials,
                          include_models=tuple(include_models), blend_target=blend_target,
                          random_state=random_state, n_jobs=n_jobs) if with_jogak else None)
    comparison = compare_models(X, y, features=features, jogak_model=jogak, models=models,
                                tuned=tuned, n_tuning_trials=n_tuning_trials, folds=folds,
                                repeats=repeats, random_state=random_state, n_jobs=n_jobs,
                                progress=progress, on_fold=on_fold, fold_subset=fold_subset)
    auc = None
    if kind == "songs" and with_top10:
        auc = top10_auc(X, folds=folds, repeats=repeats, n_trials=n_trials,
                        include_models=include_models, embedding_size=embedding_size,
                        random_state=random_state, n_jobs=n_jobs)
    return comparison, auc
