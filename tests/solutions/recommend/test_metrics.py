from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import ndcg_score

from jogak.solutions.recommend import (
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


def test_precision_recall_ap_match_hand_computation() -> None:
    recommended, relevant = [5, 1, 7, 3, 9], {1, 3, 4}
    assert precision_at_k(recommended, relevant, 5) == pytest.approx(2 / 5)
    assert recall_at_k(recommended, relevant, 5) == pytest.approx(2 / 3)
    # hits at ranks 2 and 4: (1/2 + 2/4) / min(5, 3)
    assert average_precision_at_k(recommended, relevant, 5) == pytest.approx((0.5 + 0.5) / 3)
    # a short list: missing slots are misses
    assert precision_at_k([1], relevant, 5) == pytest.approx(1 / 5)


def test_metrics_are_zero_without_relevant_items() -> None:
    assert recall_at_k([1, 2], set(), 2) == 0.0
    assert average_precision_at_k([1, 2], set(), 2) == 0.0
    assert ndcg_at_k([1, 2], set(), 2) == 0.0


def test_ndcg_matches_scikit_learn(global_random_seed: int) -> None:
    rng = np.random.default_rng(global_random_seed)
    for _ in range(20):
        n_items, k = 30, 10
        relevant = set(rng.choice(n_items, size=int(rng.integers(1, 8)), replace=False).tolist())
        scores = rng.random(n_items)
        ranking = np.argsort(-scores)
        truth = np.array([[1.0 if i in relevant else 0.0 for i in range(n_items)]])
        expected = ndcg_score(truth, scores[None, :], k=k)
        assert ndcg_at_k(ranking.tolist(), relevant, k) == pytest.approx(expected)


def test_perfect_list_scores_one() -> None:
    assert average_precision_at_k([1, 2, 3], {1, 2, 3}, 3) == pytest.approx(1.0)
    assert ndcg_at_k([1, 2, 3], {1, 2, 3}, 3) == pytest.approx(1.0)


def test_entropy_and_coverage_of_recommendation_lists() -> None:
    assert entropy_diversity([[1, 1], [1, 1]]) == pytest.approx(0.0)
    assert entropy_diversity([[1, 2, 3, 4], [5, 6, 7, 8]]) == pytest.approx(3.0)
    # counts 2, 1, 1 -> p = 1/2, 1/4, 1/4 -> 1.5 bits
    assert entropy_diversity([[1, 2], [1, 3]]) == pytest.approx(1.5)
    assert entropy_diversity([]) == 0.0
    assert catalogue_coverage([[1, 2], [2, 3]], n_items=10) == pytest.approx(0.3)


def test_novelty_is_self_information_of_popularity() -> None:
    popularity = np.array([50, 25, 0])
    # item 0: p=1/2 -> 1 bit; item 1: p=1/4 -> 2 bits; cold item 2: p=1/100 -> log2(100)
    assert novelty([[0, 1]], popularity, n_users=100) == pytest.approx((1 + 2) / 2)
    assert novelty([[2]], popularity, n_users=100) == pytest.approx(np.log2(100))


def test_intra_list_diversity_of_identical_and_orthogonal_items() -> None:
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])

    def similarity(items: np.ndarray) -> np.ndarray:
        return vectors[items] @ vectors[items].T

    assert intra_list_diversity([[0, 1]], similarity) == pytest.approx(0.0)
    assert intra_list_diversity([[0, 2]], similarity) == pytest.approx(1.0)
    assert intra_list_diversity([[0, 1, 2]], similarity) == pytest.approx(2 / 3)


def test_ranking_report_averages_over_users() -> None:
    report = ranking_report([[0, 1], [2, 3]], [{0}, {9}], k=2, n_items=10,
                            popularity=np.ones(10, dtype=int), n_users=4)
    assert report["precision@2"] == pytest.approx(0.25)
    assert report["map@2"] == pytest.approx(0.5)
    assert report["coverage"] == pytest.approx(0.4)
    assert report["entropy"] == pytest.approx(2.0)
    assert report["novelty"] == pytest.approx(2.0)
