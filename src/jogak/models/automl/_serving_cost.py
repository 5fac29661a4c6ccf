"""Deterministic serving cost: estimated seconds per row in a batch and per single-row call.

Nothing is timed at fit time (a measured cost would make ``n_trials`` runs depend on the
machine's load). Each family's cost is a straight line in a size read from the fitted learner —
trees x depth for forests and boosters, fitted rows x features for kNN, weights for MLPs and
nets, coefficients for linear models — with an intercept for the per-call overhead::

    batch seconds per row = batch_base + batch_slope * batch_units
    single-row seconds    = row_base + row_slope * row_units

A member served bagged has one learner per fold, so it costs the sum over its learners; a
refitted member has one. Each feature style adds its preprocessing (schema check, coercion and
transform), which grows with the raw columns. The constants come from
``benchmarks/automl_serving_cost_calibration.py`` (2 cores, scikit-learn 1.7, LightGBM 4,
XGBoost 3, CatBoost 1.2): a 5,000-row, 20-feature table, each learner at two sizes; learners on
one thread, as the row path runs them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline

from jogak.models.automl._rowtrees import COMPILED_TREES
from jogak.pipeline import TextFeatures
from jogak.pipeline._tfidf_native import native_serves

__all__ = ["NO_LIMIT", "ZERO", "CostBook", "InferLimit", "ServingCost", "affordable_families",
           "family_floor", "learner_cost", "member_cost", "predictor_cost", "preprocessing_cost",
           "stacker_cost", "text_cost", "text_parts"]


@dataclass(frozen=True)
class ServingCost:
    """Estimated seconds per row in a 10k-row batch, and seconds of one single-row call."""

    batch_seconds_per_row: float
    row_seconds: float

    def __add__(self, other: ServingCost) -> ServingCost:
        return ServingCost(self.batch_seconds_per_row + other.batch_seconds_per_row,
                           self.row_seconds + other.row_seconds)

    def scaled(self, factor: float) -> ServingCost:
        """This cost ``factor`` times (bagged fold models: ``factor`` = number of folds)."""
        return ServingCost(self.batch_seconds_per_row * factor, self.row_seconds * factor)

    def within(self, batch_limit: float | None, row_limit: float | None) -> bool:
        """Whether both estimates meet their limits (``None``: no limit)."""
        return ((batch_limit is None or self.batch_seconds_per_row <= batch_limit)
                and (row_limit is None or self.row_seconds <= row_limit))

    @property
    def rows_per_second(self) -> float:
        """Batch throughput this cost implies."""
        return 1.0 / self.batch_seconds_per_row if self.batch_seconds_per_row > 0 else math.inf


ZERO = ServingCost(0.0, 0.0)


@dataclass(frozen=True)
class _Line:
    """``base + slope * units`` for the batch (per row) and the single-row call (seconds)."""

    batch_base: float
    batch_slope: float
    row_base: float
    row_slope: float
    units: Callable[[Any], tuple[float, float]]  # learner -> (batch units, row units)
    # (fitted rows, preprocessed features) -> the fewest units any configuration has
    floor_units: Callable[[int, int], tuple[float, float]] = lambda rows, features: (0.0, 0.0)
    # learner -> seconds a single-row call adds on top of the line (e.g. a frame per call)
    row_extra: Callable[[Any], float] = lambda learner: 0.0
    # whether ``floor_units`` reads the preprocessed feature count (knowing it means fitting the
    # family's preprocessing first: seconds for TF-IDF + SVD, wasted if the family never runs)
    floor_uses_features: bool = False

    def cost(self, learner: Any) -> ServingCost:
        line = self._at(*self.units(learner))
        return ServingCost(line.batch_seconds_per_row, line.row_seconds + self.row_extra(learner))

    def floor(self, n_rows: int, n_features: int) -> ServingCost:
        return self._at(*self.floor_units(n_rows, n_features))

    def _at(self, batch_units: float, row_units: float) -> ServingCost:
        return ServingCost(self.batch_base + self.batch_slope * batch_units,
                           self.row_base + self.row_slope * row_units)


def _inner(learner: Any) -> Any:
    """The library model inside a boosting adapter, else the learner itself."""
    return getattr(learner, "estimator_", learner)


def _depth_of_leaves(leaves: float) -> float:
    return max(1.0, math.log2(max(2.0, leaves)))


def _linear_units(learner: Any) -> tuple[float, float]:
    coef = np.asarray(getattr(learner, "coef_", np.zeros(1)))
    # one row is one pass over its columns (_rowlinear), whatever the number of outputs
    return float(coef.size), float(coef.shape[-1])


def _knn_units(learner: Any) -> tuple[float, float]:
    rows = float(getattr(learner, "n_samples_fit_", 1))
    features = float(getattr(learner, "n_features_in_", 1))
    return rows * features, rows * features


def _forest_units(learner: Any) -> tuple[float, float]:
    trees = getattr(learner, "estimators_", [])
    depth = sum(float(tree.tree_.max_depth) for tree in trees)
    return depth, float(len(trees))


def _hist_gb_units(learner: Any) -> tuple[float, float]:
    model = _inner(learner)
    trees = float(getattr(model, "n_iter_", 1) * getattr(model, "n_trees_per_iteration_", 1))
    depth = _depth_of_leaves(float(getattr(model, "max_leaf_nodes", None) or 31))
    return trees * depth, trees


def _lightgbm_units(learner: Any) -> tuple[float, float]:
    booster = _inner(learner).booster_
    trees = float(booster.num_trees())
    depth = _depth_of_leaves(float(booster.params.get("num_leaves", 31)))
    return trees * depth, trees * depth


def _xgboost_units(learner: Any) -> tuple[float, float]:
    model = _inner(learner)
    booster = model.get_booster()
    n_classes = int(getattr(model, "n_classes_", 0) or 0)
    groups = n_classes if n_classes > 2 else 1  # multiclass: one tree per class and round
    trees = float(booster.num_boosted_rounds() * groups)
    return trees * float(model.max_depth or 6), trees


def _catboost_units(learner: Any) -> tuple[float, float]:
    model = _inner(learner)
    size = float(model.tree_count_) * float(model.get_param("depth") or 6)
    return size, size


def _catboost_library_row(learner: Any) -> float:
    """What one row through CatBoost's own ``predict`` costs beyond the compiled walk's line.

    A model with categorical features (or any model without numba) is served by CatBoost: a
    ``Pool`` per call, 1.3e-4 s + 2e-7 s a tree (measured 1.4e-4 s for 48 trees; 0.19-0.21 ms
    for 50-1000 trees on a loaded machine), and with categorical columns a list with int codes,
    +0.0-0.04 ms against a float matrix (a one-row DataFrame, as the batch path builds, was +0.4).
    Session 9, idle, three categorical columns: 192 / 225 / 395 us for 50 / 300 / 1000 trees of
    depth 6, against 180 / 230 / 370 us from this line.
    """
    categorical = bool(getattr(learner, "categorical_features_", None))
    if COMPILED_TREES and not categorical:
        return 0.0
    model = _inner(learner)
    trees = float(model.tree_count_)
    walk = 2e-6 + 7.6e-9 * trees * float(model.get_param("depth") or 6)
    return 1.3e-4 + 2e-7 * trees + (4e-5 if categorical else 0.0) - walk


def _mlp_units(learner: Any) -> tuple[float, float]:
    weights = float(sum(np.size(c) for c in getattr(learner, "coefs_", [])))
    return weights, weights


def _net_units(learner: Any) -> tuple[float, float]:
    state = getattr(learner, "state_dict_", {}) or {}
    weights = float(sum(int(np.prod(tuple(v.shape))) for v in state.values()))
    return weights, weights


# Calibrated on this machine (see the module docstring); seconds. Measured 2026-11-21 at load
# 9 on 2 cores (so on the slow side), learner only, batch s/row | single-row s:
#   linear 20 coef 3.6e-08 | 8.1e-06;  knn 5k x 20 fitted 1.2e-04 | 6.7e-04
#   random_forest 50 trees depth 6: 1.4e-05 | 2.6e-02; 300 full trees: 1.3e-04 | 8.5e-02
#   extra_trees 50 trees depth 6: 6.7e-06 | 1.5e-02; 300 full trees: 1.9e-04 | 5.4e-02
#   hist_gb 50 trees: 8.5e-06 | 5.6e-04; 118 trees: 1.2e-05 | 8.9e-04
#   lightgbm 50 trees x 15 leaves: 4.2e-06 | 2.9e-05
#   xgboost 50 trees depth 6: 1.7e-06 | 3.0e-04; 115 trees: 2.8e-06 | 3.9e-04
#   catboost 48 trees depth 6: 1.2e-06 | 1.4e-04;  mlp 672 weights: 1.4e-07 | 1.2e-04;
#   136k weights: 3.2e-05 | 2.4e-04;  tabular_mlp 137k: 6.8e-05 | 1.0e-03;
#   tabular_resnet 136k: 7.3e-05 | 4.6e-04 to 6.0e-04
#   preprocessing + schema (AutoML with linear only): 10 raw columns 3.7e-06 | 4.6e-05,
#   40 raw columns 1.6e-05 | 8.1e-05
_FAMILIES: dict[str, _Line] = {
    # batch, per coefficient 1e-10: a 3 x 40,000 logistic model on sparse TF-IDF measured
    # 1.2e-06 s a row (the TF-IDF transform before it, paid whichever family serves, is
    # text_cost's); 1e-09 had kept text tasks' best learner out of the ensemble.
    # One row, per column: a compiled pass over the row's columns, 25 us for TMDB's 40k-wide
    # text row (the gather through np.flatnonzero it replaced cost 0.12 ms)
    "linear": _Line(2e-8, 1e-10, 8e-6, 6e-10, _linear_units),
    "knn": _Line(0.0, 1.2e-9, 3e-4, 4e-9, _knn_units,
                 lambda rows, features: (float(rows * features),) * 2, floor_uses_features=True),
    # the search offers at least 64 trees
    "random_forest": _Line(2e-6, 1.5e-8, 5e-3, 1.5e-4, _forest_units, lambda r, f: (64.0, 64.0)),
    "extra_trees": _Line(2e-6, 1.5e-8, 5e-3, 1.5e-4, _forest_units, lambda r, f: (64.0, 64.0)),
    # one row: scikit-learn's per-tree calls (3.2e-4 + 4.8e-6 a tree), or the compiled walk
    # of _rowtrees (measured 9.8 / 12.9 / 23.5 us for 25 / 100 / 400 trees of 31 leaves)
    "hist_gb": _Line(5.7e-6, 1.1e-8, 1.5e-5, 3.6e-8, _hist_gb_units) if COMPILED_TREES
    else _Line(5.7e-6, 1.1e-8, 3.2e-4, 4.8e-6, _hist_gb_units),
    # one row: the booster's predict (2.5e-5 s a call, 26 / 42 / 221 us for 50 x 15, 300 x 31
    # and 1000 x 63 trees x leaves), or the compiled walk of _rowlightgbm (5.2 / 21 / 184 us)
    "lightgbm": _Line(5e-7, 1.5e-8, 3e-6, 2.5e-8, _lightgbm_units) if COMPILED_TREES
    else _Line(5e-7, 1.5e-8, 2.5e-5, 2e-8, _lightgbm_units),
    # one row: inplace_predict (2.2e-4 + 1.5e-6 a tree), or the compiled walk of _rowxgboost
    # (measured 5.7 / 12.4 / 26.8 us for 50 / 115 / 400 trees of depth 6)
    "xgboost": _Line(8e-7, 3e-9, 4e-6, 6e-8, _xgboost_units) if COMPILED_TREES
    else _Line(8e-7, 3e-9, 2.2e-4, 1.5e-6, _xgboost_units),
    # one row: the compiled walk of _rowcatboost (measured 4.3 / 15.7 / 66.5 us for 50 x 6,
    # 300 x 6 and 1000 x 8 trees x depth), or CatBoost's predict for a model with categorical
    # features (see _catboost_library_row)
    "catboost": _Line(1.2e-6, 1e-9, 2e-6, 7.6e-9, _catboost_units,
                      row_extra=_catboost_library_row),
    # the narrowest network searched has one hidden layer of 16: features x 16 weights at least
    # (a TF-IDF block 40k wide makes that 640k; TMDB's default MLP fold took 30 s of a 30 s fit)
    # one row: the forward pass without scikit-learn's input checks (_rowpredict._MLP), 0.03 ms
    # measured on Melon where predict cost 0.20 ms
    "mlp": _Line(2e-8, 2.4e-10, 2.5e-5, 9e-10, _mlp_units,
                 lambda rows, features: (16.0 * features,) * 2, floor_uses_features=True),
    "tabular_mlp": _Line(1e-5, 5.5e-10, 1e-3, 0.0, _net_units),
    "tabular_resnet": _Line(1e-5, 5.5e-10, 5.5e-4, 0.0, _net_units),
}
@dataclass(frozen=True)
class _TextLine:
    """One text column's serving cost: a line in its mean characters, plus the SVD."""

    batch_per_char: float
    batch_svd: float
    row_base: float
    row_per_char: float
    row_svd: float

    def tfidf(self, n_chars: float) -> ServingCost:
        return ServingCost(self.batch_per_char * n_chars,
                           self.row_base + self.row_per_char * n_chars)

    def svd(self) -> ServingCost:
        return ServingCost(self.batch_svd, self.row_svd)


# An unknown family is costed like a forest of 300 trees: expensive until declared.
_UNKNOWN = ServingCost(5e-6, 5e-2)
# Per style, per raw feature column: schema check, coercion and the fitted preprocessor.
_STYLE_BATCH_BASE, _STYLE_BATCH_PER_COLUMN = 5e-7, 4e-7
_STYLE_ROW_BASE, _STYLE_ROW_PER_COLUMN = 3.4e-5, 1.2e-6
# TextFeatures per text column, growing with the mean cleaned characters of a text (clean-up,
# word 1-2-grams and char_wb 2-4-grams; SVD for the tree styles), through the numba pass
# (jogak.pipeline._tfidf_native) where it serves, else jogak.pipeline._tfidf's numpy path.
# Paid once per prediction however many preprocessors share the vocabulary (see text_parts).
# Measured 2026-11-22 in process CPU time on the idle machine, 10k rows drawn from the column,
# batch s/row | single-row s, native (numpy path):
#   PhraseBank sentences (121 chars) 1.7e-05 | 4.5e-05  (2.8e-05 | 1.0e-04)
#   TMDB overviews (296 chars)       3.7e-05 | 8.8e-05  (6.8e-05 | 2.0e-04)
#   TMDB genre lists (39 chars)      4.6e-06 | 2.1e-05  (7.2e-06 | 4.0e-05)
#   the SVD adds 2-4e-6 | 1-2e-5 (5e-6 | 1-3e-5)
# (scikit-learn's transform: 2.0e-04 s/row on the sentences, 4.9e-04 on overviews)
_NATIVE_TEXT = _TextLine(batch_per_char=1.25e-7, batch_svd=3e-6, row_base=1.3e-5,
                         row_per_char=2.5e-7, row_svd=1.5e-5)
_NUMPY_TEXT = _TextLine(batch_per_char=2.3e-7, batch_svd=5e-6, row_base=2e-5,
                        row_per_char=6e-7, row_svd=2e-5)
_TEXT_DEFAULT_CHARS = 120.0  # a TextFeatures fitted before mean_chars_ was recorded


def learner_cost(family: str, learner: Any) -> ServingCost:
    """Estimated cost of one fitted ``learner`` of model family ``family``."""
    line = _FAMILIES.get(family)
    if line is None:
        return _UNKNOWN
    try:
        return line.cost(learner)
    except (AttributeError, TypeError, ValueError):  # an unfitted or foreign learner
        return _UNKNOWN


def member_cost(family: str, learners: Iterable[Any], *,
                n_serving: int | None = None) -> ServingCost:
    """Cost of an ensemble member: its learners' costs summed.

    ``n_serving`` scales the first learner's cost to that many learners instead (e.g. ``1`` for
    a member that will be refitted on all rows, estimated from its fold models).
    """
    fitted = list(learners)
    if not fitted:
        return _UNKNOWN
    if n_serving is not None:
        return learner_cost(family, fitted[0]).scaled(n_serving)
    return _summed(learner_cost(family, learner) for learner in fitted)


def _text_steps(step: Any) -> Iterable[TextFeatures]:
    if isinstance(step, TextFeatures):
        yield step
    elif isinstance(step, ColumnTransformer):
        for _, inner, _ in getattr(step, "transformers_", []):
            yield from _text_steps(inner)
    elif isinstance(step, Pipeline):
        for _, inner in step.steps:
            yield from _text_steps(inner)


def text_parts(preprocessor: Any) -> dict[int, ServingCost]:
    """TF-IDF and SVD costs of the fitted :class:`TextFeatures` steps inside ``preprocessor``,
    keyed by the fitted object that pays them.

    Preprocessors that share a vocabulary (the folds and styles of one search, see ``FoldCache``)
    weigh a text once per prediction, and those sharing an SVD project it once: the union of
    their parts, each counted once, is what serving them together costs.
    """
    parts: dict[int, ServingCost] = {}
    for step in _text_steps(preprocessor):
        chars = getattr(step, "mean_chars_", None) or \
            [_TEXT_DEFAULT_CHARS] * len(step.vectorizers_)
        for fitted, compiled, svd, n_chars in zip(step.vectorizers_,
                                                   step.compiled_vectorizers(), step.svds_,
                                                   chars, strict=True):
            if not fitted:
                continue
            line = _NATIVE_TEXT if native_serves(compiled) else _NUMPY_TEXT
            parts[id(fitted[0])] = line.tfidf(n_chars)
            if svd is not None:
                parts[id(svd)] = line.svd()
    return parts


def text_cost(preprocessor: Any) -> ServingCost:
    """TF-IDF cost of the fitted :class:`TextFeatures` steps inside ``preprocessor``.

    Per text column that kept a vocabulary: a line in its mean cleaned characters, plus the SVD
    product for the tree styles. Zero for a preprocessor without text.
    """
    return _summed(text_parts(preprocessor).values())


def _summed(costs: Iterable[ServingCost]) -> ServingCost:
    total = ZERO
    for cost in costs:
        total = total + cost
    return total


def preprocessing_cost(n_columns: int, n_preprocessors: int = 1) -> ServingCost:
    """Cost of one feature style over ``n_columns`` raw columns (bagged: one per fold)."""
    one = ServingCost(_STYLE_BATCH_BASE + _STYLE_BATCH_PER_COLUMN * n_columns,
                      _STYLE_ROW_BASE + _STYLE_ROW_PER_COLUMN * n_columns)
    return one.scaled(n_preprocessors)


def _floor_uses_features(family: str) -> bool:
    line = _FAMILIES.get(family)
    return line is not None and line.floor_uses_features


def family_floor(family: str, n_rows: int, n_features: int) -> ServingCost:
    """The least any fitted learner of ``family`` can cost (one learner, no preprocessing).

    ``n_rows`` and ``n_features`` are those the learner is fitted on (kNN keeps every row).
    """
    line = _FAMILIES.get(family)
    return _UNKNOWN if line is None else line.floor(n_rows, n_features)


@dataclass(frozen=True)
class InferLimit:
    """Serving limits: seconds per row in a 10k-row batch and seconds per single-row call.

    ``None`` leaves that side unlimited; both ``None`` turns the limit off.
    """

    batch_seconds_per_row: float | None
    row_seconds: float | None

    @property
    def is_active(self) -> bool:
        return self.batch_seconds_per_row is not None or self.row_seconds is not None

    def admits(self, cost: ServingCost) -> bool:
        return cost.within(self.batch_seconds_per_row, self.row_seconds)

    def relaxed(self, factor: float) -> InferLimit:
        """This limit with each side ``factor`` times looser (``None`` stays unlimited)."""
        return InferLimit(*(None if side is None else side * factor
                            for side in (self.batch_seconds_per_row, self.row_seconds)))

    def pressure(self, cost: ServingCost) -> float:
        """One number to rank costs by: each side relative to its limit (or to the goals)."""
        batch = self.batch_seconds_per_row or 5e-5
        row = self.row_seconds or 1e-3
        return cost.batch_seconds_per_row / batch + cost.row_seconds / row


NO_LIMIT = InferLimit(None, None)


@dataclass(frozen=True)
class CostBook:
    """Estimated costs of candidate members and of the ensembles they would form.

    ``members``: trial -> cost of the member as it would be served; ``styles``: trial -> its
    feature style; ``style_cost``: preprocessing of one style (all its fitted copies), text
    aside; ``text``: style -> its text parts (see :func:`text_parts`), shared parts counted once.
    """

    members: dict[int, ServingCost]
    styles: dict[int, str]
    style_cost: ServingCost
    text: dict[str, dict[int, ServingCost]] = field(default_factory=dict)

    def total(self, keys: Iterable[int]) -> ServingCost:
        """Cost of serving the members ``keys`` together (shared styles preprocess once)."""
        chosen = set(keys)
        styles = {self.styles[k] for k in chosen}
        cost = self.style_cost.scaled(len(styles))
        parts: dict[int, ServingCost] = {}
        for style in sorted(styles):
            parts.update(self.text.get(style, {}))
        cost = cost + _summed(parts.values())
        for key in sorted(chosen):
            cost = cost + self.members[key]
        return cost


def predictor_cost(predictor: Any, n_columns: int) -> ServingCost:
    """Estimated cost of a fitted :class:`EnsemblePredictor` over ``n_columns`` raw columns."""
    cost = ZERO
    parts: dict[int, ServingCost] = {}
    for fitted in predictor.preprocessors.values():
        cost = cost + preprocessing_cost(n_columns, len(fitted))
        for preprocessor in fitted:
            parts.update(text_parts(preprocessor))
    cost = cost + _summed(parts.values())
    for member in predictor.members:
        cost = cost + member_cost(member.family, member.learners)
    if predictor.stacker is not None:
        cost = cost + stacker_cost(predictor.stacker)
    return cost


def stacker_cost(stacker: Any) -> ServingCost:
    """A level-2 model: a histogram booster (with original features) or a linear blender."""
    family = "hist_gb" if hasattr(stacker, "n_trees_per_iteration_") else "linear"
    return learner_cost(family, stacker)


def affordable_families(specs: list[Any], limit: InferLimit, *, n_rows: int, n_columns: int,
                        n_features: Callable[[Any], int]) -> list[Any]:
    """The model specs whose cheapest learner, refitted, can meet ``limit``.

    A family that cannot (a forest's per-tree calls against a 1 ms single-row limit, kNN over
    many rows) is not searched: its trials could never be served. If none can, the cheapest
    family stays, so that a model is always returned.
    """
    if not limit.is_active:
        return list(specs)
    style = preprocessing_cost(n_columns)
    floors = {spec.name: family_floor(spec.name, n_rows,
                                      n_features(spec.style) if _floor_uses_features(spec.name)
                                      else 0) + style
              for spec in specs}
    kept = [spec for spec in specs if limit.admits(floors[spec.name])]
    return kept or [min(specs, key=lambda spec: limit.pressure(floors[spec.name]))]
