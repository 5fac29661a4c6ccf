"""``jogak hits``: train, evaluate --json on the same folds, board; bad input exits 2."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import jogak.cli._hits  # noqa: F401  (registers the commands)
from jogak.cli import app
from jogak.testing._hits import make_films

runner = CliRunner()


@pytest.fixture
def films_csv(tmp_path: Path) -> Path:
    path = tmp_path / "films.csv"
    make_films(80, seed=2).to_csv(path, index=False)
    return path


@pytest.fixture
def new_films_csv(tmp_path: Path) -> Path:
    path = tmp_path / "new_films.csv"
    make_films(12, seed=3, with_target=False).to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_hits_evaluate_json_scores_every_model_on_the_same_folds(films_csv: Path) -> None:
    result = runner.invoke(app, ["hits", "evaluate", "films", str(films_csv), "--folds", "2",
                                 "--repeats", "1", "--tuning-trials", "1", "--trials", "1",
                                 "--model", "extra_trees", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload["models"]) == {"extra_trees", "extra_trees_tuned", "jogak_automl"}
    for scores in payload["models"].values():
        assert set(scores) == {"rmse", "mae", "r2", "r2_log", "rmsle", "mape"}
        assert scores["rmse"] > 0
    assert payload["n_folds"] == 2
    assert 0 <= payload["coverage"]["mean"] <= 1


@pytest.mark.slow
def test_hits_train_then_board_writes_a_ranked_csv(films_csv: Path, new_films_csv: Path,
                                                   tmp_path: Path) -> None:
    bundle = tmp_path / "model"
    result = runner.invoke(app, ["hits", "train", "films", str(films_csv), "--out", str(bundle),
                                 "--trials", "1", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["n_rows"] == 80
    assert (bundle / "manifest.json").exists()
    out, html = tmp_path / "board.csv", tmp_path / "board.html"
    result = runner.invoke(app, ["hits", "board", str(bundle), str(new_films_csv), "--out",
                                 str(out), "--html", str(html), "--holder-share", "0.5"])
    assert result.exit_code == 0, result.output
    board = pd.read_csv(out)
    assert len(board) == 12
    assert board["rank"].tolist() == list(range(1, 13))
    assert board["expected_return"].is_monotonic_decreasing
    assert set(board["risk_grade"]) <= set("ABCDE")
    assert (board["lower"] <= board["upper"]).all()
    text = html.read_text()
    assert "Investment board" in text
    assert "board_returns" in text


def test_hits_bad_input_exits_2_with_one_line(tmp_path: Path, films_csv: Path) -> None:
    result = runner.invoke(app, ["hits", "evaluate", "films", str(films_csv), "--model", "svm",
                                 "--json"])
    assert result.exit_code == 2
    assert "Unknown --model ['svm']" in result.output
    no_target = tmp_path / "no_target.csv"
    make_films(30, with_target=False).to_csv(no_target, index=False)
    result = runner.invoke(app, ["hits", "train", "films", str(no_target), "--out",
                                 str(tmp_path / "m"), "--trials", "1"])
    assert result.exit_code == 2
    assert "box_off_num" in result.output
    assert not (tmp_path / "m").exists()
    result = runner.invoke(app, ["hits", "board", str(tmp_path / "missing"), str(films_csv)])
    assert result.exit_code == 2
    result = runner.invoke(app, ["hits", "train", "films", str(films_csv), "--out",
                                 str(tmp_path / "m"), "--coverage", "1.5"])
    assert result.exit_code == 2
    assert "--coverage must be in (0, 1)" in result.output
