"""Preprocessed folds, fitted once per feature style and shared by every trial of a search.

Each fold's preprocessor is fitted on that fold's training rows only, so the cache is as
leakage-proof as cloning a full pipeline per trial, and far cheaper. One exception: free text.
Its TF-IDF vocabulary and SVD (unsupervised: no target) are fitted once on all training rows and
shared, frozen, by every fold and style, as AutoGluon fits its text n-grams before bagging. A
bagged ensemble then holds one vocabulary instead of one per fold and style, and serving weighs a
text once instead of up to 15 times (TMDB: 10 TF-IDF copies per row before); fitting runs once
instead of per fold and style. The target never reaches it, so validation scores stay honest
about the label; the validation rows' words count in the document frequencies.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from jogak.data import ColumnRoles, Task
from jogak.errors import ConfigError
from jogak.models._validation import Split
from jogak.pipeline import FeatureStyle, TextFeatures, build_preprocessor, source_column_map

__all__ = ["FoldCache", "FoldData", "FoldPredictions"]


class FoldPredictions:
    """Out-of-fold predictions when folds may test a row more than once (repeated k-fold).

    Each row's prediction is the mean of those it received (with one shuffle, the one; NaN
    where no fold tested it: the earliest block of time-ordered folds).
    """

    def __init__(self, shape: tuple[int, ...]) -> None:
        self._sum = np.zeros(shape)
        self._count = np.zeros(shape[0])

    def add(self, test: np.ndarray, prediction: np.ndarray) -> None:
        """Count ``prediction`` for the rows ``test``."""
        self._sum[test] += prediction
        self._count[test] += 1.0

    def mean(self) -> np.ndarray:
        """The mean prediction of each row (NaN for rows never tested)."""
        out = np.full(self._sum.shape, np.nan)
        seen = self._count > 0
        counts = self._count[seen]
        out[seen] = self._sum[seen] / (counts[:, None] if out.ndim == 2 else counts)
        return out


@dataclass
class FoldData:
    """One fold in one style: preprocessed train and test matrices and the fitted preprocessor."""

    X_train: Any
    X_test: Any
    preprocessor: Any
    seconds: float


@dataclass
class FoldCache:
    """Lazily preprocessed folds per :class:`FeatureStyle`.

    ``monotone`` maps raw columns to monotone constraints (+1/-1); :meth:`monotone_vector`
    places them on the preprocessed columns of a style.
    """

    X: pd.DataFrame
    y: np.ndarray
    roles: ColumnRoles
    splits: list[Split]
    random_state: int = 0
    task: Task | None = None
    monotone: Mapping[str, int] = field(default_factory=dict)
    _folds: dict[tuple[FeatureStyle, int], FoldData] = field(default_factory=dict)
    _templates: dict[FeatureStyle, Any] = field(default_factory=dict)
    _texts: dict[tuple[Any, ...], TextFeatures] = field(default_factory=dict)

    def template(self, style: FeatureStyle) -> Any:
        """An unfitted preprocessor for ``style`` (its text steps fitted and shared)."""
        if style not in self._templates:
            template = build_preprocessor(self.roles, style, task=self.task,
                                          random_state=self.random_state)
            template.transformers = [
                (name, self._shared_text(step, list(columns))
                 if isinstance(step, TextFeatures) else step, columns)
                for name, step, columns in template.transformers]
            self._templates[style] = template
        return clone(self._templates[style])

    def _shared_text(self, step: TextFeatures, columns: list[str]) -> TextFeatures:
        """``step`` fitted once on every training row, frozen; the same object for equal
        steps on the same columns, and the same vocabulary with or without SVD."""
        params = step.get_params()
        key = _text_key(columns, params)
        if key not in self._texts:
            frame = self.X[columns]
            plain_params = {**params, "svd_components": None, "random_state": None}
            plain_key = _text_key(columns, plain_params)
            if plain_key not in self._texts:
                self._texts[plain_key] = TextFeatures(**plain_params).fit(frame).freeze()
            plain = self._texts[plain_key]
            self._texts[key] = plain if params["svd_components"] is None else \
                TextFeatures(**params).fit_from(plain, frame).freeze()
        return self._texts[key]

    def fold(self, style: FeatureStyle, index: int) -> FoldData:
        key = (style, index)
        if key not in self._folds:
            train, test = self.splits[index]
            preprocessor = self.template(style)  # shared text fitted here, once: not a fold's
            started = time.perf_counter()
            X_train = preprocessor.fit_transform(self.X.iloc[train], self.y[train])
            X_test = preprocessor.transform(self.X.iloc[test])
            self._folds[key] = FoldData(X_train, X_test, preprocessor,
                                        time.perf_counter() - started)
        return self._folds[key]

    def preprocessing_seconds(self, *, first_fold_only: bool = False) -> float:
        """Seconds spent fitting preprocessors so far (fold 0 only: one fit per style)."""
        return sum(fold.seconds for (_, index), fold in self._folds.items()
                   if index == 0 or not first_fold_only)

    def monotone_vector(self, style: FeatureStyle) -> tuple[int, ...]:
        """The constraint of each preprocessed column of ``style`` (empty without constraints).

        A constrained column must reach the learner unchanged (a numeric column passed through,
        as in NATIVE style); one that is encoded, expanded or dropped is refused.
        """
        wanted = {name: int(sign) for name, sign in self.monotone.items() if sign}
        if not wanted:
            return ()
        outputs = source_column_map(self.fold(style, 0).preprocessor)
        vector = tuple(wanted.get(name, 0) if source == name else 0
                       for name, source in outputs.items())
        passed = {name for name, source in outputs.items() if source == name}
        lost = sorted(set(wanted) - passed)
        if lost:
            raise ConfigError(
                f"Monotone constraints on {lost}, which the {style.value!r} preprocessing does "
                "not pass through as one numeric column (they are categorical, text, dates or "
                "dropped). Hint: constrain numeric columns only, or drop those constraints.")
        return vector

    def n_features(self, style: FeatureStyle) -> int:
        return int(self.fold(style, 0).X_train.shape[1])

    def has_sparse(self, style: FeatureStyle) -> bool:
        return not isinstance(self.fold(style, 0).X_train, np.ndarray)


def _text_key(columns: list[str], params: dict[str, Any]) -> tuple[Any, ...]:
    return (tuple(columns), tuple(sorted((k, repr(v)) for k, v in params.items())))
