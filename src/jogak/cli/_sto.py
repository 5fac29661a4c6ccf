"""``jogak sto``: the security-token offering ledger."""

from __future__ import annotations

import typer

from jogak.cli._app import app

__all__ = ["group"]

group = typer.Typer(help="The security-token offering ledger.", no_args_is_help=True)
app.add_typer(group, name="sto")
