"""The ``jogak`` command line: one module per command group, registered on one Typer app."""

from __future__ import annotations

from jogak.cli import _models, _profile, _quickstart, _worker  # noqa: F401  (registers them)
from jogak.cli._app import app, main

__all__ = ["app", "main"]
