"""Checks of a bundle folder against its manifest, done before anything is unpickled."""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

from jogak.errors import BundleError
from jogak.models._manifest import BUNDLE_FORMAT_VERSION, MANIFEST_NAME, manifest_digest

__all__ = ["file_digest", "leftovers", "read_manifest", "verify_files", "walk"]

_SHA256 = re.compile(r"[0-9a-f]{64}")
_CHUNK = 1 << 20


def read_manifest(root: Path) -> dict[str, Any]:
    """The parsed manifest of the bundle at ``root``, checked against its own sha256 and shape."""
    if not root.exists():
        aside = [item.name for item in leftovers(root) if ".old-" in item.name]
        hint = (f" A save was interrupted while swapping versions; the previous version is in "
                f"{aside[0]!r} beside it: rename it to {root.name!r}, or save again (which "
                "restores it first).") if aside else " Hint: check the path."
        raise BundleError(f"No model bundle at {root}: the path does not exist.{hint}")
    if not root.is_dir():
        raise BundleError(f"{root} is not a folder; a model bundle is a folder holding "
                          f"{MANIFEST_NAME} and model files. Hint: pass the folder save wrote.")
    manifest_path = root / MANIFEST_NAME
    if manifest_path.is_symlink() or not manifest_path.is_file():
        raise BundleError(f"{root} has no {MANIFEST_NAME}, so it is not a model bundle (or it "
                          "is incomplete). Hint: pass the folder save wrote, or retrain.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BundleError(f"{manifest_path} cannot be read as JSON ({exc}). Hint: the bundle is "
                          "damaged; restore it from its source or retrain.") from exc
    if not isinstance(manifest, dict):
        raise BundleError(f"{manifest_path} must hold a JSON object, got "
                          f"{type(manifest).__name__}.")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise BundleError(f"{manifest_path} has no integer format_version; it was not written "
                          "by jogak's save_bundle.")
    if version > BUNDLE_FORMAT_VERSION:
        raise BundleError(f"{root} has bundle format {version}; this jogak reads up to "
                          f"{BUNDLE_FORMAT_VERSION}. Hint: upgrade jogak.")
    if manifest.get("manifest_sha256") != manifest_digest(manifest):
        raise BundleError(f"{manifest_path} was edited after saving: its content no longer "
                          "matches its manifest_sha256, so its file hashes cannot be trusted; "
                          "nothing was unpickled. Hint: restore the bundle or retrain.")
    _check_shape(manifest, manifest_path)
    return manifest


def _check_shape(manifest: dict[str, Any], manifest_path: Path) -> None:
    files = manifest.get("files")
    problems = []
    if not isinstance(files, dict):
        problems.append("'files' is not an object")
        files = {}
    for name, entry in files.items():
        parts = name.split("/")
        if name.startswith("/") or "\\" in name or any(part in ("", ".", "..") for part in parts):
            problems.append(f"file name {name!r} leaves the bundle folder")
        if not (isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
                and _SHA256.fullmatch(entry["sha256"]) and isinstance(entry.get("size"), int)):
            problems.append(f"entry of {name!r} lacks a sha256 and a size")
    for field_name in ("objects", "native_files"):
        names = manifest.get(field_name)
        if not (isinstance(names, list) and all(isinstance(name, str) for name in names)):
            problems.append(f"{field_name!r} is not a list of names")
    if not problems:
        unlisted = [f"{key}.joblib" for key in manifest["objects"] if f"{key}.joblib" not in files]
        unlisted += [name for name in manifest["native_files"] if name not in files
                     and not any(listed.startswith(f"{name}/") for listed in files)]
        problems += [f"{name!r} is not in 'files'" for name in unlisted]
    if not isinstance(manifest.get("library_versions"), dict):
        problems.append("'library_versions' is not an object")
    if problems:
        raise BundleError(f"{manifest_path} is malformed: {'; '.join(problems)}. Hint: it was "
                          "not written by jogak's save_bundle; retrain.")


def verify_files(root: Path, manifest: dict[str, Any]) -> dict[str, bytes]:
    """Check the folder against the manifest; return the verified bytes of the object files."""
    listed: dict[str, dict[str, Any]] = manifest["files"]
    object_files = {f"{key}.joblib" for key in manifest["objects"]}
    problems = []
    present = set()
    for relative, full in walk(root):
        if full.is_symlink():
            problems.append(f"{relative!r} is a symbolic link")
        elif relative != MANIFEST_NAME:
            present.add(relative)
    problems += [f"unlisted file {name!r} was added" for name in sorted(present - set(listed))]
    problems += [f"listed file {name!r} is missing" for name in sorted(set(listed) - present)]
    payloads = {}
    for name in sorted(present & set(listed)):
        expected = listed[name]
        size = (root / name).stat().st_size
        if size != expected["size"]:
            problems.append(f"{name!r} has {size} bytes, expected {expected['size']}")
            continue
        if name in object_files:
            data = (root / name).read_bytes()
            digest = hashlib.sha256(data).hexdigest()
        else:
            digest, _ = file_digest(root / name)
        if digest != expected["sha256"]:
            problems.append(f"{name!r} has sha256 {digest[:16]}..., expected "
                            f"{expected['sha256'][:16]}...")
        elif name in object_files:
            payloads[name] = data
    if problems:
        raise BundleError(
            f"Refusing to load the bundle at {root}: it changed after it was saved (tampering or "
            f"corruption); nothing was unpickled. {'; '.join(problems)}. Hint: restore the "
            "bundle from its source or retrain; allow_version_mismatch does not skip this check.")
    return payloads


def leftovers(target: Path) -> list[Path]:
    """Temporary and set-aside folders that saves to ``target`` create beside it."""
    if not target.parent.is_dir():
        return []
    prefixes = (f".{target.name}.tmp-", f".{target.name}.old-")
    return [item for item in target.parent.iterdir()
            if item.name.startswith(prefixes) and item.is_dir() and not item.is_symlink()]


def walk(root: Path) -> list[tuple[str, Path]]:
    """Every non-directory entry below ``root`` (symlinks included, never followed)."""
    entries = []
    for directory, subdirectories, names in os.walk(root, followlinks=False):
        base = Path(directory)
        links = [name for name in subdirectories if (base / name).is_symlink()]
        for name in [*names, *links]:
            entries.append(((base / name).relative_to(root).as_posix(), base / name))
    return sorted(entries)


def file_digest(path: Path, *, sync: bool = False) -> tuple[str, int]:
    """sha256 and size of a file, read in chunks; ``sync`` also flushes it to disk."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "r+b" if sync else "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
        if sync:
            os.fsync(handle.fileno())
    return digest.hexdigest(), size
