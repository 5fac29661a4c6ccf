"""``/v1/recommend``: recommendations, similar titles, plot search and curation blocks.

The service's model cache serves AutoML bundles (it checks a feature schema); recommender
bundles (manifest kind ``jogak.recommend``) are loaded here instead, through
:func:`jogak.solutions.recommend.load_recommender`, once per registered version. A reference
(``films``, ``films@production``) is re-resolved against the registry after the service's
``reload_seconds``, so a moved alias is picked up like the AutoML models' aliases.

Add the router with ``create_app(settings, extra_routers=[router])`` (or list this module in
``jogak.serve.routes.ROUTE_MODULES``).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from jogak.errors import ConfigError
from jogak.registry import parse_ref
from jogak.serve._state import AppState
from jogak.serve.dependencies import CallerDep, StateDep, require_model_right
from jogak.serve.routes._errors import ERRORS

__all__ = ["RecommenderCache", "router"]

BUNDLE_KIND = "jogak.recommend"
_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: ERRORS[code] for code in (400, 401, 403, 404, 413, 422)}

router = APIRouter(prefix="/v1/recommend", tags=["recommend"])

ModelPath = Annotated[str, Path(description="NAME, NAME@alias or NAME@version of a registered "
                                            "recommender bundle.", max_length=100)]
TopK = Annotated[int, Query(ge=1, le=1000, description="Number of titles to return.")]


@dataclass
class RecommenderCache:
    """Loaded recommenders by (name, version), and references resolved at most every
    ``ttl_seconds``."""

    ttl_seconds: float
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _models: dict[tuple[str, int], Any] = field(default_factory=dict)
    _refs: dict[str, tuple[tuple[str, int], float]] = field(default_factory=dict)

    def get(self, state: AppState, ref: str) -> tuple[str, int, Any]:
        """``(name, version, model)`` of the recommender ``ref`` points to."""
        now = time.monotonic()
        resolved = self._refs.get(ref)
        if resolved is not None and now - resolved[1] < self.ttl_seconds:
            key = resolved[0]
            model = self._models.get(key)
            if model is not None:
                return key[0], key[1], model
        version = state.registry.get(ref)  # ModelNotFoundError → 404 by the app's handler
        if version.kind != BUNDLE_KIND:
            raise HTTPException(404, f"Model {ref!r} is a {version.kind or 'unknown'} bundle, "
                                     f"not a recommender ({BUNDLE_KIND}). Hint: register the "
                                     "folder written by 'jogak recommend train'.")
        key = (version.name, version.version)
        with self._lock:
            model = self._models.get(key)
            if model is None:
                from jogak.solutions.recommend import load_recommender

                model = load_recommender(version.path)
                self._models[key] = model
            self._refs[ref] = (key, now)
            in_use = {target for target, _ in self._refs.values()}
            for stale in [k for k in self._models if k not in in_use]:
                del self._models[stale]
        return key[0], key[1], model


def _cache(request: Request, state: AppState) -> RecommenderCache:
    cache = getattr(request.app.state, "jogak_recommenders", None)
    if cache is None:
        cache = RecommenderCache(ttl_seconds=float(state.settings.reload_seconds))
        request.app.state.jogak_recommenders = cache
    return cache


def _recommender(request: Request, state: AppState, caller: Any, ref: str) -> tuple[str, int, Any]:
    try:
        name = parse_ref(ref).name
    except ConfigError as exc:
        raise HTTPException(404, f"No model {ref!r}: {exc}") from exc
    require_model_right(caller, name)
    return _cache(request, state).get(state, ref)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(frame.to_json(orient="records"))
    return records


class RecommendResponse(BaseModel):
    """Ranked titles: ``rank, item, [title], score, [topic], source`` per result."""

    model: str
    version: int
    fallback: bool = Field(description="True when the caller got the diverse popular list "
                                       "(unknown user, or none of the given titles known).")
    results: list[dict[str, Any]]
    query_topics: list[str] | None = None


class FirstTitles(BaseModel):
    """A new user's first titles (ids as in the catalogue; unknown ids are ignored)."""

    model_config = ConfigDict(extra="forbid")
    items: list[str | int] = Field(max_length=1000)
    k: int = Field(10, ge=1, le=1000)


class SearchQuery(BaseModel):
    """A free-text plot or mood query."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(min_length=1, max_length=2000)
    k: int = Field(10, ge=1, le=1000)


def _response(name: str, version: int, frame: pd.DataFrame, **extra: Any) -> dict[str, Any]:
    fallback = bool(len(frame)) and bool((frame["source"] == "popular (unknown user)").all())
    return {"model": name, "version": version, "fallback": fallback,
            "results": _records(frame), **extra}


@router.get("/{model}/users/{user}", response_model=RecommendResponse,
            summary="Top titles for a user", responses=_RESPONSES)
def for_user(model: ModelPath, user: Annotated[str, Path(max_length=200)], request: Request,
             state: StateDep, caller: CallerDep, k: TopK = 10) -> dict[str, Any]:
    """The user's top-``k`` unseen titles; an unknown user gets the diverse popular list
    (``fallback: true``)."""
    name, version, recommender = _recommender(request, state, caller, model)
    return _response(name, version, recommender.recommend(user, k=k))


@router.post("/{model}/users", response_model=RecommendResponse,
             summary="Top titles for a new user from their first titles", responses=_RESPONSES)
def for_new_user(model: ModelPath, body: FirstTitles, request: Request, state: StateDep,
                 caller: CallerDep) -> dict[str, Any]:
    """Item-to-item recommendations from the titles a new user chose first."""
    name, version, recommender = _recommender(request, state, caller, model)
    return _response(name, version, recommender.recommend_for_items(body.items, k=body.k))


@router.get("/{model}/items/{item}/similar", response_model=RecommendResponse,
            summary="Titles similar to a title", responses=_RESPONSES)
def similar(model: ModelPath, item: Annotated[str, Path(max_length=200)], request: Request,
            state: StateDep, caller: CallerDep, k: TopK = 10) -> dict[str, Any]:
    """Titles most like ``item`` (content and collaborative similarity); 404 for an unknown
    title."""
    from jogak.solutions.recommend import UnknownIdError

    name, version, recommender = _recommender(request, state, caller, model)
    try:
        frame = recommender.similar(item, k=k)
    except UnknownIdError as exc:
        raise HTTPException(404, str(exc)) from exc
    return _response(name, version, frame)


@router.post("/{model}/search", response_model=RecommendResponse,
             summary="Titles matching a plot or mood query", responses=_RESPONSES)
def search(model: ModelPath, body: SearchQuery, request: Request, state: StateDep,
           caller: CallerDep) -> dict[str, Any]:
    """Titles ranked by synopsis similarity to the query, with the query's topics."""
    name, version, recommender = _recommender(request, state, caller, model)
    frame = recommender.search(body.query, k=body.k)
    return _response(name, version, frame, query_topics=list(frame.attrs["query_topics"]))


@router.get("/{model}/blocks", response_model=RecommendResponse,
            summary="Curation blocks built from synopsis topics", responses=_RESPONSES)
def blocks(model: ModelPath, request: Request, state: StateDep, caller: CallerDep,
           n_blocks: Annotated[int, Query(ge=1, le=50)] = 6,
           per_block: Annotated[int, Query(ge=1, le=100)] = 10) -> dict[str, Any]:
    """Shelves of titles by synopsis topic, the most popular titles left out."""
    from jogak.solutions.recommend import curation_blocks

    name, version, recommender = _recommender(request, state, caller, model)
    frame = curation_blocks(recommender, n_blocks=n_blocks, per_block=per_block)
    return {"model": name, "version": version, "fallback": False, "results": _records(frame)}
