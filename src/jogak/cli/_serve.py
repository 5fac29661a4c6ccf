"""``jogak serve``: the HTTP prediction service."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from jogak.cli._app import app

if TYPE_CHECKING:
    from jogak.serve import PredictionLogSettings

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
    log_predictions: Annotated[str | None, typer.Option(
        envvar="JOGAK_PREDICTION_LOG",
        help="Log every predicted row to this SQLite file or database URL "
             "(postgresql://...), off the request path; 'default' means "
             "JOGAK_HOME/predictions.db.")] = None,
    log_entity: Annotated[str | None, typer.Option(
        envvar="JOGAK_PREDICTION_LOG_ENTITY",
        help="Request column with the entity key (e.g. customerID); stored only as a keyed "
             "token.")] = None,
    log_key_file: Annotated[Path | None, typer.Option(
        envvar="JOGAK_PREDICTION_LOG_KEY_FILE",
        help="Pseudonymisation key of the entity tokens (default JOGAK_HOME/prediction-log.key, "
             "created on first use).")] = None,
    log_columns: Annotated[str | None, typer.Option(
        envvar="JOGAK_PREDICTION_LOG_COLUMNS",
        help="Comma-separated request columns whose values are logged too (e.g. features to "
             "watch for drift); nothing else of a row is stored.")] = None,
) -> None:
    """Serve the registry's models over HTTP (API keys from JOGAK_API_KEYS, KEY:all or
    KEY:model_a|model_b, comma-separated)."""
    import uvicorn

    from jogak.config import Settings
    from jogak.errors import ConfigError
    from jogak.serve import JsonLogFormatter, ServeSettings, create_app

    if log_level not in ("debug", "info", "warning", "error"):
        raise ConfigError(f"--log-level must be debug, info, warning or error; got {log_level!r}.")
    environment = Settings.from_env()
    prediction_log = None
    if log_predictions is not None:
        prediction_log = _log_settings(environment.home, log_predictions, log_entity,
                                       log_key_file, log_columns)
    elif log_entity or log_columns:
        raise ConfigError("--log-entity and --log-columns need --log-predictions FILE-or-URL "
                          "(or JOGAK_PREDICTION_LOG).")
    settings = ServeSettings.from_settings(
        environment, auth=not no_auth, default_model=model, prediction_log=prediction_log,
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


def _log_settings(home: Path, target: str, entity: str | None, key_file: Path | None,
                  columns: str | None) -> PredictionLogSettings:
    from jogak.data.privacy import PseudonymKey, generate_key_file
    from jogak.serve import PredictionLogSettings

    if target.strip() == "default":
        home.mkdir(parents=True, exist_ok=True)
        target = str(home / "predictions.db")
    key = None
    if entity is not None:
        path = key_file if key_file is not None else home / "prediction-log.key"
        if key_file is None and not path.exists():
            home.mkdir(parents=True, exist_ok=True)
            generate_key_file(path)
            typer.echo(f"created the prediction log's key {path} (keep it apart from the log)",
                       err=True)
        key = PseudonymKey.from_file(path)
    keep = tuple(name.strip() for name in (columns or "").split(",") if name.strip())
    return PredictionLogSettings(target=target, entity_column=entity, key=key,
                                 keep_columns=keep)
