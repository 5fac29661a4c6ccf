"""``jogak serve``: the HTTP prediction service."""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from jogak.cli._app import app

__all__ = ["serve"]


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    model: Annotated[str | None, typer.Option(help="NAME[@alias] answering /invocations "
                                                   "(default: the only registered model).")
                     ] = None,
    no_auth: Annotated[bool, typer.Option("--no-auth", help="Serve without API keys (local "
                                                            "development only).")] = False,
    strict: Annotated[bool, typer.Option(help="422 for categories never seen in training and "
                                              "for numbers outside the training range.")
                      ] = False,
    strict_categories: Annotated[bool, typer.Option(help="422 for categories never seen in "
                                                         "training.")] = False,
    out_of_range: Annotated[str, typer.Option(help="'warn' (default) or 'reject' (422) for "
                                                   "numbers outside the training range.")
                            ] = "warn",
    max_body_mb: Annotated[float, typer.Option(help="Largest request body, in MiB.")] = 16.0,
    max_rows: Annotated[int, typer.Option(help="Most rows per request.")] = 100_000,
    reload_seconds: Annotated[float, typer.Option(help="How often alias moves are "
                                                       "checked.")] = 2.0,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
) -> None:
    """Serve the registry's models over HTTP (API keys from JOGAK_API_KEYS, KEY:all or
    KEY:model_a|model_b, comma-separated)."""
    import uvicorn

    from jogak.config import Settings
    from jogak.errors import ConfigError
    from jogak.serve import JsonLogFormatter, ServeSettings, create_app

    if log_level not in ("debug", "info", "warning", "error"):
        raise ConfigError(f"--log-level must be debug, info, warning or error; got {log_level!r}.")
    settings = ServeSettings.from_settings(
        Settings.from_env(), auth=not no_auth, default_model=model,
        unknown_categories="strict" if strict or strict_categories else "allow",
        out_of_range="reject" if strict else out_of_range,
        max_body_bytes=max(1, int(max_body_mb * 1024 * 1024)), max_rows=max_rows,
        reload_seconds=reload_seconds)
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter())
    service_logger = logging.getLogger("jogak.serve")
    service_logger.handlers[:] = [handler]
    service_logger.setLevel(log_level.upper())
    service_logger.propagate = False
    if no_auth:
        typer.echo("warning: serving without API keys (--no-auth)", err=True)
    application = create_app(settings)
    # our JSON access log replaces uvicorn's (which would print raw paths and client addresses)
    uvicorn.run(application, host=host, port=port, access_log=False, log_level=log_level,
                server_header=False)
