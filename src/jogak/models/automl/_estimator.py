"""AutoMLRegressor and AutoMLClassifier: a table and a target in, the best model in budget out."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_is_fitted,
)

from jogak.data import Task, coerce_frame
from jogak.data._coerce import target_numbers
from jogak.data._schema import FeatureSchema
from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.models._artifacts import data_fingerprint
from jogak.models._metrics import default_metric, get_metric
from jogak.models._thresholds import OperatingPoint, decide, operating_points
from jogak.models._validation import CVScheme, make_splits
from jogak.models.automl._budget import Budget
from jogak.models.automl._finalize import final_seconds, finalize
from jogak.models.automl._folds import FoldCache
from jogak.models.automl._inputs import (
    as_frame,
    check_params,
    feature_roles,
    monotone_for,
    searched_specs,
    training_rows,
)
from jogak.models.automl._machine import machine_slowdown
from jogak.models.automl._oof import out_of_fold
from jogak.models.automl._predictor import EnsemblePredictor
from jogak.models.automl._search import Search, SearchSettings, TrialCallback
from jogak.models.automl._serving_cost import InferLimit, predictor_cost
from jogak.models.automl._trial import TrialRecord, leaderboard, quiet_convergence
from jogak.pipeline._input_tags import RawTableInputMixin

__all__ = ["AutoMLClassifier", "AutoMLRegressor"]

# The serving goals of issue 3: >= 20k rows/s in 10k-row batches, single-row p50 <= 1 ms.
DEFAULT_INFER_LIMIT = 5e-5
DEFAULT_INFER_LIMIT_ROW = 1e-3
# n_repeats="auto": repeated shuffles of the k-fold for a timed search on a tiny table
AUTO_REPEAT_ROWS = 2000
AUTO_REPEATS = 3

@dataclass
class _Prepared:
    cache: FoldCache
    specs: list[Any]
    settings: SearchSettings
    weights: np.ndarray | None


class _AutoMLBase(RawTableInputMixin, BaseEstimator):
    """Shared parameters and fitting of the AutoML estimators (see the subclasses)."""

    def __init__(self, *, time_budget: float | None = 60.0, n_trials: int | None = None,
                 metric: str | None = None, cv: int = 5, n_repeats: int | str = "auto",
                 cv_kind: str = "auto", time_column: str | None = None,
                 group_column: str | None = None, exclude_columns: Sequence[str] = (),
                 include_models: Sequence[str] | None = None,
                 exclude_models: Sequence[str] = (), ensemble: bool = True,
                 stacking: bool = True, refit: bool = True, log_target: bool = False,
                 class_weight: str | Mapping[Any, float] | None = None, storage: str | None = None,
                 study_name: str | None = None, random_state: int = 0, n_jobs: int = 2,
                 callbacks: Sequence[TrialCallback] = (),
                 monotone_constraints: Mapping[str, int] | None = None,
                 infer_limit: float | None = DEFAULT_INFER_LIMIT,
                 infer_limit_row: float | None = DEFAULT_INFER_LIMIT_ROW) -> None:
        self.time_budget = time_budget
        self.n_trials = n_trials
        self.metric = metric
        self.cv = cv
        self.n_repeats = n_repeats
        self.cv_kind = cv_kind
        self.time_column = time_column
        self.group_column = group_column
        self.exclude_columns = exclude_columns
        self.include_models = include_models
        self.exclude_models = exclude_models
        self.ensemble = ensemble
        self.stacking = stacking
        self.refit = refit
        self.log_target = log_target
        self.class_weight = class_weight
        self.storage = storage
        self.study_name = study_name
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.callbacks = callbacks
        self.monotone_constraints = monotone_constraints
        self.infer_limit = infer_limit
        self.infer_limit_row = infer_limit_row

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.non_deterministic = False
        return tags

    # -- checks --------------------------------------------------------------------------------
    def _check_params(self) -> None:
        check_params(self)

    def _prepare_target(self, y: Any) -> tuple[np.ndarray, Task, np.ndarray | None]:
        raise NotImplementedError  # each subclass encodes its own target

    # -- fit -----------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> _AutoMLBase:
        """Search models within the budget, ensemble the best, and fit them on all rows.

        Parameters
        ----------
        X : DataFrame or array of shape (n_rows, n_columns)
            Raw features: strings, numbers, dates, text and missing values are all fine.
        y : array-like of shape (n_rows,)
            The target. Rows where it is missing are dropped (counted in ``n_dropped_rows_``).
        sample_weight : array-like of shape (n_rows,), optional
            Row weights, used by learners that take them and by the metrics.

        Returns
        -------
        self
        """
        started = time.perf_counter()
        prepared = self._prepare(X, y, sample_weight)
        # with n_trials the clock must not change the result, so time is not limited
        # under a serving limit, more time is held back for refitting the members (one refitted
        # learner serves k times faster than k bagged fold models)
        budget = Budget(None if self.n_trials is not None else self.time_budget,
                        final_share=0.2 if self.refit and self._infer_limit().is_active
                        else 0.15)
        budget.started = started
        search = Search(prepared.cache, prepared.specs, prepared.settings, budget,
                        sample_weight=prepared.weights, callbacks=self.callbacks)
        stacking = self.stacking and not self.monotone_constraints_
        budget.final_estimate = lambda: final_seconds(search.records, prepared.cache,
                                                      stacking=stacking, refit=self.refit)
        records = search.run()
        search_seconds = time.perf_counter() - started
        if not any(r.status == "complete" for r in records):
            failures = "; ".join(f"{r.family}: {r.message}" for r in records[:5])
            raise ConfigError(f"No model could be fitted on this data. First failures: {failures}")
        metric = prepared.settings.metric
        with quiet_convergence():  # the refit and the stacker: as quiet as the trials
            final = finalize(records, {s.name: s for s in prepared.specs}, prepared.cache,
                             task=self.task_, metric=metric, n_classes=self._n_classes(),
                             budget=budget, sample_weight=prepared.weights,
                             ensemble=self.ensemble,
                             # a stacker also reads raw features: it would undo the constraints
                             stacking=stacking,
                             refit=self.refit, random_state=self.random_state,
                             n_jobs=self.n_jobs, infer_limit=self._infer_limit())
        self.ensemble_: EnsemblePredictor = final.predictor
        self.serving_cost_ = predictor_cost(self.ensemble_, len(self.roles_.features)).scaled(
            self.machine_slowdown_)
        self.infer_limit_relaxed_ = final.infer_limit_relaxed
        clock = time.perf_counter()
        self.ensemble_.compile_rows(self.roles_)
        self.timings_ = {"search": search_seconds, **final.timings,
                         "compile_rows": time.perf_counter() - clock}
        self.ensemble_kind_ = final.kind
        self.cv_results_ = final.cv
        self.history_ = [r.to_row(metric) for r in records]
        self.leaderboard_ = leaderboard(records, metric, final.kind, final.cv)
        self.n_folds_ = len(prepared.cache.splits)
        # out-of-fold predictions of the final model: the honest basis of thresholds and plots
        self.oof_ = out_of_fold(final, records, prepared.cache, self.task_)
        self.oof_target_ = prepared.cache.y
        self._after_fit()
        self.time_used_ = time.perf_counter() - started
        return self

    def _infer_limit(self) -> InferLimit:
        """The serving limits in calibration-machine seconds, which the cost lines estimate:
        on a machine ``machine_slowdown_`` times slower, that much tighter."""
        return InferLimit(self.infer_limit, self.infer_limit_row).relaxed(
            1.0 / self.machine_slowdown_)

    def _after_fit(self) -> None:
        """Subclass hook run at the end of ``fit`` (operating points of binary classifiers)."""

    def run_worker(self, X: Any, y: Any, *, timeout: float = 120.0) -> list[TrialRecord]:
        """Join a distributed search as a worker (``storage`` and ``study_name`` must be set).

        Prepares the same folds as the trainer (same data, seed and parameters), then runs TPE
        trials in the shared studies until the trainer is done or ``n_trials`` are spent.
        """
        if not (self.storage and self.study_name):
            raise ConfigError("A worker needs storage and study_name.")
        prepared = self._prepare(X, y, None)
        budget = Budget(None)
        search = Search(prepared.cache, prepared.specs, prepared.settings, budget,
                        sample_weight=prepared.weights, callbacks=self.callbacks)
        stacking = self.stacking and not self.monotone_constraints_
        budget.final_estimate = lambda: final_seconds(search.records, prepared.cache,
                                                      stacking=stacking, refit=self.refit)
        return search.run_worker(timeout=timeout)

    def _prepare(self, X: Any, y: Any, sample_weight: Any) -> _Prepared:
        """Validate inputs, infer roles, encode the target, make folds and the search settings."""
        self._check_params()
        # a search with n_trials must not depend on the clock
        self.machine_slowdown_ = 1.0 if self.n_trials is not None else machine_slowdown()
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y "
                             "is None.")
        frame, target, weights, self.n_dropped_rows_ = training_rows(as_frame(X), y,
                                                                     sample_weight)
        y_encoded, task, base_weights = self._prepare_target(target)
        if base_weights is not None:
            weights = base_weights if weights is None else weights * base_weights
        metric = get_metric(self.metric, task) if self.metric else default_metric(task)
        roles = feature_roles(frame, target, [*self.exclude_columns, *(c for c in (
            self.time_column, self.group_column) if c)])
        raw = frame
        frame = coerce_frame(frame, roles)
        features = roles.features
        if not features:
            raise SchemaError("No usable feature column: every column is an identifier, a "
                              "constant or excluded. Roles: "
                              f"{ {k: v.value for k, v in roles.items()} }.")
        self.task_ = task
        self.metric_ = metric.name
        self.roles_ = roles
        self.feature_names_in_ = np.asarray(list(frame.columns), dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        # the schema checks what callers send: raw columns, before coercion
        self.schema_ = FeatureSchema.from_frame(raw[features], roles)
        self.data_fingerprint_ = data_fingerprint(frame)
        times = frame[self.time_column].to_numpy() if self.time_column else None
        groups = frame[self.group_column].to_numpy() if self.group_column else None
        self.n_repeats_ = self._repeats(len(y_encoded))
        scheme = CVScheme(kind=self.cv_kind, n_splits=self.cv, n_repeats=self.n_repeats_,  # type: ignore[arg-type]
                          random_state=self.random_state)
        splits = make_splits(scheme, task=task, y=y_encoded, groups=groups, time=times)
        monotone = monotone_for(self.monotone_constraints, roles, task)
        cache = FoldCache(frame[features].reset_index(drop=True), y_encoded, roles, splits,
                          random_state=self.random_state, task=task, monotone=monotone)
        self.monotone_constraints_: dict[str, int] = monotone
        specs, self.infer_limit_excluded_ = searched_specs(
            task, include=self.include_models, exclude=self.exclude_models, monotone=monotone,
            limit=self._infer_limit(), n_rows=len(splits[0][0]), n_columns=len(features),
            n_features=cache.n_features)
        settings = SearchSettings(task=task, metric=metric, n_classes=self._n_classes(),
                                  n_trials=self.n_trials, random_state=self.random_state,
                                  n_jobs=self.n_jobs, storage=self.storage,
                                  study_name=self.study_name)
        return _Prepared(cache=cache, specs=specs, settings=settings, weights=weights)

    def _n_classes(self) -> int:
        return 0

    def _repeats(self, n_rows: int) -> int:
        """``n_repeats``, with ``"auto"`` resolved: :data:`AUTO_REPEATS` shuffles of the k-fold
        for a timed search on at most :data:`AUTO_REPEAT_ROWS` rows, else one.

        On a few hundred rows a long search compares thousands of trials whose CV losses differ
        by less than the noise of one shuffle, and picks that noise (DACON's 300 films scored
        worse after 600 s than after 30 s). Repeated shuffles average it out, in the trials'
        losses and in the out-of-fold predictions the ensemble is chosen on, as AutoGluon's
        repeated bagging does. A run with ``n_trials`` keeps one: it asked for that many fits.
        Time-ordered, grouped and holdout schemes are never repeated.
        """
        if self.n_repeats != "auto":
            return int(self.n_repeats)
        if self.n_trials is not None or self.time_budget is None or n_rows > AUTO_REPEAT_ROWS \
                or self.time_column or self.group_column \
                or self.cv_kind in ("time", "group", "holdout"):
            return 1
        return AUTO_REPEATS

    # -- predict -------------------------------------------------------------------------------
    def _validated(self, X: Any) -> pd.DataFrame:
        check_is_fitted(self, "ensemble_")
        frame = as_frame(X)
        if not isinstance(X, pd.DataFrame):
            if frame.shape[1] != self.n_features_in_:
                raise SchemaError(f"X has {frame.shape[1]} features, but {type(self).__name__} "
                                  f"is expecting {self.n_features_in_} features as input.")
            frame.columns = list(self.feature_names_in_)
        result = self.schema_.validate(frame)
        return coerce_frame(result.frame, self.roles_)

    def _raw(self, X: Any) -> np.ndarray:
        frame = self._validated(X)
        return self.ensemble_.predict_raw(frame)

    def _raw_row(self, record: Mapping[str, Any]) -> np.ndarray:
        check_is_fitted(self, "ensemble_")
        validated = self.schema_.validate_record(record)
        return self.ensemble_.predict_raw_row(validated.record)

    def save(self, path: str | Path, *, name: str | None = None,
             extra_manifest: Mapping[str, Any] | None = None) -> Path:
        """Write this fitted model as a bundle folder (atomic; see :func:`jogak.load_model`)."""
        from jogak.models._bundle import save_model

        return save_model(self, path, name=name, extra_manifest=extra_manifest)


class AutoMLRegressor(RegressorMixin, _AutoMLBase):
    """Budgeted AutoML for regression: search, greedy ensemble or stack, refit.

    Parameters
    ----------
    time_budget : float or None, default=60
        Wall-clock seconds for the whole fit (kept within 10 %). Ignored when ``n_trials``
        is given: a trial count makes the result independent of the machine's speed.
    n_trials : int or None
        Number of trials; with a fixed ``random_state`` the result is reproducible bit for bit.
    metric : str, default "rmse"
        rmse, mae, r2, mape or rmsle.
    cv : int, default=5
        Folds of the k-fold (fewer on tiny data; see ``cv_kind`` for other schemes).
    n_repeats : int or "auto", default="auto"
        Shuffles of the k-fold, each a full set of folds whose losses and out-of-fold
        predictions are averaged. ``"auto"``: 3 for a timed search on at most 2,000 rows
        (where a long search would otherwise select on the noise of one shuffle), else 1
        (``n_repeats_`` says which).
    log_target : bool, default=False
        Fit on ``log1p(y)`` and back-transform predictions (for skewed counts such as audiences).
    infer_limit : float or None, default=5e-5
        Serving budget in seconds per row of a 10k-row batch (5e-5: 20,000 rows/s). Model
        families, ensemble members and stackers whose estimated serving cost (a deterministic
        model of each fitted learner's size, times the fold models when served bagged; see
        ``serving_cost_``) breaks it are left out, and refitted members are preferred to bagged
        ones - unless keeping to it costs more than 1 % of the out-of-fold loss, when it is
        loosened (``infer_limit_relaxed_``). ``None`` together with ``infer_limit_row=None``:
        no limit, for the best accuracy.
    infer_limit_row : float or None, default=1e-3
        The same for one ``predict_row`` / ``predict_proba_row`` call, in seconds.
    monotone_constraints : mapping of str to {-1, 0, 1}, optional
        Numeric columns along which the prediction may only rise (``+1``) or only fall
        (``-1``); for classifiers, the positive class's probability (``classes_[1]``). Only
        families that honour constraints are searched (lightgbm, xgboost, hist_gb), and
        stacking is off (the stacker reads raw features); the greedy ensemble averages
        constrained members with non-negative weights, so it stays monotone.

    Attributes
    ----------
    leaderboard_ : DataFrame
        Every completed trial and the final ensemble, best first.
    ensemble_ : EnsemblePredictor
        The fitted members, weights and stacker.
    monotone_constraints_ : dict of str to int
        The non-zero constraints applied.
    infer_limit_excluded_ : list of str
        Model families not searched because even their cheapest learner breaks the limits.
    serving_cost_ : ServingCost
        Estimated seconds per row in a 10k-row batch (``batch_seconds_per_row``) and per
        single-row call (``row_seconds``) of the fitted ensemble, on this machine.
    machine_slowdown_ : float
        How many times slower than the machine the serving costs were calibrated on this one
        runs a small row-shaped workload, measured once at the start of a timed fit (clipped to
        0.5-8); the serving limits are divided by it. 1.0 with ``n_trials`` (no clock).
    infer_limit_relaxed_ : float
        1.0 when the model meets the serving limits as asked. The limits yield to accuracy:
        when the best choice within them is more than 1 % worse (out-of-fold loss) than the
        best choice without them, they are loosened x2, x4, ... x32 until a choice comes within
        1 %; this is the factor used (``inf``: no limit was kept).
    cv_results_ : dict
        Metric -> (mean, std) across folds of the final ensemble's out-of-fold predictions.
    oof_ : ndarray of shape (n_rows,)
        Out-of-fold predictions of the final model (in the fitted scale, i.e. ``log1p`` with
        ``log_target``; NaN for rows no fold tested).
    oof_target_ : ndarray of shape (n_rows,)
        The target as fitted (encoded), aligned with ``oof_``.
    """

    def _prepare_target(self, y: Any) -> tuple[np.ndarray, Task, None]:
        values = pd.Series(y)
        # numbers stored as text ("1,234", "$5.20") are numbers, as detect_task reads them
        values = pd.Series(target_numbers(values), index=values.index)
        if values.isna().any():
            bad = pd.Series(y)[values.isna()].astype(str).unique()[:3].tolist()
            raise TargetError(f"A regression target must be numeric; got values like {bad}. "
                              "Hint: use AutoMLClassifier for labels.")
        target = values.to_numpy(dtype=np.float64)
        if np.unique(target).size < 2:
            raise TargetError("The target is constant; there is nothing to learn.")
        if self.log_target:
            if target.min() < 0:
                raise TargetError("log_target needs a non-negative target; got a minimum of "
                                  f"{target.min():g}.")
            target = np.log1p(target)
        return target, Task.REGRESSION, None

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values, in the original scale of the target."""
        raw = self._raw(X)
        return np.expm1(raw) if self.log_target else raw

    def predict_row(self, record: Mapping[str, Any]) -> float:
        """The prediction for one record (a mapping column -> raw value), without pandas.

        The fast path for serving: validation, preprocessing and the learners run on plain
        Python and numpy values; the result equals ``predict(pd.DataFrame([record]))[0]``.
        """
        raw = float(self._raw_row(record))
        return float(np.expm1(raw)) if self.log_target else raw


class AutoMLClassifier(ClassifierMixin, _AutoMLBase):
    """Budgeted AutoML for binary and multiclass classification.

    Parameters are those of :class:`AutoMLRegressor`; ``metric`` defaults to ``roc_auc`` for
    binary and ``log_loss`` for multiclass targets; ``class_weight="balanced"`` weights rows
    inversely to their class frequency.

    Attributes
    ----------
    classes_ : ndarray
        The class labels, in the order of ``predict_proba`` columns.
    oof_ : ndarray of shape (n_rows, n_classes)
        Out-of-fold probabilities of the final model (NaN for rows no fold tested).
    operating_points_ : dict of str to OperatingPoint
        Binary only: named decision thresholds (see :meth:`set_operating_points`).
    """

    def _n_classes(self) -> int:
        return int(len(self.classes_))

    def _after_fit(self) -> None:
        self.operating_points_: dict[str, OperatingPoint] = {}
        if self.task_ is Task.BINARY:
            self.set_operating_points()

    def set_operating_points(self, *, recall_target: float = 0.95,
                             precision_target: float = 0.95, benefit_tp: float | None = None,
                             cost_contact: float | None = None) -> AutoMLClassifier:
        """Recompute ``operating_points_`` from the out-of-fold predictions (binary only).

        ``fit`` sets ``recall_first`` and ``precision_first`` with targets 0.95; give
        ``benefit_tp`` (gain per true positive) and ``cost_contact`` (cost per flagged row) to
        add ``max_profit``. See :func:`jogak.models.operating_points`. Returns ``self``.
        """
        check_is_fitted(self, "oof_")
        if self.task_ is not Task.BINARY:
            raise ConfigError(f"Operating points need a binary classifier; this one is "
                              f"{self.task_.value} with classes {list(self.classes_)}.")
        rows = ~np.isnan(self.oof_[:, 1])  # time-ordered folds leave the earliest rows out
        self.operating_points_ = operating_points(
            self.oof_target_[rows], self.oof_[rows, 1], recall_target=recall_target,
            precision_target=precision_target, benefit_tp=benefit_tp, cost_contact=cost_contact)
        self.operating_point_settings_ = {"recall_target": recall_target,
                                          "precision_target": precision_target,
                                          "benefit_tp": benefit_tp, "cost_contact": cost_contact}
        return self

    def decide(self, X: Any, operating_point: str) -> np.ndarray:
        """Class labels at a named operating point: ``classes_[1]`` when the positive-class
        probability is ``>= threshold``, else ``classes_[0]``."""
        check_is_fitted(self, "ensemble_")
        points = getattr(self, "operating_points_", {})
        if operating_point not in points:  # fail before predicting
            decide(np.empty(0), points, operating_point)
        return decide(self.predict_proba(X), points, operating_point, classes=self.classes_)

    def _prepare_target(self, y: Any) -> tuple[np.ndarray, Task, np.ndarray | None]:
        array = pd.Series(y).infer_objects().to_numpy()
        if array.dtype.kind == "f" and np.all(array == np.round(array)):
            # whole-number labels read as floats because the column had blanks: 1.0 -> 1, so
            # that a file without blanks (integers) carries the same labels
            array = array.astype(np.int64)
        if array.dtype.kind in "fiu":
            check_classification_targets(array)
        if array.dtype == object:  # "Yes" and "Yes " typed by hand are one class
            array = np.array([v.strip() if isinstance(v, str) else v for v in array],
                             dtype=object)
        if array.dtype == object and len({type(v) for v in array}) > 1:
            array = array.astype(str)  # mixed label types: compare them as text
        classes, codes = np.unique(array, return_inverse=True)
        if classes.size < 2:
            raise TargetError(f"The target has a single class ({classes[0]!r}), only one class; a "
                              "classifier needs at least 2. Hint: check the target column and "
                              "filters.")
        self.classes_ = classes
        task = Task.BINARY if classes.size == 2 else Task.MULTICLASS
        weights = None
        if self.class_weight == "balanced":
            counts = np.bincount(codes)
            weights = (len(codes) / (classes.size * counts))[codes]
        elif isinstance(self.class_weight, Mapping):
            per_class = np.array([float(self.class_weight.get(c, 1.0)) for c in classes])
            weights = per_class[codes]
        return codes.astype(np.int64), task, weights

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, one column per entry of ``classes_``."""
        proba = self._raw(X)
        proba = np.clip(proba, 0.0, 1.0)
        return proba / proba.sum(axis=1, keepdims=True)

    def predict_proba_row(self, record: Mapping[str, Any]) -> np.ndarray:
        """Class probabilities for one record, without pandas (see ``predict_row``)."""
        proba = np.clip(self._raw_row(record), 0.0, 1.0)
        return proba / proba.sum()

    def predict_row(self, record: Mapping[str, Any]) -> Any:
        """The most probable class of one record."""
        return self.classes_[int(np.argmax(self.predict_proba_row(record)))]

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]
