"""The fitted ensemble that predicts: preprocessors per style, members, weights, stacker."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jogak.data import ColumnRoles, Task
from jogak.models.automl._ensemble import stack_features
from jogak.models.automl._rowpredict import compile_learner
from jogak.models.automl._trial import predict_learner
from jogak.pipeline import FeatureStyle, compile_row_transform, shared_text

__all__ = ["EnsemblePredictor", "Member"]


@dataclass
class Member:
    """One ensemble member: a trial's learners (one refitted, or one per fold) and its weight."""

    trial: int
    family: str
    style: FeatureStyle
    weight: float
    learners: list[Any]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class EnsemblePredictor:
    """Predicts with the weighted members, or through the stacker when one was kept.

    ``preprocessors[style]`` holds one fitted preprocessor (refit mode) or one per fold (bagged
    mode); each member's learners align with them.
    """

    task: Task
    n_classes: int
    preprocessors: dict[FeatureStyle, list[Any]]
    members: list[Member]
    mode: str  # "refit" or "bagged"
    stacker: Any = None
    stack_columns: list[str] = field(default_factory=list)
    row_transforms: dict[FeatureStyle, list[Any]] = field(default_factory=dict)
    row_predictors: list[list[Any]] = field(default_factory=list)

    def compile_rows(self, roles: ColumnRoles) -> None:
        """Compile the preprocessors and learners into a numpy-only single-row path."""
        self.row_transforms = {style: [compile_row_transform(p, roles) for p in fitted]
                               for style, fitted in self.preprocessors.items()}
        self.row_predictors = [[compile_learner(learner, self.task) for learner in m.learners]
                               for m in self.members]

    def predict_raw_row(self, record: Mapping[str, Any]) -> np.ndarray:
        """:meth:`predict_raw` for one validated record, without pandas: shape ``(k,)`` or ``()``.

        Each learner gets a ``(1, n_features)`` array straight from the compiled row path.
        """
        with shared_text():  # preprocessors sharing a vocabulary weigh each text once
            rows = {style: [transform(record)[None, :] for transform in transforms]
                    for style, transforms in self.row_transforms.items()}
        predictions = []
        for member, compiled in zip(self.members, self.row_predictors, strict=True):
            inputs = rows[member.style]
            total = self._widened(member.learners[0], compiled[0](inputs[0]))
            for i in range(1, len(compiled)):  # bagged: the fold models' mean, summed in order
                total = total + self._widened(member.learners[i], compiled[i](inputs[i]))
            predictions.append(total if len(compiled) == 1 else total / len(compiled))
        if self.stacker is not None:
            originals = np.array([[_as_float(record.get(c)) for c in self.stack_columns]])
            level2 = stack_features(predictions, originals if self.stack_columns else None,
                                    self.task)
            if self.task.is_classification:
                return np.asarray(self.stacker.predict_proba(level2), dtype=np.float64)[0]
            return np.asarray(self.stacker.predict(level2), dtype=np.float64)[0]
        blended = predictions[0] * self.members[0].weight
        for member, prediction in zip(self.members[1:], predictions[1:], strict=True):
            blended = blended + member.weight * prediction
        return np.asarray(blended, dtype=np.float64)[0]

    def transform(self, X: pd.DataFrame) -> dict[FeatureStyle, list[Any]]:
        with shared_text():  # preprocessors sharing a vocabulary weigh each text once
            return {style: [p.transform(X) for p in fitted]
                    for style, fitted in self.preprocessors.items()}

    def member_predictions(self, X: pd.DataFrame) -> list[np.ndarray]:
        """Each member's prediction (probabilities or values), averaged over its learners."""
        transformed = self.transform(X)
        out = []
        for member in self.members:
            parts = [self._predict(learner, transformed[member.style][i])
                     for i, learner in enumerate(member.learners)]
            out.append(np.mean(parts, axis=0))
        return out

    def _predict(self, learner: Any, X: Any) -> np.ndarray:
        return self._widened(learner, predict_learner(learner, X, self.task))

    def _widened(self, learner: Any, prediction: np.ndarray) -> np.ndarray:
        """Probabilities in the full class space (a fold model may have missed a class)."""
        if self.task.is_classification and prediction.shape[1] != self.n_classes:
            wide = np.zeros((prediction.shape[0], self.n_classes))
            wide[:, np.asarray(learner.classes_, dtype=np.int64)] = prediction
            return wide
        return prediction

    def predict_raw(self, X: pd.DataFrame) -> np.ndarray:
        """Probabilities ``(n, k)`` or values ``(n,)`` on the model's (possibly log) scale."""
        predictions = self.member_predictions(X)
        if self.stacker is not None:
            originals = stack_originals(X, self.stack_columns)
            level2 = stack_features(predictions, originals, self.task)
            if self.task.is_classification:
                return np.asarray(self.stacker.predict_proba(level2), dtype=np.float64)
            return np.asarray(self.stacker.predict(level2), dtype=np.float64)
        blended = sum(m.weight * p for m, p in zip(self.members, predictions, strict=True))
        return np.asarray(blended, dtype=np.float64)

    @property
    def weights(self) -> dict[str, float]:
        return {f"{m.family}#{m.trial}": m.weight for m in self.members}


def _as_float(value: Any) -> float:
    try:
        return float(value) if value is not None else np.nan
    except (TypeError, ValueError):
        return np.nan


def stack_originals(X: pd.DataFrame, columns: list[str]) -> np.ndarray | None:
    """The numeric original columns the stacker sees, as float (NaN kept)."""
    if not columns:
        return None
    return X[columns].to_numpy(dtype=np.float64, na_value=np.nan)
