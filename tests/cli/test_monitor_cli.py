"""``jogak monitor``: JSON on stdout, the HTML report, alerts, reference from the bundle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import jogak.cli._monitor  # noqa: F401  (registers the command)
from jogak.cli import app
from jogak.data import load

runner = CliRunner()


@pytest.fixture(scope="module")
def telco_files(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from jogak.models import AutoMLClassifier, save_model
    from jogak.monitor import MANIFEST_KEY, reference_profile

    telco = load(data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz")
    order = np.random.default_rng(0).permutation(len(telco))
    train = telco.iloc[order[:3500]].reset_index(drop=True)
    current = telco.iloc[order[3500:]].reset_index(drop=True)
    folder = tmp_path_factory.mktemp("monitor_cli")
    model = AutoMLClassifier(n_trials=1, include_models=["linear"], cv=3, time_budget=None,
                             random_state=0).fit(train.drop(columns=["Churn"]), train["Churn"])
    features = train.drop(columns=["Churn"])
    profile = reference_profile(features, predictions=model.predict_proba(features))
    save_model(model, folder / "plain")
    save_model(model, folder / "profiled", extra_manifest={MANIFEST_KEY: profile})
    train.to_csv(folder / "train.csv", index=False)
    current.to_csv(folder / "current.csv", index=False)
    shifted = current.assign(Contract="Month-to-month")
    shifted.to_csv(folder / "shifted.csv", index=False)
    return {"folder": folder, "train": folder / "train.csv",
            "current": folder / "current.csv", "shifted": folder / "shifted.csv",
            "plain": folder / "plain", "profiled": folder / "profiled"}


def test_monitor_json_on_a_random_split(telco_files: dict[str, Any]) -> None:
    result = runner.invoke(app, ["monitor", str(telco_files["plain"]),
                                 str(telco_files["current"]), "--reference",
                                 str(telco_files["train"]), "--labels", "Churn",
                                 "--window", "1000", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["alerts"] == []
    assert data["drift"]["summary"]["n_columns"] == 19
    assert data["drift"]["summary"]["drifted_columns"] == []
    assert data["performance"]["metric"] == "roc_auc"
    assert len(data["performance"]["windows"]) == 4
    assert data["prediction_drift"]["drifted"] is False


def test_monitor_flags_the_shifted_column_writes_html_and_fails_on_alert(
        telco_files: dict[str, Any]) -> None:
    html = telco_files["folder"] / "drift.html"
    result = runner.invoke(app, ["monitor", str(telco_files["profiled"]),
                                 str(telco_files["shifted"]), "--html", str(html),
                                 "--fail-on-alert"])
    assert result.exit_code == 1, result.output
    assert "feature drift: Contract" in result.stderr
    assert "prediction drift" in result.stderr
    text = html.read_text(encoding="utf-8")
    assert "Feature drift" in text
    assert "Contract" in text
    assert "plotly" in text.lower()
    # aggregates only: no customer id reaches the report
    ids = pd.read_csv(telco_files["shifted"], usecols=["customerID"])["customerID"]
    assert not any(customer in text for customer in ids.head(200))


def test_monitor_without_any_reference_is_a_clear_error(telco_files: dict[str, Any]) -> None:
    result = runner.invoke(app, ["monitor", str(telco_files["plain"]),
                                 str(telco_files["current"])])
    assert result.exit_code == 2
    assert "holds no reference profile" in result.stderr
    assert "--reference DATA" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--method", "kl"], "method must be one of"),
    (["--labels", "churned"], "labels column 'churned' is not in the current data"),
    (["--html", "report.pdf"], "--html must name an .html file"),
    (["--window", "0"], "window must be a positive integer"),
], ids=["method", "labels", "html", "window"])
def test_monitor_bad_options(telco_files: dict[str, Any], args: list[str], message: str) -> None:
    result = runner.invoke(app, ["monitor", str(telco_files["profiled"]),
                                 str(telco_files["current"]), *args])
    assert result.exit_code == 2
    assert message in result.stderr


def test_monitor_help() -> None:
    result = runner.invoke(app, ["monitor", "--help"])
    assert result.exit_code == 0
    for option in ("--reference", "--labels", "--json", "--html"):
        assert option in result.stdout
