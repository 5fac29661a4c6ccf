"""The processing record: what was done to which column, when, and with which key."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ProcessingRecord", "ProcessingStep"]

RECORD_FORMAT_VERSION = 1


@dataclass(frozen=True)
class ProcessingStep:
    """What was done to one column. Holds counts and settings, never values.

    Attributes
    ----------
    column : str
    action : str
        ``tokenize``, ``mask``, ``generalize``, ``suppress`` or ``keep``.
    kind : str or None
        The kind of personal data (``phone``, ``email``, ...).
    pii_class : str or None
        ``direct_identifier``, ``quasi_identifier``, ...
    method : str
        How: ``HMAC-SHA256 (128-bit hex token)``, ``age_band``, ...
    parameters : dict
        Settings of the method (band width, region level, ...).
    key_id : str or None
        Id of the key that made the tokens (tokenize only).
    n_values : int
        Non-missing values processed.
    """

    column: str
    action: str
    kind: str | None
    pii_class: str | None
    method: str
    parameters: dict[str, Any]
    key_id: str | None
    n_values: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"column": self.column, "action": self.action, "kind": self.kind,
                "pii_class": self.pii_class, "method": self.method,
                "parameters": dict(self.parameters), "key_id": self.key_id,
                "n_values": self.n_values}


@dataclass(frozen=True)
class ProcessingRecord:
    """The record of one pseudonymisation run, as Korea's pseudonymisation guideline asks for.

    It names the columns processed, the method and settings of each, the id (never the value)
    of the key, when it was done, how many rows and values, and the purpose and processor
    when given. It holds no data values.
    """

    created_at: str
    tool: str
    key_id: str | None
    n_rows: int
    steps: tuple[ProcessingStep, ...]
    source: str | None = None
    destination: str | None = None
    purpose: str | None = None
    processor: str | None = None
    untouched_columns: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"format_version": RECORD_FORMAT_VERSION, "created_at": self.created_at,
                "tool": self.tool, "key_id": self.key_id, "source": self.source,
                "destination": self.destination, "purpose": self.purpose,
                "processor": self.processor, "n_rows": self.n_rows,
                "steps": [step.to_dict() for step in self.steps],
                "untouched_columns": list(self.untouched_columns)}

    def to_json(self) -> str:
        """Indented JSON (UTF-8 text, Korean kept readable)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def write(self, path: str | Path) -> Path:
        """Write the record as JSON, atomically (a crash leaves no half-written file)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(self.to_json() + "\n", encoding="utf-8")
        os.replace(partial, path)
        return path
