"""What to do to each column: one frozen rule per column, checked on creation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from jogak.data.privacy._detect import PiiScan
from jogak.data.privacy._vocabulary import DEFAULT_ACTIONS, Action, PiiKind
from jogak.errors import ConfigError

__all__ = ["ColumnRule", "Generalization", "rules_from_scan"]

Generalization = Literal["age_band", "birth_year", "region", "postal_prefix"]

_GENERALIZATION_BY_KIND: dict[PiiKind, Generalization] = {
    PiiKind.AGE: "age_band", PiiKind.BIRTH_DATE: "birth_year", PiiKind.ADDRESS: "region",
    PiiKind.POSTAL_CODE: "postal_prefix",
}
_GENERALIZATIONS = ("age_band", "birth_year", "region", "postal_prefix")


@dataclass(frozen=True, kw_only=True)
class ColumnRule:
    """How one column is pseudonymised.

    Parameters
    ----------
    column : str
    action : Action or str
        ``tokenize``, ``mask``, ``generalize``, ``suppress`` or ``keep``.
    kind : PiiKind or str, optional
        The kind of value: decides how tokens normalise (``010-1234-5678`` and
        ``01012345678`` give one token), how masks look, and which generalisation applies.
    generalization : {"age_band", "birth_year", "region", "postal_prefix"}, optional
        For ``generalize``; by default the one of the kind (age, birth date, address,
        postal code).
    band_width : int, default 10
        Years per age band.
    top_age : int, optional
        Ages from this one on share one band (``"90+"``).
    region_level : int, default 1
        Address parts kept (1: province or city; 2: also the district).
    postal_digits : int, default 3
        Leading characters of postal codes kept.

    Raises
    ------
    ConfigError
        Unknown action, kind or generalisation, or a ``generalize`` rule without one.

    Examples
    --------
    >>> ColumnRule(column="age", action="generalize", kind="age").generalization
    'age_band'
    """

    column: str
    action: Action
    kind: PiiKind | None = None
    generalization: Generalization | None = None
    band_width: int = 10
    top_age: int | None = None
    region_level: int = 1
    postal_digits: int = 3

    def __post_init__(self) -> None:
        if not isinstance(self.column, str) or not self.column:
            raise ConfigError(f"A rule's column must be a non-empty string, got {self.column!r}.")
        object.__setattr__(self, "action", _enum(Action, self.action, "action"))
        if self.kind is not None:
            object.__setattr__(self, "kind", _enum(PiiKind, self.kind, "kind"))
        if self.action is Action.GENERALIZE:
            method = self.generalization
            if method is None and self.kind is not None:
                method = _GENERALIZATION_BY_KIND.get(self.kind)
            if method not in _GENERALIZATIONS:
                raise ConfigError(
                    f"Column {self.column!r}: generalize needs a generalization among "
                    f"{list(_GENERALIZATIONS)}, got {method!r} (kind {self.kind}). Hint: pass "
                    "generalization=..., or kind='age'|'birth_date'|'address'|'postal_code'."
                )
            object.__setattr__(self, "generalization", method)
        for name in ("band_width", "region_level", "postal_digits"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}.")
        if self.top_age is not None and (isinstance(self.top_age, bool)
                                         or not isinstance(self.top_age, int)
                                         or self.top_age < 1):
            raise ConfigError(f"top_age must be a positive integer or None, got "
                              f"{self.top_age!r}.")

    def parameters(self) -> dict[str, Any]:
        """The settings that shaped the output (for the processing record)."""
        if self.action is Action.GENERALIZE:
            by_method: dict[str, dict[str, Any]] = {
                "age_band": {"band_width": self.band_width, "top_age": self.top_age},
                "region": {"region_level": self.region_level},
                "postal_prefix": {"postal_digits": self.postal_digits},
            }
            extra = by_method.get(str(self.generalization), {})
            return {"generalization": self.generalization, **extra}
        return {}


def _enum(enum: Any, value: object, what: str) -> Any:
    try:
        return enum(value)
    except ValueError as exc:
        raise ConfigError(f"Unknown {what} {value!r}. Expected one of "
                          f"{[member.value for member in enum]}.") from exc


def rules_from_scan(scan: PiiScan, *, columns: Sequence[str] | None = None,
                    actions: Mapping[str, Action | str] | None = None) -> tuple[ColumnRule, ...]:
    """Default rules for the columns a scan found (or for ``columns``, found or not).

    A column named in ``columns`` is never kept as is: one the scan did not find, or found as
    a kind left as is by default (gender), is tokenised. ``actions`` overrides the action of
    single columns.

    Raises
    ------
    ConfigError
        A column in ``columns`` or ``actions`` is not among the scanned columns.
    """
    chosen = scan.pii_columns if columns is None else list(columns)
    overrides = dict(actions or {})
    unknown = [c for c in [*chosen, *overrides] if c not in scan.columns_scanned]
    if unknown:
        raise ConfigError(f"Columns {sorted(set(unknown))} are not in the table. Expected some "
                          f"of {list(scan.columns_scanned)[:20]}.")
    rules = []
    for column in chosen:
        kind = scan[column].kind if column in scan else None
        action = DEFAULT_ACTIONS[kind] if kind is not None else Action.TOKENIZE
        if columns is not None and action is Action.KEEP:
            action = Action.TOKENIZE
        action = Action(overrides.get(column, action))
        rules.append(ColumnRule(column=column, action=action, kind=kind))
    return tuple(rules)
