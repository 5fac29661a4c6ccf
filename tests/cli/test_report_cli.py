"""jogak report and jogak predict --operating-point, through the real Typer app."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from jogak.cli import app
from jogak.models import decide, load_model
from jogak.testing import make_classification_frame

runner = CliRunner()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("report_cli")
    data = folder / "small.csv"
    make_classification_frame(240, seed=11).to_csv(data, index=False)
    bundle = folder / "model"
    result = runner.invoke(app, ["train", str(data), "--target", "target", "--trials", "3",
                                 "--models", "linear,hist_gb", "--out", str(bundle),
                                 "--benefit-tp", "50", "--cost-contact", "10", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(summary["operating_points"]) >= {"recall_first", "max_profit"}
    return bundle, data


def test_predict_operating_point_adds_decision_column(trained, tmp_path: Path) -> None:
    bundle, data = trained
    out = tmp_path / "pred.csv"
    result = runner.invoke(app, ["predict", str(bundle), str(data), "--out", str(out),
                                 "--operating-point", "recall_first"])
    assert result.exit_code == 0, result.output
    scored = pd.read_csv(out)
    model = load_model(bundle)
    point = model.operating_points_["recall_first"]
    positive, negative = (str(c) for c in model.classes_[::-1])
    expected = [positive if p >= point.threshold else negative
                for p in scored[f"proba_{positive}"]]
    assert scored["decision"].astype(str).tolist() == expected
    # recall_first flags at least as many rows as the 0.5 arg-max does
    assert (scored["decision"] == positive).sum() >= (scored["prediction"] == positive).sum()
    assert decide(scored[f"proba_{positive}"].to_numpy(), model.operating_points_,
                  "max_profit").dtype == bool


def test_predict_unknown_operating_point_lists_available(trained) -> None:
    bundle, data = trained
    result = runner.invoke(app, ["predict", str(bundle), str(data), "--operating-point",
                                 "recal_first"])
    assert result.exit_code == 2
    assert "Unknown operating point 'recal_first'; available: max_profit, precision_first, " \
           "recall_first" in result.output or "available: max_profit, recall_first" in \
           result.output


def test_train_refuses_half_economics(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    make_classification_frame(60, seed=1).to_csv(data, index=False)
    result = runner.invoke(app, ["train", str(data), "--target", "target", "--trials", "1",
                                 "--benefit-tp", "5"])
    assert result.exit_code == 2
    assert "--benefit-tp and --cost-contact go together" in result.output


@pytest.mark.slow
def test_report_command_writes_html_and_pngs(trained, tmp_path: Path) -> None:
    bundle, data = trained
    out = tmp_path / "r" / "report.html"
    result = runner.invoke(app, ["report", str(bundle), "--data", str(data), "--out", str(out),
                                 "--png", str(tmp_path / "png"), "--explain-seconds", "1",
                                 "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["report"] == str(out)
    assert summary["size_bytes"] == out.stat().st_size
    assert "Operating points" in summary["sections"]
    assert sorted(p.stem for p in (tmp_path / "png").glob("*.png")) == sorted(summary["figures"])
    page = out.read_text(encoding="utf-8")
    assert page.count("max_profit") >= 1
    assert "<script src=" not in page


def test_report_command_errors_are_one_line(trained, tmp_path: Path) -> None:
    bundle, data = trained
    result = runner.invoke(app, ["report", str(bundle), "--out", str(tmp_path / "r.pdf")])
    assert result.exit_code == 2
    assert "--out must be an .html file" in result.output
    frame = pd.read_csv(data).drop(columns=["target"])
    broken = tmp_path / "broken.csv"
    frame.drop(columns=[frame.columns[1]]).to_csv(broken, index=False)
    result = runner.invoke(app, ["report", str(bundle), "--data", str(broken), "--out",
                                 str(tmp_path / "r.html")])
    assert result.exit_code == 2
    assert f"lacks the model's column(s) ['{frame.columns[1]}']" in result.output
