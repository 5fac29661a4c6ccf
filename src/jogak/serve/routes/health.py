"""``/health`` (no key), ``/ready`` and ``/metrics``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST

from jogak.errors import JogakError
from jogak.serve.dependencies import CallerDep, StateDep
from jogak.serve.routes._errors import ERRORS

__all__ = ["router"]

router = APIRouter(tags=["service"])


@router.get("/health", summary="Liveness (no key needed)")
async def health() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/ready", summary="Readiness: registry reachable and default model loaded",
            responses={401: ERRORS[401], 503: {"description": "Not ready, with the reason."}})
def ready(state: StateDep, _caller: CallerDep) -> JSONResponse:
    """200 when the registry answers and the default model (if any) is loaded; else 503."""
    try:
        state.registry.list_models()
        ref = state.default_ref()
        if ref is not None:
            state.cache.get(ref)
    except JogakError as exc:
        return JSONResponse({"status": "not ready", "reason": " ".join(str(exc).split())},
                            status_code=503)
    loaded = [f"{m.name}@{m.version}" for m in state.cache.loaded()]
    return JSONResponse({"status": "ready", "default": ref, "loaded": loaded})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response,
            responses={200: {"content": {CONTENT_TYPE_LATEST: {}}}, 401: ERRORS[401]})
async def metrics(state: StateDep, _caller: CallerDep) -> Response:
    """Request counts by route and status, latency histogram, rows predicted, loaded versions."""
    pending = 0 if state.prediction_log is None else state.prediction_log.pending_rows
    body = state.metrics.render([(m.name, m.version) for m in state.cache.loaded()], pending)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
