"""The strongest pairwise interactions between source columns.

Tree path: SHAP interaction values (``shap.TreeExplainer.shap_interaction_values``) summed to
source-column pairs; strength = mean over rows of ``|Φ_ab + Φ_ba|`` in the model's space. It is
used for a single tree learner, or for regression ensembles of tree learners (they add up in
target units).

Fallback: Friedman's H-statistic, unnormalised, on a row sample: strength =
``sqrt(mean_i (PD_ab(x_i) - PD_a(x_i) - PD_b(x_i))²)`` with centred partial dependences, in the
units of :func:`~jogak.explain.partial_dependence` (probability or target units), for the
``max_columns`` columns with the largest main effect (spread of ``PD_a``). It serves
classification ensembles (their averaged probabilities do not decompose into member
interactions), stacked ensembles, non-tree learners, and LightGBM with categorical splits:
shap's own tree reader gets those wrong, which shows because the interaction rows then fail to
sum to the SHAP values.
"""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError
from jogak.explain._learners import aggregation_matrix, tree_model
from jogak.explain._model import FittedModel, fitted_model, require_shap, sample_rows

__all__ = ["interaction_pairs"]

_BATCH_ROWS = 200_000


def interaction_pairs(model: Any, X: pd.DataFrame, top_k: int = 10, *, max_rows: int = 100,
                      max_columns: int = 8, random_state: int = 0) -> pd.DataFrame:
    """The ``top_k`` strongest interactions between pairs of source columns.

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        Fitted, or loaded with :func:`jogak.models.load_model`.
    X : DataFrame
        Rows with every training column.
    top_k : int, default=10
        Pairs to return.
    max_rows : int, default=100
        Rows sampled from ``X`` (the H-statistic costs ``max_rows²`` predictions per pair).
    max_columns : int, default=8
        H-statistic only: columns with the largest main effects considered for pairs.
    random_state : int, default=0
        Seed of the row sample.

    Returns
    -------
    DataFrame
        Columns ``column_a``, ``column_b``, ``strength``, strongest first; ``attrs["method"]``
        is ``"shap_interaction"`` or ``"h_statistic"``.
    """
    if not isinstance(top_k, int) or top_k < 1:
        raise ConfigError(f"top_k must be an int >= 1, got {top_k!r}.")
    if not isinstance(max_rows, int) or max_rows < 2:
        raise ConfigError(f"max_rows must be an int >= 2, got {max_rows!r}.")
    if not isinstance(max_columns, int) or max_columns < 2:
        raise ConfigError(f"max_columns must be an int >= 2, got {max_columns!r}.")
    fitted = fitted_model(model)
    coerced = fitted.coerced(sample_rows(fitted.validated(X), max_rows, random_state))
    matrix = _tree_interactions(fitted, coerced)
    if matrix is not None:
        method = "shap_interaction"
        features = fitted.features
        pairs = [(a, b, float(matrix[i, j])) for i, j in
                 itertools.combinations(range(len(features)), 2)
                 for a, b in [(features[i], features[j])]]
    else:
        method = "h_statistic"
        pairs = _h_statistic(fitted, coerced, max_columns)
    table = pd.DataFrame(pairs, columns=["column_a", "column_b", "strength"])
    table = table.sort_values("strength", ascending=False, kind="stable", ignore_index=True)
    table = table.head(top_k).reset_index(drop=True)
    table.attrs["method"] = method
    return table


def _tree_interactions(fitted: FittedModel, coerced: pd.DataFrame) -> np.ndarray | None:
    """Mean |interaction| per source pair ``(s, s)`` from Tree SHAP, or None."""
    predictor = fitted.predictor
    if predictor.stacker is not None:
        return None
    learners = [(m.weight / len(m.learners), m.style, i, learner)
                for m in predictor.members for i, learner in enumerate(m.learners)]
    if fitted.task.is_classification and len(learners) > 1:
        return None  # an ensemble averages probabilities: member interactions do not add up
    encoded = predictor.transform(coerced)
    shap = require_shap()
    total = None
    for weight, style, i, learner in learners:
        X = encoded[style][i]
        found = tree_model(learner, X)
        if found is None:
            return None
        model, data, limit = found
        explainer = shap.TreeExplainer(model)
        if explainer.model.model_type != "xgboost" and explainer.model.trees is None:
            return None  # shap could not read the trees
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="LightGBM binary classifier",
                                    category=UserWarning)
            phi = np.asarray(explainer.shap_interaction_values(data, tree_limit=limit),
                             dtype=np.float64)
            main = np.asarray(explainer.shap_values(data, tree_limit=limit,
                                                    check_additivity=False), dtype=np.float64)
        # shap reads LightGBM's categorical splits as numeric thresholds when it computes
        # interactions itself: the rows of a correct interaction matrix sum to the SHAP values
        if phi.sum(axis=2).shape != main.shape or \
                not np.allclose(phi.sum(axis=2), main, rtol=1e-5, atol=1e-6):
            return None
        if phi.ndim == 4:  # (n, p, p, k): one matrix per class
            phi = phi[..., 1] if phi.shape[-1] == 2 else np.abs(phi).sum(axis=-1)
        dense = aggregation_matrix(predictor.preprocessors[style][i], fitted.features).toarray()
        source = np.einsum("pa,npq,qb->nab", dense, phi, dense)
        total = weight * source if total is None else total + weight * source
    if total is None:
        return None
    both = total + np.transpose(total, (0, 2, 1))
    return np.abs(both).mean(axis=0)


def _h_statistic(fitted: FittedModel, coerced: pd.DataFrame,
                 max_columns: int) -> list[tuple[str, str, float]]:
    rows = coerced.reset_index(drop=True)
    main = {name: _centred_pd(fitted, rows, [name]) for name in fitted.features}
    spread = sorted(fitted.features, key=lambda n: -float(np.std(main[n])))
    chosen = spread[:max_columns]
    pairs = []
    for a, b in itertools.combinations(chosen, 2):
        joint = _centred_pd(fitted, rows, [a, b])
        residual = joint - main[a] - main[b]
        pairs.append((a, b, float(np.sqrt(np.mean(residual ** 2)))))
    return pairs


def _centred_pd(fitted: FittedModel, rows: pd.DataFrame, names: list[str]) -> np.ndarray:
    """``PD_names(x_i)`` at each sample row, centred; multiclass outputs are flattened."""
    n_rows = len(rows)
    per_batch = max(1, _BATCH_ROWS // n_rows)
    values = []
    for start in range(0, n_rows, per_batch):
        anchors = np.arange(start, min(n_rows, start + per_batch))
        frame = pd.concat([rows] * len(anchors), ignore_index=True)
        for name in names:
            frame[name] = rows[name].take(np.repeat(anchors, n_rows)).to_numpy()
        scores = fitted.scores(frame).reshape((len(anchors), n_rows, -1))
        values.append(scores.mean(axis=1))
    pd_values = np.concatenate(values, axis=0)
    return (pd_values - pd_values.mean(axis=0)).reshape(-1)
