"""ChurnClassifier: the AutoML core, calibrated probabilities and S3's two operating points."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import BundleError, ConfigError, TargetError
from jogak.models import (
    AutoMLClassifier,
    OperatingPoint,
    brier_score,
    calibration_curve,
    decide,
    load_model,
    operating_points,
)
from jogak.pipeline._input_tags import RawTableInputMixin
from jogak.solutions.churn._calibration import (
    CalibrationMethod,
    apply_calibration,
    cross_fitted,
    fit_calibration,
)

__all__ = ["ChurnClassifier", "evaluate_holdout", "load_churn_model"]

_MANIFEST_KEY = "churn"


class ChurnClassifier(RawTableInputMixin, ClassifierMixin, BaseEstimator):
    """Churn probabilities from the AutoML core, calibrated, with two operating points.

    ``recall_first`` (catch ``recall_target`` of the churners: cheap, broad campaigns such as
    small coupons and recommendations) and ``precision_first`` (``precision_target`` of the
    flagged really churn: expensive, targeted ones such as large coupons and events) are chosen
    on calibrated out-of-fold probabilities, so they describe customers the models did not
    train on.

    Parameters
    ----------
    n_trials : int or None, default 20
        AutoML trials (reproducible); give ``time_budget`` instead for wall-clock search.
    time_budget : float or None, default None
        Seconds for the search when ``n_trials`` is None.
    cv : int, default 5
        Stratified folds of the model search. Validate across time with
        :func:`time_split` and :func:`evaluate_holdout` (train on earlier cohorts, score a
        later one).
    exclude_columns : sequence of str
        Identifier or leaky columns to leave out (e.g. the customer id).
    include_models, exclude_models : sequence of str, optional
        AutoML model families.
    calibration : {"sigmoid", "isotonic", "none"}, default "sigmoid"
        Map fitted on out-of-fold probabilities.
    recall_target, precision_target : float, default 0.95 and 0.8
        Targets of the two operating points.
    random_state : int, default 0
    n_jobs : int, default 2

    Attributes
    ----------
    automl_ : AutoMLClassifier
        The fitted AutoML model (uncalibrated).
    classes_ : ndarray
        ``[not churn, churn]`` labels.
    calibration_ : dict
        The calibration map (plain numbers) and its out-of-fold Brier scores before and after
        (``brier_raw``, ``brier_calibrated``: cross-fitted, honest).
    oof_proba_ : ndarray
        Calibrated out-of-fold churn probabilities.
    oof_target_ : ndarray
        1 for churners, aligned with ``oof_proba_``.
    operating_points_ : dict of str to OperatingPoint
        ``recall_first`` and (when reachable) ``precision_first``, in calibrated probability.
    cv_scores_ : dict of str to (mean, std)
        Metrics of the final model across the folds (``roc_auc``, ``log_loss``, ...).
    """

    def __init__(self, *, n_trials: int | None = 20, time_budget: float | None = None,
                 cv: int = 5, exclude_columns: Sequence[str] = (),
                 include_models: Sequence[str] | None = None,
                 exclude_models: Sequence[str] = (), calibration: CalibrationMethod = "sigmoid",
                 recall_target: float = 0.95, precision_target: float = 0.8,
                 random_state: int = 0, n_jobs: int = 2) -> None:
        self.n_trials = n_trials
        self.time_budget = time_budget
        self.cv = cv
        self.exclude_columns = exclude_columns
        self.include_models = include_models
        self.exclude_models = exclude_models
        self.calibration = calibration
        self.recall_target = recall_target
        self.precision_target = precision_target
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _automl(self) -> AutoMLClassifier:
        return AutoMLClassifier(
            n_trials=self.n_trials, time_budget=self.time_budget if self.n_trials is None
            else None, cv=self.cv, exclude_columns=tuple(self.exclude_columns),
            include_models=self.include_models, exclude_models=tuple(self.exclude_models),
            random_state=self.random_state, n_jobs=self.n_jobs)

    def fit(self, X: pd.DataFrame, y: Any) -> ChurnClassifier:
        """Search and fit the AutoML model, calibrate, choose the operating points.

        Raises
        ------
        TargetError
            ``y`` does not have exactly two classes.
        """
        if self.calibration not in ("sigmoid", "isotonic", "none"):
            raise ConfigError(f"calibration must be 'sigmoid', 'isotonic' or 'none', got "
                              f"{self.calibration!r}.")
        labels = pd.Series(np.asarray(y)).dropna().unique()
        if len(labels) != 2:
            raise TargetError(f"Churn needs a binary target (churn / stay), got "
                              f"{len(labels)} class(es): {sorted(map(str, labels))[:5]}.")
        self.automl_ = self._automl().fit(X, y)
        self.classes_ = self.automl_.classes_
        raw = self.automl_.oof_[:, 1]
        target = (self.automl_.oof_target_ == 1).astype(int)
        keep = np.isfinite(raw)  # rows no fold tested (if any) have no honest probability
        raw, target = raw[keep], target[keep]
        self.calibration_ = fit_calibration(raw, target, self.calibration)
        honest = cross_fitted(raw, target, self.calibration, random_state=self.random_state)
        self.calibration_.update({"brier_raw": brier_score(target, raw),
                                  "brier_calibrated": brier_score(target, honest),
                                  "n_rows": int(keep.sum())})
        self.oof_proba_ = apply_calibration(raw, self.calibration_)
        self.oof_target_ = target
        self.calibration_table_ = calibration_curve(target, honest, n_bins=10)
        self.operating_points_: dict[str, OperatingPoint] = operating_points(
            target, self.oof_proba_, recall_target=self.recall_target,
            precision_target=self.precision_target)
        self.cv_scores_ = dict(self.automl_.cv_results_)
        return self

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        """Calibrated probabilities, columns ordered as ``classes_`` (churn second)."""
        check_is_fitted(self, "automl_")
        churn = apply_calibration(self.automl_.predict_proba(X)[:, 1], self.calibration_)
        return np.column_stack([1.0 - churn, churn])

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        """``classes_[1]`` (churn) where the calibrated probability is >= 0.5."""
        return self.classes_[(self.predict_proba(X)[:, 1] >= 0.5).astype(int)]

    def decide(self, X: pd.DataFrame, operating_point: str) -> np.ndarray:
        """Booleans: flagged at ``recall_first`` or ``precision_first``."""
        check_is_fitted(self, "automl_")
        return decide(self.predict_proba(X), self.operating_points_, operating_point)

    def summary(self) -> dict[str, Any]:
        """JSON-ready: CV metrics (mean, std), calibration and operating points."""
        check_is_fitted(self, "automl_")
        calibration = {k: v for k, v in self.calibration_.items() if k not in ("x", "y")}
        return {"cv": {k: {"mean": m, "std": s} for k, (m, s) in self.cv_scores_.items()},
                "calibration": calibration,
                "operating_points": {k: p.to_dict() for k, p in self.operating_points_.items()},
                "leaderboard": self.automl_.leaderboard_[["family", self.automl_.metric_]]
                .head(5).to_dict(orient="records")}

    def save(self, path: str | Path, *, name: str | None = None) -> Path:
        """Write a model bundle; calibration and operating points go into its manifest."""
        check_is_fitted(self, "automl_")
        extra = {_MANIFEST_KEY: {
            "calibration": self.calibration_,
            "operating_points": {k: p.to_dict() for k, p in self.operating_points_.items()},
            "cv": {k: {"mean": m, "std": s} for k, (m, s) in self.cv_scores_.items()},
            "params": {k: (list(v) if isinstance(v, tuple) else v)
                       for k, v in self.get_params().items()},
        }}
        return self.automl_.save(path, name=name or "churn", extra_manifest=extra)


def evaluate_holdout(model: ChurnClassifier, X: pd.DataFrame, y: Any) -> dict[str, Any]:
    """How a fitted model does on a later cohort (rows it never saw, e.g. from time_split).

    Returns
    -------
    dict
        ``n_rows``, ``churn_rate``, ``roc_auc``, ``brier``, ``mean_probability`` (compare with
        the churn rate: calibration in the large) and, per operating point, the ``precision``,
        ``recall`` and ``flagged_share`` reached on these rows with the threshold chosen in
        training.

    Raises
    ------
    TargetError
        ``y`` holds labels other than the model's two classes, or only one of them.
    """
    from sklearn.metrics import roc_auc_score

    check_is_fitted(model, "automl_")
    labels = np.asarray(y)
    unknown = set(pd.unique(labels).tolist()) - set(model.classes_.tolist())
    if unknown:
        raise TargetError(f"y holds labels {sorted(map(str, unknown))[:3]} the model was not "
                          f"fitted on (classes {list(model.classes_)}).")
    churn = (labels == model.classes_[1]).astype(int)
    if churn.min() == churn.max():
        raise TargetError("The holdout has a single class; AUC and precision need both.")
    proba = model.predict_proba(X)[:, 1]
    points: dict[str, dict[str, float]] = {}
    for name, point in model.operating_points_.items():
        flagged = proba >= point.threshold
        hits = int((flagged & (churn == 1)).sum())
        points[name] = {"threshold": point.threshold,
                        "precision": hits / int(flagged.sum()) if flagged.any() else float("nan"),
                        "recall": hits / int(churn.sum()),
                        "flagged_share": float(flagged.mean())}
    return {"n_rows": len(churn), "churn_rate": float(churn.mean()),
            "roc_auc": float(roc_auc_score(churn, proba)), "brier": brier_score(churn, proba),
            "mean_probability": float(proba.mean()), "operating_points": points}


def load_churn_model(path: str | Path) -> ChurnClassifier:
    """Load a bundle written by :meth:`ChurnClassifier.save` (hashes checked first).

    Raises
    ------
    BundleError
        The bundle is not a churn model.
    """
    automl = load_model(path)
    section: Mapping[str, Any] | None = automl.manifest_.get(_MANIFEST_KEY)
    if not section or "calibration" not in section:
        raise BundleError(f"{path} is a model bundle but not a churn model (no 'churn' section "
                          "in its manifest). Hint: train it with 'jogak churn train'.")
    params: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v)
                              for k, v in section.get("params", {}).items()}
    model = ChurnClassifier(**params)
    model.automl_ = automl
    model.classes_ = automl.classes_
    model.calibration_ = dict(section["calibration"])
    model.operating_points_ = {k: OperatingPoint.from_dict(v)
                               for k, v in section["operating_points"].items()}
    model.cv_scores_ = {k: (v["mean"], v["std"]) for k, v in section["cv"].items()}
    return model
