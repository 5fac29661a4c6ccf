"""Column roles and learning tasks: the vocabulary shared by inference, pipeline and models."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["ColumnInfo", "ColumnRole", "ColumnRoles", "Task"]


class ColumnRole(StrEnum):
    """What a column is for a model. Inferred by :func:`jogak.data.infer_roles`."""

    NUMERIC = "numeric"
    CATEGORICAL_LOW = "categorical_low"  # few levels: one-hot or native categorical
    CATEGORICAL_HIGH = "categorical_high"  # many levels: target / frequency encoding
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    TEXT = "text"  # free text: synopses, sentences
    IDENTIFIER = "identifier"  # unique keys, hashes: never a feature
    CONSTANT = "constant"  # one value (or all missing): never a feature
    TARGET = "target"

    @property
    def is_feature(self) -> bool:
        """Whether columns of this role feed a model by default."""
        return self not in {ColumnRole.IDENTIFIER, ColumnRole.CONSTANT, ColumnRole.TARGET}

    @property
    def is_categorical(self) -> bool:
        return self in {ColumnRole.CATEGORICAL_LOW, ColumnRole.CATEGORICAL_HIGH}


class Task(StrEnum):
    """The learning task, detected from the target by :func:`jogak.data.detect_task`."""

    REGRESSION = "regression"
    BINARY = "binary"
    MULTICLASS = "multiclass"

    @property
    def is_classification(self) -> bool:
        return self is not Task.REGRESSION


@dataclass(frozen=True)
class ColumnInfo:
    """The inferred role of one column and why.

    ``datetime_format`` is set for datetime columns stored as strings or numbers (a
    :func:`pandas.to_datetime` format such as ``"ISO8601"`` or ``"%Y.%m.%d"``; ``"yyyymmdd"`` for
    ``YYYYMMDD`` integers; ``"epoch_s"``/``"epoch_ms"`` for Unix times). ``suspected_leak`` is
    set when the column is almost perfectly associated with the target: it is flagged and reported,
    never silently dropped.
    """

    name: str
    role: ColumnRole
    dtype: str
    n_distinct: int
    missing_share: float
    reason: str = ""
    datetime_format: str | None = None
    suspected_leak: bool = False
    leak_score: float | None = None


@dataclass(frozen=True)
class ColumnRoles(Mapping[str, ColumnRole]):
    """An ordered mapping column name -> :class:`ColumnRole`, with the details behind each.

    Behaves as a read-only ``dict`` of roles; ``info[name]`` holds the :class:`ColumnInfo`.
    """

    info: dict[str, ColumnInfo] = field(default_factory=dict)
    target: str | None = None

    def __getitem__(self, name: str) -> ColumnRole:
        return self.info[name].role

    def __iter__(self) -> Iterator[str]:
        return iter(self.info)

    def __len__(self) -> int:
        return len(self.info)

    def columns(self, *roles: ColumnRole) -> list[str]:
        """Names of the columns with any of ``roles``, in frame order."""
        return [name for name, item in self.info.items() if item.role in roles]

    @property
    def features(self) -> list[str]:
        """Columns that feed a model by default (no identifiers, constants or the target)."""
        return [name for name, item in self.info.items() if item.role.is_feature]

    @property
    def suspected_leaks(self) -> list[str]:
        return [name for name, item in self.info.items() if item.suspected_leak]

    def with_role(self, name: str, role: ColumnRole) -> ColumnRoles:
        """A copy with ``name`` given ``role`` (a user override)."""
        from dataclasses import replace

        info = dict(self.info)
        info[name] = replace(info[name], role=role, reason="set by the user")
        return ColumnRoles(info=info, target=self.target)

    def to_dict(self) -> dict[str, dict[str, object]]:
        """JSON-ready form: name -> {role, dtype, n_distinct, missing_share, reason, ...}."""
        out: dict[str, dict[str, object]] = {}
        for name, item in self.info.items():
            out[name] = {
                "role": item.role.value,
                "dtype": item.dtype,
                "n_distinct": item.n_distinct,
                "missing_share": item.missing_share,
                "reason": item.reason,
                "datetime_format": item.datetime_format,
                "suspected_leak": item.suspected_leak,
                "leak_score": item.leak_score,
            }
        return out
