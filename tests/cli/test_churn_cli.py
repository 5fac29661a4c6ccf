"""``jogak churn``: features (preset and spec), train, target, simulate; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import jogak.cli._churn  # noqa: F401  (registers the commands)
from jogak.cli import app
from jogak.testing._kkbox import make_kkbox

runner = CliRunner()


@pytest.fixture(scope="module")
def kkbox_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kkbox")
    tables = make_kkbox(200, seed=5)
    tables["members"].to_csv(folder / "members_v3.csv", index=False)
    tables["transactions"].to_csv(folder / "transactions.csv.gz", index=False)
    tables["user_logs"].to_parquet(folder / "user_logs.parquet", index=False)
    tables["train"].to_csv(folder / "train.csv", index=False)
    return folder


def _json(output: str) -> dict:
    return json.loads(output.strip().splitlines()[-1])


def test_features_kkbox_preset(kkbox_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "features.parquet"
    result = runner.invoke(app, ["churn", "features", "kkbox", "--data", str(kkbox_folder),
                                 "--out", str(out), "--cutoff", "2017-02-10", "--json"])
    assert result.exit_code == 0, result.output
    payload = _json(result.stdout)
    frame = pd.read_parquet(out)
    assert payload["n_rows"] == len(frame) == 200
    assert payload["cutoff"] == "2017-02-10"
    assert {"age_band", "no_log_flag", "is_churn"} <= set(frame.columns)
    assert any(r["issue"] == "events after the cutoff" for r in payload["repairs"])
    assert any(r["column"] == "bd" for r in payload["cleaning"])


def test_features_from_a_spec_file_streams_to_parquet(tmp_path: Path) -> None:
    logs = pd.DataFrame({"user": ["a", "a", "b"], "day": [20240101, 20240105, 20240103],
                         "secs": [1.0, 2.0, 3.0]})
    logs.to_csv(tmp_path / "logs.csv", index=False)
    spec = {"key": "user", "events": [{"name": "logs", "source": "logs.csv", "key": "user",
                                       "time": "day", "aggregations": [
                                           {"func": "sum", "column": "secs"}]}]}
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    out = tmp_path / "f.parquet"
    result = runner.invoke(app, ["churn", "features", str(tmp_path / "spec.json"), "--out",
                                 str(out)])
    assert result.exit_code == 0, result.output
    assert pd.read_parquet(out)["logs_sum_secs_all"].tolist() == [3.0, 3.0]


def test_bad_input_exits_2_with_one_line(kkbox_folder: Path, tmp_path: Path) -> None:
    cases = [
        ["churn", "features", "kkbox", "--data", str(tmp_path / "nope"), "--out",
         str(tmp_path / "x.parquet")],
        ["churn", "features", "kkbox", "--data", str(kkbox_folder), "--out",
         str(tmp_path / "x.parquet"), "--engine", "polars"],
        ["churn", "features", "kkbox", "--data", str(kkbox_folder), "--out",
         str(tmp_path / "x.parquet"), "--cutoff", "soon"],
        ["churn", "features", str(tmp_path / "missing.yaml"), "--out",
         str(tmp_path / "x.parquet")],
    ]
    for args in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.startswith("error: ")
        assert result.output.count("\n") == 1
    assert not (tmp_path / "x.parquet").exists()


@pytest.mark.slow
def test_train_target_and_simulate(kkbox_folder: Path, tmp_path: Path) -> None:
    features = tmp_path / "features.parquet"
    assert runner.invoke(app, ["churn", "features", "kkbox", "--data", str(kkbox_folder),
                               "--out", str(features), "--cutoff", "2017-02-10"]).exit_code == 0
    model = tmp_path / "model"
    result = runner.invoke(app, ["churn", "train", str(features), "--target", "is_churn",
                                 "--out", str(model), "--trials", "2", "--cv", "3",
                                 "--id-column", "msno", "--json"])
    assert result.exit_code == 0, result.output
    summary = _json(result.stdout)
    assert summary["cv"]["roc_auc"]["mean"] > 0.6
    assert summary["operating_points"]["recall_first"]["recall"] >= 0.95
    assert (model / "manifest.json").exists()
    targets = tmp_path / "targets.csv"
    result = runner.invoke(app, ["churn", "target", str(model), str(features), "--budget", "5",
                                 "--out", str(targets), "--json"])
    assert result.exit_code == 0, result.output
    listed = pd.read_csv(targets)
    assert len(listed) == 5
    assert listed["rank"].tolist() == [1, 2, 3, 4, 5]
    assert listed["reason_1"].notna().all()
    assert _json(result.stdout)["n_targeted"] == 5
    html = tmp_path / "campaign.html"
    result = runner.invoke(app, ["churn", "simulate", str(model), str(features),
                                 "--contact-cost", "1", "--offer-cost", "20",
                                 "--customer-value", "300", "--uplift", "0.3",
                                 "--segment", "age_band", "--html", str(html), "--json"])
    assert result.exit_code == 0, result.output
    best = _json(result.stdout)["best"]
    assert best[0]["segment"] == "all"
    assert {b["segment"] for b in best} >= {"unknown"}
    assert "Best threshold by segment" in html.read_text()
    result = runner.invoke(app, ["churn", "target", str(tmp_path / "nomodel"), str(features),
                                 "--budget", "5", "--out", str(targets)])
    assert result.exit_code == 2
    result = runner.invoke(app, ["churn", "train", str(features), "--target", "is_churn",
                                 "--out", str(tmp_path / "m2"), "--time-column", "bd"])
    assert result.exit_code == 2
    assert "go together" in result.output
