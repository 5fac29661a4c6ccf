"""/metrics parsed as Prometheus text, structured logs without row values, OpenAPI."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from jogak.serve import JsonLogFormatter

from .conftest import AUTH, rows


def _families(client: TestClient) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {family.name: [(s.name, s.labels, s.value) for s in family.samples]
            for family in text_string_to_metric_families(response.text)}


def test_metrics_count_requests_by_status_time_them_and_name_model_versions(
        client: TestClient) -> None:
    for _ in range(3):
        client.post("/v1/models/tiny/predict", json={"record": rows(1)[0]}, headers=AUTH)
    client.post("/v1/models/tiny/predict", json={"records": rows(4)}, headers=AUTH)
    client.post("/v1/models/tiny/predict", json={"record": {"num": "x"}}, headers=AUTH)
    client.get("/v1/models")  # 401
    client.get("/no/such/path", headers=AUTH)
    families = _families(client)
    counts = {(labels["route"], labels["status"]): value
              for name, labels, value in families["jogak_http_requests"]
              if name == "jogak_http_requests_total"}
    assert counts[("/v1/models/{name}/predict", "200")] == 4
    assert counts[("/v1/models/{name}/predict", "422")] == 1
    assert counts[("/v1/models", "401")] == 1
    assert counts[("unmatched", "404")] == 1  # raw paths never become labels
    histogram = {(name, labels.get("le")): value
                 for name, labels, value in families["jogak_http_request_duration_seconds"]
                 if labels["route"] == "/v1/models/{name}/predict"}
    assert histogram[("jogak_http_request_duration_seconds_count", None)] == 5
    assert histogram[("jogak_http_request_duration_seconds_bucket", "+Inf")] == 5
    buckets = sorted((float(le), v) for (name, le), v in histogram.items()
                     if name.endswith("_bucket") and le != "+Inf")
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)  # cumulative
    rows_total = {(labels["model"], labels["version"]): value
                  for name, labels, value in families["jogak_predicted_rows"]
                  if name == "jogak_predicted_rows_total"}
    assert rows_total == {("tiny", "1"): 7.0}
    assert [(labels["model"], labels["version"], value)
            for _, labels, value in families["jogak_model_loaded"]] == [("tiny", "1", 1.0)]


def test_request_logs_are_structured_and_carry_no_row_values(
        client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    secret = "SECRET-VALUE-7731"
    with caplog.at_level(logging.INFO, logger="jogak.serve"):
        client.post("/v1/models/tiny/predict", json={"record": {**rows(1)[0], "num": secret}},
                    headers=AUTH)
        client.post("/v1/models/tiny/predict",
                    json={"records": [{**r, "city": secret} for r in rows(3)]}, headers=AUTH)
        client.post("/v1/models/tiny/predict", json={"record": rows(1)[0]},
                    headers={"Authorization": f"Bearer {secret}"})
    access = [r for r in caplog.records if r.name == "jogak.serve.access"]
    fields = [r.jogak for r in access]  # type: ignore[attr-defined]
    assert [(f["route"], f["status"]) for f in fields] == \
        [("/v1/models/{name}/predict", 422), ("/v1/models/{name}/predict", 200),
         ("/v1/models/{name}/predict", 401)]
    assert fields[0]["rules"] == ["dtype"]
    assert fields[0]["fields"] == ["num"]
    assert (fields[1]["model"], fields[1]["version"], fields[1]["n_rows"]) == ("tiny", 1, 3)
    formatter = JsonLogFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert all(secret not in line for line in lines)
    parsed = json.loads(lines[-1])
    assert parsed["event"] == "request"
    assert parsed["duration_ms"] >= 0


def test_openapi_documents_routes_bodies_and_bearer_auth(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/health", "/ready", "/metrics", "/v1/models", "/v1/models/{name}/predict",
            "/v1/models/{name}/explain", "/invocations"} <= set(spec["paths"])
    predict = spec["paths"]["/v1/models/{name}/predict"]["post"]
    assert {"401", "403", "404", "413", "422"} <= set(predict["responses"])
    assert predict["security"] == [{"HTTPBearer": []}]
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert "security" not in spec["paths"]["/health"]["get"]
