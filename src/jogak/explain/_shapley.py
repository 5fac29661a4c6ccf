"""``explain``: SHAP values of a fitted AutoML model, per source column, in a stated space."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.special import expit

from jogak.errors import ConfigError
from jogak.explain._explanation import Explanation
from jogak.explain._learners import LearnerShap, aggregation_matrix, learner_shap
from jogak.explain._model import FittedModel, Space, fitted_model, sample_rows
from jogak.explain._permutation import permutation_shapley

__all__ = ["explain"]

Method = Literal["auto", "exact", "permutation"]

# a learner whose SHAP values miss its own output by more than this is not trusted
_RTOL, _ATOL = 1e-5, 1e-6


@dataclass(frozen=True)
class _Additive:
    values: np.ndarray  # (n, s) or (n, s, k)
    base: np.ndarray  # () or (k,)
    space: Space
    method: str


def explain(model: Any, X: pd.DataFrame, *, background: pd.DataFrame | None = None,
            max_background: int = 200, random_state: int = 0, method: Method = "auto",
            n_permutations: int = 10,
            on_progress: Callable[[int], None] | None = None) -> Explanation:
    """SHAP values of ``model`` for the rows of ``X``, summed back to the source columns.

    Paths, chosen per learner of the ensemble:

    - **tree** (exact Tree SHAP, ``shap.TreeExplainer``): LightGBM, XGBoost, CatBoost, the
      forests, HistGradientBoosting without categorical splits;
    - **linear** (exact): ``coef * (x - background mean)`` for linear and logistic models;
    - **permutation** (model-agnostic, antithetic permutation sampling against a background
      sample, exact additivity): everything else, stacked ensembles and multiclass ensembles
      whose members give margins.

    Spaces: a binary model made of **one** learner that gives margins (boosted trees, logistic
    regression) is explained in ``"log_odds"``. Any other binary model is explained in
    ``"probability"``, because a jogak ensemble averages its members' *probabilities*: the
    ensemble's log-odds are not a weighted sum of its members' log-odds. Margin members of such
    an ensemble have their exact log-odds SHAP values rescaled linearly so that they sum to the
    member's probability minus the probability at its base value (H2O's ``output_space``);
    forests give probability values directly. Members are then combined by their ensemble
    weights, so ``base + sum(contributions) == prediction`` holds exactly. Multiclass models
    are explained per class in ``"probability"``. Regressors are explained in ``"raw"``
    (target units), or in ``"log1p"`` when fitted with ``log_target=True`` (the model is
    additive in ``log1p(target)``; ``expm1`` of the prediction is the predicted value).

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        Fitted, or loaded with :func:`jogak.models.load_model`.
    X : DataFrame
        Rows to explain, with every training column (extra columns are dropped).
    background : DataFrame, optional
        Reference rows for the linear and permutation paths (default: ``X``).
    max_background : int, default=200
        Background rows sampled at most.
    random_state : int, default=0
        Seed of the background sample and the permutations.
    method : {"auto", "exact", "permutation"}, default="auto"
        "exact" refuses to fall back to permutation sampling; "permutation" forces it.
    n_permutations : int, default=10
        Column orders per row on the permutation path (even). Cost: about
        ``n_rows * n_permutations * n_columns * n_background`` model evaluations.
    on_progress : callable, optional
        Called with the number of rows finished (permutation path).

    Returns
    -------
    Explanation

    Raises
    ------
    SchemaError
        ``X`` lacks a training column (named in the message) or has unreadable values.
    ConfigError
        Bad arguments, or ``method="exact"`` for a model without an exact path.
    """
    if method not in ("auto", "exact", "permutation"):
        raise ConfigError(f"method must be 'auto', 'exact' or 'permutation', got {method!r}.")
    if not isinstance(max_background, int) or max_background < 1:
        raise ConfigError(f"max_background must be an int >= 1, got {max_background!r}.")
    fitted = fitted_model(model)
    frame = fitted.validated(X)
    coerced = fitted.coerced(frame)
    reference = coerced if background is None else \
        fitted.coerced(fitted.validated(background, what="background"))
    reference = sample_rows(reference, max_background, random_state)
    additive = None if method == "permutation" else _exact(fitted, coerced, reference)
    if additive is None:
        if method == "exact":
            raise ConfigError("This model has no exact SHAP path (a stacked ensemble, a learner "
                              "that is neither a tree model nor linear, or a multiclass "
                              "ensemble of margin models). Hint: use method='auto' or "
                              "'permutation'.")
        space = fitted.default_space()
        values, base = permutation_shapley(lambda f: fitted.output(f, space), coerced,
                                           reference, n_permutations=n_permutations,
                                           random_state=random_state, on_batch=on_progress)
        additive = _Additive(values=values, base=base, space=space, method="permutation")
    if additive.space == "log_odds":
        predictions = additive.base + additive.values.sum(axis=1)  # the learner's own margin
    else:
        predictions = fitted.output(coerced, additive.space)
    return _explanation(fitted, frame, coerced, additive, predictions)


def _explanation(fitted: FittedModel, frame: pd.DataFrame, coerced: pd.DataFrame,
                 additive: _Additive, predictions: np.ndarray) -> Explanation:
    n_rows = len(frame)
    classes: tuple[Any, ...] = () if fitted.classes is None else tuple(fitted.classes)
    if fitted.is_multiclass:
        columns = pd.MultiIndex.from_product([list(classes), fitted.features],
                                             names=["class", "column"])
        flat = np.transpose(additive.values, (0, 2, 1)).reshape(n_rows, -1)
        values = pd.DataFrame(flat, index=frame.index, columns=columns)
        base = np.broadcast_to(additive.base, (n_rows, len(classes))).copy()
        output_class = None
    else:
        values = pd.DataFrame(additive.values, index=frame.index, columns=fitted.features)
        base = np.full(n_rows, float(additive.base))
        output_class = classes[1] if fitted.is_binary else None
    return Explanation(values=values, base_values=base, predictions=np.asarray(predictions),
                       space=additive.space, feature_values=frame, method=additive.method,
                       classes=classes, output_class=output_class,
                       numeric_values=fitted.numeric_view(coerced))


def _exact(fitted: FittedModel, coerced: pd.DataFrame,
           reference: pd.DataFrame) -> _Additive | None:
    """Exact per-learner SHAP values combined by the ensemble weights, or None."""
    predictor = fitted.predictor
    if predictor.stacker is not None:
        return None
    encoded = predictor.transform(coerced)
    encoded_reference = predictor.transform(reference)
    parts: list[tuple[float, Any, Any, LearnerShap]] = []
    for member in predictor.members:
        for i, learner in enumerate(member.learners):
            preprocessor = predictor.preprocessors[member.style][i]
            aggregate = aggregation_matrix(preprocessor, fitted.features)
            X = encoded[member.style][i]
            shap_values = learner_shap(learner, X, encoded_reference[member.style][i], aggregate)
            if shap_values is None:
                return None
            parts.append((member.weight / len(member.learners), learner, X, shap_values))
    space = _space(fitted, parts)
    if space is None:
        return None
    n_rows, n_columns = len(coerced), len(fitted.features)
    k = len(fitted.classes) if fitted.is_multiclass else 0
    total = np.zeros((n_rows, n_columns, k) if k else (n_rows, n_columns))
    base = np.zeros(k) if k else np.zeros(())
    for weight, learner, X, shap_values in parts:
        converted = _in_space(fitted, learner, X, shap_values, space)
        if converted is None:
            return None
        values, learner_base = converted
        total += weight * values
        base = base + weight * learner_base
    methods = sorted({part[3].method for part in parts})
    return _Additive(values=total, base=base, space=space, method="+".join(methods))


def _space(fitted: FittedModel, parts: list[tuple[float, Any, Any, LearnerShap]]) -> Space | None:
    if not fitted.task.is_classification:
        return "log1p" if fitted.log_target else "raw"
    outputs = {part[3].output for part in parts}
    if fitted.is_multiclass:
        return "probability" if outputs == {"probability"} else None
    if len(parts) == 1 and outputs == {"margin"} and abs(parts[0][0] - 1.0) < 1e-12:
        return "log_odds"
    return "probability"


def _in_space(fitted: FittedModel, learner: Any, X: Any, shap_values: LearnerShap,
              space: Space) -> tuple[np.ndarray, np.ndarray] | None:
    """The learner's values and base in ``space``; None when they miss its own output."""
    values, base = shap_values.values, shap_values.base
    if not fitted.task.is_classification:
        actual = np.asarray(learner.predict(X), dtype=np.float64).reshape(-1)
        return (values, base) if _adds_up(base + values.sum(axis=1), actual) else None
    proba = _widened_proba(fitted, learner, X)
    if shap_values.output == "probability":
        labels = np.asarray(learner.classes_, dtype=np.int64)
        wide = np.zeros(values.shape[:2] + (proba.shape[1],))
        wide[:, :, labels] = values
        wide_base = np.zeros(proba.shape[1])
        wide_base[labels] = base
        if not _adds_up(wide_base + wide.sum(axis=1), proba):
            return None
        return (wide[:, :, 1], wide_base[1]) if fitted.is_binary else (wide, wide_base)
    # a binary margin: log-odds of the second class
    margin = base + values.sum(axis=1)
    positive = proba[:, 1]
    if not _adds_up(expit(margin), positive):
        return None
    if space == "log_odds":
        return values, base
    start = float(expit(base))
    change = margin - base
    safe = np.where(np.abs(change) > 1e-12, change, 1.0)
    # secant slope of the sigmoid between the base and the row's margin (its derivative when
    # they coincide): rescaled values sum to the probability change exactly
    slope = np.where(np.abs(change) > 1e-12, (positive - start) / safe,
                     expit(margin) * (1.0 - expit(margin)))
    return values * slope[:, None], np.asarray(start)


def _widened_proba(fitted: FittedModel, learner: Any, X: Any) -> np.ndarray:
    proba = np.asarray(learner.predict_proba(X), dtype=np.float64)
    n_classes = len(fitted.classes) if fitted.classes is not None else 0
    if proba.shape[1] == n_classes:
        return proba
    wide = np.zeros((proba.shape[0], n_classes))
    wide[:, np.asarray(learner.classes_, dtype=np.int64)] = proba
    return wide


def _adds_up(reconstructed: np.ndarray, actual: np.ndarray) -> bool:
    return bool(np.allclose(reconstructed, actual, rtol=_RTOL, atol=_ATOL))
