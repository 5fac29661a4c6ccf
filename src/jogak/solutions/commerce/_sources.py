"""From a data source (a file, a folder of Olist files, a DuckDB query) to a standard table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jogak.data import load
from jogak.errors import ConfigError, DataLoadError
from jogak.solutions.commerce._adapters import (
    ADAPTER_TABLES,
    cdnow_behaviour,
    cdnow_buyers,
    olist_behaviour,
    olist_buyers,
    olist_products,
)
from jogak.solutions.commerce._mapping import ColumnMapping, load_mapping
from jogak.solutions.commerce._standard import get_table
from jogak.solutions.commerce._validation import ValidationReport, validate_table

__all__ = ["ADAPTERS", "standard_table", "validate_source"]

#: Built-in adapters, usable wherever a mapping file is (``--mapping olist``).
ADAPTERS = tuple(ADAPTER_TABLES)

_OLIST_FILES = {"customers": "olist_customers_dataset", "orders": "olist_orders_dataset",
                "items": "olist_order_items_dataset", "payments": "olist_order_payments_dataset",
                "products": "olist_products_dataset",
                "translation": "product_category_name_translation"}


def _find_olist(folder: Path, key: str) -> Path | None:
    found = sorted(p for p in folder.glob(f"{_OLIST_FILES[key]}.*") if p.is_file())
    return found[0] if found else None


def _olist_file(folder: Path, key: str) -> pd.DataFrame:
    path = _find_olist(folder, key)
    if path is None:
        raise DataLoadError(f"The Olist folder {str(folder)!r} has no {_OLIST_FILES[key]}.csv "
                            "(or .csv.gz, .parquet ...). Hint: point DATA at the folder holding "
                            "the Kaggle Olist files.")
    return load(path)


def _olist_optional(folder: Path, key: str) -> pd.DataFrame | None:
    path = _find_olist(folder, key)
    return None if path is None else load(path)


def _olist(source: str | Path, table: str) -> pd.DataFrame:
    folder = Path(source)
    if not folder.is_dir():
        raise DataLoadError(f"The olist adapter reads a folder of Olist files; {str(folder)!r} "
                            "is not a folder.")
    if table == "buyer":
        return olist_buyers(_olist_file(folder, "customers"), _olist_optional(folder, "orders"))
    if table == "behaviour":
        return olist_behaviour(_olist_file(folder, "orders"), _olist_file(folder, "items"),
                               _olist_file(folder, "customers"),
                               _olist_optional(folder, "payments"))
    return olist_products(_olist_file(folder, "products"), _olist_file(folder, "items"),
                          _olist_optional(folder, "translation"))


def standard_table(source: str | Path | pd.DataFrame, table: str, *,
                   mapping: str | Path | ColumnMapping | None = None) -> pd.DataFrame:
    """Read ``source`` as the standard's ``table``.

    Parameters
    ----------
    source : str, Path or DataFrame
        A data file or ``duckdb:SELECT ...``; a folder of Olist files for ``mapping="olist"``;
        or a frame already in memory.
    table : {"buyer", "behaviour", "product"}
    mapping : str, Path or ColumnMapping, optional
        ``"olist"`` or ``"cdnow"`` (built-in adapters), a mapping file (``.yaml``/``.json``),
        or a :class:`ColumnMapping`. Without one, the columns must already be the standard's.

    Raises
    ------
    ConfigError
        Unknown table or adapter, an adapter that has no such table, a bad mapping file.
    SchemaError
        The mapping names columns the data does not have.
    DataLoadError
        The source cannot be read.
    """
    spec = get_table(table)
    if isinstance(mapping, str) and mapping in ADAPTER_TABLES:
        if spec.name not in ADAPTER_TABLES[mapping]:
            raise ConfigError(f"The {mapping} adapter has no {spec.name!r} table; it has "
                              f"{list(ADAPTER_TABLES[mapping])}.")
        if mapping == "olist":
            if isinstance(source, pd.DataFrame):
                raise ConfigError("The olist adapter reads a folder of files, not one frame.")
            return _olist(source, spec.name)
        frame = source if isinstance(source, pd.DataFrame) else load(source)
        return cdnow_behaviour(frame) if spec.name == "behaviour" else cdnow_buyers(frame)
    rules = mapping if isinstance(mapping, ColumnMapping) or mapping is None else \
        load_mapping(mapping)
    if rules is not None:
        rules.check_items(spec)  # a bad mapping fails before any data is read
    frame = source if isinstance(source, pd.DataFrame) else load(source)
    return frame if rules is None else rules.apply(frame, spec)


def validate_source(source: str | Path | pd.DataFrame, table: str, *,
                    mapping: str | Path | ColumnMapping | None = None,
                    n_samples: int = 5) -> ValidationReport:
    """:func:`standard_table`, then :func:`validate_table` (the ``jogak commerce validate``)."""
    return validate_table(standard_table(source, table, mapping=mapping), table,
                          n_samples=n_samples)
