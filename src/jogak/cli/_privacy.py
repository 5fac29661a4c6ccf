"""``jogak privacy``: pII detection and pseudonymisation."""

from __future__ import annotations

import typer

from jogak.cli._app import app

__all__ = ["group"]

group = typer.Typer(help="PII detection and pseudonymisation.", no_args_is_help=True)
app.add_typer(group, name="privacy")
