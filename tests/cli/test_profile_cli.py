"""``jogak profile``: one JSON object with --json, a Rich table otherwise, exit 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import jogak.cli._profile  # noqa: F401  (registers the command)
from jogak.cli import app

runner = CliRunner()


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "shop.csv"
    rows = "".join(f"c{i:03d},{['Yes', 'No'][i % 2]},{i * 1.5},서울\n" for i in range(40))
    path.write_text("customer_id,paid,amount,지역\n" + rows, encoding="utf-8")
    return path


def test_profile_json_prints_exactly_one_object(small_csv: Path) -> None:
    result = runner.invoke(app, ["profile", str(small_csv), "--target", "paid", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["n_rows"] == 40
    assert data["task"] == "binary"
    assert data["target_distribution"] == {"No": 0.5, "Yes": 0.5}
    assert data["columns"]["customer_id"]["role"] == "identifier"
    assert data["columns"]["지역"]["top_values"] == [{"value": "서울", "count": 40}]


def test_profile_prints_a_table_on_stderr(small_csv: Path) -> None:
    result = runner.invoke(app, ["profile", str(small_csv)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    for text in ("40 rows x 4 columns", "customer_id", "identifier", "amount", "numeric"):
        assert text in result.stderr


def test_profile_on_real_data_names_the_traps(data_dir: Path) -> None:
    data = data_dir / "telco_customer_churn" / "telco_customer_churn.csv.gz"
    result = runner.invoke(app, ["profile", str(data), "--target", "Churn", "--json"])
    assert result.exit_code == 0, result.output
    columns = json.loads(result.stdout)["columns"]
    assert columns["TotalCharges"]["n_missing"] == 11
    assert columns["customerID"]["role"] == "identifier"


def test_profile_help() -> None:
    result = runner.invoke(app, ["profile", "--help"])
    assert result.exit_code == 0
    assert "--target" in result.stdout
    assert "--json" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["profile", "{missing}"], "File not found"),
    (["profile", "{csv}", "--target", "Paid"], "did you mean 'paid'"),
    (["profile", "{ragged}"], "line 3 has 3 fields"),
    (["profile", "{binary}"], "Could not decode"),
    (["profile", "{empty}", "--json"], "has no rows"),
    (["profile", "duckdb:SELEC 1"], "DuckDB query failed"),
], ids=["missing_file", "target_typo", "ragged", "undecodable", "empty", "bad_query"])
def test_profile_bad_input_exits_2_with_one_line(args: list[str], message: str,
                                                 small_csv: Path, tmp_path: Path) -> None:
    (tmp_path / "ragged.csv").write_text("a,b\n1,2\n3,4,5\n")
    (tmp_path / "binary.csv").write_bytes(b"a,b\n" + bytes(range(256)) * 20)
    (tmp_path / "empty.csv").write_text("a,b\n")
    names = {"csv": small_csv, "missing": tmp_path / "nope.csv",
             "ragged": tmp_path / "ragged.csv", "binary": tmp_path / "binary.csv",
             "empty": tmp_path / "empty.csv"}
    filled = [arg.format(**names) for arg in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1
    assert lines[0].startswith("error:")
    assert message in lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""
