"""Saving and loading a :class:`Recommender` as a verified bundle folder.

Arrays go to safe formats: dense numeric arrays to ``.npy`` and sparse matrices to ``.npz``
(both read back with ``allow_pickle=False``), ids and titles to JSON. What is left (parameters,
the fitted TF-IDF vocabulary and NMF topics) is a small joblib object, unpickled only after
:func:`jogak.models._artifacts.load_bundle` has checked every file's sha256 and the library
versions.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from jogak.errors import BundleError
from jogak.models._artifacts import load_bundle, save_bundle

__all__ = ["BUNDLE_KIND", "load_recommender", "save_recommender"]

BUNDLE_KIND = "jogak.recommend"
_OWNERS = ("model", "collaborative_", "content_")


def _writer(value: Any) -> tuple[str, Any]:
    if sp.issparse(value):
        return "npz", lambda path: sp.save_npz(path, sp.csr_matrix(value), compressed=True)
    if value.dtype.kind in "OUS":
        items = [v.item() if isinstance(v, np.generic) else v for v in value.tolist()]
        for v in items:
            if not isinstance(v, (str, int, float, bool)) and v is not None:
                raise BundleError(f"Cannot save id {v!r} of type {type(v).__name__}: ids must be "
                                  "text or numbers. Hint: convert the id column to str first.")
        text = json.dumps(items, ensure_ascii=False)
        return "json", lambda path: path.write_text(text, encoding="utf-8")
    return "npy", lambda path: np.save(path, np.ascontiguousarray(value), allow_pickle=False)


def _strip(owner: Any, label: str, natives: dict[str, Any], entries: list[dict[str, str]]) -> Any:
    skeleton = copy.copy(owner)
    for attr, value in vars(owner).items():
        if attr.startswith("_") and not attr.startswith("__"):  # caches, rebuilt on use
            setattr(skeleton, attr, None)
        elif attr.endswith("_") and (sp.issparse(value) or isinstance(value, np.ndarray)):
            fmt, writer = _writer(value)
            name = f"{label}.{attr}.{fmt}"
            natives[name] = lambda path, write=writer, fmt=fmt: write(_exact(path, fmt))
            entries.append({"owner": label, "attr": attr, "file": name, "format": fmt})
            setattr(skeleton, attr, None)
    return skeleton


def _exact(path: Path, fmt: str) -> Path:
    # np.save / save_npz append their suffix to names that lack it; the names here carry it
    return path if path.suffix == f".{fmt}" else path.with_suffix(f".{fmt}")


def save_recommender(model: Any, path: str | Path, *, name: str = "recommender") -> Path:
    """Write a fitted :class:`Recommender` bundle; see the module docstring for the format.

    Returns
    -------
    pathlib.Path
        The bundle folder.
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    natives: dict[str, Any] = {}
    entries: list[dict[str, str]] = []
    skeleton = _strip(model, "model", natives, entries)
    for label in _OWNERS[1:]:
        part = getattr(model, label)
        if part is not None:
            setattr(skeleton, label, _strip(part, label, natives, entries))
    components = getattr(model.collaborative_, "estimators_", None)
    if isinstance(components, list):  # a BlendRecommender: its models' arrays as files too
        skeleton.collaborative_.estimators_ = [
            _strip(part, f"collaborative_.estimators_.{i}", natives, entries)
            for i, part in enumerate(components)]
    params = {key: value for key, value in model.get_params(deep=False).items()
              if isinstance(value, (str, int, float, bool, type(None), tuple, list))}
    manifest = {
        "kind": BUNDLE_KIND, "name": name, "task": "recommendation",
        "algorithm": type(model.collaborative_).__name__,
        "content": None if model.content_ is None else {
            "encoder": model.content_.encoder, "analyzer": model.content_.analyzer_,
            "topics": list(model.content_.topic_labels_)},
        "params": {key: list(value) if isinstance(value, tuple) else value
                   for key, value in params.items()},
        "n_users": int(model.matrix_.shape[0]), "n_items": int(model.matrix_.shape[1]),
        "n_interactions": int(model.matrix_.nnz), "n_cold_items": int(model.is_cold_.sum()),
        "n_duplicates": int(model.n_duplicates_), "n_empty_texts": int(model.n_empty_texts_),
        "arrays": entries,
    }
    return save_bundle(path, objects={"skeleton": skeleton}, manifest=manifest,
                       native_files=natives)


def _owner(model: Any, label: str) -> Any:
    """The object an array belongs to: ``model``, ``content_``, ``collaborative_.estimators_.0``."""
    if label == "model":
        return model
    parts = label.split(".")
    if parts[0] not in _OWNERS[1:] or (len(parts) > 1 and (
            len(parts) != 3 or parts[1] != "estimators_" or not parts[2].isdigit())):
        raise BundleError(f"Unexpected array owner {label!r} in the manifest; the bundle was not "
                          "written by jogak's save_recommender.")
    owner = getattr(model, parts[0])
    return owner if len(parts) == 1 else owner.estimators_[int(parts[2])]


def load_recommender(path: str | Path, *, allow_version_mismatch: bool = False) -> Any:
    """Load a :class:`Recommender` bundle after verifying hashes and library versions.

    Raises
    ------
    BundleError
        When the folder is not a recommender bundle or fails the checks.
    """
    bundle = load_bundle(Path(path), allow_version_mismatch=allow_version_mismatch)
    if bundle.manifest.get("kind") != BUNDLE_KIND or "skeleton" not in bundle.objects:
        raise BundleError(f"{path} is a bundle of kind {bundle.manifest.get('kind')!r}, expected "
                          f"{BUNDLE_KIND!r}. Hint: train one with 'jogak recommend train'.")
    model = bundle.objects["skeleton"]
    for entry in bundle.manifest["arrays"]:
        owner = _owner(model, entry["owner"])
        file = bundle.native_file(entry["file"])
        if entry["format"] == "npz":
            value: Any = sp.load_npz(file).tocsr()
        elif entry["format"] == "json":
            value = np.array(json.loads(file.read_text(encoding="utf-8")), dtype=object)
            if all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                value = value.astype("int64")
        else:
            value = np.load(file, allow_pickle=False)
        setattr(owner, entry["attr"], value)
    model.manifest_ = bundle.manifest
    return model
