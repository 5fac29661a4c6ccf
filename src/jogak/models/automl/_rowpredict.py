"""Raw single-row predictors: the learner's arithmetic without scikit-learn's per-call checks.

A member of a served ensemble predicts one ``(1, n)`` row per request; for linear models and
LightGBM the checks around ``predict_proba`` cost more than the prediction itself. Each predictor
here reproduces its learner's output exactly (a test compares them with the frame path) and
pickles with the bundle; any other learner keeps its own ``predict_proba``/``predict``.

Every row predictor runs on one thread: a thread pool (OpenMP, BLAS) costs more to wake than one
row costs to predict, and on a busy machine its spinning workers turn 0.2 ms into 50 ms
(measured on 2 loaded cores). Learners that fan out through joblib themselves (forests, kNN:
``n_jobs``) get a shallow copy with ``n_jobs=1`` for the row path; the batch path keeps theirs.
"""

from __future__ import annotations

import copy
from functools import cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit, softmax
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, LogisticRegression, Ridge
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor
from threadpoolctl import ThreadpoolController

from jogak.data import Task
from jogak.models.automl._rowcatboost import flatten_catboost
from jogak.models.automl._rowlightgbm import flatten_lightgbm
from jogak.models.automl._rowlinear import nonzero_dot
from jogak.models.automl._rowtrees import COMPILED_TREES, flatten_hist_gb
from jogak.models.automl._rowxgboost import flatten_xgboost
from jogak.models.catalog import CatBoostAdapter, HistGBAdapter, LightGBMAdapter, XGBoostAdapter
from jogak.models.catalog._catboost import MISSING_CATEGORY_CODE

__all__ = ["compile_learner"]

try:  # scikit-learn's neighbour search, private: without it kNN rows keep predict_proba
    from sklearn.metrics._pairwise_distances_reduction import ArgKmin, ArgKminClassMode
except ImportError:  # pragma: no cover - a scikit-learn that moved it
    ArgKmin = ArgKminClassMode = None


@cache
def _controller() -> ThreadpoolController:
    # built once per process (it inspects the loaded libraries); never pickled with a bundle
    return ThreadpoolController()


def _one_job(learner: Any) -> Any:
    """``learner``, or a shallow copy with ``n_jobs=1`` when it fans out through joblib (the copy
    shares the fitted trees or neighbours; only ``n_jobs`` differs)."""
    if getattr(learner, "n_jobs", 1) in (None, 1):
        return learner
    learner = copy.copy(learner)
    learner.n_jobs = 1
    return learner


class _Fallback:
    """The learner's own predict, as the frame path calls it, on one thread."""

    def __init__(self, learner: Any, task: Task) -> None:
        self.learner = _one_job(learner)
        self.task = task

    def __call__(self, X: np.ndarray) -> np.ndarray:
        with _controller().limit(limits=1):
            if self.task.is_classification:
                return np.asarray(self.learner.predict_proba(X), dtype=np.float64)
            return np.asarray(self.learner.predict(X), dtype=np.float64).reshape(-1)


class _Logistic:
    """``LogisticRegression.predict_proba``: expit for two classes, softmax otherwise."""

    def __init__(self, learner: LogisticRegression) -> None:
        self.coef = np.ascontiguousarray(learner.coef_.T, dtype=np.float64)
        self.intercept = np.asarray(learner.intercept_, dtype=np.float64)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        scores = _linear_scores(X, self.coef) + self.intercept
        if scores.shape[1] == 1:
            positive = expit(scores[:, 0])
            return np.column_stack([1.0 - positive, positive])
        return softmax(scores, axis=1)


class _LinearValue:
    """``predict`` of a linear regressor: ``X @ coef + intercept``."""

    def __init__(self, learner: Any) -> None:
        self.coef = np.asarray(learner.coef_, dtype=np.float64).reshape(-1)
        self.intercept = float(np.asarray(learner.intercept_).reshape(-1)[0])

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return _linear_scores(X, self.coef) + self.intercept


def _linear_scores(X: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """``X @ coef``; for one row over its non-zero entries only, on this thread (a text row is
    40-80k columns wide and nearly all zeros: see :mod:`~jogak.models.automl._rowlinear`).
    Several rows keep the full product."""
    if X.shape[0] != 1:
        return X @ coef
    return nonzero_dot(X[0], coef)


class _LightGBM:
    """The fitted booster's ``predict`` (it uses the best iteration, as the wrapper does)."""

    def __init__(self, adapter: LightGBMAdapter, task: Task) -> None:
        self.booster = adapter.estimator_.booster_
        self.task = task

    def __call__(self, X: np.ndarray) -> np.ndarray:
        out = np.asarray(self.booster.predict(X, num_threads=1), dtype=np.float64)
        if self.task is Task.BINARY:
            return np.column_stack([1.0 - out, out])
        return out


class _CatBoost:
    """CatBoost's own ``predict``/``predict_proba`` on a plain list of the row's values.

    With categorical positions the adapter builds a one-row DataFrame per call (0.4 ms on an
    idle machine, 2.7 ms on a loaded one); a list with the codes as ints gives the same output
    in a quarter of the time.
    """

    def __init__(self, adapter: CatBoostAdapter, task: Task) -> None:
        self.model = adapter.estimator_
        self.categorical = [int(j) for j in adapter.categorical_features_]
        self.task = task

    def __call__(self, X: np.ndarray) -> np.ndarray:
        data: Any = X
        if self.categorical:
            data = X.tolist()
            for row in data:
                for j in self.categorical:
                    value = row[j]
                    row[j] = MISSING_CATEGORY_CODE if value != value else int(value)
        if self.task.is_classification:
            return np.asarray(self.model.predict_proba(data, thread_count=1), dtype=np.float64)
        return np.asarray(self.model.predict(data, thread_count=1),
                          dtype=np.float64).reshape(-1)


class _HistGB:
    """HistGradientBoosting's trees on one row without its per-call ColumnTransformer, and
    with numba, all trees in one compiled walk (:mod:`~jogak.models.automl._rowtrees`).

    With categorical features scikit-learn passes every input through a fitted ColumnTransformer
    (an OrdinalEncoder, then the other columns): 3.6 ms a row on TMDB against 0.3 ms for the
    trees. Here each category is looked up in a dict (unknown or missing: NaN, as the encoder
    gives) and the columns are placed in the encoder's order; the trees and the link function
    are scikit-learn's own (``_predict_iterations``, ``_loss``: private, so :func:`_hist_gb`
    checks the result against the learner's ``predict`` before using this path).
    """

    trees = None  # row paths pickled before the compiled trees walk scikit-learn's

    def __init__(self, adapter: Any, task: Task) -> None:
        model = adapter.estimator_
        self.model = model
        if getattr(model, "_preprocessor", None) is None:  # no categorical features
            mask = np.zeros(int(model.n_features_in_), dtype=bool)
            categories: list[Any] = []
        else:
            mask = np.asarray(model.is_categorical_, dtype=bool)
            categories = model._preprocessor.named_transformers_["encoder"].categories_
        self.categorical = np.flatnonzero(mask)
        self.numeric = np.flatnonzero(~mask)
        self.codes = [{float(value): float(code) for code, value in enumerate(levels)
                       if value == value} for levels in categories]
        self.trees = flatten_hist_gb(model)  # every tree in one compiled walk (numba)
        self.task = task

    def __call__(self, X: np.ndarray) -> np.ndarray:
        n_categorical = self.categorical.size
        encoded = np.empty(X.shape, dtype=np.float64)
        for k, (j, codes) in enumerate(zip(self.categorical, self.codes, strict=True)):
            encoded[:, k] = [codes.get(value, np.nan) for value in X[:, j].tolist()]
        encoded[:, n_categorical:] = X[:, self.numeric]
        model = self.model
        if self.trees is not None and COMPILED_TREES:  # a bundle may load where numba is not
            raw = self.trees.raw(encoded)
        else:
            raw = np.zeros((X.shape[0], model.n_trees_per_iteration_),
                           dtype=model._baseline_prediction.dtype, order="F")
            raw += model._baseline_prediction
            model._predict_iterations(encoded, model._predictors, raw, False, 1)
        if self.task.is_classification:
            return np.asarray(model._loss.predict_proba(raw), dtype=np.float64)
        return np.asarray(model._loss.link.inverse(raw.ravel()), dtype=np.float64)


class _KNeighbors:
    """kNN rows through scikit-learn's own neighbour search, without the input checks around it.

    ``predict_proba`` of one row spends 0.4-0.6 ms in feature-name, dataframe and array checks
    and a joblib call around a 0.1 ms search. Here the search is the one scikit-learn's predict
    runs (brute force: ``ArgKminClassMode`` for uniform class votes, else ``ArgKmin``; a fitted
    KD or ball tree: its ``query``), and the vote is counted in the same order: uniform votes as
    class counts over k, distance votes as 1/d summed neighbour by neighbour (a zero distance
    takes the whole vote), the regressor's mean or weighted mean with numpy's own reductions.
    Like every row predictor it runs on one thread; scikit-learn breaks ties between equally
    distant neighbours by how its search is split across threads, so on exact ties a row can
    differ from a multi-threaded batch, as the learner's own predict on one thread would.
    """

    def __init__(self, learner: Any, task: Task) -> None:
        self.learner = _one_job(learner)
        self.task = task
        # which search scikit-learn's predict runs, decided once (rows are dense float64)
        row = np.zeros((1, int(learner.n_features_in_)))
        self.class_votes = task.is_classification and learner.weights == "uniform" \
            and learner._fit_method == "brute" \
            and ArgKminClassMode.is_usable_for(row, learner._fit_X, learner.metric)
        self.searchable = learner._fit_method != "brute" or \
            ArgKmin.is_usable_for(row, learner._fit_X, learner.effective_metric_)

    def __call__(self, X: np.ndarray) -> np.ndarray:
        model = self.learner
        with _controller().limit(limits=1):
            if self.class_votes:
                return np.asarray(ArgKminClassMode.compute(
                    X, model._fit_X, k=model.n_neighbors, weights="uniform",
                    Y_labels=model._y, unique_Y_labels=model.classes_,
                    metric=model.effective_metric_,
                    metric_kwargs=model.effective_metric_params_,
                    strategy="parallel_on_X"), dtype=np.float64)
            distances, neighbours = self._neighbours(X)
        weights = None if model.weights == "uniform" else _inverse_distances(distances)
        labels = model._y[neighbours]
        if not self.task.is_classification:
            if weights is None:
                return np.asarray(np.mean(labels, axis=1), dtype=np.float64).reshape(-1)
            return np.asarray(np.sum(labels * weights, axis=1) / np.sum(weights, axis=1),
                              dtype=np.float64).reshape(-1)
        if weights is None:
            weights = np.ones_like(labels, dtype=np.float64)
        proba = np.zeros((X.shape[0], model.classes_.size))
        rows = np.arange(X.shape[0])
        for k in range(labels.shape[1]):
            proba[rows, labels[:, k]] += weights[:, k]
        normalizer = proba.sum(axis=1)[:, np.newaxis]
        normalizer[normalizer == 0.0] = 1.0
        return proba / normalizer

    def _neighbours(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        model = self.learner
        if model._fit_method == "brute":
            return ArgKmin.compute(X=X, Y=model._fit_X, k=model.n_neighbors,
                                   metric=model.effective_metric_,
                                   metric_kwargs=model.effective_metric_params_,
                                   strategy="auto", return_distance=True)
        return model._tree.query(X, model.n_neighbors, return_distance=True)


def _inverse_distances(distances: np.ndarray) -> np.ndarray:
    """``weights="distance"``: 1/d, and a row with a zero distance votes with those alone."""
    with np.errstate(divide="ignore"):
        weights = 1.0 / distances
    infinite = np.isinf(weights)
    exact = np.any(infinite, axis=1)
    weights[exact] = infinite[exact]
    return weights


def _neighbors(learner: Any, task: Task) -> Any:
    """:class:`_KNeighbors` when it gives the learner's output on probe rows and on some of the
    fitted rows (whose neighbours tie at distance zero); else the learner's own predict."""
    fallback = _Fallback(learner, task)
    if ArgKmin is None or \
            getattr(learner, "_fit_method", None) not in ("brute", "kd_tree", "ball_tree") or \
            getattr(learner, "outputs_2d_", False) or sp.issparse(getattr(learner, "_fit_X", None)):
        return fallback
    fast = _KNeighbors(learner, task)
    if not fast.searchable:  # scikit-learn searches these neighbours another way
        return fallback
    fitted = np.asarray(learner._fit_X[:8], dtype=np.float64)
    return _probed(fast, fallback, int(learner.n_features_in_), extra=fitted)


class _MLP:
    """scikit-learn MLP rows: its own forward pass (``_forward_pass_fast``) without the input
    checks around it (0.15-0.2 ms of feature-name and array checks around a few microseconds of
    products), then what ``predict`` / ``predict_proba`` do with its output. A first layer wide
    enough to wake BLAS's thread pool (a TF-IDF input) runs with the pool held to one thread."""

    _WIDE = 65536  # first-layer weights from which OpenBLAS may split a product across threads

    def __init__(self, learner: Any, task: Task) -> None:
        self.learner = learner
        self.task = task
        self.wide = int(np.size(learner.coefs_[0])) >= self._WIDE

    def __call__(self, X: np.ndarray) -> np.ndarray:
        if self.wide:
            with _controller().limit(limits=1):
                out = self.learner._forward_pass_fast(X, check_input=False)
        else:
            out = self.learner._forward_pass_fast(X, check_input=False)
        if not self.task.is_classification:
            return out.ravel() if out.shape[1] == 1 else out
        if self.learner.n_outputs_ == 1:
            positive = out.ravel()
            return np.vstack([1 - positive, positive]).T
        return out


class _CompiledTrees:
    """A booster's trees in one compiled walk: ``trees`` is the flat model (None when the walk
    does not reproduce this one), its ``predict`` the learner's output."""

    trees: Any = None

    def __call__(self, X: np.ndarray) -> np.ndarray:
        return self.trees.predict(X)


class _XGBoost(_CompiledTrees):
    """XGBoost's trees (:mod:`~jogak.models.automl._rowxgboost`): 5-20 µs a row where
    ``inplace_predict`` costs about 0.2 ms a call."""

    def __init__(self, adapter: Any) -> None:
        self.trees = flatten_xgboost(adapter.estimator_)


class _CompiledLightGBM(_CompiledTrees):
    """LightGBM's trees (:mod:`~jogak.models.automl._rowlightgbm`): a few µs a row where the
    booster's ``predict`` costs about 25 µs a call."""

    def __init__(self, adapter: Any) -> None:
        self.trees = flatten_lightgbm(adapter.estimator_.booster_)


class _CompiledCatBoost(_CompiledTrees):
    """A numeric-only CatBoost model's oblivious trees (:mod:`~jogak.models.automl._rowcatboost`):
    a few µs a row where ``predict`` costs about 0.18 ms a call."""

    def __init__(self, adapter: Any) -> None:
        self.trees = flatten_catboost(adapter.estimator_)


def _compiled_or(compile_trees: Any, adapter: Any, fallback: Any) -> Any:
    """``compile_trees(adapter)`` when it reproduces the model and gives ``fallback``'s output
    on probe rows; else ``fallback``."""
    try:
        fast = compile_trees(adapter)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError, OSError):
        return fallback
    if fast.trees is None:
        return fallback
    return _probed(fast, fallback, int(adapter.n_features_in_))


def _hist_gb(adapter: HistGBAdapter, task: Task) -> Any:
    """:class:`_HistGB` when it gains something (categories looked up, or compiled trees) and
    gives the learner's output on probe rows; else the learner's own predict."""
    fallback = _Fallback(adapter, task)
    try:
        fast = _HistGB(adapter, task)
    except (AttributeError, KeyError, TypeError, ValueError, IndexError):
        return fallback
    if fast.trees is None and getattr(adapter.estimator_, "_preprocessor", None) is None:
        return fallback  # neither categories to look up nor compiled trees: no gain
    return _probed(fast, fallback, int(adapter.estimator_.n_features_in_))


def _xgboost(adapter: XGBoostAdapter, task: Task) -> Any:
    """:class:`_XGBoost` when the model's layout and objective are ones it reproduces and it
    gives the learner's output on probe rows; else the learner's own predict."""
    return _compiled_or(_XGBoost, adapter, _Fallback(adapter, task))


def _lightgbm(adapter: LightGBMAdapter, task: Task) -> Any:
    """:class:`_CompiledLightGBM` when it reproduces the model, else the booster's predict."""
    return _compiled_or(_CompiledLightGBM, adapter, _LightGBM(adapter, task))


def _catboost(adapter: CatBoostAdapter, task: Task) -> Any:
    """:class:`_CompiledCatBoost` for a model without categorical features that it reproduces;
    else :class:`_CatBoost`."""
    fallback = _CatBoost(adapter, task)
    return fallback if fallback.categorical else _compiled_or(_CompiledCatBoost, adapter,
                                                               fallback)


def _probed(fast: Any, fallback: Any, n_features: int, extra: np.ndarray | None = None) -> Any:
    """``fast`` if it equals ``fallback`` on probe rows (zeros, ones, small codes, missing
    values, a huge value, random values, ``extra``), else ``fallback``: a private layout that
    moved in a new library version must cost speed, never a wrong prediction. A probe the
    learner itself refuses (missing values for kNN, which are imputed before it) is skipped."""
    n = n_features
    probes = np.vstack([np.zeros(n), np.ones(n), np.arange(n) % 5, np.full(n, np.nan),
                        np.full(n, 1e6), np.random.default_rng(0).normal(scale=3.0, size=(4, n)),
                        *([] if extra is None else list(extra))])
    errors = (AttributeError, KeyError, TypeError, ValueError, IndexError)
    for probe in probes:
        try:
            expected = fallback(probe[None, :])
        except errors:
            continue
        try:
            same = np.allclose(fast(probe[None, :]), expected, rtol=1e-12, atol=0.0,
                               equal_nan=True)
        except errors:
            return fallback
        if not same:
            return fallback
    return fast


def compile_learner(learner: Any, task: Task) -> Any:
    """A callable ``(1, n) float64 array -> prediction`` equal to the learner's own output."""
    if isinstance(learner, LogisticRegression) and task.is_classification:
        return _Logistic(learner)
    if isinstance(learner, Ridge | Lasso | ElasticNet | LinearRegression) and \
            not task.is_classification:
        return _LinearValue(learner)
    # the LightGBM adapter passes matrices to its booster unchanged (categoricals included)
    if isinstance(learner, LightGBMAdapter) and hasattr(learner.estimator_, "booster_"):
        return _lightgbm(learner, task)
    if isinstance(learner, CatBoostAdapter) and hasattr(learner, "estimator_"):
        return _catboost(learner, task)
    if isinstance(learner, HistGBAdapter) and hasattr(learner, "estimator_"):
        return _hist_gb(learner, task)
    if isinstance(learner, XGBoostAdapter) and hasattr(learner, "estimator_"):
        return _xgboost(learner, task)
    if isinstance(learner, MLPClassifier | MLPRegressor) and hasattr(learner, "coefs_"):
        return _probed(_MLP(learner, task), _Fallback(learner, task),
                       int(learner.n_features_in_))
    if isinstance(learner, KNeighborsClassifier | KNeighborsRegressor) and \
            hasattr(learner, "_fit_X"):
        return _neighbors(learner, task)
    return _Fallback(learner, task)
