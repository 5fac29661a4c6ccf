"""Offline evaluation: leave-last-N and time splits, side-by-side metrics, cold-start protocol."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from math import comb
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.recommend._interactions import check_columns
from jogak.solutions.recommend._metrics import ranking_report
from jogak.solutions.recommend._ranking import top_k
from jogak.solutions.recommend._recommender import Recommender

__all__ = ["cold_start_evaluation", "compare_recommenders", "evaluate_recommender",
           "leave_last_n_split", "time_split"]

_BATCH = 256


def leave_last_n_split(frame: pd.DataFrame, *, user_col: str, time_col: str | None,
                       n: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hold out each user's last ``n`` interactions (by ``time_col``, else by row order).

    Users with ``n`` or fewer interactions stay entirely in training, so every test user has
    a history.

    Examples
    --------
    >>> frame = pd.DataFrame({"u": [1, 1, 1, 2], "i": [1, 2, 3, 1], "t": [3, 1, 2, 1]})
    >>> train, test = leave_last_n_split(frame, user_col="u", time_col="t", n=1)
    >>> test["i"].tolist(), sorted(train["i"].tolist())
    ([1], [1, 2, 3])
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ConfigError(f"n must be a positive integer, got {n!r}.")
    check_columns(frame, {"user_col": user_col, "time_col": time_col}, "interactions")
    ordered = frame.sort_values(time_col, kind="stable") if time_col else frame
    position = ordered.groupby(user_col, sort=False).cumcount(ascending=False)
    size = ordered.groupby(user_col, sort=False)[user_col].transform("size")
    is_test = (position < n) & (size > n)
    return ordered[~is_test], ordered[is_test]


def time_split(frame: pd.DataFrame, *, time_col: str,
               test_share: float = 0.2) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Everything before the ``1 − test_share`` time quantile trains; the rest tests."""
    check_columns(frame, {"time_col": time_col}, "interactions")
    if not 0.0 < test_share < 1.0:
        raise ConfigError(f"test_share must be in (0, 1), got {test_share!r}.")
    cut = frame[time_col].quantile(1.0 - test_share)
    return frame[frame[time_col] <= cut], frame[frame[time_col] > cut]


def _relevant_sets(model: Recommender, test: pd.DataFrame) -> tuple[np.ndarray, list[set[int]]]:
    users = pd.Index(model.user_ids_).get_indexer(test[model.user_col])
    items = pd.Index(model.item_ids_).get_indexer(test[model.item_col])
    keep = (users >= 0) & (items >= 0)
    pairs = pd.DataFrame({"u": users[keep], "i": items[keep]}).drop_duplicates()
    seen = model.matrix_
    rows, sets = [], []
    for user, group in pairs.groupby("u", sort=True):
        history = set(seen.indices[seen.indptr[user]:seen.indptr[user + 1]].tolist())
        relevant = set(group["i"].tolist()) - history
        if relevant:
            rows.append(int(user))
            sets.append(relevant)
    return np.array(rows, dtype=np.int64), sets


def _top_lists(model: Recommender, rows: np.ndarray, k: int) -> list[np.ndarray]:
    lists: list[np.ndarray] = []
    for start in range(0, rows.size, _BATCH):
        batch = rows[start:start + _BATCH]
        lists.extend(model.top_items(model.matrix_[batch], batch, k=k))
    return lists


def evaluate_recommender(model: Recommender, test: pd.DataFrame, *, k: int = 10,
                         similarity: Callable[[np.ndarray], np.ndarray] | None = None
                         ) -> dict[str, float]:
    """Metrics at ``k`` of a fitted model on held-out interactions of the users it knows.

    Items already in a user's training history are not counted as relevant.
    """
    check_columns(test, {"user_col": model.user_col, "item_col": model.item_col}, "test data")
    rows, relevant = _relevant_sets(model, test)
    if rows.size == 0:
        raise SchemaError("No test interaction belongs to a user and an item of the model. "
                          "Hint: split so that test users also appear in training.")
    lists = _top_lists(model, rows, k)
    if similarity is None and model.content_ is not None:
        similarity = model.content_.pairwise_similarity
    report = ranking_report([lst.tolist() for lst in lists], relevant, k=k,
                            n_items=len(model.item_ids_), popularity=model.item_popularity_,
                            n_users=model.matrix_.shape[0], similarity=similarity)
    report["n_test_users"] = float(rows.size)
    return report


def compare_recommenders(frame: pd.DataFrame, models: Mapping[str, Recommender], *,
                         items: pd.DataFrame | None = None, holdout: int = 10, k: int = 10,
                         progress: Callable[[str], Any] | None = None) -> pd.DataFrame:
    """Fit each model on a leave-last-``holdout`` split and report its metrics side by side.

    All models see the same split, the same catalogue (``items``) and the same content
    similarity for intra-list diversity.

    Returns
    -------
    pandas.DataFrame
        One row per model (index: its name): precision, recall, MAP, NDCG at ``k``, coverage,
        entropy, novelty, intra-list diversity, test users, fit seconds is not included (tests
        never time things; benchmarks do).
    """
    if not models:
        raise ConfigError("models is empty: pass at least one named Recommender.")
    first = next(iter(models.values()))
    train, test = leave_last_n_split(frame, user_col=first.user_col, time_col=first.time_col,
                                     n=holdout)
    rows, similarity = {}, None
    for name, model in models.items():
        if progress is not None:
            progress(name)
        fitted = clone(model).fit(train, items=items)
        if similarity is None and fitted.content_ is not None:
            similarity = fitted.content_.pairwise_similarity
        rows[name] = evaluate_recommender(fitted, test, k=k, similarity=similarity)
    return pd.DataFrame.from_dict(rows, orient="index")


def cold_start_evaluation(frame: pd.DataFrame, items: pd.DataFrame, model: Recommender, *,
                          share: float = 0.1, k: int = 10, random_state: int = 0
                          ) -> dict[str, float]:
    """Hold a share of titles out of training entirely and check content brings them back.

    A random ``share`` of the titles that have a synopsis and interactions loses all its
    interactions; the model is trained on the rest (the held-out titles stay in the catalogue
    as cold titles). For every user who had a held-out title, the held-out titles are ranked by
    the model's score; a hit is one of the user's held-out titles in the top ``k``.

    Returns
    -------
    dict
        ``hit_rate``, ``random_hit_rate`` (the expectation for a random ranking of the same
        titles, exact), ``lift``, ``recall@k``, ``n_cold_titles``, ``n_users`` and
        ``cold_in_top_k`` (share of the users' full top-``k`` lists holding a cold title).
    """
    if not 0.0 < share < 1.0:
        raise ConfigError(f"share must be in (0, 1), got {share!r}.")
    user_col, item_col = model.user_col, model.item_col
    check_columns(frame, {"user_col": user_col, "item_col": item_col}, "interactions")
    texts = items.set_index(item_col)[list(model.text_cols)].fillna("").astype(str)
    with_text = set(texts.index[texts.apply(lambda row: "".join(row).strip() != "", axis=1)])
    eligible = np.array(sorted(set(frame[item_col]) & with_text, key=str), dtype=object)
    if eligible.size < 2:
        raise SchemaError("Fewer than 2 titles have both interactions and a synopsis; a cold "
                          "start evaluation needs more.")
    rng = np.random.default_rng(random_state)
    n_cold = max(1, int(round(share * eligible.size)))
    cold_ids = set(rng.choice(eligible, size=n_cold, replace=False).tolist())
    is_cold_row = frame[item_col].isin(cold_ids)
    fitted = clone(model).fit(frame[~is_cold_row], items=items)
    index = pd.Index(fitted.item_ids_)
    cold_pos = index.get_indexer(list(cold_ids))
    cold_pos = cold_pos[cold_pos >= 0]
    held = frame[is_cold_row]
    users = pd.Index(fitted.user_ids_).get_indexer(held[user_col])
    held_pos = index.get_indexer(held[item_col])
    pairs = pd.DataFrame({"u": users, "i": held_pos})
    pairs = pairs[(pairs["u"] >= 0) & (pairs["i"] >= 0)].drop_duplicates()
    if pairs.empty:
        raise SchemaError("No user of the training part had a held-out title; use more data.")
    hits, random_hits, recalls, reach = [], [], [], []
    grouped = list(pairs.groupby("u", sort=True))
    for start in range(0, len(grouped), _BATCH):
        batch = grouped[start:start + _BATCH]
        rows = np.array([int(u) for u, _ in batch], dtype=np.int64)
        scores = fitted.blended_scores(fitted.matrix_[rows], rows)
        tops = fitted.top_items(fitted.matrix_[rows], rows, k=k)
        for j, (_, group) in enumerate(batch):
            relevant = set(group["i"].tolist())
            ranked = set(cold_pos[top_k(scores[j, cold_pos], k)].tolist())
            found = len(ranked & relevant)
            hits.append(found > 0)
            recalls.append(found / len(relevant))
            n, r, kk = cold_pos.size, len(relevant), min(k, cold_pos.size)
            random_hits.append(1.0 - comb(n - r, kk) / comb(n, kk))
            reach.append(bool(fitted.is_cold_[tops[j]].any()))
    hit_rate, random_rate = float(np.mean(hits)), float(np.mean(random_hits))
    return {"hit_rate": hit_rate, "random_hit_rate": random_rate,
            "lift": hit_rate / random_rate if random_rate > 0 else float("nan"),
            f"recall@{k}": float(np.mean(recalls)), "n_cold_titles": float(cold_pos.size),
            "n_users": float(len(grouped)), "cold_in_top_k": float(np.mean(reach))}
