"""``jogak registry``: register, list, describe, promote, rollback, delete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jogak.cli import app
from jogak.models._artifacts import save_bundle


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JOGAK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("JOGAK_DATABASE_URL", raising=False)
    return tmp_path


def _bundle(root: Path, tag: str) -> Path:
    return save_bundle(root / tag, objects={"model": {"tag": tag}},
                       manifest={"kind": "test", "name": tag, "task": "binary",
                                 "metrics": {"auc": {"mean": 0.81, "std": 0.02}}})


def _run(*args: str) -> dict:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_registry_commands_end_to_end(env: Path) -> None:
    first = _run("registry", "register", str(_bundle(env, "a")), "--name", "churn", "--alias",
                 "production", "--json")
    assert (first["name"], first["version"], first["aliases"]) == ("churn", 1, ["production"])
    _run("registry", "register", str(_bundle(env, "b")), "--name", "churn", "--json")
    listed = _run("registry", "list", "--json")["versions"]
    assert [(v["version"], v["aliases"]) for v in listed] == [(1, ["production"]), (2, [])]
    assert _run("registry", "promote", "churn", "2", "--json") == \
        {"name": "churn", "alias": "production", "previous": 1, "current": 2}
    described = _run("registry", "describe", "churn", "--json")
    assert described["version"] == 2
    assert described["manifest"]["name"] == "b"
    assert _run("registry", "rollback", "churn", "--json")["current"] == 1
    assert _run("registry", "delete", "churn", "2", "--json")["version"] == 2
    assert [v["version"] for v in _run("registry", "list", "churn", "--json")["versions"]] == [1]
    human = CliRunner().invoke(app, ["registry", "list"])
    assert human.exit_code == 0
    assert "churn" in human.stdout
    assert "auc 0.81" in human.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["registry", "describe", "nope"], "No model named 'nope'"),
    (["registry", "promote", "nope", "1"], "No model named 'nope'"),
    (["registry", "register", "/no/such/bundle", "--name", "m"], "does not exist"),
    (["registry", "register", ".", "--name", "bad/name"], "Invalid model name"),
    (["registry", "rollback", "nope"], "No model named 'nope'"),
], ids=["describe", "promote", "missing_bundle", "bad_name", "rollback"])
def test_registry_errors_exit_2_with_one_line(env: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_delete_of_the_production_version_needs_force(env: Path) -> None:
    _run("registry", "register", str(_bundle(env, "a")), "--name", "m", "--alias", "production",
         "--json")
    refused = CliRunner().invoke(app, ["registry", "delete", "m", "1"])
    assert refused.exit_code == 2
    assert "--force" in refused.stderr
    assert _run("registry", "delete", "m", "1", "--force", "--json")["aliases"] == ["production"]
