"""Permutation importance of source columns, with its spread across folds of the data."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold, StratifiedKFold

from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.explain._model import FittedModel, fitted_model
from jogak.models import get_metric

__all__ = ["permutation_importance"]


def permutation_importance(model: Any, X: pd.DataFrame, y: Any, *, n_repeats: int = 5,
                           cv: int | Sequence[Sequence[int]] = 5, metric: str | None = None,
                           random_state: int = 0) -> pd.DataFrame:
    """How much the model's score drops when one source column is shuffled, per fold.

    The rows are split into folds (stratified for classifiers); in each fold every column is
    shuffled ``n_repeats`` times among that fold's rows and the score drop is averaged. The
    mean and standard deviation across folds tell how important and how stable each column is.
    The model is not refitted: pass data it was not trained on for an honest picture.

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        Fitted, or loaded with :func:`jogak.models.load_model`.
    X : DataFrame
        Rows with every training column.
    y : array-like
        True target of those rows (rows where it is missing are left out).
    n_repeats : int, default=5
        Shuffles per column and fold.
    cv : int or sequence of index arrays, default=5
        Number of folds, or the folds themselves (positions of the rows of each fold).
    metric : str, optional
        A metric of :data:`jogak.models.METRICS` (default: the model's own).
    random_state : int, default=0
        Seed of the folds and the shuffles.

    Returns
    -------
    DataFrame
        Columns ``column``, ``importance_mean``, ``importance_std`` (score drop; positive means
        the column helps), most important first; ``attrs`` hold ``metric``, ``baseline`` (mean
        fold score) and ``n_folds``.

    Raises
    ------
    SchemaError
        ``X`` lacks a training column, or ``X`` and ``y`` differ in length.
    TargetError
        A classifier meets labels it was not trained on.
    ConfigError
        Bad arguments.
    """
    if not isinstance(n_repeats, int) or n_repeats < 1:
        raise ConfigError(f"n_repeats must be an int >= 1, got {n_repeats!r}.")
    fitted = fitted_model(model)
    scorer = get_metric(metric or fitted.estimator.metric_, fitted.task)
    frame = fitted.validated(X)
    target = pd.Series(np.asarray(y, dtype=object) if not isinstance(y, pd.Series)
                       else y.to_numpy())
    if len(target) != len(frame):
        raise SchemaError(f"X has {len(frame)} rows but y has {len(target)}.")
    keep = target.notna().to_numpy()
    coerced = fitted.coerced(frame.loc[keep]).reset_index(drop=True)
    y_true = _encoded_target(fitted, target[keep])
    folds = _folds(fitted, y_true, cv, random_state)
    rng = np.random.default_rng(random_state)
    drops = np.zeros((len(folds), len(fitted.features)))
    baselines = []
    for f, rows in enumerate(folds):
        part = coerced.iloc[rows].reset_index(drop=True)
        truth = y_true[rows]
        baseline = scorer.score(truth, fitted.predictions(part))
        baselines.append(baseline)
        for c, column in enumerate(fitted.features):
            shuffled = pd.concat([part] * n_repeats, ignore_index=True)
            order = np.concatenate([r * len(part) + rng.permutation(len(part))
                                    for r in range(n_repeats)])
            shuffled[column] = shuffled[column].take(order).to_numpy()
            predictions = fitted.predictions(shuffled)
            scores = [scorer.score(truth, predictions[r * len(part):(r + 1) * len(part)])
                      for r in range(n_repeats)]
            drop = baseline - np.mean(scores)
            drops[f, c] = drop if scorer.greater_is_better else -drop
    table = pd.DataFrame({"column": fitted.features, "importance_mean": drops.mean(axis=0),
                          "importance_std": drops.std(axis=0)})
    table = table.sort_values("importance_mean", ascending=False, kind="stable",
                              ignore_index=True)
    table.attrs.update(metric=scorer.name, baseline=float(np.mean(baselines)),
                       n_folds=len(folds))
    return table


def _encoded_target(fitted: FittedModel, target: pd.Series) -> np.ndarray:
    if not fitted.task.is_classification:
        try:
            return pd.to_numeric(target, errors="raise").to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TargetError(f"A regression target must be numeric: {exc}.") from exc
    assert fitted.classes is not None
    lookup = {str(c): i for i, c in enumerate(fitted.classes)}
    labels = target.astype(str)
    unknown = sorted(set(labels) - set(lookup))
    if unknown:
        raise TargetError(f"y has labels the model never saw: {unknown[:5]}; the model knows "
                          f"{list(lookup)}.")
    return labels.map(lookup).to_numpy(dtype=np.int64)


def _folds(fitted: FittedModel, y: np.ndarray, cv: int | Sequence[Sequence[int]],
           random_state: int) -> list[np.ndarray]:
    n_rows = len(y)
    if isinstance(cv, int) and not isinstance(cv, bool):
        if cv < 1 or cv > n_rows:
            raise ConfigError(f"cv must be between 1 and the number of rows ({n_rows}), "
                              f"got {cv}.")
        if cv == 1:
            return [np.arange(n_rows)]
        if fitted.task.is_classification and np.bincount(y).min() >= cv:
            splitter: Any = StratifiedKFold(cv, shuffle=True, random_state=random_state)
        else:
            splitter = KFold(cv, shuffle=True, random_state=random_state)
        return [test for _, test in splitter.split(np.zeros(n_rows), y)]
    folds = [np.asarray(rows, dtype=np.int64) for rows in cv]
    if not folds or any(f.size == 0 or f.min() < 0 or f.max() >= n_rows for f in folds):
        raise ConfigError(f"cv folds must be non-empty arrays of row positions in [0, {n_rows}).")
    return folds
