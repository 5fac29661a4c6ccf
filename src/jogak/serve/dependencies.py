"""FastAPI dependencies (``Annotated`` aliases; tests swap them with ``dependency_overrides``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from jogak.serve._auth import Principal
from jogak.serve._state import AppState

__all__ = ["CallerDep", "StateDep", "app_state", "caller"]

_bearer = HTTPBearer(auto_error=False, description="An API key from JOGAK_API_KEYS.")


async def app_state(request: Request) -> AppState:
    """The state of the app serving this request (``async``: FastAPI would run a plain ``def``
    dependency in a worker thread, a thread hop per request for a dict lookup)."""
    state: AppState = request.app.state.jogak
    return state


StateDep = Annotated[AppState, Depends(app_state)]


async def caller(state: StateDep,
           credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
           ) -> Principal:
    """The caller's key: 401 without a valid ``Authorization: Bearer <key>``."""
    if not state.settings.auth:
        return Principal("anonymous", None)
    principal = None if credentials is None else state.keys.find(credentials.credentials)
    if principal is None:
        reason = "missing" if credentials is None else "not valid"
        raise HTTPException(401, f"The API key is {reason}. Send 'Authorization: Bearer <key>' "
                                 "with a key from JOGAK_API_KEYS.",
                            headers={"WWW-Authenticate": "Bearer"})
    return principal


CallerDep = Annotated[Principal, Depends(caller)]


def require_model_right(principal: Principal, model: str) -> None:
    """403 unless the caller's key covers ``model``."""
    if not principal.allows(model):
        raise HTTPException(403, f"This API key ({principal.key_id}) may not use model "
                                 f"{model!r}. Hint: use a key whose JOGAK_API_KEYS scope lists "
                                 "it, or 'all'.")
