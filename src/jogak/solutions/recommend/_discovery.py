"""Item-to-item similarity, plot and mood search, and curation blocks built from topics."""

from __future__ import annotations

import difflib

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from jogak.errors import ConfigError
from jogak.solutions.recommend._catalogue import lookup
from jogak.solutions.recommend._interactions import UnknownIdError
from jogak.solutions.recommend._parameters import check_k
from jogak.solutions.recommend._ranking import standardise_rows, top_k
from jogak.solutions.recommend._recommender import Recommender
from jogak.solutions.recommend._result_frame import recommendation_frame

__all__ = ["curation_blocks", "search_titles", "similar_items"]


def _item_position(model: Recommender, item: object) -> int:
    position = lookup(model._item_index(), item)
    if position is None:
        hint = ""
        if model.titles_ is not None and isinstance(item, str):
            match = difflib.get_close_matches(item, list(model.titles_), n=1, cutoff=0.6)
            if match:
                found = model.item_ids_[int(np.flatnonzero(model.titles_ == match[0])[0])]
                found = found.item() if isinstance(found, np.generic) else found
                hint = f" Did you mean {match[0]!r} (id {found!r})?"
        raise UnknownIdError(f"Item {item!r} is not in the model's catalogue of "
                             f"{len(model.item_ids_)} titles.{hint} Hint: pass an id from the "
                             "training data or the items file.")
    return position


def _collaborative_similarity(model: Recommender, position: int) -> np.ndarray | None:
    cf = model.collaborative_
    factors = getattr(cf, "item_factors_", None)
    if factors is not None:
        unit = normalize(factors)
        return unit @ unit[position]
    knn = getattr(cf, "similarity_", None)
    if knn is not None:
        return np.asarray(knn[position].todense()).ravel()
    return None


def similar_items(model: Recommender, item: object, k: int = 10) -> pd.DataFrame:
    """Titles most like ``item``: collaborative and content similarity, blended.

    A cold title (no interactions) is compared by content only.

    Raises
    ------
    UnknownIdError
        When ``item`` is not in the catalogue (with a close title if there is one).
    ConfigError
        When the model has neither item vectors nor content (popularity without items).
    """
    check_is_fitted(model)
    k = check_k(k)
    position = _item_position(model, item)
    cf = None if model.is_cold_[position] else _collaborative_similarity(model, position)
    content = None
    if model.content_ is not None and model.content_.has_text_[position]:
        onehot = sp.csr_matrix(([1.0], ([0], [position])), shape=(1, len(model.item_ids_)))
        content = model.content_.profile_scores(onehot)[0]
    if cf is None and content is None:
        raise ConfigError(f"Item {item!r} has neither interactions nor a synopsis to compare, "
                          "or the model has no item vectors (popularity without --items). "
                          "Hint: train with --algorithm item_knn/als/bpr or with --items.")
    warm = ~model.is_cold_
    if cf is not None:
        scores = standardise_rows(cf[None, :], warm)[0]
        scores[~warm] = -np.inf
        if content is not None:
            weight = float(model.content_weight)
            text = standardise_rows(content[None, :])[0]
            scores = np.where(warm, (1 - weight) * scores + weight * text, text)
        source = "hybrid" if content is not None else "collaborative"
    else:
        scores = standardise_rows(content[None, :])[0]
        source = "content"
    scores[position] = -np.inf
    items = top_k(scores, k)
    frame = recommendation_frame(model, items, scores, source)
    frame.loc[model.is_cold_[items], "source"] = "content (cold title)"
    return frame


def search_titles(model: Recommender, query: str, k: int = 10) -> pd.DataFrame:
    """Titles whose synopsis best matches a free-text plot or mood query, with their topics.

    Returns
    -------
    pandas.DataFrame
        ``rank, item, [title], score, topic, source`` (score: the content cosine). The frame's
        ``attrs["query_topics"]`` lists the query's three heaviest topics.

    Raises
    ------
    ConfigError
        For an empty query, or a model trained without an items frame.
    """
    check_is_fitted(model)
    k = check_k(k)
    if not isinstance(query, str) or not query.strip():
        raise ConfigError(f"The search query must be non-empty text, got {query!r}.")
    if model.content_ is None:
        raise ConfigError("This model was trained without synopses, so it cannot search. "
                          "Hint: train with --items ITEMS --text-col overview.")
    scores = model.content_.query_scores([query])[0]
    scores[~model.content_.has_text_] = -np.inf
    items = top_k(scores, k)
    frame = recommendation_frame(model, items, scores, "search")
    shares = model.content_.query_topics([query])[0]
    frame.attrs["query_topics"] = [model.content_.topic_labels_[t]
                                   for t in np.argsort(shares)[::-1][:3] if shares[t] > 0]
    return frame


def curation_blocks(model: Recommender, *, n_blocks: int = 6, per_block: int = 10,
                    skip_top_share: float = 0.05) -> pd.DataFrame:
    """Shelves of titles grouped by synopsis topic, leaving the biggest blockbusters out.

    Each block is one topic (the largest topics first); inside it titles are ordered by how
    strongly they belong to the topic. The ``skip_top_share`` most popular titles are left out
    so shelves show the rest of the catalogue.

    Returns
    -------
    pandas.DataFrame
        ``block, topic, rank, item, [title], topic_share, popularity``.
    """
    check_is_fitted(model)
    if model.content_ is None:
        raise ConfigError("Curation blocks need synopses. Hint: train with --items.")
    n_blocks, per_block = check_k(n_blocks), check_k(per_block)
    if not 0.0 <= skip_top_share < 1.0:
        raise ConfigError(f"skip_top_share must be in [0, 1), got {skip_top_share!r}.")
    content = model.content_
    n_skip = int(round(skip_top_share * int((~model.is_cold_).sum())))
    blockbusters = np.argsort(-model.item_popularity_, kind="stable")[:n_skip]
    eligible = content.has_text_.copy()
    eligible[blockbusters] = False
    dominant = content.dominant_topic_
    sizes = np.bincount(dominant[eligible & (dominant >= 0)],
                        minlength=len(content.topic_labels_))
    rows = []
    topics = [t for t in np.argsort(-sizes, kind="stable") if sizes[t] > 0][:n_blocks]
    for block, topic in enumerate(topics, start=1):
        members = np.flatnonzero(eligible & (dominant == topic))
        share = content.item_topics_[members, topic]
        for rank, position in enumerate(members[np.argsort(-share, kind="stable")][:per_block],
                                        start=1):
            row = {"block": block, "topic": content.topic_labels_[topic], "rank": rank,
                   "item": model.item_ids_[position]}
            if model.titles_ is not None:
                row["title"] = model.titles_[position]
            row["topic_share"] = float(content.item_topics_[position, topic])
            row["popularity"] = int(model.item_popularity_[position])
            rows.append(row)
    return pd.DataFrame(rows)
