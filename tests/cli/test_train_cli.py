from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from jogak.cli import app
from jogak.models.automl._distributed import close_storage, open_storage
from jogak.testing import make_classification_frame

runner = CliRunner()


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    make_classification_frame(240, seed=11).to_csv(path, index=False)
    return path


def test_train_predict_evaluate_round_trip(small_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", str(small_csv), "--target", "target", "--trials", "3",
                                 "--models", "linear,hist_gb", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["task"] == "binary"
    assert summary["cv"]["roc_auc"]["mean"] > 0.75
    assert (out / "manifest.json").exists()

    predictions = tmp_path / "pred.csv"
    result = runner.invoke(app, ["predict", str(out), str(small_csv), "--out", str(predictions)])
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(predictions)
    original = pd.read_csv(small_csv)
    assert list(scored["id"]) == list(original["id"])  # input rows kept, in order
    assert {"prediction", "proba_no", "proba_yes"} <= set(scored.columns)
    assert ((scored["proba_no"] + scored["proba_yes"]).round(9) == 1).all()

    result = runner.invoke(app, ["evaluate", str(out), str(small_csv), "--target", "target",
                                 "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert metrics["n_rows"] == 240
    assert metrics["metrics"]["roc_auc"] > 0.8


@pytest.mark.parametrize(
    ("args", "message"),
    [(["train", "missing.csv", "--target", "y"], "File not found: 'missing.csv'"),
     (["train", "{csv}", "--target", "nope"], "Target column 'nope'"),
     (["train", "{csv}", "--target", "target", "--task", "magic"], "--task must be"),
     (["predict", "{tmp}", "{csv}"], "manifest"),
     (["train", "{csv}", "--target", "target", "--infer-limit", "1e-4", "--no-infer-limit"],
      "--no-infer-limit turns the serving budget off")],
    ids=["missing_file", "missing_target", "bad_task", "not_a_bundle", "limit_and_no_limit"])
def test_bad_input_exits_2_with_one_line(args: list[str], message: str, small_csv: Path,
                                         tmp_path: Path) -> None:
    filled = [a.format(csv=small_csv, tmp=tmp_path) for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error:")
    assert message in lines[0]
    assert "Traceback" not in result.output


def test_train_infer_limit_keeps_slow_families_out(small_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "model"
    result = runner.invoke(app, ["train", str(small_csv), "--target", "target", "--trials", "3",
                                 "--models", "linear,random_forest", "--infer-limit", "6e-5",
                                 "--infer-limit-row", "5e-4", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert all(name.startswith("linear#") for name in summary["ensemble"])
    # the estimate includes the synopsis text's TF-IDF (~3.7e-5 s a batch row)
    assert summary["serving_estimate"]["row_ms"] <= 0.5
    assert summary["serving_estimate"]["batch_rows_per_s"] >= 1 / 6e-5


@pytest.mark.slow
def test_telco_train_then_evaluate_json(data_dir: Path, tmp_path: Path) -> None:
    data = data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz"
    out = tmp_path / "m"
    result = runner.invoke(app, ["train", str(data), "--target", "Churn", "--trials", "4",
                                 "--models", "linear,lightgbm", "--out", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["evaluate", str(out), str(data), "--target", "Churn", "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    assert set(metrics["metrics"]) >= {"roc_auc", "log_loss", "f1", "brier"}
    assert metrics["metrics"]["roc_auc"] > 0.84


def _start_worker(storage: str, study: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "jogak.cli", "worker", "--storage", storage,
                             "--study", study, "--wait", "60"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})


def _distributed_run(storage: str, study: str, small_csv: Path, tmp_path: Path) -> None:
    import optuna

    workers = [_start_worker(storage, study) for _ in range(2)]
    result = runner.invoke(app, ["train", str(small_csv), "--target", "target", "--trials", "14",
                                 "--models", "linear,hist_gb", "--out", str(tmp_path / "m"),
                                 "--storage", storage, "--study", study, "--json"])
    assert result.exit_code == 0, result.output
    for process in workers:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()[-2000:]
    owners = set()
    opened = open_storage(storage)
    try:
        for family in ("linear", "hist_gb"):
            loaded = optuna.load_study(study_name=f"{study}.{family}", storage=opened)
            owners |= {t.user_attrs.get("worker") for t in loaded.trials}
    finally:
        close_storage(opened)
    assert len(owners) >= 2  # the trainer and at least one worker ran trials of one study


@pytest.mark.integration
@pytest.mark.slow
def test_two_workers_share_one_sqlite_study(small_csv: Path, tmp_path: Path) -> None:
    _distributed_run(f"sqlite:///{tmp_path / 'study.db'}", "sqlite-study", small_csv, tmp_path)


@pytest.mark.integration
@pytest.mark.slow
def test_two_workers_share_one_postgresql_study(small_csv: Path, tmp_path: Path,
                                                postgres_url: str) -> None:
    study = f"pg-study-{os.getpid()}-{tmp_path.name}"
    _distributed_run(postgres_url, study, small_csv, tmp_path)
