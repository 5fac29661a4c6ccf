"""``jogak serve``: settings from the environment, a clear error without keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from jogak.cli import app

KEY = "cli-test-key-0123456789"


def test_serve_without_keys_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOGAK_HOME", str(tmp_path))
    monkeypatch.delenv("JOGAK_API_KEYS", raising=False)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 2
    assert "set JOGAK_API_KEYS" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["serve", "--out-of-range", "clip"], "out_of_range must be one of"),
    (["serve", "--model", "bad/name"], "Invalid model name"),
    (["serve", "--log-level", "loud"], "--log-level must be"),
], ids=["range_policy", "model", "log_level"])
def test_serve_bad_options_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  args: list[str], message: str) -> None:
    monkeypatch.setenv("JOGAK_HOME", str(tmp_path))
    monkeypatch.setenv("JOGAK_API_KEYS", KEY)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr


@pytest.fixture
def restore_service_logger() -> Any:
    """The command configures the 'jogak.serve' logger, as an entry point should; undo it."""
    import logging

    logger = logging.getLogger("jogak.serve")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


def test_serve_builds_the_app_from_environment_and_options(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, restore_service_logger: None) -> None:
    import logging

    import uvicorn

    monkeypatch.setenv("JOGAK_HOME", str(tmp_path))
    monkeypatch.setenv("JOGAK_API_KEYS", f"{KEY}:churn")
    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda application, **kw: captured.update(
        app=application, **kw))
    result = CliRunner().invoke(app, ["serve", "--port", "8123", "--model", "churn@staging",
                                      "--strict", "--max-rows", "50"])
    assert result.exit_code == 0, result.output
    assert (captured["host"], captured["port"], captured["access_log"]) == \
        ("127.0.0.1", 8123, False)
    settings = captured["app"].state.jogak.settings
    handler = logging.getLogger("jogak.serve").handlers[0]
    assert type(handler.formatter).__name__ == "JsonLogFormatter"
    assert (settings.default_model, settings.unknown_categories, settings.out_of_range,
            settings.max_rows) == ("churn@staging", "strict", "reject", 50)
    with TestClient(captured["app"]) as client:
        assert client.get("/health").status_code == 200
        assert client.get("/v1/models", headers={"Authorization": f"Bearer {KEY}"}
                          ).json() == {"models": [], "default": "churn@staging"}
