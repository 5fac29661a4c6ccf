"""``jogak registry``: versioned model registry: register, list, describe, promote, rollback, delete."""

from __future__ import annotations

import typer

from jogak.cli._app import app

__all__ = ["group"]

group = typer.Typer(help="Versioned model registry: register, list, describe, promote, rollback, delete.", no_args_is_help=True)
app.add_typer(group, name="registry")
