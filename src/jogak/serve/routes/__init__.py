"""The service's routers, one module per resource; ``create_app`` includes each ``router``.

To add a resource (e.g. ``/v1/sto``), write ``routes/<resource>.py`` with an
``APIRouter`` named ``router`` and add its module path to :data:`ROUTE_MODULES`, or pass the
router to ``create_app(settings, extra_routers=[...])``.
"""

from __future__ import annotations

import importlib

from fastapi import APIRouter

__all__ = ["ROUTE_MODULES", "default_routers"]

ROUTE_MODULES: tuple[str, ...] = (
    "jogak.serve.routes.health",
    "jogak.serve.routes.models",
    "jogak.serve.routes.invocations",
    "jogak.serve.routes.recommend",
    "jogak.serve.routes.sto",
)


def default_routers() -> list[APIRouter]:
    """The ``router`` of every module in :data:`ROUTE_MODULES`."""
    return [importlib.import_module(name).router for name in ROUTE_MODULES]
