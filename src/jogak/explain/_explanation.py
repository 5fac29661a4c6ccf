"""Explanation: SHAP values per source column, with global, local and JSON views."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import ConfigError
from jogak.explain._model import Space

__all__ = ["Explanation"]

# |correlation| below this is reported as "mixed": the sign would be noise
_DIRECTION_MIN_CORRELATION = 0.1
_PLUS, _MINUS, _MIXED = "+", "−", "mixed"


@dataclass(frozen=True, kw_only=True, eq=False)
class Explanation:
    """Additive contributions of each source column to each row's prediction.

    For every row ``base_values[i] + values.iloc[i].sum() == predictions[i]`` in ``space``
    (per class for multiclass models).

    Attributes
    ----------
    values : DataFrame of shape (n_rows, n_columns)
        Contribution of each source column (one-hot levels, TF-IDF terms and date parts summed
        back). Multiclass: columns are a MultiIndex ``(class, column)``.
    base_values : ndarray of shape (n_rows,) or (n_rows, n_classes)
        The expected output the contributions start from.
    predictions : ndarray of shape (n_rows,) or (n_rows, n_classes)
        The model's output in ``space``.
    space : {"log_odds", "probability", "raw", "log1p"}
        ``log_odds`` and ``probability`` are of ``output_class`` (binary) or of each class
        (multiclass); ``raw`` is the regression target; ``log1p`` is ``log1p(target)`` for a
        regressor fitted with ``log_target=True``.
    feature_values : DataFrame of shape (n_rows, n_columns)
        The explained rows, as validated against the model's schema.
    method : str
        ``"tree"``, ``"linear"``, ``"tree+linear"`` or ``"permutation"``.
    classes : tuple
        Class labels of a classifier (empty for regression).
    output_class : object
        The class whose output is explained (binary: the second class; else None).
    """

    values: pd.DataFrame
    base_values: np.ndarray
    predictions: np.ndarray
    space: Space
    feature_values: pd.DataFrame
    method: str
    classes: tuple[Any, ...] = ()
    output_class: Any = None
    numeric_values: pd.DataFrame = field(repr=False, default_factory=pd.DataFrame)

    @property
    def is_multiclass(self) -> bool:
        """Whether values are per class (MultiIndex columns)."""
        return isinstance(self.values.columns, pd.MultiIndex)

    @property
    def columns(self) -> list[str]:
        """The source columns."""
        return [str(c) for c in self.feature_values.columns]

    def for_class(self, label: Any) -> Explanation:
        """The single-output explanation of one class of a multiclass model.

        Raises
        ------
        ConfigError
            ``label`` is not one of ``classes``.
        """
        if not self.is_multiclass:
            if label is None or label == self.output_class:
                return self
            raise ConfigError(f"This explanation is of class {self.output_class!r} only; "
                              f"got class {label!r}.")
        k = self._class_index(label)
        return Explanation(values=self.values[self.classes[k]], base_values=self.base_values[:, k],
                           predictions=self.predictions[:, k], space=self.space,
                           feature_values=self.feature_values, method=self.method,
                           classes=self.classes, output_class=self.classes[k],
                           numeric_values=self.numeric_values)

    def _class_index(self, label: Any) -> int:
        names = [str(c) for c in self.classes]
        if str(label) not in names:
            raise ConfigError(f"Unknown class {label!r}; the model's classes are {names}.")
        return names.index(str(label))

    def global_importance(self, top_k: int | None = 10, *, label: Any = None) -> pd.DataFrame:
        """Mean absolute contribution per source column, largest first, with its direction.

        ``direction`` is the sign of the correlation between a numeric (or boolean, or date)
        column's value and its contribution ("+": higher values raise the output), "mixed" when
        that correlation is weaker than 0.1 in absolute value; for a categorical or text
        column it is "+" when its contributions are never negative, "−" when never positive,
        else "mixed". A multiclass explanation without ``label`` sums the classes' mean
        absolute contributions and reports direction "mixed".

        Parameters
        ----------
        top_k : int or None, default=10
            Rows to keep (None: every column).
        label : class label, optional
            Multiclass only: the class to rank for.

        Returns
        -------
        DataFrame
            Columns ``column``, ``mean_abs``, ``direction``.
        """
        if top_k is not None and top_k < 1:
            raise ConfigError(f"top_k must be >= 1 or None, got {top_k!r}.")
        if self.is_multiclass and label is None:
            per_class = [self.for_class(c).global_importance(None) for c in self.classes]
            total = pd.concat(per_class).groupby("column", sort=False)["mean_abs"].sum()
            table = pd.DataFrame({"column": total.index, "mean_abs": total.to_numpy(),
                                  "direction": _MIXED})
        elif self.is_multiclass:
            return self.for_class(label).global_importance(top_k)
        else:
            table = pd.DataFrame({
                "column": self.columns,
                "mean_abs": self.values.abs().mean(axis=0).to_numpy(dtype=np.float64),
                "direction": [self._direction(c) for c in self.columns],
            })
        table = table.sort_values("mean_abs", ascending=False, kind="stable",
                                  ignore_index=True)
        return table if top_k is None else table.head(top_k).reset_index(drop=True)

    def _direction(self, column: str) -> str:
        contributions = self.values[column].to_numpy(dtype=np.float64)
        numbers = self.numeric_values[column].to_numpy(dtype=np.float64) \
            if column in self.numeric_values else np.full(len(contributions), np.nan)
        seen = ~np.isnan(numbers)
        if seen.any():
            x, y = numbers[seen], contributions[seen]
            if np.ptp(x) == 0 or np.ptp(y) == 0:
                return _MIXED
            correlation = float(np.corrcoef(x, y)[0, 1])
            if math.isnan(correlation) or abs(correlation) < _DIRECTION_MIN_CORRELATION:
                return _MIXED
            return _PLUS if correlation > 0 else _MINUS
        if np.all(contributions >= 0) and np.any(contributions > 0):
            return _PLUS
        if np.all(contributions <= 0) and np.any(contributions < 0):
            return _MINUS
        return _MIXED

    def waterfall(self, row: int, *, label: Any = None) -> pd.DataFrame:
        """One row's contributions, largest absolute first.

        Parameters
        ----------
        row : int
            Position of the row (0-based) in the explained rows.
        label : class label, optional
            Multiclass only: the class (default: the row's most probable class).

        Returns
        -------
        DataFrame
            Columns ``column``, ``value`` (the row's value), ``contribution``. Its
            ``attrs`` hold ``base_value``, ``prediction`` and ``space``.
        """
        n_rows = len(self.values)
        if not isinstance(row, int | np.integer) or not -n_rows <= row < n_rows:
            raise ConfigError(f"row must be a position in [0, {n_rows}), got {row!r}.")
        if self.is_multiclass:
            if label is None:
                label = self.classes[int(np.argmax(self.predictions[row]))]
            return self.for_class(label).waterfall(row)
        table = pd.DataFrame({
            "column": self.columns,
            "value": self.feature_values.iloc[row].to_numpy(dtype=object),
            "contribution": self.values.iloc[row].to_numpy(dtype=np.float64),
        })
        order = np.argsort(-np.abs(table["contribution"].to_numpy()), kind="stable")
        table = table.iloc[order].reset_index(drop=True)
        table.attrs.update(base_value=float(self.base_values[row]),
                           prediction=float(self.predictions[row]), space=self.space,
                           output_class=self.output_class)
        return table

    def to_records(self) -> list[dict[str, Any]]:
        """One JSON-ready object per row (``jogak explain --json``).

        ``{"prediction": p, "base_value": b, "contributions": {column: value}, "space": s}``
        with ``b + sum(contributions) == p`` in ``space``; for multiclass ``prediction``,
        ``base_value`` and ``contributions`` are keyed by class.
        """
        records = []
        columns = self.columns
        for i in range(len(self.values)):
            if self.is_multiclass:
                record: dict[str, Any] = {
                    "prediction": {str(c): float(self.predictions[i, k])
                                   for k, c in enumerate(self.classes)},
                    "base_value": {str(c): float(self.base_values[i, k])
                                   for k, c in enumerate(self.classes)},
                    "contributions": {
                        str(c): dict(zip(columns, map(float, self.values[c].iloc[i]),
                                         strict=True)) for c in self.classes},
                }
            else:
                record = {"prediction": float(self.predictions[i]),
                          "base_value": float(self.base_values[i]),
                          "contributions": dict(zip(columns, map(float, self.values.iloc[i]),
                                                    strict=True))}
            record["space"] = self.space
            if self.output_class is not None:
                record["class"] = _json_label(self.output_class)
            records.append(record)
        return records


def _json_label(label: Any) -> Any:
    if isinstance(label, np.generic):
        return label.item()
    return label if isinstance(label, str | int | float | bool) else str(label)
