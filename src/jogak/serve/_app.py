"""``create_app(settings)``: the FastAPI service over the model registry."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from jogak.errors import BundleError, JogakError, MissingDependencyError
from jogak.registry import ModelNotFoundError
from jogak.serve._fastpath import SingleRowMiddleware
from jogak.serve._middleware import BodyLimitMiddleware, ObserveMiddleware
from jogak.serve._scoring import RequestRefused
from jogak.serve._settings import ServeSettings
from jogak.serve._state import AppState
from jogak.serve.routes import default_routers

__all__ = ["create_app"]

logger = logging.getLogger("jogak.serve")


def _errors(status: int, msg: str, kind: str, headers: dict[str, str] | None = None,
            log: dict[str, Any] | None = None, request: Request | None = None) -> JSONResponse:
    if request is not None and log:
        request.state.jogak_log = {**getattr(request.state, "jogak_log", {}), **log}
    return JSONResponse({"detail": [{"loc": [], "msg": " ".join(msg.split()), "type": kind}]},
                        status_code=status, headers=headers)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestRefused)
    async def refused(request: Request, exc: RequestRefused) -> JSONResponse:
        request.state.jogak_log = {**getattr(request.state, "jogak_log", {}),
                                   "rules": sorted({str(i.get("rule")) for i in exc.items}),
                                   "fields": sorted({str(i["field"]) for i in exc.items
                                                     if i.get("field")})}
        return JSONResponse({"detail": exc.items}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        items = []
        for error in exc.errors():
            loc = [part if isinstance(part, int) else str(part) for part in error["loc"]]
            fields = [part for part in loc[1:] if isinstance(part, str)]
            items.append({"loc": loc, "msg": error["msg"], "type": error["type"],
                          "field": fields[-1] if fields else None, "rule": error["type"]})
        request.state.jogak_log = {**getattr(request.state, "jogak_log", {}),
                                   "rules": sorted({i["rule"] for i in items})}
        return JSONResponse({"detail": items}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _errors(exc.status_code, str(exc.detail), f"http_{exc.status_code}",
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(ModelNotFoundError)
    async def not_found(request: Request, exc: ModelNotFoundError) -> JSONResponse:
        return _errors(404, str(exc), "model_not_found")

    @app.exception_handler(MissingDependencyError)
    async def missing(request: Request, exc: MissingDependencyError) -> JSONResponse:
        return _errors(501, str(exc), "missing_dependency")

    @app.exception_handler(BundleError)
    async def bundle(request: Request, exc: BundleError) -> JSONResponse:
        logger.error("model cannot be loaded", extra={"jogak": {"event": "bundle_error"}})
        return _errors(503, str(exc), "model_unavailable")

    @app.exception_handler(JogakError)
    async def jogak_error(request: Request, exc: JogakError) -> JSONResponse:
        return _errors(422, str(exc), "invalid_input")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        logger.error("unexpected error", exc_info=exc, extra={"jogak": {"event": "error"}})
        return _errors(500, "Internal error; the service log has the exception type.",
                       "internal_error")


def _watch(state: AppState, stop: threading.Event) -> None:
    while not stop.wait(state.settings.reload_seconds):
        try:
            state.refresh()
        except Exception as exc:  # noqa: BLE001 - the watcher must outlive a database hiccup
            logger.warning("model refresh failed", extra={"jogak": {
                "event": "refresh_failed", "error": type(exc).__name__}})


def create_app(settings: ServeSettings, *, extra_routers: Sequence[APIRouter] = ()) -> FastAPI:
    """Build the HTTP service (nothing happens at import time; one app owns its state).

    Parameters
    ----------
    settings : ServeSettings
        See :class:`ServeSettings`; build it from the environment with
        ``ServeSettings.from_settings(jogak.config.Settings.from_env())``.
    extra_routers : sequence of fastapi.APIRouter
        Added after the built-in routes (``/health``, ``/ready``, ``/metrics``,
        ``/v1/models``, ``/invocations``); protect them with ``dependencies.CallerDep``.

    Returns
    -------
    fastapi.FastAPI
        Run it with uvicorn; the registry is opened here (a bad database URL fails now), the
        default model is loaded and the alias watcher started when the app starts.

    Raises
    ------
    ConfigError
        For invalid settings or an unreachable registry index.
    """
    if not isinstance(settings, ServeSettings):
        from jogak.errors import ConfigError

        raise ConfigError(f"create_app needs a ServeSettings, got {type(settings).__name__}. "
                          "Hint: ServeSettings.from_settings(Settings.from_env()).")
    state = AppState.open(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        ref = state.default_ref()
        if ref is not None:
            try:
                state.cache.get(ref)
            except JogakError as exc:
                logger.warning("default model not loaded", extra={"jogak": {
                    "event": "default_model_unavailable", "ref": ref,
                    "error": type(exc).__name__}})
        stop = threading.Event()
        watcher = threading.Thread(target=_watch, args=(state, stop), daemon=True,
                                   name="jogak-alias-watcher")
        watcher.start()
        if state.prediction_log is not None:
            state.prediction_log.start()
        try:
            yield
        finally:
            stop.set()
            if state.prediction_log is not None:
                state.prediction_log.close()  # writes every queued row first
            watcher.join(timeout=10)
            state.registry.close()

    from jogak import __version__

    app = FastAPI(title="jogak", version=__version__, lifespan=lifespan,
                  description="Predictions, explanations and MLflow-compatible scoring for the "
                              "models in jogak's registry. Every route but /health needs "
                              "`Authorization: Bearer <key>` (keys from JOGAK_API_KEYS).")
    app.state.jogak = state
    _install_handlers(app)
    for router in [*default_routers(), *extra_routers]:
        app.include_router(router)
    app.add_middleware(SingleRowMiddleware, service=app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(ObserveMiddleware, metrics=state.metrics)
    return app
