"""Column-mapping files: anyone's table into the standard's columns, without code."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from jogak.errors import ConfigError, SchemaError
from jogak.models._optional import require
from jogak.solutions.commerce._standard import STANDARD, TableSpec

__all__ = ["ColumnMapping", "load_mapping"]

_KEYS = {"table", "columns", "values", "constants"}


@dataclass(frozen=True, kw_only=True)
class ColumnMapping:
    """How the columns of a source table become the items of a standard table.

    Parameters
    ----------
    table : {"buyer", "behaviour", "product"}, optional
        The standard table this mapping is for; checked against the table validated.
    columns : mapping of str to str
        Standard item -> source column. Items not named here take the source column of the
        same name when there is one; source columns not used are dropped.
    values : mapping of str to mapping
        Standard item -> {source value: standard value}, e.g. ``{"payment_method":
        {"credit_card": "card"}}``. Values not listed are kept as they are (and validated).
    constants : mapping of str to scalar
        Standard item -> one value for every row, e.g. ``{"currency": "KRW"}``.

    Examples
    --------
    >>> import pandas as pd
    >>> mapping = ColumnMapping(table="product", columns={"product_id": "sku"},
    ...                         constants={"currency": "KRW"})
    >>> mapping.apply(pd.DataFrame({"sku": ["a1"], "price": [9900]})).to_dict("records")
    [{'product_id': 'a1', 'price': 9900, 'currency': 'KRW'}]
    """

    table: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[Any, Any]] = field(default_factory=dict)
    constants: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.table is not None and self.table not in STANDARD:
            raise ConfigError(f"Mapping 'table' must be one of {sorted(STANDARD)}; got "
                              f"{self.table!r}.")
        for name, section in (("columns", self.columns), ("values", self.values),
                              ("constants", self.constants)):
            if not isinstance(section, Mapping):
                raise ConfigError(f"Mapping {name!r} must be a mapping of item -> ..., got "
                                  f"{type(section).__name__}.")
        for item, source in self.columns.items():
            if not isinstance(source, str) or not source:
                raise ConfigError(f"Mapping columns.{item} must name a source column, got "
                                  f"{source!r}.")
        for item, recode in self.values.items():
            if not isinstance(recode, Mapping):
                raise ConfigError(f"Mapping values.{item} must map source values to standard "
                                  f"values, got {type(recode).__name__}.")
        if self.table is not None:
            self.check_items(STANDARD[self.table])

    def check_items(self, spec: TableSpec) -> None:
        """Raise ConfigError if the mapping names items that ``spec`` does not have."""
        if self.table is not None and self.table != spec.name:
            raise ConfigError(f"The mapping is for the {self.table!r} table, not "
                              f"{spec.name!r}. Hint: pass --table {self.table}, or the "
                              f"mapping file written for {spec.name!r}.")
        named = [*self.columns, *self.values, *self.constants]
        unknown = [name for name in dict.fromkeys(named) if name not in spec.names]
        if unknown:
            raise ConfigError(f"The mapping names item(s) {unknown} that the {spec.name!r} "
                              f"table does not have; its items are {spec.names}.")

    def apply(self, frame: pd.DataFrame, spec: TableSpec | None = None) -> pd.DataFrame:
        """The standard table's columns, in the standard's order, built from ``frame``.

        Raises
        ------
        SchemaError
            A source column named by the mapping is not in ``frame`` (all are listed; nothing
            is built).
        ConfigError
            The mapping names items the table does not have.
        """
        if spec is None:
            if self.table is None:
                raise ConfigError("The mapping names no 'table'; pass the table to apply it to.")
            spec = STANDARD[self.table]
        self.check_items(spec)
        absent = [source for source in dict.fromkeys(self.columns.values())
                  if source not in frame.columns]
        if absent:
            columns = [str(c) for c in frame.columns]
            hints = []
            for name in absent:
                close = difflib.get_close_matches(name, columns, n=1)
                if close:
                    hints.append(f"{name!r}: did you mean {close[0]!r}?")
            raise SchemaError(f"The mapping names source column(s) {absent} that the data does "
                              f"not have; its columns are {list(frame.columns)[:40]}. "
                              + (" ".join(hints) + " " if hints else "")
                              + "Hint: fix the names under 'columns:' in the mapping file.")
        out: dict[str, Any] = {}
        for name in spec.names:
            if name in self.columns:
                out[name] = frame[self.columns[name]]
            elif name in self.constants:
                out[name] = pd.Series(self.constants[name], index=frame.index)
            elif name in frame.columns:
                out[name] = frame[name]
        result = pd.DataFrame(out, index=frame.index)
        for name, recode in self.values.items():
            if name in result:
                source = result[name]
                result[name] = source.astype(object).map(
                    lambda value, recode=recode: recode.get(value, value))
        return result


def load_mapping(path: str | Path) -> ColumnMapping:
    """Read a mapping file (``.yaml``/``.yml`` or ``.json``; see :class:`ColumnMapping`).

    Raises
    ------
    ConfigError
        The file is missing, unreadable, of another type, or its content is not a mapping
        with only the keys ``table``, ``columns``, ``values``, ``constants``.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"Mapping file {str(path)!r} does not exist. Hint: give a .yaml or "
                          ".json file, or a built-in adapter name (olist, cdnow).")
    suffix = path.suffix.lower()
    text = path.read_text(encoding="utf-8-sig")
    try:
        if suffix in (".yaml", ".yml"):
            yaml = require("yaml", extra="commerce", purpose="YAML mapping files")
            content = yaml.safe_load(text)
        elif suffix == ".json":
            content = json.loads(text)
        else:
            raise ConfigError(f"Mapping file {path.name!r} must end in .yaml, .yml or .json.")
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - yaml's and json's parse errors, whatever class
        raise ConfigError(f"Mapping file {path.name!r} could not be parsed: "
                          f"{' '.join(str(exc).split())}") from exc
    if not isinstance(content, dict):
        raise ConfigError(f"Mapping file {path.name!r} must hold a mapping with the keys "
                          f"{sorted(_KEYS)}, got {type(content).__name__}.")
    unknown = sorted(set(content) - _KEYS)
    if unknown:
        raise ConfigError(f"Mapping file {path.name!r} has unknown key(s) {unknown}; allowed "
                          f"are {sorted(_KEYS)}.")
    return ColumnMapping(table=content.get("table"), columns=content.get("columns") or {},
                         values=content.get("values") or {},
                         constants=content.get("constants") or {})
