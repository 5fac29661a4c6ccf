"""``jogak churn``: subscription churn: multi-table features, training and campaign targeting."""

from __future__ import annotations

import typer

from jogak.cli._app import app

__all__ = ["group"]

group = typer.Typer(
    help="Subscription churn: multi-table features, training and campaign targeting.",
    no_args_is_help=True)
app.add_typer(group, name="churn")
