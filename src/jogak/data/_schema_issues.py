"""Findings of a feature-schema validation, and the error that carries them.

Error messages may quote up to 3 offending values (the caller sent them and sees them); warning
messages carry counts only, so they can be logged without leaking personal data.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from jogak.errors import ConfigError, SchemaError

if TYPE_CHECKING:
    from jogak.data._schema import ColumnSchema

__all__ = ["SchemaIssue", "SchemaValidationError"]

IssueRule = Literal[
    "missing_column", "extra_column", "dtype", "datetime_format", "unseen_category", "out_of_range"
]
Severity = Literal["error", "warning"]
UnknownCategories = Literal["allow", "strict"]
ExtraColumns = Literal["drop", "error"]
_N_LISTED = 20


@dataclass(frozen=True)
class SchemaIssue:
    """One finding of a validation: which column, which rule, how many values, what it means.

    ``severity="error"`` issues are raised (their messages may quote up to 3 offending values);
    ``"warning"`` issues are returned and carry counts only.
    """

    column: str
    rule: IssueRule
    count: int
    message: str
    severity: Severity = "warning"


class SchemaValidationError(SchemaError):
    """Input data breaks a :class:`FeatureSchema`; ``issues`` lists every finding, errors first."""

    def __init__(self, message: str, issues: Sequence[SchemaIssue]) -> None:
        super().__init__(message)
        self.issues = tuple(sorted(issues, key=lambda issue: issue.severity != "error"))


def dtype_issue(column: ColumnSchema, count: int, examples: list[str]) -> SchemaIssue:
    expected = {"numeric": "numbers", "boolean": "true/false values", "datetime": "dates"}
    return SchemaIssue(
        column.name, "dtype", count,
        f"Column {column.name!r}: {count} value(s) cannot be read as "
        f"{expected.get(column.kind, column.dtype)} (training dtype {column.dtype}), "
        f"e.g. {', '.join(examples)}.", "error")


def format_issue(column: ColumnSchema, count: int, examples: list[str]) -> SchemaIssue:
    return SchemaIssue(
        column.name, "datetime_format", count,
        f"Column {column.name!r}: {count} value(s) are not dates in the training format "
        f"{column.datetime_format!r}, e.g. {', '.join(examples)}.", "error")


def unseen_issue(column: ColumnSchema, count: int, examples: list[str],
                  unknown_categories: UnknownCategories) -> SchemaIssue:
    if unknown_categories == "strict":
        return SchemaIssue(
            column.name, "unseen_category", count,
            f"Column {column.name!r}: {count} value(s) were never seen in training, e.g. "
            f"{', '.join(examples)}; unknown_categories='strict' refuses them.", "error")
    return SchemaIssue(column.name, "unseen_category", count,
                       f"Column {column.name!r}: {count} value(s) were never seen in training.")


def range_issue(column: ColumnSchema, count: int) -> SchemaIssue:
    return SchemaIssue(
        column.name, "out_of_range", count,
        f"Column {column.name!r}: {count} value(s) lie outside the training range "
        f"[{_number(column.minimum)}, {_number(column.maximum)}].")


def _number(value: float | None) -> str:
    if value is not None and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}" if value is not None else "?"


def close_match(name: str, candidates: list[Any]) -> str:
    texts = [str(candidate) for candidate in candidates]
    folded = {text.casefold().replace(" ", "").replace("_", ""): text for text in texts}
    key = str(name).casefold().replace(" ", "").replace("_", "")
    match = [folded[key]] if key in folded else \
        difflib.get_close_matches(str(name), texts, n=1, cutoff=0.6)
    return f" (did you mean {match[0]!r}?)" if match else ""


def raise_if_errors(issues: list[SchemaIssue], received: list[Any]) -> None:
    errors = [issue for issue in issues if issue.severity == "error"]
    if not errors:
        return
    message = "Input does not match the model's feature schema: " + " ".join(
        f"[{issue.rule}] {issue.message}" for issue in errors)
    if any(issue.rule == "missing_column" for issue in errors):
        listed = ", ".join(repr(str(name)) for name in received[:_N_LISTED])
        more = f" and {len(received) - _N_LISTED} more" if len(received) > _N_LISTED else ""
        message += (f" Received {len(received)} column(s): {listed or 'none'}{more}. Hint: send "
                    "every training column (values may be missing).")
    elif any(issue.rule == "extra_column" for issue in errors):
        message += " Hint: remove the extra columns, or validate with extra_columns='drop'."
    else:
        message += " Hint: fix or remove these values, or send them as missing."
    raise SchemaValidationError(message, issues)


def check_options(unknown_categories: str, extra_columns: str) -> None:
    if unknown_categories not in ("allow", "strict"):
        raise ConfigError(f"unknown_categories must be 'allow' or 'strict', "
                          f"got {unknown_categories!r}.")
    if extra_columns not in ("drop", "error"):
        raise ConfigError(f"extra_columns must be 'drop' or 'error', got {extra_columns!r}.")
