"""What the AutoML estimators check before searching: parameters, the table, the target rows."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
from sklearn.utils.validation import _check_sample_weight, check_array, column_or_1d

from jogak.data import ColumnRole, ColumnRoles, Task, infer_roles
from jogak.errors import ConfigError, SchemaError, TargetError
from jogak.models.automl._serving_cost import InferLimit, affordable_families
from jogak.models.catalog import ModelSpec, available_specs

__all__ = [
    "as_frame", "check_params", "feature_roles", "monotone_for", "searched_specs", "training_rows",
]


def as_frame(X: Any) -> pd.DataFrame:
    """A DataFrame with string column names; arrays get ``x0, x1, ...`` after sklearn's checks."""
    if isinstance(X, pd.DataFrame):
        frame = X
        if frame.shape[1] == 0:
            raise SchemaError(f"0 feature(s) (shape={frame.shape}) while a minimum of 1 is "
                              "required.")
    else:
        try:
            array = check_array(X, accept_sparse=False, dtype=None, ensure_all_finite="allow-nan",
                                ensure_min_samples=1, ensure_min_features=1)
        except TypeError as exc:
            raise SchemaError(f"{exc} Hint: pass a pandas DataFrame or a dense 2-D array.") \
                from exc
        frame = pd.DataFrame(array, columns=[f"x{i}" for i in range(array.shape[1])])
        frame = frame.infer_objects()
    if frame.columns.duplicated().any():
        duplicated = sorted(map(str, frame.columns[frame.columns.duplicated()]))
        raise SchemaError(f"Column names must be unique; duplicated: {duplicated}.")
    frame = frame.copy()
    frame.columns = [str(c) for c in frame.columns]
    return frame


def check_params(estimator: Any) -> None:
    """Refuse parameter values the search cannot use, saying which and what is allowed."""
    time_budget, n_trials = estimator.time_budget, estimator.n_trials
    if time_budget is not None and not time_budget > 0:
        raise ConfigError(f"time_budget must be a positive number of seconds or None, "
                          f"got {time_budget!r}.")
    if n_trials is not None and int(n_trials) < 1:
        raise ConfigError(f"n_trials must be >= 1 or None, got {n_trials!r}.")
    if time_budget is None and n_trials is None:
        raise ConfigError("Give a time_budget (seconds) or n_trials; both are None.")
    class_weight = estimator.class_weight
    if class_weight not in (None, "balanced") and not isinstance(class_weight, Mapping):
        raise ConfigError("class_weight must be None, 'balanced' or a mapping label -> "
                          f"weight, got {class_weight!r}.")
    repeats = estimator.n_repeats
    if repeats != "auto" and (isinstance(repeats, bool) or not isinstance(repeats, Integral)
                              or repeats < 1):
        raise ConfigError(f"n_repeats must be an int >= 1 or 'auto', got {repeats!r}.")
    if estimator.n_jobs < 1:
        raise ConfigError(f"n_jobs must be >= 1, got {estimator.n_jobs}.")
    for name in ("infer_limit", "infer_limit_row"):
        value = getattr(estimator, name)
        if value is not None and (isinstance(value, bool) or not value > 0):
            raise ConfigError(f"{name} must be a positive number of seconds or None (no "
                              f"limit), got {value!r}.")
    constraints = estimator.monotone_constraints
    if constraints is not None:
        if not isinstance(constraints, Mapping):
            raise ConfigError("monotone_constraints must be a mapping column -> +1/-1/0, "
                              f"got {type(constraints).__name__}.")
        bad = {k: v for k, v in constraints.items()
               if isinstance(v, bool) or v not in (-1, 0, 1)}
        if bad:
            raise ConfigError(f"monotone_constraints values must be -1, 0 or 1 (+1: the "
                              f"prediction rises with the column), got {bad}.")


def monotone_for(constraints: Mapping[str, int] | None, roles: ColumnRoles,
                 task: Task) -> dict[str, int]:
    """The non-zero constraints, checked against the columns and the task."""
    chosen = {str(k): int(v) for k, v in (constraints or {}).items() if v != 0}
    if not chosen:
        return {}
    if task is Task.MULTICLASS:
        raise ConfigError("monotone_constraints need a binary or regression target; with "
                          "several classes 'the prediction rises' has no single meaning.")
    unusable = sorted(c for c in chosen if c not in roles.features
                      or roles[c] not in (ColumnRole.NUMERIC, ColumnRole.BOOLEAN))
    if unusable:
        found = {c: roles[c].value if c in roles.info else "not in the data" for c in unusable}
        raise ConfigError(f"monotone_constraints name columns that are not numeric features: "
                          f"{found}. Hint: constrain numeric columns only.")
    return chosen


def training_rows(frame: pd.DataFrame, y: Any, sample_weight: Any
                  ) -> tuple[pd.DataFrame, pd.Series, np.ndarray | None, int]:
    """The rows that carry a target (and a positive weight): frame, target, weights, dropped."""
    if len(frame) == 0:
        raise SchemaError(f"Found array with 0 sample(s) (shape={frame.shape}) while a "
                          "minimum of 4 is required.")
    values = y.to_numpy() if isinstance(y, pd.Series) else column_or_1d(y, warn=True)
    target = pd.Series(values, index=frame.index)
    if len(target) != len(frame):
        raise SchemaError(f"X has {len(frame)} rows but y has {len(target)}.")
    weights = None
    if sample_weight is not None:
        weights = _check_sample_weight(sample_weight, frame.to_numpy()[:, :1])
    if values.dtype.kind == "f" and np.isinf(values).any():
        raise TargetError("Input y contains infinity or a value too large for "
                          "dtype('float64'). Hint: drop or cap those rows.")
    # rows with a missing target, or weight 0, carry no information: they are left out
    keep = target.notna().to_numpy().copy()
    if weights is not None:
        keep &= weights > 0
    frame, target = frame.loc[keep], target.loc[keep]
    weights = None if weights is None else weights[keep]
    if len(frame) < 4:
        raise SchemaError(f"Fitting needs at least 4 rows with a target, got {len(frame)} "
                          f"sample(s). Hint: add data.")
    return frame, target, weights, int((~keep).sum())


def feature_roles(frame: pd.DataFrame, target: pd.Series, excluded: Sequence[str]
                  ) -> ColumnRoles:
    """Roles of the feature columns (the target informs the inference, then leaves)."""
    name = "__jogak_target__"
    while name in frame.columns:
        name += "_"
    with_target = frame.assign(**{name: target.to_numpy()})
    roles = infer_roles(with_target, target=name)
    roles = ColumnRoles(info={k: v for k, v in roles.info.items() if k != name}, target=None)
    for column in excluded:
        if column not in roles.info:
            raise SchemaError(f"Column {column!r} is not in the data; columns are "
                              f"{list(roles.info)}.")
        roles = roles.with_role(column, ColumnRole.IDENTIFIER)
    return roles


def searched_specs(task: Task, *, include: Sequence[str] | None, exclude: Sequence[str],
                   monotone: Mapping[str, int], limit: InferLimit, n_rows: int,
                   n_columns: int, n_features: Callable[[Any], int]
                   ) -> tuple[list[ModelSpec], list[str]]:
    """The model families to search, and those the serving limit keeps out."""
    specs = available_specs(task, include=include, exclude=exclude)
    if monotone:  # families that cannot honour the constraints leave the search
        specs = [spec for spec in specs if spec.supports_monotone]
    if not specs:
        raise ConfigError(f"No model family left for a {task.value} task with "
                          f"include_models={include!r}, exclude_models={exclude!r}"
                          + (" and monotone constraints (only lightgbm, xgboost and "
                             "hist_gb honour them)" if monotone else "") + ".")
    searched = affordable_families(specs, limit, n_rows=n_rows, n_columns=n_columns,
                                   n_features=n_features)
    return searched, [s.name for s in specs if s not in searched]
