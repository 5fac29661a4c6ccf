"""The single-row fast path answers byte for byte as the FastAPI routes, and hands every other
request (refusals, other forms, first use of a model) to them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from jogak.serve import PredictionLogSettings
from jogak.serve.dependencies import app_state

from .conftest import AUTH, TINY_KEY, rows


@pytest.fixture
def fast_and_routed(make_client: Callable[..., TestClient],
                    tmp_path: Path) -> tuple[TestClient, TestClient]:
    """Two services on one registry; the second always takes the FastAPI routes (a dependency
    override turns the fast path off)."""
    fast = make_client(prediction_log=PredictionLogSettings(target=str(tmp_path / "a.db")))
    routed = make_client(prediction_log=PredictionLogSettings(target=str(tmp_path / "b.db")))
    routed.app.dependency_overrides[app_state] = app_state  # type: ignore[attr-defined]
    return fast, routed


def _both(clients: tuple[TestClient, TestClient], path: str, body: dict[str, Any],
          headers: dict[str, str]) -> tuple[Any, Any]:
    return tuple(client.post(path, json=body, headers=headers) for client in clients)


@pytest.mark.parametrize(("path", "body"), [
    ("/v1/models/tiny/predict", {}),
    ("/v1/models/tiny/predict", {"probabilities": False}),
    ("/v1/models/tiny/predict", {"operating_point": None}),
    ("/v1/models/tiny@production/predict", {}),
    ("/v1/models/multi/predict", {}),
    ("/v1/models/reg/predict", {}),
    ("/invocations", {}),
], ids=["binary", "no_probabilities", "null_point", "alias", "multiclass", "regression",
        "invocations"])
def test_fast_answers_equal_routed_answers(fast_and_routed: tuple[TestClient, TestClient],
                                           path: str, body: dict[str, Any]) -> None:
    for i, record in enumerate(rows(12, seed=4)):
        payload = {"dataframe_records": [record]} if path == "/invocations" else \
            {"record": record, **body}
        headers = {**AUTH, "X-Request-ID": f"r{i}"}
        fast, routed = _both(fast_and_routed, path, payload, headers)
        assert fast.status_code == routed.status_code == 200
        assert fast.content == routed.content
        assert fast.headers["content-type"] == routed.headers["content-type"]
        assert fast.headers["x-request-id"] == routed.headers["x-request-id"] == f"r{i}"


@pytest.mark.parametrize(("path", "body", "headers", "status"), [
    ("/v1/models/tiny/predict", {"record": {"num": "abc"}}, AUTH, 422),
    ("/v1/models/tiny/predict", {"record": rows(1)[0], "explain": 2}, AUTH, 200),
    ("/v1/models/tiny/predict", {"record": rows(1)[0], "probabilities": "no"}, AUTH, 200),
    ("/v1/models/tiny/predict", {"record": rows(1)[0], "extra": 1}, AUTH, 422),
    ("/v1/models/tiny/predict", {"record": rows(1)[0], "operating_point": "nope"}, AUTH, 422),
    ("/v1/models/tiny/predict", {"record": rows(1)[0]}, {}, 401),
    ("/v1/models/multi/predict", {"record": rows(1)[0]},
     {"Authorization": f"Bearer {TINY_KEY}"}, 403),
    ("/v1/models/absent/predict", {"record": rows(1)[0]}, AUTH, 404),
    ("/v1/models/tiny/predict", {"records": rows(3)}, AUTH, 200),
    ("/invocations", {"dataframe_records": rows(2)}, AUTH, 200),
    ("/invocations", {"instances": [rows(1)[0]]}, AUTH, 200),
], ids=["bad_value", "explain", "lax_flag", "extra_key", "unknown_point", "no_key",
        "no_right", "no_model", "batch", "two_rows", "instances"])
def test_other_requests_get_the_routes_answers(fast_and_routed: tuple[TestClient, TestClient],
                                               path: str, body: dict[str, Any],
                                               headers: dict[str, str], status: int) -> None:
    fast, routed = _both(fast_and_routed, path, body, headers)
    assert fast.status_code == routed.status_code == status
    if status != 200 or "explain" not in body:
        assert fast.json() == routed.json()


def test_fast_requests_are_counted_and_timed_under_their_route(
        client: TestClient) -> None:
    for record in rows(3):
        assert client.post("/v1/models/tiny/predict", json={"record": record},
                           headers=AUTH).status_code == 200
    text = client.get("/metrics", headers=AUTH).text
    assert 'jogak_http_requests_total{method="POST",route="/v1/models/{name}/predict",' \
           'status="200"} 3.0' in text
    assert 'jogak_predicted_rows_total{model="tiny",version="1"} 3.0' in text


def test_a_body_that_is_not_json_is_refused_as_before(client: TestClient) -> None:
    response = client.post("/v1/models/tiny/predict", content=b"{not json",
                           headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"
