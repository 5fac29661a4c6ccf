"""The recommender users train and query: collaborative + content blend, cold start, re-ranking."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from jogak.solutions.recommend._catalogue import align_catalogue, lookup
from jogak.solutions.recommend._cold_start import factor_models, map_cold_factors
from jogak.solutions.recommend._content import ContentModel
from jogak.solutions.recommend._debiasing import (
    ItemStatistics,
    exposure_penalty,
    item_statistics,
    item_zscores,
)
from jogak.solutions.recommend._interactions import DuplicatePolicy, build_interactions
from jogak.solutions.recommend._parameters import (
    Algorithm,
    ColdStart,
    check_k,
    check_recommender_params,
)
from jogak.solutions.recommend._ranking import (
    candidate_similarity,
    novelty_bonus,
    rank_unseen,
    standardise_rows,
)
from jogak.solutions.recommend._recency import history_ranks, recency_ranks
from jogak.solutions.recommend._result_frame import recommendation_frame

__all__ = ["Recommender"]


class Recommender(BaseEstimator):
    """Hybrid recommender: collaborative filtering blended with synopsis similarity.

    Scores of both parts are standardised per user and mixed as
    ``(1 − content_weight)·cf + content_weight·content``; titles nobody interacted with (cold
    titles) get their content score alone (rescaled to the spread of the mixed scores), so they
    still reach users. ``long_tail_weight``
    adds the items' standardised self-information (−log₂ popularity); ``exposure_weight``
    subtracts each item's standardised log₂(1 + exposure), where exposure counts the training
    users whose top ``exposure_depth`` would hold the item without the penalty (computed once in
    ``fit``): it damps the titles the model itself piles onto, not merely popular ones.
    ``item_zscore_weight`` γ mixes in each item's score standardised over the training users,
    ``(1 − γ)·s + γ·(s − mean_item) / std_item``, so titles reach the users they suit more than
    their usual audience instead of everybody (hubness reduction). With ``time_col`` the
    recency rank of each interaction (1 = the user's latest) is kept and handed to the
    collaborative models, which weigh a user's history by it when they have a ``half_life``.
    ``mmr_lambda < 1`` re-ranks the best ``n_candidates`` by maximal marginal relevance on
    content similarity. With ``cold_start="ridge"`` a ridge regression from TF-IDF synopses to
    the collaborative item factors, trained on the warm titles, gives cold titles with a
    synopsis predicted factors, so they are scored like warm titles (collaborative part from
    the mapped factors, blended with content) instead of by content alone.

    Parameters
    ----------
    user_col, item_col : str
        Id columns of the interactions (``item_col`` also keys the items frame).
    rating_col : str, optional
        Explicit ratings; without it each row is one implicit event.
    time_col : str, optional
        Orders repeated ratings (``duplicates="last"`` keeps the latest).
    text_cols : sequence of str, default=("overview",)
        Columns of the items frame joined into each title's text.
    title_col : str, optional
        Items-frame column shown next to item ids in results.
    collaborative : {"als", "bpr", "blend", "recency_blend", "item_knn", "popularity"} or \
estimator, default="als"
        The collaborative model (an unfitted estimator from this package is cloned);
        ``"blend"`` is :class:`BlendRecommender` (ALS with 128 factors + BPR);
        ``"recency_blend"`` is :func:`recency_blend` (ALS + BPR + item-kNN, recency-weighted;
        give a ``time_col``).
    content : ContentModel, optional
        Used when an items frame is given (default ``ContentModel()``).
    content_weight : float, default=0.3
        0: collaborative only (cold titles never appear); 1: content only.
    mmr_lambda : float, default=1.0
        Relevance–diversity trade-off of MMR; 1 switches re-ranking off.
    long_tail_weight : float, default=0.0
        Weight of the novelty bonus (lifts rarely seen titles).
    exposure_weight : float, default=0.0
        Weight of the exposure penalty (spreads recommendations over the catalogue).
    exposure_depth : int, default=50
        List length over which exposure is counted.
    item_zscore_weight : float, default=0.0
        Share γ in [0, 1] of the per-item standardised score (0: off).
    cold_start : {"content", "ridge"}, default="content"
        How cold titles are scored: content alone, or mapped factors + content (needs a
        factor model: ALS, BPR or their blend).
    cold_start_alpha : float, default=1.0
        L2 penalty of the ridge map.
    n_candidates : int, default=100
        Best-scored items MMR chooses from.
    fallback_lambda : float, default=0.5
        MMR λ of the diverse popular list shown to unknown users.
    duplicates : {"last", "mean", "max", "sum", "error"}, default="last"
        How repeated (user, item) ratings are merged.

    Attributes
    ----------
    collaborative_ : estimator
    content_ : ContentModel or None
    matrix_ : scipy.sparse.csr_matrix of shape (n_users, n_items)
    user_ids_, item_ids_ : numpy.ndarray
    titles_ : numpy.ndarray of str or None
    item_popularity_ : numpy.ndarray of int
        Users per item in training.
    is_cold_ : numpy.ndarray of bool
        Catalogue titles without any interaction.
    is_mapped_ : numpy.ndarray of bool
        Cold titles whose collaborative factors were predicted from their synopsis
        (``cold_start="ridge"``); they are written into the factor model's ``item_factors_``.
    item_exposure_ : numpy.ndarray of int
        Training users whose unpenalised top ``exposure_depth`` holds each item (zeros when
        ``exposure_weight`` and ``item_zscore_weight`` are 0).
    item_score_mean_, item_score_std_ : numpy.ndarray of float32 or None
        Moments of each item's score over the training users (``item_zscore_weight > 0``).
    ranks_ : scipy.sparse.csr_matrix or None
        Recency rank of each training interaction, 1 = the user's latest (with ``time_col``).
    n_duplicates_ : int
        Repeated (user, item) rows merged by ``duplicates``.
    n_empty_texts_ : int
        Titles whose synopsis is empty (they reach users through interactions only).
    """

    def __init__(self, *, user_col: str = "user_id", item_col: str = "item_id",
                 rating_col: str | None = None, time_col: str | None = None,
                 text_cols: Sequence[str] = ("overview",), title_col: str | None = None,
                 collaborative: Algorithm | BaseEstimator = "als",
                 content: ContentModel | None = None, content_weight: float = 0.3,
                 mmr_lambda: float = 1.0, long_tail_weight: float = 0.0,
                 exposure_weight: float = 0.0, exposure_depth: int = 50,
                 item_zscore_weight: float = 0.0, cold_start: ColdStart = "content",
                 cold_start_alpha: float = 1.0,
                 n_candidates: int = 100, fallback_lambda: float = 0.5,
                 duplicates: DuplicatePolicy = "last") -> None:
        self.user_col = user_col
        self.item_col = item_col
        self.rating_col = rating_col
        self.time_col = time_col
        self.text_cols = text_cols
        self.title_col = title_col
        self.collaborative = collaborative
        self.content = content
        self.content_weight = content_weight
        self.mmr_lambda = mmr_lambda
        self.long_tail_weight = long_tail_weight
        self.exposure_weight = exposure_weight
        self.exposure_depth = exposure_depth
        self.item_zscore_weight = item_zscore_weight
        self.cold_start = cold_start
        self.cold_start_alpha = cold_start_alpha
        self.n_candidates = n_candidates
        self.fallback_lambda = fallback_lambda
        self.duplicates = duplicates

    # ------------------------------------------------------------ fitting

    def fit(self, X: pd.DataFrame, y: object = None, *,
            items: pd.DataFrame | None = None) -> Recommender:
        """Learn from interactions and, optionally, a catalogue with synopses.

        Parameters
        ----------
        X : pandas.DataFrame
            Interactions (``user_col``, ``item_col``, optional ``rating_col``/``time_col``).
        y : None
            Ignored.
        items : pandas.DataFrame, optional
            The catalogue: ``item_col``, ``text_cols`` and optional ``title_col``. Titles listed
            here without interactions are cold titles that content similarity recommends.

        Returns
        -------
        Recommender
        """
        collaborative = check_recommender_params(self)
        catalogue = None
        if items is not None:
            catalogue = align_catalogue(items, item_col=self.item_col,
                                        text_cols=tuple(self.text_cols),
                                        title_col=self.title_col)
        data = build_interactions(X, user_col=self.user_col, item_col=self.item_col,
                                  rating_col=self.rating_col, time_col=self.time_col,
                                  duplicates=self.duplicates,
                                  item_ids=None if catalogue is None else catalogue.index)
        self.matrix_ = data.matrix
        self.user_ids_, self.item_ids_ = data.user_ids, data.item_ids
        self.n_duplicates_ = data.n_duplicates
        self.item_popularity_ = np.asarray((data.matrix > 0).sum(axis=0)).ravel().astype("int64")
        self.is_cold_ = self.item_popularity_ == 0
        self.ranks_ = None
        if self.time_col is not None:
            self.ranks_ = recency_ranks(X, user_col=self.user_col, item_col=self.item_col,
                                        time_col=self.time_col, user_ids=data.user_ids,
                                        item_ids=data.item_ids)
        self.collaborative_ = collaborative.fit(data.matrix, ranks=self.ranks_)
        self.content_ = None
        self.titles_ = None
        self.n_empty_texts_ = 0
        if catalogue is not None:
            aligned = catalogue.reindex(pd.Index(self.item_ids_, dtype=object))
            texts = aligned["text"].fillna("").tolist()
            self.n_empty_texts_ = sum(1 for text in texts if not text)
            content = ContentModel() if self.content is None else clone(self.content)
            self.content_ = content.fit(texts)
            if self.title_col is not None:
                self.titles_ = aligned["title"].fillna("").astype(str).to_numpy()
        self.is_mapped_ = np.zeros(self.matrix_.shape[1], dtype=bool)
        if self.cold_start == "ridge" and self.content_ is not None:
            mapped = map_cold_factors(factor_models(self.collaborative_), self.content_,
                                      self.is_cold_, alpha=float(self.cold_start_alpha))
            if mapped is not None:
                self.is_mapped_ = mapped
        self.item_exposure_ = np.zeros(self.matrix_.shape[1], dtype=np.int64)
        self.exposure_penalty_ = np.zeros(self.matrix_.shape[1], dtype=np.float32)
        self.item_score_mean_ = self.item_score_std_ = None
        if self.exposure_weight or self.item_zscore_weight:
            stats = item_statistics(
                lambda rows: self._base_scores(self.matrix_[rows], rows), self.matrix_,
                depth=int(self.exposure_depth))
            self.item_exposure_ = stats.exposure
            self.exposure_penalty_ = exposure_penalty(stats.exposure)
            if self.item_zscore_weight:
                self.item_score_mean_, self.item_score_std_ = stats.mean, stats.std
        return self

    # ------------------------------------------------------------ scoring

    def blended_scores(self, history: Any, users: np.ndarray | None = None) -> np.ndarray:
        """Hybrid scores of every item for rows of history, shape (n_rows, n_items).

        Seen items are not excluded here; items collaborative filtering cannot score (cold
        titles without content) are ``-inf``.
        """
        check_is_fitted(self)
        if not (sp.issparse(history) and history.format == "csr" and
                history.dtype == np.float32):
            history = sp.csr_matrix(history, dtype=np.float32)
        scores = self._base_scores(history, users)
        mean = getattr(self, "item_score_mean_", None)  # absent in older bundles
        if mean is not None:
            scores = item_zscores(scores, ItemStatistics(self.item_exposure_, mean,
                                                         self.item_score_std_),
                                  float(self.item_zscore_weight))
        penalty = getattr(self, "exposure_penalty_", None)
        exposure = float(getattr(self, "exposure_weight", 0.0))
        if exposure and penalty is not None and penalty.any():
            scores = scores - np.float32(exposure) * penalty
        return scores

    def _base_scores(self, history: sp.csr_matrix, users: np.ndarray | None) -> np.ndarray:
        """Collaborative + content + long tail, before the item-side corrections."""
        ranks = history_ranks(history, users, getattr(self, "ranks_", None))  # older bundles
        cf = self.collaborative_.score_items(history, users, ranks=ranks)
        mapped = getattr(self, "is_mapped_", None)
        warm = ~self.is_cold_ if mapped is None else ~self.is_cold_ | mapped
        weight = float(self.content_weight) if self.content_ is not None else 0.0
        corrected = bool(getattr(self, "exposure_weight", 0.0)) or \
            bool(getattr(self, "item_zscore_weight", 0.0))
        if weight == 0 and not self.long_tail_weight and not corrected:
            cf[:, ~warm] = -np.inf  # ranking only: no need to standardise
            return cf
        scores = standardise_rows(cf, None if warm.all() else warm)
        if weight > 0:
            content = standardise_rows(self.content_.profile_scores(history))
            scores = (1.0 - weight) * scores + weight * content
            # cold titles: content alone, rescaled to the spread of the blended warm scores
            spread = scores[:, warm].std(axis=1, keepdims=True) if warm.any() else 1.0
            scores[:, ~warm] = content[:, ~warm] * spread
        else:
            scores[:, ~warm] = -np.inf
        if self.long_tail_weight:
            scores += np.float32(self.long_tail_weight) * novelty_bonus(
                self.item_popularity_, self.matrix_.shape[0]).astype(np.float32)
        return scores

    def _rank(self, scores: np.ndarray, seen: np.ndarray, k: int, lambda_: float) -> np.ndarray:
        similarity = None if lambda_ >= 1.0 else \
            candidate_similarity(self.content_, self.collaborative_)
        return rank_unseen(scores, seen, k, lambda_=lambda_, similarity=similarity,
                           n_candidates=int(self.n_candidates))

    def top_items(self, history: Any, users: np.ndarray | None = None, *, k: int = 10,
                  exclude_seen: bool = True) -> list[np.ndarray]:
        """The ``k`` best item positions (columns) for each history row, best first."""
        history = sp.csr_matrix(history, dtype=np.float32)
        scores = self.blended_scores(history, users)
        out = []
        for row in range(history.shape[0]):
            seen = history.indices[history.indptr[row]:history.indptr[row + 1]] \
                if exclude_seen else np.empty(0, dtype=np.int64)
            out.append(self._rank(scores[row], seen, k, float(self.mmr_lambda)))
        return out

    def popular_items(self, k: int = 10) -> np.ndarray:
        """A diverse list of popular titles (the fallback for users the model does not know)."""
        check_is_fitted(self)
        scores = np.where(self.is_cold_, -np.inf, self.item_popularity_.astype(np.float64))
        return self._rank(scores, np.empty(0, dtype=np.int64), k, float(self.fallback_lambda))

    # ------------------------------------------------------------ queries

    def recommend(self, user: object, k: int = 10, *, exclude_seen: bool = True) -> pd.DataFrame:
        """Top-``k`` titles for a known user; a diverse popular list for an unknown one.

        Returns
        -------
        pandas.DataFrame
            ``rank, item, [title], score, [topic], source``; ``source`` is ``"hybrid"``,
            ``"collaborative"``, ``"content (cold title)"`` or ``"popular (unknown user)"``.
        """
        check_is_fitted(self)
        k = check_k(k)
        row = lookup(self._user_index(), user)
        if row is None:
            return recommendation_frame(self, self.popular_items(k), None,
                                        "popular (unknown user)")
        history = self.matrix_[row]
        scores = self.blended_scores(history, np.array([row]))[0]
        seen = history.indices if exclude_seen else np.empty(0, dtype=np.int64)
        chosen = self._rank(scores, seen, k, float(self.mmr_lambda))
        return recommendation_frame(self, chosen, scores, None)

    def recommend_items(self, user: object, k: int = 10) -> np.ndarray:
        """Ids of the top-``k`` unseen titles for ``user`` (the fast path behind
        :meth:`recommend`; an unknown user gets the diverse popular list)."""
        check_is_fitted(self)
        k = check_k(k)
        row = lookup(self._user_index(), user)
        if row is None:
            return self.item_ids_[self.popular_items(k)]
        history = self.matrix_[row]
        scores = self.blended_scores(history, np.array([row]))[0]
        return self.item_ids_[self._rank(scores, history.indices, k, float(self.mmr_lambda))]

    def recommend_for_items(self, items: Sequence[object], k: int = 10) -> pd.DataFrame:
        """Top-``k`` titles for a new user from the first titles they chose (item-to-item).

        Unknown ids among ``items`` are ignored; with none known the diverse popular list is
        returned.
        """
        check_is_fitted(self)
        k = check_k(k)
        index = self._item_index()
        rows = sorted({pos for pos in (lookup(index, item) for item in items) if pos is not None})
        if not rows:
            return recommendation_frame(self, self.popular_items(k), None,
                                        "popular (unknown user)")
        history = sp.csr_matrix((np.ones(len(rows), dtype=np.float32),
                                 (np.zeros(len(rows), dtype=np.int64), rows)),
                                shape=(1, self.matrix_.shape[1]))
        chosen = self.top_items(history, None, k=k)[0]
        return recommendation_frame(self, chosen, self.blended_scores(history, None)[0], None)

    def similar(self, item: object, k: int = 10) -> pd.DataFrame:
        """Titles most like ``item``; see :func:`similar_items`."""
        from jogak.solutions.recommend._discovery import similar_items

        return similar_items(self, item, k)

    def search(self, query: str, k: int = 10) -> pd.DataFrame:
        """Titles matching a plot or mood query; see :func:`search_titles`."""
        from jogak.solutions.recommend._discovery import search_titles

        return search_titles(self, query, k)

    def _user_index(self) -> pd.Index:
        if getattr(self, "_users", None) is None or len(self._users) != len(self.user_ids_):
            self._users = pd.Index(self.user_ids_)
        return self._users

    def _item_index(self) -> pd.Index:
        if getattr(self, "_items", None) is None or len(self._items) != len(self.item_ids_):
            self._items = pd.Index(self.item_ids_)
        return self._items

    def save(self, path: str | Path, *, name: str = "recommender") -> Path:
        """Write the model as a bundle folder (arrays in .npy/.npz, manifest with sha256)."""
        from jogak.solutions.recommend._persistence import save_recommender

        return save_recommender(self, path, name=name)

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "matrix_")

