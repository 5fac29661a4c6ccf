from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jogak.cli import app
from jogak.testing._recommend import make_recommendation_data

pytest.importorskip("implicit")
runner = CliRunner()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("recommend")
    interactions, items = make_recommendation_data(seed=3)
    interactions.to_csv(folder / "ratings.csv", index=False)
    items.to_csv(folder / "items.csv", index=False)
    return folder / "ratings.csv", folder / "items.csv"


@pytest.fixture(scope="module")
def bundle(files: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    ratings, items = files
    out = tmp_path_factory.mktemp("model") / "rec"
    result = runner.invoke(app, [
        "recommend", "train", str(ratings), "--user-col", "user_id", "--item-col", "item_id",
        "--rating-col", "rating", "--time-col", "timestamp", "--items", str(items),
        "--text-col", "overview", "--title-col", "title", "--topics", "4", "--out", str(out),
        "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["n_users"] == 60
    assert summary["n_items"] == 40
    assert summary["n_cold_items"] == 4
    assert len(summary["topics"]) == 4
    return out


def test_for_user_json_lists_k_unseen_titles(bundle: Path, files: tuple[Path, Path]) -> None:
    result = runner.invoke(app, ["recommend", "for-user", str(bundle), "u1", "-k", "5",
                                 "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["fallback"] is False
    assert [row["rank"] for row in payload["results"]] == [1, 2, 3, 4, 5]
    import pandas as pd

    ratings = pd.read_csv(files[0])
    seen = set(ratings.loc[ratings["user_id"] == "u1", "item_id"])
    assert not seen & {row["item"] for row in payload["results"]}


def test_unknown_user_gets_the_documented_fallback(bundle: Path) -> None:
    result = runner.invoke(app, ["recommend", "for-user", str(bundle), "nobody", "-k", "3"])
    assert result.exit_code == 0, result.output
    assert "not in the model; showing a diverse popular list" in result.stderr
    payload = json.loads(runner.invoke(app, ["recommend", "for-user", str(bundle), "nobody",
                                             "--json"]).stdout)
    assert payload["fallback"] is True


def test_similar_and_search_and_blocks(bundle: Path) -> None:
    result = runner.invoke(app, ["recommend", "similar", str(bundle), "108", "-k", "4", "--json"])
    assert result.exit_code == 0, result.output
    items = [row["item"] for row in json.loads(result.stdout)["results"]]
    assert len(items) == 4
    assert 108 not in items
    result = runner.invoke(app, ["recommend", "search", str(bundle), "an alien robot in space",
                                 "-k", "3", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert all(row["item"] % 4 == 2 for row in payload["results"])
    assert payload["query_topics"]
    result = runner.invoke(app, ["recommend", "blocks", str(bundle), "--blocks", "2",
                                 "--per-block", "3", "--json"])
    assert result.exit_code == 0, result.output
    assert {row["block"] for row in json.loads(result.stdout)["results"]} == {1, 2}


def test_evaluate_json_compares_algorithms(files: tuple[Path, Path]) -> None:
    ratings, items = files
    result = runner.invoke(app, [
        "recommend", "evaluate", str(ratings), "--user-col", "user_id", "--item-col", "item_id",
        "--time-col", "timestamp", "--items", str(items), "--text-col", "overview",
        "--algorithms", "popularity,item_knn,hybrid", "--holdout", "2", "-k", "5", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["split"] == "leave-last-2 per user by timestamp"
    assert set(payload["metrics"]) == {"popularity", "item_knn", "hybrid"}
    assert payload["metrics"]["item_knn"]["map@5"] > payload["metrics"]["popularity"]["map@5"]


def test_train_hybrid_on_the_blend_with_exposure_penalty(files: tuple[Path, Path],
                                                         tmp_path: Path) -> None:
    ratings, items = files
    result = runner.invoke(app, [
        "recommend", "train", str(ratings), "--user-col", "user_id", "--item-col", "item_id",
        "--rating-col", "rating", "--items", str(items), "--text-col", "overview",
        "--topics", "4", "--cf", "blend", "--exposure", "0.2", "--exposure-depth", "5",
        "--out", str(tmp_path / "blend"), "--json"])
    assert result.exit_code == 0, result.output
    from jogak.solutions.recommend import load_recommender

    model = load_recommender(tmp_path / "blend")
    assert type(model.collaborative_).__name__ == "BlendRecommender"
    assert (model.exposure_weight, model.exposure_depth) == (0.2, 5)
    assert model.item_exposure_.sum() == 5 * model.matrix_.shape[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [(["similar", "{bundle}", "424242"], "Item '424242' is not in the model's catalogue"),
     (["search", "{bundle}", "  "], "must be non-empty text"),
     (["for-user", "{bundle}", "u1", "-k", "0"], "k must be a positive integer"),
     (["for-user", "{tmp}", "u1"], "manifest"),
     (["train", "{ratings}", "--user-col", "usr", "--item-col", "item_id", "--out", "{tmp}/m"],
      "Did you mean 'user_id'"),
     (["train", "{ratings}", "--user-col", "user_id", "--item-col", "item_id",
       "--algorithm", "svd", "--out", "{tmp}/m"], "--algorithm must be one of"),
     (["train", "{ratings}", "--user-col", "user_id", "--item-col", "item_id",
       "--cf", "svd", "--out", "{tmp}/m"], "--cf must be one of"),
     (["evaluate", "{ratings}", "--user-col", "user_id", "--item-col", "item_id",
       "--algorithms", "hybrid"], "need synopses")],
    ids=["unknown_item", "empty_query", "bad_k", "not_a_bundle", "bad_column",
         "bad_algorithm", "bad_cf", "hybrid_without_items"])
def test_bad_input_exits_2_with_one_line(args: list[str], message: str, bundle: Path,
                                         files: tuple[Path, Path], tmp_path: Path) -> None:
    filled = [a.format(bundle=bundle, tmp=tmp_path, ratings=files[0]) for a in args]
    result = runner.invoke(app, ["recommend", *filled])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error:")
    assert message in lines[0]
