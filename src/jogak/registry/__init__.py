"""Versioned model registry with aliases, on SQLite or PostgreSQL, with optional MLflow logging.

>>> from jogak.registry import Registry                      # doctest: +SKIP
>>> registry = Registry("~/.jogak")                          # doctest: +SKIP
>>> registry.register("jogak-model", "churn", alias="production")  # doctest: +SKIP
"""

from __future__ import annotations

from jogak.registry._engine import open_sql_engine, write_transaction
from jogak.registry._mlflow import MlflowLogResult, log_to_mlflow
from jogak.registry._records import AliasMove, IntegrityReport, ModelNotFoundError, ModelVersion
from jogak.registry._refs import ModelRef, parse_ref
from jogak.registry._registry import Registry

__all__ = [
    "AliasMove",
    "IntegrityReport",
    "MlflowLogResult",
    "ModelNotFoundError",
    "ModelRef",
    "ModelVersion",
    "Registry",
    "log_to_mlflow",
    "open_sql_engine",
    "parse_ref",
    "write_transaction",
]
