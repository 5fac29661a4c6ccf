"""Collaborative, content-based and hybrid recommendation with diversity (S2).

Collaborative filtering (popularity, item-kNN, ALS, BPR) on user–item interactions; content
from synopses (TF-IDF, NMF topics, packaged sentence embeddings, Korean morphemes or character
n-grams); a hybrid :class:`Recommender` that reaches cold titles through content, falls back to
a diverse popular list for unknown users and re-ranks for diversity (MMR) and the long tail;
plot and mood search, curation blocks, and offline evaluation.
"""

from __future__ import annotations

from jogak.solutions.recommend._collaborative import (
    ALSRecommender,
    BlendRecommender,
    BPRRecommender,
    ItemKNNRecommender,
    PopularityRecommender,
    recency_blend,
)
from jogak.solutions.recommend._content import ContentModel
from jogak.solutions.recommend._discovery import curation_blocks, search_titles, similar_items
from jogak.solutions.recommend._embeddings import SentenceEncoder
from jogak.solutions.recommend._evaluation import (
    cold_start_evaluation,
    compare_recommenders,
    evaluate_recommender,
    leave_last_n_split,
    time_split,
)
from jogak.solutions.recommend._interactions import (
    InteractionData,
    UnknownIdError,
    build_interactions,
)
from jogak.solutions.recommend._metrics import (
    average_precision_at_k,
    catalogue_coverage,
    entropy_diversity,
    intra_list_diversity,
    ndcg_at_k,
    novelty,
    precision_at_k,
    ranking_report,
    recall_at_k,
)
from jogak.solutions.recommend._persistence import load_recommender, save_recommender
from jogak.solutions.recommend._ranking import mmr_rerank
from jogak.solutions.recommend._recommender import Recommender

__all__ = [
    "ALSRecommender",
    "BPRRecommender",
    "BlendRecommender",
    "ContentModel",
    "InteractionData",
    "ItemKNNRecommender",
    "PopularityRecommender",
    "Recommender",
    "SentenceEncoder",
    "UnknownIdError",
    "average_precision_at_k",
    "build_interactions",
    "catalogue_coverage",
    "cold_start_evaluation",
    "compare_recommenders",
    "curation_blocks",
    "entropy_diversity",
    "evaluate_recommender",
    "intra_list_diversity",
    "leave_last_n_split",
    "load_recommender",
    "mmr_rerank",
    "ndcg_at_k",
    "novelty",
    "precision_at_k",
    "ranking_report",
    "recall_at_k",
    "recency_blend",
    "save_recommender",
    "search_titles",
    "similar_items",
    "time_split",
]
