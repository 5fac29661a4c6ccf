"""``/v1/recommend`` routes over a registered recommender bundle (TestClient, with auth)."""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from jogak.registry import Registry
from jogak.serve import ServeSettings, create_app, parse_api_keys
from jogak.serve.routes.recommend import router
from jogak.solutions.recommend import ContentModel, Recommender
from jogak.testing._recommend import make_recommendation_data
from jogak.testing._serve import make_served_bundle

pytest.importorskip("implicit")

ALL_KEY = "rec-all-models-key-0123456789"
FILMS_KEY = "rec-films-only-key-0123456789"
OTHER_KEY = "rec-other-only-key-0123456789"
AUTH = {"Authorization": f"Bearer {ALL_KEY}"}


@pytest.fixture(scope="module")
def fitted() -> tuple[Recommender, pd.DataFrame, pd.DataFrame]:
    interactions, items = make_recommendation_data(seed=0)
    model = Recommender(rating_col="rating", time_col="timestamp", title_col="title",
                        content=ContentModel(n_topics=4)).fit(interactions, items=items)
    return model, interactions, items


@pytest.fixture(scope="module")
def client(fitted: tuple[Recommender, pd.DataFrame, pd.DataFrame],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("recommend_routes")
    bundle = fitted[0].save(root / "films")
    automl = make_served_bundle(root / "tiny", seed=0)
    with Registry(root / "home") as registry:
        registry.register(bundle, "films", alias="production")
        registry.register(automl, "tiny")
    settings = ServeSettings(home=root / "home", default_model="tiny", reload_seconds=3600.0,
                             api_keys=parse_api_keys(f"{ALL_KEY}:all,{FILMS_KEY}:films,"
                                                     f"{OTHER_KEY}:tiny"))
    with TestClient(create_app(settings, extra_routers=[router])) as test_client:
        yield test_client


def test_for_user_matches_the_library_and_excludes_seen_titles(
        client: TestClient, fitted: tuple[Recommender, pd.DataFrame, pd.DataFrame]) -> None:
    model, interactions, _ = fitted
    response = client.get("/v1/recommend/films/users/u1?k=5", headers=AUTH)
    assert response.status_code == 200, response.text
    payload = response.json()
    assert (payload["model"], payload["version"], payload["fallback"]) == ("films", 1, False)
    items = [row["item"] for row in payload["results"]]
    assert items == model.recommend("u1", k=5)["item"].tolist()
    assert [row["rank"] for row in payload["results"]] == [1, 2, 3, 4, 5]
    seen = set(interactions.loc[interactions["user_id"] == "u1", "item_id"])
    assert not seen & set(items)
    # the alias resolves to the same version
    again = client.get("/v1/recommend/films@production/users/u1?k=5", headers=AUTH).json()
    assert [row["item"] for row in again["results"]] == items


def test_unknown_user_gets_the_diverse_popular_list(client: TestClient) -> None:
    payload = client.get("/v1/recommend/films/users/nobody?k=4", headers=AUTH).json()
    assert payload["fallback"] is True
    assert len(payload["results"]) == 4
    assert {row["source"] for row in payload["results"]} == {"popular (unknown user)"}


def test_new_user_from_first_titles_and_all_unknown_titles(
        client: TestClient, fitted: tuple[Recommender, pd.DataFrame, pd.DataFrame]) -> None:
    model = fitted[0]
    response = client.post("/v1/recommend/films/users", headers=AUTH,
                           json={"items": [100, 104, 99999], "k": 5})
    assert response.status_code == 200, response.text
    payload = response.json()
    assert payload["fallback"] is False
    expected = model.recommend_for_items([100, 104], k=5)["item"].tolist()
    assert [row["item"] for row in payload["results"]] == expected
    assert not {100, 104} & set(expected)
    unknown = client.post("/v1/recommend/films/users", headers=AUTH,
                          json={"items": [99999], "k": 3}).json()
    assert unknown["fallback"] is True
    assert len(unknown["results"]) == 3


def test_similar_titles_and_unknown_title_is_404(
        client: TestClient, fitted: tuple[Recommender, pd.DataFrame, pd.DataFrame]) -> None:
    model = fitted[0]
    payload = client.get("/v1/recommend/films/items/100/similar?k=3", headers=AUTH).json()
    assert [row["item"] for row in payload["results"]] == model.similar(100, k=3)["item"].tolist()
    assert 100 not in [row["item"] for row in payload["results"]]
    missing = client.get("/v1/recommend/films/items/424242/similar", headers=AUTH)
    assert missing.status_code == 404
    assert "424242" in missing.json()["detail"][0]["msg"]


def test_search_returns_titles_and_query_topics(
        client: TestClient, fitted: tuple[Recommender, pd.DataFrame, pd.DataFrame]) -> None:
    model, _, items = fitted
    query = str(items["overview"].iloc[7])
    payload = client.post("/v1/recommend/films/search", headers=AUTH,
                          json={"query": query, "k": 5}).json()
    assert payload["results"][0]["item"] == int(items["item_id"].iloc[7])
    assert payload["query_topics"] == model.search(query, k=5).attrs["query_topics"]
    assert client.post("/v1/recommend/films/search", headers=AUTH,
                       json={"query": "", "k": 5}).status_code == 422
    assert client.post("/v1/recommend/films/search", headers=AUTH,
                       json={"query": "x", "k": 0}).status_code == 422


def test_curation_blocks(client: TestClient) -> None:
    payload = client.get("/v1/recommend/films/blocks?n_blocks=2&per_block=3",
                         headers=AUTH).json()
    rows = payload["results"]
    assert {row["block"] for row in rows} == {1, 2}
    assert all(1 <= row["rank"] <= 3 for row in rows)


def test_auth_and_scope(client: TestClient) -> None:
    path = "/v1/recommend/films/users/u1"
    assert client.get(path).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer wrong-key-0123456789"}
                      ).status_code == 401
    assert client.get(path, headers={"Authorization": f"Bearer {FILMS_KEY}"}).status_code == 200
    denied = client.get(path, headers={"Authorization": f"Bearer {OTHER_KEY}"})
    assert denied.status_code == 403


def test_unknown_model_bad_k_and_non_recommender_bundle(client: TestClient) -> None:
    assert client.get("/v1/recommend/nothing/users/u1", headers=AUTH).status_code == 404
    assert client.get("/v1/recommend/films/users/u1?k=0", headers=AUTH).status_code == 422
    automl = client.get("/v1/recommend/tiny/users/u1", headers=AUTH)
    assert automl.status_code == 404
    assert "not a recommender" in automl.json()["detail"][0]["msg"]
