"""Fixtures of the recommendation tests: synthetic data and a fitted hybrid model."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from jogak.solutions.recommend import ContentModel, Recommender
from jogak.testing._recommend import make_recommendation_data

ModelFactory = Callable[..., Recommender]


@pytest.fixture(scope="module")
def synthetic() -> tuple[pd.DataFrame, pd.DataFrame]:
    """600 ratings of 60 users on 36 warm titles, plus 4 cold titles in the catalogue."""
    return make_recommendation_data(seed=0)


@pytest.fixture(scope="module")
def make_model() -> ModelFactory:
    """A Recommender on the synthetic columns; keyword arguments override the defaults."""

    def factory(**params: object) -> Recommender:
        base: dict[str, object] = {"rating_col": "rating", "time_col": "timestamp",
                                   "title_col": "title", "content": ContentModel(n_topics=4)}
        base.update(params)
        return Recommender(**base)

    return factory


@pytest.fixture(scope="module")
def hybrid(synthetic: tuple[pd.DataFrame, pd.DataFrame], make_model: ModelFactory) -> Recommender:
    interactions, items = synthetic
    return make_model().fit(interactions, items=items)
