"""Settings from the environment, read by entry points only (cli, serve, dashboard).

``JOGAK_HOME`` (default ``~/.jogak``) holds models and databases; ``JOGAK_DATA_DIR`` (default
``../shared/datasets`` beside the repository) holds the real datasets for tests and the
quickstart. ``JOGAK_DATABASE_URL`` moves the registry index to another database (PostgreSQL);
``JOGAK_API_KEYS`` lists the service's API keys (format in ``jogak.serve.parse_api_keys``);
``MLFLOW_TRACKING_URI`` turns on MLflow logging of trained models.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Settings"]

_REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    """Where jogak keeps its state and finds data."""

    home: Path
    data_dir: Path | None
    database_url: str | None = None
    api_keys: str | None = field(default=None, repr=False)  # secrets: never printed
    mlflow_tracking_uri: str | None = None

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
        return cls(home=home, data_dir=data_dir,
                   database_url=os.environ.get("JOGAK_DATABASE_URL") or None,
                   api_keys=os.environ.get("JOGAK_API_KEYS") or None,
                   mlflow_tracking_uri=os.environ.get("MLFLOW_TRACKING_URI") or None)

    @property
    def models_dir(self) -> Path:
        return self.home / "models"
