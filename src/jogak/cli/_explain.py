"""``jogak explain``: per-row contributions in source-column space."""

from __future__ import annotations

from jogak.cli._app import app  # noqa: F401  (commands register on it)
