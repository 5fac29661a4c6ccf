"""Every refusal: 401, 403, 413 and each 422 rule, naming the field and the rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from .conftest import ALL_KEY, AUTH, OTHER_KEY, TINY_KEY, rows


def _record(**changes: Any) -> dict[str, Any]:
    record = rows(1)[0]
    record.update(changes)
    return record


def test_health_needs_no_key_and_everything_else_does(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    calls = [("GET", "/ready", None), ("GET", "/metrics", None), ("GET", "/v1/models", None),
             ("POST", "/v1/models/tiny/predict", {"record": _record()}),
             ("POST", "/v1/models/tiny/explain", {"record": _record()}),
             ("POST", "/invocations", {"dataframe_records": [_record()]})]
    for method, path, body in calls:
        for headers in ({}, {"Authorization": "Bearer not-a-configured-key-000"},
                        {"Authorization": f"Basic {ALL_KEY}"},
                        {"Authorization": f"Bearer {ALL_KEY[:-1]}"}):
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == 401, (path, headers)
            assert response.headers["www-authenticate"] == "Bearer"
            assert response.json()["detail"][0]["type"] == "http_401"
        assert client.request(method, path, json=body, headers=AUTH).status_code == 200, path


def test_key_without_rights_gets_403_and_sees_only_its_models(client: TestClient) -> None:
    other = {"Authorization": f"Bearer {OTHER_KEY}"}
    tiny = {"Authorization": f"Bearer {TINY_KEY}"}
    for path in ("/v1/models/tiny/predict", "/v1/models/tiny@1/predict",
                 "/v1/models/nope/predict"):
        response = client.post(path, json={"record": _record()}, headers=other)
        assert response.status_code == 403, path  # refused before revealing existence
        assert "may not use model" in response.json()["detail"][0]["msg"]
    assert client.post("/invocations", json={"dataframe_records": [_record()]},
                       headers=other).status_code == 403
    assert client.post("/v1/models/reg/predict", json={"record": _record()},
                       headers=tiny).status_code == 403
    assert client.post("/v1/models/tiny/predict", json={"record": _record()},
                       headers=tiny).status_code == 200
    assert [m["name"] for m in client.get("/v1/models", headers=tiny).json()["models"]] == \
        ["tiny"]
    assert client.get("/v1/models", headers=other).json()["models"] == []


def _refusal(client: TestClient, body: dict[str, Any], model: str = "tiny") -> dict[str, Any]:
    response = client.post(f"/v1/models/{model}/predict", json=body, headers=AUTH)
    assert response.status_code == 422, response.text
    return response.json()["detail"][0]


@pytest.mark.parametrize(("body", "field", "rule", "count"), [
    ({"record": {k: v for k, v in _record().items() if k != "num"}}, "num", "missing_column", 1),
    ({"records": [_record(), {k: v for k, v in _record().items() if k != "city"}, _record()]},
     "city", "missing_column", 1),
    ({"columns": {k: [v] for k, v in _record().items() if k != "color"}}, "color",
     "missing_column", 1),
    ({"record": _record(num="abc")}, "num", "dtype", 1),
    ({"records": [_record(count="three"), _record(count="four")]}, "count", "dtype", 2),
    ({"record": _record(amount=[1, 2])}, "amount", "dtype", 1),
    ({"record": _record(flag={"yes": 1})}, "flag", "dtype", 1),
], ids=["record_missing", "one_of_records_missing", "columns_missing", "text_in_number",
        "two_bad_rows", "list_in_number", "object_in_boolean"])
def test_schema_refusals_name_the_field_and_rule(client: TestClient, body: dict[str, Any],
                                                 field: str, rule: str, count: int) -> None:
    item = _refusal(client, body)
    assert (item["field"], item["rule"], item["count"]) == (field, rule, count)
    assert item["type"] == f"schema.{rule}"
    assert item["loc"][-1] == field
    assert field in item["msg"]


def test_out_of_range_is_a_warning_by_default_and_422_when_rejected(
        make_client: Callable[..., TestClient]) -> None:
    body = {"record": _record(num=1e9)}
    lenient = make_client().post("/v1/models/tiny/predict", json=body, headers=AUTH)
    assert lenient.status_code == 200
    assert lenient.json()["warnings"] == [{"field": "num", "rule": "out_of_range", "count": 1}]
    item = _refusal(make_client(out_of_range="reject"), body)
    assert (item["field"], item["rule"]) == ("num", "out_of_range")
    assert "outside the training range" in item["msg"]


def test_unseen_category_is_refused_under_the_strict_policy(
        make_client: Callable[..., TestClient]) -> None:
    body = {"records": [_record(color="purple"), _record()]}
    lenient = make_client().post("/v1/models/tiny/predict", json=body, headers=AUTH)
    assert lenient.status_code == 200
    assert lenient.json()["warnings"] == [{"field": "color", "rule": "unseen_category",
                                           "count": 1}]
    item = _refusal(make_client(unknown_categories="strict"), body)
    assert (item["field"], item["rule"], item["count"]) == ("color", "unseen_category", 1)
    assert "'purple'" in item["msg"]


def test_extra_columns_are_dropped_or_refused(make_client: Callable[..., TestClient]) -> None:
    body = {"record": _record(customer_email="x@example.com")}
    lenient = make_client().post("/v1/models/tiny/predict", json=body, headers=AUTH)
    assert lenient.json()["warnings"] == [{"field": "customer_email", "rule": "extra_column",
                                           "count": 1}]
    item = _refusal(make_client(extra_columns="error"), body)
    assert (item["field"], item["rule"]) == ("customer_email", "extra_column")


def test_missing_values_are_accepted(client: TestClient) -> None:
    record = _record(num=None, color=None, flag=None)
    response = client.post("/v1/models/tiny/predict", json={"record": record}, headers=AUTH)
    assert response.status_code == 200
    assert response.json()["warnings"] == []


@pytest.mark.parametrize(("body", "field", "rule"), [
    ({"record": _record(), "records": [_record()]}, None, "value_error"),
    ({}, None, "value_error"),
    ({"records": []}, "records", "empty"),
    ({"columns": {"num": [1.0, 2.0], "amount": [1.0]}}, None, "length"),
    ({"record": _record(), "explain": 51}, "explain", "less_than_equal"),
    ({"record": _record(), "probability": True}, "probability", "extra_forbidden"),
    ({"record": [1, 2]}, "record", "dict_type"),
], ids=["two_forms", "no_rows", "empty_records", "unequal_columns", "explain_over_50",
        "unknown_field", "record_not_object"])
def test_malformed_bodies_are_422_with_a_rule(client: TestClient, body: dict[str, Any],
                                             field: str | None, rule: str) -> None:
    item = _refusal(client, body)
    assert item["rule"] == rule
    if field is not None:
        assert item["field"] == field


def test_body_not_json_is_422(client: TestClient) -> None:
    response = client.post("/v1/models/tiny/predict", content=b"{not json",
                           headers={**AUTH, "content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["rule"] == "json_invalid"


def test_request_size_limits(make_client: Callable[..., TestClient]) -> None:
    small = make_client(max_body_bytes=2_000, max_rows=3)
    big = {"records": rows(40)}
    response = small.post("/v1/models/tiny/predict", json=big, headers=AUTH)
    assert response.status_code == 413
    assert "exceeds 2000 bytes" in response.json()["detail"][0]["msg"]

    def chunks() -> Any:
        yield b'{"records": ['
        for _ in range(100):
            yield b'{"num": 1.0, "amount": 2.0},'
        yield b"{}]}"

    streamed = small.post("/v1/models/tiny/predict", content=chunks(),
                          headers={**AUTH, "content-type": "application/json"})
    assert streamed.status_code == 413  # no Content-Length: counted while streaming
    too_many = small.post("/v1/models/tiny/predict", json={"records": rows(4)}, headers=AUTH)
    assert too_many.status_code == 413
    assert too_many.json()["detail"][0]["rule"] == "max_rows"
    assert small.post("/v1/models/tiny/predict", json={"records": rows(3)},
                      headers=AUTH).status_code == 200
