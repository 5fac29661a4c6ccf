"""``jogak credit``: behaviour score: scorecards, grades and policy simulation."""

from __future__ import annotations

import typer

from jogak.cli._app import app

__all__ = ["group"]

group = typer.Typer(help="Behaviour score: scorecards, grades and policy simulation.", no_args_is_help=True)
app.add_typer(group, name="credit")
