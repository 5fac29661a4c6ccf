"""Synthetic interactions and catalogues for recommendation tests, from a given seed."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CLUSTER_WORDS", "make_recommendation_data"]

# each cluster of titles shares a vocabulary, so content similarity mirrors taste
CLUSTER_WORDS: tuple[tuple[str, ...], ...] = (
    ("murder", "detective", "police", "killer", "crime", "kidnapping", "missing", "body"),
    ("love", "wedding", "romance", "heart", "couple", "kiss", "bride", "letter"),
    ("space", "alien", "planet", "galaxy", "robot", "astronaut", "starship", "orbit"),
    ("family", "children", "school", "dog", "holiday", "friends", "summer", "puppy"),
)
_FILLER = ("story", "night", "city", "years", "finds", "life", "old", "new")


def make_recommendation_data(n_users: int = 60, n_items: int = 40, *, n_cold: int = 4,
                             n_per_user: int = 10, seed: int = 0
                             ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Ratings with cluster-shaped taste, and a catalogue whose synopses reveal the clusters.

    Item ``i`` belongs to cluster ``i % 4``; user ``u`` prefers cluster ``u % 4`` and picks
    85 % of their titles there (more popular titles more often), 15 % anywhere. The last
    ``n_cold`` catalogue titles get no interactions (cold titles).

    Returns
    -------
    interactions : pandas.DataFrame
        ``user_id`` (str ``u0``…), ``item_id`` (int), ``rating`` (1–5), ``timestamp`` (int,
        increasing per user).
    items : pandas.DataFrame
        ``item_id``, ``title``, ``overview`` (cluster words plus filler), ``cluster``.
    """
    rng = np.random.default_rng(seed)
    n_clusters = len(CLUSTER_WORDS)
    item_ids = np.arange(100, 100 + n_items)
    cluster = np.arange(n_items) % n_clusters
    warm = np.arange(n_items - n_cold)
    weight = 1.0 / (1.0 + np.arange(n_items - n_cold) // n_clusters)  # Zipf-like within clusters
    rows = []
    for user in range(n_users):
        liked = user % n_clusters
        inside = warm[cluster[warm] == liked]
        p_in = weight[inside] / weight[inside].sum()
        picks: set[int] = set()
        while len(picks) < min(n_per_user, warm.size):
            if rng.random() < 0.85 and len(picks) < inside.size:
                picks.add(int(rng.choice(inside, p=p_in)))
            else:
                picks.add(int(rng.choice(warm)))
        for t, item in enumerate(sorted(picks, key=lambda _: rng.random())):
            rating = rng.integers(4, 6) if cluster[item] == liked else rng.integers(1, 4)
            rows.append({"user_id": f"u{user}", "item_id": int(item_ids[item]),
                         "rating": float(rating), "timestamp": 1_000_000 + 1000 * user + t})
    overviews = []
    for i in range(n_items):
        words = list(rng.choice(CLUSTER_WORDS[cluster[i]], size=6)) + \
            list(rng.choice(_FILLER, size=3))
        rng.shuffle(words)
        overviews.append("A " + " ".join(words) + ".")
    items = pd.DataFrame({"item_id": item_ids, "title": [f"Title {i}" for i in item_ids],
                          "overview": overviews, "cluster": cluster})
    return pd.DataFrame(rows), items
