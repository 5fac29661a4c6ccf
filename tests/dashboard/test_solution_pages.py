"""AppTest of the solution pages: saved ``--json`` results shown; missing ones say what to run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from tests.dashboard.conftest import APP_DIR

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PAGES = {"content": "hits", "markets": "markets", "customers": "commerce", "credit": "credit",
         "recommendations": "recommend"}


def _run(stem: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(sys, "argv", ["app.py", "--home", str(home)])
    at = AppTest.from_file(str(APP_DIR / "pages" / f"{stem}.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("stem", sorted(PAGES))
def test_missing_results_name_the_command(stem: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run(stem, tmp_path, monkeypatch)
    text = "\n".join(i.value for i in at.info)
    assert f"mkdir -p {tmp_path}/results/{PAGES[stem]}" in text
    assert "·" in at.title[0].value  # the Korean name renders beside the English one


def test_markets_results_are_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "results" / "markets"
    folder.mkdir(parents=True)
    (folder / "risk.json").write_text(json.dumps({
        "var_95": -0.021, "es_95": -0.034, "max_drawdown": -0.25,
        "equity": [{"date": "2024-01-02", "equity": 1.0}, {"date": "2024-01-03", "equity": 1.02}],
    }), encoding="utf-8")
    (folder / "forecast.json").write_text("not json", encoding="utf-8")
    at = _run("markets", tmp_path, monkeypatch)
    figures = {m.label: m.value for m in at.metric}
    assert figures == {"var_95": "-0.021", "es_95": "-0.034", "max_drawdown": "-0.25"}
    assert at.dataframe[0].value["equity"].tolist() == [1.0, 1.02]
    assert "is not JSON" in at.error[0].value
    assert any("jogak markets backtest" in i.value for i in at.info)
