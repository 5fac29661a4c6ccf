"""What the dashboard shows: the home folder and, optionally, one bundle and one data file.

The CLI reads the settings and passes them to ``streamlit run app.py -- --home DIR ...``; the
app parses them here (it never reads the environment itself).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

from jogak.errors import ConfigError

__all__ = ["DashboardConfig"]


@dataclass(frozen=True, kw_only=True)
class DashboardConfig:
    """Where the dashboard finds models, customers and solution results.

    Parameters
    ----------
    home : Path
        ``JOGAK_HOME``: the registry (``registry.db``, ``models/``), customers per model under
        ``data/<model name>.csv`` and solution results under ``results/<solution>/``.
    model : Path, optional
        A model bundle folder shown besides the registered models (``jogak quickstart`` writes
        one to ``jogak-output/model``).
    data : Path, optional
        The customers (rows with the model's columns) for ``model``.
    """

    home: Path
    model: Path | None = None
    data: Path | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.home, Path):
            raise ConfigError(f"home must be a pathlib.Path, got {type(self.home).__name__}.")
        if self.data is not None and self.model is None:
            raise ConfigError("--data needs --model: the data file is scored by that model. "
                              "Put data for registered models at HOME/data/<model name>.csv.")
        for name in ("model", "data"):
            value = getattr(self, name)
            if value is not None and not value.exists():
                raise ConfigError(f"{name} {value} does not exist; pass an existing "
                                  f"{'bundle folder' if name == 'model' else 'data file'}.")

    def to_argv(self) -> list[str]:
        """The arguments :meth:`from_argv` reads back."""
        argv = ["--home", str(self.home)]
        if self.model is not None:
            argv += ["--model", str(self.model)]
        if self.data is not None:
            argv += ["--data", str(self.data)]
        return argv

    @classmethod
    def from_argv(cls, argv: list[str]) -> DashboardConfig:
        """Parse ``--home DIR [--model BUNDLE] [--data FILE]`` (unknown arguments ignored)."""
        parser = argparse.ArgumentParser(prog="jogak-dashboard", add_help=False)
        parser.add_argument("--home", type=Path, default=None)
        parser.add_argument("--model", type=Path, default=None)
        parser.add_argument("--data", type=Path, default=None)
        known, _ = parser.parse_known_args(argv)
        if known.home is None:
            raise ConfigError("The dashboard needs --home DIR; start it with `jogak dashboard`.")
        return cls(home=known.home.expanduser(), model=known.model, data=known.data)
