"""Pure ASGI middleware: request size limit, and per-request metrics and structured logs."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jogak.serve._metrics import ServeMetrics

__all__ = ["BodyLimitMiddleware", "JsonLogFormatter", "ObserveMiddleware"]

access_logger = logging.getLogger("jogak.serve.access")


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


class _TooLarge(HTTPException):
    """Raised while the app reads the body; FastAPI lets HTTPExceptions through unchanged."""


class BodyLimitMiddleware:
    """413 for bodies over ``max_bytes``: by Content-Length, or while streaming a chunked body."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        text = f"The request body exceeds {self.max_bytes} bytes. Hint: send fewer rows per " \
               "request."
        message = {"detail": [{"loc": ["body"], "type": "request_too_large", "msg": text}]}
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit()
                                              or int(value) > self.max_bytes):
                await _send_json(send, 413, message)
                return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            incoming = await receive()
            if incoming["type"] == "http.request":
                received += len(incoming.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge(413, text)
            return incoming

        async def tracking_send(outgoing: Message) -> None:
            nonlocal started
            started = started or outgoing["type"] == "http.response.start"
            await send(outgoing)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _send_json(send, 413, message)


class ObserveMiddleware:
    """Counts and times every request by route template (never by raw path) and logs one JSON
    line per request: method, route, status, duration and what the route reported (model,
    version, row count, rule names) -- never a row value or a key."""

    def __init__(self, app: ASGIApp, *, metrics: ServeMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def status_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, status_send)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            self.metrics.observe(scope["method"], route, status, seconds)
            if access_logger.isEnabledFor(logging.INFO):
                fields = {"event": "request", "method": scope["method"], "route": route,
                          "status": status, "duration_ms": round(seconds * 1000, 3)}
                fields.update(scope.get("state", {}).get("jogak_log", {}))
                access_logger.info("request", extra={"jogak": fields})


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and the record's ``jogak`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict[str, Any] = {"time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
                                "level": record.levelname, "logger": record.name,
                                "message": record.getMessage()}
        body.update(getattr(record, "jogak", {}))
        if record.exc_info:
            # the type only: an exception's message may quote row values
            body["exception"] = getattr(record.exc_info[0], "__name__", "unknown")
        return json.dumps(body, default=str)
