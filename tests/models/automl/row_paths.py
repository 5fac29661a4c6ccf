"""Helpers shared by the compiled row-path tests."""

from __future__ import annotations

import io
from typing import Any

import joblib


def round_trip(row_path: Any) -> Any:
    """``row_path`` pickled and read back in memory, as a saved bundle stores it."""
    buffer = io.BytesIO()
    joblib.dump(row_path, buffer)
    buffer.seek(0)
    return joblib.load(buffer)  # noqa: TID251 - our own object, round trip in memory
