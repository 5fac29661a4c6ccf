"""``jogak recommend``: recommendation: train, for-user, similar, search, evaluate."""

from __future__ import annotations

import typer

from jogak.cli._app import app

__all__ = ["group"]

group = typer.Typer(help="Recommendation: train, for-user, similar, search, evaluate.", no_args_is_help=True)
app.add_typer(group, name="recommend")
