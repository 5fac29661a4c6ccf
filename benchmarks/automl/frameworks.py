"""Which interpreter and runner script each benchmarked framework uses.

jogak and the simple baselines run in jogak's venv (the interpreter running the harness, or
env JOGAK_BENCH_PYTHON); FLAML and AutoGluon in their own venvs under env JOGAK_PEERS_DIR
(default /work/peers), built by benchmarks/setup_peers.sh.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FRAMEWORKS", "RUNNER_DIR", "Framework", "peers_dir"]

RUNNER_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Framework:
    """A framework's name, venv (None = jogak's), runner script and runner options."""

    name: str
    venv: str | None
    runner: str
    options: dict[str, Any] = field(default_factory=dict)
    uses_budget: bool = True  # False: fits without a time limit (the baselines)

    @property
    def python(self) -> Path:
        if self.venv is None:
            return Path(os.environ.get("JOGAK_BENCH_PYTHON", sys.executable))
        return peers_dir() / self.venv / "bin" / "python"

    @property
    def script(self) -> Path:
        return RUNNER_DIR / self.runner


def peers_dir() -> Path:
    """Where setup_peers.sh put the peer venvs."""
    return Path(os.environ.get("JOGAK_PEERS_DIR", "/work/peers"))


FRAMEWORKS: dict[str, Framework] = {f.name: f for f in [
    Framework("jogak", None, "run_jogak.py"),
    Framework("flaml", "flaml", "run_flaml.py"),
    Framework("autogluon_best", "autogluon", "run_autogluon.py", {"presets": "best_quality"}),
    Framework("autogluon_medium", "autogluon", "run_autogluon.py",
              {"presets": "medium_quality"}),
    Framework("lightgbm_default", None, "run_baselines.py", {"model": "lightgbm_default"},
              uses_budget=False),
    Framework("rf300", None, "run_baselines.py", {"model": "rf300"}, uses_budget=False),
    Framework("constant", None, "run_baselines.py", {"model": "constant"}, uses_budget=False),
]}
