"""``jogak explain MODEL DATA``: JSON rows that add up, human tables, clear errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest
from scipy.special import logit
from typer.testing import CliRunner

from jogak.cli import app
from jogak.models import AutoMLClassifier, load_model
from jogak.testing import make_classification_frame

runner = CliRunner()


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("explain_cli")
    frame = make_classification_frame(200, seed=5).drop(columns=["id"])
    data = folder / "rows.csv"
    frame.drop(columns=["target"]).to_csv(data, index=False)
    model = AutoMLClassifier(n_trials=1, cv=2, include_models=["lightgbm"], ensemble=False,
                             stacking=False).fit(frame.drop(columns=["target"]), frame["target"])
    return model.save(folder / "model"), data


def test_explain_cli_json_rows_add_up(bundle: tuple[Path, Path]) -> None:
    model_path, data = bundle
    result = runner.invoke(app, ["explain", str(model_path), str(data), "--rows", "5", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["space"] == "log_odds"
    assert payload["n_rows"] == 5
    assert len(payload["rows"]) == 5
    model = load_model(model_path)
    expected = logit(model.predict_proba(pd.read_csv(data).head(5))[:, 1])
    for row, prediction in zip(payload["rows"], expected, strict=True):
        assert set(row) == {"prediction", "base_value", "contributions", "space", "class"}
        assert row["space"] == "log_odds"
        assert row["class"] == "yes"
        assert "synopsis" in row["contributions"]
        assert "joined" in row["contributions"]
        total = row["base_value"] + sum(row["contributions"].values())
        assert math.isclose(total, row["prediction"], abs_tol=1e-9)
        assert math.isclose(row["prediction"], prediction, abs_tol=1e-6)


def test_explain_cli_human_output(bundle: tuple[Path, Path]) -> None:
    model_path, data = bundle
    result = runner.invoke(app, ["explain", str(model_path), str(data), "--rows", "2"])
    assert result.exit_code == 0, result.output
    assert "2 row(s) explained in log_odds space" in result.stderr
    assert "row 1: prediction" in result.stderr
    assert "mean |contribution|" in result.stderr
    assert result.stdout == ""


def test_explain_cli_missing_column_names_it(bundle: tuple[Path, Path], tmp_path: Path) -> None:
    model_path, data = bundle
    lacking = tmp_path / "lacking.csv"
    pd.read_csv(data).drop(columns=["color"]).to_csv(lacking, index=False)
    result = runner.invoke(app, ["explain", str(model_path), str(lacking), "--json"])
    assert result.exit_code == 2
    assert "error:" in result.stderr
    assert "['color']" in result.stderr
    bad_rows = runner.invoke(app, ["explain", str(model_path), str(data), "--rows", "0"])
    assert bad_rows.exit_code == 2
    assert "--rows must be >= 1" in bad_rows.stderr
