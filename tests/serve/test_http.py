"""The service over real HTTP: uvicorn on a free localhost port, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from prometheus_client.parser import text_string_to_metric_families

from jogak.registry import Registry
from jogak.serve import ServeSettings, create_app, parse_api_keys

from .conftest import AUTH, KEYS, OTHER_KEY, rows

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def base_url(home: Path) -> Iterator[str]:
    settings = ServeSettings(home=home, api_keys=parse_api_keys(KEYS), default_model="tiny",
                             reload_seconds=0.1)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise AssertionError("uvicorn did not start")
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)


def test_auth_prediction_and_metrics_over_http(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        assert http.get("/health").json() == {"status": "ok"}
        assert http.get("/ready").status_code == 401
        assert http.get("/ready", headers=AUTH).json()["loaded"] == ["tiny@1"]
        assert http.post("/v1/models/tiny/predict", json={"record": rows(1)[0]},
                         headers={"Authorization": f"Bearer {OTHER_KEY}"}).status_code == 403
        single = http.post("/v1/models/tiny/predict", json={"record": rows(1)[0]}, headers=AUTH)
        assert single.status_code == 200
        assert single.json()["version"] == 1
        batch = http.post("/v1/models/tiny/predict", json={"records": rows(10_000, seed=9),
                                                           "probabilities": False},
                          headers=AUTH)
        assert batch.status_code == 200
        assert batch.json()["n_rows"] == 10_000
        refused = http.post("/v1/models/tiny/predict", json={"record": {"num": 1.0}},
                            headers=AUTH)
        assert refused.status_code == 422
        assert {i["field"] for i in refused.json()["detail"]} == \
            {"amount", "count", "flag", "color", "city"}
        text = http.get("/metrics", headers=AUTH).text
    samples = {(s.name, s.labels.get("route"), s.labels.get("status")): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    route = "/v1/models/{name}/predict"
    assert samples[("jogak_http_requests_total", route, "200")] == 2
    assert samples[("jogak_http_requests_total", route, "403")] == 1
    assert samples[("jogak_http_requests_total", route, "422")] == 1
    assert samples[("jogak_http_requests_total", "/ready", "401")] == 1


def test_hot_swap_over_http_when_the_alias_moves(base_url: str, home: Path,
                                                 bundles: dict[str, Path]) -> None:
    record = {"record": rows(1)[0]}
    with httpx.Client(base_url=base_url, timeout=30) as http:
        assert http.post("/v1/models/tiny/predict", json=record, headers=AUTH).json()[
            "version"] == 1
        with Registry(home) as registry:
            registry.register(bundles["binary_v2"], "tiny", alias="production")
        versions = set()
        deadline = time.monotonic() + 60  # the watcher checks every 0.1 s
        while time.monotonic() < deadline:
            response = http.post("/v1/models/tiny/predict", json=record, headers=AUTH)
            assert response.status_code == 200  # no failed request during the swap
            versions.add(response.json()["version"])
            if response.json()["version"] == 2:
                break
        assert versions <= {1, 2}
        assert 2 in versions
        assert http.post("/invocations", json={"dataframe_records": [rows(1)[0]]},
                         headers=AUTH).status_code == 200
        loaded = http.get("/ready", headers=AUTH).json()["loaded"]
    assert loaded == ["tiny@2"]
