"""Per-value role coercion for the single-row path: the rules of ``coerce_frame``, one value.

Each coercer maps one raw value (as :meth:`FeatureSchema.validate_record` returns it) to what
``coerce_frame(pd.DataFrame([record]), roles)`` puts in that cell:

- numeric and boolean: a Python float (NaN when missing);
- categorical and text: a ``str``, or ``None`` when missing;
- datetime: a naive ``numpy.datetime64`` (NaT when missing), or a float for numbers that
  ``coerce_frame`` leaves as they are (no ``YYYYMMDD``/epoch format).

Values the fast rules do not cover with certainty (odd types, unusual spellings, dates outside
the years every pandas version can hold) return :data:`EXOTIC`; the caller then runs the exact
pandas/scikit-learn route for the block that needs the value.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from jogak.data import ColumnInfo, ColumnRole
from jogak.data._coerce import BOOLEAN_TOKENS

__all__ = ["EXOTIC", "NAT", "Coercer", "RowFallback", "coercer_for", "yyyymmdd_day"]


class _Exotic:
    """Marker: this value needs the exact (pandas) route."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "EXOTIC"

    def __reduce__(self) -> str:
        return "EXOTIC"  # unpickles to the module's singleton


EXOTIC: Any = _Exotic()


class RowFallback(Exception):  # noqa: N818 - a signal between private modules, never raised out
    """A compiled block met a value it cannot handle; the block takes the exact route."""


NAT = np.datetime64("NaT")
_NAN = float("nan")
_INT64 = 2**63
_EXACT_INT = 2**53
_FLOAT_TEXT = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", re.ASCII)
# same pattern as jogak.data._coerce (numbers written with thousands separators)
_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
# The dates pandas' lenient "ISO8601" parser reads: 2020-01-05, 2020.1.5, 2020/01/05 10:20:30.5
_ISO_TEXT = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"
                       r"(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,6}))?)?)?", re.ASCII)
_STRPTIME_SAFE = re.compile(r"(?:[^%]|%[YmdHMSbB])*")
# Years both pandas 2 (nanoseconds) and pandas 3 (microseconds) parse the same way.
_FIRST_YEAR, _LAST_YEAR = 1678, 2261
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()

Coercer = tuple[Callable[[Any, Any], Any], Any]


def _number_text(text: str) -> Any:
    text = text.strip()
    if not text:
        return _NAN
    if _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    if _FLOAT_TEXT.fullmatch(text):
        return float(text)
    return EXOTIC


def numeric_value(value: Any, _: Any) -> Any:
    """A numeric cell: float64, NaN when missing."""
    kind = type(value)
    if kind is float:
        return value
    if value is None:
        return _NAN
    if kind is int:
        return float(value) if -_INT64 <= value < _INT64 else EXOTIC
    if kind is str:
        return _number_text(value)
    if kind is bool or isinstance(value, np.bool_ | np.integer | np.floating):
        return float(value)
    if isinstance(value, str):
        return _number_text(str(value))
    return EXOTIC


def boolean_value(value: Any, _: Any) -> Any:
    """A boolean cell: 1.0 / 0.0, NaN when missing or a number other than 0 and 1."""
    kind = type(value)
    if value is None:
        return _NAN
    if kind is bool or isinstance(value, np.bool_):
        return float(value)
    if kind is float or isinstance(value, np.floating) or (
            (kind is int or isinstance(value, np.integer)) and -_INT64 <= value < _INT64):
        number = float(value)
        return number if number in (0.0, 1.0) else _NAN
    if isinstance(value, str):
        # unknown words: coerce_frame raises on a row with no boolean word; let it say so
        token = BOOLEAN_TOKENS.get(str(value).strip().lower())
        return EXOTIC if token is None else token
    return EXOTIC


def string_value(value: Any, _: Any) -> Any:
    """A categorical or text cell: str, None when missing (integral numbers without '.0')."""
    kind = type(value)
    if kind is str:
        return value
    if value is None:
        return None
    if kind is float or isinstance(value, np.floating):
        number = float(value)
        if number != number:
            return None
        if not math.isfinite(number):
            return EXOTIC
        if number.is_integer():
            return str(int(number)) if abs(number) < _EXACT_INT else EXOTIC
        return str(number)
    if kind is bool or isinstance(value, np.bool_):
        return "True" if value else "False"
    if kind is int or isinstance(value, np.integer):
        return str(int(value)) if abs(int(value)) < _EXACT_INT else EXOTIC
    if isinstance(value, str):
        return str(value)
    return EXOTIC


def _checked(stamp: np.datetime64, year: int) -> Any:
    return stamp if _FIRST_YEAR <= year <= _LAST_YEAR else EXOTIC


def yyyymmdd_day(number: float) -> np.datetime64:
    """The day a whole number ``YYYYMMDD`` names; NaT for other numbers and invalid dates."""
    if not (10000101 <= number <= 99991231 and number.is_integer()):
        return NAT
    whole = int(number)
    try:
        day = dt.date(whole // 10000, whole // 100 % 100, whole % 100)
    except ValueError:
        return NAT
    return np.datetime64(day.toordinal() - _EPOCH_ORDINAL, "D")


def _parse_text(text: str, fmt: str | None) -> Any:
    text = text.strip()
    if not text:
        return NAT
    try:
        if fmt is None or fmt == "ISO8601":
            match = _ISO_TEXT.fullmatch(text)
            if match is None:
                return EXOTIC
            year, _, month, day, hour, minute, second, fraction = match.groups()
            stamp = dt.datetime(int(year), int(month), int(day), int(hour or 0),
                                int(minute or 0), int(second or 0),
                                int((fraction or "0").ljust(6, "0")))
        elif "%Y" in fmt and _STRPTIME_SAFE.fullmatch(fmt):
            stamp = dt.datetime.strptime(text, fmt)
        else:
            return EXOTIC
    except ValueError:
        return EXOTIC  # pandas decides: NaT, or a reading Python's parser does not know
    return _checked(np.datetime64(stamp), stamp.year)


def _number_date(number: float, fmt: str | None) -> Any:
    if fmt in ("epoch_s", "epoch_ms"):
        if number != number:
            return NAT
        limit = 9.2e9 if fmt == "epoch_s" else 9.2e12
        if not (number.is_integer() and abs(number) < limit):
            return EXOTIC
        return np.datetime64(int(number), "s" if fmt == "epoch_s" else "ms")
    if fmt in ("yyyymmdd", "%Y%m%d"):
        if not 10000101 <= number <= 99991231:  # also NaN and inf
            return NAT
        whole = float(int(number))  # coerce_frame truncates before reading the digits
        return _checked(yyyymmdd_day(whole), int(whole) // 10000)
    return number  # left as a number; DateFeatures reads it as YYYYMMDD


def datetime_value(value: Any, fmt: Any) -> Any:
    """A datetime cell: naive datetime64 (NaT when missing) or a number left as is."""
    if value is None or value is pd.NaT:
        return NAT
    if isinstance(value, pd.Timestamp):
        # DateFeatures keeps local wall time of aware stamps
        naive = value if value.tz is None else value.tz_localize(None)
        return naive.to_datetime64()
    if isinstance(value, np.datetime64):
        return value
    if isinstance(value, dt.datetime):
        return np.datetime64(value) if value.tzinfo is None else EXOTIC
    kind = type(value)
    if kind is bool or isinstance(value, np.bool_):
        return EXOTIC
    if kind is float or kind is int or isinstance(value, np.integer | np.floating):
        if kind is int and not -_INT64 <= value < _INT64:
            return EXOTIC
        return _number_date(float(value), fmt)
    if isinstance(value, str):
        return _parse_text(str(value), fmt)
    return EXOTIC


def coercer_for(info: ColumnInfo | None) -> Coercer | None:
    """The per-value coercer of a column's role; None for columns coerce_frame leaves alone."""
    if info is None:
        return None
    role = info.role
    if role is ColumnRole.NUMERIC:
        return (numeric_value, None)
    if role is ColumnRole.BOOLEAN:
        return (boolean_value, None)
    if role is ColumnRole.DATETIME:
        return (datetime_value, info.datetime_format)
    if role.is_categorical or role is ColumnRole.TEXT:
        return (string_value, None)
    return None
