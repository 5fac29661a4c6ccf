"""The behaviour score: cross-validated scorecard and monotonic GBM, grades, one fitted object."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from numbers import Integral
from typing import Any, Literal

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from jogak.data import ColumnRole, infer_roles
from jogak.data._schema import FeatureSchema
from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.models._artifacts import data_fingerprint
from jogak.solutions.credit._gbm import MonotonicGBM
from jogak.solutions.credit._grades import GradeConfig, GradeScale, fit_grade_scale
from jogak.solutions.credit._layout import BehaviourFeatures, CreditLayout, detect_layout
from jogak.solutions.credit._metrics import calibration_table, discrimination
from jogak.solutions.credit._model import CreditModel
from jogak.solutions.credit._scorecard import Scorecard
from jogak.solutions.credit._target import encode_target

__all__ = ["CreditConfig", "fit_credit_model"]

Progress = Callable[[int, int, str], None]
Engine = Literal["scorecard", "gbm"]
_NOT_BINNABLE = {ColumnRole.DATETIME: "a date (derive features such as account age first)",
                 ColumnRole.TEXT: "free text", ColumnRole.IDENTIFIER: "an identifier",
                 ColumnRole.CONSTANT: "a single value"}


@dataclass(frozen=True, kw_only=True)
class CreditConfig:
    """Settings of :func:`fit_credit_model` (validated on creation).

    Parameters
    ----------
    layout : CreditLayout, "auto" or "none", default="auto"
        Where the limit and monthly history are; ``"auto"`` recognises the Taiwan (UCI) layout.
    behaviour_features : {"none", "basic", "extended"} or None, default=None
        Overrides the layout's ``features`` (which behaviour features are derived; see
        :func:`behaviour_features`). None keeps the layout's (``"extended"`` by default).
    categorical_features : sequence of str, default=()
        Extra numeric-coded columns to bin as categories (added to the layout's).
    exclude : sequence of str, default=()
        Extra columns never used as features (added to the layout's).
    n_splits : int, default=5
        Cross-validation folds for the honest metrics and grade cut-offs.
    with_gbm : bool, default=True
        Also fit the monotonic GBM beside the scorecard.
    min_iv, max_n_bins, min_bin_share, C
        Scorecard settings, see :class:`Scorecard`.
    base_score, base_odds, pdo : float
        Points scaling (both engines).
    grades : GradeConfig
    positive_label : object, default=None
        The target value meaning bad.
    random_state : int, default=0
    """

    layout: CreditLayout | Literal["auto", "none"] = "auto"
    behaviour_features: BehaviourFeatures | None = None
    categorical_features: Sequence[str] = ()
    exclude: Sequence[str] = ()
    n_splits: int = 5
    with_gbm: bool = True
    min_iv: float = 0.02
    max_n_bins: int = 6
    min_bin_share: float = 0.05
    C: float = 1.0
    base_score: float = 600.0
    base_odds: float = 50.0
    pdo: float = 20.0
    grades: GradeConfig = field(default_factory=GradeConfig)
    positive_label: Any = None
    random_state: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.layout, CreditLayout) and self.layout not in ("auto", "none"):
            raise ConfigError(f"CreditConfig.layout must be a CreditLayout, 'auto' or 'none', "
                              f"got {self.layout!r}.")
        if self.behaviour_features not in (None, "none", "basic", "extended"):
            raise ConfigError(f"CreditConfig.behaviour_features must be 'none', 'basic', "
                              f"'extended' or None, got {self.behaviour_features!r}.")
        if not isinstance(self.n_splits, Integral) or not 2 <= self.n_splits <= 20:
            raise ConfigError(f"CreditConfig.n_splits must be an int in [2, 20], got "
                              f"{self.n_splits!r}.")
        if not isinstance(self.grades, GradeConfig):
            raise ConfigError("CreditConfig.grades must be a GradeConfig.")
        object.__setattr__(self, "categorical_features",
                           tuple(map(str, self.categorical_features)))
        object.__setattr__(self, "exclude", tuple(map(str, self.exclude)))

    def resolved_layout(self, columns: Sequence[str]) -> CreditLayout:
        """The layout to use for a table with these columns."""
        if isinstance(self.layout, CreditLayout):
            layout = self.layout
        else:
            found = detect_layout(columns) if self.layout == "auto" else None
            layout = found or CreditLayout()
        if self.behaviour_features is None:
            return layout
        return replace(layout, features=self.behaviour_features)

    def scorecard(self, categorical: Sequence[str]) -> Scorecard:
        """An unfitted scorecard with these settings."""
        return Scorecard(categorical_features=tuple(categorical), max_n_bins=self.max_n_bins,
                         min_bin_share=self.min_bin_share, min_iv=self.min_iv, C=self.C,
                         base_score=self.base_score, base_odds=self.base_odds, pdo=self.pdo,
                         positive_label=1)

    def gbm(self, categorical: Sequence[str]) -> MonotonicGBM:
        """An unfitted monotonic GBM with these settings."""
        return MonotonicGBM(categorical_features=tuple(categorical), min_iv=self.min_iv,
                            base_score=self.base_score, base_odds=self.base_odds, pdo=self.pdo,
                            positive_label=1, random_state=self.random_state)


def _select_columns(frame: pd.DataFrame, target: str,
                    exclude: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    excluded: dict[str, str] = {}
    for name in exclude:
        if name in frame.columns and name != target:
            excluded[name] = "excluded by configuration"
    rest = frame.drop(columns=[target, *excluded])
    if rest.shape[1] == 0:
        raise SchemaError(f"No feature columns left besides the target {target!r}. Hint: pass "
                          "a table with account, billing and payment columns.")
    roles = infer_roles(rest)
    for name in rest.columns:
        role = roles[name]
        if role in _NOT_BINNABLE:
            excluded[name] = f"not a scorecard feature: {_NOT_BINNABLE[role]}"
    features = [c for c in rest.columns if c not in excluded]
    if not features:
        raise SchemaError(f"Every column is unusable as a feature: {excluded}. Hint: a "
                          "scorecard needs numeric or categorical account columns.")
    return features, excluded


def _schema(frame: pd.DataFrame, columns: list[str]) -> FeatureSchema:
    return FeatureSchema.from_frame(frame[columns], infer_roles(frame[columns]), columns=columns)


def _cross_validate(features: pd.DataFrame, y: np.ndarray, config: CreditConfig,
                    categorical: Sequence[str], engines: Sequence[Engine],
                    progress: Progress | None) -> dict[str, dict[str, Any]]:
    folds = StratifiedKFold(config.n_splits, shuffle=True, random_state=config.random_state)
    oof = {engine: np.zeros(len(y)) for engine in engines}
    per_fold: dict[str, list[dict[str, float]]] = {engine: [] for engine in engines}
    total = config.n_splits * len(engines) + len(engines)
    step = 0
    for k, (train, test) in enumerate(folds.split(features, y)):
        for engine in engines:
            model = config.scorecard(categorical) if engine == "scorecard" \
                else config.gbm(categorical)
            model.fit(features.iloc[train], y[train])
            logit = model.decision_function(features.iloc[test])
            oof[engine][test] = logit
            per_fold[engine].append(discrimination(y[test], 1 / (1 + np.exp(-logit))))
            step += 1
            if progress is not None:
                progress(step, total, f"fold {k + 1}/{config.n_splits}: {engine}")
    results: dict[str, dict[str, Any]] = {}
    for engine in engines:
        p_bad = 1.0 / (1.0 + np.exp(-oof[engine]))
        folds_frame = pd.DataFrame(per_fold[engine])
        table, summary = calibration_table(y, p_bad)
        results[engine] = {
            "cv": {m: {"mean": float(folds_frame[m].mean()), "std": float(folds_frame[m].std())}
                   for m in folds_frame.columns},
            "pooled": discrimination(y, p_bad),
            "calibration": summary,
            "calibration_table": table,
            "oof_logit": oof[engine],
        }
    return results


def fit_credit_model(frame: pd.DataFrame, target: str, *, config: CreditConfig | None = None,
                     progress: Progress | None = None) -> CreditModel:
    """Fit the behaviour score: scorecard and monotonic GBM, honest metrics and grades.

    Steps: the layout renames columns and derives behaviour features; identifiers, dates,
    free text, constant and excluded columns are left out; ``n_splits``-fold stratified
    cross-validation gives out-of-fold probabilities, from which AUC, Gini, KS, calibration and
    the grade cut-offs are computed (so the grades' bad rates are not flattered by training
    fit); finally both engines are refitted on all rows.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per account with the ``target`` column (binary; 1 = default by default).
    target : str
    config : CreditConfig, optional
    progress : callable, optional
        ``progress(done, total, label)`` after every fit.

    Returns
    -------
    CreditModel

    Raises
    ------
    TargetError
        When the target is missing from the data, not binary, or has missing values.
    SchemaError
        When no usable feature is left.
    """
    config = config or CreditConfig()
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"Expected a pandas DataFrame, got {type(frame).__name__}.")
    if target not in frame.columns:
        raise TargetError(f"Target column {target!r} is not in the data; columns are "
                          f"{list(frame.columns)[:20]}.")
    layout = config.resolved_layout(frame.columns)
    y, classes, positive = encode_target(frame[target], config.positive_label)
    if min(y.sum(), len(y) - y.sum()) < config.n_splits:
        raise TargetError(f"Each class needs at least n_splits={config.n_splits} rows; the "
                          f"target has {int(y.sum())} bad and {int(len(y) - y.sum())} good.")
    renamed = layout.rename_columns(frame)
    target_name = layout.rename.get(target, target)
    columns, excluded = _select_columns(renamed, target_name, [*layout.exclude, *config.exclude])
    features = layout.derive(renamed[columns])
    categorical = [c for c in dict.fromkeys([*layout.categorical, *config.categorical_features])
                   if c in features.columns]
    engines: list[Engine] = ["scorecard", "gbm"] if config.with_gbm else ["scorecard"]
    results = _cross_validate(features, y, config, categorical, engines, progress)
    total = config.n_splits * len(engines) + len(engines)
    fitted: dict[str, Any] = {}
    scales: dict[str, GradeScale] = {}
    for i, engine in enumerate(engines):
        model = config.scorecard(categorical) if engine == "scorecard" else config.gbm(categorical)
        fitted[engine] = model.fit(features, y)
        scores = model.scaling_.score(-results[engine]["oof_logit"])
        scales[engine] = fit_grade_scale(scores, y, config.grades)
        if progress is not None:
            progress(config.n_splits * len(engines) + i + 1, total, f"final fit: {engine}")
    return CreditModel(
        config=config, layout=layout, target=target, classes=classes, positive_label=positive,
        input_columns=columns, excluded=excluded, schema=_schema(renamed, columns),
        categorical=categorical,
        scorecard=fitted["scorecard"], gbm=fitted.get("gbm"), grade_scales=scales,
        evaluation={e: {k: v for k, v in r.items() if k != "oof_logit"}
                    for e, r in results.items()},
        n_rows=len(frame), bad_rate=float(y.mean()), data_fingerprint=data_fingerprint(frame))
