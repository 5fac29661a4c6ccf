"""Predictions through FastAPI's TestClient: forms, tasks, operating points, explanations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from jogak.models import load_model
from jogak.testing._serve import make_model_frame

from .conftest import AUTH, frame_of, rows


def test_single_record_matches_the_models_row_path(client: TestClient,
                                                   bundles: dict[str, Path]) -> None:
    record = rows(1)[0]
    response = client.post("/v1/models/tiny/predict", json={"record": record}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    model = load_model(bundles["binary"])
    expected = model.predict_proba_row(record)
    assert (body["model"], body["version"], body["task"], body["n_rows"]) == \
        ("tiny", 1, "binary", 1)
    prediction = body["predictions"][0]
    assert prediction["probabilities"] == pytest.approx({"no": expected[0], "yes": expected[1]})
    assert prediction["prediction"] == model.classes_[int(np.argmax(expected))]
    assert prediction["confidence"] == pytest.approx(float(expected.max()))
    assert body["warnings"] == []


def test_records_and_columns_give_the_frame_predictions_in_order(
        client: TestClient, bundles: dict[str, Path]) -> None:
    records = rows(12, seed=3)
    columns = {name: [r[name] for r in records] for name in records[0]}
    by_records = client.post("/v1/models/tiny/predict", json={"records": records},
                             headers=AUTH).json()
    by_columns = client.post("/v1/models/tiny/predict", json={"columns": columns},
                             headers=AUTH).json()
    expected = load_model(bundles["binary"]).predict_proba(frame_of(records))
    for body in (by_records, by_columns):
        got = np.array([[p["probabilities"]["no"], p["probabilities"]["yes"]]
                        for p in body["predictions"]])
        np.testing.assert_allclose(got, expected, rtol=1e-12)
        assert body["n_rows"] == 12
    single = [client.post("/v1/models/tiny/predict", json={"record": r}, headers=AUTH).json()
              ["predictions"][0]["probabilities"]["yes"] for r in records[:3]]
    np.testing.assert_allclose(single, expected[:3, 1], rtol=1e-9)


def test_ten_thousand_row_batch(client: TestClient, bundles: dict[str, Path]) -> None:
    records = rows(10_000, seed=7)
    response = client.post("/v1/models/tiny/predict",
                           json={"records": records, "probabilities": False}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    model = load_model(bundles["binary"])
    expected = model.predict(frame_of(records))
    assert body["n_rows"] == 10_000
    assert len(body["predictions"]) == 10_000
    assert [p["prediction"] for p in body["predictions"]] == expected.tolist()
    assert "probabilities" not in body["predictions"][0]


def test_operating_point_decisions_follow_the_stored_threshold(
        client: TestClient, bundles: dict[str, Path]) -> None:
    records = rows(40, seed=2)
    model = load_model(bundles["binary"])
    point = model.operating_points_["recall_first"]
    body = client.post("/v1/models/tiny/predict",
                       json={"records": records, "operating_point": "recall_first"},
                       headers=AUTH).json()
    proba = model.predict_proba(frame_of(records))[:, 1]
    assert body["operating_point"] == {"name": "recall_first",
                                       "threshold": pytest.approx(point.threshold),
                                       "positive_class": "yes"}
    assert [p["decision"] for p in body["predictions"]] == (proba >= point.threshold).tolist()


def test_unknown_operating_point_lists_the_available_ones(client: TestClient) -> None:
    response = client.post("/v1/models/tiny/predict",
                           json={"record": rows(1)[0], "operating_point": "best"}, headers=AUTH)
    assert response.status_code == 422
    item = response.json()["detail"][0]
    assert item["rule"] == "unknown_operating_point"
    assert item["field"] == "operating_point"
    assert "precision_first" in item["msg"]
    assert "recall_first" in item["msg"]


def test_regression_and_multiclass_models(client: TestClient, bundles: dict[str, Path]) -> None:
    frame = make_model_frame(6, task="regression", seed=4).drop(columns=["target"])
    records = rows(6, seed=4)
    reg = client.post("/v1/models/reg/predict", json={"records": records}, headers=AUTH).json()
    expected = load_model(bundles["regression"]).predict(frame)
    np.testing.assert_allclose([p["prediction"] for p in reg["predictions"]], expected)
    assert reg["task"] == "regression"
    assert "probabilities" not in reg["predictions"][0]
    multi = client.post("/v1/models/multi/predict", json={"record": records[0]},
                        headers=AUTH).json()
    probabilities = multi["predictions"][0]["probabilities"]
    assert set(probabilities) == {"high", "low", "mid"}
    assert sum(probabilities.values()) == pytest.approx(1.0)
    assert multi["predictions"][0]["prediction"] == max(probabilities, key=probabilities.get)


def test_operating_point_on_a_regressor_is_refused(client: TestClient) -> None:
    response = client.post("/v1/models/reg/predict",
                           json={"record": rows(1)[0], "operating_point": "recall_first"},
                           headers=AUTH)
    assert response.status_code == 422
    assert "none (only binary classifiers have them)" in response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("model", ["tiny", "multi", "reg"])
def test_explanations_add_up_to_the_prediction(client: TestClient, model: str) -> None:
    records = rows(4, seed=5)
    response = client.post(f"/v1/models/{model}/explain", json={"records": records, "top_k": 100},
                           headers=AUTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["space"] in {"log_odds", "probability", "raw"}
    for row in body["rows"]:
        contributions = [c["contribution"] for c in row["contributions"]]
        assert row["base_value"] + sum(contributions) == pytest.approx(row["prediction"],
                                                                        abs=1e-6)
        assert {c["column"] for c in row["contributions"]} == \
            {"num", "amount", "count", "flag", "color", "city"}
        magnitudes = [abs(c) for c in contributions]
        assert magnitudes == sorted(magnitudes, reverse=True)


def test_predict_with_top_k_shap_per_row(client: TestClient) -> None:
    record = rows(1, seed=6)[0]
    body = client.post("/v1/models/tiny/predict", json={"record": record, "explain": 2},
                       headers=AUTH).json()
    explanation = body["predictions"][0]["explanation"]
    full = client.post("/v1/models/tiny/explain", json={"record": record, "top_k": 2},
                       headers=AUTH).json()["rows"][0]["contributions"]
    assert explanation == full
    assert len(explanation) == 2
    assert body["explanation_space"] in {"log_odds", "probability"}


def test_each_version_is_loaded_once_whatever_the_reference(
        make_client: Callable[..., TestClient], monkeypatch: pytest.MonkeyPatch) -> None:
    client = make_client(default_model=None)
    registry = client.app.state.jogak.registry  # type: ignore[attr-defined]
    calls: list[str] = []
    original = registry.load
    monkeypatch.setattr(registry, "load", lambda ref: calls.append(str(ref)) or original(ref))
    for ref in ("tiny", "tiny@production", "tiny@1", "tiny", "tiny@v1"):
        assert client.post(f"/v1/models/{ref}/predict", json={"record": rows(1)[0]},
                           headers=AUTH).json()["version"] == 1
    assert calls == ["tiny@1"]
    assert [(m.name, m.version) for m in client.app.state.jogak.cache.loaded()] == [  # type: ignore[attr-defined]
        ("tiny", 1)]


def test_hot_swap_when_the_alias_moves(client: TestClient, home: Path,
                                       bundles: dict[str, Path]) -> None:
    from jogak.registry import Registry

    record = rows(1)[0]
    first = client.post("/v1/models/tiny/predict", json={"record": record}, headers=AUTH).json()
    with Registry(home) as registry:
        registry.register(bundles["binary_v2"], "tiny")
        registry.promote("tiny", 2)
    state = client.app.state.jogak  # type: ignore[attr-defined]
    assert client.post("/v1/models/tiny/predict", json={"record": record},
                       headers=AUTH).json()["version"] == 1  # until the watcher looks
    assert state.cache.refresh() == [("tiny", 1, 2)]
    second = client.post("/v1/models/tiny/predict", json={"record": record}, headers=AUTH).json()
    expected = load_model(bundles["binary_v2"]).predict_proba_row(record)[1]
    assert second["version"] == 2
    assert second["predictions"][0]["probabilities"]["yes"] == pytest.approx(expected)
    assert first["predictions"][0]["probabilities"]["yes"] != pytest.approx(expected)
    assert [m.version for m in state.cache.loaded()] == [2]  # the old version is released
    with Registry(home) as registry:
        registry.rollback("tiny")
    state.refresh()
    assert client.post("/invocations", json={"dataframe_records": [record]},
                       headers=AUTH).status_code == 200
    assert client.post("/v1/models/tiny/predict", json={"record": record},
                       headers=AUTH).json()["version"] == 1


def test_list_models_shows_versions_aliases_and_load_state(client: TestClient) -> None:
    body = client.get("/v1/models", headers=AUTH).json()
    assert body["default"] == "tiny"
    summary = {(m["name"], m["version"]): m for m in body["models"]}
    assert set(summary) == {("tiny", 1), ("multi", 1), ("reg", 1)}
    assert summary[("tiny", 1)]["aliases"] == ["production"]
    assert summary[("tiny", 1)]["loaded"] is True  # the default model is loaded at start
    assert summary[("reg", 1)]["loaded"] is False
    assert summary[("reg", 1)]["task"] == "regression"


def test_unknown_model_is_404(client: TestClient) -> None:
    response = client.post("/v1/models/nope/predict", json={"record": rows(1)[0]}, headers=AUTH)
    assert response.status_code == 404
    assert "No model named 'nope'" in response.json()["detail"][0]["msg"]
    assert client.post("/v1/models/tiny@staging/predict", json={"record": rows(1)[0]},
                       headers=AUTH).status_code == 404
