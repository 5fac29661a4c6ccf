"""``jogak serve``: the HTTP prediction service."""

from __future__ import annotations

from jogak.cli._app import app  # noqa: F401  (commands register on it)
