"""``jogak report``: one self-contained HTML report for a model."""

from __future__ import annotations

from jogak.cli._app import app  # noqa: F401  (commands register on it)
