"""Column roles and the learning task, inferred from the values."""

from __future__ import annotations

import difflib
import re
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from jogak.data._coerce import BOOLEAN_PAIRS, text_to_numbers, yyyymmdd_to_datetimes
from jogak.data._leak import flag_leaks
from jogak.data._patterns import all_numbers, date_format, is_yyyymmdd, looks_hashed, mean_words
from jogak.data._roles import ColumnInfo, ColumnRole, ColumnRoles, Task
from jogak.errors import ConfigError, SchemaError, TargetError

__all__ = ["N_TOP_VALUES", "ValueSummary", "check_frame", "check_target", "detect_task",
           "infer_roles", "infer_with_counts", "summarize_values", "value_counts"]

#: Most frequent values kept per column for the profile (the target shows up to 50 classes).
N_TOP_VALUES = 50

_ID_NAME = re.compile(r"(?:^|[_\s.\-])(?:id|key|uuid|guid|no)$|^unnamed: ?0$", re.IGNORECASE)
_CAMEL_ID = re.compile(r"(?:[a-z0-9]I[dD]|^ID|번호|아이디)$")
_EPOCH_NAME = re.compile(r"timestamp|unix|epoch|(?:^|_)ts$", re.IGNORECASE)
_BOOLEAN_SETS = {frozenset(pair) for pair in BOOLEAN_PAIRS}
# a column named like a key whose values are mostly distinct is a key with a few repeats (a
# patient sampled twice), not a category: as a feature it only memorises rows
_ID_SHARE = 0.8


def infer_roles(frame: pd.DataFrame, *, target: str | None = None, high_cardinality: int = 20,
                leak_threshold: float = 0.99) -> ColumnRoles:
    """Infer what each column is for a model, and flag features that leak the target.

    Roles: numeric; categorical (``categorical_low`` up to ``high_cardinality`` levels, else
    ``categorical_high``); boolean (bool dtype, 0/1 numbers, Yes/No, Y/N, True/False text);
    datetime (datetime dtypes, date text such as ``2019-03-05``, ``2019.03.05`` or
    ``2019년 3월 5일``, ``YYYYMMDD`` integers, Unix epochs in columns named like timestamps);
    text (many distinct values of three or more words); identifier (hash-like keys, unique or
    near-unique values, row numbers, unique integers named like ``id``/``*_id``/``key``);
    constant (a single value, or all missing). Numbers stored as text stay numeric, blanks
    counted as missing; digits with leading zeros are codes, not numbers.

    With a ``target``, each feature's cross-validated single-feature score (ROC AUC or R^2,
    see ``ColumnInfo.leak_score``) is computed on up to 50,000 rows, and features scoring at
    least ``leak_threshold`` get ``suspected_leak=True``. They are reported, never dropped.

    Parameters
    ----------
    frame : pandas.DataFrame
        Column names must be unique strings.
    target : str, optional
        The column to predict; it gets the ``target`` role.
    high_cardinality : int, default 20
        Most levels a ``categorical_low`` column may have.
    leak_threshold : float, default 0.99
        Score from which a feature is a suspected leak.

    Returns
    -------
    ColumnRoles

    Raises
    ------
    TargetError
        ``target`` is not a column (close names are suggested), is constant or all missing.
    SchemaError
        ``frame`` is not a DataFrame with unique string column names.
    ConfigError
        ``high_cardinality`` or ``leak_threshold`` is out of range.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({
    ...     "customerID": [f"C{i:04d}" for i in range(40)],
    ...     "paid": ["Yes", "No"] * 20,
    ...     "total": ["10.5", " "] + ["3"] * 38,
    ... })
    >>> {name: role.value for name, role in infer_roles(frame).items()}
    {'customerID': 'identifier', 'paid': 'boolean', 'total': 'numeric'}
    """
    check_frame(frame)
    if isinstance(high_cardinality, bool) or not isinstance(high_cardinality, int) or \
            high_cardinality < 1:
        raise ConfigError(f"high_cardinality must be a positive integer, got "
                          f"{high_cardinality!r}. Hint: the default is 20.")
    if not 0.5 < leak_threshold <= 1.0:
        raise ConfigError(f"leak_threshold must be in (0.5, 1], got {leak_threshold!r}. "
                          "Hint: the default is 0.99.")
    return infer_with_counts(frame, target, high_cardinality, leak_threshold)[0]


@dataclass(frozen=True)
class ValueSummary:
    """What the profile needs of a column's value counts, without keeping all of them.

    ``top`` holds the ``N_TOP_VALUES`` most frequent values in :func:`value_counts` order; a
    column of a million distinct numbers would otherwise keep a million counts per column.
    """

    top: pd.Series
    n_distinct: int
    n_present: int


def summarize_values(column: pd.Series) -> ValueSummary:
    """The :class:`ValueSummary` of ``column``; only one column's full counts exist at a time."""
    return _summary(_distinct_counts(column), by_value=_counts_by_value(column))


def infer_with_counts(frame: pd.DataFrame, target: str | None, high_cardinality: int = 20,
                      leak_threshold: float = 0.99) -> tuple[ColumnRoles, dict[str, ValueSummary]]:
    """:func:`infer_roles` plus a summary of each column's value counts, for the profile."""
    task = None
    if target is not None:
        check_target(frame, target)
        task = detect_task(frame[target])
    info: dict[str, ColumnInfo] = {}
    summaries: dict[str, ValueSummary] = {}
    for name in frame.columns:
        column = frame[name]
        counts = _distinct_counts(column)
        if name == target and task is not None:
            info[name] = _info(name, column, ColumnRole.TARGET, f"the target ({task.value})",
                               counts=counts)
        else:
            info[name] = _infer_column(name, column, counts, high_cardinality)
        summaries[name] = _summary(counts, by_value=_counts_by_value(column))
        del counts  # free before flag_leaks; the full counts of all columns never coexist
    roles = ColumnRoles(info=info, target=target)
    if target is not None and task is not None:
        roles = flag_leaks(frame, roles, target, task, leak_threshold)
    return roles, summaries


def detect_task(y: pd.Series) -> Task:
    """The learning task a target implies.

    Text, boolean and categorical targets are binary with two levels, else multiclass. Numbers
    (also numbers stored as text) are binary with two distinct values, multiclass when they are
    whole numbers with at most 20 distinct values and at most 5 % as many values as rows, and
    regression otherwise.

    Parameters
    ----------
    y : pandas.Series
        The target column; missing values are ignored.

    Returns
    -------
    Task

    Raises
    ------
    TargetError
        ``y`` is all missing, constant, a datetime, or text with so many distinct values that
        it looks like an identifier.

    Examples
    --------
    >>> import pandas as pd
    >>> detect_task(pd.Series(["Yes", "No", "No"])), detect_task(pd.Series([1.5, 2.0, 7.25]))
    (<Task.BINARY: 'binary'>, <Task.REGRESSION: 'regression'>)
    """
    y = y if isinstance(y, pd.Series) else pd.Series(y)
    label = f"Target column {y.name!r}" if y.name is not None else "The target"
    counts = value_counts(y)
    n_present = int(counts.sum())
    if n_present == 0:
        raise TargetError(f"{label} is entirely missing ({len(y)} rows). Expected values to "
                          "learn from. Hint: choose another target column.")
    if len(counts) < 2:
        raise TargetError(f"{label} is constant (every value is {counts.index[0]!r}). Expected "
                          "at least two distinct values. Hint: choose another target column.")
    dtype = y.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        raise TargetError(f"{label} holds dates or durations ({dtype}). Expected numbers or "
                          "classes. Hint: derive a target, e.g. days until an event.")
    if pd.api.types.is_bool_dtype(dtype) or len(counts) == 2:
        return Task.BINARY
    numbers = counts.index.to_numpy(dtype="float64") if _is_number_dtype(dtype) else None
    if numbers is None and not isinstance(dtype, pd.CategoricalDtype):
        parsed = text_to_numbers(counts.index)
        numbers = parsed if not np.isnan(parsed).any() else None
    if numbers is None:
        if len(counts) > 50 and len(counts) > 0.5 * n_present:
            raise TargetError(
                f"{label} has {len(counts)} distinct text values in {n_present} rows. Expected "
                "classes that repeat. Hint: this looks like an identifier or free text; choose "
                "another target column."
            )
        return Task.MULTICLASS
    finite = numbers[np.isfinite(numbers)]
    whole = bool(np.all(finite == np.round(finite)))
    if whole and len(counts) <= 20 and len(counts) <= 0.05 * n_present:
        return Task.MULTICLASS
    return Task.REGRESSION


def check_target(frame: pd.DataFrame, target: object) -> None:
    """Raise a TargetError naming close matches when ``target`` is not a column of ``frame``."""
    if target in frame.columns:
        return
    names = [str(name) for name in frame.columns]
    close = difflib.get_close_matches(str(target), names, n=3, cutoff=0.6)
    close += [n for n in names if n.lower() == str(target).lower() and n not in close]
    hint = f"did you mean {' or '.join(map(repr, close))}?" if close else \
        f"the columns are {', '.join(map(repr, names[:15]))}{' ...' if len(names) > 15 else ''}."
    raise TargetError(f"Target column {target!r} is not in the data ({len(names)} columns). "
                      f"Expected an existing column name (case-sensitive). Hint: {hint}")


def value_counts(column: pd.Series) -> pd.Series:
    """Counts of the distinct non-missing values, most frequent first (unhashables as text)."""
    counts = _distinct_counts(column)
    if _counts_by_value(column) and len(counts) and counts.max() > 1:
        order = np.argsort(-counts.to_numpy(), kind="stable")
        counts = counts.iloc[order]
    return counts


def _counts_by_value(column: pd.Series) -> bool:
    dtype = column.dtype
    return _is_number_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype)


def _distinct_counts(column: pd.Series) -> pd.Series:
    """Counts of the distinct non-missing values: numbers in ascending order of value (sorting
    them is several times faster than hashing them when most are distinct), anything else most
    frequent first (unhashables as text)."""
    if _counts_by_value(column):
        native = getattr(column.dtype, "numpy_dtype", column.dtype)
        values = column.to_numpy(dtype=native, na_value=np.nan) if native.kind == "f" else \
            column.dropna().to_numpy(dtype=native)
        if values.dtype.kind == "f":
            values = values[~np.isnan(values)]
        uniques, counts = np.unique(values, return_counts=True)
        del values
        return pd.Series(counts, index=pd.Index(uniques), name="count")
    try:
        return column.value_counts(dropna=True)
    except TypeError:
        return column.astype(str).where(column.notna()).value_counts(dropna=True)


def _summary(counts: pd.Series, *, by_value: bool) -> ValueSummary:
    """``counts`` from :func:`_distinct_counts` reduced to its most frequent values, in
    :func:`value_counts` order (ties by ascending value for numbers, counted ``by_value``)."""
    n_distinct, n_present = len(counts), int(counts.sum())
    if not by_value or not n_distinct:
        return ValueSummary(counts.head(N_TOP_VALUES).copy(), n_distinct, n_present)
    numbers = counts.to_numpy()
    if numbers.max() <= 1 or n_distinct <= N_TOP_VALUES:
        chosen = np.arange(min(n_distinct, N_TOP_VALUES)) if numbers.max() <= 1 else \
            np.argsort(-numbers, kind="stable")
    else:
        # the values whose count reaches the N-th largest, kept in value order, then sorted
        # stably by count: the first N of a full stable sort, without sorting every value
        floor = np.partition(numbers, n_distinct - N_TOP_VALUES)[n_distinct - N_TOP_VALUES]
        candidates = np.flatnonzero(numbers >= floor)
        chosen = candidates[np.argsort(-numbers[candidates], kind="stable")[:N_TOP_VALUES]]
    return ValueSummary(counts.iloc[chosen].copy(), n_distinct, n_present)


def check_frame(frame: object) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"Expected a pandas DataFrame, got {type(frame).__name__}. Hint: "
                          "read the data with jogak.data.load.")
    bad = [name for name in frame.columns if not isinstance(name, str)]
    if bad:
        raise SchemaError(f"Column names must be strings, got {bad[:5]!r}. Hint: "
                          "frame.columns = frame.columns.astype(str).")
    duplicated = frame.columns[frame.columns.duplicated()].tolist()
    if duplicated:
        raise SchemaError(f"Column names must be unique, got duplicates {duplicated[:5]!r}. "
                          "Hint: rename them before inferring roles.")


def _is_number_dtype(dtype: object) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def _is_id_name(name: str) -> bool:
    return bool(_ID_NAME.search(name) or _CAMEL_ID.search(name))


def _info(name: Hashable, column: pd.Series, role: ColumnRole, reason: str, *,
          n_missing: int | None = None, fmt: str | None = None,
          counts: pd.Series | None = None) -> ColumnInfo:
    n_rows = len(column)
    missing = int(column.isna().sum()) if n_missing is None else n_missing
    counts = value_counts(column) if counts is None else counts
    return ColumnInfo(name=str(name), role=role, dtype=str(column.dtype), n_distinct=len(counts),
                      missing_share=missing / n_rows if n_rows else 0.0, reason=reason,
                      datetime_format=fmt)


def _infer_column(name: str, column: pd.Series, counts: pd.Series,
                  high_cardinality: int) -> ColumnInfo:
    n_missing = int(column.isna().sum())
    if len(counts) == 0:
        return _info(name, column, ColumnRole.CONSTANT, "every value is missing", counts=counts)
    if len(counts) == 1 and n_missing == 0:
        return _info(name, column, ColumnRole.CONSTANT, f"one value ({counts.index[0]!r}) in "
                     "every row", counts=counts)
    dtype = column.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return _info(name, column, ColumnRole.BOOLEAN, "boolean dtype", counts=counts)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return _info(name, column, ColumnRole.DATETIME, "datetime dtype", counts=counts)
    if pd.api.types.is_timedelta64_dtype(dtype):
        return _info(name, column, ColumnRole.NUMERIC, "durations", counts=counts)
    if _is_number_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        role, reason, fmt = _numeric_role(name, column, counts, high_cardinality)
        return _info(name, column, role, reason, fmt=fmt, counts=counts)
    return _text_role(name, column, counts, n_missing, high_cardinality)


def _numeric_role(name: str, column: pd.Series, counts: pd.Series,
                  high_cardinality: int) -> tuple[ColumnRole, str, str | None]:
    values = counts.index.to_numpy(dtype="float64")
    n_distinct, n_present = len(values), int(counts.sum())
    if n_distinct == 2 and set(values.tolist()) == {0.0, 1.0}:
        return ColumnRole.BOOLEAN, "0/1 values", None
    finite = values[np.isfinite(values)]
    if len(finite) < n_distinct or not np.all(finite == np.round(finite)):
        return ColumnRole.NUMERIC, "numbers", None
    low, high = finite.min(), finite.max()
    if low >= 19000101 and high <= 21001231 and yyyymmdd_to_datetimes(finite).notna().all():
        return ColumnRole.DATETIME, "integers written YYYYMMDD", "yyyymmdd"
    if _EPOCH_NAME.search(name):
        if low >= 1e8 and high <= 4.2e9:
            return ColumnRole.DATETIME, "Unix time in seconds", "epoch_s"
        if low >= 1e11 and high <= 4.2e12:
            return ColumnRole.DATETIME, "Unix time in milliseconds", "epoch_ms"
    id_name = _is_id_name(name)
    unique = n_distinct == n_present
    if id_name and n_distinct >= _ID_SHARE * n_present:
        return ColumnRole.IDENTIFIER, "mostly unique integers named like a key", None
    if unique and n_present >= 50 and low in (0, 1) and high - low == n_present - 1 and \
            column.is_monotonic_increasing:
        return ColumnRole.IDENTIFIER, f"row numbers {int(low)}..{int(high)}", None
    if id_name:
        role = ColumnRole.CATEGORICAL_LOW if n_distinct <= high_cardinality else \
            ColumnRole.CATEGORICAL_HIGH
        return role, "integer codes named like a key", None
    return ColumnRole.NUMERIC, "whole numbers", None


def _text_role(name: str, column: pd.Series, counts: pd.Series, n_missing: int,
               high_cardinality: int) -> ColumnInfo:
    text = pd.Index(counts.index.astype(str)).str.strip()
    weights = counts.to_numpy()
    blank = np.asarray(text == "")
    n_blank = int(weights[blank].sum())
    values, weights = text[~blank], weights[~blank]
    n_distinct, n_present = len(counts), int(weights.sum())

    def info(role: ColumnRole, reason: str, missing: int = n_missing,
             fmt: str | None = None) -> ColumnInfo:
        return _info(name, column, role, reason, n_missing=missing, fmt=fmt, counts=counts)

    blanks = f"; {n_blank} blank values counted as missing" if n_blank else ""
    if n_present == 0:
        return info(ColumnRole.CONSTANT, "only blank text", n_missing + n_blank)
    lowered = set(values.str.lower()) if len(values) <= 8 else set()
    if len(lowered) == 2 and frozenset(lowered) in _BOOLEAN_SETS:
        a, b = sorted(lowered)
        return info(ColumnRole.BOOLEAN, f"two values {a}/{b}{blanks}", n_missing + n_blank)
    numbers = None if isinstance(column.dtype, pd.CategoricalDtype) else all_numbers(values)
    codes = False
    if numbers is not None:
        codes = bool(values.str.match(r"[-+]?0\d").any())
        if not codes:
            if is_yyyymmdd(numbers):
                return info(ColumnRole.DATETIME, f"text dates YYYYMMDD{blanks}",
                            n_missing + n_blank, "%Y%m%d")
            return info(ColumnRole.NUMERIC, f"numbers stored as text{blanks}",
                        n_missing + n_blank)
    if looks_hashed(values):
        return info(ColumnRole.IDENTIFIER, "hash-like keys")
    found = None if codes else date_format(values, weights)
    if found is not None:
        fmt, n_unparsed = found
        unparsed = f"; {n_unparsed} values that are not dates" if n_unparsed else ""
        return info(ColumnRole.DATETIME, f"dates written {fmt}{unparsed}{blanks}",
                    n_missing + n_blank + n_unparsed, fmt)
    distinct_share = len(values) / n_present
    many = n_distinct > high_cardinality
    if many and distinct_share >= 0.5 and mean_words(values, weights) >= 3:
        return info(ColumnRole.TEXT, "free text: many distinct values of several words")
    id_name = _is_id_name(name)
    if (distinct_share >= 0.95 and (many or (id_name and n_distinct > 1))) or \
            (id_name and many and distinct_share >= _ID_SHARE):
        reason = "unique values named like a key" if id_name else "unique or near-unique values"
        return info(ColumnRole.IDENTIFIER, reason)
    if n_distinct <= high_cardinality:
        return info(ColumnRole.CATEGORICAL_LOW, f"{n_distinct} levels")
    return info(ColumnRole.CATEGORICAL_HIGH, f"{n_distinct} levels")
