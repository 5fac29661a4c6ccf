"""Cross-fitted target encoding for high-cardinality categorical columns."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import TargetEncoder
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.pipeline._levels import Levels, learn_levels
from jogak.pipeline._validation import check_choice, column_names, frame_columns

__all__ = ["CrossFitTargetEncoder"]


class CrossFitTargetEncoder(TransformerMixin, BaseEstimator):
    """Encode each level by the (smoothed) mean target of its rows, cross-fitted in training.

    A thin layer over :class:`sklearn.preprocessing.TargetEncoder`: ``fit_transform`` returns
    out-of-fold encodings (each row encoded by a model that did not see it), so a learner fitted
    on them does not see its own target leak through the feature; ``transform`` uses the
    encodings learned on all training rows. ``fit(X, y).transform(X)`` therefore differs from
    ``fit_transform(X, y)`` by design. Inside a :class:`~sklearn.pipeline.Pipeline` the right one
    is used automatically. Missing values form one ``"__unknown__"`` level with its own encoding;
    values unseen in ``fit`` share it (or get the target mean when nothing was missing).

    Parameters
    ----------
    target_type : {"auto", "continuous", "binary", "multiclass"}, default="auto"
    smooth : "auto" or float, default="auto"
        Shrinkage towards the target mean (empirical Bayes with ``"auto"``).
    cv : int, default=5
        Folds of the cross fitting (stratified for classification targets when every class has
        at least ``cv`` rows; fewer folds if the data has fewer rows).
    random_state : int or None, default=None
        Seed of the fold shuffling.

    Attributes
    ----------
    encoder_ : sklearn.preprocessing.TargetEncoder
    levels_ : list of Levels
    classes_ : ndarray or None
        Class labels for classification targets.
    n_features_in_ : int
    feature_names_in_ : ndarray of str

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"city": ["a", "a", "b", "b"] * 5})
    >>> y = [1.0, 3.0, 10.0, 12.0] * 5
    >>> encoder = CrossFitTargetEncoder(target_type="continuous", cv=2, smooth=0.0,
    ...                                 random_state=0).fit(X, y)
    >>> encoder.transform(pd.DataFrame({"city": ["a", "b"]})).ravel().tolist()
    [2.0, 11.0]
    """

    def __init__(self, *, target_type: str = "auto", smooth: str | float = "auto", cv: int = 5,
                 random_state: int | None = None) -> None:
        self.target_type = target_type
        self.smooth = smooth
        self.cv = cv
        self.random_state = random_state

    def _prepare(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        check_choice(self, "target_type", self.target_type,
                     ("auto", "continuous", "binary", "multiclass"))
        if not isinstance(self.cv, Integral) or self.cv < 2:
            raise ConfigError(
                f"The 'cv' parameter of CrossFitTargetEncoder must be an int >= 2. "
                f"Got {self.cv!r} instead. Hint: 5 folds is the usual choice."
            )
        if y is None:
            raise TargetError(
                "CrossFitTargetEncoder requires y to be passed, but the target y is None. Hint: "
                "call fit(X, y), or fit the Pipeline that contains it with y."
            )
        columns = frame_columns(self, X, reset=True)
        target = np.asarray(y)
        if target.ndim != 1 or target.shape[0] != len(columns[0]):
            raise TargetError(
                f"CrossFitTargetEncoder needs a 1-D target with one value per row: X has "
                f"{len(columns[0])} rows, y has shape {target.shape}. Hint: pass y as a Series."
            )
        if target.shape[0] < 2:
            raise SchemaError(
                "CrossFitTargetEncoder needs at least 2 rows to cross-fit; got 1 sample. "
                "Hint: fit on more rows."
            )
        names = column_names(self)
        self.levels_: list[Levels] = [learn_levels(values, column=name)
                        for values, name in zip(columns, names, strict=True)]
        codes = np.column_stack([levels.codes(values)
                                 for levels, values in zip(self.levels_, columns, strict=True)])
        return codes, target

    def _splitter(self, target: np.ndarray) -> KFold | StratifiedKFold:
        kind = self.target_type if self.target_type != "auto" else type_of_target(target)
        n_splits = int(min(self.cv, target.shape[0]))
        if kind in ("binary", "multiclass"):
            smallest = int(pd.Series(target).value_counts().min())
            if smallest >= n_splits:
                return StratifiedKFold(n_splits, shuffle=True, random_state=self.random_state)
        return KFold(n_splits, shuffle=True, random_state=self.random_state)

    def _encoder(self, target: np.ndarray) -> TargetEncoder:
        return TargetEncoder(target_type=self.target_type, smooth=self.smooth,
                             cv=self._splitter(target))

    def fit(self, X: Any, y: Any = None) -> CrossFitTargetEncoder:
        """Learn the encodings on all rows (no cross fitting: see :meth:`fit_transform`)."""
        codes, target = self._prepare(X, y)
        self.encoder_ = self._encoder(target).fit(codes, target)
        self._finish()
        return self

    def _finish(self) -> None:
        # One lookup table per column, row r for code r - 1 (so code -1 is row 0): transform
        # is then one take per column, without TargetEncoder's per-call validation.
        encoder = self.encoder_
        self.classes_ = encoder.classes_
        n_outputs = len(encoder.classes_) if encoder.target_type_ == "multiclass" else 1
        means = np.atleast_1d(np.asarray(encoder.target_mean_, dtype=np.float64))
        self._tables = []
        for i, (levels, seen) in enumerate(zip(self.levels_, encoder.categories_, strict=True)):
            table = np.tile(means, (len(levels.kept) + 1, 1))
            rows = np.asarray(seen, dtype=np.int64) + 1
            for k in range(n_outputs):
                table[rows, k] = encoder.encodings_[i * n_outputs + k]
            self._tables.append(table)

    def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> np.ndarray:
        """Learn the encodings and return the out-of-fold encodings of ``X``."""
        codes, target = self._prepare(X, y)
        self.encoder_ = self._encoder(target)
        out = self.encoder_.fit_transform(codes, target)
        self._finish()
        return np.asarray(out, dtype=np.float64)

    def transform(self, X: Any) -> np.ndarray:
        """Encodings learned on all training rows; one column per input column (per class for
        multiclass targets)."""
        check_is_fitted(self)
        return self._transform_columns(frame_columns(self, X, reset=False))

    def _transform_columns(self, columns: list[np.ndarray]) -> np.ndarray:
        return np.hstack([table[levels.codes(values) + 1] for table, levels, values
                          in zip(self._tables, self.levels_, columns, strict=True)])

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``<column>__target``, or ``<column>__target_<class>`` for multiclass targets."""
        check_is_fitted(self)
        names = column_names(self, input_features)
        if self.encoder_.target_type_ != "multiclass":
            return np.asarray([f"{name}__target" for name in names], dtype=object)
        return np.asarray([f"{name}__target_{label}" for name in names
                           for label in self.classes_], dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.categorical = True
        tags.input_tags.allow_nan = True
        tags.target_tags.required = True
        return tags
