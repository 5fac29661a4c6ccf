"""The loop closed on real data: ``jogak serve --log-predictions`` over real HTTP, stopped with
SIGTERM, then ``jogak monitor --prediction-log`` finds prediction drift against training."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import jogak.cli._monitor  # noqa: F401  (registers the command)
from jogak.cli import app
from jogak.data import load
from jogak.data.privacy import PseudonymKey, Tokenizer
from jogak.monitor import monitor_prediction_log, read_prediction_log
from jogak.registry import Registry

pytestmark = [pytest.mark.integration, pytest.mark.slow]
runner = CliRunner()


@pytest.fixture(scope="module")
def telco(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A small Telco churn model registered as ``telco``, its training rows and unseen rows."""
    from jogak.models import AutoMLClassifier

    frame = load(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    order = np.random.default_rng(0).permutation(len(frame))
    train = frame.iloc[order[:3500]].reset_index(drop=True)
    current = frame.iloc[order[3500:4700]].reset_index(drop=True)
    features = train.drop(columns=["Churn", "customerID"])
    model = AutoMLClassifier(n_trials=1, include_models=["linear"], cv=3, time_budget=None,
                             random_state=0).fit(features, train["Churn"])
    folder = tmp_path_factory.mktemp("telco_log")
    bundle = model.save(folder / "bundle", name="telco")
    home = folder / "home"
    with Registry(home) as registry:
        registry.register(bundle, "telco", alias="production")
    features.to_csv(folder / "train.csv", index=False)
    return {"home": home, "bundle": bundle, "model": model, "train": features,
            "train_csv": folder / "train.csv", "current": current.drop(columns=["Churn"])}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(home: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    command = [sys.executable, "-m", "jogak.cli", "serve", "--port", str(port), "--no-auth",
               "--model", "telco", "--log-level", "warning", *options]
    env = {**os.environ, "JOGAK_HOME": str(home)}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"jogak serve exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError("jogak serve did not answer /health in 120 s")


def _stop(process: subprocess.Popen[bytes]) -> str:
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    # uvicorn shuts down gracefully (lifespan included), then re-raises the signal
    assert process.returncode in (0, -signal.SIGTERM), stderr.decode()[-2000:]
    return stderr.decode()


def test_served_predictions_are_logged_pseudonymised_and_flushed_on_sigterm(
        telco: dict[str, Any], tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.symlink_to(telco["home"], target_is_directory=True)
    log_file = tmp_path / "predictions.db"
    process, base = _serve(home, "--log-predictions", str(log_file),
                           "--log-entity", "customerID", "--log-columns", "tenure,Contract")
    rows = _records(telco["current"].iloc[:230])
    try:
        with httpx.Client(base_url=base, timeout=30) as http:
            for row in rows[:30]:
                response = http.post("/v1/models/telco/predict", json={"record": row})
                assert response.status_code == 200
                assert response.headers["x-request-id"]
            assert http.post("/invocations",
                             json={"dataframe_records": rows[30:]}).status_code == 200
    finally:
        stderr = _stop(process)
    assert "prediction-log.key" in stderr  # the key was created on first use, and said so
    key_file = telco["home"] / "prediction-log.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    logged = read_prediction_log(log_file)
    assert len(logged) == 230  # nothing lost on a clean stop
    ids = [row["customerID"] for row in rows]
    assert logged["entity"].tolist() == Tokenizer(PseudonymKey.from_file(key_file)).tokens(ids)
    assert logged["tenure"].tolist() == [row["tenure"] for row in rows]
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("predictions.db*"))
    assert [i for i in ids if i.encode() in stored] == []
    key_file.unlink()


def test_logged_predictions_show_prediction_drift_only_when_inputs_shift(
        telco: dict[str, Any], tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from jogak.serve import PredictionLogSettings, ServeSettings, create_app

    current = telco["current"]
    shifted = current.assign(Contract="Month-to-month")
    for name, frame in (("same", current), ("shifted", shifted)):
        log = PredictionLogSettings(target=str(tmp_path / f"{name}.db"),
                                    keep_columns=("tenure", "Contract"))
        settings = ServeSettings(home=telco["home"], auth=False, prediction_log=log)
        with TestClient(create_app(settings)) as client:
            response = client.post("/v1/models/telco/predict",
                                   json={"records": _records(frame)})
            assert response.status_code == 200
    train = telco["train"]
    same = monitor_prediction_log(telco["model"], read_prediction_log(tmp_path / "same.db"),
                                  reference=train)
    moved = monitor_prediction_log(telco["model"],
                                   read_prediction_log(tmp_path / "shifted.db",
                                                       model="telco"), reference=train)
    assert not same.prediction_drift["drifted"].iloc[0]
    assert same.drifted_columns == []
    assert moved.prediction_drift["drifted"].iloc[0]
    assert moved.drifted_columns == ["Contract"]  # of the kept columns, only the shifted one
    assert set(moved.drift.columns["column"]) == {"tenure", "Contract"}

    result = runner.invoke(app, ["monitor", str(telco["bundle"]), "--prediction-log",
                                 str(tmp_path / "shifted.db"), "--reference",
                                 str(telco["train_csv"]), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["prediction_drift"]["drifted"] is True
    assert "prediction drift" in payload["alerts"]
    assert payload["drift"]["summary"]["drifted_columns"] == ["Contract"]
    both = runner.invoke(app, ["monitor", str(telco["bundle"]), str(telco["train_csv"]),
                               "--prediction-log", str(tmp_path / "same.db")])
    assert both.exit_code == 2
