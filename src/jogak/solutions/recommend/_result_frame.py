"""The table a recommendation, similarity or search query returns: ranked titles and why."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from jogak.solutions.recommend._recommender import Recommender

__all__ = ["recommendation_frame"]


def recommendation_frame(model: Recommender, items: np.ndarray, scores: np.ndarray | None,
                         source: str | None) -> pd.DataFrame:
    """``rank, item, [title], score, [topic], source`` for item positions of a fitted ``model``.

    Without ``scores`` the score is the training popularity; without ``source`` each row says
    ``"content (cold title)"`` for cold titles, else ``"hybrid"`` or ``"collaborative"``.
    """
    frame = pd.DataFrame({"rank": np.arange(1, len(items) + 1),
                          "item": model.item_ids_[items]})
    if model.titles_ is not None:
        frame["title"] = model.titles_[items]
    frame["score"] = (model.item_popularity_[items].astype(float) if scores is None
                      else scores[items].astype(float))
    if model.content_ is not None:
        topics = model.content_.dominant_topic_[items]
        frame["topic"] = [model.content_.topic_labels_[t] if t >= 0 else "" for t in topics]
    if source is None:
        default = "hybrid" if model.content_ is not None and model.content_weight > 0 \
            else "collaborative"
        frame["source"] = np.where(model.is_cold_[items], "content (cold title)", default)
    else:
        frame["source"] = source
    return frame
