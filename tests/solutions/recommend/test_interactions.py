from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jogak.errors import ConfigError, SchemaError
from jogak.solutions.recommend import build_interactions


def test_build_interactions_counts_repeated_events_without_ratings() -> None:
    frame = pd.DataFrame({"u": ["a", "a", "a", "b"], "i": [1, 1, 2, 2]})
    data = build_interactions(frame, user_col="u", item_col="i")
    assert list(data.user_ids) == ["a", "b"]
    assert list(data.item_ids) == [1, 2]
    assert data.item_ids.dtype == np.int64
    assert data.matrix.toarray().tolist() == [[2.0, 1.0], [0.0, 1.0]]
    assert data.n_duplicates == 1


@pytest.mark.parametrize(("policy", "expected"),
                         [("last", 2.0), ("mean", 3.0), ("max", 4.0), ("sum", 6.0)],
                         ids=["last", "mean", "max", "sum"])
def test_build_interactions_merges_duplicate_ratings_by_policy(policy: str,
                                                               expected: float) -> None:
    # rows out of time order: the latest (t=3) rating is 2.0
    frame = pd.DataFrame({"u": [1, 1], "i": [7, 7], "r": [2.0, 4.0], "t": [3, 1]})
    data = build_interactions(frame, user_col="u", item_col="i", rating_col="r", time_col="t",
                              duplicates=policy)  # type: ignore[arg-type]
    assert data.matrix.toarray().tolist() == [[expected]]
    assert data.n_duplicates == 1


def test_build_interactions_refuses_duplicates_when_asked() -> None:
    frame = pd.DataFrame({"u": [1, 1, 2], "i": [7, 7, 7], "r": [2.0, 4.0, 3.0]})
    with pytest.raises(SchemaError, match="1 rows repeat a \\(user, item\\) pair"):
        build_interactions(frame, user_col="u", item_col="i", rating_col="r",
                           duplicates="error")


def test_build_interactions_adds_catalogue_items_as_empty_columns() -> None:
    frame = pd.DataFrame({"u": [1], "i": ["x"]})
    data = build_interactions(frame, user_col="u", item_col="i", item_ids=["y", "x", "z"])
    assert list(data.item_ids) == ["y", "x", "z"]
    assert data.matrix.toarray().tolist() == [[0.0, 1.0, 0.0]]


def test_build_interactions_keeps_zero_ratings_as_weak_interactions() -> None:
    frame = pd.DataFrame({"u": [1, 1], "i": [1, 2], "r": [0.0, 5.0]})
    data = build_interactions(frame, user_col="u", item_col="i", rating_col="r")
    assert data.matrix.nnz == 2
    assert data.matrix[0, 0] == pytest.approx(1e-3)


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [(pd.DataFrame({"user": [1], "i": [1]}), {"user_col": "usr"}, "Did you mean 'user'"),
     (pd.DataFrame({"usr": [], "i": []}), {}, "has no rows"),
     (pd.DataFrame({"usr": [1, None], "i": [1, 2]}), {}, "1 missing ids"),
     (pd.DataFrame({"usr": [1], "i": [1], "r": ["good"]}), {"rating_col": "r"},
      "must be numeric"),
     (pd.DataFrame({"usr": [1], "i": [1], "r": [np.nan]}), {"rating_col": "r"},
      "1 missing values")],
    ids=["missing_column", "empty", "missing_id", "text_rating", "missing_rating"])
def test_build_interactions_rejects_bad_input(frame: pd.DataFrame, kwargs: dict[str, str],
                                              message: str) -> None:
    options = {"user_col": "usr", "item_col": "i", **kwargs}
    with pytest.raises(SchemaError, match=message):
        build_interactions(frame, **options)  # type: ignore[arg-type]


def test_build_interactions_rejects_unknown_duplicate_policy() -> None:
    frame = pd.DataFrame({"u": [1], "i": [1]})
    with pytest.raises(ConfigError, match="duplicates must be one of"):
        build_interactions(frame, user_col="u", item_col="i",
                           duplicates="first")  # type: ignore[arg-type]
