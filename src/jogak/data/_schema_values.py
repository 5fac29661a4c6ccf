"""Reading values as a column's training dtype: vectorised for frames, scalar for single records.

The two paths follow the same rules so that a record and a one-row frame of it validate alike:
blank text is missing in numeric, boolean and date columns; numbers accept numeric text and
booleans; booleans accept true/false, yes/no, t/f, y/n, 1/0 (any case); dates accept ISO 8601 or
any format dateutil reads (or the training format when one is known), a naive time is taken as
UTC, numbers are refused as dates; text columns receive non-text values as text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from pandas.api import types as ptypes

if TYPE_CHECKING:
    from jogak.data._schema import ColumnSchema

ColumnKind = Literal["numeric", "boolean", "datetime", "category", "string", "object"]

BAD: Any = type("_Bad", (), {"__repr__": lambda self: "<bad value>"})()  # cannot be read
_N_EXAMPLES = 3
_EXAMPLE_CHARS = 40
_BOOL_LOOKUP: dict[Any, bool] = {
    True: True, False: False,
    **dict.fromkeys(("true", "t", "yes", "y", "1"), True),
    **dict.fromkeys(("false", "f", "no", "n", "0"), False),
}
_DateErrors = (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime)


def column_kind(dtype: Any) -> ColumnKind:
    """How values of a pandas dtype are read and checked."""
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if ptypes.is_bool_dtype(dtype):
        return "boolean"
    if ptypes.is_datetime64_any_dtype(dtype):
        return "datetime"
    if ptypes.is_numeric_dtype(dtype):
        return "numeric"
    if isinstance(dtype, pd.StringDtype):
        return "string"
    return "object"


def is_missing(value: Any) -> bool:
    """Whether a scalar is a missing value (None, NaN, NA, NaT)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float | np.floating):
        return math.isnan(value)
    if isinstance(value, np.datetime64):
        return bool(np.isnat(value))
    return False


def json_scalar(value: Any) -> Any:
    """A JSON-ready Python scalar for a category level."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def bad_examples(values: pd.Series) -> list[str]:
    """Up to 3 distinct offending values, quoted and shortened (for error messages only)."""
    examples: list[str] = []
    for value in values:
        text = repr(value)
        text = text if len(text) <= _EXAMPLE_CHARS else text[: _EXAMPLE_CHARS - 3] + "..."
        if text not in examples:
            examples.append(text)
        if len(examples) == _N_EXAMPLES:
            break
    return examples


# ---------------------------------------------------------------- scalar path (one record)

def coerce_scalar(column: ColumnSchema, value: Any) -> Any:
    """``value`` as the column reads it: a Python scalar, ``None`` when missing, or ``BAD``."""
    if is_missing(value):
        return None
    kind = column.kind
    if kind == "numeric":
        return _number(value, integer=column.is_integer)
    if kind == "boolean":
        return _boolean(value)
    if kind == "datetime":
        return _timestamp(value, column)
    if kind == "string" and not isinstance(value, str):
        return str(value)
    return value


def _number(value: Any, *, integer: bool) -> Any:
    if isinstance(value, bool | np.bool_):
        number: float = float(value)
    elif isinstance(value, int | np.integer):
        return int(value) if integer else float(value)
    elif isinstance(value, float | np.floating):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if "_" in text:
            return BAD
        try:
            number = float(text)
        except ValueError:
            return BAD
        if math.isnan(number):
            return BAD
    else:
        return BAD
    return int(number) if integer and number.is_integer() else number


def _boolean(value: Any) -> Any:
    key = value.strip().lower() if isinstance(value, str) else value
    if key == "":
        return None
    try:
        return _BOOL_LOOKUP[key]
    except (KeyError, TypeError):
        return BAD


def _timestamp(value: Any, column: ColumnSchema) -> Any:
    if isinstance(value, bool | int | float | np.number):
        return BAD
    if isinstance(value, str):
        value = value.strip()
        if not value:
            return None
    fmt = pandas_format(column.datetime_format)
    for attempt in ((fmt,) if fmt else ("ISO8601", "mixed")):
        try:
            stamp = pd.to_datetime(value, format=attempt, utc=True)
        except _DateErrors:
            continue
        if stamp is pd.NaT:
            return None
        tz = getattr(column.pandas_dtype, "tz", None)
        return stamp.tz_convert(tz) if tz is not None else stamp.tz_convert(None)
    return BAD


def pandas_format(datetime_format: str | None) -> str | None:
    """The :func:`pandas.to_datetime` format for a schema's datetime format."""
    return "%Y%m%d" if datetime_format == "yyyymmdd" else datetime_format


def scalar_matches_format(value: Any, datetime_format: str) -> bool:
    """Whether a value of a text or ``YYYYMMDD`` integer date column is in the training format."""
    try:
        stamp = pd.to_datetime(_format_text(value), format=pandas_format(datetime_format))
    except _DateErrors:
        return False
    return stamp is not pd.NaT


def _format_text(value: Any) -> str:
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return value.strip() if isinstance(value, str) else str(value)


# ---------------------------------------------------------------- vectorised path (frames)

def coerce_column(column: ColumnSchema, series: pd.Series) -> tuple[pd.Series, np.ndarray | None]:
    """``series`` read as the column's kind, and the mask of unreadable values (or ``None``)."""
    kind = column.kind
    if kind == "numeric":
        return _numeric_column(series)
    if kind == "boolean":
        return _boolean_column(series)
    if kind == "datetime":
        return _datetime_column(series, column)
    if kind == "string" and series.dtype != column.pandas_dtype:
        return series.astype(column.pandas_dtype), None
    return series, None


def _plain(series: pd.Series) -> bool:
    return not isinstance(series.dtype, pd.CategoricalDtype)


def _stripped(series: pd.Series) -> pd.Series:
    """Text stripped, blank text made missing, as an object series."""
    if isinstance(series.dtype, pd.StringDtype):
        stripped = series.str.strip()
        return stripped.mask(stripped.eq("").fillna(False).astype(bool)).astype(object)
    values = [(value.strip() or None) if isinstance(value, str) else value
              for value in series.astype(object)]
    return pd.Series(values, index=series.index, dtype=object)


def _mask(series: pd.Series, test: Any) -> np.ndarray:
    return np.fromiter((test(value) for value in series), dtype=bool, count=len(series))


def _numeric_column(series: pd.Series) -> tuple[pd.Series, np.ndarray | None]:
    if _plain(series) and ptypes.is_bool_dtype(series.dtype):
        return series.astype("float64"), None
    if _plain(series) and ptypes.is_numeric_dtype(series.dtype):
        return series, None
    raw = _stripped(series)
    if isinstance(series.dtype, pd.StringDtype):
        underscored = series.str.contains("_", regex=False).fillna(False).to_numpy(dtype=bool)
    else:
        underscored = _mask(raw, lambda value: isinstance(value, str) and "_" in value)
    values = pd.to_numeric(raw.mask(underscored), errors="coerce")
    return values, raw.notna().to_numpy() & values.isna().to_numpy()


def _boolean_column(series: pd.Series) -> tuple[pd.Series, np.ndarray | None]:
    if _plain(series) and ptypes.is_bool_dtype(series.dtype):
        return series, None
    converted = [None if is_missing(value) else _boolean(value) for value in series.astype(object)]
    bad = np.fromiter((value is BAD for value in converted), dtype=bool, count=len(converted))
    values = [np.nan if value is None or value is BAD else value for value in converted]
    return pd.Series(values, index=series.index, dtype=object), bad


def _datetime_column(series: pd.Series,
                     column: ColumnSchema) -> tuple[pd.Series, np.ndarray | None]:
    if _plain(series) and ptypes.is_datetime64_any_dtype(series.dtype):
        return series, None
    raw = _stripped(series)
    if isinstance(series.dtype, pd.StringDtype):
        text = raw
    else:
        text = raw.mask(_mask(raw, lambda value: isinstance(value, bool | int | float | np.number)
                              and not is_missing(value)))
    fmt = pandas_format(column.datetime_format)
    values = pd.to_datetime(text, format=fmt or "ISO8601", utc=True, errors="coerce")
    retry = text.notna().to_numpy() & values.isna().to_numpy()
    if fmt is None and retry.any():
        values[retry] = pd.to_datetime(text[retry], format="mixed", utc=True, errors="coerce")
    return values, raw.notna().to_numpy() & values.isna().to_numpy()


def check_datetime_format(values: pd.Series, datetime_format: str) -> np.ndarray:
    """Mask of present values of a text or ``YYYYMMDD`` integer column not in the format."""
    distinct = pd.Series(values.dropna().unique())  # dates repeat: parse each value once
    if distinct.empty:
        return np.zeros(len(values), dtype=bool)
    texts = pd.Series([_format_text(value) for value in distinct], dtype=object)
    parsed = pd.to_datetime(texts, format=pandas_format(datetime_format), errors="coerce")
    bad: np.ndarray = values.isin(distinct[parsed.isna().to_numpy()]).to_numpy(dtype=bool)
    return bad


def finalize_column(column: ColumnSchema, values: pd.Series) -> pd.Series:
    """Coerced values cast to the training dtype (see :meth:`FeatureSchema.validate`)."""
    dtype = column.pandas_dtype
    kind = column.kind
    if kind == "numeric":
        if values.dtype == dtype:
            return values
        if column.is_integer:
            numbers = values.to_numpy(dtype="float64", na_value=np.nan)
            present = ~np.isnan(numbers)
            integral = np.isfinite(numbers[present]).all() and \
                bool((numbers[present] == np.floor(numbers[present])).all())
            if integral and (present.all() or isinstance(dtype, pd.api.extensions.ExtensionDtype)):
                return values.astype(dtype)
            return values.astype("float64")
        return values.astype(dtype)
    if kind == "boolean":
        if values.dtype == dtype:
            return values
        if values.isna().any():
            return values.astype(dtype if str(dtype) == "boolean" else object)
        return values.astype(dtype)
    if kind == "datetime":
        return _datetime_final(values, dtype)
    if kind == "category":
        if column.category_set is None:
            return values.astype(object)
        return values.where(values.isin(column.categories)).astype(dtype)  # unseen -> missing
    return values if values.dtype == dtype else values.astype(dtype)


def _datetime_final(values: pd.Series, dtype: Any) -> pd.Series:
    target_tz = getattr(dtype, "tz", None)
    current_tz = values.dt.tz
    if current_tz is not None:
        values = values.dt.tz_convert(target_tz)
    elif target_tz is not None:
        values = values.dt.tz_localize("UTC").dt.tz_convert(target_tz)
    return values if values.dtype == dtype else values.astype(dtype)


def frame_from_records(columns: Sequence[ColumnSchema],
                       records: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """Records of coerced values (see :func:`coerce_scalar`) as a frame of training dtypes."""
    out: dict[Any, pd.Series] = {}
    for column in columns:
        values = [record.get(column.name) for record in records]
        has_missing = any(value is None for value in values)
        if column.kind == "numeric" and not (column.is_integer and not has_missing):
            series = pd.Series([np.nan if value is None else value for value in values],
                               dtype="float64")
        elif column.kind in ("numeric", "string") and not has_missing:
            series = pd.Series(values, dtype=column.pandas_dtype)
        elif column.kind == "datetime":
            series = pd.to_datetime(pd.Series(values, dtype=object), utc=True)
        elif column.kind == "boolean":
            series = pd.Series([np.nan if value is None else value for value in values],
                               dtype=object)
        else:
            series = pd.Series(values, dtype=object)
        out[column.name] = finalize_column(column, series)
    return pd.DataFrame(out)
