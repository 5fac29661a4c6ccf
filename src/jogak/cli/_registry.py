"""``jogak registry``: register, list, describe, promote, rollback, delete model versions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from jogak.cli._app import app

__all__ = ["group"]

group = typer.Typer(help="Versioned model registry: register, list, describe, promote, "
                         "rollback, delete.", no_args_is_help=True)
app.add_typer(group, name="registry")

_err = Console(stderr=True)
JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")]


def _registry() -> Any:
    from jogak.config import Settings
    from jogak.registry import Registry

    settings = Settings.from_env()
    return Registry(settings.home, settings.database_url)


def _emit(payload: dict[str, Any], as_json: bool, human: str) -> None:
    if as_json:
        typer.echo(json.dumps(payload, default=str))
    else:
        _err.print(human)


@group.command()
def register(
    bundle: Annotated[Path, typer.Argument(help="A model bundle folder.")],
    name: Annotated[str, typer.Option("--name", "-n", help="The model's name.")],
    alias: Annotated[str | None, typer.Option(help="Point this alias (e.g. production) at "
                                                   "the new version.")] = None,
    description: Annotated[str | None, typer.Option(help="Free text kept with it.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Copy a verified bundle in as the next version of NAME."""
    with _registry() as registry:
        version = registry.register(bundle, name, alias=alias, description=description)
    _emit(version.to_dict(), as_json, f"registered [bold]{version.name}@{version.version}"
                                      f"[/bold]{' as ' + alias if alias else ''} "
                                      f"({version.path})")


@group.command("list")
def list_versions(
    name: Annotated[str | None, typer.Argument(help="Only this model.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Every registered version with its aliases and CV metric."""
    with _registry() as registry:
        versions = registry.list_versions(name)
    if as_json:
        typer.echo(json.dumps({"versions": [v.to_dict() for v in versions]}, default=str))
        return
    table = Table(title=f"{len(versions)} registered version(s)")
    for column in ("name", "version", "aliases", "task", "metrics (CV mean)", "registered"):
        table.add_column(column)
    for v in versions:
        metrics = ", ".join(f"{k} {m['mean']:.4g}" for k, m in list(v.metrics.items())[:2]
                            if isinstance(m, dict) and isinstance(m.get("mean"), int | float))
        table.add_row(v.name, str(v.version), ", ".join(v.aliases), v.task or "", metrics,
                      v.created_at)
    Console().print(table)


@group.command()
def describe(
    ref: Annotated[str, typer.Argument(help="NAME, NAME@alias or NAME@version.")],
    as_json: JsonOption = False,
) -> None:
    """A version's record and manifest summary."""
    with _registry() as registry:
        info = registry.describe(ref)
    if as_json:
        typer.echo(json.dumps(info, default=str))
        return
    manifest = info.pop("manifest")
    table = Table(title=f"{info['name']}@{info['version']}", show_header=False)
    for key in ("aliases", "task", "target", "created_at", "source", "path",
                "manifest_sha256"):
        table.add_row(key, str(info[key]))
    for key in ("estimator", "metric", "classes", "n_trials"):
        if key in manifest:
            table.add_row(key, str(manifest[key]))
    table.add_row("features", ", ".join(manifest.get("feature_names_in", [])))
    for metric, value in info["metrics"].items():
        table.add_row(f"cv {metric}", f"{value['mean']:.5g} ± {value['std']:.2g}")
    Console().print(table)


@group.command()
def promote(
    name: Annotated[str, typer.Argument(help="The model's name.")],
    version: Annotated[int, typer.Argument(help="The version to promote.")],
    alias: Annotated[str, typer.Option(help="The alias to move.")] = "production",
    as_json: JsonOption = False,
) -> None:
    """Point an alias (default production) at VERSION; a running service swaps it in."""
    with _registry() as registry:
        move = registry.promote(name, version, alias)
    _emit(move.to_dict(), as_json, f"{name}@{alias}: {move.previous or '—'} → {move.current}")


@group.command()
def rollback(
    name: Annotated[str, typer.Argument(help="The model's name.")],
    alias: Annotated[str, typer.Option(help="The alias to move back.")] = "production",
    as_json: JsonOption = False,
) -> None:
    """Point an alias back at the version it pointed to before its last move."""
    with _registry() as registry:
        move = registry.rollback(name, alias)
    _emit(move.to_dict(), as_json, f"{name}@{alias}: {move.previous} → {move.current}")


@group.command()
def delete(
    name: Annotated[str, typer.Argument(help="The model's name.")],
    version: Annotated[int, typer.Argument(help="The version to delete.")],
    force: Annotated[bool, typer.Option(help="Also unset aliases pointing at it.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Remove one version (refused while an alias points at it, unless --force)."""
    with _registry() as registry:
        removed = registry.delete(name, version, force=force)
    _emit(removed.to_dict(), as_json, f"deleted {name}@{version}")
