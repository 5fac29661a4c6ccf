"""``jogak markets``: market data: indicators, forecasts, backtests and risk."""

from __future__ import annotations

import typer

from jogak.cli._app import app

__all__ = ["group"]

group = typer.Typer(help="Market data: indicators, forecasts, backtests and risk.", no_args_is_help=True)
app.add_typer(group, name="markets")
