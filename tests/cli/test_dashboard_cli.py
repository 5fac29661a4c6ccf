"""``jogak dashboard`` builds the streamlit command with the home passed down."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from jogak.cli import app
from jogak.dashboard import APP_PATH


def test_dashboard_runs_streamlit_on_the_home(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    def fake_run(command: list[str], check: bool) -> Any:
        seen.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(subprocess, "run", fake_run)
    monkeypatch.setenv("JOGAK_HOME", str(tmp_path / "envhome"))
    result = CliRunner().invoke(app, ["dashboard", "--home", str(tmp_path), "--port", "8765",
                                      "--headless"])
    assert result.exit_code == 0, result.output
    command = seen[0]
    assert command[:5] == [sys.executable, "-m", "jogak.dashboard._main", "run", str(APP_PATH)]
    assert command[command.index("--server.port") + 1] == "8765"
    assert command[command.index("--server.headless") + 1] == "true"
    assert command[command.index("--") + 1:] == ["--home", str(tmp_path)]

    seen.clear()
    assert CliRunner().invoke(app, ["dashboard"]).exit_code == 0
    assert seen[0][-2:] == ["--home", str(tmp_path / "envhome")]


def test_dashboard_rejects_bad_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail("must not start"))
    result = CliRunner().invoke(app, ["dashboard", "--home", str(tmp_path), "--port", "0"])
    assert result.exit_code == 2
    assert "port must be a whole number from 1 to 65535" in result.output
    result = CliRunner().invoke(app, ["dashboard", "--home", str(tmp_path), "--model",
                                      str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
