"""``jogak dashboard``: the Streamlit business dashboard."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from jogak.cli._app import app
from jogak.config import Settings

__all__ = ["dashboard"]

_console = Console(stderr=True)


@app.command()
def dashboard(
    home: Annotated[Path | None, typer.Option(help="JOGAK_HOME to show (default: "
                                                   "$JOGAK_HOME or ~/.jogak).")] = None,
    port: Annotated[int, typer.Option(help="Port to serve on.")] = 8501,
    model: Annotated[Path | None, typer.Option(help="Also show this model bundle folder.")] = None,
    data: Annotated[Path | None, typer.Option(help="Customers for --model (CSV, Parquet …).")]
    = None,
    headless: Annotated[bool, typer.Option(help="Do not open a browser.")] = False,
) -> None:
    """Open the dashboard on the models and results under JOGAK_HOME."""
    from jogak.dashboard import DashboardConfig, streamlit_command

    settings = Settings.from_env()
    config = DashboardConfig(home=(home or settings.home).expanduser(), model=model, data=data)
    command = streamlit_command(config, port=port, headless=headless)
    _console.print(f"dashboard on [bold]http://localhost:{port}[/bold] "
                   f"(home {config.home}); Ctrl+C stops it")
    raise typer.Exit(subprocess.run(command, check=False).returncode)
