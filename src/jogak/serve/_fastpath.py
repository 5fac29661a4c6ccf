"""The hot path of single-row scoring, answered before FastAPI's routing and dependencies.

``POST /v1/models/{name}/predict`` with ``{"record": {...}}`` and ``POST /invocations`` with
one row are what a live system sends thousands of times a second; FastAPI's route matching,
dependency solving and body model cost as much CPU as the model itself. This middleware
answers exactly the *successful* form of those requests (a valid key with rights, a loaded
model, a plain JSON body, a record the schema accepts) through the same scoring functions the
routes call, and hands every other request -- and anything unexpected, including every refusal
-- to the FastAPI app with its body replayed, so errors, OpenAPI and dependency overrides keep
one implementation. The answers are byte-for-byte those of the routes (tested).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jogak.serve._json import json_bytes
from jogak.serve._prediction_log import request_id

if TYPE_CHECKING:
    from fastapi import FastAPI

    from jogak.serve._models import LoadedModel
    from jogak.serve._state import AppState

__all__ = ["SingleRowMiddleware"]

_PREDICT = re.compile(r"/v1/models/([^/]{1,100})/predict")
_PREDICT_KEYS = frozenset({"record", "probabilities", "operating_point", "explain"})
_MLFLOW_FORMS = ("dataframe_records", "dataframe_split", "instances", "inputs")
_MLFLOW_KEYS = frozenset({*_MLFLOW_FORMS, "params"})
_Handler = Callable[["AppState", "LoadedModel", Any, "str | None"], dict[str, Any]]


@dataclass(frozen=True)
class _Route:
    """What ``ObserveMiddleware`` reads of ``scope["route"]``: the route template."""

    path: str


_PREDICT_ROUTE = _Route("/v1/models/{name}/predict")
_INVOCATIONS_ROUTE = _Route("/invocations")


class _NotFast(Exception):
    """This request takes the full FastAPI path."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


class SingleRowMiddleware:
    """Answers successful single-row predictions directly; passes everything else on."""

    def __init__(self, app: ASGIApp, *, service: FastAPI) -> None:
        self.app = app
        self.service = service
        self._names: dict[str, str] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope.get("root_path") \
                or self.service.dependency_overrides:
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path == "/invocations":
            kind, name = "invocations", None
        else:
            match = _PREDICT.fullmatch(path)
            if match is None:
                await self.app(scope, receive, send)
                return
            kind, name = "predict", match.group(1)
        chunks, more = [], True
        first: list[Message] = []
        while more:
            message = await receive()
            if message["type"] != "http.request":
                first.append(message)
                break
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        answer = None
        if not first:
            try:
                answer = self._answer(scope, kind, name, body)
            except _NotFast:
                answer = None
            except Exception:  # noqa: BLE001 - refusals and failures get the routes' answers
                answer = None
        if answer is None:
            await self.app(scope, _replay(body, first, receive), send)
            return
        payload, headers = answer
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    def _answer(self, scope: Scope, kind: str, name: str | None,
                body: bytes) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
        from jogak.serve.routes import invocations, models

        content_type = _header(scope, b"content-type")
        if content_type is None or content_type.split(";")[0].strip() != "application/json":
            raise _NotFast
        state: AppState = self.service.state.jogak
        principal = None
        if state.settings.auth:
            scheme, _, credentials = (_header(scope, b"authorization") or "").partition(" ")
            if scheme.lower() != "bearer" or not credentials.strip():
                raise _NotFast
            principal = state.keys.find(credentials.strip())
            if principal is None:
                raise _NotFast
        parsed = json.loads(body)
        if not isinstance(parsed, dict):
            raise _NotFast
        ref: str | None
        if kind == "predict":
            ref, request_body = name, _predict_body(parsed)
            handler: _Handler = models.predict_body
            route = _PREDICT_ROUTE
        else:
            ref = state.settings.default_model or state.only_model
            request_body = _invocations_body(parsed)
            handler = invocations.invoke_body
            route = _INVOCATIONS_ROUTE
        if ref is None:
            raise _NotFast
        model_name = self._names.get(ref)
        if model_name is None:
            from jogak.registry import parse_ref

            model_name = self._names[ref] = parse_ref(ref).name
        if principal is not None and not principal.allows(model_name):
            raise _NotFast
        loaded = state.cache.cached(ref)
        if loaded is None:
            raise _NotFast
        logged = None if state.prediction_log is None else \
            request_id(_header(scope, b"x-request-id"))
        result = handler(state, loaded, request_body, logged)
        if kind == "invocations" and len(result["predictions"]) != 1:
            raise _NotFast  # pragma: no cover - _invocations_body admits one row only
        scope["route"] = route
        scope.setdefault("state", {})["jogak_log"] = {
            "model": loaded.name, "version": loaded.version,
            "n_rows": result.get("n_rows", len(result["predictions"]))}
        payload = json_bytes(result)
        headers = [(b"content-length", str(len(payload)).encode()),
                   (b"content-type", b"application/json")]
        if logged is not None:
            headers.append((b"x-request-id", logged.encode()))
        return payload, headers


def _predict_body(parsed: dict[str, Any]) -> Any:
    from jogak.serve.schemas import PredictRequest

    if not parsed.keys() <= _PREDICT_KEYS or type(parsed.get("record")) is not dict:
        raise _NotFast
    probabilities = parsed.get("probabilities", True)
    point = parsed.get("operating_point")
    explain = parsed.get("explain", 0)
    if type(probabilities) is not bool or not (point is None or type(point) is str) or \
            type(explain) is not int or explain != 0:
        raise _NotFast
    return PredictRequest.model_construct(record=parsed["record"], probabilities=probabilities,
                                          operating_point=point, explain=0)


def _invocations_body(parsed: dict[str, Any]) -> Any:
    from jogak.serve.schemas import InvocationsRequest

    given = [form for form in _MLFLOW_FORMS if parsed.get(form) is not None]
    if not parsed.keys() <= _MLFLOW_KEYS or given != ["dataframe_records"]:
        raise _NotFast
    rows, params = parsed["dataframe_records"], parsed.get("params")
    if type(rows) is not list or len(rows) != 1 or type(rows[0]) is not dict or \
            not (params is None or type(params) is dict):
        raise _NotFast
    return InvocationsRequest.model_construct(dataframe_records=rows, params=params)


def _replay(body: bytes, extra: list[Message], receive: Receive) -> Receive:
    pending: list[Message] = [{"type": "http.request", "body": body, "more_body": False},
                              *extra]

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed
