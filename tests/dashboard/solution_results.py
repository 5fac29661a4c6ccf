"""Solution results written the way the solution commands write them (CliRunner on small
synthetic data from ``jogak.testing``), for the page tests and the end-to-end test."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from typer.testing import CliRunner

__all__ = ["write_content_results", "write_credit_results", "write_customers_results",
           "write_markets_results", "write_recommend_results", "write_solution_results"]

runner = CliRunner()


def _cli(args: list[str], out: Path | None = None) -> dict[str, Any]:
    """Run ``jogak ARGS`` (exit 0, or 1 for a failed validation) and save its JSON to ``out``."""
    from jogak.cli import app

    result = runner.invoke(app, args)
    assert result.exit_code in (0, 1), result.output
    payload = json.loads(result.stdout)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(result.stdout, encoding="utf-8")
    return payload


def _inputs(home: Path, name: str) -> Path:
    folder = home / "inputs" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_content_results(home: Path) -> dict[str, Any]:
    from jogak.solutions.hits import InvestmentTerms, investment_board
    from jogak.solutions.sto import OfferingTerms, open_ledger

    rng = np.random.default_rng(0)
    predicted = rng.lognormal(13, 1, size=30)
    interval = np.column_stack([predicted * 0.5, predicted * 1.6])
    terms = InvestmentTerms(revenue_per_unit=9_000 * 0.4, holder_share=0.3,
                            raise_amount=1e9, unit="audience")
    titles = pd.Series([f"영화 {i}" for i in range(30)])
    board = investment_board(titles, predicted, interval, terms)
    folder = home / "results" / "hits"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "board.json").write_text(json.dumps({
        "kind": "films", "n_titles": len(board), "board": board.to_dict(orient="records")},
        ensure_ascii=False), encoding="utf-8")
    opens, closes = datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 8, tzinfo=UTC)
    with open_ledger(home) as ledger:
        for offering, units in (("film-a", 100), ("film-b", 50)):
            ledger.create_offering(OfferingTerms(
                offering_id=offering, content_id=offering.upper(), total_units=units,
                unit_price=10_000, opens_at=opens, closes_at=closes), at=opens)
        for i, units in enumerate((60, 50, 40)):
            ledger.subscribe("film-a", f"investor-{i}", units, idempotency_key=f"a{i}",
                             at=datetime(2024, 5, 2, tzinfo=UTC))
        ledger.subscribe("film-b", "investor-0", 5, idempotency_key="b0",
                         at=datetime(2024, 5, 2, tzinfo=UTC))
        ledger.allocate("film-a", at=closes)
        ledger.distribute("film-a", "1000001", at=datetime(2024, 6, 1, tzinfo=UTC))
    return {"board": board}


def write_markets_results(home: Path) -> dict[str, Any]:
    from jogak.solutions.markets import SentimentScores, daily_sentiment
    from jogak.testing import make_ohlcv

    (home / "data").mkdir(exist_ok=True)
    bars = make_ohlcv(400, seed=3)
    bars.rename_axis("timestamp").reset_index().to_csv(home / "data" / "markets.csv",
                                                       index=False)
    folder = home / "results" / "markets"
    forecast = _cli(["markets", "forecast", str(home / "data" / "markets.csv"), "--models",
                     "persistence,drift,linear", "--splits", "3", "--predictions",
                     str(folder / "predictions.csv"), "--json"], folder / "forecast.json")
    rng = np.random.default_rng(1)
    labels = rng.choice(["negative", "neutral", "positive"], size=40)
    scored = pd.DataFrame({"timestamp": pd.date_range("2024-01-01", periods=40, freq="8h"),
                           "label": labels,
                           "score": np.select([labels == "positive", labels == "negative"],
                                              [0.6, -0.6], 0.0)})
    payload = SentimentScores(scored, daily_sentiment(scored)).to_dict()
    (folder / "sentiment.json").write_text(json.dumps(payload), encoding="utf-8")
    return {"forecast": forecast, "sentiment": payload, "labels": labels}


def write_customers_results(home: Path) -> dict[str, Any]:
    from jogak.testing import make_behaviour_events, make_transactions

    inputs = _inputs(home, "commerce_inputs")
    transactions = make_transactions(150, seed=4)
    transactions.to_csv(inputs / "orders.csv", index=False)
    make_behaviour_events(80, seed=2, with_emails=True).to_csv(inputs / "events.csv",
                                                                index=False)
    folder = home / "results" / "commerce"
    tx = [str(inputs / "orders.csv"), "--customer-col", "customer_id", "--date-col", "date",
          "--amount-col", "amount"]
    rfm = _cli(["commerce", "rfm", *tx, "--out", str(folder / "rfm.csv"), "--json"],
               folder / "rfm.json")
    clv = _cli(["commerce", "clv", *tx, "--out", str(folder / "clv.csv"), "--json"],
               folder / "clv.json")
    validate = _cli(["commerce", "validate", str(inputs / "events.csv"), "--table", "behaviour",
                     "--json"], folder / "validate.json")
    privacy = _cli(["privacy", "scan", str(inputs / "events.csv"), "--json"],
                   folder / "privacy.json")
    return {"transactions": transactions, "rfm": rfm, "clv": clv, "validate": validate,
            "privacy": privacy}


def write_credit_results(home: Path) -> dict[str, Any]:
    from jogak.testing import make_credit_frame

    inputs = _inputs(home, "credit_inputs")
    make_credit_frame(1200, seed=5, uci_names=True).to_csv(inputs / "accounts.csv",
                                                           index=False)
    folder = home / "results" / "credit"
    model = home / "models" / "credit"
    scorecard = _cli(["credit", "scorecard", str(inputs / "accounts.csv"), "--target", "Y",
                      "--out", str(model), "--folds", "3", "--no-gbm", "--json"],
                     folder / "scorecard.json")
    policy = _cli(["credit", "policy", str(model), str(inputs / "accounts.csv"),
                   "--grace-days", "30", "--json"], folder / "policy.json")
    return {"scorecard": scorecard, "policy": policy}


def write_recommend_results(home: Path) -> dict[str, Any]:
    from jogak.testing import make_recommendation_data

    inputs = _inputs(home, "recommend_inputs")
    ratings, items = make_recommendation_data(seed=6)
    ratings.to_csv(inputs / "ratings.csv", index=False)
    items.to_csv(inputs / "items.csv", index=False)
    summary = _cli(["recommend", "train", str(inputs / "ratings.csv"), "--user-col", "user_id",
                    "--item-col", "item_id", "--rating-col", "rating", "--items",
                    str(inputs / "items.csv"), "--text-col", "overview", "--title-col", "title",
                    "--topics", "4", "--out", str(home / "models" / "recommender"), "--json"],
                   home / "results" / "recommend" / "train.json")
    return {"summary": summary, "ratings": ratings}


def write_solution_results(home: Path) -> None:
    """Every solution page's results under ``home``."""
    for write in (write_content_results, write_markets_results, write_customers_results,
                  write_credit_results, write_recommend_results):
        write(home)
