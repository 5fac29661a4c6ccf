"""``jogak commerce``: the e-commerce data standard: spec, validate, RFM, CLV, repurchase."""

from __future__ import annotations

import typer

from jogak.cli._app import app

__all__ = ["group"]

group = typer.Typer(help="The e-commerce data standard: spec, validate, RFM, CLV, repurchase.", no_args_is_help=True)
app.add_typer(group, name="commerce")
