"""JSON bodies of prediction answers, encoded by pydantic-core (Rust) instead of ``json``."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic_core import to_json
from starlette.responses import JSONResponse

__all__ = ["JsonBytesResponse", "json_bytes"]


def _fallback(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_bytes(content: Any) -> bytes:
    """Compact UTF-8 JSON; non-finite floats become ``null`` (the routes send none)."""
    return to_json(content, inf_nan_mode="null", fallback=_fallback)


class JsonBytesResponse(JSONResponse):
    """A ``JSONResponse`` rendered with :func:`json_bytes` (same bytes as the fast path)."""

    def render(self, content: Any) -> bytes:
        return json_bytes(content)
