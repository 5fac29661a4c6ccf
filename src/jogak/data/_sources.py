"""Resolve what ``load``, ``scan`` and ``iter_batches`` got: a file, a zip member or a query."""

from __future__ import annotations

import difflib
import gzip
import os
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from jogak.errors import DataLoadError

__all__ = ["QUERY_PREFIX", "Source", "check_columns", "resolve_source"]

QUERY_PREFIX = "duckdb:"

Format = Literal["csv", "parquet", "excel", "jsonl", "json", "query"]

_FORMATS: dict[str, Format] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".xls": "excel",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}
_SUFFIX_LIST = ", ".join(_FORMATS)


@dataclass(frozen=True)
class Source:
    """A resolved data source: a query, or a file (possibly gzip-compressed or inside a zip)."""

    label: str
    format: Format
    path: Path | None = None
    query: str | None = None
    compression: Literal["gzip", "zip"] | None = None
    member: str | None = None
    suffix: str = ""

    @property
    def size_on_disk(self) -> int:
        return self.path.stat().st_size if self.path is not None else 0

    @property
    def default_sep(self) -> str | None:
        return "\t" if self.suffix in {".tsv", ".tab"} else None

    @contextmanager
    def open_binary(self) -> Iterator[IO[bytes]]:
        """The decompressed bytes of the file, as a binary stream."""
        if self.path is None:
            raise DataLoadError(f"{self.label!r} is a query, not a file.")
        try:
            if self.compression == "zip":
                with zipfile.ZipFile(self.path) as archive, archive.open(str(self.member)) as fh:
                    yield fh
            elif self.compression == "gzip":
                with gzip.open(self.path, "rb") as fh:
                    yield fh  # type: ignore[misc]
            else:
                with open(self.path, "rb") as fh:
                    yield fh
        except (gzip.BadGzipFile, zipfile.BadZipFile, EOFError) as exc:
            kind = "zip archive" if self.compression == "zip" else "gzip file"
            raise DataLoadError(
                f"{self.label!r} is not a readable {kind}: {exc}. Expected a complete, uncorrupted "
                f"{kind}. Hint: download or compress the file again."
            ) from exc


def resolve_source(source: object) -> Source:
    """Check ``source`` and work out its format, compression and location.

    Raises
    ------
    DataLoadError
        The file is missing, empty, a folder, of an unknown type, or the zip holds no single
        data file.
    """
    if isinstance(source, str) and source.strip().lower().startswith(QUERY_PREFIX):
        query = source.strip()[len(QUERY_PREFIX):].strip()
        if not query:
            raise DataLoadError(
                "The DuckDB source is empty. Expected 'duckdb:SELECT ...', got "
                f"{source!r}. Hint: write the query after the prefix, e.g. "
                "\"duckdb:SELECT * FROM 'data.csv.gz'\"."
            )
        return Source(label=source, format="query", query=query)
    if not isinstance(source, str | os.PathLike):
        raise DataLoadError(
            f"Expected a file path or 'duckdb:SELECT ...', got {type(source).__name__}. "
            "Hint: pass the path of a CSV, Parquet, Excel or JSON file."
        )
    path = Path(source).expanduser()
    label = str(source)
    if not path.exists():
        archive, member = _split_zip_member(path)
        if archive is None:
            raise DataLoadError(f"File not found: {label!r}. Expected an existing file. Hint: "
                                f"{_path_hint(path)}")
        return _zip_source(label, archive, member)
    if path.is_dir():
        raise DataLoadError(
            f"{label!r} is a folder. Expected a data file. Hint: to read many files at once use "
            f"\"duckdb:SELECT * FROM read_parquet('{path.as_posix()}/*.parquet')\" "
            "(or read_csv)."
        )
    if path.stat().st_size == 0:
        raise DataLoadError(f"{label!r} has no rows: the file is empty (0 bytes). Expected a "
                            "header and at least one row. Hint: check the export that wrote it.")
    name = path.name.lower()
    if name.endswith(".zip"):
        return _zip_source(label, path, None)
    compression: Literal["gzip"] | None = None
    if name.endswith(".gz"):
        compression, name = "gzip", name[: -len(".gz")]
    suffix = Path(name).suffix
    return Source(label=label, format=_format_of(label, suffix), path=path,
                  compression=compression, suffix=suffix)


def _format_of(label: str, suffix: str) -> Format:
    if suffix not in _FORMATS:
        shown = suffix or "(none)"
        raise DataLoadError(
            f"Unknown file type {shown!r} for {label!r}. Expected one of {_SUFFIX_LIST} "
            "(optionally .gz), or a .zip holding one of them. Hint: rename the file with the "
            "suffix of its real format, or read it with 'duckdb:SELECT ...'."
        )
    return _FORMATS[suffix]


def _split_zip_member(path: Path) -> tuple[Path | None, str | None]:
    for parent in path.parents:
        if parent.suffix.lower() == ".zip" and parent.is_file():
            return parent, path.relative_to(parent).as_posix()
    return None, None


def _zip_source(label: str, archive: Path, member: str | None) -> Source:
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [info.filename for info in zf.infolist() if not info.is_dir()]
    except zipfile.BadZipFile as exc:
        raise DataLoadError(f"{label!r} is not a readable zip archive: {exc}. Hint: download or "
                            "compress the file again.") from exc
    visible = [n for n in names if not n.startswith("__MACOSX/")
               and not Path(n).name.startswith(".")]
    data_files = [n for n in visible if Path(n).suffix.lower() in _FORMATS]
    if member is not None:
        if member not in names:
            raise DataLoadError(
                f"{member!r} is not in the zip archive {str(archive)!r}. Expected one of: "
                f"{', '.join(visible) or '(no files)'}. Hint: write 'archive.zip/<member>' with a "
                "name from that list."
            )
        chosen = member
    elif len(data_files) == 1:
        chosen = data_files[0]
    else:
        found = ", ".join(visible) or "(no files)"
        raise DataLoadError(
            f"The zip archive {label!r} holds {len(data_files)} data files. Expected exactly one "
            f"data file; the archive holds: {found}. Hint: name the member, e.g. "
            f"'{label}/{(data_files or visible or ['data.csv'])[0]}'."
        )
    suffix = Path(chosen).suffix.lower()
    return Source(label=label, format=_format_of(f"{label}/{chosen}", suffix), path=archive,
                  compression="zip", member=chosen, suffix=suffix)


def _path_hint(path: Path) -> str:
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        return f"the folder {str(folder)!r} does not exist either; check the path."
    names = [p.name for p in folder.iterdir() if p.is_file()]
    close = difflib.get_close_matches(path.name, names, n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(str(folder / n)) for n in close) + "?"
    return f"check the path (relative paths start at {str(Path.cwd())!r})."


def check_columns(label: str, wanted: Sequence[str], available: Sequence[object]) -> None:
    """Raise when a requested column is not in ``available``."""
    missing = [name for name in wanted if name not in available]
    if missing:
        shown = ", ".join(map(repr, list(available)[:20]))
        raise DataLoadError(f"Columns {missing} are not in {label!r}. Expected some of: {shown}. "
                            "Hint: column names are case-sensitive.")
