"""What the registry returns: model versions, alias moves and integrity reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jogak.errors import ConfigError

__all__ = ["AliasMove", "IntegrityReport", "ModelNotFoundError", "ModelVersion"]


class ModelNotFoundError(ConfigError, LookupError):
    """The registry has no such model, version or alias."""


@dataclass(frozen=True)
class ModelVersion:
    """One registered version of a model.

    Attributes
    ----------
    name, version : str, int
        The model's name and this version's number (1, 2, ... never reused).
    path : pathlib.Path
        The registry's own verified copy of the bundle (load it with ``Registry.load``).
    aliases : tuple of str
        Aliases pointing at this version (``production``, ``staging``, ...).
    manifest_sha256 : str
        Identifies the bundle's content.
    kind, task, target : str or None
        From the bundle's manifest.
    metrics : dict
        Cross-validation ``{metric: {"mean": m, "std": s}}`` from the manifest.
    source : str or None
        Where the bundle was registered from.
    created_at : str
        ISO 8601 time of registration (UTC).
    """

    name: str
    version: int
    path: Path
    manifest_sha256: str
    kind: str | None = None
    task: str | None = None
    target: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    description: str | None = None
    created_at: str = ""
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"name": self.name, "version": self.version, "path": str(self.path),
                "aliases": list(self.aliases), "manifest_sha256": self.manifest_sha256,
                "kind": self.kind, "task": self.task, "target": self.target,
                "metrics": self.metrics, "source": self.source,
                "description": self.description, "created_at": self.created_at}


@dataclass(frozen=True)
class AliasMove:
    """An alias that moved: from which version (None if it was unset) to which."""

    name: str
    alias: str
    previous: int | None
    current: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"name": self.name, "alias": self.alias, "previous": self.previous,
                "current": self.current}


@dataclass(frozen=True)
class IntegrityReport:
    """The result of ``Registry.check``.

    ``problems`` are inconsistencies readers would see (an indexed version whose folder is
    missing or fails its hash checks); ``leftovers`` are folders of interrupted writers that no
    reader sees and the next writer removes. ``is_consistent`` means no problems.
    """

    n_versions: int
    problems: tuple[str, ...]
    leftovers: tuple[str, ...]

    @property
    def is_consistent(self) -> bool:
        return not self.problems
