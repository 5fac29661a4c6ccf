"""The prediction log: one row per predicted row, keyed tokens instead of raw keys, a bounded
queue that drops and counts, everything queued written on a clean stop (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from jogak.data.privacy import PseudonymKey, Tokenizer
from jogak.errors import ConfigError
from jogak.monitor import read_prediction_log
from jogak.serve import PredictionLogSettings, ServeSettings, create_app, parse_api_keys
from jogak.testing._serve import make_model_frame

from .conftest import AUTH, KEYS

KEY = PseudonymKey(b"prediction-log-test-key-0123456789abcdef")


def sent_rows(n_rows: int, seed: int = 3) -> list[dict[str, Any]]:
    """Feature rows plus the ``id`` entity key (not a model feature)."""
    frame = make_model_frame(n_rows, seed=seed).drop(columns=["target", "const"])
    return json.loads(frame.to_json(orient="records"))


def tokens_of(ids: list[str]) -> list[str]:
    return Tokenizer(KEY).tokens(ids)


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(where the log goes, table name)."""
    table = f"log_{uuid.uuid4().hex[:10]}"
    if request.param == "sqlite":
        yield str(tmp_path / "log" / "predictions.db"), table
        return
    url = request.getfixturevalue("postgres_url")
    yield url, table
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'DROP TABLE IF EXISTS "{table}"'))
    engine.dispose()


def _settings(home: Path, log: PredictionLogSettings, **overrides: Any) -> ServeSettings:
    values: dict[str, Any] = {"home": home, "api_keys": parse_api_keys(KEYS),
                              "default_model": "tiny", "reload_seconds": 3600.0,
                              "prediction_log": log}
    values.update(overrides)
    return ServeSettings(**values)


def _metric(client: TestClient, name: str) -> float:
    text = client.get("/metrics", headers=AUTH).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                return float(sample.value)
    raise AssertionError(f"{name} not in /metrics")


def test_every_predicted_row_is_logged_with_a_token_prediction_and_score(
        home: Path, target: tuple[str, str]) -> None:
    where, table = target
    if where.startswith("/"):
        Path(where).parent.mkdir()
    log = PredictionLogSettings(target=where, table=table, entity_column="id", key=KEY,
                                keep_columns=("num",))
    sent = sent_rows(12)
    with TestClient(create_app(_settings(home, log))) as client:
        single = client.post("/v1/models/tiny/predict", json={"record": sent[0]},
                             headers={**AUTH, "X-Request-ID": "req-0001"})
        batch = client.post("/v1/models/tiny/predict", json={"records": sent[1:6]}, headers=AUTH)
        columns = pd.DataFrame(sent[6:9]).to_dict(orient="list")
        columnar = client.post("/v1/models/tiny/predict",
                               json={"columns": columns, "probabilities": False}, headers=AUTH)
        mlflow = client.post("/invocations", json={"dataframe_records": sent[9:12]},
                             headers=AUTH)
    for response in (single, batch, columnar, mlflow):
        assert response.status_code == 200, response.text
    assert single.headers["x-request-id"] == "req-0001"
    # the entity column is expected by the log: no "extra_column" warning for it
    assert "extra_column" not in {w["rule"] for w in single.json()["warnings"]}

    logged = read_prediction_log(where, table=table)
    assert len(logged) == 12
    assert logged["request_id"].tolist()[:1] == ["req-0001"]
    assert logged.groupby("request_id", sort=False).size().tolist() == [1, 5, 3, 3]
    assert set(logged["model"]) == {"tiny"}
    assert set(logged["version"]) == {1}
    assert logged["entity"].tolist() == tokens_of([row["id"] for row in sent])
    assert not set(logged["entity"]) & {row["id"] for row in sent}
    assert set(logged["key_id"]) == {KEY.key_id}
    assert logged["num"].tolist() == pytest.approx([row["num"] for row in sent], nan_ok=True)
    assert not {"amount", "color", "city", "id"} & set(logged.columns)
    answered = [*single.json()["predictions"], *batch.json()["predictions"]]
    assert logged["prediction"].tolist()[:6] == [p["prediction"] for p in answered]
    assert logged["score"].tolist()[:6] == pytest.approx(
        [p["probabilities"]["yes"] for p in answered])
    assert logged["score"].tolist()[9:] == pytest.approx(
        [p["proba_yes"] for p in mlflow.json()["predictions"]])
    assert logged["logged_at"].is_monotonic_increasing
    assert str(logged["logged_at"].dt.tz) == "UTC"


def test_raw_entity_keys_never_reach_the_database_files(home: Path, tmp_path: Path) -> None:
    folder = tmp_path / "log"
    folder.mkdir()
    log = PredictionLogSettings(target=str(folder / "predictions.db"), entity_column="id",
                                key=KEY)
    sent = sent_rows(300, seed=5)
    with TestClient(create_app(_settings(home, log))) as client:
        for row in sent[:20]:
            assert client.post("/v1/models/tiny/predict", json={"record": row},
                               headers=AUTH).status_code == 200
        assert client.post("/v1/models/tiny/predict", json={"records": sent[20:]},
                           headers=AUTH).status_code == 200
    stored = b"".join(path.read_bytes() for path in sorted(folder.iterdir()))
    tokens = tokens_of([row["id"] for row in sent])
    assert all(token.encode() in stored for token in tokens)  # the scan sees the rows
    leaked = [row["id"] for row in sent if row["id"].encode() in stored]
    assert leaked == []
    for row in sent[:5]:  # no other row value either (no columns were kept)
        assert row["city"].encode() not in stored


def test_the_entity_column_passes_even_when_extra_columns_are_refused(
        home: Path, tmp_path: Path) -> None:
    log = PredictionLogSettings(target=str(tmp_path / "p.db"), entity_column="id", key=KEY)
    row = sent_rows(1)[0]
    with TestClient(create_app(_settings(home, log, extra_columns="error"))) as client:
        assert client.post("/v1/models/tiny/predict", json={"record": row},
                           headers=AUTH).status_code == 200
        refused = client.post("/v1/models/tiny/predict", json={"record": {**row, "other": 1}},
                              headers=AUTH)
        assert client.post("/v1/models/tiny/predict", json={"records": [row, row]},
                           headers=AUTH).status_code == 200
    assert refused.status_code == 422
    assert [item["field"] for item in refused.json()["detail"]] == ["other"]
    assert len(read_prediction_log(tmp_path / "p.db")) == 3


def test_a_full_queue_drops_rows_and_counts_them_in_metrics(home: Path, tmp_path: Path) -> None:
    log = PredictionLogSettings(target=str(tmp_path / "p.db"), max_pending_rows=3)
    app = create_app(_settings(home, log))
    client = TestClient(app)  # no lifespan: the writer never runs, so the queue fills
    row = sent_rows(1)[0]
    for _ in range(5):
        assert client.post("/v1/models/tiny/predict", json={"record": row},
                           headers=AUTH).status_code == 200
    batch = client.post("/v1/models/tiny/predict", json={"records": sent_rows(10)},
                        headers=AUTH)
    assert batch.status_code == 200  # logging never fails a request
    assert _metric(client, "jogak_prediction_log_dropped_rows_total") == 2 + 10
    assert _metric(client, "jogak_prediction_log_pending_rows") == 3
    state = app.state.jogak
    state.prediction_log.close()
    state.registry.close()
    assert _metric(client, "jogak_prediction_log_written_rows_total") == 3
    assert len(read_prediction_log(tmp_path / "p.db")) == 3


def test_a_clean_stop_writes_every_queued_row(home: Path, tmp_path: Path) -> None:
    # the writer would wait an hour to fill a batch: only the stop can write these rows
    log = PredictionLogSettings(target=str(tmp_path / "p.db"), flush_seconds=3600.0,
                                batch_rows=1_000_000)
    sent = sent_rows(40, seed=8)
    with TestClient(create_app(_settings(home, log))) as client:
        for row in sent[:30]:
            assert client.post("/v1/models/tiny/predict", json={"record": row},
                               headers=AUTH).status_code == 200
        assert client.post("/invocations", json={"dataframe_records": sent[30:]},
                           headers=AUTH).status_code == 200
        assert read_prediction_log(tmp_path / "p.db").empty
        assert _metric(client, "jogak_prediction_log_pending_rows") == 40
    logged = read_prediction_log(tmp_path / "p.db")
    assert len(logged) == 40
    assert logged["entity"].isna().all()  # no entity column configured


def test_regression_and_multiclass_scores(home: Path, tmp_path: Path) -> None:
    log = PredictionLogSettings(target=str(tmp_path / "p.db"))
    sent = sent_rows(4)
    with TestClient(create_app(_settings(home, log))) as client:
        reg = client.post("/v1/models/reg/predict", json={"records": sent}, headers=AUTH)
        multi = client.post("/v1/models/multi/predict", json={"records": sent}, headers=AUTH)
    logged = read_prediction_log(tmp_path / "p.db", model="reg")
    assert logged["score"].tolist() == pytest.approx(
        [p["prediction"] for p in reg.json()["predictions"]])
    logged = read_prediction_log(tmp_path / "p.db", model="multi", version=1)
    assert logged["prediction"].tolist() == [p["prediction"] for p in multi.json()["predictions"]]
    assert logged["score"].tolist() == pytest.approx(
        [p["confidence"] for p in multi.json()["predictions"]])


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"entity_column": "id"}, "needs a pseudonymisation key"),
    ({"entity_column": "id", "key": KEY, "keep_columns": ("id",)}, "cannot also be kept"),
    ({"table": "Bad-Name"}, "table name must be lower-case"),
    ({"max_pending_rows": 0}, "max_pending_rows must be a positive integer"),
    ({"flush_seconds": 0}, "flush_seconds must be > 0"),
], ids=["no_key", "entity_kept_raw", "table", "queue", "flush"])
def test_prediction_log_settings_refuse_bad_values(tmp_path: Path, kwargs: dict[str, Any],
                                                   match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        PredictionLogSettings(target=str(tmp_path / "p.db"), **kwargs)


def test_reading_a_missing_log_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--log-predictions"):
        read_prediction_log(tmp_path / "absent.db")
    with pytest.raises(ConfigError, match="version needs model"):
        read_prediction_log(tmp_path / "absent.db", version=1)


@pytest.mark.parametrize(("args", "message"), [
    (["serve", "--log-entity", "id"], "need --log-predictions"),
    (["serve", "--log-predictions", "x.db", "--log-entity", "id", "--log-key-file",
      "absent.key"], "Key file not found"),
    (["serve", "--log-predictions", "x.db", "--log-columns", "id", "--log-entity", "id"],
     "cannot also be kept raw"),
], ids=["entity_without_log", "missing_key_file", "entity_kept"])
def test_serve_log_options_refuse_bad_combinations(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   args: list[str], message: str) -> None:
    from typer.testing import CliRunner

    from jogak.cli import app

    monkeypatch.setenv("JOGAK_HOME", str(tmp_path))
    monkeypatch.setenv("JOGAK_API_KEYS", "cli-test-key-0123456789")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.stderr
