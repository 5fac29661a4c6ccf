"""What a bundle's manifest records and checks: library versions, data fingerprint, integrity."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import platform
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from jogak.errors import SchemaError

__all__ = ["data_fingerprint", "library_versions"]

BUNDLE_FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
FINGERPRINT_ROWS = 100_000

# manifest key -> distribution names to try (xgboost ships as "xgboost" or "xgboost-cpu")
_DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "numpy": ("numpy",),
    "pandas": ("pandas",),
    "scikit-learn": ("scikit-learn",),
    "joblib": ("joblib",),
    "lightgbm": ("lightgbm",),
    "xgboost": ("xgboost", "xgboost-cpu"),
    "catboost": ("catboost",),
    "torch": ("torch",),
    "optuna": ("optuna",),
}
# unpickling needs the very same version of these (their pickles hold private internals) ...
_SAME_VERSION = ("scikit-learn", "lightgbm", "xgboost", "catboost", "torch")
# ... and the same major version of these
_SAME_MAJOR = ("numpy",)


def library_versions() -> dict[str, str]:
    """Versions of jogak, Python and the libraries a bundle depends on (those installed).

    Returns
    -------
    dict of str to str
        Keys ``jogak``, ``python``, ``numpy``, ``pandas``, ``scikit-learn``, ``joblib`` and,
        when installed, ``lightgbm``, ``xgboost``, ``catboost``, ``torch``, ``optuna``.

    Examples
    --------
    >>> versions = library_versions()
    >>> "scikit-learn" in versions and "python" in versions
    True
    """
    from jogak import __version__

    versions = {"jogak": __version__, "python": platform.python_version()}
    for key, distributions in _DISTRIBUTIONS.items():
        for distribution in distributions:
            try:
                versions[key] = importlib.metadata.version(distribution)
            except importlib.metadata.PackageNotFoundError:
                continue
            break
    return versions


def version_mismatches(recorded: Mapping[str, Any], running: Mapping[str, str]) -> list[str]:
    """One line per library whose running version cannot safely unpickle the bundle."""
    problems = []
    for key in _SAME_VERSION:
        if key in recorded and running.get(key) != recorded[key]:
            problems.append(f"{key} {recorded[key]} was used to save, running "
                            f"{running.get(key, 'not installed')} (the same version is needed)")
    for key in _SAME_MAJOR:
        if key in recorded and _major(running.get(key)) != _major(str(recorded[key])):
            problems.append(f"{key} {recorded[key]} was used to save, running "
                            f"{running.get(key, 'not installed')} (the same major version is "
                            "needed)")
    return problems


def _major(version: str | None) -> str | None:
    return None if version is None else version.split(".", 1)[0]


def canonical_json(value: Any) -> str:
    """Deterministic JSON text: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def manifest_digest(manifest: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a manifest, its own ``manifest_sha256`` field left out.

    It detects a manifest edited by hand or corrupted; it is not a signature (anyone who can write
    the folder can recompute it), so bundles must still come from trusted locations.
    """
    body = {key: value for key, value in manifest.items() if key != "manifest_sha256"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def data_fingerprint(frame: pd.DataFrame) -> str:
    """sha256 identifying a training frame: column names, dtypes, shape and values.

    Values are hashed with :func:`pandas.util.hash_pandas_object` (vectorised; row order counts,
    the index does not). Frames over 100,000 rows hash 100,000 evenly spaced rows (always the
    same ones for a given row count) plus the full shape, so a change confined to rows outside
    that sample goes unnoticed; this keeps a 1M-row frame to a fraction of a second.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    str
        64 hexadecimal characters.

    Raises
    ------
    SchemaError
        If ``frame`` is not a DataFrame.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    >>> data_fingerprint(frame) == data_fingerprint(frame.copy())
    True
    >>> data_fingerprint(frame) == data_fingerprint(frame.assign(a=[1, 3]))
    False
    """
    if not isinstance(frame, pd.DataFrame):
        raise SchemaError(f"data_fingerprint expects a pandas DataFrame, got "
                          f"{type(frame).__name__}. Hint: wrap it with pd.DataFrame(...).")
    n_rows = len(frame)
    sample = frame
    if n_rows > FINGERPRINT_ROWS:
        positions = np.linspace(0, n_rows - 1, FINGERPRINT_ROWS).round().astype(np.int64)
        sample = frame.iloc[positions]
    digest = hashlib.sha256()
    header = {"columns": [str(name) for name in frame.columns],
              "dtypes": [str(dtype) for dtype in frame.dtypes],
              "shape": list(frame.shape), "hashed_rows": len(sample)}
    digest.update(canonical_json(header).encode("utf-8"))
    for position in range(sample.shape[1]):
        column = sample.iloc[:, position]
        try:
            hashes = pd.util.hash_pandas_object(column, index=False)
        except TypeError:  # unhashable cells (lists, dicts): hash their text form
            hashes = pd.util.hash_pandas_object(column.astype(str), index=False)
        digest.update(hashes.to_numpy().astype("<u8").tobytes())
    return digest.hexdigest()
