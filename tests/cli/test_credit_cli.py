from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from jogak.cli import app
from jogak.testing._credit import make_credit_frame

pytest.importorskip("lightgbm")

runner = CliRunner()


@pytest.fixture(scope="module")
def fitted_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("credit_cli")
    data = folder / "accounts.csv"
    make_credit_frame(1500, seed=21, uci_names=True).to_csv(data, index=False)
    model = folder / "model"
    result = runner.invoke(app, ["credit", "scorecard", str(data), "--target", "Y", "--out",
                                 str(model), "--folds", "3", "--json", "--report",
                                 str(folder / "report.html")])
    assert result.exit_code == 0, result.output
    return data, model


def test_scorecard_writes_a_bundle_and_prints_json(fitted_model: tuple[Path, Path]) -> None:
    data, model = fitted_model
    assert (model / "manifest.json").exists()
    manifest = json.loads((model / "manifest.json").read_text())
    assert manifest["kind"] == "jogak.credit"
    html = (model.parent / "report.html").read_text()
    assert "Scorecard" in html
    assert "bad_rate_by_grade" in html
    assert {"scorecard_auc", "gbm_auc", "scorecard_ks", "gbm_gini"} <= set(manifest["metrics"])


def test_grade_writes_one_row_per_input_row_in_order(fitted_model: tuple[Path, Path],
                                                     tmp_path: Path) -> None:
    data, model = fitted_model
    shuffled = pd.read_csv(data).sample(frac=1.0, random_state=0).head(400)
    source = tmp_path / "new.csv"
    shuffled.to_csv(source, index=False)
    out = tmp_path / "grades.csv"
    result = runner.invoke(app, ["credit", "grade", str(model), str(source), "--out", str(out),
                                 "--keep", "ID"])
    assert result.exit_code == 0, result.output
    grades = pd.read_csv(out, keep_default_na=False)
    assert list(grades.columns) == ["ID", "score", "grade", "reasons"]
    assert grades["ID"].tolist() == shuffled["ID"].tolist()
    assert set(grades["grade"]) <= set("ABCDE")
    # higher score = better grade
    ordered = grades.sort_values("score", ascending=False)["grade"].tolist()
    assert ordered == sorted(ordered)
    assert "PSI vs development" in result.stderr


def test_policy_json_compares_three_policies(fitted_model: tuple[Path, Path]) -> None:
    data, model = fitted_model
    result = runner.invoke(app, ["credit", "policy", str(model), str(data), "--grace-days",
                                 "30", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["grace_days"] == 30
    assert payload["grace_grades"] == ["A", "B"]
    assert [p["policy"] for p in payload["policies"]] == ["suspend_all", "grace_all",
                                                           "grace_for_A+B"]
    assert payload["best"] in {p["policy"] for p in payload["policies"]}
    assert payload["assumptions"]["recovery_if_suspended"] == 0.5


@pytest.mark.parametrize(
    ("args", "message"),
    [(["credit", "scorecard", "{data}", "--target", "nope", "--out", "{tmp}/m"],
      "Target column 'nope'"),
     (["credit", "scorecard", "{data}", "--target", "X6", "--out", "{tmp}/m"], "must be binary"),
     (["credit", "grade", "{tmp}", "{data}"], "manifest"),
     (["credit", "grade", "{model}", "{data}", "--engine", "forest"], "--engine must be"),
     (["credit", "policy", "{model}", "{data}", "--grace-days", "0"], "grace_days"),
     (["credit", "policy", "{model}", "{data}", "--grace-days", "5", "--grace-grades", "Z"],
      "not grades of this model")],
    ids=["missing_target", "multiclass_target", "not_a_bundle", "bad_engine", "zero_days",
         "unknown_grade"])
def test_bad_input_exits_2_with_one_line(args: list[str], message: str,
                                         fitted_model: tuple[Path, Path],
                                         tmp_path: Path) -> None:
    data, model = fitted_model
    filled = [a.format(data=data, model=model, tmp=tmp_path) for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("error:")
    assert message in lines[-1]
    assert "Traceback" not in result.output
