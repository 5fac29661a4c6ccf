"""Saved solution results under ``HOME/results/<solution>/``: read, or say what writes them.

A solution command's ``--json`` output saved as ``HOME/results/<solution>/<stem>.json`` is
what the solution pages read; tables a command writes with ``--out`` are read from the path
its JSON names. Missing or unreadable files become a message with the exact command to run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from jogak.dashboard._config import DashboardConfig
from jogak.dashboard._sources import result_file
from jogak.errors import JogakError

__all__ = ["read_table", "result_payload", "run_hint", "saved_table"]


def run_hint(what: str, folder: Path, command: str) -> str:
    """``No <what> yet. Run: mkdir -p FOLDER && COMMAND`` as Markdown."""
    return f"No {what} yet. Run:\n\n```\nmkdir -p {folder} && {command}\n```"


@st.cache_data(show_spinner=False)
def _json(path: str, mtime: float) -> Any:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def result_payload(cfg: DashboardConfig, solution: str, stem: str,
                   command: str) -> dict[str, Any] | None:
    """The saved ``--json`` object of ``HOME/results/<solution>/<stem>.json``, else None.

    ``command`` writes the file; ``{out}`` in it is replaced by the file's path. A missing
    file shows that command, a broken one an error that says how to write it again.
    """
    path = result_file(cfg, solution, f"{stem}.json")
    if not path.exists():
        st.info(run_hint(f"`{stem}` results", path.parent, command.format(out=path)))
        return None
    try:
        payload = _json(str(path), path.stat().st_mtime)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        st.error(f"{path} is not JSON ({exc}); write it again with the command's --json:\n\n"
                 f"```\n{command.format(out=path)}\n```")
        return None
    if not isinstance(payload, dict):
        st.error(f"{path} holds a {type(payload).__name__}, expected one JSON object; write it "
                 f"again with:\n\n```\n{command.format(out=path)}\n```")
        return None
    return payload


@st.cache_data(show_spinner="Reading the table …")
def _table(path: str, mtime: float) -> pd.DataFrame:
    from jogak.data import load

    return load(path)


def read_table(path: Path) -> pd.DataFrame:
    """A data file (any format ``jogak.data.load`` reads), cached until it changes."""
    return _table(str(path), path.stat().st_mtime)


def saved_table(payload: dict[str, Any], key: str, cfg: DashboardConfig, solution: str,
                command: str) -> pd.DataFrame | None:
    """The table a command wrote to the path ``payload[key]`` (relative paths are tried from
    the results folder too); a message with ``command`` when it is gone."""
    named = payload.get(key)
    folder = result_file(cfg, solution, "")
    if isinstance(named, str):
        for path in (Path(named), folder / named, folder / Path(named).name):
            if path.is_file():
                try:
                    return read_table(path)
                except JogakError as exc:
                    st.error(f"Cannot read {path}: {exc}")
                    return None
    st.info(run_hint(f"table at `{named}`", folder, command))
    return None
