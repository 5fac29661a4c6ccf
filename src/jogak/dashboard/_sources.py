"""Models, customers and results under the home folder, loaded once and cached."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from jogak.dashboard._config import DashboardConfig
from jogak.errors import JogakError

__all__ = ["ModelEntry", "PageContext", "config", "customers", "load_entries", "model_context",
           "result_file", "selected_entry"]

_DATA_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".jsonl")


@dataclass(frozen=True)
class ModelEntry:
    """One model the dashboard can show: a registered version or the ``--model`` bundle."""

    label: str
    name: str
    path: Path
    version: int | None
    aliases: tuple[str, ...]
    task: str | None
    target: str | None
    metrics: dict[str, Any]
    created_at: str
    data: Path | None
    classes: tuple[Any, ...] = ()


@dataclass(frozen=True)
class PageContext:
    """What a model page works on."""

    config: DashboardConfig
    entry: ModelEntry
    model: Any
    frame: pd.DataFrame


def config() -> DashboardConfig:
    """The configuration the CLI passed after ``--``."""
    return DashboardConfig.from_argv(sys.argv[1:])


def _data_for(home: Path, name: str) -> Path | None:
    for suffix in _DATA_SUFFIXES:
        path = home / "data" / f"{name}{suffix}"
        if path.exists():
            return path
    return None


def _classes(bundle: Path) -> tuple[Any, ...]:
    """The class labels the bundle's manifest lists (read without loading the model)."""
    try:
        manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return ()
    return tuple(manifest.get("classes") or ())


@st.cache_data(show_spinner=False, ttl=30)
def load_entries(cfg: DashboardConfig) -> list[ModelEntry]:
    """The ``--model`` bundle first, then each registered model's current version."""
    from jogak.registry import Registry

    entries: list[ModelEntry] = []
    if cfg.model is not None:
        manifest = json.loads((cfg.model / "manifest.json").read_text(encoding="utf-8"))
        name = str(manifest.get("name") or cfg.model.name)
        entries.append(ModelEntry(
            label=f"{name} (bundle {cfg.model})", name=name, path=cfg.model, version=None,
            aliases=(), task=manifest.get("task"), target=manifest.get("target"),
            metrics=manifest.get("metrics") or {}, created_at=str(manifest.get("created_at", "")),
            data=cfg.data or _data_for(cfg.home, name),
            classes=tuple(manifest.get("classes") or ())))
    if (cfg.home / "registry.db").exists():
        with Registry(cfg.home) as registry:
            for name in registry.list_models():
                version = registry.get(name)
                tag = f"@{','.join(version.aliases)}" if version.aliases else ""
                entries.append(ModelEntry(
                    label=f"{name} v{version.version}{tag}", name=name, path=version.path,
                    version=version.version, aliases=version.aliases, task=version.task,
                    target=version.target, metrics=version.metrics,
                    created_at=version.created_at, data=_data_for(cfg.home, name),
                    classes=_classes(version.path)))
    return entries


@st.cache_resource(show_spinner="Loading the model …")
def _model(path: str) -> Any:
    from jogak.models import load_model

    return load_model(path)


@st.cache_data(show_spinner="Reading the customers …")
def customers(path: str) -> pd.DataFrame:
    """The data file of a model (read once)."""
    from jogak.data import load

    return load(path)


def result_file(cfg: DashboardConfig, solution: str, name: str) -> Path:
    """Where a solution's result file lives: ``HOME/results/<solution>/<name>``."""
    return cfg.home / "results" / solution / name


def no_model_message(cfg: DashboardConfig) -> str:
    """What to run when no model is registered."""
    return (f"No model found under `{cfg.home}`. Train and register one, then reload:\n\n"
            f"```\njogak quickstart --out jogak-output\n"
            f"JOGAK_HOME={cfg.home} jogak registry register jogak-output/model --name churn "
            f"--alias production\nmkdir -p {cfg.home}/data && "
            f"cp jogak-output/holdout.csv {cfg.home}/data/churn.csv\n```\n"
            "or open the quickstart's model directly: "
            "`jogak dashboard --model jogak-output/model --data jogak-output/holdout.csv`.")


def selected_entry(entries: list[ModelEntry]) -> ModelEntry:
    """The model picked in the sidebar (the same choice on every page)."""
    labels = [e.label for e in entries]
    label = st.sidebar.selectbox("Model", labels, key="model_label")
    return entries[labels.index(label)]


def model_context(*, need_data: bool = True) -> PageContext | None:
    """Pick a model in the sidebar and load it with its customers; say what to run if absent.

    Returns None (after writing the message) when the page cannot be drawn.
    """
    cfg = config()
    entries = load_entries(cfg)
    if not entries:
        st.warning(no_model_message(cfg))
        return None
    entry = selected_entry(entries)
    try:
        model = _model(str(entry.path))
    except JogakError as exc:
        st.error(f"Cannot load {entry.label}: {exc}")
        return None
    frame = pd.DataFrame()
    if need_data:
        if entry.data is None:
            st.warning(f"No customers for model `{entry.name}`. Put rows with its columns at "
                       f"`{cfg.home}/data/{entry.name}.csv`, for example:\n\n```\nmkdir -p "
                       f"{cfg.home}/data && cp jogak-output/holdout.csv "
                       f"{cfg.home}/data/{entry.name}.csv\n```")
            return None
        frame = customers(str(entry.data))
    return PageContext(config=cfg, entry=entry, model=model, frame=frame)
