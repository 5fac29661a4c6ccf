"""Compose the preprocessing steps for the feature columns of a table, in one of three styles."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from jogak.data import ColumnRole, ColumnRoles, Task
from jogak.errors import ConfigError, SchemaError
from jogak.pipeline._booleans import BooleanEncoder
from jogak.pipeline._composition import FastColumnTransformer, NumericColumns
from jogak.pipeline._dates import DateFeatures
from jogak.pipeline._encoders import FrequencyEncoder, OneHotCategoryEncoder, OrdinalCodeEncoder
from jogak.pipeline._missing import MissingImputer
from jogak.pipeline._outliers import OutlierClipper
from jogak.pipeline._scaling import ColumnScaler
from jogak.pipeline._skew import SkewCorrector
from jogak.pipeline._styles import FeatureStyle
from jogak.pipeline._target_encoding import CrossFitTargetEncoder
from jogak.pipeline._text import TextFeatures

__all__ = ["build_preprocessor", "native_categorical_indices", "source_column_map"]

_CATEGORICAL = (ColumnRole.CATEGORICAL_LOW, ColumnRole.CATEGORICAL_HIGH)
_TARGET_TYPES = {Task.REGRESSION: "continuous", Task.BINARY: "binary",
                 Task.MULTICLASS: "multiclass"}


def _check_arguments(roles: Any, style: Any, text_max_features: Any, svd_components: Any,
                     max_levels: Any, task: Any) -> tuple[FeatureStyle, Task | None]:
    if not isinstance(roles, ColumnRoles):
        raise ConfigError(
            f"build_preprocessor needs a ColumnRoles, got {type(roles).__name__}. "
            "Hint: roles = jogak.data.infer_roles(frame, target=...)."
        )
    try:
        feature_style = FeatureStyle(style)
    except ValueError as exc:
        raise ConfigError(
            f"The 'style' argument of build_preprocessor must be one of "
            f"{[item.value for item in FeatureStyle]!r}. Got {style!r} instead."
        ) from exc
    for name, value in (("text_max_features", text_max_features),
                        ("svd_components", svd_components), ("max_levels", max_levels)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
            raise ConfigError(f"The {name!r} argument of build_preprocessor must be an int "
                              f">= 1. Got {value!r} instead.")
    try:
        resolved_task = None if task is None else Task(task)
    except ValueError as exc:
        raise ConfigError(
            f"The 'task' argument of build_preprocessor must be None or one of "
            f"{[item.value for item in Task]!r}. Got {task!r} instead."
        ) from exc
    if not roles.features:
        raise SchemaError(
            "build_preprocessor found no feature columns: every column is an identifier, a "
            "constant or the target. Hint: override a role with roles.with_role(name, role)."
        )
    return feature_style, resolved_task


def build_preprocessor(roles: ColumnRoles, style: FeatureStyle | str, *,
                       text_max_features: int = 20000, svd_components: int = 32,
                       text_char_ngrams: bool = True, max_levels: int = 128,
                       task: Task | str | None = None,
                       random_state: int | None = None,
                       dtype: str | type | np.dtype = "float64") -> FastColumnTransformer:
    """Build the (unfitted) preprocessor for the feature columns of ``roles``.

    Identifiers, constants and the target are dropped. Per role and ``style``:

    ============  ==================================  ======================  ==================
    role          SCALED                              TREE                    NATIVE
    ============  ==================================  ======================  ==================
    numeric       median + indicators, skew fix,      median + indicators     as is (NaN kept)
                  3 IQR clip, standardise
    boolean       0/1, mode + indicators              0/1, mode + indicators  0/1 (NaN kept)
    categ. low    one-hot with ``__unknown__``        codes, unknown -1       codes, unknown NaN
    categ. high   target (cross-fitted) + frequency,  target (cross-fitted)   codes, unknown NaN
                  standardised
    datetime      parts + indicator, standardised     parts + indicator       parts (NaN kept)
    text          TF-IDF, sparse                      TF-IDF + SVD            TF-IDF + SVD
    ============  ==================================  ======================  ==================

    In NATIVE style the category codes come first (see :func:`native_categorical_indices`).
    Output names are the source column name, or start with ``<column>__``; see
    :func:`source_column_map`. Outputs are numpy float64 arrays (a CSR matrix in SCALED style
    when there is text; float32 with ``dtype="float32"``), whatever scikit-learn's global
    ``transform_output`` says. Target encoding needs ``y`` in ``fit`` (inside a Pipeline it gets
    it). ``fit_transform`` writes each step's output straight into one preallocated array and
    fits numeric steps a column at a time, so its peak memory is about the output plus a few
    columns (see :class:`FastColumnTransformer`).

    Parameters
    ----------
    roles : ColumnRoles
        Column roles (frame order); columns must already have their role's dtype.
    style : FeatureStyle or {"scaled", "tree", "native"}
    text_max_features : int, default=20000
        Vocabulary size per text column and analyser.
    svd_components : int, default=32
        SVD components per text column (TREE, NATIVE), capped by the vocabulary size.
    text_char_ngrams : bool, default=True
        Add character 2-4-grams to word unigrams and bigrams (needed for Korean).
    max_levels : int, default=128
        Most levels per categorical column for ordinal/native codes (rarer ones grouped).
    task : Task, str or None, default=None
        The learning task, to fix the target encoding type (inferred from ``y`` when None).
    random_state : int or None, default=None
        Seed of cross-fitting folds and SVD.
    dtype : {"float64", "float32"}, default="float64"
        Dtype of dense outputs; float32 halves their memory (values are the float64 results
        rounded, so a model fitted on them may differ slightly).

    Returns
    -------
    FastColumnTransformer
        A :class:`~sklearn.compose.ColumnTransformer` with a fast path for one-row frames.

    Raises
    ------
    ConfigError
        Bad arguments (including a ``dtype`` other than float64 or float32).
    SchemaError
        No feature columns.

    Examples
    --------
    >>> from jogak.data import ColumnInfo, ColumnRole, ColumnRoles
    >>> import pandas as pd
    >>> roles = ColumnRoles(info={
    ...     "age": ColumnInfo("age", ColumnRole.NUMERIC, "float64", 3, 0.0),
    ...     "plan": ColumnInfo("plan", ColumnRole.CATEGORICAL_LOW, "str", 2, 0.0)})
    >>> frame = pd.DataFrame({"age": [20.0, 35.0, 50.0], "plan": ["a", "b", "a"]})
    >>> pre = build_preprocessor(roles, "native").fit(frame)
    >>> pre.get_feature_names_out().tolist()
    ['plan__code', 'age']
    """
    feature_style, resolved_task = _check_arguments(roles, style, text_max_features,
                                                    svd_components, max_levels, task)
    _check_dtype(dtype)
    target_type = "auto" if resolved_task is None else _TARGET_TYPES[resolved_task]
    groups = {role: roles.columns(role) for role in ColumnRole if role.is_feature}
    text_options = {"word_ngram_range": (1, 2), "max_features": text_max_features,
                    "char_ngram_range": (2, 4) if text_char_ngrams else None,
                    "random_state": random_state}
    steps: list[tuple[str, Any, list[str]]]
    if feature_style is FeatureStyle.SCALED:
        steps = _scaled_steps(groups, target_type, random_state)
        text_step: dict[str, Any] = text_options
    elif feature_style is FeatureStyle.TREE:
        steps = _tree_steps(groups, target_type, max_levels, random_state)
        text_step = {**text_options, "svd_components": svd_components}
    else:
        steps = _native_steps(roles, groups, max_levels)
        text_step = {**text_options, "svd_components": svd_components}
    for k, column in enumerate(groups[ColumnRole.TEXT]):
        steps.append((f"text_{k}", TextFeatures(**text_step), [column]))
    sparse = feature_style is FeatureStyle.SCALED and bool(groups[ColumnRole.TEXT])
    preprocessor = FastColumnTransformer(
        [step for step in steps if step[2]], remainder="drop",
        sparse_threshold=1.0 if sparse else 0.0, verbose_feature_names_out=False, dtype=dtype,
    )
    return preprocessor.set_output(transform="default")


def _check_dtype(dtype: Any) -> None:
    try:
        resolved = None if dtype is None else np.dtype(dtype)  # np.dtype(None) is float64
    except TypeError:
        resolved = None
    if resolved is None or resolved not in (np.dtype(np.float64), np.dtype(np.float32)):
        raise ConfigError(f"The 'dtype' argument of build_preprocessor must be 'float64' or "
                          f"'float32'. Got {dtype!r} instead.")


def _scaled_steps(groups: dict[ColumnRole, list[str]], target_type: str,
                  random_state: int | None) -> list[tuple[str, Any, list[str]]]:
    high = groups[ColumnRole.CATEGORICAL_HIGH]
    return [
        ("numeric", Pipeline([
            ("impute", MissingImputer()),
            ("skew", SkewCorrector()),
            # Far-out fences on the de-skewed scale: leave real tails alone, but keep values
            # like 1e300 (typos, sentinels) from dominating a linear model or overflowing.
            ("clip", OutlierClipper(method="iqr", factor=3.0)),
            ("scale", ColumnScaler()),
        ]), groups[ColumnRole.NUMERIC]),
        ("boolean", Pipeline([("encode", BooleanEncoder()),
                              ("impute", MissingImputer(strategy="most_frequent"))]),
         groups[ColumnRole.BOOLEAN]),
        ("categorical_low", OneHotCategoryEncoder(), groups[ColumnRole.CATEGORICAL_LOW]),
        ("categorical_high_target", Pipeline([
            ("encode", CrossFitTargetEncoder(target_type=target_type,
                                             random_state=random_state)),
            ("scale", ColumnScaler()),
        ]), high),
        ("categorical_high_frequency", Pipeline([("encode", FrequencyEncoder()),
                                                 ("scale", ColumnScaler())]), high),
        ("datetime", Pipeline([
            ("parts", DateFeatures(add_indicator=True)),
            ("impute", MissingImputer(add_indicator=False)),
            ("scale", ColumnScaler()),
        ]), groups[ColumnRole.DATETIME]),
    ]


def _tree_steps(groups: dict[ColumnRole, list[str]], target_type: str, max_levels: int,
                random_state: int | None) -> list[tuple[str, Any, list[str]]]:
    return [
        ("numeric", MissingImputer(), groups[ColumnRole.NUMERIC]),
        ("boolean", Pipeline([("encode", BooleanEncoder()),
                              ("impute", MissingImputer(strategy="most_frequent"))]),
         groups[ColumnRole.BOOLEAN]),
        ("categorical_low", OrdinalCodeEncoder(max_levels=max_levels, unknown_value=-1.0),
         groups[ColumnRole.CATEGORICAL_LOW]),
        ("categorical_high", CrossFitTargetEncoder(target_type=target_type,
                                                   random_state=random_state),
         groups[ColumnRole.CATEGORICAL_HIGH]),
        ("datetime", Pipeline([("parts", DateFeatures(add_indicator=True)),
                               ("impute", MissingImputer(add_indicator=False))]),
         groups[ColumnRole.DATETIME]),
    ]


def _native_steps(roles: ColumnRoles, groups: dict[ColumnRole, list[str]],
                  max_levels: int) -> list[tuple[str, Any, list[str]]]:
    return [
        ("categorical", OrdinalCodeEncoder(max_levels=max_levels), roles.columns(*_CATEGORICAL)),
        ("numeric", NumericColumns(), groups[ColumnRole.NUMERIC]),
        ("boolean", BooleanEncoder(), groups[ColumnRole.BOOLEAN]),
        ("datetime", DateFeatures(), groups[ColumnRole.DATETIME]),
    ]


def native_categorical_indices(roles: ColumnRoles) -> list[int]:
    """Output positions of the category codes of a NATIVE-style preprocessor.

    They are the first ``len(roles.columns(CATEGORICAL_LOW, CATEGORICAL_HIGH))`` columns, in
    roles order, so a learner can be told before anything is fitted (LightGBM
    ``categorical_feature``, CatBoost ``cat_features``, HistGradientBoosting
    ``categorical_features``).

    Parameters
    ----------
    roles : ColumnRoles
        The roles given to :func:`build_preprocessor`.

    Returns
    -------
    list of int

    Examples
    --------
    >>> from jogak.data import ColumnInfo, ColumnRole, ColumnRoles
    >>> roles = ColumnRoles(info={
    ...     "x": ColumnInfo("x", ColumnRole.NUMERIC, "float64", 9, 0.0),
    ...     "c": ColumnInfo("c", ColumnRole.CATEGORICAL_HIGH, "str", 900, 0.0)})
    >>> native_categorical_indices(roles)
    [0]
    """
    return list(range(len(roles.columns(*_CATEGORICAL))))


def _column_transformer(preprocessor: BaseEstimator) -> ColumnTransformer:
    if isinstance(preprocessor, ColumnTransformer):
        return preprocessor
    if isinstance(preprocessor, Pipeline):
        for _, step in preprocessor.steps:
            if isinstance(step, ColumnTransformer):
                return step
    raise ConfigError(
        f"source_column_map needs a fitted ColumnTransformer (or a Pipeline holding one), got "
        f"{type(preprocessor).__name__}. Hint: pass the result of build_preprocessor."
    )


def source_column_map(preprocessor: BaseEstimator) -> dict[str, str]:
    """Map each output feature name of a fitted preprocessor to its source column.

    Output names equal their source column or start with ``<column>__``; when column names
    themselves contain ``__`` the longest matching input column of the producing step wins.

    Parameters
    ----------
    preprocessor : ColumnTransformer or Pipeline
        A fitted result of :func:`build_preprocessor` (or a Pipeline holding one).

    Returns
    -------
    dict of str to str
        Output feature name -> source column, in output order.

    Raises
    ------
    ConfigError
        Not a ColumnTransformer or a Pipeline holding one.
    SchemaError
        An output name does not start with any input column of its step.

    Examples
    --------
    >>> from jogak.data import ColumnInfo, ColumnRole, ColumnRoles
    >>> import pandas as pd
    >>> roles = ColumnRoles(info={
    ...     "plan": ColumnInfo("plan", ColumnRole.CATEGORICAL_LOW, "str", 2, 0.0)})
    >>> pre = build_preprocessor(roles, "scaled").fit(pd.DataFrame({"plan": ["a", "b"]}))
    >>> source_column_map(pre)
    {'plan__a': 'plan', 'plan__b': 'plan', 'plan____unknown__': 'plan'}
    """
    transformer = _column_transformer(preprocessor)
    check_is_fitted(transformer)
    mapping: dict[str, str] = {}
    for _, step, columns in transformer.transformers_:
        if isinstance(step, str) and step == "drop":
            continue
        names = [str(column) for column in columns]
        if not names:
            continue
        outputs = names if isinstance(step, str) else step.get_feature_names_out(names)
        by_length = sorted(names, key=len, reverse=True)
        for output in outputs:
            source = next((name for name in by_length
                           if output == name or output.startswith(f"{name}__")), None)
            if source is None:
                raise SchemaError(
                    f"Output feature {output!r} does not start with any of its input columns "
                    f"{names!r}. Hint: every jogak transformer names outputs '<column>__...'."
                )
            mapping[str(output)] = source
    return mapping
