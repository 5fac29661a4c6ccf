"""``jogak hits``: content hit scoring for films and songs."""

from __future__ import annotations

import typer

from jogak.cli._app import app

__all__ = ["group"]

group = typer.Typer(help="Content hit scoring for films and songs.", no_args_is_help=True)
app.add_typer(group, name="hits")
