"""Convert columns to the dtypes their roles imply, fast and idempotently."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

from jogak.data._roles import ColumnInfo, ColumnRole, ColumnRoles
from jogak.errors import SchemaError

__all__ = ["BOOLEAN_PAIRS", "BOOLEAN_TOKENS", "coerce_frame", "datetime_seconds",
           "target_numbers", "text_to_datetimes", "text_to_numbers", "yyyymmdd_to_datetimes"]

#: Two-valued text read as booleans (compared after stripping and lower-casing).
BOOLEAN_PAIRS: tuple[tuple[str, str], ...] = (
    ("yes", "no"), ("y", "n"), ("true", "false"), ("t", "f"), ("1", "0"), ("1.0", "0.0"),
    ("on", "off"), ("o", "x"),
    ("예", "아니오"), ("예", "아니요"), ("네", "아니오"), ("네", "아니요"),
)
BOOLEAN_TOKENS: dict[str, float] = {
    token: value for pair in BOOLEAN_PAIRS for token, value in zip(pair, (1.0, 0.0), strict=True)
}
_THOUSANDS = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?"
# amounts and shares as people type them: "$1,200.50", "-€3", "₩15,000", "45.5%"
_DECORATED = r"[$€£¥₩%]"
_CURRENCY = r"^([-+]?)\s*[$€£¥₩]\s*"
_PERCENT = r"\s*%$"


def coerce_frame(frame: pd.DataFrame, roles: ColumnRoles) -> pd.DataFrame:
    """Convert each column to the dtype its role implies; a new frame, the input is untouched.

    - numeric: ``float64``; text such as ``" 1,234.5"`` is parsed, blanks and unparseable
      values become NaN.
    - datetime: ``datetime64``; text is parsed with the stored ``datetime_format``,
      ``YYYYMMDD`` integers and Unix epochs are converted; failures become NaT.
    - boolean: ``float64`` holding 1.0 / 0.0 / NaN (so missing values survive); text such as
      Yes/No, Y/N, True/False, 1/0 is mapped.
    - categorical and text: strings (integer codes such as ``41.0`` become ``"41"``), missing
      values stay missing.
    - identifier, constant and target: unchanged.

    Columns without a role are kept as they are, and roles of absent columns are skipped (a
    frame to predict on has no target). Work is vectorised, and repeated values are parsed once.
    Calling it again on its own output changes nothing.

    Parameters
    ----------
    frame : pandas.DataFrame
    roles : ColumnRoles
        From :func:`infer_roles`, possibly edited with ``with_role``.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    SchemaError
        A column given the boolean role holds no value that reads as a boolean.

    Examples
    --------
    >>> import pandas as pd
    >>> from jogak.data import infer_roles
    >>> frame = pd.DataFrame({"paid": ["Yes", "No", "Yes"], "total": ["10.5", " ", "3"]})
    >>> coerce_frame(frame, infer_roles(frame)).to_dict("list")
    {'paid': [1.0, 0.0, 1.0], 'total': [10.5, nan, 3.0]}
    """
    result = frame.copy(deep=False)
    for name, info in roles.info.items():
        if name not in frame.columns:
            continue
        column = frame[name]
        converted = _coerce_column(column, info)
        if converted is not column:
            result[name] = converted
    return result


def target_numbers(values: pd.Series) -> np.ndarray:
    """A regression target as float64: numbers (and booleans) as they are, numbers stored as
    text (``"1,234"``, ``"$5.20"``) parsed by :func:`text_to_numbers`; NaN where neither."""
    if pd.api.types.is_numeric_dtype(values.dtype) or pd.api.types.is_bool_dtype(values.dtype):
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64)
    return text_to_numbers(values)


def text_to_numbers(values: pd.Index | pd.Series) -> np.ndarray:
    """Parse text to float64: surrounding blanks, thousands separators, a leading currency sign
    and a trailing percent sign (``"45%"`` is 45.0) are allowed."""
    text = pd.Series(values, dtype=object).astype(str).str.strip()
    if text.str.contains(_DECORATED, regex=True).any():
        text = text.str.replace(_CURRENCY, r"\1", regex=True).str.replace(_PERCENT, "",
                                                                          regex=True)
    grouped = text.str.fullmatch(_THOUSANDS)
    if grouped.any():
        text = text.where(~grouped, text.str.replace(",", "", regex=False))
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def text_to_datetimes(values: pd.Index | pd.Series, fmt: str) -> pd.DatetimeIndex:
    """Parse text with a :func:`pandas.to_datetime` format; failures become NaT."""
    text = pd.Index(pd.Series(values, dtype=object).astype(str).str.strip())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pd.DatetimeIndex(pd.to_datetime(text, format=fmt, errors="coerce"))
        except (ValueError, TypeError, OverflowError):
            # mixed UTC offsets: put everything on UTC rather than fail
            return pd.DatetimeIndex(pd.to_datetime(text, format=fmt, errors="coerce", utc=True))


def yyyymmdd_to_datetimes(values: np.ndarray) -> pd.DatetimeIndex:
    """Parse integers written ``YYYYMMDD``; anything else becomes NaT."""
    numbers = np.asarray(values, dtype="float64")
    ok = np.isfinite(numbers) & (numbers >= 10000101) & (numbers <= 99991231)
    text = np.where(ok, np.where(ok, numbers, 0).astype("int64").astype(str), "")
    return pd.DatetimeIndex(pd.to_datetime(pd.Index(text), format="%Y%m%d", errors="coerce"))


def datetime_seconds(column: pd.Series) -> np.ndarray:
    """Seconds since 1970 (UTC for aware values) as float64, NaN for NaT."""
    if getattr(column.dt, "tz", None) is not None:
        column = column.dt.tz_convert("UTC").dt.tz_localize(None)
    stamps = column.to_numpy()
    seconds = stamps.astype("datetime64[s]").astype("int64").astype("float64")
    seconds[np.isnat(stamps)] = np.nan
    return seconds


def _coerce_column(column: pd.Series, info: ColumnInfo) -> pd.Series:
    role = info.role
    if role is ColumnRole.NUMERIC:
        return _to_numeric(column)
    if role is ColumnRole.DATETIME:
        return _to_datetime(column, info.datetime_format)
    if role is ColumnRole.BOOLEAN:
        return _to_boolean(column)
    if role.is_categorical or role is ColumnRole.TEXT:
        return _to_strings(column)
    return column


def _by_uniques(column: pd.Series, convert: Callable[[pd.Index], object],
                missing: object) -> pd.Series:
    """Convert each distinct value once, then spread the results over the rows."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    converted = convert(pd.Index(uniques))
    if isinstance(converted, pd.DatetimeIndex):
        values = converted.take(codes, allow_fill=True, fill_value=pd.NaT)
        return pd.Series(values, index=column.index, name=column.name)
    array = np.append(np.asarray(converted), np.asarray([missing]))
    return pd.Series(array[codes], index=column.index, name=column.name)


def _to_numeric(column: pd.Series) -> pd.Series:
    dtype = column.dtype
    if dtype == np.float64:
        return column
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return column.astype("float64")
    if pd.api.types.is_timedelta64_dtype(dtype):
        return column.dt.total_seconds()
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return column.astype("int64").where(column.notna()).astype("float64") / 1e9
    return _by_uniques(column, text_to_numbers, np.nan).astype("float64")


def _to_datetime(column: pd.Series, fmt: str | None) -> pd.Series:
    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return column
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        numbers = column.astype("float64")
        if fmt in {"epoch_s", "epoch_ms"}:
            unit = "s" if fmt == "epoch_s" else "ms"
            return pd.to_datetime(numbers, unit=unit, errors="coerce")
        if fmt in {"yyyymmdd", "%Y%m%d"}:
            return _by_uniques(numbers, lambda u: yyyymmdd_to_datetimes(u.to_numpy()), pd.NaT)
        return column
    return _by_uniques(column, lambda u: text_to_datetimes(u, fmt or "ISO8601"), pd.NaT)


def _to_boolean(column: pd.Series) -> pd.Series:
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return column.astype("float64")
    if pd.api.types.is_numeric_dtype(dtype):
        numbers = column.astype("float64")
        return numbers.where(numbers.isin([0.0, 1.0]))
    converted = _by_uniques(column, _tokens_to_booleans, np.nan).astype("float64")
    if converted.isna().all() and column.notna().any():
        example = column.dropna().iloc[0]
        raise SchemaError(
            f"Column {column.name!r} has the boolean role but none of its values reads as a "
            f"boolean (e.g. {example!r}). Expected pairs such as yes/no, true/false, y/n, 1/0. "
            "Hint: give the column a categorical role instead."
        )
    return converted


def _tokens_to_booleans(uniques: pd.Index) -> np.ndarray:
    tokens = pd.Series(uniques, dtype=object).astype(str).str.strip().str.lower()
    return tokens.map(BOOLEAN_TOKENS).to_numpy(dtype="float64", na_value=np.nan)


def _to_strings(column: pd.Series) -> pd.Series:
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return column
    if pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype):
        return column
    if pd.api.types.is_bool_dtype(dtype):
        return column.map({True: "True", False: "False"}).astype(str)
    if pd.api.types.is_numeric_dtype(dtype):
        numbers = column.astype("float64")
        finite = numbers[np.isfinite(numbers)]
        if (finite == np.round(finite)).all() and (finite.abs() < 2**53).all():
            return numbers.astype("Int64").astype(str).where(numbers.notna())
        return numbers.astype(str).where(numbers.notna())
    return column.astype(str).where(column.notna())
