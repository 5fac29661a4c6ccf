"""``jogak markets``: backtest (the issue's exact fill rules and JSON keys), risk, forecast."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import jogak.cli._markets  # noqa: F401  (registers the group)
from jogak.cli import app
from jogak.testing._markets import make_ohlcv

runner = CliRunner()


@pytest.fixture
def hand_csv(tmp_path: Path) -> Path:
    """Seven daily bars; SMA(1) > SMA(2) at closes 1, 2, 3, 5 and 6."""
    closes = [10.0, 11.0, 12.0, 13.0, 12.0, 14.0, 15.0]
    opens = [10.0, 10.5, 11.5, 12.5, 12.8, 12.5, 14.5]
    frame = pd.DataFrame({"Date": pd.date_range("2024-01-01", periods=7, freq="D").strftime(
        "%Y-%m-%d"), "Open": opens, "High": np.maximum(opens, closes) + 0.5,
        "Low": np.minimum(opens, closes) - 0.5, "Close": closes, "Volume": 100})
    path = tmp_path / "bars.csv"
    frame.to_csv(path, index=False)
    return path


def _invoke(*args: str) -> dict:
    result = runner.invoke(app, ["markets", *map(str, args)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_backtest_json_follows_the_issue_rules_by_hand(hand_csv: Path) -> None:
    fee = 0.01
    out = _invoke("backtest", hand_csv, "--strategy", "sma_cross", "--fast", "1", "--slow", "2",
                  "--fee", str(fee), "--json")
    # decisions [0, 1, 1, 1, 0, 1, 1]: SMA(2) is undefined at bar 0; 12 < 12.5 at close 4
    units = 10_000 / (11.5 * (1 + fee))  # decided at close 1, bought at bar 2's open
    cash = units * 12.5 * (1 - fee)  # decided flat at close 4, sold at bar 5's open
    units2 = cash / (14.5 * (1 + fee))  # long again at close 5, bought at bar 6's open
    equity = np.array([10_000, 10_000, units * 12, units * 13, units * 12, cash, units2 * 15])
    assert out["final_equity"] == pytest.approx(units2 * 15, rel=1e-12)  # marked, not sold
    assert out["n_trades"] == 2
    assert out["total_return"] == pytest.approx(units2 * 15 / 10_000 - 1, rel=1e-12)
    rets = equity[1:] / equity[:-1] - 1
    cutoff = np.percentile(rets, 5)
    assert out["var_95_hist"] == pytest.approx(-cutoff, rel=1e-12)
    assert out["es_95_hist"] == pytest.approx(-rets[rets <= cutoff].mean(), rel=1e-12)
    assert out["sharpe"] == pytest.approx(rets.mean() / rets.std(ddof=1) * np.sqrt(365))
    peak = np.maximum.accumulate(equity)
    assert out["max_drawdown"] == pytest.approx((equity / peak - 1).min())
    assert out["periods_per_year"] == 365.0
    assert out["buy_and_hold"]["final_equity"] == pytest.approx(
        10_000 / (10.5 * (1 + fee)) * 15)


def test_backtest_writes_the_html_report(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    make_ohlcv(150, seed=1).reset_index().rename(columns={"timestamp": "date"}).to_csv(
        path, index=False)
    report = tmp_path / "report.html"
    result = runner.invoke(app, ["markets", "backtest", str(path), "--fast", "5", "--slow", "20",
                                 "--sizing", "risk", "--report", str(report)])
    assert result.exit_code == 0, result.output
    html = report.read_text(encoding="utf-8")
    for text in ("Equity curve", "Drawdown", "Return distribution", "VaR 95 %", "ES 95 %",
                 "buy and hold"):
        assert text in html
    assert "final_equity" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["--fast", "30", "--slow", "10"], "fast < slow"),
    (["--sizing", "half"], "--sizing must be"),
    (["--fee", "-0.1"], "fee must be in"),
    (["--strategy", "momentum"], "--strategy must be"),
    (["--strategy", "model:/nonexistent/model"], "model"),
], ids=["fast_above_slow", "sizing", "fee", "strategy", "missing_model"])
def test_backtest_bad_input_exits_2_with_one_line(hand_csv: Path, args: list[str],
                                                  message: str) -> None:
    result = runner.invoke(app, ["markets", "backtest", str(hand_csv), *args, "--json"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.startswith("error: ")


def test_backtest_refuses_unrepairable_data(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("date,open,high,low,close\n2024-01-01,0,0,0,0\n2024-01-02,-1,-1,-1,-1\n")
    result = runner.invoke(app, ["markets", "backtest", str(path), "--json"])
    assert result.exit_code == 2
    assert "No usable close" in result.stderr


def test_risk_json_reports_repairs(tmp_path: Path) -> None:
    bars = make_ohlcv(120, seed=2).reset_index().rename(columns={"timestamp": "date"})
    messy = pd.concat([bars.iloc[::-1], bars.iloc[[5]]])  # descending with a duplicate
    path = tmp_path / "messy.csv"
    messy.to_csv(path, index=False)
    out = _invoke("risk", path, "--periods-per-year", "252", "--json")
    rets = bars["close"].pct_change().dropna().to_numpy()
    assert out["var_95_hist"] == pytest.approx(-np.percentile(rets, 5))
    assert out["periods_per_year"] == 252
    kinds = {a["kind"] for a in out["repairs"]["actions"]}
    assert {"unsorted", "duplicate_timestamps"} <= kinds


def test_forecast_saves_a_model_that_backtests_out_of_sample(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    make_ohlcv(300, seed=3).reset_index().rename(columns={"timestamp": "date"}).to_csv(
        path, index=False)
    model = tmp_path / "model"
    out = _invoke("forecast", path, "--models", "persistence,drift,linear", "--splits", "2",
                  "--save", model, "--save-model", "linear", "--train-until", "2021-08-31",
                  "--json")
    assert set(out["metrics"]) == {"persistence", "drift", "linear"}
    assert out["metrics"]["persistence"]["mae_ratio"] == pytest.approx(1.0)
    assert out["saved"] == str(model)
    result = _invoke("backtest", path, "--strategy", f"model:{model}", "--json")
    assert "out of sample after 2021-08-31" in result["strategy"]
    all_bars = tmp_path / "short.csv"
    make_ohlcv(200, seed=3).reset_index().rename(columns={"timestamp": "date"}).to_csv(
        all_bars, index=False)
    refused = runner.invoke(app, ["markets", "backtest", str(all_bars), "--strategy",
                                  f"model:{model}"])
    assert refused.exit_code == 2
    assert "look-ahead" in refused.stderr


SENTENCES = ["Operating profit rose to EUR 13.1 mn .", "Net sales increased by 18 % .",
             "Profit jumped sharply .", "Operating loss widened to EUR 3 mn .",
             "Net sales fell by 12 % .", "The company cut 200 jobs .",
             "The company is based in Espoo .", "The meeting is held on 15 March .",
             "The shares are listed in Helsinki ."]


def test_sentiment_train_then_score_with_daily_features(tmp_path: Path) -> None:
    labelled = tmp_path / "phrases.csv"
    pd.DataFrame({"sentence": SENTENCES * 4,
                  "label": (["positive"] * 3 + ["negative"] * 3 + ["neutral"] * 3) * 4}
                 ).to_csv(labelled, index=False)
    trained = _invoke("sentiment", "train", labelled, "--model", "tfidf", "--test-size", "0.25",
                      "--save", tmp_path / "model", "--json")
    assert trained["n"] == 9
    assert trained["n_train"] == 27
    assert set(trained["f1"]) == {"negative", "neutral", "positive"}
    assert trained["saved"] == str(tmp_path / "model")
    headlines = tmp_path / "news.csv"
    pd.DataFrame({"date": ["2024-01-02", "2024-01-02", "2024-01-03"],
                  "headline": ["Profit rose sharply .", "Net sales fell .",
                               "The company is based in Espoo ."]}).to_csv(headlines,
                                                                          index=False)
    scored = _invoke("sentiment", "score", tmp_path / "model", headlines, "--date", "date",
                     "--out", tmp_path / "daily.csv", "--json")
    assert scored["n_texts"] == 3
    assert scored["counts"] == {"negative": 1, "neutral": 1, "positive": 1}
    assert [d["n_headlines"] for d in scored["daily"]] == [2, 1]
    daily = pd.read_csv(tmp_path / "daily.csv")
    assert daily["n_positive"].tolist() == [1, 0]


def test_sentiment_commands_refuse_bad_input(tmp_path: Path) -> None:
    labelled = tmp_path / "phrases.csv"
    pd.DataFrame({"sentence": SENTENCES, "label": ["up"] * 9}).to_csv(labelled, index=False)
    result = runner.invoke(app, ["markets", "sentiment", "train", str(labelled), "--model",
                                 "tfidf"])
    assert result.exit_code == 2
    assert "error:" in result.output
    result = runner.invoke(app, ["markets", "sentiment", "train", str(labelled), "--model",
                                 "finbert"])
    assert result.exit_code == 2
    assert "--model must be one of" in result.output
    result = runner.invoke(app, ["markets", "sentiment", "score", str(tmp_path),
                                 str(labelled)])
    assert result.exit_code == 2
    assert "error:" in result.output
