"""Partial dependence (PDP) and individual conditional expectation (ICE), in 1-D and 2-D.

The brute-force method of :func:`sklearn.inspection.partial_dependence`, with the same grid
rule (the unique values when there are at most ``grid_resolution`` of them, else an even grid
between the 5th and 95th percentiles as ``scipy.stats.mstats.mquantiles`` computes them), run
on the model's frame API so that categorical, boolean, date and missing values work.
Categorical grids hold the most frequent levels.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats.mstats import mquantiles

from jogak.data import ColumnRole
from jogak.errors import ConfigError, SchemaError
from jogak.explain._model import FittedModel, fitted_model, sample_rows

__all__ = ["PartialDependence", "partial_dependence"]

Kind = Literal["average", "individual", "both"]

_BATCH_ROWS = 200_000


@dataclass(frozen=True, kw_only=True, eq=False)
class PartialDependence:
    """Partial dependence of a model's output on one column or a pair of columns.

    Attributes
    ----------
    features : tuple of str
        One column, or two.
    grid : tuple of ndarray
        The values each column was set to (numbers, dates or category levels).
    average : ndarray or None
        Mean output over the rows: shape ``grid shape`` (``(g,)`` or ``(g1, g2)``), with a
        leading class axis ``(k, ...)`` for multiclass models. None for ``kind="individual"``.
    individual : ndarray or None
        ICE curves, shape ``(n_rows, ...)`` (multiclass: ``(k, n_rows, ...)``). None for
        ``kind="average"``.
    space : {"probability", "raw"}
        Positive-class probability (binary), class probabilities (multiclass), or the predicted
        value in target units (regression, after ``expm1`` for ``log_target`` models).
    output_class : object
        The class whose probability is shown (binary), else None.
    classes : tuple
        Class labels of a classifier (empty for regression).
    """

    features: tuple[str, ...]
    grid: tuple[np.ndarray, ...]
    average: np.ndarray | None
    individual: np.ndarray | None
    space: Literal["probability", "raw"]
    kind: Kind
    output_class: Any = None
    classes: tuple[Any, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """The average as a long table: one row per grid point (and class), column ``average``.

        Raises
        ------
        ConfigError
            When the average was not computed (``kind="individual"``).
        """
        if self.average is None:
            raise ConfigError("This result holds ICE curves only; compute it with "
                              "kind='average' or 'both' for the average.")
        points = list(itertools.product(*self.grid))
        if self.classes and self.average.ndim == len(self.grid) + 1:
            frames = []
            for k, label in enumerate(self.classes):
                table = pd.DataFrame(points, columns=list(self.features))
                table["class"] = label
                table["average"] = self.average[k].reshape(-1)
                frames.append(table)
            return pd.concat(frames, ignore_index=True)
        table = pd.DataFrame(points, columns=list(self.features))
        table["average"] = self.average.reshape(-1)
        return table


def partial_dependence(model: Any, X: pd.DataFrame, features: str | Sequence[str], *,
                       kind: Kind = "both", grid_resolution: int = 20,
                       percentiles: tuple[float, float] = (0.05, 0.95),
                       max_rows: int | None = 1000, random_state: int = 0) -> PartialDependence:
    """PDP and ICE of ``model`` over one column or a pair of columns of ``X``.

    Each grid value (or pair of values) is written into every row, the model predicts, and
    the predictions are kept per row (ICE) and averaged (PDP).

    Parameters
    ----------
    model : AutoMLClassifier or AutoMLRegressor
        Fitted, or loaded with :func:`jogak.models.load_model`.
    X : DataFrame
        Rows with every training column.
    features : str or pair of str
        A source column, or two for a 2-D dependence.
    kind : {"both", "average", "individual"}, default="both"
    grid_resolution : int, default=20
        Grid points per column (numbers and dates; categories: the most frequent levels).
    percentiles : (float, float), default=(0.05, 0.95)
        Range of a numeric grid.
    max_rows : int or None, default=1000
        Rows sampled from ``X`` at most (None: all).
    random_state : int, default=0
        Seed of that sample.

    Returns
    -------
    PartialDependence

    Raises
    ------
    SchemaError
        ``X`` lacks a training column, or a feature is not a model column.
    ConfigError
        Bad arguments, or a text column (its grid would be arbitrary documents).
    """
    names = [features] if isinstance(features, str) else [str(f) for f in features]
    if len(names) not in (1, 2) or len(set(names)) != len(names):
        raise ConfigError(f"features must be one column or a pair of different columns, got "
                          f"{features!r}.")
    if kind not in ("both", "average", "individual"):
        raise ConfigError(f"kind must be 'both', 'average' or 'individual', got {kind!r}.")
    if not isinstance(grid_resolution, int) or grid_resolution < 2:
        raise ConfigError(f"grid_resolution must be an int >= 2, got {grid_resolution!r}.")
    low, high = percentiles
    if not 0.0 <= low < high <= 1.0:
        raise ConfigError(f"percentiles must satisfy 0 <= low < high <= 1, got {percentiles!r}.")
    fitted = fitted_model(model)
    unknown = [n for n in names if n not in fitted.features]
    if unknown:
        raise SchemaError(f"{unknown} are not columns of the model; its columns are "
                          f"{fitted.features}.")
    coerced = fitted.coerced(sample_rows(fitted.validated(X), max_rows, random_state))
    grids = tuple(_grid(fitted, coerced[n], grid_resolution, (low, high)) for n in names)
    curves = _curves(fitted, coerced, names, grids)  # (n_rows, *grid) or (n_rows, *grid, k)
    if fitted.is_multiclass:
        curves = np.moveaxis(curves, -1, 0)  # (k, n_rows, *grid)
        average = curves.mean(axis=1)
    else:
        average = curves.mean(axis=0)
    classes = () if fitted.classes is None else tuple(fitted.classes)
    return PartialDependence(
        features=tuple(names), grid=grids, kind=kind,
        average=None if kind == "individual" else average,
        individual=None if kind == "average" else curves,
        space="probability" if fitted.task.is_classification else "raw",
        output_class=classes[1] if fitted.is_binary else None, classes=classes)


def _grid(fitted: FittedModel, column: pd.Series, resolution: int,
          percentiles: tuple[float, float]) -> np.ndarray:
    role = fitted.roles.info[str(column.name)].role
    values = column.dropna()
    if values.empty:
        raise ConfigError(f"Column {column.name!r} has only missing values in X; there is no "
                          "grid to vary it over.")
    if role is ColumnRole.TEXT:
        raise ConfigError(f"Column {column.name!r} is free text; partial dependence needs a "
                          "numeric, boolean, date or categorical column.")
    if role in (ColumnRole.NUMERIC, ColumnRole.BOOLEAN, ColumnRole.DATETIME):
        is_date = role is ColumnRole.DATETIME
        numbers = (pd.to_datetime(values).astype("int64").to_numpy(dtype=np.float64) if is_date
                   else values.to_numpy(dtype=np.float64))
        uniques = np.unique(numbers)
        if uniques.size <= resolution:
            grid = uniques
        else:
            ends = np.asarray(mquantiles(numbers, prob=percentiles), dtype=np.float64)
            if ends[0] == ends[1]:
                raise ConfigError(f"The {percentiles} percentiles of column {column.name!r} are "
                                  "equal; widen percentiles or use a finer grid.")
            grid = np.linspace(ends[0], ends[1], num=resolution)
        return pd.to_datetime(grid.astype("int64")).to_numpy() if is_date else grid
    counts = values.astype(str).value_counts(sort=True)
    return np.asarray(counts.index[:resolution].tolist(), dtype=object)


def _curves(fitted: FittedModel, coerced: pd.DataFrame, names: list[str],
            grids: tuple[np.ndarray, ...]) -> np.ndarray:
    points = list(itertools.product(*grids))
    n_rows = len(coerced)
    base = coerced.reset_index(drop=True)
    per_batch = max(1, _BATCH_ROWS // n_rows)
    chunks = []
    for start in range(0, len(points), per_batch):
        batch = points[start:start + per_batch]
        frame = pd.concat([base] * len(batch), ignore_index=True)
        for j, name in enumerate(names):
            repeated = np.repeat(np.asarray([p[j] for p in batch], dtype=object), n_rows)
            frame[name] = pd.Series(repeated).astype(base[name].dtype) \
                if base[name].dtype != object else repeated
        chunks.append(fitted.scores(frame).reshape((len(batch), n_rows) +
                                                   (() if not fitted.is_multiclass else (-1,))))
    out = np.concatenate(chunks, axis=0)  # (n_points, n_rows[, k])
    shape = tuple(len(g) for g in grids)
    out = np.moveaxis(out, 0, 1)  # (n_rows, n_points[, k])
    return out.reshape((n_rows,) + shape + out.shape[2:])
