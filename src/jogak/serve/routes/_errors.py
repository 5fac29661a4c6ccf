"""Standard error responses documented on every protected route."""

from __future__ import annotations

from typing import Any

from jogak.serve.schemas import ErrorResponse

__all__ = ["ERRORS"]

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The body cannot be decoded (not UTF-8 JSON)."},
    401: {"model": ErrorResponse, "description": "No API key, or an unknown one."},
    403: {"model": ErrorResponse, "description": "The key may not use this model."},
    404: {"model": ErrorResponse, "description": "No such model, version or alias."},
    413: {"model": ErrorResponse, "description": "Body or row count over the service's limits."},
    422: {"model": ErrorResponse, "description": "Input does not match the model's schema: "
                                                 "each item names the field and the rule."},
}
