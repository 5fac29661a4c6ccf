"""``jogak commerce``: spec, validate (exit 1 on failure), rfm, clv, repurchase; bad input gets
exit 2, one line, and no output file."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import jogak.cli._commerce  # noqa: F401  (registers the commands)
from jogak.cli import app
from jogak.testing._commerce import make_behaviour_events, make_transactions

runner = CliRunner()


@pytest.fixture
def events_csv(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    make_behaviour_events(60, seed=1, with_emails=False).to_csv(path, index=False)
    return path


@pytest.fixture
def email_events_csv(tmp_path: Path) -> Path:
    path = tmp_path / "raw_events.csv"
    frame = make_behaviour_events(60, seed=1, with_emails=True)
    frame.loc[3, "amount"] = -100
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def transactions_csv(tmp_path: Path) -> Path:
    path = tmp_path / "tx.csv"
    make_transactions(300, seed=4, days=300).to_csv(path, index=False)
    return path


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "secret.key"
    path.write_text("k" * 64 + "\n", encoding="ascii")
    return path


def _outputs(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


@pytest.mark.parametrize(("fmt", "needle"), [("md", "| buyer_id | string |"),
                                             ("json", '"$schema"'), ("html", "<html")],
                         ids=["md", "json", "html"])
def test_spec_prints_each_format(fmt: str, needle: str) -> None:
    result = runner.invoke(app, ["commerce", "spec", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert needle in result.stdout


def test_spec_writes_json_schema_of_one_table(tmp_path: Path) -> None:
    out = tmp_path / "product.schema.json"
    result = runner.invoke(app, ["commerce", "spec", "--format", "json", "--table", "product",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8"))["required"] == ["product_id", "price"]
    assert _outputs(tmp_path) == {"product.schema.json"}


def test_spec_rejects_unknown_format_and_table() -> None:
    result = runner.invoke(app, ["commerce", "spec", "--format", "pdf"])
    assert result.exit_code == 2
    assert "error: --format must be md, html or json" in result.stderr
    result = runner.invoke(app, ["commerce", "spec", "--table", "orders"])
    assert result.exit_code == 2


def test_validate_passes_clean_data_with_exit_0(events_csv: Path) -> None:
    result = runner.invoke(app, ["commerce", "validate", str(events_csv), "--table",
                                 "behaviour", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["passed"] is True
    assert data["n_rows"] == 60


def test_validate_fails_with_exit_1_and_an_html_report_without_raw_ids(
        email_events_csv: Path, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    result = runner.invoke(app, ["commerce", "validate", str(email_events_csv), "--table",
                                 "behaviour", "--json", "--html", str(html)])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    failed = {r["rule"]: r["failures"] for r in data["rules"] if r["status"] == "failed"}
    assert failed == {"behaviour.buyer_id.pattern": 60, "behaviour.amount.range": 1}
    page = html.read_bytes()
    assert b"behaviour.amount.range" in page
    emails = pd.read_csv(email_events_csv)["buyer_id"].unique()
    for email in emails:
        assert email.encode() not in page
        assert email not in result.output


def test_validate_prints_a_table_on_stderr(email_events_csv: Path) -> None:
    result = runner.invoke(app, ["commerce", "validate", str(email_events_csv), "--table",
                                 "behaviour"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "2 rule(s) failed" in result.stderr
    assert "behaviour.amount.range" in result.stderr


def test_mapping_naming_absent_columns_is_exit_2_without_partial_output(
        tmp_path: Path) -> None:
    data = tmp_path / "shop.csv"
    pd.DataFrame({"sku": ["a"], "price_krw": [100]}).to_csv(data, index=False)
    mapping = tmp_path / "map.yaml"
    mapping.write_text("table: product\ncolumns:\n  product_id: sku\n  price: list_price\n",
                       encoding="utf-8")
    html = tmp_path / "out" / "report.html"
    result = runner.invoke(app, ["commerce", "validate", str(data), "--table", "product",
                                 "--mapping", str(mapping), "--html", str(html)])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: The mapping names source column(s) ['list_price']")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not html.exists()
    assert _outputs(tmp_path) == {"shop.csv", "map.yaml"}


def test_validate_with_a_mapping_file(tmp_path: Path) -> None:
    data = tmp_path / "shop.csv"
    pd.DataFrame({"sku": ["a", "b"], "list_price": [100, 200]}).to_csv(data, index=False)
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"columns": {"product_id": "sku", "price": "list_price"}}),
                       encoding="utf-8")
    result = runner.invoke(app, ["commerce", "validate", str(data), "--table", "product",
                                 "--mapping", str(mapping), "--json"])
    assert result.exit_code == 0, result.output


def test_rfm_writes_one_row_per_customer(transactions_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "rfm.csv"
    html = tmp_path / "rfm.html"
    result = runner.invoke(app, ["commerce", "rfm", str(transactions_csv), "--customer-col",
                                 "customer_id", "--date-col", "date", "--amount-col", "amount",
                                 "--out", str(out), "--json", "--html", str(html)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    table = pd.read_csv(out)
    assert summary["n_customers"] == len(table) == 300
    assert sum(summary["segments"].values()) == 300
    assert "Champions" in html.read_text(encoding="utf-8")


def test_key_file_tokenises_customer_ids_stably(transactions_csv: Path, tmp_path: Path,
                                                key_file: Path) -> None:
    outputs = []
    for name in ("a.csv", "b.csv"):
        out = tmp_path / name
        result = runner.invoke(app, ["commerce", "rfm", str(transactions_csv),
                                     "--customer-col", "customer_id", "--date-col", "date",
                                     "--amount-col", "amount", "--out", str(out),
                                     "--key-file", str(key_file)])
        assert result.exit_code == 0, result.output
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    raw_ids = pd.read_csv(transactions_csv)["customer_id"].unique()
    assert not [c for c in raw_ids if c.encode() in outputs[0]]
    other_key = tmp_path / "other.key"
    other_key.write_text("z" * 64, encoding="ascii")
    out = tmp_path / "c.csv"
    runner.invoke(app, ["commerce", "rfm", str(transactions_csv), "--customer-col",
                        "customer_id", "--date-col", "date", "--amount-col", "amount",
                        "--out", str(out), "--key-file", str(other_key)])
    assert set(pd.read_csv(out)["customer_id"]).isdisjoint(
        pd.read_csv(tmp_path / "a.csv")["customer_id"])


@pytest.mark.parametrize(("key_text", "message"), [(None, "Key file not found"),
                                                   ("short", "too short")],
                         ids=["missing", "short"])
def test_bad_key_file_is_exit_2_without_output(transactions_csv: Path, tmp_path: Path,
                                               key_text: str | None, message: str) -> None:
    key = tmp_path / "bad.key"
    if key_text is not None:
        key.write_text(key_text, encoding="ascii")
    out = tmp_path / "rfm.csv"
    result = runner.invoke(app, ["commerce", "rfm", str(transactions_csv), "--customer-col",
                                 "customer_id", "--date-col", "date", "--amount-col", "amount",
                                 "--out", str(out), "--key-file", str(key)])
    assert result.exit_code == 2
    assert message in result.stderr
    assert not out.exists()


def test_dates_that_do_not_parse_are_exit_2_without_output(tmp_path: Path) -> None:
    data = tmp_path / "tx.csv"
    pd.DataFrame({"c": ["a", "b"], "d": ["2024-01-01", "2024-31-31"], "x": [1, 2]}).to_csv(
        data, index=False)
    out = tmp_path / "rfm.csv"
    result = runner.invoke(app, ["commerce", "rfm", str(data), "--customer-col", "c",
                                 "--date-col", "d", "--amount-col", "x", "--out", str(out)])
    assert result.exit_code == 2
    assert "do not parse as dates" in result.stderr
    assert not out.exists()


def test_clv_writes_values_and_reports_the_holdout(transactions_csv: Path,
                                                   tmp_path: Path) -> None:
    out = tmp_path / "clv.parquet"
    html = tmp_path / "clv.html"
    result = runner.invoke(app, ["commerce", "clv", str(transactions_csv), "--customer-col",
                                 "customer_id", "--date-col", "date", "--amount-col", "amount",
                                 "--calibration-end", "2024-08-31", "--out", str(out),
                                 "--json", "--html", str(html)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["bgnbd"]) == {"r", "alpha", "a", "b"}
    assert data["holdout_mae"] >= 0
    table = pd.read_parquet(out)
    assert {"customer_id", "expected_purchases", "actual_purchases", "clv"} <= set(table)
    assert "Holdout check" in html.read_text(encoding="utf-8")


def test_repurchase_writes_propensities(transactions_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "scores.csv"
    result = runner.invoke(app, ["commerce", "repurchase", str(transactions_csv),
                                 "--customer-col", "customer_id", "--date-col", "date",
                                 "--amount-col", "amount", "--horizon-days", "60",
                                 "--trials", "1", "--models", "linear", "--out", str(out),
                                 "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["horizon_days"] == 60
    scores = pd.read_csv(out)
    assert scores["propensity"].between(0, 1).all()
    assert len(scores) == data["n_scored"]


@pytest.mark.slow
def test_validate_olist_folder_with_the_builtin_adapter(data_dir: Path) -> None:
    result = runner.invoke(app, ["commerce", "validate", str(data_dir / "olist_ecommerce"),
                                 "--table", "behaviour", "--mapping", "olist", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n_rows"] == 4519


def test_validate_streams_with_batch_size(email_events_csv: Path) -> None:
    whole = runner.invoke(app, ["commerce", "validate", str(email_events_csv), "--table",
                                "behaviour", "--json"])
    streamed = runner.invoke(app, ["commerce", "validate", str(email_events_csv), "--table",
                                   "behaviour", "--json", "--batch-size", "7"])
    assert streamed.exit_code == whole.exit_code == 1

    def outcome(stdout: str) -> list[tuple[object, ...]]:  # streamed samples are read as text
        return [(r["rule"], r["status"], r["failures"], r["share"],
                 [row["row"] for row in r["samples"]]) for r in json.loads(stdout)["rules"]]

    assert outcome(streamed.stdout) == outcome(whole.stdout)


def test_prepare_tokenises_validates_and_records(email_events_csv: Path, tmp_path: Path,
                                                 key_file: Path) -> None:
    out = tmp_path / "prepared.parquet"
    record = tmp_path / "record.json"
    result = runner.invoke(app, ["commerce", "prepare", str(email_events_csv), "--table",
                                 "behaviour", "--key-file", str(key_file), "--out", str(out),
                                 "--record", str(record), "--json"])
    assert result.exit_code == 1, result.output  # the planted negative amount
    data = json.loads(result.stdout)
    failed = {r["rule"] for r in data["rules"] if r["status"] == "failed"}
    assert failed == {"behaviour.amount.range"}
    assert data["record"]["steps"][0]["column"] == "buyer_id"
    emails = pd.read_csv(email_events_csv)["buyer_id"].unique()
    for blob in (out.read_bytes(), record.read_bytes(), result.output.encode()):
        assert not [e for e in emails if e.encode() in blob]


def test_prepare_with_a_short_key_writes_nothing(email_events_csv: Path, tmp_path: Path) -> None:
    key = tmp_path / "short.key"
    key.write_text("too short", encoding="ascii")
    out = tmp_path / "prepared.parquet"
    result = runner.invoke(app, ["commerce", "prepare", str(email_events_csv), "--table",
                                 "behaviour", "--key-file", str(key), "--out", str(out)])
    assert result.exit_code == 2
    assert "too short" in result.stderr
    assert _outputs(tmp_path) == {"raw_events.csv", "short.key"}
