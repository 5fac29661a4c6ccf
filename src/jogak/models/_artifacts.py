"""Model bundles: model files plus ``manifest.json`` in a folder, written atomically, verified.

This is the only module that unpickles (ruff ``banned-api`` forbids ``pickle``/``joblib.load``
elsewhere). :func:`load_bundle` reads each pickle's bytes once, checks their sha256 against the
manifest, checks that no file was added or removed and that the library versions match, and only
then unpickles those same bytes, so nothing unchecked is ever executed. The manifest carries its
own sha256 against hand edits; it is not a signature, so bundles must come from trusted places.

A save writes into a hidden sibling folder on the same filesystem, fsyncs it, and renames it in;
an existing bundle is renamed aside first and deleted last (restored if the swap fails). A crash
at any point leaves the previous version intact: at worst, after a crash between the two renames,
under ``.<name>.old-<pid>-<id>``, from where the next save to the same path restores it.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib

from jogak.data._schema import FeatureSchema
from jogak.errors import BundleError, ConfigError
from jogak.models._bundle_checks import file_digest, leftovers, read_manifest, verify_files, walk
from jogak.models._manifest import (
    BUNDLE_FORMAT_VERSION,
    MANIFEST_NAME,
    data_fingerprint,
    library_versions,
    manifest_digest,
    version_mismatches,
)

__all__ = ["Bundle", "data_fingerprint", "library_versions", "load_bundle", "save_bundle"]

logger = logging.getLogger(__name__)

_RESERVED = ("files", "format_version", "library_versions", "manifest_sha256", "native_files",
             "objects")
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}")
_STALE_SECONDS = 24 * 3600
_PIP_NAMES = {"xgboost": "xgboost-cpu"}


@dataclass(frozen=True)
class Bundle:
    """A verified, loaded model bundle.

    Attributes
    ----------
    path : pathlib.Path
        The bundle folder.
    manifest : dict
        The parsed ``manifest.json``.
    objects : dict
        The unpickled objects, by the keys they were saved under.
    version_mismatches : tuple of str
        Library version differences accepted with ``allow_version_mismatch=True``.
    """

    path: Path
    manifest: dict[str, Any]
    objects: dict[str, Any]
    version_mismatches: tuple[str, ...] = ()

    @property
    def feature_schema(self) -> FeatureSchema | None:
        """The manifest's feature schema, if it holds one."""
        data = self.manifest.get("feature_schema")
        return None if data is None else FeatureSchema.from_dict(data)

    def native_file(self, name: str) -> Path:
        """Path of a verified native file (e.g. a LightGBM booster), to open with its library."""
        if name not in self.manifest["native_files"]:
            raise BundleError(f"The bundle at {self.path} has no native file {name!r}; it has "
                              f"{self.manifest['native_files']}.")
        return self.path / name


def save_bundle(path: str | Path, *, objects: Mapping[str, object], manifest: Mapping[str, Any],
                native_files: Mapping[str, Callable[[Path], object]] | None = None) -> Path:
    """Write a bundle folder atomically: files, then ``manifest.json`` with their sha256.

    Parameters
    ----------
    path : str or pathlib.Path
        The bundle folder. An existing bundle there is replaced; anything else is refused.
    objects : mapping of str to object
        Saved with joblib as ``<key>.joblib`` (our own objects only: they are unpickled on load).
    manifest : mapping of str to object
        JSON-ready fields: name, version, task, target, feature_schema (a dict or a
        :class:`~jogak.data.FeatureSchema`), metrics (``{metric: {"mean": m, "std": s}}``),
        leaderboard (list of dicts), seed, time_budget, time_used, data_fingerprint,
        created_at (default: now, UTC). Added here: format_version, library_versions, objects,
        native_files, files (sha256 and size of each) and manifest_sha256.
    native_files : mapping of str to callable, optional
        File name -> function writing that file (or folder) at the given path, e.g.
        ``lambda p: booster.save_model(str(p))``.

    Returns
    -------
    pathlib.Path
        The bundle folder.

    Raises
    ------
    ConfigError
        For invalid names or a manifest that is not JSON-ready or uses a reserved field.
    BundleError
        If ``path`` holds something that is not a bundle, or writing fails (the previous version
        is then left intact and no temporary folder remains).
    """
    target = Path(path).absolute()
    natives = dict(native_files or {})
    _check_names(objects, natives)
    body = _checked_manifest(manifest)
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    _clean_stale(target)
    staging = target.parent / f".{target.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    staging.mkdir()
    try:
        _write_files(staging, objects, natives)
        full = {**body, "format_version": BUNDLE_FORMAT_VERSION,
                "library_versions": library_versions(), "objects": sorted(objects),
                "native_files": sorted(natives), "files": _hash_and_sync(staging)}
        full["manifest_sha256"] = manifest_digest(full)
        text = json.dumps(full, indent=2, ensure_ascii=False)
        with open(staging / MANIFEST_NAME, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        _sync_dir(staging)
        _swap_in(staging, target)
    except BaseException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise BundleError(f"Could not write the bundle at {target}: {exc}. The previous "
                              "version, if any, is unchanged. Hint: check free space and write "
                              "permissions.") from exc
        raise
    return target


def load_bundle(path: str | Path, *, allow_version_mismatch: bool = False) -> Bundle:
    """Verify a bundle folder, then load its objects.

    Before anything is unpickled: every file listed in the manifest must exist with its recorded
    size and sha256, no other file may be present, the manifest must match its own sha256, and
    the running scikit-learn, LightGBM, XGBoost, CatBoost and PyTorch must have the recorded
    versions (numpy: the same major version).

    Parameters
    ----------
    path : str or pathlib.Path
        The bundle folder.
    allow_version_mismatch : bool, default=False
        Load despite library version differences (listed in ``Bundle.version_mismatches``).
        Never skips the file checks.

    Returns
    -------
    Bundle

    Raises
    ------
    BundleError
        Naming the file or library that failed, what was expected and found, and the fix.
    """
    root = Path(path)
    manifest = read_manifest(root)
    payloads = verify_files(root, manifest)
    mismatches = version_mismatches(manifest["library_versions"], library_versions())
    if mismatches and not allow_version_mismatch:
        pins = " ".join(f"{_PIP_NAMES.get(key, key)}=={manifest['library_versions'][key]}"
                        for key in manifest["library_versions"]
                        if any(line.startswith(f"{key} ") for line in mismatches))
        raise BundleError(
            f"Refusing to load the bundle at {root}: {'; '.join(mismatches)}. Unpickling across "
            "these versions can fail or silently change predictions; nothing was unpickled. "
            f"Hint: retrain the model with the running libraries, install the recorded ones "
            f"(pip install {pins}), or pass allow_version_mismatch=True to load it anyway."
        )
    if mismatches:
        logger.warning("Loading bundle %s despite version differences: %s", root,
                       "; ".join(mismatches))
    objects = {key: _unpickle(root, key, payloads[f"{key}.joblib"])
               for key in manifest["objects"]}
    return Bundle(root, manifest, objects, tuple(mismatches))


# ---------------------------------------------------------------- saving

def _check_names(objects: Mapping[str, object],
                 natives: Mapping[str, Callable[[Path], object]]) -> None:
    if not objects and not natives:
        raise ConfigError("A bundle needs at least one object or native file; got neither.")
    for label, names in (("object key", list(objects)), ("native file name", list(natives))):
        for name in names:
            if not isinstance(name, str) or not _FILE_NAME.fullmatch(name) or \
                    name == MANIFEST_NAME:
                raise ConfigError(
                    f"Invalid {label} {name!r}: use letters, digits, '_', '-' and '.', starting "
                    f"with a letter or digit (at most 128 characters), not {MANIFEST_NAME!r}.")
    clashes = sorted({f"{key}.joblib" for key in objects} & set(natives))
    if clashes:
        raise ConfigError(f"Native file names {clashes} clash with object files "
                          "('<key>.joblib'). Hint: rename the native files.")
    for name, writer in natives.items():
        if not callable(writer):
            raise ConfigError(f"native_files[{name!r}] must be a callable writing the file at a "
                              f"given path, got {type(writer).__name__}.")


def _checked_manifest(manifest: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(manifest, Mapping):
        raise ConfigError(f"manifest must be a mapping, got {type(manifest).__name__}.")
    reserved = sorted(set(manifest) & set(_RESERVED))
    if reserved:
        raise ConfigError(f"Manifest fields {reserved} are written by save_bundle itself. "
                          "Hint: leave them out.")
    body = dict(manifest)
    if isinstance(body.get("feature_schema"), FeatureSchema):
        body["feature_schema"] = body["feature_schema"].to_dict()
    body.setdefault("created_at", datetime.now(UTC).isoformat(timespec="seconds"))
    for key, value in body.items():
        if not isinstance(key, str):
            raise ConfigError(f"Manifest field names must be str, got {key!r}.")
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"Manifest field {key!r} is not JSON-ready ({exc}). Hint: convert numpy values "
                "with .item() or .tolist(), or save the object under `objects`.") from exc
    metrics = body.get("metrics")
    if metrics is not None and not (isinstance(metrics, Mapping) and all(
            isinstance(item, Mapping) and {"mean", "std"} <= set(item)
            for item in metrics.values())):
        raise ConfigError("Manifest field 'metrics' must map each metric name to "
                          "{'mean': ..., 'std': ...} (cross-validation mean and std).")
    board = body.get("leaderboard")
    if board is not None and not (isinstance(board, list) and
                                  all(isinstance(row, Mapping) for row in board)):
        raise ConfigError("Manifest field 'leaderboard' must be a list of dicts (one per row).")
    normalised: dict[str, Any] = json.loads(json.dumps(body))
    return normalised


def _check_target(target: Path) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise BundleError(f"{target} exists and is not a folder; refusing to replace it. "
                          "Hint: choose another path for the bundle.")
    if target.is_dir() and not (target / MANIFEST_NAME).is_file() and any(target.iterdir()):
        raise BundleError(f"{target} is a non-empty folder without {MANIFEST_NAME}, not a model "
                          "bundle; refusing to replace it. Hint: choose another path.")


def _write_files(staging: Path, objects: Mapping[str, object],
                 natives: Mapping[str, Callable[[Path], object]]) -> None:
    for key, value in objects.items():
        try:
            joblib.dump(value, staging / f"{key}.joblib", compress=3)
        except Exception as exc:
            raise BundleError(f"Could not save object {key!r} ({type(value).__name__}) with "
                              f"joblib: {type(exc).__name__}: {exc}. Hint: objects holding open "
                              "files, locks or lambdas cannot be pickled.") from exc
    for name, writer in natives.items():
        try:
            writer(staging / name)
        except Exception as exc:
            raise BundleError(f"The writer of native file {name!r} failed: "
                              f"{type(exc).__name__}: {exc}.") from exc
        if not (staging / name).exists():
            raise BundleError(f"The writer of native file {name!r} did not create it. Hint: the "
                              "callable must write to the path it is given.")


def _hash_and_sync(staging: Path) -> dict[str, dict[str, Any]]:
    files = {}
    for relative, full in walk(staging):
        if full.is_symlink():
            raise BundleError(f"{relative!r} is a symbolic link; bundles hold regular files only.")
        digest, size = file_digest(full, sync=True)
        files[relative] = {"sha256": digest, "size": size}
    for directory, _, _ in os.walk(staging):
        _sync_dir(Path(directory))
    return files


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.replace(staging, target)
    else:
        aside = target.parent / f".{target.name}.old-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        os.replace(target, aside)
        try:
            os.replace(staging, target)
        except BaseException:
            os.replace(aside, target)
            raise
        shutil.rmtree(aside, ignore_errors=True)
    _sync_dir(target.parent)


def _clean_stale(target: Path) -> None:
    """Remove what crashed saves left beside ``target``; restore an interrupted swap."""
    for leftover in sorted(leftovers(target), key=_mtime, reverse=True):
        with contextlib.suppress(FileNotFoundError):  # another save may have removed it
            if not _is_stale(leftover):
                continue
            if ".old-" in leftover.name and not target.exists():
                os.replace(leftover, target)
                logger.warning("Restored the bundle at %s from %s, left by an interrupted save.",
                               target, leftover.name)
            else:
                shutil.rmtree(leftover, ignore_errors=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _is_stale(leftover: Path) -> bool:
    if time.time() - leftover.stat().st_mtime > _STALE_SECONDS:
        return True
    pid_text = leftover.name.rsplit("-", 2)[-2]
    if not pid_text.isdigit() or int(pid_text) == os.getpid() or os.name == "nt":
        return False  # os.kill(pid, 0) would terminate the process on Windows
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


# ---------------------------------------------------------------- loading

def _unpickle(root: Path, key: str, data: bytes) -> Any:
    try:
        return joblib.load(io.BytesIO(data))  # noqa: TID251 -- bytes verified against the manifest
    except Exception as exc:
        raise BundleError(
            f"Object {key!r} of the bundle at {root} passed the hash checks but cannot be "
            f"unpickled ({type(exc).__name__}: {exc}). Hint: install the library versions listed "
            "in its manifest (library_versions), or retrain.") from exc


def _sync_dir(path: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    descriptor = os.open(path, os.O_RDONLY)
    try:
        with contextlib.suppress(OSError):  # some filesystems refuse fsync on directories
            os.fsync(descriptor)
    finally:
        os.close(descriptor)
