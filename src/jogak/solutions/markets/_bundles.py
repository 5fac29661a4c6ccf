"""Loading a markets bundle: verify it, check its kind, and hand back the one object it holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jogak.errors import BundleError
from jogak.models._artifacts import load_bundle

__all__ = ["load_markets_object"]


def load_markets_object(path: str | Path, *, kind: str, key: str, what: str,
                        command: str) -> Any:
    """The object ``key`` of the bundle at ``path`` after its hashes and versions are checked.

    Raises
    ------
    BundleError
        The bundle is not of ``kind`` (the message names ``what`` it should be and the
        ``command`` that creates one), lacks ``key``, was tampered with, or was written by
        other library versions.
    """
    bundle = load_bundle(path)
    if bundle.manifest.get("kind") != kind or key not in bundle.objects:
        raise BundleError(f"{path} is not a markets {what} bundle (kind "
                          f"{bundle.manifest.get('kind')!r}). Hint: create one with "
                          f"'{command}'.")
    return bundle.objects[key]
