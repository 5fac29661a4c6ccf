"""The ``jogak`` command line: one module per command group, registered on one Typer app."""

from __future__ import annotations

from jogak.cli import (  # noqa: F401  (importing a module registers its commands)
    _churn,
    _commerce,
    _credit,
    _dashboard,
    _explain,
    _hits,
    _markets,
    _models,
    _monitor,
    _privacy,
    _profile,
    _quickstart,
    _recommend,
    _registry,
    _report,
    _serve,
    _sto,
    _worker,
)
from jogak.cli._app import app, main

__all__ = ["app", "main"]
