"""Compiled steps of the single-row path: numeric operations and categorical lookups.

A *head* turns the coerced values of a block's columns into a 1-D float64 array (the first
step of a block); an *op* maps such an array to the next one (later steps). Both copy what they
need from a fitted transformer once and then use only Python and small numpy operations.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_selection import SelectorMixin

from jogak.pipeline._booleans import BooleanEncoder
from jogak.pipeline._composition import NumericColumns
from jogak.pipeline._encoders import FrequencyEncoder, OneHotCategoryEncoder, OrdinalCodeEncoder
from jogak.pipeline._levels import Levels
from jogak.pipeline._missing import MissingImputer
from jogak.pipeline._outliers import OutlierClipper
from jogak.pipeline._scaling import ColumnScaler
from jogak.pipeline._skew import SkewCorrector, signed_log1p
from jogak.pipeline._target_encoding import CrossFitTargetEncoder

__all__ = ["compile_categorical_head", "compile_op", "float_head", "level_codes"]

_LARGEST = float(np.finfo(np.float64).max)


# ---------------------------------------------------------------- ops (array -> array)

class _Impute:
    def __init__(self, step: MissingImputer) -> None:
        self.fills = np.asarray(step.statistics_, dtype=np.float64)
        self.flags = np.asarray(step.indicator_columns_, dtype=np.intp)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        missing = np.isnan(values)
        filled = np.where(missing, self.fills, values)
        if not self.flags.size:
            return filled
        return np.concatenate([filled, missing[self.flags].astype(np.float64)])


def _yeo_johnson(x: float, lmbda: float) -> float:
    """Scalar Yeo-Johnson with numpy's overflow behaviour (inf, not OverflowError)."""
    if x >= 0:
        if abs(lmbda) < 1e-12:
            return math.log1p(x)
        try:
            power = math.pow(x + 1.0, lmbda)
        except OverflowError:
            power = math.inf
        return (power - 1.0) / lmbda
    if x < 0:
        if abs(lmbda - 2.0) < 1e-12:
            return -math.log1p(-x)
        try:
            power = math.pow(1.0 - x, 2.0 - lmbda)
        except OverflowError:
            power = math.inf
        return -(power - 1.0) / (2.0 - lmbda)
    return math.nan


class _Skew:
    def __init__(self, step: SkewCorrector) -> None:
        methods = list(step.methods_)
        self.log_columns = np.array([j for j, m in enumerate(methods) if m == "log1p"], np.intp)
        lambdas = np.asarray(step.lambdas_, dtype=np.float64)  # type: ignore[has-type]
        self.yeo_johnson = [(j, float(lambdas[j]))
                            for j, m in enumerate(methods) if m == "yeo-johnson"]

    def __call__(self, values: np.ndarray) -> np.ndarray:
        out = values.copy()
        if self.log_columns.size:
            out[self.log_columns] = signed_log1p(values[self.log_columns])
        for j, lmbda in self.yeo_johnson:
            out[j] = _yeo_johnson(float(values[j]), lmbda)
        return out


class _Clip:
    def __init__(self, step: OutlierClipper) -> None:
        self.lower = np.asarray(step.lower_, dtype=np.float64)
        self.upper = np.asarray(step.upper_, dtype=np.float64)
        self.clip = bool(step.clip)
        self.add_flags = bool(step.add_flags)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        out = np.clip(values, self.lower, self.upper) if self.clip else values.copy()
        if not self.add_flags:
            return out
        flags = (values < self.lower) | (values > self.upper)
        return np.concatenate([out, flags.astype(np.float64)])


class _Scale:
    def __init__(self, step: ColumnScaler) -> None:
        self.scale = np.asarray(step.scale_, dtype=np.float64)
        with np.errstate(over="ignore", invalid="ignore"):
            self.shift = np.asarray(step.center_, dtype=np.float64) / self.scale

    def __call__(self, values: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            out = values / self.scale - self.shift
        return np.clip(out, -_LARGEST, _LARGEST, out=out)


class _Select:
    def __init__(self, step: SelectorMixin) -> None:
        self.columns = np.flatnonzero(step.get_support()).astype(np.intp)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        return values[self.columns]


class _Identity:
    def __call__(self, values: np.ndarray) -> np.ndarray:
        return values


def compile_op(step: Any) -> Any:
    """The compiled form of a fitted float-to-float step, or None if it has none."""
    if isinstance(step, MissingImputer):
        return _Impute(step) if step.imputer_ is None else None
    if isinstance(step, SkewCorrector):
        return _Skew(step)
    if isinstance(step, OutlierClipper):
        return _Clip(step)
    if isinstance(step, ColumnScaler):
        return _Scale(step)
    if isinstance(step, SelectorMixin):
        return _Select(step)
    if isinstance(step, NumericColumns):
        return _Identity()
    return None


# ---------------------------------------------------------------- heads (values -> array)

class _FloatHead:
    """Numeric and boolean cells, already coerced to floats."""

    def __call__(self, values: list[Any]) -> np.ndarray:
        return np.array(values, dtype=np.float64)


def float_head() -> Any:
    return _FloatHead()


class _BooleanHead:
    """BooleanEncoder on coerced values: its learned 0/1 mapping per column, else truthiness.

    A learned mapping (e.g. a 1/2 coding) sends values not seen in fit to NaN, as the encoder
    does; without one, numbers map by truthiness and NaN stays NaN.
    """

    def __init__(self, mappings: list[dict[Any, float] | None]) -> None:
        self.mappings = mappings

    def __call__(self, values: list[Any]) -> np.ndarray:
        out = np.empty(len(values), dtype=np.float64)
        for j, (x, mapping) in enumerate(zip(values, self.mappings, strict=True)):
            if x is None or x != x:
                out[j] = np.nan
            elif mapping is not None:
                out[j] = mapping.get(x, mapping.get(float(x), np.nan)) \
                    if isinstance(x, int | float) else mapping.get(x, np.nan)
            else:
                out[j] = float(x != 0.0)
        return out


def level_codes(levels: Levels) -> dict[str, int] | None:
    """Level -> code (rare levels share the rare code), None unless every level is a str."""
    lookup = list(levels.lookup)
    if not all(type(level) is str for level in lookup):
        return None
    n_kept = len(levels.kept)
    return {level: min(position, n_kept) for position, level in enumerate(lookup)}


class _TableHead:
    """Per column: the encoder's output rows indexed by code + 1 (row 0: missing or unseen)."""

    def __init__(self, codes: list[dict[str, int]], tables: list[np.ndarray]) -> None:
        self.codes = codes
        self.tables = tables

    def __call__(self, values: list[Any]) -> np.ndarray:
        return np.concatenate([table[codes.get(value, -1) + 1] for value, codes, table in
                               zip(values, self.codes, self.tables, strict=True)])


def _probe_tables(step: Any) -> list[np.ndarray]:
    """Each column's output for missing and for one level of every code, from ``transform``.

    The encoders map each row on its own, and missing and unseen values alike to the unknown
    output, so these rows are all the outputs a column can produce.
    """
    levels_list: list[Levels] = step.levels_
    samples = [[None, *levels.kept, *levels.rare[:1]] for levels in levels_list]
    n_rows = max(len(sample) for sample in samples)
    names = [str(name) for name in step.feature_names_in_]
    frame = pd.DataFrame({name: pd.Series(sample + [None] * (n_rows - len(sample)),
                                          dtype=object)
                          for name, sample in zip(names, samples, strict=True)})
    encoded = step.transform(frame)
    encoded = np.asarray(encoded.toarray() if sp.issparse(encoded) else encoded, np.float64)
    if isinstance(step, OneHotCategoryEncoder):
        widths = [len(labels) for labels in step.categories_]
    else:
        widths = [encoded.shape[1] // len(samples)] * len(samples)
    edges = np.cumsum([0, *widths]).tolist()
    return [np.ascontiguousarray(encoded[:len(sample), edges[j]:edges[j + 1]])
            for j, sample in enumerate(samples)]


def compile_categorical_head(step: Any) -> Any:
    """The compiled head of a fitted categorical or boolean encoder, or None."""
    if isinstance(step, BooleanEncoder):
        return _BooleanHead([None if m is None else {k: float(v) for k, v in m.items()}
                             for m in step.mappings_])
    if not isinstance(step, OneHotCategoryEncoder | OrdinalCodeEncoder | FrequencyEncoder |
                      CrossFitTargetEncoder):
        return None
    if getattr(step, "feature_names_in_", None) is None:
        return None
    codes = [level_codes(levels) for levels in step.levels_]  # type: ignore[has-type]
    if any(item is None for item in codes):
        return None
    return _TableHead(codes, _probe_tables(step))  # type: ignore[arg-type]
