"""Settings from the environment, read by entry points only (cli, serve, dashboard).

``JOGAK_HOME`` (default ``~/.jogak``) holds models and databases; ``JOGAK_DATA_DIR`` (default
``../shared/datasets`` beside the repository) holds the real datasets for tests and the
quickstart.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings"]

_REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    """Where jogak keeps its state and finds data."""

    home: Path
    data_dir: Path | None

    @classmethod
    def from_env(cls) -> Settings:
        home = Path(os.environ.get("JOGAK_HOME", Path.home() / ".jogak")).expanduser()
        configured = os.environ.get("JOGAK_DATA_DIR")
        if configured:
            data_dir: Path | None = Path(configured).expanduser()
        else:
            candidates = [Path.cwd().parent / "shared" / "datasets",
                          _REPO_ROOT.parent / "shared" / "datasets"]
            data_dir = next((c for c in candidates if (c / "INDEX.md").exists()), None)
        return cls(home=home, data_dir=data_dir)

    @property
    def models_dir(self) -> Path:
        return self.home / "models"
