"""Version folders on disk: verified copies made in a staging folder and renamed into place.

A folder ``<models>/<name>/<version>`` only counts once the index holds its row; the row is
committed after the rename, so a writer killed at any point leaves at worst a staging folder or a
version folder without a row. Both are invisible to readers and removed by the next writer.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import time
import uuid
from pathlib import Path
from typing import Any

from jogak.errors import BundleError
from jogak.models._bundle_checks import read_manifest, verify_files

__all__ = ["copy_verified", "remove_tree", "stale_leftovers", "verified_manifest"]

_STAGING = ".staging-"
_TRASH = ".trash-"
_STALE_SECONDS = 24 * 3600


def verified_manifest(path: Path) -> dict[str, Any]:
    """The manifest of the bundle at ``path`` after checking every file's size and sha256.

    Nothing is unpickled: the checks are those :func:`jogak.models.load_model` runs first.
    """
    manifest = read_manifest(path)
    verify_files(path, manifest)
    return manifest


def copy_verified(source: Path, parent: Path, manifest: dict[str, Any]) -> Path:
    """Copy the bundle into a new staging folder under ``parent``, flush it, verify the copy."""
    parent.mkdir(parents=True, exist_ok=True)
    staging = parent / f"{_STAGING}{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    try:
        shutil.copytree(source, staging, symlinks=True)
        for directory, _, names in os.walk(staging):
            for name in names:
                with open(Path(directory) / name, "rb") as handle:
                    os.fsync(handle.fileno())
            sync_dir(Path(directory))
        copied = verified_manifest(staging)
        if copied.get("manifest_sha256") != manifest.get("manifest_sha256"):
            raise BundleError(f"The bundle at {source} changed while it was being copied. "
                              "Hint: register it again once nothing writes to it.")
    except BaseException as exc:
        remove_tree(staging)
        if isinstance(exc, OSError):
            raise BundleError(f"Could not copy the bundle {source} into the registry: {exc}. "
                              "Hint: check free space and write permissions.") from exc
        raise
    return staging


def stale_leftovers(parent: Path, known_versions: set[int]) -> list[Path]:
    """Folders under a model folder that no live writer owns: version folders without an index
    row (call it holding the model's lock), staging folders of dead writers, trash."""
    if not parent.is_dir():
        return []
    found = []
    host = socket.gethostname()
    for item in parent.iterdir():
        if item.is_symlink() or not item.is_dir():
            continue
        orphan = item.name.isdigit() and int(item.name) not in known_versions
        abandoned = item.name.startswith(_STAGING) and _writer_gone(item, host)
        if orphan or abandoned or item.name.startswith(_TRASH):
            found.append(item)
    return found


def _writer_gone(staging: Path, host: str) -> bool:
    parts = staging.name[len(_STAGING):].rsplit("-", 2)  # host (may hold '-'), pid, random id
    if len(parts) == 3 and parts[0] == host and parts[1].isdigit() and os.name != "nt":
        pid = int(parts[1])
        if pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except OSError:
            return False
        return False
    with contextlib.suppress(OSError):  # another host's writer: only when clearly abandoned
        return time.time() - staging.stat().st_mtime > _STALE_SECONDS
    return False


def remove_tree(path: Path) -> None:
    """Delete a folder: renamed aside first, so a crash never leaves a half-deleted version."""
    if not path.exists():
        return
    if not path.name.startswith(_TRASH):
        aside = path.with_name(f"{_TRASH}{uuid.uuid4().hex[:12]}")
        try:
            os.replace(path, aside)
        except OSError:
            aside = path
        path = aside
    shutil.rmtree(path, ignore_errors=True)


def sync_dir(path: Path) -> None:
    """fsync a directory so that renames in it survive a power cut (no-op where unsupported)."""
    if os.name == "nt":
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
