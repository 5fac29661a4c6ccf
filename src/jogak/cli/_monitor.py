"""``jogak monitor``: drift and performance of a model on current data."""

from __future__ import annotations

from jogak.cli._app import app  # noqa: F401  (commands register on it)
