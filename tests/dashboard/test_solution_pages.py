"""AppTest of the solution pages on results the solution commands really wrote (CliRunner on
small synthetic data from ``jogak.testing``); missing results name the command to run."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from tests.dashboard.conftest import APP_DIR
from tests.dashboard.solution_results import (
    write_content_results,
    write_credit_results,
    write_customers_results,
    write_markets_results,
    write_recommend_results,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: page -> (solution folder, a command the empty page shows)
PAGES = {"content": ("hits", "jogak hits board"), "markets": ("markets", "jogak markets forecast"),
         "customers": ("commerce", "jogak commerce rfm"),
         "credit": ("credit", "jogak credit scorecard"),
         "recommendations": ("recommend", "jogak recommend train")}


def _run(stem: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setattr(sys, "argv", ["app.py", "--home", str(home)])
    at = AppTest.from_file(str(APP_DIR / "pages" / f"{stem}.py"), default_timeout=120).run()
    return _ok(at)


def _ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _frame(at: AppTest, *columns: str, nth: int = 0) -> pd.DataFrame:
    """The ``nth`` table shown that has all ``columns``."""
    found = [d.value for d in at.dataframe if set(columns) <= set(d.value.columns)]
    assert len(found) > nth, f"no table {nth} with columns {columns}"
    return found[nth]


def _charts(at: AppTest) -> int:
    return len(at.get("plotly_chart"))


@pytest.fixture(scope="module")
def shome(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("solution_home")


# --------------------------------------------------------------------------- missing results
@pytest.mark.parametrize("stem", sorted(PAGES))
def test_missing_results_name_the_command(stem: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run(stem, tmp_path, monkeypatch)
    text = "\n".join(i.value for i in at.info)
    solution, command = PAGES[stem]
    assert f"mkdir -p {tmp_path}/results/{solution}" in text
    assert command in text
    assert "·" in at.title[0].value  # the Korean name renders beside the English one


def test_broken_result_file_says_how_to_write_it(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "results" / "credit"
    folder.mkdir(parents=True)
    (folder / "scorecard.json").write_text("not json", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["app.py", "--home", str(tmp_path)])
    at = AppTest.from_file(str(APP_DIR / "pages" / "credit.py"), default_timeout=60).run()
    assert "is not JSON" in at.error[0].value
    assert "jogak credit scorecard" in at.error[0].value


# --------------------------------------------------------------------------- content
@pytest.fixture(scope="module")
def content_home(shome: Path) -> dict[str, Any]:
    return write_content_results(shome)


def test_content_page_shows_board_and_offerings(content_home: dict[str, Any], shome: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    board = content_home["board"]
    at = _run("content", shome, monkeypatch)
    figures = _metrics(at)
    assert figures["titles"] == "30"
    assert figures["grade A (profit at the lower bound)"] == \
        str(int((board["risk_grade"] == "A").sum()))
    assert figures["offerings"] == "2"
    assert figures["allocated"] == "1"
    assert figures["investors holding"] == "3"
    shown = _frame(at, "rank", "title", "risk_grade")
    assert shown["title"].tolist() == board["title"].tolist()
    assert _charts(at) == 3  # predicted with intervals, expected return, units
    offerings = _frame(at, "offering_id", "content_id")
    assert offerings.set_index("offering_id").loc["film-a", "units_requested"] == 150
    assert offerings.set_index("offering_id").loc["film-a", "units_issued"] == 100
    orders = _frame(at, "order_id", "units_allocated")
    assert orders["units_allocated"].sum() == 100  # oversubscribed 150 for 100: pro rata
    payouts = _frame(at, "investor", "amount")
    assert sum(Decimal(str(a)) for a in payouts["amount"]) == Decimal("1000001")
    assert not set(orders["investor"]) & {"investor-0", "investor-1", "investor-2"}
    at.selectbox(key="content_offering").set_value("film-b").run()
    assert _frame(_ok(at), "order_id", "units_allocated")["units_requested"].tolist() == [5]
    assert any("No distributions yet" in c.value for c in at.caption)


# --------------------------------------------------------------------------- markets
@pytest.fixture(scope="module")
def markets_home(shome: Path) -> dict[str, Any]:
    return write_markets_results(shome)


def test_markets_page_shows_forecast_risk_and_sentiment(markets_home: dict[str, Any],
                                                        shome: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from jogak.solutions.markets import backtest_source

    at = _run("markets", shome, monkeypatch)
    metrics = _frame(at, "model")
    assert set(metrics["model"]) == {"persistence", "drift", "linear"}
    predictions = pd.read_csv(shome / "results" / "markets" / "predictions.csv")
    assert {"timestamp", "actual", "linear"} <= set(predictions.columns)
    assert markets_home["forecast"]["predictions"].endswith("predictions.csv")
    run = backtest_source(str(shome / "data" / "markets.csv"), fast=10, slow=30, fee=0.001)
    figures = _metrics(at)
    expected = run.result.strategy.metrics
    assert figures["VaR 95 % (historical)"] == f"{expected['var_95_hist']:.2%}"
    assert figures["ES 95 % (historical)"] == f"{expected['es_95_hist']:.2%}"
    assert figures["max drawdown"] == f"{expected['max_drawdown']:.2%}"
    assert _charts(at) == 5  # forecast, equity, drawdown, returns, sentiment
    labels = markets_home["labels"]
    assert figures["positive"] == str(int((labels == "positive").sum()))
    assert len(_frame(at, "day", "mean_score")) == len(markets_home["sentiment"]["daily"])
    at.number_input(key="markets_slow").set_value(60).run()
    slower = backtest_source(str(shome / "data" / "markets.csv"), fast=10, slow=60, fee=0.001)
    assert _metrics(_ok(at))["VaR 95 % (historical)"] == \
        f"{slower.result.strategy.metrics['var_95_hist']:.2%}"
    at.number_input(key="markets_fast").set_value(60).run()
    assert "must be longer" in at.warning[0].value


# --------------------------------------------------------------------------- customers
@pytest.fixture(scope="module")
def customers_home(shome: Path) -> dict[str, Any]:
    return write_customers_results(shome)


def test_customers_page_shows_rfm_clv_validation_and_privacy(
        customers_home: dict[str, Any], shome: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run("customers", shome, monkeypatch)
    figures = _metrics(at)
    assert figures["customers"] == str(customers_home["transactions"]["customer_id"].nunique())
    assert _charts(at) >= 3  # RFM segments, R x F grid, CLV histogram
    top = _frame(at, "clv")
    clv = pd.read_csv(shome / "results" / "commerce" / "clv.csv")
    assert len(top) == 20
    assert top["clv"].tolist() == pytest.approx(clv["clv"].nlargest(20).tolist())
    assert not set(top.iloc[:, 0].astype(str)) & set(clv.iloc[:, 0].astype(str))  # tokens
    validate = customers_home["validate"]
    assert figures["verdict"] == ("passed" if validate["passed"] else "failed")
    assert len(_frame(at, "rule", "status")) == len(validate["rules"])
    findings = _frame(at, "column", "kind")
    assert "buyer_id" in findings["column"].tolist()  # e-mail addresses found
    assert figures["columns with personal data"] == str(len(customers_home["privacy"]
                                                            ["findings"]))


# --------------------------------------------------------------------------- credit
@pytest.fixture(scope="module")
def credit_home(shome: Path) -> dict[str, Any]:
    return write_credit_results(shome)


def test_credit_page_shows_grades_bad_rates_and_policies(
        credit_home: dict[str, Any], shome: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _run("credit", shome, monkeypatch)
    grades = credit_home["scorecard"]["engines"]["scorecard"]["grades"]
    shown = _frame(at, "grade", "bad_rate")
    assert shown["grade"].tolist() == [g["grade"] for g in grades]
    assert shown["bad_rate"].tolist() == pytest.approx([g["bad_rate"] for g in grades])
    assert shown["share"].sum() == pytest.approx(1.0)
    figures = _metrics(at)
    assert figures["bad rate"] == f"{credit_home['scorecard']['bad_rate']:.1%}"
    assert figures["best by net benefit"] == credit_home["policy"]["best"]
    policies = _frame(at, "policy")
    assert policies["policy"].tolist() == [p["policy"] for p in credit_home["policy"]
                                           ["policies"]]
    assert _charts(at) == 3  # grade distribution, bad rate per grade, policy comparison


# --------------------------------------------------------------------------- recommendations
@pytest.fixture(scope="module")
def recommend_home(shome: Path) -> dict[str, Any]:
    return write_recommend_results(shome)


def test_recommendations_page_asks_the_recommender(recommend_home: dict[str, Any],
                                                   shome: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from jogak.dashboard._data import pseudonymise
    from jogak.solutions.recommend import load_recommender

    model = load_recommender(recommend_home["summary"]["bundle"])
    at = _run("recommendations", shome, monkeypatch)
    assert _metrics(at)["users"] == "60"
    tokens = at.selectbox(key="rec_user").options
    users = [str(u) for u in model.user_ids_]
    assert not set(tokens) & set(users)  # pseudonymised
    token_of = dict(zip(users, pseudonymise(pd.Series(users), shome), strict=True))
    at.selectbox(key="rec_user").set_value(token_of["u7"]).run()
    assert _frame(_ok(at), "rank", "item")["item"].tolist() == \
        model.recommend("u7", 10)["item"].tolist()
    label = at.selectbox(key="rec_title").options[3]
    at.selectbox(key="rec_title").set_value(label).run()
    assert _frame(_ok(at), "rank", "item", nth=1)["item"].tolist() == \
        model.similar(model.item_ids_[3], 10)["item"].tolist()
    at.slider(key="rec_k").set_value(5).run()
    at.text_input(key="rec_query").input("space stars planet").run()
    found = _frame(_ok(at), "rank", "item", nth=2)
    assert found["item"].tolist() == model.search("space stars planet", 5)["item"].tolist()
    assert any(c.value.startswith("Query topics:") for c in at.caption)
