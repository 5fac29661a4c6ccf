"""Reading each column as its item's declared type, and telling which values would not parse."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from jogak.solutions.commerce._standard import Item

__all__ = ["BLANK", "missing_mask", "parse_column", "scalar_text"]

_ISO = (r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?"
        r"(Z|[+-]\d{2}:?\d{2})?$")
#: Text that counts as a missing value.
BLANK = {"", "nan", "NaN", "NaT", "None", "null", "NULL", "<NA>", "N/A", "NA"}


def missing_mask(values: pd.Series) -> pd.Series:
    """True where a value is absent: NaN/None/NaT or a blank or null-like string."""
    mask = values.isna()
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        text = values.astype("string").str.strip()
        mask = mask | text.isin(BLANK).fillna(False).astype(bool)
    return mask.astype(bool)


def parse_column(values: pd.Series, item: Item) -> tuple[pd.Series, pd.Series]:
    """``values`` read as ``item.type``, and a mask of present values that did not parse.

    Parameters
    ----------
    values : Series
        Raw values, any dtype.
    item : Item
        The item they belong to.

    Returns
    -------
    parsed : Series
        Same index: ``object`` strings, ``Int64``, ``float64`` or ``datetime64`` values, with
        missing and unparsable values as null.
    bad : Series of bool
        True where a value is present but is not of the item's type.
    """
    missing = missing_mask(values)
    kind = item.type
    if kind in ("string", "category"):
        parsed = _as_text(values)
        bad = pd.Series(False, index=values.index)
    elif kind in ("integer", "decimal"):
        parsed, bad = _as_number(values, integer=kind == "integer")
    elif kind == "date":
        parsed, bad = _as_date(values)
    elif kind == "datetime":
        parsed, bad = _as_datetime(values)
    else:
        parsed, bad = _as_json(values)
    bad = bad & ~missing
    return parsed.where(~(missing | bad)), bad.astype(bool)


def scalar_text(value: object) -> object:
    """One value as text (JSON for dicts and lists, whole floats without ``.0``); None if absent."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        return None if np.isnan(value) else str(int(value)) if value.is_integer() else str(value)
    return str(value)


def _as_text(values: pd.Series) -> pd.Series:
    if values.dtype.kind == "M":
        return values.dt.strftime("%Y-%m-%d %H:%M:%S").astype("str")
    if pd.api.types.is_string_dtype(values.dtype) and values.dtype != object:
        return values
    return values.astype(object).map(scalar_text).astype("str")


def _as_number(values: pd.Series, *, integer: bool) -> tuple[pd.Series, pd.Series]:
    if pd.api.types.is_bool_dtype(values.dtype):
        numbers = pd.Series(np.nan, index=values.index)
        return numbers, values.notna()
    if pd.api.types.is_numeric_dtype(values.dtype):
        numbers = values.astype("float64")
    else:
        text = values.astype("string").str.strip()
        numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    bad = numbers.isna() & values.notna()
    if integer:
        fractional = numbers.notna() & np.isfinite(numbers) & (numbers != np.floor(numbers))
        bad = bad | fractional
        out = numbers.where(~fractional & np.isfinite(numbers) & (numbers.abs() < 2**53))
        return out.astype("Int64"), bad
    return numbers, bad


def _as_date(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    if values.dtype.kind == "M":
        stamps = _naive(values)
        return stamps, stamps.notna() & (stamps != stamps.dt.normalize())
    text = _as_text(values).astype("string").str.strip()
    stamps = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    return stamps, stamps.isna() & text.notna()


def _as_datetime(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    if values.dtype.kind == "M":
        return _naive(values), pd.Series(False, index=values.index)
    text = _as_text(values).astype("string").str.strip()
    # fast path: the one common layout, parsed by the C parser; the rest goes through ISO 8601
    stamps = pd.to_datetime(text, format="%Y-%m-%d %H:%M:%S", errors="coerce", cache=False)
    rest = stamps.isna() & text.notna()
    if rest.any():
        others = text[rest]
        well_formed = others.str.match(_ISO).fillna(False).astype(bool)
        try:
            parsed = pd.to_datetime(others.where(well_formed), format="ISO8601",
                                    errors="coerce")
        except (ValueError, TypeError):
            # offsets that differ between rows: compare them all in UTC
            parsed = pd.to_datetime(others.where(well_formed), format="ISO8601",
                                    errors="coerce", utc=True)
        stamps = stamps.astype(_naive(parsed).dtype) if len(parsed) else stamps
        stamps[rest] = _naive(parsed)
    return stamps, stamps.isna() & text.notna()


def _naive(stamps: pd.Series) -> pd.Series:
    if isinstance(stamps.dtype, pd.DatetimeTZDtype):
        return stamps.dt.tz_convert(None)
    return stamps


def _as_json(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    def is_object(value: object) -> bool:
        if isinstance(value, dict):
            return True
        if not isinstance(value, str):
            return scalar_text(value) is None
        try:
            return isinstance(json.loads(value), dict)
        except ValueError:
            return False

    ok = values.astype(object).map(is_object).astype(bool)
    return _as_text(values), ~ok
