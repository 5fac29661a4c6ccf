"""Reading the DATA argument and writing frames, shared by the commands."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import typer

from jogak.data import load
from jogak.errors import DataLoadError

__all__ = ["echo_json", "json_safe", "read_data", "write_frame"]


def read_data(source: str) -> pd.DataFrame:
    """A file path (any supported format) or ``duckdb:SELECT ...``."""
    return load(source)


def write_frame(frame: pd.DataFrame, out: Path | None) -> None:
    """Write to ``out`` by its suffix (.csv, .csv.gz, .parquet, .jsonl), or CSV on stdout."""
    if out is None:
        frame.to_csv(sys.stdout, index=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    name = out.name.lower()
    tmp = out.with_name(out.name + ".partial")
    if name.endswith(".parquet"):
        frame.to_parquet(tmp, index=False)
    elif name.endswith((".jsonl", ".ndjson")):
        frame.to_json(tmp, orient="records", lines=True, force_ascii=False)
    elif name.endswith((".csv", ".csv.gz", ".tsv")):
        frame.to_csv(tmp, index=False, sep="\t" if name.endswith(".tsv") else ",",
                     compression="gzip" if name.endswith(".gz") else None)
    else:
        raise DataLoadError(f"Cannot write {out}: expected a .csv, .csv.gz, .tsv, .parquet or "
                            ".jsonl file name.")
    tmp.replace(out)  # never leave a half-written output behind


def json_safe(value: object) -> object:
    """``value`` with numpy scalars as Python numbers and NaN/inf as ``None``, keys as text."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def echo_json(payload: dict[str, Any]) -> None:
    """Print ``payload`` as one JSON object on stdout (``--json`` output)."""
    typer.echo(json.dumps(json_safe(payload), ensure_ascii=False, allow_nan=False, default=str))
