"""`jogak recommend train --cf recency_blend --item-zscore`: the tuned hybrid from the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jogak.cli import app
from jogak.solutions.recommend import load_recommender
from jogak.testing._recommend import make_recommendation_data

pytest.importorskip("implicit")


def test_train_the_recency_blend_with_item_zscores(tmp_path: Path) -> None:
    interactions, items = make_recommendation_data(seed=3)
    interactions.to_csv(tmp_path / "ratings.csv", index=False)
    items.to_csv(tmp_path / "items.csv", index=False)
    result = CliRunner().invoke(app, [
        "recommend", "train", str(tmp_path / "ratings.csv"), "--user-col", "user_id",
        "--item-col", "item_id", "--rating-col", "rating", "--time-col", "timestamp",
        "--items", str(tmp_path / "items.csv"), "--text-col", "overview", "--topics", "4",
        "--cf", "recency_blend", "--content-weight", "0", "--mmr-lambda", "1",
        "--long-tail", "0", "--item-zscore", "0.3", "--exposure", "0.4",
        "--exposure-depth", "5", "--out", str(tmp_path / "model"), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n_users"] == 60
    model = load_recommender(tmp_path / "model")
    assert [name for name, _ in model.collaborative.estimators] == ["als", "bpr", "knn"]
    assert model.item_zscore_weight == 0.3
    assert model.item_score_mean_ is not None
    assert model.ranks_.nnz == model.matrix_.nnz
    assert len(model.recommend_items("u1", 5)) == 5
