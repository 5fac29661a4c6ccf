"""The one exception tree of jogak.

Every error jogak raises on purpose is a :class:`JogakError`. Each also subclasses the matching
builtin, so ``except ValueError`` keeps working for callers who do not know jogak. Messages say
what was expected, what came, and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "BundleError",
    "ConfigError",
    "DataLoadError",
    "JogakError",
    "MissingDependencyError",
    "NotFittedError",
    "SchemaError",
    "TargetError",
]


class JogakError(Exception):
    """Base class for every error jogak raises on purpose."""


class DataLoadError(JogakError, ValueError):
    """A data source could not be read: missing, empty, malformed or in an unknown encoding."""


class SchemaError(JogakError, ValueError):
    """Data does not match what was declared or learned (columns, dtypes, categories, ranges)."""


class TargetError(JogakError, ValueError):
    """The target column is missing, constant, or unsuitable for the requested task."""


class ConfigError(JogakError, ValueError):
    """A parameter or setting has an invalid value."""


class BundleError(JogakError, ValueError):
    """A model bundle is missing files, was tampered with, or comes from incompatible versions."""


class NotFittedError(JogakError, AttributeError):
    """An estimator was used before ``fit``. Call ``fit`` first."""


class MissingDependencyError(JogakError, ImportError):
    """A feature needs an optional extra that is not installed."""
