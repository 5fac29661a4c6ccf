"""The Typer application that every command group registers on.

Every :class:`~jogak.errors.JogakError` raised by a command becomes one line on stderr and exit
code 2 (bad input), never a traceback.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from jogak.errors import JogakError

__all__ = ["app", "main"]


class _JogakGroup(TyperGroup):
    """Turns JogakError into a one-line message and exit code 2 for every sub-command."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except JogakError as exc:
            message = " ".join(str(exc).split())
            typer.echo(f"error: {message}", err=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    name="jogak",
    cls=_JogakGroup,
    help="jogak: from business tables to validated, explained, served models.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.command()
def version() -> None:
    """Print the jogak version."""
    from jogak import __version__

    typer.echo(__version__)


def main() -> None:
    """Entry point of the ``jogak`` console script."""
    app()
