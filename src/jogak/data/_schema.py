"""The feature schema a model was trained on, and its checks on data arriving at prediction time.

Everything a check needs (dtype kind, category sets, ranges) is computed once, when the schema is
learned or read back, so that validating the one-row frames of the serving hot path stays cheap.
Offending values are quoted only in the messages of errors, which go back to the caller who sent
them; warnings carry counts only, so they can be logged without leaking personal data.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from jogak.data._roles import ColumnRole, ColumnRoles
from jogak.data._schema_checks import check_column, check_scalar
from jogak.data._schema_issues import (
    ExtraColumns,
    SchemaIssue,
    SchemaValidationError,
    Severity,
    UnknownCategories,
    check_options,
    close_match,
    raise_if_errors,
)
from jogak.data._schema_values import (
    ColumnKind,
    column_kind,
    frame_from_records,
    json_scalar,
)
from jogak.errors import ConfigError, SchemaError

__all__ = [
    "ColumnSchema",
    "FeatureSchema",
    "RecordValidationResult",
    "SchemaIssue",
    "SchemaValidationError",
    "ValidationResult",
]

SCHEMA_FORMAT_VERSION = 1
MAX_CATEGORIES = 1000

_CATEGORY_ROLES = {ColumnRole.BOOLEAN, ColumnRole.CATEGORICAL_LOW, ColumnRole.CATEGORICAL_HIGH}


@dataclass(frozen=True)
class ValidationResult:
    """A validated frame (schema columns, training order and dtypes) and the warnings found."""

    frame: pd.DataFrame
    issues: tuple[SchemaIssue, ...]


@dataclass(frozen=True)
class RecordValidationResult:
    """A validated record (schema columns, training order) and the warnings found."""

    record: dict[str, Any]
    issues: tuple[SchemaIssue, ...]
    schema: FeatureSchema = field(repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """The record as a one-row frame with the training dtypes."""
        return frame_from_records(self.schema.columns, [self.record])


@dataclass(frozen=True)
class ColumnSchema:
    """What the model saw of one feature column during training.

    ``categories`` holds the levels seen (for boolean and categorical roles and boolean dtypes):
    the declared categories of a pandas ``category`` column, else the ``MAX_CATEGORIES`` most
    frequent values; ``categories_truncated`` says the cap was hit (unseen values are then not
    flagged). ``minimum``/``maximum`` are the range of numeric columns, NaN ignored.
    """

    name: str
    dtype: str
    role: ColumnRole
    missing_share: float
    n_distinct: int
    categories: tuple[Any, ...] | None = None
    categories_truncated: bool = False
    minimum: float | None = None
    maximum: float | None = None
    datetime_format: str | None = None
    kind: ColumnKind = field(init=False, repr=False, compare=False)
    pandas_dtype: Any = field(init=False, repr=False, compare=False)
    category_set: frozenset[Any] | None = field(init=False, repr=False, compare=False)
    is_integer: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            dtype = pd.api.types.pandas_dtype(self.dtype)
        except TypeError as exc:
            raise SchemaError(
                f"Column {self.name!r} has dtype {self.dtype!r}, which pandas does not know. "
                "Hint: the schema was written by another pandas version; retrain the model."
            ) from exc
        if isinstance(dtype, pd.CategoricalDtype) and self.categories is not None \
                and not self.categories_truncated:
            dtype = pd.CategoricalDtype(list(self.categories))
        checked = None if self.categories is None or self.categories_truncated \
            else frozenset(self.categories)
        object.__setattr__(self, "pandas_dtype", dtype)
        object.__setattr__(self, "kind", column_kind(dtype))
        object.__setattr__(self, "category_set", checked)
        object.__setattr__(self, "is_integer", bool(pd.api.types.is_integer_dtype(dtype)))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name, "dtype": self.dtype, "role": self.role.value,
            "missing_share": self.missing_share, "n_distinct": self.n_distinct,
            "categories": None if self.categories is None else list(self.categories),
            "categories_truncated": self.categories_truncated,
            "minimum": self.minimum, "maximum": self.maximum,
            "datetime_format": self.datetime_format,
        }


@dataclass(frozen=True)
class FeatureSchema:
    """The feature columns a model was trained on: names, order, dtypes, roles, values seen.

    Learn it with :meth:`from_frame`; store it with :meth:`to_dict` (JSON-ready) and read it back
    with :meth:`from_dict`; check prediction data with :meth:`validate` (frames) or
    :meth:`validate_record` (one dict, no frame built).

    Parameters
    ----------
    columns : tuple of ColumnSchema
        The feature columns in training order.

    Examples
    --------
    >>> import pandas as pd
    >>> from jogak.data import ColumnInfo, ColumnRole, ColumnRoles
    >>> train = pd.DataFrame({"age": [30, 41], "plan": ["basic", "pro"]})
    >>> roles = ColumnRoles(info={
    ...     "age": ColumnInfo("age", ColumnRole.NUMERIC, "int64", 2, 0.0),
    ...     "plan": ColumnInfo("plan", ColumnRole.CATEGORICAL_LOW, "str", 2, 0.0)})
    >>> schema = FeatureSchema.from_frame(train, roles)
    >>> result = schema.validate(pd.DataFrame({"plan": ["vip"], "age": ["52"]}))
    >>> result.frame.dtypes.astype(str).to_dict()
    {'age': 'int64', 'plan': 'str'}
    >>> [(issue.column, issue.rule) for issue in result.issues]
    [('age', 'out_of_range'), ('plan', 'unseen_category')]
    """

    columns: tuple[ColumnSchema, ...]
    _by_name: dict[str, ColumnSchema] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {column.name: column for column in self.columns}
        if len(by_name) != len(self.columns):
            raise SchemaError("A feature schema cannot hold the same column name twice.")
        object.__setattr__(self, "_by_name", by_name)

    @property
    def names(self) -> list[str]:
        """Column names in training order."""
        return list(self._by_name)

    def __getitem__(self, name: str) -> ColumnSchema:
        return self._by_name[name]

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, roles: ColumnRoles, *,
                   columns: Sequence[str] | None = None,
                   max_categories: int = MAX_CATEGORIES) -> FeatureSchema:
        """Learn the schema of the feature columns of a training frame.

        Parameters
        ----------
        frame : pandas.DataFrame
            The training features (other columns are ignored).
        roles : ColumnRoles
            The role of every column in ``columns``.
        columns : sequence of str, optional
            The columns the model consumes, in order. Default: the frame's columns whose role is
            a feature (no identifiers, constants or target), in frame order.
        max_categories : int, default=1000
            At most this many categories are kept per column, most frequent first.

        Returns
        -------
        FeatureSchema

        Raises
        ------
        SchemaError
            If the frame is empty, or a column is absent from the frame or from ``roles``.
        """
        if not isinstance(frame, pd.DataFrame):
            raise SchemaError(f"Expected a pandas DataFrame, got {type(frame).__name__}.")
        if max_categories < 1:
            raise ConfigError(f"max_categories must be >= 1, got {max_categories!r}.")
        if columns is None:
            names = [name for name in frame.columns if name not in roles or roles[name].is_feature]
        else:
            names = list(columns)
        absent = [name for name in names if name not in frame.columns]
        no_role = [name for name in names if name not in roles]
        if absent or no_role:
            found = [f"columns {absent} are not in the frame"] if absent else []
            found += [f"columns {no_role} have no role"] if no_role else []
            raise SchemaError(
                f"Cannot learn a feature schema: {' and '.join(found)}. Hint: pass the training "
                "frame and the roles inferred from it (every column needs a role)."
            )
        if len(frame) == 0:
            raise SchemaError("Cannot learn a feature schema from an empty frame (0 rows).")
        if frame.columns.duplicated().any():
            duplicated = sorted(set(frame.columns[frame.columns.duplicated()]), key=str)
            raise SchemaError(f"Column names must be unique; repeated: {duplicated}.")
        return cls(tuple(_learn_column(frame[name], roles, max_categories) for name in names))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, read back by :meth:`from_dict`."""
        return {"format_version": SCHEMA_FORMAT_VERSION,
                "columns": [column.to_dict() for column in self.columns]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FeatureSchema:
        """Read a schema written by :meth:`to_dict`.

        Raises
        ------
        SchemaError
            If the dict is malformed or was written by a newer jogak.
        """
        try:
            version = data["format_version"]
            if version > SCHEMA_FORMAT_VERSION:
                raise SchemaError(
                    f"The feature schema has format version {version}; this jogak reads up to "
                    f"{SCHEMA_FORMAT_VERSION}. Hint: upgrade jogak."
                )
            columns = tuple(
                ColumnSchema(
                    name=item["name"], dtype=item["dtype"], role=ColumnRole(item["role"]),
                    missing_share=float(item["missing_share"]),
                    n_distinct=int(item["n_distinct"]),
                    categories=None if item["categories"] is None else tuple(item["categories"]),
                    categories_truncated=bool(item["categories_truncated"]),
                    minimum=item["minimum"], maximum=item["maximum"],
                    datetime_format=item["datetime_format"],
                )
                for item in data["columns"]
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, SchemaError):
                raise
            raise SchemaError(
                f"The feature schema dict is malformed ({type(exc).__name__}: {exc}). "
                "Hint: it must come from FeatureSchema.to_dict(); retrain to rewrite it."
            ) from exc
        return cls(columns)

    def fingerprint(self) -> str:
        """sha256 of the canonical JSON form: equal schemas have equal fingerprints."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"),
                          ensure_ascii=False, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def validate(self, frame: pd.DataFrame, *, unknown_categories: UnknownCategories = "allow",
                 extra_columns: ExtraColumns = "drop") -> ValidationResult:
        """Check prediction data and return it in the training columns, order and dtypes.

        Rules: a missing column is an error; an extra column is dropped (a warning) or, with
        ``extra_columns="error"``, an error; a value that cannot be read as the training dtype
        (e.g. ``"abc"`` in a numeric column) or in the training date format is an error; a
        category not seen in training is a warning, or an error with
        ``unknown_categories="strict"``; numbers outside the training range are warnings.
        Missing values are always accepted. Text columns receive non-text values as text.
        A pandas ``category`` column keeps its training categories, so unseen values become
        missing, as in pandas; a boolean column with missing values becomes ``object``.

        Parameters
        ----------
        frame : pandas.DataFrame
            Rows to check. Row order and index are kept.
        unknown_categories : {"allow", "strict"}, default="allow"
        extra_columns : {"drop", "error"}, default="drop"

        Returns
        -------
        ValidationResult
            The checked frame and the warnings.

        Raises
        ------
        SchemaValidationError
            Listing every error (and warning) found; error messages quote up to 3 bad values.
        """
        check_options(unknown_categories, extra_columns)
        if not isinstance(frame, pd.DataFrame):
            raise SchemaError(f"Expected a pandas DataFrame, got {type(frame).__name__}.")
        if frame.columns.duplicated().any():
            duplicated = sorted(set(frame.columns[frame.columns.duplicated()]), key=str)
            raise SchemaError(f"Column names must be unique; repeated: {duplicated}.")
        issues = self._column_issues(list(frame.columns), len(frame), extra_columns)
        out: dict[str, pd.Series] = {}
        for column in self.columns:
            if column.name in frame.columns:
                values, column_issues = check_column(column, frame[column.name],
                                                     unknown_categories)
                issues.extend(column_issues)
                out[column.name] = values
        raise_if_errors(issues, list(frame.columns))
        return ValidationResult(pd.DataFrame(out, index=frame.index), tuple(issues))

    def validate_record(self, record: Mapping[str, Any], *,
                        unknown_categories: UnknownCategories = "allow",
                        extra_columns: ExtraColumns = "drop") -> RecordValidationResult:
        """Check one record (e.g. a JSON object) without building a frame.

        Same rules and messages as :meth:`validate`; ``result.to_frame()`` equals
        ``validate(pd.DataFrame([record])).frame``. Missing values come back as ``None``.

        Raises
        ------
        SchemaValidationError
            As :meth:`validate`.
        """
        check_options(unknown_categories, extra_columns)
        if not isinstance(record, Mapping):
            raise SchemaError(f"Expected a mapping column -> value, got {type(record).__name__}.")
        issues = self._column_issues(list(record), 1, extra_columns)
        out: dict[str, Any] = {}
        plain = self._plain_floats()
        for column in self.columns:
            name = column.name
            if name not in record:
                continue
            raw = record[name]
            # the serving path's common case, decided without the general checks: a float for
            # a float column (missing when NaN), inside the range seen in training
            if (type(raw) is float or type(raw) is np.float64) and name in plain:
                low, high = plain[name]
                if raw != raw:
                    out[name] = None
                    continue
                if low is None or high is None or low <= raw <= high:
                    out[name] = float(raw)
                    continue
            value, column_issues = check_scalar(column, raw, unknown_categories)
            issues.extend(column_issues)
            out[name] = value
        raise_if_errors(issues, list(record))
        return RecordValidationResult(out, tuple(issues), self)

    def _plain_floats(self) -> dict[str, tuple[float | None, float | None]]:
        """Float columns without categories or a date format, and their range (built once;
        a schema unpickled from an older bundle builds it on first use)."""
        plain = self.__dict__.get("_plain")
        if plain is None:
            plain = {c.name: (c.minimum, c.maximum) for c in self.columns
                     if c.kind == "numeric" and not c.is_integer and c.category_set is None
                     and c.datetime_format is None}
            object.__setattr__(self, "_plain", plain)
        return plain  # type: ignore[no-any-return]

    def _column_issues(self, received: list[Any], n_rows: int,
                       extra_columns: ExtraColumns) -> list[SchemaIssue]:
        present = set(received)
        extras = [name for name in received if name not in self._by_name]
        issues = []
        for name in self._by_name:
            if name not in present:
                hint = close_match(name, extras)
                issues.append(SchemaIssue(str(name), "missing_column", n_rows,
                                          f"Column {name!r} is missing{hint}.", "error"))
        severity: Severity = "error" if extra_columns == "error" else "warning"
        action = "is not a model feature" if severity == "error" else "was dropped"
        for name in extras:
            issues.append(SchemaIssue(str(name), "extra_column", n_rows,
                                      f"Column {str(name)!r} {action}.", severity))
        return issues


def _learn_column(series: pd.Series, roles: ColumnRoles, max_categories: int) -> ColumnSchema:
    name = series.name
    role = roles[name]
    kind = column_kind(series.dtype)
    categories: tuple[Any, ...] | None = None
    truncated = False
    counts = series.value_counts(dropna=True, sort=True)
    if role in _CATEGORY_ROLES or kind == "boolean":
        if isinstance(series.dtype, pd.CategoricalDtype) and \
                len(series.dtype.categories) <= max_categories:
            levels = list(series.dtype.categories)
        else:
            levels = list(counts.index[:max_categories])
            truncated = len(counts) > max_categories
        categories = tuple(json_scalar(level) for level in levels)
    minimum = maximum = None
    if kind == "numeric" and role is not ColumnRole.DATETIME:  # later dates are no anomaly
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        if not np.isnan(values).all():
            minimum, maximum = float(np.nanmin(values)), float(np.nanmax(values))
    info = roles.info.get(name)
    return ColumnSchema(
        name=name, dtype=str(series.dtype), role=role,
        missing_share=float(series.isna().mean()), n_distinct=int(len(counts)),
        categories=categories, categories_truncated=truncated,
        minimum=minimum, maximum=maximum,
        datetime_format=None if info is None else info.datetime_format,
    )
