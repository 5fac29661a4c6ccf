"""Reading the DATA argument and writing frames, shared by the commands."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from jogak.data import load
from jogak.errors import DataLoadError

__all__ = ["read_data", "write_frame"]


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
